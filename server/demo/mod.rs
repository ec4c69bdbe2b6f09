//! Demo data. The pilot (`seed_pilot`): the five pilot communes of the province's results table
//! on the tree they were collected on (province, districts, communes), a few villages each, one
//! user of every role, and an assignment for the demo enumerator; the Rust tests use it as their
//! fixture. `serve --demo` adds survey data (`seed_survey`) and then applies the 2025 reform
//! (`seed_reform`), so what it serves is the tree as it stands now, the pilot's history folded
//! into the new communes.
//! The pilot's unit codes are illustrative, not the official statistical codes; the new
//! communes' codes are the statistical office's.

mod reform;
mod survey;

pub use reform::{seed_reform, REFORM_EFFECTIVE, REFORM_NAME};
pub use survey::seed_survey;

use crate::assignments::{create_assignment, NewAssignmentRequest};
use crate::auth::{Principal, Role};
use crate::error::Result;
use crate::store::Store;
use crate::units::import_units;
use crate::users::{create_user, NewUserRequest};

/// Password of every demo user.
pub const DEMO_PASSWORD: &str = "khaosat-demo";

const UNITS_CSV: &str = "code,name,level,parent_code
38,Tỉnh Thanh Hóa,province,
380,Thành phố Thanh Hóa,district,38
389,Huyện Thọ Xuân,district,38
393,Huyện Nga Sơn,district,38
394,Huyện Thiệu Hóa,district,38
400,Huyện Quảng Xương,district,38
38001,Phường Điện Biên,commune,380
38001.01,Tổ dân phố 1,village,38001
38001.02,Tổ dân phố 2,village,38001
38001.03,Tổ dân phố 3,village,38001
38901,Xã Tây Hồ,commune,389
38901.01,Thôn Phú Hậu,village,38901
38901.02,Thôn Phú Thượng,village,38901
38901.03,Thôn Tây Hồ,village,38901
39301,Xã Nga Liên,commune,393
39301.01,Thôn 1,village,39301
39301.02,Thôn 2,village,39301
39301.03,Thôn 3,village,39301
39301.04,Thôn 4,village,39301
39401,Xã Thiệu Trung,commune,394
39401.01,Thôn Chí Cường,village,39401
39401.02,Thôn Đồng Chí,village,39401
39401.03,Thôn Thái Lai,village,39401
40001,Xã Quảng Lưu,commune,400
40001.01,Thôn Bình Hòa,village,40001
40001.02,Thôn Đông Hải,village,40001
40001.03,Thôn Tân Thành,village,40001
";

/// The service account the demo survey is recorded under.
pub const SEED_USERNAME: &str = "demo-seed";

/// The pilot's accounts: (username, display name, role, scope unit on the former tree).
pub const DEMO_USERS: [(&str, &str, Role, Option<&str>); 6] = [
    ("demo-admin", "Quản trị hệ thống", Role::Admin, None),
    (
        "demo-province",
        "Sở TT&TT Thanh Hóa",
        Role::Province,
        Some("38"),
    ),
    (
        "demo-district",
        "Phòng VH-TT huyện Nga Sơn",
        Role::District,
        Some("393"),
    ),
    (
        "demo-commune",
        "Công chức VH-XH xã Nga Liên",
        Role::Commune,
        Some("39301"),
    ),
    (
        "demo-lead",
        "Tổ trưởng Tổ CNS xã Nga Liên",
        Role::TeamLead,
        Some("39301"),
    ),
    (
        "demo-enumerator",
        "Thành viên Tổ CNS Nga Liên",
        Role::Enumerator,
        Some("39301"),
    ),
];

/// Who seeds: the demo's service account, with every right, before it exists as a user.
fn system() -> Principal {
    Principal {
        user_id: 0,
        username: SEED_USERNAME.into(),
        role: Role::Admin,
        scope_unit: None,
        scope_path: "/".into(),
        session_id: String::new(),
        device_id: String::new(),
    }
}

/// Seeds the pilot as collected (the former tree, the accounts, an assignment) unless the
/// database already has users. Returns whether it seeded.
pub async fn seed_pilot(store: &Store) -> Result<bool> {
    if store.user_count().await? > 0 {
        return Ok(false);
    }
    let system = system();
    import_units(store, &system, UNITS_CSV.as_bytes(), false).await?;
    for (username, name, role, scope) in DEMO_USERS {
        create_user(
            store,
            &system,
            NewUserRequest {
                username: Some(username.into()),
                display_name: name.into(),
                password: Some(DEMO_PASSWORD.into()),
                role,
                scope_unit: scope.map(Into::into),
                phone: None,
                service: false,
            },
        )
        .await?;
    }
    // The account the demo's survey data is recorded under: not a person, so never a team
    // member; people see its display name in progress and history.
    create_user(
        store,
        &system,
        NewUserRequest {
            username: Some(SEED_USERNAME.into()),
            display_name: "Dữ liệu mẫu (tự động)".into(),
            password: None,
            role: Role::Admin,
            scope_unit: None,
            phone: None,
            service: true,
        },
    )
    .await?;
    let lead = store
        .user_by_username("demo-lead")
        .await?
        .ok_or_else(|| crate::error::Error::Internal("demo lead missing after seeding".into()))?;
    let lead = Principal {
        user_id: lead.id,
        username: lead.username,
        role: Role::TeamLead,
        scope_unit: lead.scope_unit,
        scope_path: lead.scope_path,
        session_id: String::new(),
        device_id: String::new(),
    };
    for village in ["39301.01", "39301.02"] {
        create_assignment(
            store,
            &lead,
            NewAssignmentRequest {
                village_code: village.into(),
                assignee: "demo-enumerator".into(),
                household_ids: None,
                due_date: None,
                note: Some("Khảo sát toàn bộ hộ gia đình".into()),
            },
        )
        .await?;
    }
    Ok(true)
}
