//! OpenAPI operations and schemas: Training needs (issue 7 items 1–2): the competency model's edit pages, needs surveys, answering them, the supervisor's rating, and the needs-analysis report (page, XLSX, PDF) with its one-click draft plan.

use serde_json::Value;

use super::Op;

pub(super) fn operations() -> Vec<Op> {
    vec![]
}

pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    vec![]
}
