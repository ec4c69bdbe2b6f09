//! The authenticated caller and the scope policy: a unit is visible when it lies in the subtree
//! of the caller's scope unit; managing another user needs a higher role over their scope.

use crate::auth::Role;
use crate::error::{Error, Result};

/// The user behind a request, loaded fresh from the database on every request so that a
/// revoked session, a disabled account or a changed scope takes effect at once.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub scope_unit: Option<String>,
    /// Materialised path of the scope unit; '/' covers the whole tree.
    pub scope_path: String,
    pub session_id: String,
    /// The device the session was opened on (empty for the command line and seeding).
    pub device_id: String,
}

impl Principal {
    /// Whether a unit (given by its path) lies in this caller's subtree.
    pub fn covers(&self, unit_path: &str) -> bool {
        self.role == Role::Admin || unit_path.starts_with(&self.scope_path)
    }

    /// The subtree this caller may read (admin: everything).
    pub fn visible_path(&self) -> &str {
        if self.role == Role::Admin {
            "/"
        } else {
            &self.scope_path
        }
    }

    pub fn require_role(&self, min: Role, action: &str) -> Result<()> {
        if self.role >= min {
            Ok(())
        } else {
            Err(Error::forbidden(format!(
                "{action} needs the role {} or higher; you are {}",
                min.as_str(),
                self.role.as_str()
            )))
        }
    }

    /// Whether this caller may create, change or cut off a user with `role` scoped at `path`:
    /// only a strictly higher role, over a scope inside its own (team leads manage enumerators).
    pub fn can_manage(&self, role: Role, path: &str) -> bool {
        if self.role == Role::Admin {
            return true;
        }
        self.role >= Role::TeamLead && role < self.role && self.covers(path)
    }
}
