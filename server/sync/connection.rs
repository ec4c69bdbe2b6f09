//! One WebSocket connection speaking automerge-repo's protocol for an authenticated user.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::{broadcast, mpsc};

use crate::auth::{load_principal, Principal};
use crate::error::Error;
use crate::privacy::{self, Read};
use crate::store::{Store, VillageDocRow};
use crate::sync::access::{document_access, Access};
use crate::sync::hub::SyncHub;
use crate::sync::village::ConnRef;
use crate::sync::wire::{
    DecodeError, DocumentId, MessageType, PeerId, WireMessage, PROTOCOL_VERSION,
};
use crate::sync::SyncError;
use crate::sync::Uploader;

/// Frames queued for a connection before it counts as not keeping up.
const OUTBOX: usize = 1024;
const PING_EVERY: Duration = Duration::from_secs(20);
/// How often a long-lived connection re-checks who it is and what it may sync even when no
/// change was announced (a backstop: changes are announced and applied at once).
const RECHECK_EVERY: Duration = Duration::from_secs(60);

struct Connection<'a> {
    hub: &'a SyncHub,
    store: &'a Store,
    /// Who the connection acts for, re-read whenever their access changes.
    who: Principal,
    device_id: String,
    id: u64,
    out: mpsc::Sender<Vec<u8>>,
    /// The client's peer id, once it has sent `join`.
    peer_id: Option<PeerId>,
    /// Access decided per document on first use (`None`: unavailable to this user).
    access: HashMap<DocumentId, Option<(VillageDocRow, Access)>>,
    synced: HashSet<DocumentId>,
    /// Documents whose read by an official this connection has already logged.
    logged: HashSet<DocumentId>,
    /// The access epoch at which `who` and `access` were last decided.
    epoch: u64,
    /// The user's access version read when they were last decided.
    access_version: i64,
    /// Set when the connection must close (signed out, disabled).
    closing: bool,
}

/// Runs a sync connection until the client leaves or the server shuts down.
pub async fn serve_connection(
    hub: Arc<SyncHub>,
    store: Store,
    who: Principal,
    device_id: String,
    socket: WebSocket,
) {
    let (mut sink, mut stream) = socket.split();
    let (out, mut outbox) = mpsc::channel::<Vec<u8>>(OUTBOX);
    let writer = tokio::spawn(async move {
        let mut ping = tokio::time::interval(PING_EVERY);
        ping.tick().await;
        loop {
            tokio::select! {
                frame = outbox.recv() => match frame {
                    Some(frame) => if sink.send(Message::Binary(frame.into())).await.is_err() { break },
                    None => {
                        sink.send(Message::Close(None)).await.ok();
                        break;
                    }
                },
                _ = ping.tick() => if sink.send(Message::Ping(Vec::new().into())).await.is_err() { break },
            }
        }
    });
    let epoch = store.access_epoch(who.user_id);
    let who_id = who.user_id;
    let mut conn = Connection {
        hub: &hub,
        store: &store,
        who,
        device_id,
        id: hub.next_conn_id(),
        out,
        peer_id: None,
        access: HashMap::new(),
        synced: HashSet::new(),
        logged: HashSet::new(),
        epoch,
        access_version: store.access_version(who_id).await.unwrap_or(-1),
        closing: false,
    };
    let mut recheck = tokio::time::interval(RECHECK_EVERY);
    recheck.tick().await;
    let mut changes = store.access_changes();
    loop {
        let frame = tokio::select! {
            biased;
            _ = hub.shutdown.cancelled() => break,
            change = changes.recv() => {
                let concerns = match change {
                    Ok(change) => change.concerns(conn.who.user_id),
                    // Fell behind: something may have concerned us.
                    Err(broadcast::error::RecvError::Lagged(_)) => true,
                    Err(broadcast::error::RecvError::Closed) => {
                        changes = store.access_changes();
                        false
                    }
                };
                if concerns && !conn.recheck().await {
                    break;
                }
                continue;
            }
            _ = recheck.tick() => {
                if !conn.recheck().await {
                    break;
                }
                continue;
            }
            frame = stream.next() => frame,
        };
        match frame {
            Some(Ok(Message::Binary(bytes))) => {
                conn.on_frame(&bytes).await;
                if conn.closing {
                    break;
                }
            }
            Some(Ok(Message::Text(_))) => conn.reply(WireMessage::error(
                &hub.peer_id,
                None,
                "send binary CBOR frames, not text",
            )),
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
            Some(Ok(_)) => {}
        }
    }
    let Connection {
        id, synced, out, ..
    } = conn;
    hub.disconnect(id, synced).await;
    drop(out);
    writer.await.ok();
}

impl Connection<'_> {
    fn reply(&self, message: WireMessage) {
        if self.out.try_send(message.encode()).is_err() {
            tracing::debug!(conn = self.id, "reply dropped: connection closing");
        }
    }

    async fn on_frame(&mut self, bytes: &[u8]) {
        let message = match WireMessage::decode(bytes) {
            Ok(m) => m,
            Err(e) => {
                self.reply(self.refusal(e));
                return;
            }
        };
        match message {
            WireMessage::Join {
                sender_id,
                supported_protocol_versions,
                ..
            } => self.on_join(sender_id, supported_protocol_versions),
            WireMessage::Request {
                document_id, data, ..
            }
            | WireMessage::Sync {
                document_id, data, ..
            } => {
                let Some(peer) = self.peer_id.clone() else {
                    self.reply(WireMessage::error(
                        &self.hub.peer_id,
                        None,
                        "send join first",
                    ));
                    return;
                };
                self.on_sync(&peer, document_id, data).await;
            }
            // Presence, gossip and refusals need no answer from a server that keeps every document.
            WireMessage::Peer { .. }
            | WireMessage::DocUnavailable { .. }
            | WireMessage::Error { .. }
            | WireMessage::Ephemeral { .. }
            | WireMessage::RemoteSubscriptionChange { .. }
            | WireMessage::RemoteHeadsChanged { .. }
            | WireMessage::Unknown { .. } => {}
        }
    }

    /// The answer to a frame that does not decode. A broken `join` is answered to nobody (its
    /// sender is not known), and a broken `request`/`sync` from a client that has not joined
    /// is told to join, as a well-formed one would be.
    fn refusal(&self, e: DecodeError) -> WireMessage {
        let server = &self.hub.peer_id;
        let joined = self.peer_id.as_ref();
        let sync = |kind| matches!(kind, MessageType::Request | MessageType::Sync);
        match e {
            DecodeError::Invalid {
                kind: MessageType::Join,
                field: "senderId",
                ..
            } => WireMessage::error(server, None, "join needs a senderId"),
            DecodeError::Invalid { kind, .. } if sync(kind) && joined.is_none() => {
                WireMessage::error(server, None, "send join first")
            }
            DecodeError::Invalid {
                kind,
                field: "documentId",
                ..
            } if sync(kind) => WireMessage::error(
                server,
                joined,
                "documentId missing or not an automerge-repo document id",
            ),
            DecodeError::Invalid {
                kind,
                field: "data",
                ..
            } if sync(kind) => WireMessage::error(
                server,
                joined,
                "data (an Automerge sync message) is missing",
            ),
            e => WireMessage::error(server, joined, e.to_string()),
        }
    }

    fn on_join(&mut self, peer: PeerId, supported_protocol_versions: Option<Vec<String>>) {
        let server = &self.hub.peer_id;
        let supported =
            supported_protocol_versions.is_none_or(|v| v.iter().any(|p| p == PROTOCOL_VERSION));
        if !supported {
            self.reply(WireMessage::error(
                server,
                Some(&peer),
                "unsupported protocol version: this server speaks \"1\"",
            ));
            return;
        }
        self.reply(WireMessage::peer(server, &peer, &self.hub.storage_id));
        self.peer_id = Some(peer);
    }

    async fn on_sync(&mut self, peer: &PeerId, document_id: DocumentId, data: Vec<u8>) {
        let server = self.hub.peer_id.clone();
        if self.store.access_epoch(self.who.user_id) != self.epoch && !self.recheck().await {
            self.closing = true;
            return;
        }
        let access = match self.access_to(&document_id).await {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(error = %e, "deciding document access");
                self.reply(WireMessage::error(
                    &server,
                    Some(peer),
                    "the server could not check access; try again",
                ));
                return;
            }
        };
        let Some((row, access)) = access else {
            // Unknown and forbidden look the same: no document id leaks.
            self.reply(WireMessage::doc_unavailable(&server, peer, &document_id));
            return;
        };
        self.synced.insert(document_id.clone());
        let conn = ConnRef {
            id: self.id,
            epoch: self.epoch,
            access_version: self.access_version,
            peer_id: peer,
            out: &self.out,
            uploader: Uploader {
                user_id: Some(self.who.user_id),
                username: Some(&self.who.username),
                device_id: Some(&self.device_id),
            },
        };
        let received = self.hub.receive(conn, &row, access, &data).await;
        if matches!(received, Err(SyncError::AccessChanged)) && !self.recheck().await {
            self.closing = true;
            return;
        }
        if let Err(e) = received {
            tracing::warn!(document = %document_id, user = %self.who.username, error = %e, "sync message refused");
            self.reply(WireMessage::error(
                &server,
                Some(peer),
                format!("document {document_id}: {e}"),
            ));
        }
    }

    /// Re-reads the user and session behind this connection and re-decides access to every
    /// document it syncs: a document it may no longer reach stops receiving changes and is
    /// answered "unavailable"; a read-write peer turned read-only has its changes refused.
    /// Returns false when the connection must close (session revoked, account disabled).
    async fn recheck(&mut self) -> bool {
        let server = self.hub.peer_id.clone();
        // Read first: a change announced while deciding leaves the decision stale.
        let epoch = self.store.access_epoch(self.who.user_id);
        let version = match self.store.access_version(self.who.user_id).await {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!(error = %e, conn = self.id, "re-checking a sync connection");
                return true;
            }
        };
        match load_principal(self.store, self.who.user_id, &self.who.session_id).await {
            Ok(who) => self.who = who,
            // A database hiccup is not a reason to drop a phone: the next check decides.
            Err(Error::Store(e)) => {
                tracing::warn!(error = %e, conn = self.id, "re-checking a sync connection");
                return true;
            }
            Err(e) => {
                self.reply(WireMessage::error(
                    &server,
                    self.peer_id.as_ref(),
                    format!("{e}; nothing more is stored from this device"),
                ));
                return false;
            }
        }
        self.access.clear();
        self.epoch = epoch;
        self.access_version = version;
        let documents: Vec<DocumentId> = self.synced.iter().cloned().collect();
        for document_id in documents {
            match self.access_to(&document_id).await {
                Ok(Some((_, access))) => {
                    self.hub
                        .set_access(self.id, &document_id, access, epoch)
                        .await
                }
                decided => {
                    if decided.is_err() {
                        // Undecided is not allowed; the next message asks again.
                        self.access.remove(&document_id);
                    }
                    self.hub.leave(self.id, &document_id).await;
                    self.synced.remove(&document_id);
                    if let Some(peer) = self.peer_id.clone() {
                        self.reply(WireMessage::doc_unavailable(&server, &peer, &document_id));
                    }
                }
            }
        }
        true
    }

    async fn access_to(
        &mut self,
        document_id: &DocumentId,
    ) -> crate::error::Result<Option<(VillageDocRow, Access)>> {
        if let Some(known) = self.access.get(document_id) {
            return Ok(known.clone());
        }
        let decided = match self.store.village_document(document_id).await? {
            Some(row) => document_access(self.store, &self.who, &row)
                .await?
                .map(|a| (row, a)),
            None => None,
        };
        if let Some((row, _)) = &decided {
            if !self.logged.contains(document_id) {
                privacy::record_read(
                    self.store,
                    &self.who,
                    Read::VillageDocument,
                    &row.unit_code,
                    &row.path,
                    document_id,
                )
                .await?;
                self.logged.insert(document_id.clone());
            }
        }
        self.access.insert(document_id.clone(), decided.clone());
        Ok(decided)
    }
}
