//! Liveness and readiness probes.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::AppState;
use crate::error::{Error, Result};
use crate::store::WriterHeld;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<&'static str>,
    /// How long document writes have held the database writer since the server started (the
    /// load harness reads it around a burst; docs/PERFORMANCE.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub writer: Option<WriterHeld>,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = Health)))]
pub async fn healthz() -> axum::Json<Health> {
    axum::Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        database: None,
        writer: None,
    })
}

/// The database answers; 503 while it does not.
#[utoipa::path(get, path = "/readyz", tag = "health", responses((status = 200, body = Health), (status = 503, body = crate::api::error::ErrorBody)))]
pub async fn readyz(State(state): State<AppState>) -> Result<(StatusCode, axum::Json<Health>)> {
    state.store.ping().await.map_err(|e| {
        tracing::warn!(error = %e, "readiness check failed");
        Error::Unavailable("database unreachable".into())
    })?;
    Ok((
        StatusCode::OK,
        axum::Json(Health {
            status: "ready",
            version: env!("CARGO_PKG_VERSION"),
            database: Some(state.store.backend().name()),
            writer: Some(state.store.writer_held()),
        }),
    ))
}
