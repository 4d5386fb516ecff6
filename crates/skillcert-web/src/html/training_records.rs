//! Training records (issue 7 items 5–6): homework assignments, submissions and marking; mentors, follow-ups and the overdue list; the daily component's breakdown.

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
