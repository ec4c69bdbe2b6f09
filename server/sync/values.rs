//! What a stored batch changed in a household, value by value (old → new), for its history:
//! an overwritten value stays readable there, with who, which phone and when.

use std::collections::BTreeSet;

use automerge::{AutoCommit, ChangeHash, ObjId, ObjType, Prop, ReadDoc, Value, ROOT};
use serde_json::{json, Map};

use crate::survey::schema;
use crate::sync::commit::{touched_households, Touched};
use crate::sync::conflicts::scalar_json;

/// Most fields one audit entry keeps values of (a household created at once has a few dozen).
const MAX_FIELDS: usize = 200;

/// The object at `path` under the household, read at `heads` (now when `None`).
fn object_at<D: ReadDoc>(
    doc: &D,
    household: &str,
    path: &[&str],
    heads: Option<&[ChangeHash]>,
) -> Option<ObjId> {
    let mut obj = ROOT;
    for key in std::iter::once(schema::HOUSEHOLDS)
        .chain(std::iter::once(household))
        .chain(path.iter().copied())
    {
        let found = match heads {
            Some(h) => doc.get_at(&obj, key, h),
            None => doc.get(&obj, key),
        };
        obj = match found.ok().flatten() {
            Some((Value::Object(ObjType::Map), id)) => id,
            _ => return None,
        };
    }
    Some(obj)
}

/// A scalar field's value at `heads` (now when `None`): `Some(null)` when absent, `None` when
/// it is not a scalar (a map: its own fields are listed).
fn value_at<D: ReadDoc>(
    doc: &D,
    household: &str,
    field: &str,
    heads: Option<&[ChangeHash]>,
) -> Option<serde_json::Value> {
    let parts: Vec<&str> = field.split('/').collect();
    let (key, path) = parts.split_last()?;
    let Some(obj) = object_at(doc, household, path, heads) else {
        return Some(serde_json::Value::Null);
    };
    let found = match heads {
        Some(h) => doc.get_at(&obj, Prop::Map((*key).to_string()), h),
        None => doc.get(&obj, *key),
    };
    match found.ok().flatten() {
        None => Some(serde_json::Value::Null),
        Some((v @ Value::Scalar(_), _)) => scalar_json(&v),
        Some((Value::Object(_), _)) => None,
    }
}

/// `{"field": [old, new], …}` for the scalar fields of a household a batch changed between
/// `before` and `after` (now when `None`), or `None` when none changed value.
pub fn changed_values<'a, D: ReadDoc>(
    doc: &D,
    household: &str,
    fields: impl IntoIterator<Item = &'a String>,
    before: &[ChangeHash],
    after: Option<&[ChangeHash]>,
) -> Option<String> {
    let mut out = Map::new();
    for field in fields
        .into_iter()
        .filter(|f| f.as_str() != "*")
        .take(MAX_FIELDS)
    {
        let (Some(old), Some(new)) = (
            value_at(doc, household, field, Some(before)),
            value_at(doc, household, field, after),
        ) else {
            continue;
        };
        if old != new {
            out.insert(field.clone(), json!([old, new]));
        }
    }
    (!out.is_empty()).then(|| serde_json::Value::Object(out).to_string())
}

/// What a stored batch changed in one household, read back from the document between the
/// batch's heads: the fields it touched (paths inside the household) and their values old →
/// new. `None` when the document does not hold those heads.
pub fn batch_changes(
    doc: &mut AutoCommit,
    household: &str,
    before: &[ChangeHash],
    after: &[ChangeHash],
) -> Option<(Vec<String>, Option<String>)> {
    if before
        .iter()
        .chain(after)
        .any(|h| doc.get_change_by_hash(h).is_none())
    {
        return None;
    }
    let patches = doc.diff(before, after);
    let fields = match touched_households(&patches) {
        Touched::Some(mut map) => map.remove(household).unwrap_or_default(),
        Touched::All => BTreeSet::new(),
    };
    let values = changed_values(&*doc, household, &fields, before, Some(after));
    Some((fields.into_iter().collect(), values))
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::AutoCommit;

    use super::*;

    #[test]
    fn an_overwritten_value_is_kept_old_and_new() {
        let mut doc = AutoCommit::new();
        let households = doc
            .put_object(ROOT, schema::HOUSEHOLDS, ObjType::Map)
            .expect("map");
        let h = doc
            .put_object(&households, "h1", ObjType::Map)
            .expect("map");
        doc.put(&h, "head_name", "Lê Văn Hưng").expect("put");
        let persons = doc.put_object(&h, "persons", ObjType::Map).expect("map");
        let before = doc.get_heads();
        doc.put(&h, "head_name", "Lê Văn Hùng Anh").expect("put");
        let p = doc.put_object(&persons, "p1", ObjType::Map).expect("map");
        doc.put(&p, "birth_year", 1980).expect("put");
        let fields: Vec<String> = ["head_name", "persons/p1", "persons/p1/birth_year", "*"]
            .map(String::from)
            .to_vec();
        let json = changed_values(&doc, "h1", &fields, &before, None).expect("changes");
        let parsed: serde_json::Value = serde_json::from_str(&json).expect("json");
        assert_eq!(
            parsed,
            json!({"head_name": ["Lê Văn Hưng", "Lê Văn Hùng Anh"], "persons/p1/birth_year": [null, 1980]})
        );
        let same: Vec<String> = vec!["persons/p1/birth_year".into()];
        let now = doc.get_heads();
        assert_eq!(changed_values(&doc, "h1", &same, &now, None), None);
        // Between two past heads: the values as they stood then.
        doc.put(&h, "head_name", "Lê Văn Hưng").expect("put");
        let json = changed_values(&doc, "h1", &fields, &before, Some(&now)).expect("changes");
        let parsed: serde_json::Value = serde_json::from_str(&json).expect("json");
        assert_eq!(
            parsed["head_name"],
            json!(["Lê Văn Hưng", "Lê Văn Hùng Anh"])
        );
    }
}
