//! Answers without a column: every key of a household or person map the projection does not
//! store in a column of its own (fields a later survey version added, or that a newer phone
//! wrote) is kept as JSON beside the row, so the projection and the exports drop nothing.

use automerge::{ObjId, ObjType, ReadDoc, ScalarValue, Value};
use serde_json::{Map, Value as Json};

use crate::survey::schema::{self, HOUSEHOLD_FLAGS, HOUSEHOLD_TEXT, PERSON_FLAGS};

/// Keys of a household read into columns (or the person and visit maps).
fn household_column(key: &str) -> bool {
    HOUSEHOLD_TEXT.contains(&key)
        || HOUSEHOLD_FLAGS.contains(&key)
        || matches!(
            key,
            "deleted" | "created_at" | schema::PERSONS | schema::VISITS
        )
}

/// Keys of a person read into columns.
fn person_column(key: &str) -> bool {
    PERSON_FLAGS.contains(&key)
        || matches!(
            key,
            "full_name" | "birth_year" | "sex" | "cccd" | "phone" | "deleted" | "vneid_level"
        )
}

/// Nested maps and lists deeper than this are cut (a phone cannot make the projection recurse
/// without bound).
const MAX_DEPTH: usize = 8;

/// Where the latest visit's answers go among the household's (a key no field may take).
pub const LATEST_VISIT: &str = "latest_visit";

/// Keys of a visit read into columns: its time, visitor and outcome, and what it helped with
/// (every visit's ticks are in `households.helped` already).
fn visit_column(key: &str) -> bool {
    matches!(key, "at" | "by" | "outcome" | schema::HELPED)
}

/// The household's answers without a column, with the answers of its latest visit under
/// `latest_visit` (its note, fields later versions added), as a JSON object;
/// `None` when there are none.
pub fn household_answers<D: ReadDoc>(
    doc: &D,
    obj: &ObjId,
    latest_visit: Option<&ObjId>,
) -> Option<String> {
    let mut out = answer_map(doc, obj, household_column);
    if let Some(visit) = latest_visit {
        let visit = answer_map(doc, visit, visit_column);
        if !visit.is_empty() {
            out.insert(LATEST_VISIT.to_string(), Json::Object(visit));
        }
    }
    (!out.is_empty()).then(|| Json::Object(out).to_string())
}

/// The person's answers without a column.
pub fn person_answers<D: ReadDoc>(doc: &D, obj: &ObjId) -> Option<String> {
    answers(doc, obj, person_column)
}

fn answers<D: ReadDoc>(doc: &D, obj: &ObjId, has_column: fn(&str) -> bool) -> Option<String> {
    let out = answer_map(doc, obj, has_column);
    (!out.is_empty()).then(|| Json::Object(out).to_string())
}

/// Every key of `obj` without a column, with a value (an empty map, such as a visit's `helped`
/// before anything is ticked, is no answer).
fn answer_map<D: ReadDoc>(doc: &D, obj: &ObjId, has_column: fn(&str) -> bool) -> Map<String, Json> {
    let mut out = Map::new();
    for key in doc.keys(obj) {
        if has_column(&key) {
            continue;
        }
        if let Ok(Some((value, id))) = doc.get(obj, &key) {
            let json = to_json(doc, &value, &id, 0);
            let empty = json.is_null() || json.as_object().is_some_and(|m| m.is_empty());
            if !empty {
                out.insert(key, json);
            }
        }
    }
    out
}

/// One value of the document as JSON (maps and lists followed down to `MAX_DEPTH`).
pub fn to_json<D: ReadDoc>(doc: &D, value: &Value<'_>, id: &ObjId, depth: usize) -> Json {
    match value {
        Value::Scalar(s) => match s.as_ref() {
            ScalarValue::Str(t) => Json::String(t.to_string()),
            ScalarValue::Boolean(b) => Json::Bool(*b),
            ScalarValue::Int(i) => Json::from(*i),
            ScalarValue::Uint(u) => Json::from(*u),
            ScalarValue::F64(f) => {
                serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number)
            }
            ScalarValue::Timestamp(t) => Json::from(*t),
            ScalarValue::Counter(c) => Json::from(i64::from(c)),
            _ => Json::Null,
        },
        Value::Object(_) if depth >= MAX_DEPTH => Json::Null,
        Value::Object(ObjType::Text) => doc.text(id).map_or(Json::Null, Json::String),
        Value::Object(ObjType::Map | ObjType::Table) => {
            let mut map = Map::new();
            for key in doc.keys(id) {
                if let Ok(Some((v, child))) = doc.get(id, &key) {
                    map.insert(key, to_json(doc, &v, &child, depth + 1));
                }
            }
            Json::Object(map)
        }
        Value::Object(ObjType::List) => {
            let items = (0..doc.length(id))
                .filter_map(|i| doc.get(id, i).ok().flatten())
                .map(|(v, child)| to_json(doc, &v, &child, depth + 1))
                .collect();
            Json::Array(items)
        }
    }
}
