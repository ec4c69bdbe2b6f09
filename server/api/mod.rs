//! HTTP: the state handlers reach, routes, extractors, and the single mapping of errors to
//! responses.

mod assignments;
mod auth;
pub mod error;
mod extract;
mod health;
mod history;
mod households;
mod metrics;
pub mod openapi;
mod privacy;
mod reforms;
mod review;
mod state;
mod surveys;
mod sync;
mod team;
mod units;
mod users;
mod weekly;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

pub use state::AppState;

/// Every route of the API, with body limits; layers common to all responses are added in `app`.
pub fn routes(state: &AppState) -> Router<AppState> {
    let upload_limit = DefaultBodyLimit::max(state.config.upload_body_limit);
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/api/v1/openapi.json", get(openapi::openapi_json))
        .route("/api/v1/auth/login", post(auth::login))
        .route("/api/v1/auth/code", post(auth::login_with_code))
        .route("/api/v1/auth/refresh", post(auth::refresh))
        .route("/api/v1/auth/logout", post(auth::logout))
        .route("/api/v1/me", get(auth::me))
        .route("/api/v1/me/assignments", get(assignments::mine))
        .route("/api/v1/me/documents", get(sync::my_documents))
        .route("/api/v1/me/send-backs", get(review::mine))
        .route("/api/v1/households/{id}/send-back", post(review::create))
        .route(
            "/api/v1/send-backs/{id}",
            axum::routing::delete(review::withdraw),
        )
        .route("/api/v1/units/{code}/send-backs", get(review::list))
        .route("/api/v1/units/{code}/approval", post(review::approve))
        .route("/api/v1/units/{code}/approvals", get(review::approvals))
        .route("/api/v1/units/{code}/weekly-reports", get(weekly::overview))
        .route(
            "/api/v1/units/{code}/weekly-reports/{week}",
            get(weekly::report),
        )
        .route(
            "/api/v1/units/{code}/weekly-reports/{week}/submit",
            post(weekly::submit),
        )
        .route(
            "/api/v1/units/{code}/weekly-reports/{week}/report.xlsx",
            get(weekly::report_xlsx),
        )
        .route("/api/v1/documents/changed", post(sync::changed))
        .route("/api/v1/households/{id}/history", get(households::history))
        .route("/api/v1/access-log", get(privacy::list))
        .route(
            "/api/v1/units/{code}/record-problems",
            get(households::problems),
        )
        .route("/api/v1/units/{code}/conflicts", get(households::conflicts))
        .route(
            "/api/v1/units/{code}/raw-data.xlsx",
            get(households::raw_data_xlsx),
        )
        .route(
            "/api/v1/units/{code}/raw-data.csv",
            get(households::raw_data_csv),
        )
        // The register is streamed to a file with its own limit (register_upload_limit).
        .route(
            "/api/v1/households/import",
            post(households::import).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/api/v1/households/import/{job}",
            get(households::import_status),
        )
        .route("/api/v1/survey", get(surveys::current))
        .route("/api/v1/survey/versions", get(surveys::overview))
        .route("/api/v1/survey/versions/{version}", get(surveys::version))
        .route(
            "/api/v1/survey/draft",
            axum::routing::put(surveys::save_draft).delete(surveys::discard_draft),
        )
        .route("/api/v1/survey/draft/publish", post(surveys::publish))
        .route("/api/v1/sync", get(sync::sync_socket))
        .route("/api/v1/units", get(units::list).post(units::create))
        .route(
            "/api/v1/units/import",
            post(units::import).layer(upload_limit),
        )
        .route("/api/v1/units/{code}", get(units::get))
        .route("/api/v1/unit-codes/{code}", get(reforms::by_code))
        .route(
            "/api/v1/reforms",
            get(reforms::list).post(reforms::apply).layer(upload_limit),
        )
        .route(
            "/api/v1/reforms/preview",
            post(reforms::preview).layer(upload_limit),
        )
        .route(
            "/api/v1/reforms/placements",
            get(reforms::placements)
                .post(reforms::place)
                .layer(upload_limit),
        )
        .route("/api/v1/units/{code}/merge", post(units::merge))
        .route("/api/v1/units/{code}/retire", post(units::retire))
        .route(
            "/api/v1/units/{code}/indicators",
            get(metrics::unit_indicators),
        )
        .route(
            "/api/v1/units/{code}/report.xlsx",
            get(metrics::report_xlsx),
        )
        .route("/api/v1/units/{code}/report.csv", get(metrics::report_csv))
        .route("/api/v1/units/{code}/progress", get(metrics::unit_progress))
        .route(
            "/api/v1/units/{code}/restatements",
            get(history::restatements),
        )
        .route(
            "/api/v1/units/{code}/weekly.xlsx",
            get(metrics::weekly_xlsx),
        )
        .route(
            "/api/v1/units/{code}/declared",
            get(metrics::declared_history).post(metrics::declare),
        )
        .route(
            "/api/v1/indicators",
            get(metrics::catalogue).post(metrics::indicator_add),
        )
        .route(
            "/api/v1/indicators/{id}",
            axum::routing::delete(metrics::indicator_remove),
        )
        .route("/api/v1/targets", post(metrics::target))
        .route("/api/v1/units/{code}/targets", get(metrics::unit_targets))
        .route(
            "/api/v1/campaigns",
            get(metrics::campaign_list).post(metrics::campaign_create),
        )
        .route(
            "/api/v1/campaigns/{id}",
            axum::routing::patch(metrics::campaign_update),
        )
        .route(
            "/api/v1/campaigns/current",
            get(metrics::campaign_current).put(metrics::campaign_mark_current),
        )
        .route("/api/v1/team", get(team::team))
        .route("/api/v1/users", get(users::list).post(users::create))
        .route(
            "/api/v1/users/username-suggestion",
            get(team::username_suggestion),
        )
        .route(
            "/api/v1/users/import",
            post(team::import).layer(upload_limit),
        )
        .route("/api/v1/users/{id}/sign-in-code", post(users::sign_in_code))
        .route(
            "/api/v1/users/{id}/reset-password",
            post(users::reset_password),
        )
        .route("/api/v1/users/{id}/unlock", post(users::unlock))
        .route("/api/v1/users/{id}", get(users::get).patch(users::update))
        .route(
            "/api/v1/users/{id}/sessions",
            get(users::sessions).delete(users::revoke_all),
        )
        .route(
            "/api/v1/users/{id}/sessions/{session_id}",
            axum::routing::delete(users::revoke_one),
        )
        .route(
            "/api/v1/assignments",
            get(assignments::list).post(assignments::create),
        )
        .route(
            "/api/v1/assignments/{id}",
            get(assignments::get)
                .patch(assignments::update)
                .delete(assignments::delete),
        )
        .fallback(crate::web::serve)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(state.config.json_body_limit))
}

async fn method_not_allowed() -> axum::response::Response {
    error::error_response(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "this endpoint does not accept that method: see /api/v1/openapi.json".into(),
        vec![],
    )
}
