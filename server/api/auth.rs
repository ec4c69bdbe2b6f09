//! `/api/v1/auth/*` and `/api/v1/me`.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::extract::{ClientIp, Json};
use crate::api::AppState;
use crate::auth::{self, Principal, TokenPair};
use crate::error::Result;
use crate::users::{self, User};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// A stable id the phone makes once (e.g. a UUID kept in local storage).
    pub device_id: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeLoginRequest {
    /// The one-time code the team lead shows, e.g. `K7MQ-2XAB` (case and dashes do not matter).
    pub code: String,
    pub device_id: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// The signed-in user and their scope.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    #[serde(flatten)]
    pub user: User,
    pub session_id: String,
}

/// Sign a phone in with a one-time code from the team lead (no password typed).
#[utoipa::path(post, path = "/api/v1/auth/code", tag = "auth", request_body = CodeLoginRequest,
    responses((status = 200, body = TokenPair), (status = 401, body = crate::api::error::ErrorBody),
        (status = 429, description = "too many attempts from this address; see Retry-After", body = crate::api::error::ErrorBody)))]
pub async fn login_with_code(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(req): Json<CodeLoginRequest>,
) -> Result<axum::Json<TokenPair>> {
    Ok(axum::Json(
        auth::login_with_code(state.sessions(), ip, &req.code, &req.device_id).await?,
    ))
}

/// Sign in on a device.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenPair), (status = 401, body = crate::api::error::ErrorBody),
        (status = 429, description = "too many attempts from this address, or the account is locked; see Retry-After", body = crate::api::error::ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(req): Json<LoginRequest>,
) -> Result<axum::Json<TokenPair>> {
    Ok(axum::Json(
        auth::login(
            state.sessions(),
            ip,
            &req.username,
            &req.password,
            &req.device_id,
        )
        .await?,
    ))
}

/// Exchange a refresh token for a new pair (the old refresh token stops working).
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenPair), (status = 401, body = crate::api::error::ErrorBody)))]
pub async fn refresh(
    State(state): State<AppState>,
    Json(req): Json<RefreshRequest>,
) -> Result<axum::Json<TokenPair>> {
    Ok(axum::Json(
        auth::refresh(state.sessions(), &req.refresh_token).await?,
    ))
}

/// Sign this device out.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204)))]
pub async fn logout(State(state): State<AppState>, who: Principal) -> Result<StatusCode> {
    auth::logout(state.sessions(), &who).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who am I.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])), responses((status = 200, body = Me)))]
pub async fn me(State(state): State<AppState>, who: Principal) -> Result<axum::Json<Me>> {
    let user = users::get_user(&state.store, &who, who.user_id).await?;
    Ok(axum::Json(Me {
        user,
        session_id: who.session_id,
    }))
}
