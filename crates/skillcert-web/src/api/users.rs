//! User accounts and role grants (administrators only; the services check).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use skillcert_app::store::users::GrantRow;
use skillcert_app::users::{self, UserInput, UserWithGrants};

use super::extract::{ApiJson, ApiPath};
use super::{PREFIX, created};
use crate::error::WebError;
use crate::session::Me;
use crate::state::AppState;

pub async fn list(
    State(state): State<AppState>,
    Me(me): Me,
) -> Result<Json<Vec<UserWithGrants>>, WebError> {
    Ok(Json(users::list(&state.app, &me).await?))
}

pub async fn create(
    State(state): State<AppState>,
    Me(me): Me,
    ApiJson(input): ApiJson<UserInput>,
) -> Result<Response, WebError> {
    let u = users::create(&state.app, &me, &input).await?;
    Ok(created(format!("{PREFIX}/users/{}", u.id), u))
}

pub async fn get(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<UserWithGrants>, WebError> {
    Ok(Json(users::get(&state.app, &me, id).await?))
}

#[derive(Debug, Deserialize)]
pub struct GrantInput {
    pub role: String,
    /// Limits the role to this department and those below it; ignored for `admin`.
    #[serde(default)]
    pub department_id: Option<i64>,
}

pub async fn add_grant(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(g): ApiJson<GrantInput>,
) -> Result<(StatusCode, Json<GrantRow>), WebError> {
    let row = users::add_grant(&state.app, &me, id, &g.role, g.department_id).await?;
    Ok((StatusCode::CREATED, Json(row)))
}

pub async fn remove_grant(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath((id, grant_id)): ApiPath<(i64, i64)>,
) -> Result<StatusCode, WebError> {
    users::remove_grant(&state.app, &me, id, grant_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
pub struct PasswordReset {
    pub password: String,
}

/// An administrator sets a new password; the user's sessions end.
pub async fn reset_password(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PasswordReset>,
) -> Result<StatusCode, WebError> {
    users::reset_password(&state.app, &me, id, &b.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
pub struct ActiveInput {
    pub active: bool,
}

/// Blocks (`false`) or unblocks (`true`) sign-in; blocking ends the user's sessions.
pub async fn set_active(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ActiveInput>,
) -> Result<StatusCode, WebError> {
    users::set_active(&state.app, &me, id, b.active).await?;
    Ok(StatusCode::NO_CONTENT)
}
