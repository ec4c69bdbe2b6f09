//! `/api/v1/households/*`: the register import and the audit trail of a household.

use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::extract::{Path, Upload};
use crate::api::AppState;
use crate::auth::Principal;
use crate::error::Result;
use crate::survey::audit::{household_history, HouseholdChange};
use crate::survey::problems::{record_problems, RecordProblem};
use crate::survey::register::{import_register, RegisterReport};

/// Import the commune's household register (CSV, one row per member:
/// `village_code,head_name,address,member_name,birth_year`); all rows checked first, re-import adds nothing twice.
#[utoipa::path(post, path = "/api/v1/households/import", tag = "households", security(("bearer" = [])),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = RegisterReport), (status = 422, body = crate::api::error::ErrorBody)))]
pub async fn import(
    State(s): State<AppState>,
    who: Principal,
    Upload(body): Upload,
) -> Result<axum::Json<RegisterReport>> {
    Ok(axum::Json(
        import_register(&s.store, &s.sync, &who, &body).await?,
    ))
}

/// The audit trail of a household.
#[derive(Debug, Serialize, ToSchema)]
pub struct HouseholdHistory {
    pub household_id: String,
    pub changes: Vec<HouseholdChange>,
}

/// Who changed which fields of a household, from which device, when.
#[utoipa::path(get, path = "/api/v1/households/{id}/history", tag = "households", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = HouseholdHistory)))]
pub async fn history(
    State(s): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> Result<axum::Json<HouseholdHistory>> {
    let changes = household_history(&s.store, &who, &id).await?;
    Ok(axum::Json(HouseholdHistory {
        household_id: id,
        changes,
    }))
}

/// Records stored but not readable as the schema says, in a unit's area (team lead and above).
#[utoipa::path(get, path = "/api/v1/units/{code}/record-problems", tag = "households", security(("bearer" = [])),
    params(("code" = String, Path)), responses((status = 200, body = [RecordProblem])))]
pub async fn problems(
    State(s): State<AppState>,
    who: Principal,
    Path(code): Path<String>,
) -> Result<axum::Json<Vec<RecordProblem>>> {
    Ok(axum::Json(record_problems(&s.store, &who, &code).await?))
}
