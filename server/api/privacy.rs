//! `/api/v1/access-log`: who among the officials read person-level data, and when.

use axum::extract::State;

use crate::api::extract::Query;
use crate::api::AppState;
use crate::auth::Principal;
use crate::error::Result;
use crate::privacy::{access_log, AccessEntry, AccessLogQuery};

/// Reads of person-level data by officials in the caller's area, newest first (commune and above).
#[utoipa::path(get, path = "/api/v1/access-log", tag = "privacy", security(("bearer" = [])),
    params(AccessLogQuery), responses((status = 200, body = [AccessEntry])))]
pub async fn list(
    State(s): State<AppState>,
    who: Principal,
    Query(q): Query<AccessLogQuery>,
) -> Result<axum::Json<Vec<AccessEntry>>> {
    Ok(axum::Json(access_log(&s.store, &who, &q).await?))
}
