//! OpenAPI operations and schemas: Training records (issue 7 items 5–6): homework assignments, submissions and marking; mentors, follow-ups and the overdue list; the daily component's breakdown.

use serde_json::Value;

use super::Op;

pub(super) fn operations() -> Vec<Op> {
    vec![]
}

pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    vec![]
}
