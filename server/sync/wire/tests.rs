use std::collections::BTreeMap;

use super::*;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn peer(id: &str) -> PeerId {
    id.parse().unwrap()
}

const DOC: &str = "1Bhh3pU9gLXZiNDL6PEa1Gs9fh";

fn doc() -> DocumentId {
    DOC.parse().unwrap()
}

#[test]
fn reads_a_join_as_cbor_x_writes_it() {
    // A join from the JS client, with storageId `undefined` (0xf7), as cbor-x encodes it.
    let bytes = hex("b9 0004 6474797065 646a6f696e 6873656e6465724964 68706565722d616263 6c706565724d65746164617461
        b9 0002 6973746f726167654964 f7 6b6973457068656d6572616c f5 7819737570706f7274656450726f746f636f6c56657273696f6e73 81 6131");
    let WireMessage::Join {
        sender_id,
        peer_metadata,
        supported_protocol_versions,
    } = WireMessage::decode(&bytes).unwrap()
    else {
        panic!("not a join");
    };
    assert_eq!(sender_id.as_str(), "peer-abc");
    assert_eq!(supported_protocol_versions, Some(vec!["1".to_string()]));
    let metadata = peer_metadata.unwrap();
    assert_eq!(metadata.is_ephemeral, Some(true));
    assert_eq!(metadata.storage_id, None);
}

#[test]
fn sync_data_is_a_byte_string_both_ways() {
    // A sync as cbor-x writes it, keys in the JS client's order (documentId is 26 characters).
    let bytes = hex(
        "b90005 6474797065 6473796e63 687461726765744964 63737276 6464617461 43 420000
        6a646f63756d656e744964 781a 3142686833705539674c585a694e444c36504561314773396668
        6873656e6465724964 68706565722d616263",
    );
    let m = WireMessage::decode(&bytes).unwrap();
    let WireMessage::Sync {
        data, document_id, ..
    } = &m
    else {
        panic!("not a sync: {m:?}");
    };
    assert_eq!(data.as_slice(), &[0x42, 0, 0][..]);
    assert_eq!(document_id, &doc());
    let out = WireMessage::sync(&peer("srv"), &peer("peer"), &doc(), vec![0x42, 0, 0]).encode();
    // 0x43 = byte string of length 3.
    assert!(
        out.windows(4).any(|w| w == [0x43, 0x42, 0, 0]),
        "{out:02x?}"
    );
    assert_eq!(
        WireMessage::decode(&out).unwrap(),
        WireMessage::sync(&peer("srv"), &peer("peer"), &doc(), vec![0x42, 0, 0])
    );
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    for bytes in [
        &b""[..],
        &[0xff][..],
        &[0xb9, 0xff, 0xff][..],
        b"not cbor at all",
    ] {
        assert!(WireMessage::decode(bytes).is_err());
    }
}

#[test]
fn writes_the_bytes_it_always_wrote() {
    // What the server wrote before its messages were typed (one flat struct, fields in this
    // order), which stock clients read: the typed messages must not change a byte of it.
    let (srv, phone) = (peer("khaosat-x"), peer("phone-1"));
    let storage = StorageId::from("s-1".to_string());
    let from_to = "6873656e6465724964 69 6b68616f7361742d78 687461726765744964 67 70686f6e652d31";
    let document =
        "6a646f63756d656e744964 781a 3142686833705539674c585a694e444c36504561314773396668";
    let cases = [
        (
            WireMessage::peer(&srv, &phone, &storage),
            format!("a5 6474797065 6470656572 {from_to}
                7773656c656374656450726f746f636f6c56657273696f6e 6131
                6c706565724d65746164617461 a2 6973746f726167654964 63732d31 6b6973457068656d6572616c f4"),
        ),
        (
            WireMessage::sync(&srv, &phone, &doc(), vec![1, 2, 3]),
            format!("a5 6474797065 6473796e63 {from_to} {document} 6464617461 43010203"),
        ),
        (
            WireMessage::doc_unavailable(&srv, &phone, &doc()),
            format!("a4 6474797065 6f646f632d756e617661696c61626c65 {from_to} {document}"),
        ),
        (
            WireMessage::error(&srv, None, "send join first"),
            "a3 6474797065 656572726f72 6873656e6465724964 69 6b68616f7361742d78
                676d657373616765 6f73656e64206a6f696e206669727374"
                .to_string(),
        ),
        (
            WireMessage::error(&srv, Some(&phone), "no"),
            format!("a4 6474797065 656572726f72 {from_to} 676d657373616765 626e6f"),
        ),
    ];
    for (message, bytes) in cases {
        assert_eq!(message.encode(), hex(&bytes), "{message:?}");
    }
}

#[test]
fn every_message_reads_back_as_written() {
    let (a, b) = (peer("a"), peer("b"));
    let storage = StorageId::from("3760df37-a4c6-4f66-9ecd-732039a9385d".to_string());
    let messages = [
        WireMessage::join(&a),
        WireMessage::Join {
            sender_id: a.clone(),
            peer_metadata: Some(PeerMetadata {
                storage_id: Some(storage.clone()),
                is_ephemeral: Some(false),
            }),
            supported_protocol_versions: Some(vec!["1".into(), "2".into()]),
        },
        WireMessage::peer(&a, &b, &storage),
        WireMessage::request(&a, &b, &doc(), vec![0x42]),
        WireMessage::sync(&a, &b, &doc(), vec![0x42, 1]),
        WireMessage::doc_unavailable(&a, &b, &doc()),
        WireMessage::error(&a, None, "x"),
        WireMessage::error(&a, Some(&b), "y"),
        WireMessage::Ephemeral {
            sender_id: a.clone(),
            target_id: b.clone(),
            count: 7,
            session_id: "session".into(),
            document_id: doc(),
            data: vec![0xa0],
        },
        WireMessage::RemoteSubscriptionChange {
            sender_id: a.clone(),
            target_id: b.clone(),
            add: Some(vec![storage.clone()]),
            remove: None,
        },
        WireMessage::RemoteHeadsChanged {
            sender_id: a.clone(),
            target_id: b.clone(),
            document_id: doc(),
            new_heads: BTreeMap::from([(
                storage.clone(),
                HeadsInfo {
                    heads: vec!["abc".into()],
                    timestamp: 1_700_000_000_000.0,
                },
            )]),
        },
        WireMessage::Unknown {
            kind: "leave".into(),
        },
    ];
    for m in messages {
        assert_eq!(WireMessage::decode(&m.encode()).unwrap(), m);
    }
}

/// A hand-made frame: a CBOR map with text keys.
fn frame(fields: &[(&str, ciborium::Value)]) -> Vec<u8> {
    let map = fields
        .iter()
        .map(|(k, v)| (ciborium::Value::Text(k.to_string()), v.clone()))
        .collect();
    let mut out = Vec::new();
    ciborium::into_writer(&ciborium::Value::Map(map), &mut out).unwrap();
    out
}

fn text(s: &str) -> ciborium::Value {
    ciborium::Value::Text(s.into())
}

#[test]
fn unknown_types_are_not_errors_and_bad_fields_are_named() {
    let leave = frame(&[("type", text("leave")), ("senderId", text("a"))]);
    assert_eq!(
        WireMessage::decode(&leave).unwrap(),
        WireMessage::Unknown {
            kind: "leave".into()
        }
    );
    let named = |bytes: Vec<u8>| match WireMessage::decode(&bytes) {
        Err(DecodeError::Invalid { kind, field, .. }) => (kind, field),
        other => panic!("{other:?}"),
    };
    // The connection answers these three in words of their own.
    assert_eq!(
        named(frame(&[("type", text("join")), ("senderId", text(""))])),
        (MessageType::Join, "senderId")
    );
    let sync = [
        ("type", text("sync")),
        ("senderId", text("a")),
        ("targetId", text("b")),
    ];
    let mut bad_doc = sync.to_vec();
    bad_doc.push(("documentId", text("not-a-document")));
    bad_doc.push(("data", ciborium::Value::Bytes(vec![1])));
    assert_eq!(named(frame(&bad_doc)), (MessageType::Sync, "documentId"));
    let mut no_data = sync.to_vec();
    no_data.push(("documentId", text(DOC)));
    assert_eq!(named(frame(&no_data)), (MessageType::Sync, "data"));
    no_data.push(("data", ciborium::Value::Bytes(vec![])));
    assert_eq!(named(frame(&no_data)), (MessageType::Sync, "data"));
    // A field of another message is not this message's business.
    let mut extra = sync.to_vec();
    extra.push(("documentId", text(DOC)));
    extra.push(("data", ciborium::Value::Bytes(vec![1])));
    extra.push(("count", text("not a number")));
    assert!(matches!(
        WireMessage::decode(&frame(&extra)),
        Ok(WireMessage::Sync { .. })
    ));
}

#[test]
fn message_types_name_themselves() {
    for t in MessageType::ALL {
        assert_eq!(MessageType::parse(t.as_str()), Some(t));
    }
    assert_eq!(MessageType::parse("leave"), None);
}
