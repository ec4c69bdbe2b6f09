//! `/api/v1/units/{code}/restatements`: past days restated by late syncs.

use axum::extract::State;

use crate::api::extract::{Path, Query};
use crate::api::AppState;
use crate::auth::Principal;
use crate::error::Result;
use crate::metrics::restatements::{self, Restatement, RestatementQuery};

/// Days of the unit's villages whose figures changed because changes observed on or before them
/// arrived later: the day, who synced the changes and when.
#[utoipa::path(get, path = "/api/v1/units/{code}/restatements", tag = "indicators", security(("bearer" = [])),
    params(("code" = String, Path), RestatementQuery), responses((status = 200, body = [Restatement])))]
pub async fn restatements(
    State(s): State<AppState>,
    who: Principal,
    Path(code): Path<String>,
    Query(q): Query<RestatementQuery>,
) -> Result<axum::Json<Vec<Restatement>>> {
    Ok(axum::Json(
        restatements::list(&s.store, &who, &code, &q).await?,
    ))
}
