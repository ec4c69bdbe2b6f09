//! `/api/v1/units/{code}/weekly-reports`: the commune's Friday report and who has sent it.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::extract::{Path, Query};
use crate::api::metrics::download;
use crate::api::AppState;
use crate::auth::Principal;
use crate::error::{Error, Result};
use crate::metrics::friday::{self, ReportQuery, WeeklyReport};
use crate::metrics::friday_xlsx::friday_xlsx;
use crate::metrics::reporting::{self, ReportsOverview};

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OverviewQuery {
    /// Any day of the week (`YYYY-MM-DD`); this week when absent.
    pub week: Option<String>,
    pub campaign: Option<i64>,
}

/// A commune's report of a week (any day of it names it): the draft, or as submitted with
/// today's figures beside it when they changed since.
#[utoipa::path(get, path = "/api/v1/units/{code}/weekly-reports/{week}", tag = "indicators", security(("bearer" = [])),
    params(("code" = String, Path), ("week" = String, Path), ReportQuery), responses((status = 200, body = WeeklyReport)))]
pub async fn report(
    State(s): State<AppState>,
    who: Principal,
    Path((code, week)): Path<(String, String)>,
    Query(q): Query<ReportQuery>,
) -> Result<axum::Json<WeeklyReport>> {
    Ok(axum::Json(
        friday::weekly_report(&s.store, &who, &code, &week, &q).await?,
    ))
}

/// Submit the week's report to the district (commune officer): it is frozen as it is now.
#[utoipa::path(post, path = "/api/v1/units/{code}/weekly-reports/{week}/submit", tag = "indicators", security(("bearer" = [])),
    params(("code" = String, Path), ("week" = String, Path), ReportQuery),
    responses((status = 201, body = WeeklyReport), (status = 409, description = "already submitted", body = crate::api::error::ErrorBody)))]
pub async fn submit(
    State(s): State<AppState>,
    who: Principal,
    Path((code, week)): Path<(String, String)>,
    Query(q): Query<ReportQuery>,
) -> Result<(StatusCode, axum::Json<WeeklyReport>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(friday::submit(&s.store, &who, &code, &week, &q).await?),
    ))
}

/// Which communes under a unit have sent the week's report: on time, late or not yet, and
/// how many weeks of the campaign came on time.
#[utoipa::path(get, path = "/api/v1/units/{code}/weekly-reports", tag = "indicators", security(("bearer" = [])),
    params(("code" = String, Path), OverviewQuery), responses((status = 200, body = ReportsOverview)))]
pub async fn overview(
    State(s): State<AppState>,
    who: Principal,
    Path(code): Path<String>,
    Query(q): Query<OverviewQuery>,
) -> Result<axum::Json<ReportsOverview>> {
    let campaign = ReportQuery {
        campaign: q.campaign,
    };
    Ok(axum::Json(
        reporting::overview(&s.store, &who, &code, q.week.as_deref(), &campaign).await?,
    ))
}

/// The week's report as XLSX: as submitted, or the draft.
#[utoipa::path(get, path = "/api/v1/units/{code}/weekly-reports/{week}/report.xlsx", tag = "indicators", security(("bearer" = [])),
    params(("code" = String, Path), ("week" = String, Path), ReportQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn report_xlsx(
    State(s): State<AppState>,
    who: Principal,
    Path((code, week)): Path<(String, String)>,
    Query(q): Query<ReportQuery>,
) -> Result<Response> {
    let report = friday::weekly_report(&s.store, &who, &code, &week, &q).await?;
    let catalogue = s.store.indicators().await?;
    let name = format!("bao-cao-tuan-{code}-{}.xlsx", report.week);
    let bytes = tokio::task::spawn_blocking(move || friday_xlsx(&report, &catalogue))
        .await
        .map_err(|e| Error::Internal(e.to_string()))??;
    Ok(download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        name,
    ))
}
