//! The application: shared state, the full router with its middleware, and `serve`.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::api::{self, AppState};

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
        .layer(axum::middleware::from_fn(api_headers))
}

/// API answers are per user (tokens, names, phone numbers): no cache, shared or private, may
/// keep them. No answer may be sniffed into another content type.
async fn api_headers(req: Request<Body>, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    if api {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    headers
        .entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    response
}

/// Serves the application on `listener` until `shutdown` resolves, then lets in-flight
/// requests finish and closes the database.
///
/// Each connection must send a complete request head within `Config::header_read_timeout`
/// (counted from when it opened, or from its previous answer), or it is closed; at most
/// `Config::max_connections` are served at once (more wait to be accepted).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let store = state.store.clone();
    let limits = ConnectionLimits {
        header_read_timeout: state
            .config
            .header_read_timeout
            .max(Duration::from_millis(1)),
        max_connections: state.config.max_connections.max(1),
    };
    let app = router(state);
    accept_loop(listener, app, limits, shutdown).await;
    tokio::time::timeout(Duration::from_secs(10), store.close())
        .await
        .ok();
    Ok(())
}

#[derive(Clone, Copy)]
struct ConnectionLimits {
    header_read_timeout: Duration,
    max_connections: usize,
}

/// Accepts connections and serves each with hyper's HTTP/1 (with upgrades, for the sync
/// WebSocket) until `shutdown`; then stops accepting, asks every connection to finish its
/// request in flight, and waits for them.
async fn accept_loop(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(());
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    let connections = tokio_util::task::TaskTracker::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = async {
                // Wait for a free slot first, so connections beyond the cap stay in the backlog.
                let slot = slots.clone().acquire_owned().await;
                (slot, listener.accept().await)
            } => accepted,
        };
        let (slot, (stream, remote)) = match accepted {
            (Ok(slot), Ok(connection)) => (slot, connection),
            (_, Err(e)) => {
                accept_error(e).await;
                continue;
            }
            // The semaphore is never closed.
            (Err(_), _) => break,
        };
        // Connection addresses feed the sign-in rate limit.
        let service = app.clone().map_request(move |mut req: Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(remote));
            req
        });
        let service = TowerToHyperService::new(service);
        let mut stop = stop_rx.clone();
        connections.spawn(async move {
            let _slot = slot;
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout);
            let mut connection = std::pin::pin!(builder
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades());
            tokio::select! {
                result = connection.as_mut() => return connection_ended(result),
                _ = stop.changed() => connection.as_mut().graceful_shutdown(),
            }
            connection_ended(connection.await);
        });
    }
    drop(listener);
    stop_tx.send_replace(());
    connections.close();
    connections.wait().await;
}

fn connection_ended(result: Result<(), hyper::Error>) {
    if let Err(e) = result {
        // Closed by the client, timed out reading headers, or a malformed request.
        tracing::debug!(error = %e, "connection ended");
    }
}

/// Errors of `accept` that concern one connection are skipped; others (out of file
/// descriptors) are logged and retried after a pause, as `axum::serve` does.
async fn accept_error(e: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "accepting a connection failed");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
