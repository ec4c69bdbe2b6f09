//! A phone's automerge-repo WebSocket connection (protocol "1": CBOR messages in binary frames).

use std::time::Duration;

use automerge::sync::{self, SyncDoc};
use automerge::{AutoCommit, ChangeHash};
use futures_util::{SinkExt, StreamExt};
use khaosat::sync::wire::{DocumentId, PeerId, WireMessage};
use tokio_tungstenite::tungstenite::Message;

/// Longest wait for any one answer from the server before a phone counts as failed.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(60);

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A phone's automerge-repo connection. It counts the payload bytes of every WebSocket frame
/// it sends and receives (frame headers and TCP/IP are not counted).
pub struct SyncConn {
    ws: Socket,
    peer_id: PeerId,
    server_peer_id: PeerId,
    sent: u64,
    received: u64,
}

impl SyncConn {
    /// Opens the socket and does the join/peer handshake.
    pub async fn open(url: &str, peer_id: &str) -> Result<SyncConn, String> {
        let (ws, _) = tokio::time::timeout(ANSWER_TIMEOUT, tokio_tungstenite::connect_async(url))
            .await
            .map_err(|_| "WebSocket connect timed out".to_string())?
            .map_err(|e| format!("WebSocket connect: {e}"))?;
        let peer_id: PeerId = peer_id
            .parse()
            .map_err(|e| format!("peer id {peer_id:?}: {e}"))?;
        let mut conn = SyncConn {
            ws,
            // Replaced by the server's own as soon as it answers.
            server_peer_id: peer_id.clone(),
            peer_id,
            sent: 0,
            received: 0,
        };
        conn.send(&WireMessage::join(&conn.peer_id)).await?;
        match conn.recv().await? {
            WireMessage::Peer { sender_id, .. } => conn.server_peer_id = sender_id,
            reply => return Err(format!("expected `peer` after `join`, got {reply:?}")),
        }
        Ok(conn)
    }

    pub fn wire_bytes(&self) -> u64 {
        self.sent + self.received
    }

    async fn send(&mut self, message: &WireMessage) -> Result<(), String> {
        let frame = message.encode();
        self.sent += frame.len() as u64;
        self.ws
            .send(Message::Binary(frame.into()))
            .await
            .map_err(|e| format!("sending: {e}"))
    }

    /// The next protocol message (control frames are counted and skipped).
    async fn recv(&mut self) -> Result<WireMessage, String> {
        self.recv_within(ANSWER_TIMEOUT)
            .await?
            .ok_or_else(|| format!("no answer within {ANSWER_TIMEOUT:?}"))
    }

    /// The next protocol message, or None when the server says nothing for `wait`.
    async fn recv_within(&mut self, wait: Duration) -> Result<Option<WireMessage>, String> {
        // One deadline for the whole wait: pings from the server do not extend it.
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let Ok(frame) = tokio::time::timeout_at(deadline, self.ws.next()).await else {
                return Ok(None);
            };
            let frame = match frame {
                Some(Ok(frame)) => frame,
                Some(Err(e)) => return Err(format!("receiving: {e}")),
                None => return Err("the server closed the connection".into()),
            };
            self.received += frame.len() as u64;
            match frame {
                Message::Binary(bytes) => {
                    return WireMessage::decode(&bytes)
                        .map(Some)
                        .map_err(|e| format!("server frame: {e}"))
                }
                Message::Close(_) => return Err("the server closed the connection".into()),
                _ => continue,
            }
        }
    }

    /// Syncs `doc` as an automerge-repo client does, until the server's heads (as its last
    /// message states them) equal ours: the server has stored everything we have.
    pub async fn sync_doc(
        &mut self,
        document_id: &str,
        doc: &mut AutoCommit,
        state: &mut sync::State,
    ) -> Result<(), String> {
        self.sync_doc_quiet(document_id, doc, state, None).await
    }

    /// `sync_doc`, but with `quiet`, a server that says nothing for that long counts as having
    /// nothing to say (the stock server does not answer a peer it believes up to date).
    pub async fn sync_doc_quiet(
        &mut self,
        document_id: &str,
        doc: &mut AutoCommit,
        state: &mut sync::State,
        quiet: Option<Duration>,
    ) -> Result<(), String> {
        let document_id: DocumentId = document_id
            .parse()
            .map_err(|e| format!("document {document_id:?}: {e}"))?;
        // automerge-repo asks for a document it has nothing of with `request`.
        let request = doc.get_heads().is_empty();
        match doc.sync().generate_sync_message(state) {
            Some(m) => {
                self.send(&self.message(request, &document_id, m.encode()))
                    .await?
            }
            // The sync state says the server already has everything: nothing to ask.
            None => return Ok(()),
        }
        loop {
            let reply = match quiet {
                None => self.recv().await?,
                Some(wait) => match self.recv_within(wait).await? {
                    Some(reply) => reply,
                    None => return Ok(()),
                },
            };
            match reply {
                WireMessage::DocUnavailable { .. } => {
                    return Err(format!("document {document_id} unavailable"))
                }
                WireMessage::Error { message, .. } => {
                    return Err(format!("server error: {message}"))
                }
                // A peer that lacks the document asks for it with `request`, which carries a
                // sync message like `sync` (the stock server does, for a document it has not seen).
                WireMessage::Sync {
                    document_id: of,
                    data,
                    ..
                }
                | WireMessage::Request {
                    document_id: of,
                    data,
                    ..
                } if of == document_id => {
                    let message = sync::Message::decode(&data)
                        .map_err(|e| format!("server sync message: {e}"))?;
                    doc.sync()
                        .receive_sync_message(state, message)
                        .map_err(|e| format!("applying the server's message: {e}"))?;
                    if let Some(m) = doc.sync().generate_sync_message(state) {
                        self.send(&self.message(false, &document_id, m.encode()))
                            .await?;
                    }
                    match &state.their_heads {
                        Some(theirs) if server_has_all(doc, theirs) => return Ok(()),
                        Some(_) if state.peer_read_only => {
                            return Err("the server syncs this document read-only".into())
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
    }

    /// Closes politely and reads until the server's close, so every frame the server had
    /// queued is counted. Returns the bytes of the whole connection.
    pub async fn close(mut self) -> u64 {
        if self.ws.close(None).await.is_ok() {
            let (ws, received) = (&mut self.ws, &mut self.received);
            let drain = async {
                while let Some(Ok(frame)) = ws.next().await {
                    *received += frame.len() as u64;
                }
            };
            tokio::time::timeout(Duration::from_secs(5), drain)
                .await
                .ok();
        }
        self.wire_bytes()
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

fn sorted(heads: &[ChangeHash]) -> Vec<ChangeHash> {
    let mut v = heads.to_vec();
    v.sort();
    v
}

/// Whether a peer whose heads are `theirs` has every change of `doc`: the same heads, or (when
/// others wrote to the document too) heads we know of whose history holds all of ours.
fn server_has_all(doc: &mut AutoCommit, theirs: &[ChangeHash]) -> bool {
    if sorted(theirs) == sorted(&doc.get_heads()) {
        return true;
    }
    theirs.iter().all(|h| doc.get_change_by_hash(h).is_some()) && doc.get_changes(theirs).is_empty()
}
