//! `/api/v1/team` and adding members: what a team lead does from the browser.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::extract::{Query, Upload};
use crate::api::AppState;
use crate::auth::Principal;
use crate::error::{Error, Result};
use crate::users::{self, MemberImport, Team};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TeamQuery {
    /// A commune code; the caller's own scope when absent.
    pub unit: Option<String>,
}

/// The members of a commune's team: assignments, phones, last sync, locked or disabled.
#[utoipa::path(get, path = "/api/v1/team", tag = "users", security(("bearer" = [])), params(TeamQuery),
    responses((status = 200, body = Team), (status = 403, body = crate::api::error::ErrorBody)))]
pub async fn team(
    State(s): State<AppState>,
    who: Principal,
    Query(q): Query<TeamQuery>,
) -> Result<axum::Json<Team>> {
    Ok(axum::Json(
        users::team(&s.store, &who, q.unit.as_deref()).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct NameQuery {
    /// The member's full name, e.g. "Nguyễn Văn An".
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UsernameSuggestion {
    pub username: String,
}

/// A free username made from a name without diacritics ("Nguyễn Văn An" → nguyenvanan).
#[utoipa::path(get, path = "/api/v1/users/username-suggestion", tag = "users", security(("bearer" = [])), params(NameQuery),
    responses((status = 200, body = UsernameSuggestion)))]
pub async fn username_suggestion(
    State(s): State<AppState>,
    who: Principal,
    Query(q): Query<NameQuery>,
) -> Result<axum::Json<UsernameSuggestion>> {
    if who.role < crate::auth::Role::TeamLead {
        return Err(Error::forbidden(
            "only a team lead or an officer adds members",
        ));
    }
    let username = users::free_username(&s.store, &q.name, &Default::default()).await?;
    Ok(axum::Json(UsernameSuggestion { username }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// The commune the members join.
    pub unit: String,
    /// Check and preview only; nothing is written.
    #[serde(default)]
    pub dry_run: bool,
}

/// Add members from a CSV or XLSX sheet ("Họ và tên", "Số điện thoại", "Thôn"): every line is
/// checked first, and either all are added (as enumerators, given their village) or none.
#[utoipa::path(post, path = "/api/v1/users/import", tag = "users", security(("bearer" = [])), params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "text/csv"),
    responses((status = 200, body = MemberImport), (status = 422, description = "line errors; nothing imported", body = crate::api::error::ErrorBody)))]
pub async fn import(
    State(s): State<AppState>,
    who: Principal,
    Query(q): Query<ImportQuery>,
    Upload(body): Upload,
) -> Result<axum::Json<MemberImport>> {
    Ok(axum::Json(
        users::import_members(&s.store, &who, &q.unit, &body, q.dry_run).await?,
    ))
}
