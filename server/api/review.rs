//! The team lead's review: records sent back to members ("cần sửa"), villages approved for a
//! week.

use axum::extract::State;
use axum::http::StatusCode;

use crate::api::extract::{Json, Path, Query};
use crate::api::AppState;
use crate::auth::Principal;
use crate::error::Result;
use crate::households::approval::{self, WeekApprovals, WeekChoice};
use crate::households::send_back::{self, SendBack, SendBackQuery, SendBackRequest};

/// Send a household (or one person in it) back to the member with a comment.
#[utoipa::path(post, path = "/api/v1/households/{id}/send-back", tag = "households", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = SendBackRequest,
    responses((status = 201, body = SendBack), (status = 404, body = crate::api::error::ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    Json(req): Json<SendBackRequest>,
) -> Result<(StatusCode, axum::Json<SendBack>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(send_back::send_back(&s.store, &who, &id, req).await?),
    ))
}

/// Withdraw a send-back.
#[utoipa::path(delete, path = "/api/v1/send-backs/{id}", tag = "households", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = SendBack), (status = 409, body = crate::api::error::ErrorBody)))]
pub async fn withdraw(
    State(s): State<AppState>,
    who: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<SendBack>> {
    Ok(axum::Json(send_back::withdraw(&s.store, &who, id).await?))
}

/// Send-backs in a unit's area (team lead, commune officer, admin).
#[utoipa::path(get, path = "/api/v1/units/{code}/send-backs", tag = "households", security(("bearer" = [])),
    params(("code" = String, Path), SendBackQuery), responses((status = 200, body = [SendBack])))]
pub async fn list(
    State(s): State<AppState>,
    who: Principal,
    Path(code): Path<String>,
    Query(q): Query<SendBackQuery>,
) -> Result<axum::Json<Vec<SendBack>>> {
    Ok(axum::Json(
        send_back::list(&s.store, &who, &code, &q).await?,
    ))
}

/// The open send-backs for me: in my assigned villages (a member), in my area (a lead).
#[utoipa::path(get, path = "/api/v1/me/send-backs", tag = "households", security(("bearer" = [])),
    responses((status = 200, body = [SendBack])))]
pub async fn mine(State(s): State<AppState>, who: Principal) -> Result<axum::Json<Vec<SendBack>>> {
    Ok(axum::Json(send_back::mine(&s.store, &who).await?))
}

/// Approve a village's work for a week (today's when the body names none).
#[utoipa::path(post, path = "/api/v1/units/{code}/approval", tag = "households", security(("bearer" = [])),
    params(("code" = String, Path)), request_body = WeekChoice,
    responses((status = 201, body = WeekApprovals), (status = 400, body = crate::api::error::ErrorBody)))]
pub async fn approve(
    State(s): State<AppState>,
    who: Principal,
    Path(code): Path<String>,
    Json(choice): Json<WeekChoice>,
) -> Result<(StatusCode, axum::Json<WeekApprovals>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(approval::approve(&s.store, &who, &code, &choice).await?),
    ))
}

/// Which villages under a unit are approved for a week.
#[utoipa::path(get, path = "/api/v1/units/{code}/approvals", tag = "households", security(("bearer" = [])),
    params(("code" = String, Path), WeekChoice), responses((status = 200, body = WeekApprovals)))]
pub async fn approvals(
    State(s): State<AppState>,
    who: Principal,
    Path(code): Path<String>,
    Query(choice): Query<WeekChoice>,
) -> Result<axum::Json<WeekApprovals>> {
    Ok(axum::Json(
        approval::approvals(&s.store, &who, &code, &choice).await?,
    ))
}
