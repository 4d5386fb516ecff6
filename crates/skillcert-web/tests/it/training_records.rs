//! Homework, mentoring and the daily component (issue 7).

use std::collections::BTreeMap;

use crate::helpers::*;
use crate::roles::{Route, api, page};

/// This area's routes in the role matrix (`roles.rs`), each with what it needs and an
/// invalid input, so an allowed role is refused by validation and a forbidden one by 403.
pub(crate) fn matrix_routes() -> Vec<Route> {
    let _ = (api, page);
    vec![]
}

/// Records this area's matrix routes point at: `ids` maps a path prefix (`"/surveys/"`) or
/// a named placeholder (`"{code}"`) to the id to use.
pub(crate) async fn matrix_fixture(_t: &TestApp, _ids: &mut BTreeMap<&'static str, String>) {}

/// This area's pages the English-page check (`i18n.rs`) loads as `admin`.
pub(crate) async fn english_pages(_t: &TestApp) -> Vec<String> {
    Vec::new()
}

/// Data of this area that may show in Chinese on English pages (names, titles typed by
/// users), for the English-page check.
pub(crate) async fn data_strings(_t: &TestApp) -> Vec<String> {
    Vec::new()
}
