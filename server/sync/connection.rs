//! One WebSocket connection speaking automerge-repo's protocol for an authenticated user.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;

use crate::auth::Principal;
use crate::privacy::{self, Read};
use crate::store::{Store, VillageDocRow};
use crate::survey::valid_document_id;
use crate::sync::access::{document_access, Access};
use crate::sync::hub::SyncHub;
use crate::sync::village::ConnRef;
use crate::sync::village::Uploader;
use crate::sync::wire::{WireMessage, PROTOCOL_VERSION};

/// Frames queued for a connection before it counts as not keeping up.
const OUTBOX: usize = 1024;
const PING_EVERY: Duration = Duration::from_secs(20);
/// How often a long-lived connection re-checks its session and forgets decided access, so a
/// revoked phone or a removed assignment stops syncing without waiting for a reconnect.
const RECHECK_EVERY: Duration = Duration::from_secs(60);

struct Connection<'a> {
    hub: &'a SyncHub,
    store: &'a Store,
    who: &'a Principal,
    device_id: String,
    id: u64,
    out: mpsc::Sender<Vec<u8>>,
    /// The client's peer id, once it has sent `join`.
    peer_id: Option<String>,
    /// Access decided per document on first use (`None`: unavailable to this user).
    access: HashMap<String, Option<(VillageDocRow, Access)>>,
    synced: HashSet<String>,
    /// Documents whose read by an official this connection has already logged.
    logged: HashSet<String>,
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
    let mut conn = Connection {
        hub: &hub,
        store: &store,
        who: &who,
        device_id,
        id: hub.next_conn_id(),
        out,
        peer_id: None,
        access: HashMap::new(),
        synced: HashSet::new(),
        logged: HashSet::new(),
    };
    let mut recheck = tokio::time::interval(RECHECK_EVERY);
    recheck.tick().await;
    loop {
        let frame = tokio::select! {
            _ = hub.shutdown.cancelled() => break,
            _ = recheck.tick() => {
                if !conn.session_is_live().await {
                    conn.reply(WireMessage::error(&hub.peer_id, conn.peer_id.as_deref(), "signed out: sign in again to sync"));
                    break;
                }
                conn.access.clear();
                continue;
            }
            frame = stream.next() => frame,
        };
        match frame {
            Some(Ok(Message::Binary(bytes))) => conn.on_frame(&bytes).await,
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
        let server = self.hub.peer_id.clone();
        let message = match WireMessage::decode(bytes) {
            Ok(m) => m,
            Err(e) => {
                self.reply(WireMessage::error(
                    &server,
                    self.peer_id.as_deref(),
                    e.to_string(),
                ));
                return;
            }
        };
        match message.kind.as_str() {
            "join" => self.on_join(message),
            "request" | "sync" => {
                let Some(peer) = self.peer_id.clone() else {
                    self.reply(WireMessage::error(&server, None, "send join first"));
                    return;
                };
                self.on_sync(&peer, message).await;
            }
            // Presence, gossip and refusals need no answer from a server that keeps every document.
            _ => {}
        }
    }

    fn on_join(&mut self, message: WireMessage) {
        let server = &self.hub.peer_id;
        let Some(peer) = message
            .sender_id
            .filter(|p| !p.is_empty() && p.len() <= 256)
        else {
            self.reply(WireMessage::error(server, None, "join needs a senderId"));
            return;
        };
        let supported = message
            .supported_protocol_versions
            .is_none_or(|v| v.iter().any(|p| p == PROTOCOL_VERSION));
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

    async fn on_sync(&mut self, peer: &str, message: WireMessage) {
        let server = self.hub.peer_id.clone();
        let Some(document_id) = message.document_id.filter(|d| valid_document_id(d)) else {
            self.reply(WireMessage::error(
                &server,
                Some(peer),
                "documentId missing or not an automerge-repo document id",
            ));
            return;
        };
        let Some(data) = message.data.filter(|d| !d.is_empty()) else {
            self.reply(WireMessage::error(
                &server,
                Some(peer),
                "data (an Automerge sync message) is missing",
            ));
            return;
        };
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
            peer_id: peer,
            out: &self.out,
            uploader: Uploader {
                user_id: Some(self.who.user_id),
                username: Some(&self.who.username),
                device_id: Some(&self.device_id),
            },
        };
        if let Err(e) = self.hub.receive(conn, &row, access, &data).await {
            tracing::warn!(document = %document_id, user = %self.who.username, error = %e, "sync message refused");
            self.reply(WireMessage::error(
                &server,
                Some(peer),
                format!("document {document_id}: {e}"),
            ));
        }
    }

    /// Whether the session this connection was opened with is still valid.
    async fn session_is_live(&self) -> bool {
        let session = self.store.session(&self.who.session_id).await;
        let user = self.store.user_by_id(self.who.user_id).await;
        match (session, user) {
            (Ok(Some(s)), Ok(Some(u))) => s.revoked_at.is_none() && u.disabled == 0,
            // A database hiccup is not a reason to drop a phone.
            (Err(_), _) | (_, Err(_)) => true,
            _ => false,
        }
    }

    async fn access_to(
        &mut self,
        document_id: &str,
    ) -> crate::error::Result<Option<(VillageDocRow, Access)>> {
        if let Some(known) = self.access.get(document_id) {
            return Ok(known.clone());
        }
        let decided = match self.store.village_document(document_id).await? {
            Some(row) => document_access(self.store, self.who, &row)
                .await?
                .map(|a| (row, a)),
            None => None,
        };
        if let Some((row, _)) = &decided {
            if !self.logged.contains(document_id) {
                privacy::record_read(
                    self.store,
                    self.who,
                    Read::VillageDocument,
                    &row.unit_code,
                    &row.path,
                    document_id,
                )
                .await?;
                self.logged.insert(document_id.to_string());
            }
        }
        self.access.insert(document_id.to_string(), decided.clone());
        Ok(decided)
    }
}
