//! Training plans and sessions (issue 7 items 3–4): annual plans with stages and topics, sessions with enrolment, the calendar, .ics export, the roster with attendance marking, the lecturer's check-in code and the employee's self check-in.

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
