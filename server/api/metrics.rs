//! `/api/v1/indicators`, `/api/v1/units/{code}/indicators|report.*|declared`, targets, campaigns.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::api::extract::{Json, Path, Query};
use crate::api::AppState;
use crate::auth::Principal;
use crate::error::Result;
use crate::metrics::campaigns::{
    self, Campaign, CampaignUpdate, CurrentCampaign, MarkCurrent, NewCampaign,
};
use crate::metrics::declared::{self, Declaration, DeclaredValue};
use crate::metrics::progress::{self, Progress};
use crate::metrics::rules::{self, NewIndicator};
use crate::metrics::targets::{self, set_target, EffectiveTarget, SetTarget, TargetQuery};
use crate::metrics::{self, report, weekly_xlsx, Indicator, IndicatorQuery, IndicatorTable};

/// The indicator catalogue: the 16 of the model and those added by rule.
#[utoipa::path(get, path = "/api/v1/indicators", tag = "indicators", security(("bearer" = [])), responses((status = 200, body = [Indicator])))]
pub async fn catalogue(
    State(s): State<AppState>,
    _who: Principal,
) -> Result<axum::Json<Vec<Indicator>>> {
    Ok(axum::Json(metrics::catalogue(&s.store).await?))
}

/// Adds an indicator defined by a rule over the survey's fields (admin, province); every village
/// is then counted in the background.
#[utoipa::path(post, path = "/api/v1/indicators", tag = "indicators", security(("bearer" = [])),
    request_body = NewIndicator,
    responses((status = 201, body = Indicator), (status = 422, body = crate::api::error::ErrorBody)))]
pub async fn indicator_add(
    State(s): State<AppState>,
    who: Principal,
    Json(new): Json<NewIndicator>,
) -> Result<(StatusCode, axum::Json<Indicator>)> {
    let added = rules::add(&s.store, &s.sync, &who, new).await?;
    Ok((StatusCode::CREATED, axum::Json(added)))
}

/// Removes an indicator added by rule, with its targets and counts (admin, province).
#[utoipa::path(delete, path = "/api/v1/indicators/{id}", tag = "indicators", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::api::error::ErrorBody)))]
pub async fn indicator_remove(
    State(s): State<AppState>,
    who: Principal,
    Path(id): Path<i64>,
) -> Result<StatusCode> {
    rules::remove(&s.store, &who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Indicators of a unit and each of its children, against targets, now or as of a day, with the baseline.
#[utoipa::path(get, path = "/api/v1/units/{code}/indicators", tag = "indicators", security(("bearer" = [])),
    params(("code" = String, Path), IndicatorQuery), responses((status = 200, body = IndicatorTable)))]
pub async fn unit_indicators(
    State(s): State<AppState>,
    who: Principal,
    Path(code): Path<String>,
    Query(q): Query<IndicatorQuery>,
) -> Result<axum::Json<IndicatorTable>> {
    Ok(axum::Json(
        metrics::unit_indicators(&s.store, &who, &code, &q).await?,
    ))
}

/// The media type of an Excel workbook.
pub(super) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub(super) fn download(bytes: Vec<u8>, content_type: &'static str, name: String) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The province-style table as XLSX: rows the indicators, columns the units × before/after.
#[utoipa::path(get, path = "/api/v1/units/{code}/report.xlsx", tag = "indicators", security(("bearer" = [])),
    params(("code" = String, Path), IndicatorQuery), responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn report_xlsx(
    State(s): State<AppState>,
    who: Principal,
    Path(code): Path<String>,
    Query(q): Query<IndicatorQuery>,
) -> Result<Response> {
    let table = metrics::unit_indicators(&s.store, &who, &code, &q).await?;
    let catalogue = s.store.indicators().await?;
    let bytes = tokio::task::spawn_blocking(move || report::xlsx(&table, &catalogue))
        .await
        .map_err(|e| crate::error::Error::Internal(e.to_string()))??;
    Ok(download(bytes, XLSX, format!("3khong-{code}.xlsx")))
}

/// The same table as CSV (UTF-8, vi-VN percentages).
#[utoipa::path(get, path = "/api/v1/units/{code}/report.csv", tag = "indicators", security(("bearer" = [])),
    params(("code" = String, Path), IndicatorQuery), responses((status = 200, content_type = "text/csv")))]
pub async fn report_csv(
    State(s): State<AppState>,
    who: Principal,
    Path(code): Path<String>,
    Query(q): Query<IndicatorQuery>,
) -> Result<Response> {
    let table = metrics::unit_indicators(&s.store, &who, &code, &q).await?;
    let catalogue = s.store.indicators().await?;
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(report::csv(&table, &catalogue)?);
    Ok(download(
        bytes,
        "text/csv; charset=utf-8",
        format!("3khong-{code}.csv"),
    ))
}

/// The declared values of a commune, newest first (every change kept).
#[utoipa::path(get, path = "/api/v1/units/{code}/declared", tag = "indicators", security(("bearer" = [])),
    params(("code" = String, Path)), responses((status = 200, body = [DeclaredValue])))]
pub async fn declared_history(
    State(s): State<AppState>,
    who: Principal,
    Path(code): Path<String>,
) -> Result<axum::Json<Vec<DeclaredValue>>> {
    Ok(axum::Json(declared::history(&s.store, &who, &code).await?))
}

/// Declare a commune indicator (1–5, 12, 16).
#[utoipa::path(post, path = "/api/v1/units/{code}/declared", tag = "indicators", security(("bearer" = [])),
    params(("code" = String, Path)), request_body = Declaration, responses((status = 201, body = DeclaredValue)))]
pub async fn declare(
    State(s): State<AppState>,
    who: Principal,
    Path(code): Path<String>,
    Json(req): Json<Declaration>,
) -> Result<(StatusCode, axum::Json<DeclaredValue>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(declared::declare(&s.store, &who, &code, &req).await?),
    ))
}

/// Set a target override for a unit's subtree and/or a campaign.
#[utoipa::path(post, path = "/api/v1/targets", tag = "indicators", security(("bearer" = [])), request_body = SetTarget, responses((status = 201)))]
pub async fn target(
    State(s): State<AppState>,
    who: Principal,
    Json(req): Json<SetTarget>,
) -> Result<(StatusCode, axum::Json<serde_json::Value>)> {
    let id = set_target(&s.store, &who, &req).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(serde_json::json!({ "id": id })),
    ))
}

/// The effective target of each indicator for a unit, where it comes from (default, unit,
/// campaign) and its history.
#[utoipa::path(get, path = "/api/v1/units/{code}/targets", tag = "indicators", security(("bearer" = [])),
    params(("code" = String, Path), TargetQuery), responses((status = 200, body = [EffectiveTarget])))]
pub async fn unit_targets(
    State(s): State<AppState>,
    who: Principal,
    Path(code): Path<String>,
    Query(q): Query<TargetQuery>,
) -> Result<axum::Json<Vec<EffectiveTarget>>> {
    Ok(axum::Json(
        targets::unit_targets(&s.store, &who, &code, &q).await?,
    ))
}

/// The campaigns, with the current one flagged.
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "indicators", security(("bearer" = [])), responses((status = 200, body = [Campaign])))]
pub async fn campaign_list(
    State(s): State<AppState>,
    _who: Principal,
) -> Result<axum::Json<Vec<Campaign>>> {
    Ok(axum::Json(campaigns::list(&s.store).await?))
}

/// Create a campaign with its baseline date.
#[utoipa::path(post, path = "/api/v1/campaigns", tag = "indicators", security(("bearer" = [])), request_body = NewCampaign,
    responses((status = 201, body = Campaign)))]
pub async fn campaign_create(
    State(s): State<AppState>,
    who: Principal,
    Json(req): Json<NewCampaign>,
) -> Result<(StatusCode, axum::Json<Campaign>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(campaigns::create(&s.store, &who, &req).await?),
    ))
}

/// Edit a campaign: name, baseline, start and end dates, the weekly report's deadline.
#[utoipa::path(patch, path = "/api/v1/campaigns/{id}", tag = "indicators", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = CampaignUpdate, responses((status = 200, body = Campaign)))]
pub async fn campaign_update(
    State(s): State<AppState>,
    who: Principal,
    Path(id): Path<i64>,
    Json(req): Json<CampaignUpdate>,
) -> Result<axum::Json<Campaign>> {
    Ok(axum::Json(
        campaigns::update(&s.store, &who, id, &req).await?,
    ))
}

/// The current campaign (used when a request for indicators or a report names none) and whether it was marked.
#[utoipa::path(get, path = "/api/v1/campaigns/current", tag = "indicators", security(("bearer" = [])),
    responses((status = 200, body = CurrentCampaign)))]
pub async fn campaign_current(
    State(s): State<AppState>,
    _who: Principal,
) -> Result<axum::Json<CurrentCampaign>> {
    Ok(axum::Json(campaigns::current(&s.store).await?))
}

/// Mark a campaign current for everyone (province, admin); `{"campaign": null}` returns to the latest that has started.
#[utoipa::path(put, path = "/api/v1/campaigns/current", tag = "indicators", security(("bearer" = [])), request_body = MarkCurrent,
    responses((status = 200, body = CurrentCampaign)))]
pub async fn campaign_mark_current(
    State(s): State<AppState>,
    who: Principal,
    Json(req): Json<MarkCurrent>,
) -> Result<axum::Json<CurrentCampaign>> {
    Ok(axum::Json(
        campaigns::mark_current(&s.store, &who, &req).await?,
    ))
}

/// Survey progress of a commune or village by enumerator and by day.
#[utoipa::path(get, path = "/api/v1/units/{code}/progress", tag = "indicators", security(("bearer" = [])),
    params(("code" = String, Path)), responses((status = 200, body = Progress)))]
pub async fn unit_progress(
    State(s): State<AppState>,
    who: Principal,
    Path(code): Path<String>,
) -> Result<axum::Json<Progress>> {
    Ok(axum::Json(progress::progress(&s.store, &who, &code).await?))
}

/// The commune's weekly progress report (XLSX): villages, enumerators, indicators (of the campaign and day asked for).
#[utoipa::path(get, path = "/api/v1/units/{code}/weekly.xlsx", tag = "indicators", security(("bearer" = [])),
    params(("code" = String, Path), IndicatorQuery), responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn weekly_xlsx(
    State(s): State<AppState>,
    who: Principal,
    Path(code): Path<String>,
    Query(q): Query<IndicatorQuery>,
) -> Result<Response> {
    let progress = progress::progress(&s.store, &who, &code).await?;
    let table = metrics::unit_indicators(&s.store, &who, &code, &q).await?;
    let catalogue = s.store.indicators().await?;
    let bytes =
        tokio::task::spawn_blocking(move || weekly_xlsx::xlsx(&table, &progress, &catalogue))
            .await
            .map_err(|e| crate::error::Error::Internal(e.to_string()))??;
    Ok(download(bytes, XLSX, format!("tien-do-{code}.xlsx")))
}
