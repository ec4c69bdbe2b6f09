//! The served demo after the 2025 reform (Resolution 1686/NQ-UBTVQH15, in force 1 July 2025):
//! each pilot commune, collected on the former tree, goes whole into the commune that took it,
//! through the same reform path a province uses, so the demo shows the tree as it stands now
//! (Thanh Hóa → communes → villages) with the pilot's villages, documents, declarations and
//! staff under the new communes.

use crate::error::{Error, Result};
use crate::store::Store;
use crate::units::reform::{apply_reform, ReformParams};
use crate::users::{update_user, UpdateUserRequest};

/// The act that decided the reform.
pub const REFORM_NAME: &str = "1686/NQ-UBTVQH15";

/// The first day of the new tree.
pub const REFORM_EFFECTIVE: &str = "2025-07-01";

/// Where each pilot commune went: its new commune's code and name as the statistical office
/// lists them. Only the pilot's five rows: the demo has no other communes.
const MAPPING_CSV: &str = "\
old_commune_code,old_commune_name,new_commune_code,new_commune_name,share
38001,Phường Điện Biên,14797,Phường Hạc Thành,full
38901,Xã Tây Hồ,15505,Xã Thọ Long,full
39301,Xã Nga Liên,16138,Xã Hồ Vương,full
39401,Xã Thiệu Trung,15835,Xã Thiệu Trung,full
40001,Xã Quảng Lưu,16543,Xã Quảng Bình,full
";

/// The pilot's district officer: the reform retires every district, so the account has no
/// area left.
const DISTRICT_ACCOUNT: &str = "demo-district";

/// Applies the reform to the seeded pilot. The districts it empties are retired and the commune
/// staff follow their commune by the reform itself; the district officer's account, left
/// without an area, is then disabled, as a province would after the reform (its record and
/// the reform's note of it stay).
pub async fn seed_reform(store: &Store) -> Result<()> {
    let system = super::system();
    let params = ReformParams {
        effective: REFORM_EFFECTIVE.into(),
        name: REFORM_NAME.into(),
    };
    apply_reform(store, &system, MAPPING_CSV.as_bytes(), &params).await?;
    let district = store
        .user_by_username(DISTRICT_ACCOUNT)
        .await?
        .ok_or_else(|| Error::Internal(format!("{DISTRICT_ACCOUNT} missing after seeding")))?;
    update_user(
        store,
        &system,
        district.id,
        UpdateUserRequest {
            disabled: Some(true),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}
