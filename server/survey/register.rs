//! Importing a commune's existing household register (CSV) into the village documents, so a
//! team starts from the commune's list. One row per member:
//! `village_code,head_name,address,member_name,birth_year` (a row without a member adds the
//! household alone). Ids are derived from the content, so a re-import adds nothing twice and
//! never overwrites what enumerators recorded.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, AutomergeError, ObjType, ReadDoc, ScalarValue};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Principal, Role};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::survey::read::households_obj;
use crate::survey::schema;
use crate::sync::documents::ensure_village_document;
use crate::sync::SyncHub;
use crate::sync::Uploader;

/// Fixed namespace of the v5 UUIDs the import makes.
const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6b68_616f_7361_7400_8000_0000_0000_0001);

/// Youngest age surveyed: younger members are not imported.
const MIN_AGE: i64 = 15;

#[derive(Debug, Clone, PartialEq)]
pub struct RegisterHousehold {
    pub id: String,
    pub head_name: String,
    pub address: String,
    /// (person id, full name, birth year)
    pub persons: Vec<(String, String, i64)>,
}

/// What an import did.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct RegisterReport {
    pub households_created: usize,
    pub persons_created: usize,
    /// Households already in the documents (from an earlier import), left as they are.
    pub households_unchanged: usize,
    /// Members younger than 15, not surveyed.
    pub persons_under_15: usize,
}

fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn id_of(parts: &[&str]) -> String {
    uuid::Uuid::new_v5(&NAMESPACE, parts.join("\u{1f}").as_bytes()).to_string()
}

/// A parsed register: households per village code.
#[derive(Debug)]
pub struct ParsedRegister {
    pub villages: BTreeMap<String, Vec<RegisterHousehold>>,
    /// Members left out for being younger than 15.
    pub under_15: usize,
}

/// Parses the register; returns households per village, or every problem with its line.
pub fn parse_register(
    data: &[u8],
    this_year: i64,
) -> std::result::Result<ParsedRegister, Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(data);
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').to_lowercase())
            .collect(),
        Err(e) => return Err(vec![format!("line 1: cannot read the header: {e}")]),
    };
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(c_village), Some(c_head), Some(c_address)) =
        (col("village_code"), col("head_name"), col("address"))
    else {
        return Err(vec![format!(
            "line 1: the header must name the columns village_code,head_name,address,member_name,birth_year (found: {})",
            headers.join(",")
        )]);
    };
    let (c_member, c_year) = (col("member_name"), col("birth_year"));
    let mut errors = Vec::new();
    let mut villages: BTreeMap<String, BTreeMap<String, RegisterHousehold>> = BTreeMap::new();
    let mut under_15 = 0;
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!(
                    "line {}: unreadable CSV: {e}",
                    e.position().map_or(0, |p| p.line())
                ));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        let field = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("").to_string();
        let (village, head, address) = (
            field(Some(c_village)),
            field(Some(c_head)),
            field(Some(c_address)),
        );
        let (member, year_text) = (field(c_member), field(c_year));
        let mut problems = Vec::new();
        if village.is_empty() {
            problems.push("village_code is empty".to_string());
        }
        if head.is_empty() {
            problems.push("head_name is empty".to_string());
        }
        let year = if year_text.is_empty() {
            None
        } else {
            match year_text.parse::<i64>() {
                Ok(y) if (1900..=this_year).contains(&y) => Some(y),
                _ => {
                    problems.push(format!(
                        "birth_year '{year_text}' is not a year between 1900 and {this_year}"
                    ));
                    None
                }
            }
        };
        if !member.is_empty() && year.is_none() && problems.is_empty() {
            problems.push(format!("member {member} needs a birth_year"));
        }
        if member.is_empty() && year.is_some() {
            problems.push("birth_year given without member_name".to_string());
        }
        if !problems.is_empty() {
            errors.push(format!("line {line}: {}", problems.join("; ")));
            continue;
        }
        let household_id = id_of(&[&village, &norm(&head), &norm(&address)]);
        let household = villages
            .entry(village.clone())
            .or_default()
            .entry(household_id.clone())
            .or_insert_with(|| RegisterHousehold {
                id: household_id.clone(),
                head_name: head,
                address,
                persons: Vec::new(),
            });
        if let (false, Some(y)) = (member.is_empty(), year) {
            if this_year - y < MIN_AGE {
                under_15 += 1;
                continue;
            }
            let pid = id_of(&[&household_id, &norm(&member), &y.to_string()]);
            if !household.persons.iter().any(|(id, _, _)| *id == pid) {
                household.persons.push((pid, member, y));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if villages.is_empty() {
        return Err(vec![
            "the file has no households: after the header, give one member per line".into(),
        ]);
    }
    Ok(ParsedRegister {
        villages: villages
            .into_iter()
            .map(|(v, hs)| (v, hs.into_values().collect()))
            .collect(),
        under_15,
    })
}

/// Writes the households a document does not have yet; returns (households, persons) created.
pub fn write_households(
    doc: &mut AutoCommit,
    households: &[RegisterHousehold],
    by: &str,
    now_ms: i64,
) -> std::result::Result<(usize, usize), AutomergeError> {
    let root = match households_obj(doc) {
        Some(obj) => obj,
        None => doc.put_object(automerge::ROOT, schema::HOUSEHOLDS, ObjType::Map)?,
    };
    let (mut created, mut persons) = (0, 0);
    for h in households {
        if doc.get(&root, &h.id)?.is_some() {
            continue;
        }
        let obj = doc.put_object(&root, &h.id, ObjType::Map)?;
        doc.put(
            &obj,
            "head_name",
            ScalarValue::Str(h.head_name.as_str().into()),
        )?;
        doc.put(&obj, "address", ScalarValue::Str(h.address.as_str().into()))?;
        doc.put(&obj, "created_at", now_ms)?;
        doc.put(&obj, "created_by", ScalarValue::Str(by.into()))?;
        let people = doc.put_object(&obj, schema::PERSONS, ObjType::Map)?;
        doc.put_object(&obj, schema::VISITS, ObjType::Map)?;
        for (pid, name, year) in &h.persons {
            let p = doc.put_object(&people, pid, ObjType::Map)?;
            doc.put(&p, "full_name", ScalarValue::Str(name.as_str().into()))?;
            doc.put(&p, "birth_year", *year)?;
            persons += 1;
        }
        created += 1;
    }
    Ok((created, persons))
}

/// Imports a register for villages in the caller's area (team lead, commune officer, admin).
pub async fn import_register(
    store: &Store,
    hub: &SyncHub,
    who: &Principal,
    csv: &[u8],
) -> Result<RegisterReport> {
    if !matches!(who.role, Role::TeamLead | Role::Commune | Role::Admin) {
        return Err(Error::forbidden(
            "importing a household register needs a team lead, commune officer or admin",
        ));
    }
    let now = time::OffsetDateTime::now_utc();
    let invalid = |details: Vec<String>| Error::Invalid {
        message: format!(
            "{} problem(s) in the register; nothing was imported",
            details.len()
        ),
        details,
    };
    let ParsedRegister { villages, under_15 } =
        parse_register(csv, i64::from(now.year())).map_err(invalid)?;
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    for village in villages.keys() {
        match store.unit(village).await? {
            Some(u) if u.level == "village" && u.status == "active" && who.covers(&u.path) => {
                rows.push(u.code)
            }
            _ => problems.push(format!(
                "village {village} is not an active village in your area"
            )),
        }
    }
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    let mut report = RegisterReport {
        persons_under_15: under_15,
        ..Default::default()
    };
    let uploader = Uploader {
        user_id: Some(who.user_id),
        username: Some(&who.username),
        device_id: None,
    };
    let now_ms = now.unix_timestamp() * 1000;
    for (code, households) in rows.iter().zip(villages.values()) {
        let row = ensure_village_document(store, code).await?;
        let mut counts = (0, 0);
        hub.edit(&row, uploader, |doc| {
            counts = write_households(doc, households, &who.username, now_ms)?;
            Ok(counts.0 > 0)
        })
        .await?;
        report.households_created += counts.0;
        report.persons_created += counts.1;
        report.households_unchanged += households.len() - counts.0;
    }
    Ok(report)
}
