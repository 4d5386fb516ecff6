//! OpenAPI operations and schemas: Training plans and sessions (issue 7 items 3–4): annual plans with stages and topics, sessions with enrolment, the calendar, .ics export, the roster with attendance marking, the lecturer's check-in code and the employee's self check-in.

use serde_json::Value;

use super::Op;

pub(super) fn operations() -> Vec<Op> {
    vec![]
}

pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    vec![]
}
