//! Importing a commune's existing household register (CSV) into the village documents, so a
//! team starts from the commune's list. One row per member:
//! `village_code,head_name,address,member_name,birth_year` (a row without a member adds the
//! household alone). Ids are derived from the content, so a re-import adds nothing twice and
//! never overwrites what enumerators recorded.
//!
//! A commune's register can be tens of MiB: it is read as a stream of records and each village's
//! households are kept compactly (one text arena, 128-bit ids), never as the whole file of
//! strings. The import job (`households::import`) runs the parse and the writes off the request.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::ops::Range;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, AutomergeError, ObjType, ReadDoc, ScalarValue};
use serde::Serialize;
use utoipa::ToSchema;

use crate::survey::read::households_obj;
use crate::survey::schema;

/// Fixed namespace of the v5 UUIDs the import makes.
const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6b68_616f_7361_7400_8000_0000_0000_0001);

/// Youngest age surveyed: younger members are not imported.
const MIN_AGE: i64 = 15;

/// Problems kept word for word; beyond this only their number is (a wrong file can have a
/// problem on each of its million lines).
pub const MAX_PROBLEMS: usize = 100;

/// What an import did.
#[derive(Debug, Default, Clone, Serialize, ToSchema, PartialEq)]
pub struct RegisterReport {
    pub households_created: usize,
    pub persons_created: usize,
    /// Households already in the documents (from an earlier import), left as they are.
    pub households_unchanged: usize,
    /// Members younger than 15, not surveyed.
    pub persons_under_15: usize,
}

/// Why a register was refused: the first `MAX_PROBLEMS` problems (with their line) and how
/// many there are in all.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Problems {
    pub details: Vec<String>,
    pub total: usize,
}

impl Problems {
    pub fn push(&mut self, problem: String) {
        if self.details.len() < MAX_PROBLEMS {
            self.details.push(problem);
        }
        self.total += 1;
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    fn one(problem: String) -> Self {
        let mut p = Problems::default();
        p.push(problem);
        p
    }
}

fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn id_of(parts: &[&str]) -> uuid::Uuid {
    uuid::Uuid::new_v5(&NAMESPACE, parts.join("\u{1f}").as_bytes())
}

struct HouseholdEntry {
    id: u128,
    head: Range<usize>,
    address: Range<usize>,
    /// Members, as a range of `VillageHouseholds::persons` (set when parsing ends).
    persons: Range<usize>,
}

struct PersonEntry {
    household: usize,
    id: u128,
    name: Range<usize>,
    year: i64,
}

/// One village's households: every text in one arena and ids as numbers, so a village of
/// 17,000 households costs a few MiB and a handful of allocations (freed at once when written).
#[derive(Default)]
pub struct VillageHouseholds {
    text: String,
    households: Vec<HouseholdEntry>,
    persons: Vec<PersonEntry>,
    /// Household id → index, while parsing.
    index: HashMap<u128, usize>,
}

impl VillageHouseholds {
    pub fn len(&self) -> usize {
        self.households.len()
    }

    pub fn is_empty(&self) -> bool {
        self.households.is_empty()
    }

    fn keep(&mut self, s: &str) -> Range<usize> {
        let start = self.text.len();
        self.text.push_str(s);
        start..self.text.len()
    }

    fn add(&mut self, village: &str, head: &str, address: &str, member: Option<(&str, i64)>) {
        let id = id_of(&[village, &norm(head), &norm(address)]);
        let household = match self.index.get(&id.as_u128()) {
            Some(&i) => i,
            None => {
                let (head, address) = (self.keep(head), self.keep(address));
                self.households.push(HouseholdEntry {
                    id: id.as_u128(),
                    head,
                    address,
                    persons: 0..0,
                });
                self.index.insert(id.as_u128(), self.households.len() - 1);
                self.households.len() - 1
            }
        };
        if let Some((name, year)) = member {
            let pid = id_of(&[&id.to_string(), &norm(name), &year.to_string()]);
            let name = self.keep(name);
            self.persons.push(PersonEntry {
                household,
                id: pid.as_u128(),
                name,
                year,
            });
        }
    }

    /// Groups members by household (dropping a member listed twice) once every line is read.
    fn finish(&mut self) {
        self.index = HashMap::new();
        self.persons.sort_by_key(|p| (p.household, p.id));
        self.persons.dedup_by_key(|p| (p.household, p.id));
        let mut start = 0;
        for (i, h) in self.households.iter_mut().enumerate() {
            let end = start + self.persons[start..].partition_point(|p| p.household == i);
            h.persons = start..end;
            start = end;
        }
        self.text.shrink_to_fit();
        self.persons.shrink_to_fit();
        self.households.shrink_to_fit();
    }
}

/// A parsed register: households per village code.
#[derive(Default)]
pub struct ParsedRegister {
    pub villages: BTreeMap<String, VillageHouseholds>,
    /// Members left out for being younger than 15.
    pub under_15: usize,
    /// Lines read, the header included.
    pub lines: u64,
}

/// How far a parse has got, for progress reports.
#[derive(Debug, Clone, Copy)]
pub struct ParseProgress {
    pub lines: u64,
    pub bytes: u64,
}

struct Columns {
    village: usize,
    head: usize,
    address: usize,
    member: Option<usize>,
    year: Option<usize>,
}

fn csv_reader<R: Read>(input: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(input)
}

fn columns<R: Read>(reader: &mut csv::Reader<R>) -> Result<Columns, Problems> {
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').to_lowercase())
            .collect(),
        Err(e) => {
            return Err(Problems::one(format!(
                "line 1: cannot read the header: {e}"
            )))
        }
    };
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(village), Some(head), Some(address)) =
        (col("village_code"), col("head_name"), col("address"))
    else {
        return Err(Problems::one(format!(
            "line 1: the header must name the columns village_code,head_name,address,member_name,birth_year (found: {})",
            headers.join(",")
        )));
    };
    Ok(Columns {
        village,
        head,
        address,
        member: col("member_name"),
        year: col("birth_year"),
    })
}

/// Checks the header line only, so a wrong file is refused before it is queued.
pub fn check_header(input: impl Read) -> Result<(), Problems> {
    columns(&mut csv_reader(input)).map(|_| ())
}

/// Parses the register as a stream of records; returns households per village, or the
/// problems with their line. Nothing is kept once a problem is found (the import will not
/// write), only the remaining problems are counted. `progress` is called every few thousand lines.
pub fn parse_register(
    input: impl Read,
    this_year: i64,
    progress: &mut dyn FnMut(ParseProgress),
) -> Result<ParsedRegister, Problems> {
    let mut reader = csv_reader(input);
    let Columns {
        village: c_village,
        head: c_head,
        address: c_address,
        member: c_member,
        year: c_year,
    } = columns(&mut reader)?;
    let mut problems = Problems::default();
    let mut parsed = ParsedRegister::default();
    let mut record = csv::StringRecord::new();
    let mut records: u64 = 0;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                problems.push(format!(
                    "line {}: unreadable CSV: {e}",
                    e.position().map_or(0, |p| p.line())
                ));
                // An I/O error does not go away by reading on.
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
                continue;
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        parsed.lines = line;
        records += 1;
        if records % 4096 == 0 {
            progress(ParseProgress {
                lines: line,
                bytes: reader.position().byte(),
            });
        }
        if record.iter().all(str::is_empty) {
            continue;
        }
        let field = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("");
        let (village, head, address) = (
            field(Some(c_village)),
            field(Some(c_head)),
            field(Some(c_address)),
        );
        let (member, year_text) = (field(c_member), field(c_year));
        let mut line_problems = Vec::new();
        if village.is_empty() {
            line_problems.push("village_code is empty".to_string());
        }
        if head.is_empty() {
            line_problems.push("head_name is empty".to_string());
        }
        let year = if year_text.is_empty() {
            None
        } else {
            match year_text.parse::<i64>() {
                Ok(y) if (1900..=this_year).contains(&y) => Some(y),
                _ => {
                    line_problems.push(format!(
                        "birth_year '{year_text}' is not a year between 1900 and {this_year}"
                    ));
                    None
                }
            }
        };
        if !member.is_empty() && year.is_none() && line_problems.is_empty() {
            line_problems.push(format!("member {member} needs a birth_year"));
        }
        if member.is_empty() && year.is_some() {
            line_problems.push("birth_year given without member_name".to_string());
        }
        if !line_problems.is_empty() {
            problems.push(format!("line {line}: {}", line_problems.join("; ")));
            // Nothing will be written: stop holding households, keep counting problems.
            parsed.villages = BTreeMap::new();
            continue;
        }
        if !problems.is_empty() {
            continue;
        }
        let member = match (member.is_empty(), year) {
            (false, Some(y)) if this_year - y < MIN_AGE => {
                parsed.under_15 += 1;
                None
            }
            (false, Some(y)) => Some((member, y)),
            _ => None,
        };
        if !parsed.villages.contains_key(village) {
            parsed
                .villages
                .insert(village.to_string(), VillageHouseholds::default());
        }
        if let Some(v) = parsed.villages.get_mut(village) {
            v.add(village, head, address, member);
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if parsed.villages.is_empty() {
        return Err(Problems::one(
            "the file has no households: after the header, give one member per line".into(),
        ));
    }
    for v in parsed.villages.values_mut() {
        v.finish();
    }
    Ok(parsed)
}

/// Writes the households `range` of a village that the document does not have yet; returns
/// (households, persons) created.
pub fn write_households(
    doc: &mut AutoCommit,
    village: &VillageHouseholds,
    range: Range<usize>,
    by: &str,
    now_ms: i64,
) -> Result<(usize, usize), AutomergeError> {
    let root = match households_obj(doc) {
        Some(obj) => obj,
        None => doc.put_object(automerge::ROOT, schema::HOUSEHOLDS, ObjType::Map)?,
    };
    let text = |r: &Range<usize>| village.text.get(r.clone()).unwrap_or("");
    let (mut created, mut persons) = (0, 0);
    for h in village.households.get(range).unwrap_or(&[]) {
        let id = uuid::Uuid::from_u128(h.id).to_string();
        if doc.get(&root, &id)?.is_some() {
            continue;
        }
        let obj = doc.put_object(&root, &id, ObjType::Map)?;
        doc.put(&obj, "head_name", ScalarValue::Str(text(&h.head).into()))?;
        doc.put(&obj, "address", ScalarValue::Str(text(&h.address).into()))?;
        doc.put(&obj, "created_at", now_ms)?;
        doc.put(&obj, "created_by", ScalarValue::Str(by.into()))?;
        let people = doc.put_object(&obj, schema::PERSONS, ObjType::Map)?;
        doc.put_object(&obj, schema::VISITS, ObjType::Map)?;
        for p in village.persons.get(h.persons.clone()).unwrap_or(&[]) {
            let pid = uuid::Uuid::from_u128(p.id).to_string();
            let obj = doc.put_object(&people, &pid, ObjType::Map)?;
            doc.put(&obj, "full_name", ScalarValue::Str(text(&p.name).into()))?;
            doc.put(&obj, "birth_year", p.year)?;
            persons += 1;
        }
        created += 1;
    }
    Ok((created, persons))
}
