//! Members in bulk from a sheet (CSV or XLSX: name, phone, village): checked line by line and
//! previewed (dry run), then added all together or not at all, as enumerators of the commune,
//! each given the village on their line.

use std::collections::HashSet;

use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{hash_password, Principal, Role};
use crate::clock::now;
use crate::error::{Error, Result};
use crate::fold::fold as folded;
use crate::sheet::{read_table, SheetRow};
use crate::store::{NewMember, NewUser, Store, UnitFilter, UnitRow};
use crate::units::Level;
use crate::users::{checked_scope, free_username, unknown_password, valid_phone};

/// Most members one sheet may add (a commune's team is 20–40 people).
const MAX_MEMBERS: usize = 1_000;

/// What an import did, or would do in a dry run.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberImport {
    pub dry_run: bool,
    /// Members added (0 in a dry run).
    pub created: usize,
    pub rows: Vec<MemberImportRow>,
}

/// One member of the sheet, as they will be (or were) added.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberImportRow {
    /// The line in the sheet (its row number in a spreadsheet).
    pub line: u64,
    pub display_name: String,
    pub phone: Option<String>,
    /// Proposed from the name, unused in the database and in the sheet.
    pub username: String,
    pub village_code: Option<String>,
    pub village_name: Option<String>,
    /// The user id, once added.
    pub id: Option<i64>,
}

/// Which column holds what, from the header row (Vietnamese or English).
struct Columns {
    name: usize,
    phone: Option<usize>,
    village: Option<usize>,
}

fn columns(header: &SheetRow) -> Result<Columns> {
    let find = |names: &[&str]| {
        header
            .cells
            .iter()
            .position(|c| names.contains(&folded(c).as_str()))
    };
    let name = find(&[
        "ho va ten",
        "ho ten",
        "ten",
        "name",
        "display name",
        "full name",
    ]);
    let phone = find(&[
        "so dien thoai",
        "dien thoai",
        "sdt",
        "phone",
        "phone number",
    ]);
    let village = find(&["thon", "thon ban", "thon to", "village", "dia ban"]);
    let name = name.ok_or_else(|| {
        Error::bad_request(
            "the first line must name the columns: \"Họ và tên\" (or name), and optionally \
             \"Số điện thoại\" (phone) and \"Thôn\" (village)",
        )
    })?;
    Ok(Columns {
        name,
        phone,
        village,
    })
}

/// A phone number as typed: spaces, dots and dashes dropped; 9 digits get their leading 0 back
/// (a spreadsheet that stored the number as a number lost it).
fn normalize_phone(typed: &str) -> String {
    let digits: String = typed
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
        .collect();
    if digits.len() == 9 && digits.chars().all(|c| c.is_ascii_digit()) {
        format!("0{digits}")
    } else {
        digits
    }
}

/// The commune's village a cell names: its code, or its name with or without "Thôn"/"Bản"….
fn find_village<'a>(villages: &'a [UnitRow], cell: &str) -> Option<&'a UnitRow> {
    let wanted = folded(cell);
    let bare = |s: &str| {
        let f = folded(s);
        ["thon ", "ban ", "to dan pho ", "khu pho ", "xom ", "ap "]
            .iter()
            .find_map(|p| f.strip_prefix(p).map(str::to_string))
            .unwrap_or(f)
    };
    villages
        .iter()
        .find(|v| v.code == cell.trim() || folded(&v.name) == wanted || bare(&v.name) == bare(cell))
}

/// Checks every line and proposes usernames; with `dry_run` false, adds them all (or none).
pub async fn import_members(
    store: &Store,
    who: &Principal,
    commune_code: &str,
    data: &[u8],
    dry_run: bool,
) -> Result<MemberImport> {
    checked_scope(store, who, Role::Enumerator, Some(commune_code)).await?;
    let commune = store
        .unit(commune_code)
        .await?
        .filter(|u| Level::parse(&u.level) == Some(Level::Commune))
        .ok_or_else(|| {
            Error::bad_request(format!(
                "{commune_code} is not a commune: import members into a commune"
            ))
        })?;
    let villages: Vec<UnitRow> = store
        .units(&UnitFilter {
            under_path: None,
            parent: Some(&commune.code),
            level: None,
            include_inactive: false,
            limit: 10_000,
            offset: 0,
        })
        .await?;
    let table = read_table(data).map_err(|e| Error::bad_request(e.to_string()))?;
    let (header, lines) = table
        .split_first()
        .ok_or_else(|| Error::bad_request("the file is empty"))?;
    let cols = columns(header)?;
    if lines.len() > MAX_MEMBERS {
        return Err(Error::bad_request(format!(
            "{} members in one file: at most {MAX_MEMBERS}; split the file",
            lines.len()
        )));
    }
    let mut problems = Vec::new();
    let mut rows = Vec::with_capacity(lines.len());
    let mut proposed = HashSet::new();
    let mut phones = HashSet::new();
    for line in lines {
        let cell = |i: Option<usize>| {
            i.and_then(|i| line.cells.get(i))
                .map(|c| c.trim())
                .filter(|c| !c.is_empty())
        };
        let at = line.line;
        let Some(name) = cell(Some(cols.name)) else {
            problems.push(format!("line {at}: the name is empty"));
            continue;
        };
        if name.chars().count() > 120 {
            problems.push(format!("line {at}: the name is longer than 120 characters"));
            continue;
        }
        let phone = cell(cols.phone).map(normalize_phone);
        if let Some(p) = phone.as_deref() {
            if !valid_phone(p) {
                problems.push(format!(
                    "line {at}: phone '{p}' is not a Vietnamese number (0 or +84 followed by 9 digits)"
                ));
                continue;
            }
            if !phones.insert(p.to_string()) {
                problems.push(format!(
                    "line {at}: phone {p} is already on an earlier line"
                ));
                continue;
            }
        }
        let village = match cell(cols.village) {
            None => None,
            Some(v) => match find_village(&villages, v) {
                Some(found) => Some(found),
                None => {
                    problems.push(format!(
                        "line {at}: no village '{v}' in {}; the villages are: {}",
                        commune.name,
                        villages
                            .iter()
                            .map(|v| v.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                    continue;
                }
            },
        };
        let username = free_username(store, name, &proposed).await?;
        proposed.insert(username.clone());
        rows.push(MemberImportRow {
            line: at,
            display_name: name.to_string(),
            phone,
            username,
            village_code: village.map(|v| v.code.clone()),
            village_name: village.map(|v| v.name.clone()),
            id: None,
        });
    }
    if !problems.is_empty() {
        return Err(Error::Invalid {
            message: format!(
                "{} line(s) of the file have problems: nothing was imported; fix them and send the file again",
                problems.len()
            ),
            details: problems,
        });
    }
    if rows.is_empty() {
        return Err(Error::bad_request("the file has a header but no members"));
    }
    if dry_run {
        return Ok(MemberImport {
            dry_run,
            created: 0,
            rows,
        });
    }
    // One unknown password for the whole sheet: each member signs in with a one-time code.
    let hash = hash_password(unknown_password()).await?;
    let members: Vec<NewMember> = rows
        .iter()
        .map(|r| NewMember {
            user: NewUser {
                username: &r.username,
                display_name: &r.display_name,
                phone: r.phone.as_deref(),
                password_hash: &hash,
                role: Role::Enumerator.as_str(),
                scope_unit: Some(&commune.code),
                password_set: false,
                service: false,
            },
            village_code: r.village_code.as_deref(),
        })
        .collect();
    let ids = store
        .insert_members(
            &members,
            who.user_id,
            "Giao khi nhập danh sách thành viên",
            now(),
        )
        .await?;
    for (row, id) in rows.iter_mut().zip(&ids) {
        row.id = Some(*id);
    }
    tracing::info!(by = %who.username, commune = %commune.code, members = ids.len(), "members imported");
    Ok(MemberImport {
        dry_run,
        created: ids.len(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_and_headers_read_as_people_type_them() {
        assert_eq!(normalize_phone("0912 345 678"), "0912345678");
        assert_eq!(normalize_phone("912345678"), "0912345678");
        assert_eq!(normalize_phone("+84 912.345.678"), "+84912345678");
    }
}
