//! User accounts: who may create, see and change whom, and their device sessions.

mod devices;
mod import;
mod sign_in;
mod team;
mod username;

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{hash_password, Principal, Role};
use crate::clock::{now, rfc3339};
use crate::error::{Error, Result};
use crate::store::{NewUser, Store, UserRow, UserUpdate};

pub use devices::{list_sessions, revoke_sessions, DeviceSession};
pub use import::{import_members, MemberImport, MemberImportRow};
pub use sign_in::{issue_sign_in_code, reset_password, unlock, OneTimePassword, SignInCode};
pub use team::{team, Team, TeamDevice, TeamMember};
pub use username::{free_username, username_base};

use crate::units::Level;

/// A user as the API shows it (never the password hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub role: String,
    pub scope_unit: Option<String>,
    pub disabled: bool,
    /// Set while sign-in is refused after too many wrong passwords (a new password lifts it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<String>,
    /// False until the member has a password (signed in with one-time codes so far).
    pub has_password: bool,
    pub created_at: String,
}

impl From<UserRow> for User {
    fn from(u: UserRow) -> Self {
        User {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            phone: u.phone,
            role: u.role,
            scope_unit: u.scope_unit,
            disabled: u.disabled != 0,
            locked_until: u.locked_until.filter(|&t| t > now()).map(rfc3339),
            has_password: u.password_set != 0,
            created_at: rfc3339(u.created_at),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    /// 3–64 characters: lower-case letters, digits, '.', '_' or '-'. Proposed from the name
    /// when missing (see `GET /api/v1/users/username-suggestion`).
    pub username: Option<String>,
    pub display_name: String,
    /// At least 8 characters. Without one, the member signs in with a one-time code
    /// (`POST /api/v1/users/{id}/sign-in-code`).
    pub password: Option<String>,
    pub role: Role,
    /// The unit whose subtree this user works in; required for every role but admin.
    pub scope_unit: Option<String>,
    pub phone: Option<String>,
    /// An account that is not a person (a seeding script): never listed in a team. Set only
    /// from the command line.
    #[serde(skip)]
    pub service: bool,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    pub display_name: Option<String>,
    pub phone: Option<String>,
    /// Setting a new password signs the user out of every device.
    pub password: Option<String>,
    pub role: Option<Role>,
    pub scope_unit: Option<String>,
    /// Disabling signs the user out of every device.
    pub disabled: Option<bool>,
}

fn not_found(id: i64) -> Error {
    Error::not_found(format!("user {id} not found (or not in your area)"))
}

fn valid_username(u: &str) -> bool {
    (3..=64).contains(&u.len())
        && u.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
}

/// Vietnamese phone numbers: 0 + 9 digits, or +84 + 9 digits.
pub(crate) fn valid_phone(p: &str) -> bool {
    let digits = p.strip_prefix("+84").or_else(|| p.strip_prefix('0'));
    digits.is_some_and(|d| d.len() == 9 && d.chars().all(|c| c.is_ascii_digit()))
}

/// Which unit levels a role's scope may be.
fn scope_levels(role: Role) -> &'static [Level] {
    match role {
        Role::Admin => &[
            Level::Province,
            Level::District,
            Level::Commune,
            Level::Village,
        ],
        Role::Province => &[Level::Province],
        Role::District => &[Level::District],
        Role::Commune | Role::TeamLead => &[Level::Commune],
        Role::Enumerator => &[Level::Commune, Level::Village],
    }
}

/// Resolves and checks the scope a user would get: returns its path.
pub(crate) async fn checked_scope(
    store: &Store,
    who: &Principal,
    role: Role,
    scope: Option<&str>,
) -> Result<String> {
    let path = match scope {
        None if role == Role::Admin => "/".to_string(),
        None => {
            return Err(Error::bad_request(format!(
                "a {} needs a scope_unit",
                role.as_str()
            )))
        }
        Some(code) => {
            let unit = store
                .unit(code)
                .await?
                .filter(|u| who.covers(&u.path))
                .ok_or_else(|| {
                    Error::not_found(format!("unit {code} not found (or not in your area)"))
                })?;
            if unit.status != "active" {
                return Err(Error::bad_request(format!(
                    "unit {code} is {}: pick an active unit",
                    unit.status
                )));
            }
            let level = Level::parse(&unit.level).unwrap_or(Level::Village);
            if !scope_levels(role).contains(&level) {
                let allowed: Vec<_> = scope_levels(role).iter().map(|l| l.as_str()).collect();
                return Err(Error::bad_request(format!(
                    "a {} works in a {} unit, and {code} is a {}",
                    role.as_str(),
                    allowed.join(" or "),
                    unit.level
                )));
            }
            unit.path
        }
    };
    if !who.can_manage(role, &path) {
        return Err(Error::forbidden(format!(
            "as {} you cannot manage a {} there: only a higher role over that area can",
            who.role.as_str(),
            role.as_str()
        )));
    }
    Ok(path)
}

pub async fn create_user(store: &Store, who: &Principal, req: NewUserRequest) -> Result<User> {
    let display_name = valid_display_name(&req.display_name)?;
    if let Some(p) = req.phone.as_deref().filter(|p| !valid_phone(p)) {
        return Err(bad_phone(p));
    }
    checked_scope(store, who, req.role, req.scope_unit.as_deref()).await?;
    let username = match req.username {
        Some(u) if !valid_username(&u) => return Err(bad_username()),
        Some(u) => u,
        None => free_username(store, display_name, &HashSet::new()).await?,
    };
    let password_set = req.password.is_some();
    let hash = hash_password(req.password.unwrap_or_else(unknown_password)).await?;
    let id = store
        .insert_user(
            &NewUser {
                username: &username,
                display_name,
                phone: req.phone.as_deref(),
                password_hash: &hash,
                role: req.role.as_str(),
                scope_unit: req.scope_unit.as_deref(),
                password_set,
                service: req.service,
            },
            now(),
        )
        .await?;
    let user = store.user_by_id(id).await?.ok_or_else(|| not_found(id))?;
    Ok(user.into())
}

/// A password nobody is told, for an account that signs in with one-time codes.
pub(crate) fn unknown_password() -> String {
    use rand::Rng;
    rand::thread_rng()
        .sample_iter(&rand::distributions::Alphanumeric)
        .take(32)
        .map(char::from)
        .collect()
}

/// The display name trimmed, when it is 1–120 characters.
fn valid_display_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(Error::bad_request("display_name must be 1–120 characters"));
    }
    Ok(name)
}

fn bad_username() -> Error {
    Error::bad_request(
        "username must be 3–64 characters: lower-case letters, digits, '.', '_' or '-'",
    )
}

fn bad_phone(p: &str) -> Error {
    Error::bad_request(format!(
        "phone '{p}' is not a Vietnamese number (0 or +84 followed by 9 digits)"
    ))
}

/// Loads a user the caller may see: themselves, or anyone in their area if they lead or manage.
async fn visible_user(store: &Store, who: &Principal, id: i64) -> Result<UserRow> {
    let user = store.user_by_id(id).await?.ok_or_else(|| not_found(id))?;
    let visible =
        user.id == who.user_id || (who.role >= Role::TeamLead && who.covers(&user.scope_path));
    if visible {
        Ok(user)
    } else {
        Err(not_found(id))
    }
}

/// Loads a user the caller may manage (higher role, inside their area).
pub(crate) async fn managed_user(store: &Store, who: &Principal, id: i64) -> Result<UserRow> {
    let user = visible_user(store, who, id).await?;
    let role = Role::parse(&user.role).unwrap_or(Role::Admin);
    if who.can_manage(role, &user.scope_path) {
        Ok(user)
    } else {
        Err(Error::forbidden(format!(
            "as {} you cannot manage user {} ({})",
            who.role.as_str(),
            user.username,
            user.role
        )))
    }
}

pub async fn list_users(
    store: &Store,
    who: &Principal,
    limit: i64,
    offset: i64,
) -> Result<Vec<User>> {
    if !(1..=5000).contains(&limit) {
        return Err(Error::bad_request("limit must be between 1 and 5000"));
    }
    if who.role < Role::TeamLead {
        let me = store
            .user_by_id(who.user_id)
            .await?
            .ok_or_else(|| not_found(who.user_id))?;
        return Ok(vec![me.into()]);
    }
    let rows = store
        .users_under(who.visible_path(), limit, offset.max(0))
        .await?;
    Ok(rows.into_iter().map(User::from).collect())
}

pub async fn get_user(store: &Store, who: &Principal, id: i64) -> Result<User> {
    Ok(visible_user(store, who, id).await?.into())
}

pub async fn update_user(
    store: &Store,
    who: &Principal,
    id: i64,
    req: UpdateUserRequest,
) -> Result<User> {
    let is_self = id == who.user_id;
    let managing =
        req.role.is_some() || req.scope_unit.is_some() || req.disabled.is_some() || !is_self;
    let user = if managing {
        managed_user(store, who, id).await?
    } else {
        visible_user(store, who, id).await?
    };
    if let Some(name) = req.display_name.as_deref() {
        valid_display_name(name)?;
    }
    if let Some(p) = req.phone.as_deref().filter(|p| !valid_phone(p)) {
        return Err(bad_phone(p));
    }
    if req.role.is_some() || req.scope_unit.is_some() {
        let role = req
            .role
            .or_else(|| Role::parse(&user.role))
            .unwrap_or(Role::Enumerator);
        let scope = req.scope_unit.as_deref().or(user.scope_unit.as_deref());
        checked_scope(store, who, role, scope).await?;
    }
    let password_hash = match req.password {
        Some(p) => Some(hash_password(p).await?),
        None => None,
    };
    let at = now();
    let disabling = req.disabled == Some(true);
    let sign_out = password_hash.is_some() || disabling;
    // A new password (set by someone who manages the account) also lifts a lockout.
    let unlock = password_hash.is_some();
    store
        .update_user(
            id,
            &UserUpdate {
                display_name: req.display_name.map(|n| n.trim().to_string()),
                phone: req.phone,
                password_hash,
                role: req.role.map(|r| r.as_str().to_string()),
                scope_unit: req.scope_unit,
                disabled: req.disabled,
            },
            at,
        )
        .await?;
    if sign_out {
        // A disabled account's phones delete their copy of the data; after a new password
        // they only sign in again.
        let reason = if disabling {
            "account disabled"
        } else {
            "password changed"
        };
        store
            .revoke_user_sessions(id, reason, disabling, at)
            .await?;
    }
    if unlock {
        store.clear_login_failures(id).await?;
    }
    get_user(store, who, id).await
}
