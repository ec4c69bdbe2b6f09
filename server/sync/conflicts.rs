//! Concurrent edits of one field: two phones offline set a head's name differently, both sync.
//! Automerge keeps both values and picks a winner; this finds such fields in what a batch
//! changed, so the commit records them for the team lead, and finds the fields written again
//! with a single value, which settles them.

use std::collections::BTreeMap;

use automerge::{Change, ObjId, PatchAction, Prop, ReadDoc, ScalarValue, Value};
use serde_json::json;

use crate::survey::schema;

/// A scalar field of a household (or of a person in it) that a batch set.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldWrite {
    pub household: String,
    /// Path inside the household: `head_name`, `persons/<id>/full_name`.
    pub field: String,
    pub obj: ObjId,
    pub key: String,
    /// The document holds more than one value for it now.
    pub conflicted: bool,
}

/// The scalar fields under `households` the patches set, one entry per field (the last word).
pub fn field_writes(patches: &[automerge::Patch]) -> Vec<FieldWrite> {
    let mut writes: BTreeMap<(String, String), FieldWrite> = BTreeMap::new();
    for patch in patches {
        let (key, conflicted) = match &patch.action {
            PatchAction::PutMap {
                key,
                value: (Value::Scalar(_), _),
                conflict,
            } => (key.clone(), *conflict),
            PatchAction::Conflict { prop: Prop::Map(k) } => (k.clone(), true),
            _ => continue,
        };
        let mut path = patch.path.iter().map(|(_, prop)| match prop {
            Prop::Map(k) => Some(k.clone()),
            Prop::Seq(_) => None,
        });
        if path.next().flatten().as_deref() != Some(schema::HOUSEHOLDS) {
            continue;
        }
        let Some(Some(household)) = path.next() else {
            continue;
        };
        // Fields inside lists (visits) are appended, never edited concurrently in place.
        let Some(mut inner) = path.collect::<Option<Vec<String>>>() else {
            continue;
        };
        inner.push(key.clone());
        let field = inner.join("/");
        let entry = writes
            .entry((household.clone(), field.clone()))
            .or_insert(FieldWrite {
                household,
                field,
                obj: patch.obj.clone(),
                key,
                conflicted,
            });
        entry.conflicted = conflicted;
    }
    writes.into_values().collect()
}

/// A field's value as JSON (text, number, yes/no, null); `None` for anything else.
pub fn scalar_json(value: &Value<'_>) -> Option<serde_json::Value> {
    let Value::Scalar(s) = value else {
        return None;
    };
    Some(match s.as_ref() {
        ScalarValue::Str(t) => json!(t.to_string()),
        ScalarValue::Int(i) => json!(i),
        ScalarValue::Uint(u) => json!(u),
        ScalarValue::F64(f) => json!(f),
        ScalarValue::Boolean(b) => json!(b),
        ScalarValue::Timestamp(t) => json!(t),
        ScalarValue::Null => serde_json::Value::Null,
        _ => return None,
    })
}

/// Every value the document holds for a field, the winner last, as the JSON the conflict row
/// keeps: `[{"value", "actor", "at"}]`. `at` (Unix seconds) is the phone's time of the change that wrote
/// the value when that change is in `batch`, else null (the commit fills it in from the
/// actor's latest stored change).
pub fn candidates<D: ReadDoc>(doc: &D, w: &FieldWrite, batch: &[Change]) -> serde_json::Value {
    let all = doc.get_all(&w.obj, w.key.as_str()).unwrap_or_default();
    let list: Vec<serde_json::Value> = all
        .iter()
        .filter_map(|(value, id)| {
            let value = scalar_json(value)?;
            let (actor, at) = match id {
                automerge::ObjId::Id(counter, actor, _) => {
                    let at = batch
                        .iter()
                        .find(|c| {
                            c.actor_id() == actor
                                && (c.start_op().get()..c.start_op().get() + c.len() as u64)
                                    .contains(counter)
                        })
                        .map(Change::timestamp);
                    (actor.to_hex_string(), at)
                }
                automerge::ObjId::Root => (String::new(), None),
            };
            Some(json!({"value": value, "actor": actor, "at": at}))
        })
        .collect();
    serde_json::Value::Array(list)
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{ActorId, AutoCommit, ObjType, ROOT};

    use super::*;

    fn phone(actor: u8, base: &mut AutoCommit) -> AutoCommit {
        base.fork().with_actor(ActorId::from(vec![actor; 16]))
    }

    #[test]
    fn a_concurrent_edit_is_found_and_a_later_write_settles_it() {
        let mut base = AutoCommit::new();
        let households = base
            .put_object(ROOT, schema::HOUSEHOLDS, ObjType::Map)
            .expect("map");
        let h = base
            .put_object(&households, "h1", ObjType::Map)
            .expect("map");
        // As registered, without diacritics; each phone corrects it its own way (a put of the
        // value already there would be no change at all).
        base.put(&h, "head_name", "Le Van Hung").expect("put");
        base.put(&h, "address", "Xóm Đông").expect("put");
        let before = base.get_heads();

        let (mut a, mut b) = (phone(1, &mut base), phone(2, &mut base));
        a.put(&h, "head_name", "Lê Văn Hưng").expect("put");
        a.put(&h, "address", "Xóm Tây").expect("put");
        b.put(&h, "head_name", "Lê Văn Hùng Anh").expect("put");
        let mut server = base.fork();
        server.merge(&mut a).expect("merge");
        server.merge(&mut b).expect("merge");
        let batch = server.get_changes(&before);
        let heads = server.get_heads();
        let patches = server.diff(&before, &heads);
        let writes = field_writes(&patches);
        let conflicted: Vec<_> = writes.iter().filter(|w| w.conflicted).collect();
        assert_eq!(conflicted.len(), 1, "{writes:?}");
        assert_eq!(conflicted[0].household, "h1");
        assert_eq!(conflicted[0].field, "head_name");
        let values = candidates(&server, conflicted[0], &batch);
        let names: Vec<&str> = values
            .as_array()
            .expect("list")
            .iter()
            .map(|c| c["value"].as_str().expect("text"))
            .collect();
        assert_eq!(names.len(), 2);
        assert!(names.contains(&"Lê Văn Hưng") && names.contains(&"Lê Văn Hùng Anh"));
        let winner = server.get(&h, "head_name").expect("get").expect("value").0;
        assert_eq!(Some(json!(names[1])), scalar_json(&winner), "winner last");
        assert!(values[0]["at"].is_i64(), "{values}");
        assert!(
            writes.iter().any(|w| w.field == "address" && !w.conflicted),
            "a field only one phone changed is no conflict: {writes:?}"
        );

        // The lead writes the field again: one value, settled.
        let before = server.get_heads();
        server.put(&h, "head_name", "Lê Văn Hùng Anh").expect("put");
        let heads = server.get_heads();
        let writes = field_writes(&server.diff(&before, &heads));
        assert_eq!(writes.len(), 1);
        assert!(!writes[0].conflicted);
    }

    #[test]
    fn person_fields_have_their_path() {
        let mut doc = AutoCommit::new();
        let households = doc
            .put_object(ROOT, schema::HOUSEHOLDS, ObjType::Map)
            .expect("map");
        let h = doc
            .put_object(&households, "h1", ObjType::Map)
            .expect("map");
        let persons = doc.put_object(&h, "persons", ObjType::Map).expect("map");
        let p = doc.put_object(&persons, "p1", ObjType::Map).expect("map");
        let before = doc.get_heads();
        doc.put(&p, "full_name", "Đỗ Thị Hằng").expect("put");
        let heads = doc.get_heads();
        let writes = field_writes(&doc.diff(&before, &heads));
        assert_eq!(writes[0].field, "persons/p1/full_name");
    }
}
