//! `/api/v1/survey*`: the survey definition as data — the current version for phones, the
//! published versions, and the draft → publish cycle for the province.

use axum::extract::State;
use axum::http::StatusCode;

use crate::api::extract::{Json, Path};
use crate::api::AppState;
use crate::auth::Principal;
use crate::error::Result;
use crate::survey::definition::SurveyDefinition;
use crate::survey::versions::{self, SurveyDraft, SurveyOverview, SurveyVersion};

/// The version phones use now (the one published last; version 1 until another is).
#[utoipa::path(get, path = "/api/v1/survey", tag = "survey", security(("bearer" = [])),
    responses((status = 200, body = SurveyDefinition)))]
pub async fn current(
    State(s): State<AppState>,
    _who: Principal,
) -> Result<axum::Json<SurveyDefinition>> {
    Ok(axum::Json(versions::current(&s.store).await?))
}

/// One published version.
#[utoipa::path(get, path = "/api/v1/survey/versions/{version}", tag = "survey", security(("bearer" = [])),
    params(("version" = i64, Path)),
    responses((status = 200, body = SurveyVersion), (status = 404, body = crate::api::error::ErrorBody)))]
pub async fn version(
    State(s): State<AppState>,
    _who: Principal,
    Path(number): Path<i64>,
) -> Result<axum::Json<SurveyVersion>> {
    Ok(axum::Json(versions::version(&s.store, number).await?))
}

/// Every published version and the draft with what stops it being published (admin, province).
#[utoipa::path(get, path = "/api/v1/survey/versions", tag = "survey", security(("bearer" = [])),
    responses((status = 200, body = SurveyOverview)))]
pub async fn overview(
    State(s): State<AppState>,
    who: Principal,
) -> Result<axum::Json<SurveyOverview>> {
    Ok(axum::Json(versions::overview(&s.store, &who).await?))
}

/// Saves the draft of the next version; the answer lists its problems (an incomplete draft is
/// saved all the same).
#[utoipa::path(put, path = "/api/v1/survey/draft", tag = "survey", security(("bearer" = [])),
    request_body = SurveyDefinition,
    responses((status = 200, body = SurveyDraft), (status = 422, body = crate::api::error::ErrorBody)))]
pub async fn save_draft(
    State(s): State<AppState>,
    who: Principal,
    Json(definition): Json<SurveyDefinition>,
) -> Result<axum::Json<SurveyDraft>> {
    Ok(axum::Json(
        versions::save_draft(&s.store, &who, definition).await?,
    ))
}

/// Drops the draft.
#[utoipa::path(delete, path = "/api/v1/survey/draft", tag = "survey", security(("bearer" = [])),
    responses((status = 204)))]
pub async fn discard_draft(State(s): State<AppState>, who: Principal) -> Result<StatusCode> {
    versions::discard_draft(&s.store, &who).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Publishes the draft as the next version; refused (422, one line per problem) when it would
/// remove a field or a choice, change a field's type, or break a rule of the format.
#[utoipa::path(post, path = "/api/v1/survey/draft/publish", tag = "survey", security(("bearer" = [])),
    responses((status = 200, body = SurveyVersion), (status = 404, body = crate::api::error::ErrorBody),
        (status = 409, body = crate::api::error::ErrorBody), (status = 422, body = crate::api::error::ErrorBody)))]
pub async fn publish(
    State(s): State<AppState>,
    who: Principal,
) -> Result<axum::Json<SurveyVersion>> {
    Ok(axum::Json(versions::publish(&s.store, &who).await?))
}
