//! Reading households out of a village document, tolerating anything a phone may have written:
//! a field of the wrong type becomes a per-record error and an empty value, never a failure. A
//! choice the server does not know (added by a later survey version) is kept as written.

use automerge::{ObjId, ObjType, ReadDoc, ScalarValue, Value};

use crate::store::{HouseholdRow, PersonRow};
use crate::survey::answers::{household_answers, person_answers};
use crate::survey::schema::{self, HOUSEHOLD_FLAGS, PERSON_FLAGS};

/// The `households` map of a document, if it has one.
pub fn households_obj<D: ReadDoc>(doc: &D) -> Option<ObjId> {
    map_at(doc, &automerge::ROOT, schema::HOUSEHOLDS)
}

/// Checks the document's schema version: `Err` with the reason when it cannot be projected.
pub fn check_schema<D: ReadDoc>(doc: &D) -> Result<(), String> {
    match doc.get(automerge::ROOT, schema::SCHEMA_VERSION_KEY) {
        Ok(Some((Value::Scalar(s), _))) => match scalar_int(&s) {
            Some(v) if v <= schema::SCHEMA_VERSION => Ok(()),
            Some(v) => Err(format!(
                "document schema_version {v} is newer than this server understands ({}): upgrade the server",
                schema::SCHEMA_VERSION
            )),
            None => Err("schema_version is not a number".into()),
        },
        _ => Ok(()),
    }
}

/// Ids of every household in the document.
pub fn household_ids<D: ReadDoc>(doc: &D) -> Vec<String> {
    match households_obj(doc) {
        Some(obj) => doc.keys(&obj).collect(),
        None => Vec::new(),
    }
}

/// Reads every household of the document.
pub fn read_households<D: ReadDoc>(doc: &D) -> Vec<HouseholdRow> {
    household_ids(doc)
        .iter()
        .filter_map(|id| read_household(doc, id))
        .collect()
}

/// Reads one household; `None` when the document has no such key.
pub fn read_household<D: ReadDoc>(doc: &D, id: &str) -> Option<HouseholdRow> {
    let households = households_obj(doc)?;
    let mut rec = HouseholdRow {
        id: id.to_string(),
        ..Default::default()
    };
    let Some(obj) = map_at(doc, &households, id) else {
        doc.get(&households, id).ok().flatten()?;
        rec.errors.push("the household is not a map".into());
        return Some(rec);
    };
    let mut r = Reader {
        doc,
        errors: Vec::new(),
        context: String::new(),
    };
    rec.head_name = r.text(&obj, "head_name");
    rec.address = r.text(&obj, "address");
    rec.phone = r.text(&obj, "phone");
    rec.duplicate_of = r.text(&obj, "duplicate_of");
    rec.created_by = r.text(&obj, "created_by");
    rec.created_at = r.int(&obj, "created_at");
    rec.deleted = r.flag(&obj, "deleted").unwrap_or(false);
    for (slot, key) in rec.flags.iter_mut().zip(HOUSEHOLD_FLAGS) {
        *slot = r.flag(&obj, key);
    }
    let mut latest_visit = None;
    if let Some(visits) = r.map(&obj, schema::VISITS) {
        for vid in doc.keys(&visits).collect::<Vec<_>>() {
            r.context = format!("visit {vid}: ");
            let Some(v) = r.map(&visits, &vid) else {
                continue;
            };
            rec.visits += 1;
            let at = r.int(&v, "at");
            if let (Some(at), Some(helped)) = (at, r.map(&v, schema::HELPED)) {
                // Every kind ticked, those a later survey version added included.
                for kind in doc.keys(&helped).collect::<Vec<_>>() {
                    if r.flag(&helped, &kind) == Some(true) {
                        rec.helped.push((at, kind));
                    }
                }
            }
            let outcome = r.text(&v, "outcome");
            let newer = match (at, rec.visited_at) {
                (Some(a), Some(b)) => a > b,
                (Some(_), None) => true,
                (None, _) => rec.visit_outcome.is_none(),
            };
            if newer && outcome.is_some() {
                rec.visited_at = at;
                rec.visit_outcome = outcome;
                rec.visited_by = r.text(&v, "by");
                latest_visit = Some(v.clone());
                rec.visited_actor = match &v {
                    ObjId::Id(_, actor, _) => Some(actor.to_hex_string()),
                    ObjId::Root => None,
                };
            }
        }
    }
    if let Some(persons) = r.map(&obj, schema::PERSONS) {
        let mut ids: Vec<String> = doc.keys(&persons).collect();
        ids.sort();
        for pid in ids {
            r.context = format!("person {pid}: ");
            let Some(p) = r.map(&persons, &pid) else {
                continue;
            };
            let mut person = PersonRow {
                id: pid.clone(),
                full_name: r.text(&p, "full_name"),
                birth_year: r.int(&p, "birth_year"),
                sex: r.text(&p, "sex"),
                cccd: r.text(&p, "cccd"),
                phone: r.text(&p, "phone"),
                deleted: r.flag(&p, "deleted").unwrap_or(false),
                vneid_level: r.int(&p, "vneid_level"),
                ..Default::default()
            };
            if let Some(level) = person.vneid_level.filter(|l| !(0..=2).contains(l)) {
                r.errors
                    .push(format!("{}vneid_level {level} is not 0, 1 or 2", r.context));
                person.vneid_level = None;
            }
            for (slot, key) in person.flags.iter_mut().zip(PERSON_FLAGS) {
                *slot = r.flag(&p, key);
            }
            person.answers = person_answers(doc, &p);
            rec.persons.push(person);
        }
    }
    rec.answers = household_answers(doc, &obj, latest_visit.as_ref());
    rec.errors = r.errors;
    Some(rec)
}

fn map_at<D: ReadDoc>(doc: &D, obj: &ObjId, key: &str) -> Option<ObjId> {
    match doc.get(obj, key) {
        Ok(Some((Value::Object(ObjType::Map), id))) => Some(id),
        _ => None,
    }
}

fn scalar_int(s: &ScalarValue) -> Option<i64> {
    match s {
        ScalarValue::Int(i) => Some(*i),
        ScalarValue::Uint(u) => i64::try_from(*u).ok(),
        ScalarValue::F64(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
        ScalarValue::Timestamp(t) => Some(*t),
        _ => None,
    }
}

fn describe(v: &Value<'_>) -> String {
    match v {
        Value::Object(t) => format!("{t:?}").to_lowercase(),
        Value::Scalar(s) => match s.as_ref() {
            ScalarValue::Str(_) => "text".into(),
            ScalarValue::Boolean(_) => "true/false".into(),
            ScalarValue::Int(_) | ScalarValue::Uint(_) | ScalarValue::F64(_) => "a number".into(),
            other => format!("{other:?}"),
        },
    }
}

/// Reads typed fields, collecting an error for each one of the wrong type.
struct Reader<'a, D: ReadDoc> {
    doc: &'a D,
    errors: Vec<String>,
    context: String,
}

impl<D: ReadDoc> Reader<'_, D> {
    fn wrong(&mut self, key: &str, expected: &str, found: &Value<'_>) {
        self.errors.push(format!(
            "{}field '{key}': expected {expected}, found {}",
            self.context,
            describe(found)
        ));
    }

    fn text(&mut self, obj: &ObjId, key: &str) -> Option<String> {
        match self.doc.get(obj, key).ok().flatten() {
            None => None,
            Some((Value::Scalar(s), _)) if matches!(s.as_ref(), ScalarValue::Null) => None,
            Some((Value::Scalar(s), _)) if matches!(s.as_ref(), ScalarValue::Str(_)) => {
                match s.as_ref() {
                    ScalarValue::Str(t) => Some(t.to_string()),
                    _ => None,
                }
            }
            Some((Value::Object(ObjType::Text), id)) => self.doc.text(&id).ok(),
            Some((v, _)) => {
                self.wrong(key, "text", &v);
                None
            }
        }
    }

    fn flag(&mut self, obj: &ObjId, key: &str) -> Option<bool> {
        match self.doc.get(obj, key).ok().flatten() {
            None => None,
            Some((Value::Scalar(s), _)) => match s.as_ref() {
                ScalarValue::Boolean(b) => Some(*b),
                ScalarValue::Null => None,
                _ => {
                    self.wrong(key, "true/false", &Value::Scalar(s.clone()));
                    None
                }
            },
            Some((v, _)) => {
                self.wrong(key, "true/false", &v);
                None
            }
        }
    }

    fn int(&mut self, obj: &ObjId, key: &str) -> Option<i64> {
        match self.doc.get(obj, key).ok().flatten() {
            None => None,
            Some((Value::Scalar(s), _)) if matches!(s.as_ref(), ScalarValue::Null) => None,
            Some((Value::Scalar(s), _)) => match scalar_int(&s) {
                Some(i) => Some(i),
                None => {
                    self.wrong(key, "a whole number", &Value::Scalar(s.clone()));
                    None
                }
            },
            Some((v, _)) => {
                self.wrong(key, "a whole number", &v);
                None
            }
        }
    }

    fn map(&mut self, obj: &ObjId, key: &str) -> Option<ObjId> {
        match self.doc.get(obj, key).ok().flatten() {
            None => None,
            Some((Value::Object(ObjType::Map), id)) => Some(id),
            Some((v, _)) => {
                self.wrong(key, "a map", &v);
                None
            }
        }
    }
}
