//! `/api/v1/users/*`: accounts and their device sessions.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::extract::{Json, Path, Query};
use crate::api::AppState;
use crate::auth::Principal;
use crate::error::Result;
use crate::users::{
    self, DeviceSession, NewUserRequest, OneTimePassword, SignInCode, UpdateUserRequest, User,
};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// 1–5000, default 1000.
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Revoked {
    /// How many live sessions were ended.
    pub revoked: u64,
}

/// Users in the caller's area (an enumerator sees only themselves).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = [])), params(Page), responses((status = 200, body = [User])))]
pub async fn list(
    State(s): State<AppState>,
    who: Principal,
    Query(p): Query<Page>,
) -> Result<axum::Json<Vec<User>>> {
    Ok(axum::Json(
        users::list_users(
            &s.store,
            &who,
            p.limit.unwrap_or(1000),
            p.offset.unwrap_or(0),
        )
        .await?,
    ))
}

/// Create a user with a lower role inside the caller's area.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", security(("bearer" = [])), request_body = NewUserRequest,
    responses((status = 201, body = User), (status = 403, body = crate::api::error::ErrorBody), (status = 409, body = crate::api::error::ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    who: Principal,
    Json(req): Json<NewUserRequest>,
) -> Result<(StatusCode, axum::Json<User>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(users::create_user(&s.store, &who, req).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = User), (status = 404, body = crate::api::error::ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    who: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<User>> {
    Ok(axum::Json(users::get_user(&s.store, &who, id).await?))
}

/// Change a user: yourself (name, phone, password) or someone you manage (also role, scope, disabled).
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = UpdateUserRequest, responses((status = 200, body = User)))]
pub async fn update(
    State(s): State<AppState>,
    who: Principal,
    Path(id): Path<i64>,
    Json(req): Json<UpdateUserRequest>,
) -> Result<axum::Json<User>> {
    Ok(axum::Json(
        users::update_user(&s.store, &who, id, req).await?,
    ))
}

/// The devices a user is signed in on.
#[utoipa::path(get, path = "/api/v1/users/{id}/sessions", tag = "users", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = [DeviceSession])))]
pub async fn sessions(
    State(s): State<AppState>,
    who: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<Vec<DeviceSession>>> {
    Ok(axum::Json(users::list_sessions(&s.store, &who, id).await?))
}

/// Sign a user out of every device.
#[utoipa::path(delete, path = "/api/v1/users/{id}/sessions", tag = "users", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Revoked)))]
pub async fn revoke_all(
    State(s): State<AppState>,
    who: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<Revoked>> {
    let revoked = users::revoke_sessions(&s.store, &who, id, None).await?;
    Ok(axum::Json(Revoked { revoked }))
}

/// Sign one device out (a lost phone).
#[utoipa::path(delete, path = "/api/v1/users/{id}/sessions/{session_id}", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path), ("session_id" = String, Path)), responses((status = 200, body = Revoked)))]
pub async fn revoke_one(
    State(s): State<AppState>,
    who: Principal,
    Path((id, session_id)): Path<(i64, String)>,
) -> Result<axum::Json<Revoked>> {
    let revoked = users::revoke_sessions(&s.store, &who, id, Some(&session_id)).await?;
    Ok(axum::Json(Revoked { revoked }))
}

/// Show a member's phone a one-time sign-in code (10 minutes, single use; an earlier unused one
/// stops working). The phone opens `url` (the QR code) or types the code.
#[utoipa::path(post, path = "/api/v1/users/{id}/sign-in-code", tag = "users", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 201, body = SignInCode), (status = 403, body = crate::api::error::ErrorBody)))]
pub async fn sign_in_code(
    State(s): State<AppState>,
    who: Principal,
    Path(id): Path<i64>,
) -> Result<(StatusCode, axum::Json<SignInCode>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(users::issue_sign_in_code(&s.store, &who, id).await?),
    ))
}

/// Give a member a new password, shown once in this answer; lifts a lock; their phones are
/// signed out but keep their data.
#[utoipa::path(post, path = "/api/v1/users/{id}/reset-password", tag = "users", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = OneTimePassword), (status = 403, body = crate::api::error::ErrorBody)))]
pub async fn reset_password(
    State(s): State<AppState>,
    who: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<OneTimePassword>> {
    Ok(axum::Json(users::reset_password(&s.store, &who, id).await?))
}

/// Lift the lock after too many wrong passwords.
#[utoipa::path(post, path = "/api/v1/users/{id}/unlock", tag = "users", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = User), (status = 403, body = crate::api::error::ErrorBody)))]
pub async fn unlock(
    State(s): State<AppState>,
    who: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<User>> {
    Ok(axum::Json(users::unlock(&s.store, &who, id).await?))
}
