//! `/api/v1/units/*`: the administrative tree.

use axum::extract::State;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::api::extract::{Json, Path, Query, Upload};
use crate::api::AppState;
use crate::auth::Principal;
use crate::error::Result;
use crate::units::{self, ImportReport, NewUnitRequest, Unit, UnitDetail, UnitQuery};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// Code of the unit that absorbs this one.
    pub into: String,
}

/// Units in the caller's area.
#[utoipa::path(get, path = "/api/v1/units", tag = "units", security(("bearer" = [])), params(UnitQuery),
    responses((status = 200, body = [Unit])))]
pub async fn list(
    State(s): State<AppState>,
    who: Principal,
    Query(q): Query<UnitQuery>,
) -> Result<axum::Json<Vec<Unit>>> {
    Ok(axum::Json(units::list_units(&s.store, &who, &q).await?))
}

/// One unit, its children and its history.
#[utoipa::path(get, path = "/api/v1/units/{code}", tag = "units", security(("bearer" = [])),
    params(("code" = String, Path)), responses((status = 200, body = UnitDetail), (status = 404, body = crate::api::error::ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    who: Principal,
    Path(code): Path<String>,
) -> Result<axum::Json<UnitDetail>> {
    Ok(axum::Json(units::get_unit(&s.store, &who, &code).await?))
}

/// Create one unit (admin, or province inside its area).
#[utoipa::path(post, path = "/api/v1/units", tag = "units", security(("bearer" = [])), request_body = NewUnitRequest,
    responses((status = 200, body = Unit)))]
pub async fn create(
    State(s): State<AppState>,
    who: Principal,
    Json(req): Json<NewUnitRequest>,
) -> Result<axum::Json<Unit>> {
    Ok(axum::Json(units::create_unit(&s.store, &who, &req).await?))
}

/// Import units from CSV (`code,name,level,parent_code`; levels in English or as the official
/// lists write them in Vietnamese); all lines or none; `?dry_run=true` previews.
#[utoipa::path(post, path = "/api/v1/units/import", tag = "units", security(("bearer" = [])), params(DryRun),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportReport), (status = 422, body = crate::api::error::ErrorBody)))]
pub async fn import(
    State(s): State<AppState>,
    who: Principal,
    Query(q): Query<DryRun>,
    Upload(body): Upload,
) -> Result<axum::Json<ImportReport>> {
    Ok(axum::Json(
        units::import_units(&s.store, &who, &body, q.dry_run).await?,
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct DryRun {
    /// Check and preview only: nothing is written.
    #[serde(default)]
    pub dry_run: bool,
}

/// Merge this unit into another of the same level; its children move, its history stays.
#[utoipa::path(post, path = "/api/v1/units/{code}/merge", tag = "units", security(("bearer" = [])),
    params(("code" = String, Path)), request_body = MergeRequest, responses((status = 200, body = UnitDetail)))]
pub async fn merge(
    State(s): State<AppState>,
    who: Principal,
    Path(code): Path<String>,
    Json(req): Json<MergeRequest>,
) -> Result<axum::Json<UnitDetail>> {
    Ok(axum::Json(
        units::merge_unit(&s.store, &who, &code, &req.into).await?,
    ))
}

/// Retire a unit that has no active children.
#[utoipa::path(post, path = "/api/v1/units/{code}/retire", tag = "units", security(("bearer" = [])),
    params(("code" = String, Path)), responses((status = 200, body = Unit)))]
pub async fn retire(
    State(s): State<AppState>,
    who: Principal,
    Path(code): Path<String>,
) -> Result<axum::Json<Unit>> {
    Ok(axum::Json(units::retire_unit(&s.store, &who, &code).await?))
}
