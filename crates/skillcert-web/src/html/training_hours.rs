//! Training hours (issue 7 items 7–8): the ledger, external training with proof and its approval, the compliance page with reminders, and the compliance rules.

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
