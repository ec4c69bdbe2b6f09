//! The PWA, embedded in the binary (built from pwa/ into pwa/dist): static assets with cache
//! headers that let phones keep working offline and still pick up new versions, and the SPA
//! fallback to index.html.

use axum::body::Body;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

use crate::error::Error;

#[derive(RustEmbed)]
#[folder = "pwa/dist/"]
#[allow_missing = true]
struct Assets;

/// Content Security Policy of the app: no inline script; wasm may be compiled (Automerge);
/// fetches and the sync WebSocket go to this origin only ('self' covers ws:/wss: to the same
/// host in CSP Level 3).
const CSP: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; \
object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

/// Shown when the binary was built without the PWA.
const MISSING: &str = "<!doctype html><meta charset=utf-8><title>Khảo Sát</title>\
<p>Ứng dụng chưa được build. The app was not built into this binary: run <code>npm ci &amp;&amp; npm run build</code> in <code>pwa/</code>, then rebuild the server. The API works at <code>/api/v1</code>.</p>";

/// Serves an asset, or index.html for app routes; unknown API paths get the JSON 404.
pub async fn serve(method: Method, uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if path.starts_with("api/") || (method != Method::GET && method != Method::HEAD) {
        return Error::not_found("no such endpoint: the API is described at /api/v1/openapi.json")
            .into_response();
    }
    if let Some(file) = Assets::get(path).filter(|_| !path.is_empty()) {
        return asset(path, file);
    }
    // A missing static file is a real 404, not an app route (unit codes like 39301.01 are routes).
    const STATIC: [&str; 12] = [
        "js",
        "mjs",
        "css",
        "map",
        "wasm",
        "png",
        "svg",
        "ico",
        "webmanifest",
        "json",
        "txt",
        "woff2",
    ];
    let extension = path
        .rsplit('/')
        .next()
        .and_then(|last| last.rsplit_once('.'))
        .map(|(_, ext)| ext);
    if path.starts_with("assets/") || extension.is_some_and(|ext| STATIC.contains(&ext)) {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    match Assets::get("index.html") {
        Some(file) => asset("index.html", file),
        None => html(StatusCode::OK, Body::from(MISSING), "no-cache"),
    }
}

fn asset(path: &str, file: rust_embed::EmbeddedFile) -> Response {
    // Hashed build output never changes; everything else must be revalidated so a new
    // version (and its service worker) reaches phones.
    let cache = if path.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mime = file.metadata.mimetype();
    let mut response = html(StatusCode::OK, Body::from(file.data.into_owned()), cache);
    if let Ok(v) = HeaderValue::from_str(mime) {
        response.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    response
}

fn html(status: StatusCode, body: Body, cache: &'static str) -> Response {
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}
