//! Training needs (issue 7 items 1–2): the competency model's edit pages, needs surveys, answering them, the supervisor's rating, and the needs-analysis report (page, XLSX, PDF) with its one-click draft plan.

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
