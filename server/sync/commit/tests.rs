//! The commit step against a temporary SQLite database, and what a diff says was touched.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ReadDoc, ScalarValue};
use sqlx::Row;

use super::{heads_string, touched_households, write_batch, Attribution, Touched};
use crate::store::Store;
use crate::survey::schema;
use crate::sync::documents::ensure_village_document;
use crate::sync::restate::DayPlan;

fn household(doc: &mut AutoCommit, id: &str, name: &str) {
    let households = match doc.get(automerge::ROOT, schema::HOUSEHOLDS).unwrap() {
        Some((_, obj)) => obj,
        None => doc
            .put_object(automerge::ROOT, schema::HOUSEHOLDS, ObjType::Map)
            .unwrap(),
    };
    let h = doc.put_object(&households, id, ObjType::Map).unwrap();
    doc.put(&h, "head_name", ScalarValue::Str(name.into()))
        .unwrap();
    let persons = doc.put_object(&h, schema::PERSONS, ObjType::Map).unwrap();
    let p = doc.put_object(&persons, "p-1", ObjType::Map).unwrap();
    doc.put(&p, "full_name", ScalarValue::Str(name.into()))
        .unwrap();
    doc.put(&p, "birth_year", 1980).unwrap();
    doc.commit();
}

fn field_of(doc: &mut AutoCommit, id: &str, key: &str, value: &str) {
    let households = doc
        .get(automerge::ROOT, schema::HOUSEHOLDS)
        .unwrap()
        .unwrap()
        .1;
    let h = doc.get(&households, id).unwrap().unwrap().1;
    doc.put(&h, key, ScalarValue::Str(value.into())).unwrap();
    doc.commit();
}

#[test]
fn a_diff_names_the_households_and_fields_it_touched() {
    let mut doc = AutoCommit::new();
    household(&mut doc, "h-1", "Lê Văn Hưng");
    household(&mut doc, "h-2", "Trần Thị Lan");
    let before = doc.get_heads();
    field_of(&mut doc, "h-1", "address", "Thôn 1");
    field_of(&mut doc, "h-2", "phone", "0912345678");
    let after = doc.get_heads();
    let Touched::Some(map) = touched_households(&doc.diff(&before, &after)) else {
        panic!("a field edit touches some households, not all");
    };
    let fields: Vec<(String, Vec<String>)> = map
        .into_iter()
        .map(|(h, f)| (h, f.into_iter().collect()))
        .collect();
    assert_eq!(
        fields,
        vec![
            ("h-1".to_string(), vec!["address".to_string()]),
            ("h-2".to_string(), vec!["phone".to_string()]),
        ]
    );
}

#[test]
fn a_new_household_and_a_schema_change_are_told_apart() {
    let mut doc = AutoCommit::new();
    doc.put_object(automerge::ROOT, schema::HOUSEHOLDS, ObjType::Map)
        .unwrap();
    doc.commit();
    let before = doc.get_heads();
    household(&mut doc, "h-new", "Hộ mới");
    let after = doc.get_heads();
    match touched_households(&doc.diff(&before, &after)) {
        Touched::Some(map) => assert!(map["h-new"].contains("*"), "{map:?}"),
        Touched::All => panic!("one new household is not a change of everything"),
    }
    let before = after;
    doc.put(automerge::ROOT, schema::SCHEMA_VERSION_KEY, 2)
        .unwrap();
    doc.commit();
    let after = doc.get_heads();
    assert_eq!(touched_households(&doc.diff(&before, &after)), Touched::All);
}

/// A store on a temporary SQLite file with one village, and that village's document.
async fn village() -> (tempfile::TempDir, Store, String, String, AutoCommit) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("commit.db").display());
    let store = Store::connect(&url).await.unwrap();
    store
        .insert_units(
            &[
                ("38", "Tỉnh Thanh Hóa", "province", None),
                ("39301", "Xã Nga Liên", "commune", Some("38")),
                ("39301.01", "Thôn 1", "village", Some("39301")),
            ],
            "test",
            1_790_000_000,
        )
        .await
        .unwrap();
    let row = ensure_village_document(&store, "39301.01").await.unwrap();
    let mut doc = AutoCommit::new();
    for (_, bytes) in store.doc_chunks(&row.document_id, 0).await.unwrap() {
        doc.load_incremental(&bytes).unwrap();
    }
    (dir, store, url, row.document_id, doc)
}

#[tokio::test]
async fn a_batch_writes_everything_or_nothing() {
    let (_dir, store, url, document_id, mut doc) = village().await;
    let before = doc.get_heads();
    household(
        &mut doc,
        "c0000000-0000-4000-8000-000000000001",
        "Lê Văn Hưng",
    );
    field_of(
        &mut doc,
        "c0000000-0000-4000-8000-000000000001",
        "address",
        "Thôn 1",
    );
    let by = Attribution {
        user_id: None,
        access_version: None,
        username: Some("importer".into()),
        device_id: None,
    };
    let changes = doc.get_changes(&before);
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let count = |sql: &'static str| {
        let pool = pool.clone();
        let document_id = document_id.clone();
        async move {
            sqlx::query(sql)
                .bind(document_id)
                .fetch_one(&pool)
                .await
                .unwrap()
                .get::<i64, _>(0)
        }
    };
    let chunks_before = count("SELECT COUNT(*) FROM doc_chunks WHERE document_id = $1").await;

    // A phone whose access changed after its connection decided it: refused, nothing written.
    let stale = Attribution {
        user_id: Some(1),
        access_version: Some(-42),
        username: Some("demo-admin".into()),
        device_id: Some("phone".into()),
    };
    let mut w = store.begin_doc_write(&document_id).await.unwrap();
    let refused = write_batch(
        &mut w,
        &mut doc,
        &changes,
        &before,
        "39301.01",
        &stale,
        &DayPlan::default(),
        1_790_000_000,
    )
    .await;
    assert!(matches!(
        refused,
        Err(crate::sync::SyncError::AccessChanged)
    ));
    drop(w);

    // Dropped without commit: nothing at all.
    let mut w = store.begin_doc_write(&document_id).await.unwrap();
    write_batch(
        &mut w,
        &mut doc,
        &changes,
        &before,
        "39301.01",
        &by,
        &DayPlan::default(),
        1_790_000_000,
    )
    .await
    .unwrap();
    drop(w);
    assert_eq!(
        count("SELECT COUNT(*) FROM doc_chunks WHERE document_id = $1").await,
        chunks_before
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM doc_change_runs WHERE document_id = $1").await,
        0
    );

    // Committed: the chunk, the changes' attribution, the projection, the audit, heads.
    let mut w = store.begin_doc_write(&document_id).await.unwrap();
    let appended = write_batch(
        &mut w,
        &mut doc,
        &changes,
        &before,
        "39301.01",
        &by,
        &DayPlan::default(),
        1_790_000_000,
    )
    .await
    .unwrap();
    w.commit().await.unwrap();
    assert!(appended.is_some_and(|a| a.bytes > 0));
    assert_eq!(
        count("SELECT COUNT(*) FROM doc_chunks WHERE document_id = $1").await,
        chunks_before + 1
    );
    assert_eq!(
        count("SELECT CAST(SUM(seq_last - seq_first + 1) AS BIGINT) FROM doc_change_runs WHERE document_id = $1").await,
        2
    );
    let row = sqlx::query("SELECT head_name, address FROM households WHERE id = $1")
        .bind("c0000000-0000-4000-8000-000000000001")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        (row.get::<String, _>(0), row.get::<String, _>(1)),
        ("Lê Văn Hưng".to_string(), "Thôn 1".to_string())
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM persons WHERE household_id IN (SELECT id FROM households WHERE document_id = $1)").await,
        1
    );
    let audit = store
        .household_batches("c0000000-0000-4000-8000-000000000001")
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].username.as_deref(), Some("importer"));
    assert_eq!(audit[0].heads_before, heads_string(&before));
    let heads: String = sqlx::query("SELECT heads FROM village_documents WHERE document_id = $1")
        .bind(&document_id)
        .fetch_one(&pool)
        .await
        .unwrap()
        .get(0);
    assert_eq!(heads, heads_string(&doc.get_heads()));
}
