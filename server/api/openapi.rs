//! The OpenAPI description served at `/api/v1/openapi.json`.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::api::{
    assignments, auth, health, history, households, metrics, privacy, reforms, review, surveys,
    sync, team, units, users, weekly,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "khaosat API", description = "Field survey server for the \"3 KHÔNG\" campaign. Errors are JSON: {\"error\": {\"status\", \"code\", \"message\", \"details\"}}."),
    paths(
        health::healthz, health::readyz,
        auth::login, auth::login_with_code, auth::refresh, auth::logout, auth::me,
        units::list, units::get, units::create, units::import, units::merge, units::retire,
        reforms::preview, reforms::apply, reforms::list, reforms::placements, reforms::place, reforms::by_code,
        users::list, users::create, users::get, users::update, users::sessions, users::revoke_all, users::revoke_one,
        users::sign_in_code, users::reset_password, users::unlock,
        team::team, team::username_suggestion, team::import,
        assignments::list, assignments::mine, assignments::create, assignments::get, assignments::update, assignments::delete,
        sync::sync_socket, sync::my_documents, sync::changed,
        households::import, households::import_status, households::history, households::problems, households::conflicts, households::raw_data_xlsx, households::raw_data_csv,
        review::create, review::withdraw, review::list, review::mine, review::approve, review::approvals,
        weekly::report, weekly::submit, weekly::overview, weekly::report_xlsx,
        privacy::list,
        surveys::current, surveys::version, surveys::overview, surveys::save_draft, surveys::discard_draft, surveys::publish,
        metrics::catalogue, metrics::indicator_add, metrics::indicator_remove, metrics::unit_indicators, metrics::report_xlsx, metrics::report_csv,
        metrics::declared_history, metrics::declare, metrics::target, metrics::campaign_list, metrics::campaign_create,
        metrics::campaign_current, metrics::campaign_update, metrics::unit_targets, metrics::campaign_mark_current,
        metrics::unit_progress, metrics::weekly_xlsx, history::restatements,
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Sign-in, silent refresh, device sessions"),
        (name = "units", description = "Administrative units: province → [district] → commune → village"),
        (name = "users", description = "Accounts, one role and one scope unit each"),
        (name = "assignments", description = "Villages or households given to team members"),
        (name = "sync", description = "Village documents: automerge-repo WebSocket sync, document list, change check"),
        (name = "households", description = "Household register import and audit trail"),
        (name = "indicators", description = "Indicators against targets, before/after, reports"),
        (name = "survey", description = "The survey definition as data: versions, draft, publishing"),
        (name = "privacy", description = "Log of officials' reads of person-level data"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The OpenAPI document as JSON, built once.
pub fn document() -> &'static [u8] {
    static DOC: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    DOC.get_or_init(|| serde_json::to_vec(&ApiDoc::openapi()).unwrap_or_default())
}

pub async fn openapi_json() -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        document(),
    )
        .into_response()
}
