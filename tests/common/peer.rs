//! A real Automerge peer in Rust speaking automerge-repo's WebSocket protocol, as a phone would.

use std::time::Duration;

use automerge::sync::{self, SyncDoc};
use automerge::AutoCommit;
use futures_util::{SinkExt, StreamExt};
use khaosat::sync::wire::WireMessage;
use tokio_tungstenite::tungstenite::Message;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub struct RustPeer {
    ws: Socket,
    pub peer_id: String,
    pub server_peer_id: String,
    pub storage_id: Option<String>,
}

#[derive(Debug, PartialEq)]
pub enum Outcome {
    /// Both sides have the same heads.
    Synced,
    Unavailable,
    /// The server syncs this document read-only and did not take our changes.
    ReadOnly,
    Error(String),
}

impl RustPeer {
    /// Opens the socket and does the join/peer handshake.
    pub async fn connect(ws_base: &str, token: &str) -> Result<RustPeer, String> {
        let url = format!("{ws_base}/api/v1/sync?token={token}");
        let (ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .map_err(|e| e.to_string())?;
        let peer_id = format!("rust-peer-{}", uuid::Uuid::new_v4().simple());
        let mut peer = RustPeer {
            ws,
            peer_id: peer_id.clone(),
            server_peer_id: String::new(),
            storage_id: None,
        };
        peer.send(&WireMessage {
            kind: "join".into(),
            sender_id: Some(peer_id),
            supported_protocol_versions: Some(vec!["1".into()]),
            ..Default::default()
        })
        .await;
        let reply = peer
            .recv(Duration::from_secs(5))
            .await
            .ok_or("no answer to join")?;
        if reply.kind != "peer" {
            return Err(format!("expected peer, got {reply:?}"));
        }
        peer.server_peer_id = reply.sender_id.unwrap_or_default();
        peer.storage_id = reply.peer_metadata.and_then(|m| m.storage_id);
        Ok(peer)
    }

    pub async fn send(&mut self, m: &WireMessage) {
        assert!(
            self.send_raw(Message::Binary(m.encode().into())).await,
            "server closed the connection"
        );
    }

    /// Sends a message; false when the server has closed the connection (a killed server is
    /// an expected outcome in the crash test, not a test failure).
    pub async fn try_send(&mut self, m: &WireMessage) -> bool {
        self.send_raw(Message::Binary(m.encode().into())).await
    }

    /// Sends a frame; false when the server has closed the connection.
    pub async fn send_raw(&mut self, m: Message) -> bool {
        self.ws.send(m).await.is_ok()
    }

    /// The next protocol message, or `None` after `wait` (or when the socket closed).
    pub async fn recv(&mut self, wait: Duration) -> Option<WireMessage> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .ok()??;
            match frame {
                Ok(Message::Binary(b)) => {
                    return Some(WireMessage::decode(&b).expect("server frames decode"))
                }
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => continue,
            }
        }
    }

    /// Whether the server closed the connection within `wait`.
    pub async fn closed_within(&mut self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Err(_) => return false,
                Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(Message::Close(_)))) => return true,
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    /// Syncs one document until both sides hold the same heads.
    pub async fn sync(&mut self, document_id: &str, doc: &mut AutoCommit) -> Outcome {
        let mut state = sync::State::new();
        self.sync_with(document_id, doc, &mut state).await
    }

    /// Like `sync`, keeping the sync state so the session can go on (see `receive_updates`).
    pub async fn sync_with(
        &mut self,
        document_id: &str,
        doc: &mut AutoCommit,
        state: &mut sync::State,
    ) -> Outcome {
        let kind = if doc.get_heads().is_empty() {
            "request"
        } else {
            "sync"
        };
        if let Some(m) = doc.sync().generate_sync_message(state) {
            if !self
                .try_send(&self.message(kind, document_id, m.encode()))
                .await
            {
                return Outcome::Error("connection closed".into());
            }
        }
        loop {
            let Some(reply) = self.recv(Duration::from_secs(10)).await else {
                return Outcome::Error("no answer within 10 s".into());
            };
            match reply.kind.as_str() {
                "doc-unavailable" => return Outcome::Unavailable,
                "error" => return Outcome::Error(reply.message.unwrap_or_default()),
                "sync" if reply.document_id.as_deref() == Some(document_id) => {
                    let msg = sync::Message::decode(reply.data.as_deref().unwrap_or_default())
                        .expect("server sync message");
                    doc.sync()
                        .receive_sync_message(state, msg)
                        .expect("apply server message");
                    if let Some(m) = doc.sync().generate_sync_message(state) {
                        if !self
                            .try_send(&self.message("sync", document_id, m.encode()))
                            .await
                        {
                            return Outcome::Error("connection closed".into());
                        }
                    }
                    let same = state
                        .their_heads
                        .as_ref()
                        .is_some_and(|h| sorted(h) == sorted(&doc.get_heads()));
                    if state.peer_read_only && !same && state.their_heads.is_some() {
                        return Outcome::ReadOnly;
                    }
                    if state
                        .their_heads
                        .as_ref()
                        .is_some_and(|h| sorted(h) == sorted(&doc.get_heads()))
                    {
                        return Outcome::Synced;
                    }
                }
                _ => {}
            }
        }
    }

    /// Applies whatever the server pushes for `document_id` during `wait` (answering as a
    /// client does); returns how many sync messages arrived.
    pub async fn receive_updates(
        &mut self,
        document_id: &str,
        doc: &mut AutoCommit,
        state: &mut sync::State,
        wait: Duration,
    ) -> usize {
        let deadline = tokio::time::Instant::now() + wait;
        let mut received = 0;
        while let Some(left) = deadline.checked_duration_since(tokio::time::Instant::now()) {
            let Some(m) = self.recv(left).await else {
                break;
            };
            if m.kind == "sync" && m.document_id.as_deref() == Some(document_id) {
                received += 1;
                let msg = sync::Message::decode(m.data.as_deref().unwrap_or_default())
                    .expect("server sync message");
                doc.sync()
                    .receive_sync_message(state, msg)
                    .expect("apply server message");
                if let Some(reply) = doc.sync().generate_sync_message(state) {
                    if !self
                        .try_send(&self.message("sync", document_id, reply.encode()))
                        .await
                    {
                        break;
                    }
                }
            }
        }
        received
    }

    fn message(&self, kind: &str, document_id: &str, data: Vec<u8>) -> WireMessage {
        let mut m = WireMessage::sync(&self.peer_id, &self.server_peer_id, document_id, data);
        m.kind = kind.into();
        m
    }
}

fn sorted(h: &[automerge::ChangeHash]) -> Vec<automerge::ChangeHash> {
    let mut v = h.to_vec();
    v.sort();
    v
}
