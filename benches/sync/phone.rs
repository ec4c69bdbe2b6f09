//! A phone: signs in (khaosat) or makes its own document (stock server), fetches or uploads its
//! village document, works offline, then reconnects in the burst; later an idle reconnect and a
//! check, from a fresh peer, that the server holds exactly the phone's document.

use std::sync::Arc;
use std::time::{Duration, Instant};

use automerge::sync;
use automerge::{ActorId, AutoCommit, ChangeHash};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::task::JoinSet;

use crate::args::Commits;
use crate::conn::SyncConn;
use crate::http::Api;
use crate::setup::{enumerator, village_code};
use crate::survey;

/// Everything phones share in one run against one server.
pub struct Ctx {
    /// khaosat's API (None: the stock server, which has no accounts).
    pub api: Option<Api>,
    /// ws://host:port of the server, directly.
    pub direct: String,
    /// ws://host:port the burst goes through (a proxy for the 3G profile).
    pub burst: String,
    /// ws://host:port of a proxy that cuts the connection mid-sync (first burst attempt only).
    pub dropping: Option<String>,
    pub existing: u32,
    pub households: u32,
    pub edits: u32,
    pub persons: u32,
    pub commits: Commits,
}

impl Ctx {
    fn url(&self, base: &str, token: Option<&str>) -> String {
        match token {
            Some(t) => format!("{base}/api/v1/sync?token={t}"),
            None => format!("{base}/"),
        }
    }
}

/// Reconnects a phone makes when the server closes or resets its connection mid-sync.
const MAX_RETRIES: u32 = 3;
/// automerge-repo's BrowserWebSocketClientAdapter retries after 5 s; a shorter pause is kinder
/// to the server under test.
const RETRY_PAUSE: Duration = Duration::from_secs(1);

/// An idle reconnect is over when the server has said nothing for this long (the stock server
/// does not answer a peer whose heads it already has; khaosat always answers at once).
const IDLE_QUIET: Duration = Duration::from_millis(500);

/// A phone that holds its village document and has done its offline work.
pub struct Phone {
    pub index: usize,
    peer_id: String,
    token: Option<String>,
    document_id: String,
    pub doc: AutoCommit,
    /// The changes made offline: what the server must receive.
    pub changes: usize,
    pub change_bytes: u64,
    /// The document as the server had it before the day (saved), and the day's changes (raw),
    /// for the floor (floor.rs).
    pub base: Vec<u8>,
    pub offline: Vec<Vec<u8>>,
}

pub struct BurstResult {
    pub latency: Duration,
    pub synced_at: Instant,
    pub wire_bytes: u64,
    /// Whether the planned link drop happened before the sync finished.
    pub cut: bool,
    /// Reconnects after the server closed or reset the connection.
    pub retries: u32,
    /// The sync state as automerge-repo persists it for a non-ephemeral server peer.
    pub saved_state: Vec<u8>,
}

pub struct IdleResult {
    pub handshake_bytes: u64,
    pub fresh_state_bytes: u64,
    pub saved_state_bytes: u64,
}

/// A document id as automerge-repo makes it: bs58check of the 16 bytes of a random (v4) UUID.
/// (automerge-repo rejects ids whose bytes are not a valid UUID.)
fn document_id(rng: &mut StdRng) -> String {
    let uuid = uuid::Builder::from_random_bytes(rng.gen()).into_uuid();
    bs58::encode(uuid.as_bytes()).with_check().into_string()
}

/// Gets the village document onto the phone, goes offline, records households and edits.
pub async fn prepare(ctx: Arc<Ctx>, index: usize, seed: u64) -> Result<Phone, String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let username = enumerator(index);
    let village = village_code(index);
    // As short as the stock client's own ("peer-" and 9 random characters): every message
    // names it, so a longer one would weigh on the wire figures.
    let peer_id = format!("peer-{}", &survey::new_id(&mut rng).replace('-', "")[..9]);
    let actor: [u8; 16] = rng.gen();
    let actor = ActorId::from(&actor[..]);
    let mut state = sync::State::new();

    let (token, document_id, doc) = match &ctx.api {
        Some(api) => {
            // khaosat: sign in, find the assigned village's document, fetch it.
            let token = api
                .login(&username, &format!("bench-phone-{index}"))
                .await?;
            let docs = api.get("/api/v1/me/documents", &token).await?;
            let entry = docs
                .as_array()
                .and_then(|a| a.iter().find(|d| d["unit_code"] == village.as_str()))
                .ok_or_else(|| format!("{village} missing from /api/v1/me/documents: {docs}"))?;
            if entry["access"] != "read_write" {
                return Err(format!("{username} cannot write {village}: {entry}"));
            }
            let document_id = entry["document_id"]
                .as_str()
                .ok_or_else(|| format!("no document_id in {entry}"))?
                .to_string();
            let mut doc = AutoCommit::new().with_actor(actor);
            let mut conn = SyncConn::open(&ctx.url(&ctx.direct, Some(&token)), &peer_id).await?;
            conn.sync_doc(&document_id, &mut doc, &mut state)
                .await
                .map_err(|e| format!("fetching {village}: {e}"))?;
            conn.close().await;
            (Some(token), document_id, doc)
        }
        None => {
            // Stock server: the phone makes the same village document (and its earlier
            // households) and uploads it, as an automerge-repo app would.
            let document_id = document_id(&mut rng);
            let (bytes, _) = khaosat::survey::write::new_village_document(&village, 0)
                .map_err(|e| format!("new village document: {e}"))?;
            let mut doc = AutoCommit::load(&bytes)
                .map_err(|e| format!("loading the new document: {e}"))?
                .with_actor(actor);
            survey::record(
                &mut doc,
                ctx.commits,
                &mut rng,
                "bench",
                ctx.existing,
                ctx.persons,
            )?;
            let mut conn = SyncConn::open(&ctx.url(&ctx.direct, None), &peer_id).await?;
            conn.sync_doc(&document_id, &mut doc, &mut state)
                .await
                .map_err(|e| format!("uploading {village}: {e}"))?;
            conn.close().await;
            (None, document_id, doc)
        }
    };

    // Offline from here.
    let mut doc = doc;
    let before = doc.get_heads();
    let base = doc.save();
    survey::record(
        &mut doc,
        ctx.commits,
        &mut rng,
        &username,
        ctx.households,
        ctx.persons,
    )?;
    survey::edit(&mut doc, &mut rng, ctx.edits)?;
    let new_changes = doc.get_changes(&before);
    Ok(Phone {
        index,
        peer_id,
        token,
        document_id,
        doc,
        changes: new_changes.len(),
        change_bytes: new_changes.iter().map(|c| c.raw_bytes().len() as u64).sum(),
        offline: new_changes.iter().map(|c| c.raw_bytes().to_vec()).collect(),
        base,
    })
}

/// Reconnects and syncs until the server has every change the phone made; when the link
/// drops, reconnects (with a fresh sync state, as after an app restart) and resumes.
pub async fn burst(ctx: Arc<Ctx>, mut phone: Phone) -> Result<(Phone, BurstResult), String> {
    let started = Instant::now();
    let mut wire_bytes = 0;
    let mut cut = false;
    let mut retries = 0;
    let mut through = ctx.dropping.clone().unwrap_or_else(|| ctx.burst.clone());
    loop {
        let url = ctx.url(&through, phone.token.as_deref());
        let mut state = sync::State::new();
        let attempt = async {
            let mut conn = SyncConn::open(&url, &phone.peer_id).await?;
            let synced = conn
                .sync_doc(&phone.document_id, &mut phone.doc, &mut state)
                .await;
            Ok::<_, String>((synced, conn))
        }
        .await;
        match attempt {
            Ok((Ok(()), conn)) => {
                let synced_at = Instant::now();
                wire_bytes += conn.close().await;
                return Ok((
                    phone,
                    BurstResult {
                        latency: synced_at - started,
                        synced_at,
                        wire_bytes,
                        cut,
                        retries,
                        saved_state: state.encode(),
                    },
                ));
            }
            failed => {
                let error = match failed {
                    Ok((Err(e), conn)) => {
                        wire_bytes += conn.wire_bytes();
                        e
                    }
                    Err(e) => e,
                    Ok((Ok(()), _)) => String::new(),
                };
                if !cut && ctx.dropping.is_some() {
                    // The link dropped as planned: reconnect over the intact link.
                    cut = true;
                    through = ctx.burst.clone();
                } else if retries < MAX_RETRIES {
                    // The server closed or reset the connection: reconnect after a pause, as
                    // automerge-repo's WebSocket client does.
                    retries += 1;
                    tokio::time::sleep(RETRY_PAUSE).await;
                } else {
                    return Err(format!("{error} (after {retries} reconnects)"));
                }
            }
        }
    }
}

/// Reconnects twice with nothing new: with a fresh sync state, and with the saved one.
pub async fn idle_reconnects(
    ctx: Arc<Ctx>,
    mut phone: Phone,
    saved_state: Vec<u8>,
) -> Result<(Phone, IdleResult), String> {
    let heads = phone.doc.get_heads();
    let (handshake_bytes, fresh_state_bytes) =
        idle_sync(&ctx, &mut phone, sync::State::new()).await?;
    let saved = sync::State::decode(&saved_state).map_err(|e| format!("saved sync state: {e}"))?;
    let (_, saved_state_bytes) = idle_sync(&ctx, &mut phone, saved).await?;
    if phone.doc.get_heads() != heads {
        return Err("an idle reconnect brought changes nobody made".into());
    }
    Ok((
        phone,
        IdleResult {
            handshake_bytes,
            fresh_state_bytes,
            saved_state_bytes,
        },
    ))
}

/// One connection that syncs an up-to-date document: (handshake bytes, sync bytes).
async fn idle_sync(
    ctx: &Ctx,
    phone: &mut Phone,
    mut state: sync::State,
) -> Result<(u64, u64), String> {
    let url = ctx.url(&ctx.direct, phone.token.as_deref());
    let mut conn = SyncConn::open(&url, &phone.peer_id).await?;
    let handshake = conn.wire_bytes();
    conn.sync_doc_quiet(
        &phone.document_id,
        &mut phone.doc,
        &mut state,
        Some(IDLE_QUIET),
    )
    .await?;
    Ok((handshake, conn.close().await - handshake))
}

/// A fresh peer asks the server for the phone's document: it must get exactly the phone's
/// heads (nothing lost, nothing extra).
pub async fn verify(ctx: Arc<Ctx>, mut phone: Phone) -> Result<(), String> {
    let url = ctx.url(&ctx.direct, phone.token.as_deref());
    let peer = format!("{}-check", phone.peer_id);
    let mut conn = SyncConn::open(&url, &peer).await?;
    let mut copy = AutoCommit::new();
    let mut state = sync::State::new();
    conn.sync_doc(&phone.document_id, &mut copy, &mut state)
        .await?;
    conn.close().await;
    let (mut theirs, mut ours): (Vec<ChangeHash>, Vec<ChangeHash>) =
        (copy.get_heads(), phone.doc.get_heads());
    theirs.sort();
    ours.sort();
    if theirs != ours {
        return Err(format!(
            "the server's copy has heads {theirs:?}, the phone {ours:?}"
        ));
    }
    Ok(())
}

/// Waits for every task of a phase; failures are collected as messages.
pub async fn join_all<T: 'static>(
    mut set: JoinSet<Result<T, String>>,
    errors: &mut Vec<String>,
) -> Vec<T> {
    let mut done = Vec::new();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok(Ok(value)) => done.push(value),
            Ok(Err(e)) => errors.push(e),
            Err(e) => errors.push(format!("phone task failed: {e}")),
        }
    }
    done
}
