//! `/api/v1/households/*`: the register import and the audit trail of a household.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::extract::{Path, Query};
use crate::api::metrics::{download, XLSX};
use crate::api::AppState;
use crate::auth::Principal;
use crate::error::Result;
use crate::households::audit::{household_history, HouseholdChange};
use crate::households::conflicts::{Conflict, ConflictQuery};
use crate::households::import::{start_import, ImportContext};
use crate::households::jobs::{ImportJobStatus, JobState};
use crate::households::problems::{record_problems, RecordProblem};
use crate::households::raw_data;

/// The answer to an accepted import: where to follow it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportAccepted {
    pub job_id: String,
    /// `GET` this for the state, the progress and in the end the report or the problems.
    pub status_url: String,
    pub state: JobState,
}

/// Import the commune's household register (CSV, one row per member:
/// `village_code,head_name,address,member_name,birth_year`). The upload is stored and the import
/// runs as a job: poll `status_url`. All rows are checked before anything is written; a
/// re-import adds nothing twice.
#[utoipa::path(post, path = "/api/v1/households/import", tag = "households", security(("bearer" = [])),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 202, body = ImportAccepted, description = "stored; the import runs as a job"),
        (status = 403, body = crate::api::error::ErrorBody), (status = 409, body = crate::api::error::ErrorBody, description = "an import for the same area is running"),
        (status = 413, body = crate::api::error::ErrorBody), (status = 429, body = crate::api::error::ErrorBody, description = "too many imports on the server")))]
pub async fn import(
    State(s): State<AppState>,
    who: Principal,
    headers: HeaderMap,
    body: Body,
) -> Result<(
    StatusCode,
    [(header::HeaderName, String); 1],
    axum::Json<ImportAccepted>,
)> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let cx = ImportContext {
        store: s.store.clone(),
        hub: s.sync.clone(),
        jobs: s.jobs.clone(),
    };
    let job = start_import(
        &cx,
        &who,
        declared,
        body.into_data_stream(),
        s.config.register_upload_limit,
    )
    .await?;
    let status_url = format!("/api/v1/households/import/{}", job.id);
    Ok((
        StatusCode::ACCEPTED,
        [(header::LOCATION, status_url.clone())],
        axum::Json(ImportAccepted {
            job_id: job.id.clone(),
            status_url,
            state: JobState::Queued,
        }),
    ))
}

/// The state of an import job: progress while it runs, then the report or the problems found.
/// Visible to whoever started it and to anyone who may import over the same area.
#[utoipa::path(get, path = "/api/v1/households/import/{job}", tag = "households", security(("bearer" = [])),
    params(("job" = String, Path)),
    responses((status = 200, body = ImportJobStatus), (status = 404, body = crate::api::error::ErrorBody)))]
pub async fn import_status(
    State(s): State<AppState>,
    who: Principal,
    Path(job): Path<String>,
) -> Result<axum::Json<ImportJobStatus>> {
    Ok(axum::Json(s.jobs.status(&job, &who)?))
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
    let changes = household_history(&s.store, &s.sync, &who, &id).await?;
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

/// Fields two phones set differently while offline, in a unit's area (team lead, commune
/// officer, admin; values are person-level). Settled by writing the field again from a phone.
#[utoipa::path(get, path = "/api/v1/units/{code}/conflicts", tag = "households", security(("bearer" = [])),
    params(("code" = String, Path), ConflictQuery), responses((status = 200, body = [Conflict])))]
pub async fn conflicts(
    State(s): State<AppState>,
    who: Principal,
    Path(code): Path<String>,
    Query(q): Query<ConflictQuery>,
) -> Result<axum::Json<Vec<Conflict>>> {
    Ok(axum::Json(
        crate::households::conflicts::conflicts(&s.store, &who, &code, &q).await?,
    ))
}

/// `?sheet=` of the raw-data CSV.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RawSheetQuery {
    /// `persons` (default) or `households`.
    pub sheet: Option<String>,
}

/// Every household and person of a commune or village with every field of every survey
/// version, as a workbook with two sheets (commune officer or team lead; logged).
#[utoipa::path(get, path = "/api/v1/units/{code}/raw-data.xlsx", tag = "households", security(("bearer" = [])),
    params(("code" = String, Path)),
    responses((status = 200, description = "the workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = crate::api::error::ErrorBody), (status = 404, body = crate::api::error::ErrorBody)))]
pub async fn raw_data_xlsx(
    State(s): State<AppState>,
    who: Principal,
    Path(code): Path<String>,
) -> Result<axum::response::Response> {
    let bytes = raw_data::xlsx(&s.store, &who, &code).await?;
    Ok(download(bytes, XLSX, format!("du-lieu-{code}.xlsx")))
}

/// One sheet of the raw data as CSV.
#[utoipa::path(get, path = "/api/v1/units/{code}/raw-data.csv", tag = "households", security(("bearer" = [])),
    params(("code" = String, Path), RawSheetQuery),
    responses((status = 200, description = "the sheet", content_type = "text/csv"),
        (status = 400, body = crate::api::error::ErrorBody), (status = 403, body = crate::api::error::ErrorBody)))]
pub async fn raw_data_csv(
    State(s): State<AppState>,
    who: Principal,
    Path(code): Path<String>,
    Query(q): Query<RawSheetQuery>,
) -> Result<axum::response::Response> {
    let sheet = raw_data::Sheet::parse(q.sheet.as_deref())?;
    let bytes = raw_data::csv(&s.store, &who, &code, sheet).await?;
    let name = match sheet {
        raw_data::Sheet::Households => format!("ho-{code}.csv"),
        raw_data::Sheet::Persons => format!("nguoi-{code}.csv"),
    };
    Ok(download(bytes, "text/csv; charset=utf-8", name))
}
