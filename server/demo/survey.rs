//! Demo survey data: households and people in every demo village, recorded through the same
//! path as a phone's edits, first as they stood at the campaign's baseline, then after the
//! teams helped people (so "before/after" shows something), plus the communes' declarations.

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{AutoCommit, ObjType, ScalarValue};

use crate::clock::{now, vietnam_date};
use crate::error::{Error, Result};
use crate::store::{NewCampaignRow, NewDeclared, Store, UnitFilter};
use crate::survey::read::households_obj;
use crate::survey::schema::{self, PERSON_FLAGS};
use crate::sync::documents::ensure_village_document;
use crate::sync::SyncHub;
use crate::sync::Uploader;

const DAY: i64 = 24 * 3600;

const FAMILY: [&str; 8] = ["Nguyễn", "Lê", "Trần", "Phạm", "Hoàng", "Mai", "Đỗ", "Vũ"];
const MIDDLE_M: [&str; 4] = ["Văn", "Đức", "Hữu", "Minh"];
const MIDDLE_F: [&str; 4] = ["Thị", "Thị", "Ngọc", "Thu"];
const GIVEN_M: [&str; 8] = ["Đức", "Nam", "Tùng", "Hùng", "Long", "Quang", "Bình", "An"];
const GIVEN_F: [&str; 8] = ["Hoa", "Mai", "Lan", "Hương", "Thảo", "Hà", "Linh", "Nga"];

/// A small deterministic generator (the demo is the same on every machine).
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn name(d: &mut Dice, male: bool) -> String {
    let family = FAMILY[d.below(8) as usize];
    let (middle, given) = if male {
        (MIDDLE_M[d.below(4) as usize], GIVEN_M[d.below(8) as usize])
    } else {
        (MIDDLE_F[d.below(4) as usize], GIVEN_F[d.below(8) as usize])
    };
    format!("{family} {middle} {given}")
}

fn text(s: &str) -> ScalarValue {
    ScalarValue::Str(s.into())
}

/// Writes `count` households with answers at the "before" level.
fn baseline_households(
    doc: &mut AutoCommit,
    village: &str,
    count: u64,
    by: &str,
    at_ms: i64,
) -> std::result::Result<(), automerge::AutomergeError> {
    let root = match households_obj(doc) {
        Some(o) => o,
        None => doc.put_object(automerge::ROOT, schema::HOUSEHOLDS, ObjType::Map)?,
    };
    let mut d = Dice(village.bytes().fold(7, |h, b| h * 31 + u64::from(b)));
    for i in 0..count {
        let id = uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_OID,
            format!("demo/{village}/{i}").as_bytes(),
        )
        .to_string();
        let h = doc.put_object(&root, &id, ObjType::Map)?;
        let male_head = d.chance(60);
        let head = name(&mut d, male_head);
        doc.put(&h, "head_name", text(&head))?;
        doc.put(
            &h,
            "address",
            text(&format!("Số {}, xóm {}", 1 + d.below(90), 1 + d.below(6))),
        )?;
        doc.put(&h, "created_at", at_ms)?;
        doc.put(&h, "created_by", text(by))?;
        doc.put(&h, "pays_electricity_cashless", d.chance(35))?;
        doc.put(&h, "has_business", d.chance(20))?;
        let persons = doc.put_object(&h, schema::PERSONS, ObjType::Map)?;
        for p in 0..(2 + d.below(3)) {
            let pid = uuid::Uuid::new_v5(
                &uuid::Uuid::NAMESPACE_OID,
                format!("demo/{village}/{i}/{p}").as_bytes(),
            )
            .to_string();
            let person = doc.put_object(&persons, &pid, ObjType::Map)?;
            let male = d.chance(50);
            let full = if p == 0 {
                head.clone()
            } else {
                name(&mut d, male)
            };
            doc.put(&person, "full_name", text(&full))?;
            doc.put(&person, "birth_year", 1945 + d.below(62) as i64)?;
            doc.put(&person, "sex", text(if male { "male" } else { "female" }))?;
            let smartphone = d.chance(55);
            for flag in PERSON_FLAGS {
                let yes = match flag {
                    "has_cccd" | "has_phone" => d.chance(95),
                    "has_smartphone" => smartphone,
                    "own_sim" => d.chance(70),
                    "has_cyber_safety_app" => smartphone && d.chance(25),
                    "has_payment_account" => d.chance(45),
                    "has_e_signature" => d.chance(5),
                    _ => d.chance(30),
                };
                doc.put(&person, flag, yes)?;
            }
            doc.put(&person, "vneid_level", if d.chance(50) { 2 } else { 0 })?;
        }
        let visits = doc.put_object(&h, schema::VISITS, ObjType::Map)?;
        let visit = doc.put_object(&visits, "demo-baseline", ObjType::Map)?;
        doc.put(&visit, "at", at_ms)?;
        doc.put(&visit, "by", text(by))?;
        doc.put(&visit, "outcome", text("surveyed"))?;
    }
    Ok(())
}

/// After the teams' work: more people with accounts, apps and signatures, one household after
/// another between `from` and `to` (Unix seconds: the phone's clock on each change).
fn helped(
    doc: &mut AutoCommit,
    village: &str,
    from: i64,
    to: i64,
) -> std::result::Result<(), automerge::AutomergeError> {
    let Some(root) = households_obj(doc) else {
        return Ok(());
    };
    let mut d = Dice(village.bytes().fold(11, |h, b| h * 37 + u64::from(b)));
    let households: Vec<String> = automerge::ReadDoc::keys(doc, &root).collect();
    let n = households.len().max(1) as i64;
    for (k, hid) in households.into_iter().enumerate() {
        doc.commit_with(CommitOptions::default().with_time(from + (to - from) * k as i64 / n));
        let Some((_, h)) = automerge::ReadDoc::get(doc, &root, &hid)? else {
            continue;
        };
        if d.chance(70) {
            doc.put(&h, "pays_electricity_cashless", true)?;
        }
        let Some((_, persons)) = automerge::ReadDoc::get(doc, &h, schema::PERSONS)? else {
            continue;
        };
        let ids: Vec<String> = automerge::ReadDoc::keys(doc, &persons).collect();
        for pid in ids {
            let Some((_, p)) = automerge::ReadDoc::get(doc, &persons, &pid)? else {
                continue;
            };
            for (flag, percent) in [
                ("has_smartphone", 60),
                ("has_payment_account", 65),
                ("has_e_signature", 45),
                ("has_cyber_safety_app", 70),
                ("trained_digital_skills", 80),
                ("uses_digital_platform", 70),
                ("used_online_service_eid", 60),
            ] {
                if d.chance(percent) {
                    doc.put(&p, flag, true)?;
                }
            }
            if d.chance(75) {
                doc.put(&p, "vneid_level", 2)?;
            }
        }
    }
    doc.commit_with(CommitOptions::default().with_time(to));
    Ok(())
}

/// Seeds survey data in every demo village and the communes' declarations.
pub async fn seed_survey(store: &Store, hub: &SyncHub) -> Result<()> {
    let at = now();
    // Recorded by the phones' clocks, like any phone's work synced later: the baseline survey
    // 30 days ago, the teams' help over the days since (the server files each change under
    // the day it was observed, see `sync::observed`).
    let baseline_at = at - 30 * DAY;
    let baseline_day = vietnam_date(baseline_at).0;
    let villages = store
        .units(&UnitFilter {
            level: Some("village"),
            limit: 10_000,
            ..Default::default()
        })
        .await?;
    // Absent when the accounts were not seeded (the survey alone on an existing database).
    let seed_account = store
        .user_by_username(super::SEED_USERNAME)
        .await?
        .map(|u| u.id);
    let uploader = Uploader {
        user_id: seed_account,
        username: Some(super::SEED_USERNAME),
        device_id: None,
    };
    for v in &villages {
        let row = ensure_village_document(store, &v.code).await?;
        let count = 10 + (v.code.len() as u64 % 5) * 2;
        hub.edit(&row, uploader, |doc| {
            baseline_households(
                doc,
                &v.code,
                count,
                super::SEED_USERNAME,
                baseline_at * 1000,
            )?;
            doc.commit_with(CommitOptions::default().with_time(baseline_at));
            Ok(true)
        })
        .await
        .map_err(Error::from)?;
    }
    for v in &villages {
        let row = ensure_village_document(store, &v.code).await?;
        hub.edit(&row, uploader, |doc| {
            helped(doc, &v.code, baseline_at + DAY, at - DAY).map(|()| true)
        })
        .await
        .map_err(Error::from)?;
    }
    store
        .insert_campaign(
            &NewCampaignRow {
                name: "Thí điểm mô hình \"3 KHÔNG\"",
                baseline_date: &baseline_day,
                start_date: Some(&baseline_day),
                end_date: None,
                // The plans' rhythm: the commune reports to the district by Friday 15:00.
                report_weekday: 5,
                report_time: "15:00",
            },
            at,
        )
        .await?;
    let communes = store
        .units(&UnitFilter {
            level: Some("commune"),
            limit: 1000,
            ..Default::default()
        })
        .await?;
    let today = vietnam_date(at).0;
    for (i, c) in communes.iter().enumerate() {
        let officials = 18 + i as i64;
        for (indicator, numerator, denominator) in [
            (1, officials, officials),
            (2, officials - 1, officials),
            (3, 97, 100),
            (4, officials, officials),
            (5, 88, 100),
            (12, 9, 12),
            (16, 3, 4),
        ] {
            // One commune has no public Wi-Fi point yet: a status, as the province's table
            // writes it ("Chưa có"), not numbers.
            let status = (i == 0 && indicator == 16).then_some("not_yet");
            store
                .insert_declared(
                    &NewDeclared {
                        unit_code: &c.code,
                        indicator_id: indicator,
                        numerator: if status.is_some() { 0 } else { numerator },
                        denominator: if status.is_some() { 0 } else { denominator },
                        value_date: &today,
                        note: Some("Số liệu minh họa"),
                        status,
                        entered_by: super::SEED_USERNAME,
                    },
                    at,
                )
                .await?;
        }
    }
    Ok(())
}
