//! Training records (issue 7 items 5–6): homework assignments, submissions and marking; mentors, follow-ups and the overdue list; the daily component's breakdown. Over the JSON API; every handler is one call of `skillcert_app::training`.

use super::Operation;

pub fn operations() -> Vec<Operation> {
    vec![]
}
