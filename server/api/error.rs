//! The one place where errors become HTTP responses: a status code and a JSON body
//! `{"error": {"status", "code", "message", "details"}}` a person can act on.

use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::Error;
use crate::store::StoreError;

/// Body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    pub status: u16,
    /// Stable machine-readable kind, e.g. `bad_request`, `not_found`.
    pub code: &'static str,
    /// What went wrong and what to do about it.
    pub message: String,
    /// Per-item problems (e.g. one line per bad CSV row).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

/// Most per-item problems an error answer lists.
pub const MAX_DETAILS: usize = 100;
/// Longest single problem listed, in characters (a problem may quote a line of the upload).
const MAX_DETAIL_CHARS: usize = 300;

/// Keeps an answer about a huge invalid upload short: the first `MAX_DETAILS` problems, each
/// cut to `MAX_DETAIL_CHARS`, with the total in the message.
fn cap_details(message: String, mut details: Vec<String>) -> (String, Vec<String>) {
    let total = details.len();
    let message = if total > MAX_DETAILS {
        details.truncate(MAX_DETAILS);
        format!(
            "{message} ({} problems in all; the first {MAX_DETAILS} are listed)",
            thousands(total)
        )
    } else {
        message
    };
    for detail in &mut details {
        if let Some((cut, _)) = detail.char_indices().nth(MAX_DETAIL_CHARS) {
            detail.truncate(cut);
            detail.push('…');
        }
    }
    (message, details)
}

/// 12345 → "12,345".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Builds the JSON error response for a status and message.
pub fn error_response(status: StatusCode, message: String, details: Vec<String>) -> Response {
    coded_response(status, status_code_name(status), message, details)
}

/// The `code` of an error answer with this status.
fn status_code_name(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::CONFLICT => "conflict",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "unprocessable_entity",
        StatusCode::TOO_MANY_REQUESTS => "too_many_requests",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        s if s.is_client_error() => "client_error",
        _ => "internal_error",
    }
}

/// The JSON error response with an explicit `code` (for kinds a client must tell apart).
fn coded_response(
    status: StatusCode,
    code: &'static str,
    message: String,
    details: Vec<String>,
) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            status: status.as_u16(),
            code,
            message,
            details,
        },
    };
    (status, axum::Json(body)).into_response()
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let (status, message, details) = match self {
            Error::BadRequest(m) => (StatusCode::BAD_REQUEST, m, vec![]),
            Error::Invalid { message, details } => {
                let (message, details) = cap_details(message, details);
                (StatusCode::UNPROCESSABLE_ENTITY, message, details)
            }
            Error::Unprocessable(m) => (StatusCode::UNPROCESSABLE_ENTITY, m, vec![]),
            Error::UnsupportedMediaType(m) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, m, vec![]),
            Error::Unauthorized(m) => (StatusCode::UNAUTHORIZED, m, vec![]),
            Error::DeviceRevoked(m) => {
                return coded_response(StatusCode::UNAUTHORIZED, "device_revoked", m, vec![])
            }
            Error::Forbidden(m) => (StatusCode::FORBIDDEN, m, vec![]),
            Error::NotFound(m) => (StatusCode::NOT_FOUND, m, vec![]),
            Error::Conflict(m) | Error::Store(StoreError::Conflict(m)) => {
                (StatusCode::CONFLICT, m, vec![])
            }
            Error::PayloadTooLarge(m) => (StatusCode::PAYLOAD_TOO_LARGE, m, vec![]),
            Error::Unavailable(m) => (StatusCode::SERVICE_UNAVAILABLE, m, vec![]),
            Error::TooManyRequests {
                message,
                retry_after_secs,
            } => {
                let mut response = error_response(StatusCode::TOO_MANY_REQUESTS, message, vec![]);
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
                return response;
            }
            Error::Store(StoreError::Database(sqlx::Error::PoolTimedOut)) => {
                tracing::warn!("database pool exhausted");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the server is busy: try again in a moment".to_string(),
                    vec![],
                )
            }
            e @ (Error::Store(_) | Error::Internal(_)) => {
                tracing::error!(error = %e, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal error: nothing was changed; try again, and tell the administrator if it persists"
                        .to_string(),
                    vec![],
                )
            }
        };
        error_response(status, message, details)
    }
}

impl From<JsonRejection> for Error {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::JsonDataError(e) => {
                Error::Unprocessable(format!("request body does not match: {}", e.body_text()))
            }
            JsonRejection::JsonSyntaxError(e) => {
                Error::BadRequest(format!("request body is not valid JSON: {}", e.body_text()))
            }
            JsonRejection::MissingJsonContentType(_) => Error::UnsupportedMediaType(
                "send the body as JSON with 'Content-Type: application/json'".into(),
            ),
            JsonRejection::BytesRejection(e) => from_bytes_status(e.status(), e.body_text()),
            other => Error::BadRequest(other.body_text()),
        }
    }
}

impl From<BytesRejection> for Error {
    fn from(r: BytesRejection) -> Self {
        from_bytes_status(r.status(), r.body_text())
    }
}

fn from_bytes_status(status: StatusCode, text: String) -> Error {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        Error::PayloadTooLarge("request body too large: split it into smaller requests".into())
    } else {
        Error::BadRequest(format!("could not read the request body: {text}"))
    }
}

impl From<QueryRejection> for Error {
    fn from(r: QueryRejection) -> Self {
        Error::BadRequest(format!("bad query string: {}", r.body_text()))
    }
}

impl From<PathRejection> for Error {
    fn from(r: PathRejection) -> Self {
        Error::BadRequest(format!("bad path parameter: {}", r.body_text()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_are_capped_with_the_total() {
        let details: Vec<String> = (0..12_345).map(|i| format!("line {i}: bad")).collect();
        let (message, details) = cap_details("12345 problem(s)".into(), details);
        assert_eq!(details.len(), MAX_DETAILS);
        assert_eq!(details[0], "line 0: bad");
        assert!(message.contains("12,345 problems in all; the first 100 are listed"));
        let (message, details) = cap_details("m".into(), vec!["é".repeat(1000)]);
        assert_eq!(message, "m");
        assert_eq!(details[0].chars().count(), MAX_DETAIL_CHARS + 1);
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
