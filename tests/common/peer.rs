//! A real Automerge peer in Rust speaking automerge-repo's WebSocket protocol, as a phone would.

use std::time::Duration;

use automerge::sync::{self, SyncDoc};
use automerge::AutoCommit;
use futures_util::{SinkExt, StreamExt};
use khaosat::sync::wire::{DocumentId, PeerId, StorageId, WireMessage};
use tokio_tungstenite::tungstenite::Message;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub struct RustPeer {
    ws: Socket,
    pub peer_id: PeerId,
    pub server_peer_id: PeerId,
    pub storage_id: Option<StorageId>,
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
        let peer_id: PeerId = format!("rust-peer-{}", uuid::Uuid::new_v4().simple())
            .parse()
            .map_err(|e| format!("{e}"))?;
        let mut peer = RustPeer {
            ws,
            // Replaced by the server's own as soon as it answers.
            server_peer_id: peer_id.clone(),
            peer_id,
            storage_id: None,
        };
        peer.send(&WireMessage::join(&peer.peer_id)).await;
        let reply = peer
            .recv(Duration::from_secs(5))
            .await
            .ok_or("no answer to join")?;
        let WireMessage::Peer {
            sender_id,
            peer_metadata,
            ..
        } = reply
        else {
            return Err(format!("expected peer, got {reply:?}"));
        };
        peer.server_peer_id = sender_id;
        peer.storage_id = peer_metadata.storage_id;
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
        let document_id: DocumentId = document_id.parse().expect("a document id");
        let request = doc.get_heads().is_empty();
        if let Some(m) = doc.sync().generate_sync_message(state) {
            if !self
                .try_send(&self.message(request, &document_id, m.encode()))
                .await
            {
                return Outcome::Error("connection closed".into());
            }
        }
        loop {
            let Some(reply) = self.recv(Duration::from_secs(10)).await else {
                return Outcome::Error("no answer within 10 s".into());
            };
            match reply {
                WireMessage::DocUnavailable { .. } => return Outcome::Unavailable,
                WireMessage::Error { message, .. } => return Outcome::Error(message),
                WireMessage::Sync {
                    document_id: of,
                    data,
                    ..
                } if of == document_id => {
                    let msg = sync::Message::decode(&data).expect("server sync message");
                    doc.sync()
                        .receive_sync_message(state, msg)
                        .expect("apply server message");
                    if let Some(m) = doc.sync().generate_sync_message(state) {
                        if !self
                            .try_send(&self.message(false, &document_id, m.encode()))
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
        let document_id: DocumentId = document_id.parse().expect("a document id");
        let deadline = tokio::time::Instant::now() + wait;
        let mut received = 0;
        while let Some(left) = deadline.checked_duration_since(tokio::time::Instant::now()) {
            let Some(m) = self.recv(left).await else {
                break;
            };
            if let WireMessage::Sync {
                document_id: of,
                data,
                ..
            } = m
            {
                if of != document_id {
                    continue;
                }
                received += 1;
                let msg = sync::Message::decode(&data).expect("server sync message");
                doc.sync()
                    .receive_sync_message(state, msg)
                    .expect("apply server message");
                if let Some(reply) = doc.sync().generate_sync_message(state) {
                    if !self
                        .try_send(&self.message(false, &document_id, reply.encode()))
                        .await
                    {
                        break;
                    }
                }
            }
        }
        received
    }

    /// A `request` (asking for a document we have nothing of) or a `sync`.
    fn message(&self, request: bool, document_id: &DocumentId, data: Vec<u8>) -> WireMessage {
        if request {
            WireMessage::request(&self.peer_id, &self.server_peer_id, document_id, data)
        } else {
            WireMessage::sync(&self.peer_id, &self.server_peer_id, document_id, data)
        }
    }
}

fn sorted(h: &[automerge::ChangeHash]) -> Vec<automerge::ChangeHash> {
    let mut v = h.to_vec();
    v.sort();
    v
}
