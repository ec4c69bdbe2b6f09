//! `/api/v1/reforms/*` and `/api/v1/unit-codes/*`: reforms of the tree and official codes held
//! for a period.

use axum::extract::State;

use crate::api::extract::{Path, Query, Upload};
use crate::api::units::DryRun;
use crate::api::AppState;
use crate::auth::Principal;
use crate::error::Result;
use crate::units::reform::{
    self, AppliedReform, Placement, PlacementReport, ReformParams, ReformPreview,
};
use crate::units::{self, CodeLookup, CodeQuery};

/// What a reform mapping (CSV or XLSX: `old_commune_code,old_commune_name,new_commune_code,
/// new_commune_name,share`) would do at its effective date; nothing is written.
#[utoipa::path(post, path = "/api/v1/reforms/preview", tag = "units", security(("bearer" = [])), params(ReformParams),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ReformPreview), (status = 422, body = crate::api::error::ErrorBody)))]
pub async fn preview(
    State(s): State<AppState>,
    who: Principal,
    Query(p): Query<ReformParams>,
    Upload(body): Upload,
) -> Result<axum::Json<ReformPreview>> {
    Ok(axum::Json(
        reform::preview_reform(&s.store, &who, &body, &p).await?,
    ))
}

/// Apply a reform mapping in one transaction: new communes created, former ones merged into them
/// (their villages, documents, users and history follow), split communes' villages left to place.
#[utoipa::path(post, path = "/api/v1/reforms", tag = "units", security(("bearer" = [])), params(ReformParams),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ReformPreview), (status = 422, body = crate::api::error::ErrorBody)))]
pub async fn apply(
    State(s): State<AppState>,
    who: Principal,
    Query(p): Query<ReformParams>,
    Upload(body): Upload,
) -> Result<axum::Json<ReformPreview>> {
    Ok(axum::Json(
        reform::apply_reform(&s.store, &who, &body, &p).await?,
    ))
}

/// Reforms applied so far.
#[utoipa::path(get, path = "/api/v1/reforms", tag = "units", security(("bearer" = [])),
    responses((status = 200, body = [AppliedReform])))]
pub async fn list(
    State(s): State<AppState>,
    who: Principal,
) -> Result<axum::Json<Vec<AppliedReform>>> {
    Ok(axum::Json(reform::list_reforms(&s.store, &who).await?))
}

/// Villages of split communes in the caller's area: those waiting to be placed first.
#[utoipa::path(get, path = "/api/v1/reforms/placements", tag = "units", security(("bearer" = [])),
    responses((status = 200, body = [Placement])))]
pub async fn placements(
    State(s): State<AppState>,
    who: Principal,
) -> Result<axum::Json<Vec<Placement>>> {
    Ok(axum::Json(reform::list_placements(&s.store, &who).await?))
}

/// Place villages of split communes (`village_code,new_commune_code`, CSV or XLSX): all rows or
/// none; `?dry_run=true` checks only.
#[utoipa::path(post, path = "/api/v1/reforms/placements", tag = "units", security(("bearer" = [])), params(DryRun),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = PlacementReport), (status = 422, body = crate::api::error::ErrorBody)))]
pub async fn place(
    State(s): State<AppState>,
    who: Principal,
    Query(q): Query<DryRun>,
    Upload(body): Upload,
) -> Result<axum::Json<PlacementReport>> {
    Ok(axum::Json(
        reform::place_villages(&s.store, &who, &body, q.dry_run).await?,
    ))
}

/// The unit that held an official code on a day (today by default), and every period of it.
#[utoipa::path(get, path = "/api/v1/unit-codes/{code}", tag = "units", security(("bearer" = [])),
    params(("code" = String, Path), CodeQuery),
    responses((status = 200, body = CodeLookup), (status = 404, body = crate::api::error::ErrorBody)))]
pub async fn by_code(
    State(s): State<AppState>,
    who: Principal,
    Path(code): Path<String>,
    Query(q): Query<CodeQuery>,
) -> Result<axum::Json<CodeLookup>> {
    Ok(axum::Json(
        units::unit_by_code(&s.store, &who, &code, &q).await?,
    ))
}
