//! The workload: survey data as the PWA writes it (docs/SCHEMA.md), generated from a seed.

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{AutoCommit, AutomergeError, ObjId, ObjType, ReadDoc, ScalarValue, Value};
use khaosat::survey::schema;
use rand::rngs::StdRng;
use rand::Rng;

use crate::args::Commits;

const FAMILY_NAMES: [&str; 8] = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Mai", "Vũ", "Đỗ"];
const MIDDLE_NAMES: [&str; 6] = ["Văn", "Thị", "Đức", "Minh", "Ngọc", "Hữu"];
const GIVEN_NAMES: [&str; 10] = [
    "An", "Bình", "Cường", "Dung", "Hà", "Hùng", "Lan", "Nam", "Thảo", "Tuấn",
];

fn pick<'a>(rng: &mut StdRng, from: &[&'a str]) -> &'a str {
    from[rng.gen_range(0..from.len())]
}

fn full_name(rng: &mut StdRng) -> String {
    format!(
        "{} {} {}",
        pick(rng, &FAMILY_NAMES),
        pick(rng, &MIDDLE_NAMES),
        pick(rng, &GIVEN_NAMES)
    )
}

/// A lower-case hyphenated UUID, as the phone makes it (from the seeded generator).
pub fn new_id(rng: &mut StdRng) -> String {
    uuid::Builder::from_random_bytes(rng.gen())
        .into_uuid()
        .hyphenated()
        .to_string()
}

/// Writes survey records into a village document (strings as immutable strings, times in ms),
/// committing as `commits` says.
pub struct Recorder<'a> {
    pub doc: &'a mut AutoCommit,
    pub commits: Commits,
    pub now_ms: i64,
}

impl Recorder<'_> {
    fn str(&mut self, obj: &ObjId, key: &str, value: &str) -> Result<(), AutomergeError> {
        self.doc.put(obj, key, ScalarValue::Str(value.into()))
    }

    fn commit(&mut self) {
        // Change times are in seconds, like the JS client's.
        let options = CommitOptions::default().with_time(self.now_ms / 1000);
        self.doc.commit_with(options);
    }

    /// The enumerator answered one question.
    fn answered(&mut self) {
        if self.commits == Commits::Field {
            self.commit();
        }
    }

    /// The enumerator finished a form (nothing to commit if every answer already was).
    fn saved(&mut self) {
        self.commit();
    }

    /// Records one household with `persons` members and one visit, in the order the PWA asks:
    /// the new-household form, its checklist, each person, then the visit.
    pub fn household(
        &mut self,
        households: &ObjId,
        rng: &mut StdRng,
        username: &str,
        persons: u32,
    ) -> Result<(), AutomergeError> {
        let now_ms = self.now_ms;
        let h = self.doc.put_object(households, new_id(rng), ObjType::Map)?;
        self.str(&h, "head_name", &full_name(rng))?;
        let address = format!("Số {}, xóm {}", rng.gen_range(1..300), rng.gen_range(1..12));
        self.str(&h, "address", &address)?;
        self.str(&h, "phone", &phone_number(rng))?;
        self.doc.put(&h, "created_at", ScalarValue::Int(now_ms))?;
        self.str(&h, "created_by", username)?;
        let members = self.doc.put_object(&h, schema::PERSONS, ObjType::Map)?;
        let visits = self.doc.put_object(&h, schema::VISITS, ObjType::Map)?;
        self.answered();
        for flag in schema::HOUSEHOLD_FLAGS {
            self.doc.put(&h, flag, rng.gen_bool(0.5))?;
            self.answered();
        }
        self.saved();

        for _ in 0..persons {
            let p = self.doc.put_object(&members, new_id(rng), ObjType::Map)?;
            self.str(&p, "full_name", &full_name(rng))?;
            let birth_year = ScalarValue::Int(rng.gen_range(1940..2011));
            self.doc.put(&p, "birth_year", birth_year)?;
            self.answered();
            self.str(&p, "sex", pick(rng, &schema::SEXES))?;
            self.answered();
            let cccd = format!("038{:09}", rng.gen_range(0..1_000_000_000u64));
            self.str(&p, "cccd", &cccd)?;
            self.answered();
            self.str(&p, "phone", &phone_number(rng))?;
            self.answered();
            let vneid = ScalarValue::Int(rng.gen_range(0..3));
            self.doc.put(&p, "vneid_level", vneid)?;
            self.answered();
            for flag in schema::PERSON_FLAGS {
                self.doc.put(&p, flag, rng.gen_bool(0.6))?;
                self.answered();
            }
            self.saved();
        }

        let v = self.doc.put_object(&visits, new_id(rng), ObjType::Map)?;
        self.doc.put(&v, "at", ScalarValue::Int(now_ms))?;
        self.str(&v, "by", username)?;
        // Most visits find someone home.
        let outcome = if rng.gen_bool(0.8) {
            "surveyed"
        } else {
            pick(rng, &schema::VISIT_OUTCOMES)
        };
        self.str(&v, "outcome", outcome)?;
        let helped = self.doc.put_object(&v, "helped", ObjType::Map)?;
        self.answered();
        for item in schema::HELPED_WITH {
            if rng.gen_bool(0.3) {
                self.doc.put(&helped, item, true)?;
                self.answered();
            }
        }
        self.str(
            &v,
            "note",
            "Đã hướng dẫn cài đặt VNeID và ứng dụng của tỉnh",
        )?;
        self.saved();
        Ok(())
    }
}

fn phone_number(rng: &mut StdRng) -> String {
    format!("09{:08}", rng.gen_range(0..100_000_000))
}

pub fn now_ms() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
}

/// The `households` map of a village document.
pub fn households_map(doc: &AutoCommit) -> Result<ObjId, String> {
    match doc.get(automerge::ROOT, schema::HOUSEHOLDS) {
        Ok(Some((Value::Object(ObjType::Map), id))) => Ok(id),
        other => Err(format!("the document has no households map: {other:?}")),
    }
}

/// Records `count` households, one after another.
pub fn record(
    doc: &mut AutoCommit,
    commits: Commits,
    rng: &mut StdRng,
    username: &str,
    count: u32,
    persons: u32,
) -> Result<(), String> {
    let households = households_map(doc)?;
    let mut recorder = Recorder {
        doc,
        commits,
        now_ms: now_ms(),
    };
    for _ in 0..count {
        recorder
            .household(&households, rng, username, persons)
            .map_err(|e| format!("recording a household: {e}"))?;
    }
    Ok(())
}

/// Makes `count` edits to households of the document, one committed change each: a corrected
/// phone number or a changed yes/no answer, on a household picked at random.
pub fn edit(doc: &mut AutoCommit, rng: &mut StdRng, count: u32) -> Result<(), String> {
    let households = households_map(doc)?;
    let ids: Vec<String> = doc.keys(&households).collect();
    if ids.is_empty() || count == 0 {
        return Ok(());
    }
    let now_s = now_ms() / 1000;
    for _ in 0..count {
        // Writing the value a field already has is no change: pick again until it is one.
        for _ in 0..32 {
            let id = &ids[rng.gen_range(0..ids.len())];
            let h = match doc.get(&households, id.as_str()) {
                Ok(Some((Value::Object(ObjType::Map), h))) => h,
                other => return Err(format!("household {id}: {other:?}")),
            };
            let result = if rng.gen_bool(0.5) {
                doc.put(&h, "phone", ScalarValue::Str(phone_number(rng).into()))
            } else {
                let flag = schema::HOUSEHOLD_FLAGS[rng.gen_range(0..schema::HOUSEHOLD_FLAGS.len())];
                doc.put(&h, flag, rng.gen_bool(0.5))
            };
            result.map_err(|e| format!("editing household {id}: {e}"))?;
            if doc.pending_ops() > 0 {
                break;
            }
        }
        doc.commit_with(CommitOptions::default().with_time(now_s));
    }
    Ok(())
}
