//! The six roles, ordered by how far up the tree they manage.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Tổ công nghệ số member: surveys the villages or households assigned to them.
    Enumerator,
    /// Tổ trưởng: splits villages among members and follows progress.
    TeamLead,
    /// Commune officer (công chức Văn hóa – Xã hội).
    Commune,
    /// District office (phòng Văn hóa và Thông tin).
    District,
    /// Province (Sở Thông tin và Truyền thông).
    Province,
    /// Runs the system: units, users, everything.
    Admin,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Enumerator,
        Role::TeamLead,
        Role::Commune,
        Role::District,
        Role::Province,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Enumerator => "enumerator",
            Role::TeamLead => "team_lead",
            Role::Commune => "commune",
            Role::District => "district",
            Role::Province => "province",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}
