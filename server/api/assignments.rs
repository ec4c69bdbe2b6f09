//! `/api/v1/assignments/*` and `/api/v1/me/assignments`.

use axum::extract::State;
use axum::http::StatusCode;

use crate::api::extract::{Json, Path, Query};
use crate::api::AppState;
use crate::assignments::{
    self, Assignment, AssignmentQuery, NewAssignmentRequest, UpdateAssignmentRequest,
};
use crate::auth::Principal;
use crate::error::Result;

/// Assignments in the caller's area with progress (an enumerator gets their own).
#[utoipa::path(get, path = "/api/v1/assignments", tag = "assignments", security(("bearer" = [])), params(AssignmentQuery),
    responses((status = 200, body = [Assignment])))]
pub async fn list(
    State(s): State<AppState>,
    who: Principal,
    Query(q): Query<AssignmentQuery>,
) -> Result<axum::Json<Vec<Assignment>>> {
    Ok(axum::Json(
        assignments::list_assignments(&s.store, &who, &q).await?,
    ))
}

/// My own assignments.
#[utoipa::path(get, path = "/api/v1/me/assignments", tag = "assignments", security(("bearer" = [])),
    responses((status = 200, body = [Assignment])))]
pub async fn mine(
    State(s): State<AppState>,
    who: Principal,
) -> Result<axum::Json<Vec<Assignment>>> {
    let all = assignments::list_assignments(&s.store, &who, &AssignmentQuery::default()).await?;
    Ok(axum::Json(
        all.into_iter()
            .filter(|a| a.assignee_id == who.user_id)
            .collect(),
    ))
}

/// Assign a village (or some of its households) to a team member.
#[utoipa::path(post, path = "/api/v1/assignments", tag = "assignments", security(("bearer" = [])),
    request_body = NewAssignmentRequest, responses((status = 201, body = Assignment)))]
pub async fn create(
    State(s): State<AppState>,
    who: Principal,
    Json(req): Json<NewAssignmentRequest>,
) -> Result<(StatusCode, axum::Json<Assignment>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(assignments::create_assignment(&s.store, &who, req).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/assignments/{id}", tag = "assignments", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = Assignment)))]
pub async fn get(
    State(s): State<AppState>,
    who: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<Assignment>> {
    Ok(axum::Json(
        assignments::get_assignment(&s.store, &who, id).await?,
    ))
}

/// Change the due date or note.
#[utoipa::path(patch, path = "/api/v1/assignments/{id}", tag = "assignments", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = UpdateAssignmentRequest, responses((status = 200, body = Assignment)))]
pub async fn update(
    State(s): State<AppState>,
    who: Principal,
    Path(id): Path<i64>,
    Json(req): Json<UpdateAssignmentRequest>,
) -> Result<axum::Json<Assignment>> {
    Ok(axum::Json(
        assignments::update_assignment(&s.store, &who, id, req).await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/assignments/{id}", tag = "assignments", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 204)))]
pub async fn delete(
    State(s): State<AppState>,
    who: Principal,
    Path(id): Path<i64>,
) -> Result<StatusCode> {
    assignments::delete_assignment(&s.store, &who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
