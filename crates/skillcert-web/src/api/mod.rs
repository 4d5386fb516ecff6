//! The JSON API under `/api/v1`, over the same services as the pages.
//! Clients sign in with `POST /api/v1/session` and send `Authorization: Bearer <token>`.

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
