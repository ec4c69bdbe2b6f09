//! Random input at every decoder the network reaches: the WebSocket frame decoder, Automerge
//! sync messages inside well-formed frames, whole random frames, CSV imports (parsers and
//! the HTTP endpoints), and survey drafts (the definition's parser and checks). Nothing panics, every refusal is an answer, and afterwards the server
//! still syncs and has stored nothing from the garbage. Also the size limit of a document.
//!
//! Cases: KHAOSAT_FUZZ_CASES (default 2000 for the pure decoders; a tenth of that over the network).

use automerge::sync::SyncDoc;
use automerge::AutoCommit;
use khaosat::sync::wire::{DocumentId, WireMessage};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config as ProptestConfig, TestRunner};
use reqwest::Method;
use tokio_tungstenite::tungstenite::Message;

use crate::common::peer::{Outcome, RustPeer};
use crate::common::TestApp;
use crate::on_both_backends;

on_both_backends!(
    random_sync_messages_store_nothing,
    random_frames_are_answered,
    random_csv_uploads_get_clear_answers,
    documents_have_a_size_limit => |c: &mut Config| c.max_document_bytes = 48 * 1024,
);

fn cases() -> u32 {
    std::env::var("KHAOSAT_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A valid frame to mutate: a sync message with real Automerge sync bytes.
fn valid_frame() -> Vec<u8> {
    let mut doc = AutoCommit::new();
    crate::matrix::record_household(&mut doc, "fuzz");
    let mut state = automerge::sync::State::new();
    let message = doc.sync().generate_sync_message(&mut state).unwrap();
    let id = |s: &str| s.parse().unwrap();
    WireMessage::sync(
        &id("phone"),
        &id("server"),
        &"1Bhh3pU9gLXZiNDL6PEa1Gs9fh".parse().unwrap(),
        message.encode(),
    )
    .encode()
}

/// `bytes` with some bytes overwritten, some cut off, some appended.
fn mutated(base: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let len = base.len();
    (
        proptest::collection::vec((0..len, any::<u8>()), 1..8),
        0..=len,
        proptest::collection::vec(any::<u8>(), 0..16),
    )
        .prop_map(move |(flips, cut, tail)| {
            let mut b = base.clone();
            for (i, v) in flips {
                b[i] = v;
            }
            b.truncate(cut.max(1));
            b.extend(tail);
            b
        })
}

#[test]
fn frame_decoder_takes_any_bytes() {
    let mut runner = TestRunner::new(config());
    runner
        .run(&proptest::collection::vec(any::<u8>(), 0..512), |bytes| {
            let _ = WireMessage::decode(&bytes);
            Ok(())
        })
        .unwrap();
    let mut runner = TestRunner::new(config());
    let decoded = std::sync::atomic::AtomicUsize::new(0);
    runner
        .run(&mutated(valid_frame()), |bytes| {
            if let Ok(m) = WireMessage::decode(&bytes) {
                decoded.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                // Whatever decodes re-encodes.
                let _ = WireMessage::decode(&m.encode());
                if let WireMessage::Request { data, .. } | WireMessage::Sync { data, .. } = m {
                    let _ = automerge::sync::Message::decode(&data);
                }
            }
            Ok(())
        })
        .unwrap();
    eprintln!(
        "frame decoder: {} random + {} mutated frames, {} still decoded",
        cases(),
        cases(),
        decoded.load(std::sync::atomic::Ordering::Relaxed)
    );
}

#[test]
fn csv_parsers_take_any_text() {
    let csvish = "[a-zA-Z0-9_,.\"\\n\\r ạăếộ\u{feff}-]{0,400}";
    let header = "village_code,head_name,address,member_name,birth_year\n";
    let mut runner = TestRunner::new(config());
    runner
        .run(&(csvish, any::<bool>()), |(body, with_header)| {
            let text = if with_header {
                format!("{header}{body}")
            } else {
                body
            };
            if let Err(problems) =
                khaosat::households::register::parse_register(text.as_bytes(), 2026, &mut |_| {})
            {
                prop_assert!(
                    problems.total >= problems.details.len()
                        && !problems.details.is_empty()
                        && problems.details.iter().all(|p| !p.is_empty())
                );
            }
            let none = |_: &str| None;
            if let Err(problems) = khaosat::units::parse_units_csv(text.as_bytes(), &none) {
                prop_assert!(!problems.is_empty());
            }
            let mapping = format!("old_commune_code,new_commune_code,share\n{text}");
            if let Err(problems) = khaosat::units::reform::parse_mapping(mapping.as_bytes()) {
                prop_assert!(!problems.is_empty() && problems.iter().all(|p| !p.is_empty()));
            }
            Ok(())
        })
        .unwrap();
    let mut runner = TestRunner::new(config());
    runner
        .run(&proptest::collection::vec(any::<u8>(), 0..400), |bytes| {
            let _ = khaosat::households::register::parse_register(&bytes[..], 2026, &mut |_| {});
            let _ = khaosat::units::reform::parse_mapping(&bytes[..]);
            Ok(())
        })
        .unwrap();
}

/// A relevance rule as a province might write one, right or wrong (nested up to three deep).
fn condition() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::json;
    let field = prop_oneof![
        Just("has_phone"),
        Just("sex"),
        Just("birth_year"),
        Just("vneid_level"),
        Just("no_such_field"),
        Just("")
    ];
    let leaf = prop_oneof![
        field.clone().prop_map(|f| json!({ "yes": f })),
        field.clone().prop_map(|f| json!({ "answered": f })),
        (field.clone(), any::<i64>())
            .prop_map(|(f, v)| json!({"at_least": {"field": f, "value": v}})),
        (field, "[a-z]{0,6}").prop_map(|(f, v)| json!({"equals": {"field": f, "value": v}})),
        any::<i64>().prop_map(|n| json!({ "age_at_least": n })),
        Just(json!({"bogus": 1})),
        Just(json!("yes")),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(|v| json!({ "all": v })),
            proptest::collection::vec(inner.clone(), 0..3).prop_map(|v| json!({ "any": v })),
            inner.prop_map(|c| json!({ "not": c })),
        ]
    })
}

/// A field as a province might write one, right or wrong.
fn field() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::json;
    let key = prop_oneof![
        "[a-z][a-z0-9_]{0,10}",
        Just("deleted".to_string()),
        Just("Bad Key".to_string()),
        Just(String::new()),
        Just("has_cccd".to_string()),
        Just("x".repeat(60)),
    ];
    let kind = prop_oneof![
        Just("yes_no"),
        Just("choice"),
        Just("choices"),
        Just("number"),
        Just("year"),
        Just("text"),
        Just("date"),
        Just("nonsense")
    ];
    let choice = prop_oneof![
        "[a-z_]{0,5}".prop_map(|v| json!({"value": v, "label": {"vi": "Lựa chọn"}})),
        any::<i64>().prop_map(|v| json!({"value": v, "label": {"vi": ""}})),
    ];
    (
        key,
        kind,
        "[A-Za-zạăế ]{0,8}",
        proptest::collection::vec(choice, 0..4),
        proptest::option::of((any::<i64>(), any::<i64>())),
        proptest::option::of(condition()),
        any::<bool>(),
    )
        .prop_map(|(key, kind, label, choices, range, relevant, hidden)| {
            let mut f = json!({"key": key, "type": kind, "label": {"vi": label}, "choices": choices, "hidden": hidden});
            if let Some((lo, hi)) = range {
                f["min"] = json!(lo);
                f["max"] = json!(hi);
            }
            if let Some(r) = relevant {
                f["relevant"] = r;
            }
            f
        })
}

#[test]
fn survey_definitions_take_any_draft() {
    let v1: serde_json::Value =
        serde_json::from_str(include_str!("../../server/survey/definition/v1.json")).unwrap();
    let sections = ["household", "person", "visit"];
    let parsed = std::sync::atomic::AtomicUsize::new(0);
    let mut runner = TestRunner::new(config());
    runner
        .run(
            &(
                proptest::collection::vec((0..3usize, field()), 0..4),
                proptest::collection::vec((0..3usize, 0..20usize), 0..3),
            ),
            |(added, removed)| {
                let mut def = v1.clone();
                for (s, i) in removed {
                    let list = def[sections[s]].as_array_mut().unwrap();
                    if i < list.len() {
                        list.remove(i);
                    }
                }
                for (s, f) in added {
                    def[sections[s]].as_array_mut().unwrap().push(f);
                }
                // What the server does with a draft: parse it, then check it against version 1.
                if let Ok(draft) =
                    serde_json::from_value::<khaosat::survey::definition::SurveyDefinition>(def)
                {
                    parsed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let problems = khaosat::survey::definition::check_definition(
                        &draft,
                        khaosat::survey::definition::version_1(),
                    );
                    prop_assert!(problems
                        .iter()
                        .all(|p| !p.message.is_empty() && !p.rule.is_empty()));
                }
                Ok(())
            },
        )
        .unwrap();
    let parsed = parsed.load(std::sync::atomic::Ordering::Relaxed);
    eprintln!(
        "survey drafts: {} drawn, {parsed} parsed and checked",
        cases()
    );
    assert!(parsed > 0, "some drafts were well-formed JSON definitions");
}

/// Values drawn from a strategy outside a proptest runner (for tests that talk to the server).
fn draw<S: Strategy>(runner: &mut TestRunner, strategy: &S) -> S::Value {
    strategy.new_tree(runner).expect("value").current()
}

async fn document(app: &TestApp, token: &str) -> (String, AutoCommit) {
    let document_id = crate::sync_support::document_of(app, token, "39301.01").await;
    let mut doc = AutoCommit::new();
    let mut peer = RustPeer::connect(&app.ws_base(), token).await.unwrap();
    assert_eq!(peer.sync(&document_id, &mut doc).await, Outcome::Synced);
    crate::matrix::record_household(&mut doc, "trước");
    assert_eq!(peer.sync(&document_id, &mut doc).await, Outcome::Synced);
    (document_id, doc)
}

async fn random_sync_messages_store_nothing(app: &TestApp) {
    let token = app.token("demo-lead").await;
    let (document_id, mut doc) = document(app, &token).await;
    let heads = doc.get_heads();
    let mut state = automerge::sync::State::new();
    let real = doc
        .sync()
        .generate_sync_message(&mut state)
        .unwrap()
        .encode();
    let strategy = prop_oneof![
        proptest::collection::vec(any::<u8>(), 1..256),
        mutated(real),
    ];
    let mut runner = TestRunner::deterministic();
    let mut peer = RustPeer::connect(&app.ws_base(), &token).await.unwrap();
    let document: DocumentId = document_id.parse().unwrap();
    let rounds = (cases() / 10).max(20);
    let (mut errors, mut reconnects) = (0, 0);
    for _ in 0..rounds {
        let data = draw(&mut runner, &strategy);
        let frame = WireMessage::sync(&peer.peer_id, &peer.server_peer_id, &document, data);
        if !peer.try_send(&frame).await {
            peer = RustPeer::connect(&app.ws_base(), &token).await.unwrap();
            reconnects += 1;
            continue;
        }
        // Each one is answered: an error, or (for a message that still decodes) a sync reply.
        match peer.recv(std::time::Duration::from_secs(5)).await {
            Some(reply) => {
                assert!(["error", "sync"].contains(&reply.kind()), "{reply:?}");
                errors += usize::from(matches!(reply, WireMessage::Error { .. }));
            }
            None => {
                peer = RustPeer::connect(&app.ws_base(), &token).await.unwrap();
                reconnects += 1;
            }
        }
    }
    eprintln!("{rounds} random sync messages: {errors} errors, {reconnects} reconnects");
    assert!(
        errors > rounds as usize / 2,
        "most garbage is refused with an error"
    );
    // The document is as it was, and a phone still syncs it.
    let mut fresh = AutoCommit::new();
    let mut peer = RustPeer::connect(&app.ws_base(), &token).await.unwrap();
    assert_eq!(peer.sync(&document_id, &mut fresh).await, Outcome::Synced);
    assert_eq!(
        fresh.get_heads(),
        heads,
        "nothing from the garbage was stored"
    );
    crate::matrix::record_household(&mut doc, "sau");
    let mut peer = RustPeer::connect(&app.ws_base(), &token).await.unwrap();
    assert_eq!(peer.sync(&document_id, &mut doc).await, Outcome::Synced);
}

async fn random_frames_are_answered(app: &TestApp) {
    let token = app.token("demo-lead").await;
    let (document_id, _) = document(app, &token).await;
    let strategy = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..256),
        mutated(valid_frame()),
    ];
    let mut runner = TestRunner::deterministic();
    let mut peer = RustPeer::connect(&app.ws_base(), &token).await.unwrap();
    for _ in 0..(cases() / 10).max(20) {
        let bytes = draw(&mut runner, &strategy);
        if !peer.send_raw(Message::Binary(bytes.into())).await
            || peer.recv(std::time::Duration::from_secs(5)).await.is_none()
        {
            peer = RustPeer::connect(&app.ws_base(), &token).await.unwrap();
        }
    }
    let (status, _) = app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(status, 200);
    let mut doc = AutoCommit::new();
    let mut peer = RustPeer::connect(&app.ws_base(), &token).await.unwrap();
    assert_eq!(peer.sync(&document_id, &mut doc).await, Outcome::Synced);
}

async fn random_csv_uploads_get_clear_answers(app: &TestApp) {
    let admin = app.token("demo-admin").await;
    let mut runner = TestRunner::deterministic();
    let households = "village_code,head_name,address,member_name,birth_year\n(39301\\.0[1-4]|[0-9.]{0,9}|),[a-zA-Zạ ]{0,12},[a-z0-9 ]{0,8},[a-zA-Zộ \"]{0,12},(19[0-9]{2}|20[0-2][0-9]|[0-9a-z]{0,5})\n{1,3}";
    let units = "code,name,level,parent_code\n[a-z0-9.]{0,6},[a-zA-Z ]{0,10},(village|commune|district|province|[a-z]{0,6}),(39301|38|[0-9]{0,3})\n";
    let rounds = (cases() / 20).max(20);
    let mut accepted = 0;
    for i in 0..rounds {
        let (path, pattern) = if i % 2 == 0 {
            ("/api/v1/households/import", households)
        } else {
            ("/api/v1/units/import", units)
        };
        let body = draw(&mut runner, &pattern);
        let answer = app
            .send_raw(
                Method::POST,
                path,
                Some(&admin),
                "text/csv",
                body.clone().into(),
            )
            .await;
        // The register import runs as a job: judge its outcome.
        let (status, reply) = app.import_outcome(&admin, answer).await;
        assert!(
            status.is_success() || status.is_client_error(),
            "{path} with {body:?}: {status} {reply}"
        );
        if status.is_success() {
            accepted += 1;
        } else {
            let message = reply["error"]["message"].as_str().unwrap_or_default();
            assert!(!message.is_empty(), "{reply}");
        }
    }
    eprintln!("{rounds} random CSV uploads: {accepted} accepted, the rest refused with a message");
    assert_eq!(app.call(Method::GET, "/readyz", None, None).await.0, 200);
}

async fn documents_have_a_size_limit(app: &TestApp) {
    let token = app.token("demo-lead").await;
    let document_id = crate::sync_support::document_of(app, &token, "39301.02").await;
    // The phone starts from the server's copy (its `households` map), as the PWA does.
    let mut doc = AutoCommit::new();
    let mut peer = RustPeer::connect(&app.ws_base(), &token).await.unwrap();
    assert_eq!(peer.sync(&document_id, &mut doc).await, Outcome::Synced);
    let mut refused = None;
    for round in 0..40 {
        for _ in 0..20 {
            crate::matrix::record_household(&mut doc, &"x".repeat(100));
        }
        let mut peer = RustPeer::connect(&app.ws_base(), &token).await.unwrap();
        match peer.sync(&document_id, &mut doc).await {
            Outcome::Synced => {}
            Outcome::Error(message) => {
                refused = Some((round, message));
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    let (round, message) = refused.expect("the limit is reached");
    assert!(round > 0, "earlier rounds were stored");
    assert!(
        message.contains("size limit") && message.contains("stay on the phone"),
        "{message}"
    );
    // What was stored before the limit is intact and still syncs to a reader.
    let mut reader = AutoCommit::new();
    let mut peer = RustPeer::connect(&app.ws_base(), &token).await.unwrap();
    assert_eq!(peer.sync(&document_id, &mut reader).await, Outcome::Synced);
    let stored = khaosat::survey::read::household_ids(&reader).len();
    assert_eq!(stored, round * 20, "{message}");
}
