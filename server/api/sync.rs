//! `/api/v1/sync` (the automerge-repo WebSocket), `/api/v1/me/documents` and
//! `/api/v1/documents/changed`.

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::extract::{Json, Query};
use crate::api::AppState;
use crate::auth::{principal_from_token, Principal};
use crate::error::{Error, Result};
use crate::sync::documents::{self, ChangedReport, ChangedRequest, DocumentEntry};

#[derive(Debug, Deserialize, IntoParams)]
pub struct SyncQuery {
    /// The access token (browsers cannot set headers on a WebSocket).
    pub token: Option<String>,
}

/// Largest WebSocket message accepted (an Automerge sync message with a day of work is far smaller).
pub const MAX_FRAME: usize = 16 * 1024 * 1024;

/// automerge-repo WebSocket sync (protocol "1"); authenticate with `?token=ACCESS_TOKEN`.
#[utoipa::path(get, path = "/api/v1/sync", tag = "sync", params(SyncQuery),
    responses((status = 101, description = "switching to the automerge-repo protocol"), (status = 401, body = crate::api::error::ErrorBody)))]
pub async fn sync_socket(
    State(state): State<AppState>,
    Query(q): Query<SyncQuery>,
    upgrade: std::result::Result<
        WebSocketUpgrade,
        axum::extract::ws::rejection::WebSocketUpgradeRejection,
    >,
) -> Result<Response> {
    let token = q
        .token
        .ok_or_else(|| Error::unauthorized("add ?token=<access_token> to the sync URL"))?;
    let who: Principal = principal_from_token(&state.keys, &state.store, &token).await?;
    let upgrade = upgrade
        .map_err(|e| Error::bad_request(format!("this endpoint speaks WebSocket only: {e}")))?;
    let hub = state.sync.clone();
    if hub.shutdown.is_cancelled() {
        return Err(Error::Unavailable(
            "the server is shutting down: reconnect in a moment".into(),
        ));
    }
    let store = state.store.clone();
    let device = who.device_id.clone();
    let tracker = hub.tracker.clone();
    Ok(upgrade
        .max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME)
        .on_upgrade(move |socket| {
            tracker.track_future(crate::sync::serve_connection(
                hub, store, who, device, socket,
            ))
        }))
}

/// The village documents I may sync, with my access and the server's heads.
#[utoipa::path(get, path = "/api/v1/me/documents", tag = "sync", security(("bearer" = [])),
    responses((status = 200, body = [DocumentEntry])))]
pub async fn my_documents(
    State(s): State<AppState>,
    who: Principal,
) -> Result<axum::Json<Vec<DocumentEntry>>> {
    Ok(axum::Json(documents::my_documents(&s.store, &who).await?))
}

/// Which of these documents changed on the server since the heads I have.
#[utoipa::path(post, path = "/api/v1/documents/changed", tag = "sync", security(("bearer" = [])),
    request_body = ChangedRequest, responses((status = 200, body = ChangedReport)))]
pub async fn changed(
    State(s): State<AppState>,
    who: Principal,
    Json(req): Json<ChangedRequest>,
) -> Result<axum::Json<ChangedReport>> {
    Ok(axum::Json(
        documents::changed_since(&s.store, &who, &req).await?,
    ))
}
