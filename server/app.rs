//! The application: shared state, the full router with its middleware, and `serve`.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{Request, StatusCode};
use axum::Router;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::api;
use crate::auth::{LoginThrottle, TokenKeys};
use crate::config::Config;
use crate::jobs::Jobs;
use crate::store::{Backend, Store};
use crate::sync::{replicas, SyncError, SyncHub};

/// What every request handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub keys: TokenKeys,
    pub sync: Arc<SyncHub>,
    pub login_throttle: Arc<LoginThrottle>,
    /// Household register imports running in the background.
    pub jobs: Arc<Jobs>,
}

impl AppState {
    /// Opens (and migrates) the database named in the configuration.
    pub async fn open(config: Config) -> Result<Self, SyncError> {
        let store = Store::connect(&config.database_url).await?;
        Self::new(store, config).await
    }

    /// Builds the state over an open store; on PostgreSQL it also starts listening for the
    /// changes other replicas store.
    pub async fn new(store: Store, config: Config) -> Result<Self, SyncError> {
        let keys = TokenKeys::new(&config.jwt_secret);
        let sync = SyncHub::new(store.clone()).await?;
        sync.set_max_document_bytes(config.max_document_bytes);
        if store.backend() == Backend::Postgres {
            replicas::spawn_listener(sync.clone(), config.database_url.clone());
        }
        let login_throttle = Arc::new(LoginThrottle::new(
            config.login_ip_per_minute,
            config.login_ip_burst,
        ));
        Ok(AppState {
            login_throttle,
            store,
            config: Arc::new(config),
            keys,
            sync,
            jobs: Arc::new(Jobs::default()),
        })
    }
}

/// The complete HTTP application.
pub fn router(state: AppState) -> Router {
    api::routes(&state)
        .with_state(state)
        // A phone's first load is mostly the Automerge wasm: gzip/brotli take it from ~3.9 MB to ~1.2 MB.
        .layer(CompressionLayer::new())
        .layer(CatchPanicLayer::custom(|_| {
            api::error::error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error: nothing was changed; try again, and tell the administrator if it persists".into(),
                vec![],
            )
        }))
        .layer(
            // Log the path only: query strings may carry tokens (the sync WebSocket's).
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                tracing::info_span!("http", method = %req.method(), path = %req.uri().path())
            }),
        )
}

/// Serves the application on `listener` until `shutdown` resolves, then lets in-flight
/// requests finish and closes the database.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let store = state.store.clone();
    let app = router(state);
    // Connection addresses feed the sign-in rate limit.
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    tokio::time::timeout(Duration::from_secs(10), store.close())
        .await
        .ok();
    result
}
