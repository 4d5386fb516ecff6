//! Training hours (issue 7 items 7–8): the ledger, external training with proof and its approval, the compliance page with reminders, and the compliance rules. Over the JSON API; every handler is one call of `skillcert_app::training`.

use super::Operation;

pub fn operations() -> Vec<Operation> {
    vec![]
}
