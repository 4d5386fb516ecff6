//! Practical assessment pages: events (planning, draw, results, judge analytics) and the
//! judges' own pages (their panels and score sheets).

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(super::events::routes())
        .merge(super::judging::routes())
}
