//! The JSON API under `/api/v1`, over the same services as the pages.
//! Clients sign in with `POST /api/v1/session` and send `Authorization: Bearer <token>`.
//!
//! Handlers are thin: parse the request, call one service, answer with JSON. Failures are
//! [`WebError`](crate::error::WebError)s, which `render_errors` turns into
//! `{code, message, fields}` with the right status. The routes are one table ([`operations`]),
//! so the router and the list checked against the OpenAPI document cannot drift apart.

pub mod appeals;
pub mod attempts;
pub mod audit;
pub mod certificates;
pub mod exams;
pub mod extract;
#[cfg(test)]
mod http_tests;
pub mod openapi;
pub mod org;
pub mod practical;
pub mod questions;
pub mod round_report;
pub mod rounds;
pub mod rubrics;
pub mod scenarios;
pub mod schemes;
pub mod session;
pub mod training_hours;
pub mod training_needs;
pub mod training_records;
pub mod training_sessions;
pub mod users;

use axum::Router;
use axum::handler::Handler;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{self, MethodRouter};
use serde::Serialize;

use crate::state::AppState;

/// Where the API is mounted (see `crate::router`).
pub const PREFIX: &str = "/api/v1";

/// One route of the API: method, path template relative to [`PREFIX`], handler.
pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
    router: MethodRouter<AppState>,
}

pub(crate) fn get<H, T>(path: &'static str, h: H) -> Operation
where
    H: Handler<T, AppState>,
    T: 'static,
{
    Operation {
        method: "GET",
        path,
        router: routing::get(h),
    }
}

pub(crate) fn post<H, T>(path: &'static str, h: H) -> Operation
where
    H: Handler<T, AppState>,
    T: 'static,
{
    Operation {
        method: "POST",
        path,
        router: routing::post(h),
    }
}

pub(crate) fn put<H, T>(path: &'static str, h: H) -> Operation
where
    H: Handler<T, AppState>,
    T: 'static,
{
    Operation {
        method: "PUT",
        path,
        router: routing::put(h),
    }
}

pub(crate) fn delete<H, T>(path: &'static str, h: H) -> Operation
where
    H: Handler<T, AppState>,
    T: 'static,
{
    Operation {
        method: "DELETE",
        path,
        router: routing::delete(h),
    }
}

/// Every route of the API.
pub fn operations() -> Vec<Operation> {
    let mut ops = base_operations();
    ops.extend(exams::operations());
    ops.extend(attempts::operations());
    ops.extend(questions::operations());
    ops.extend(rubrics::operations());
    ops.extend(scenarios::operations());
    ops.extend(practical::operations());
    ops.extend(rounds::operations());
    ops.extend(round_report::operations());
    ops.extend(appeals::operations());
    ops.extend(certificates::operations());
    ops.extend(training_needs::operations());
    ops.extend(training_sessions::operations());
    ops.extend(training_records::operations());
    ops.extend(training_hours::operations());
    ops
}

fn base_operations() -> Vec<Operation> {
    vec![
        get("/openapi.json", openapi::serve),
        post("/session", session::login),
        delete("/session", session::logout),
        get("/me", session::me),
        post("/me/password", session::change_password),
        get("/dashboard", session::dashboard),
        get("/departments", org::list_departments),
        post("/departments", org::create_department),
        get("/departments/{id}", org::get_department),
        put("/departments/{id}", org::update_department),
        get("/units", org::list_units),
        post("/units", org::create_unit),
        get("/units/{id}", org::get_unit),
        put("/units/{id}", org::update_unit),
        get("/positions", org::list_positions),
        post("/positions", org::create_position),
        get("/positions/{id}", org::get_position),
        put("/positions/{id}", org::update_position),
        get("/employees", org::list_employees),
        post("/employees", org::create_employee),
        post("/employees/import", org::import_employees),
        get("/employees/import/template", org::import_template),
        get("/employees/{id}", org::get_employee),
        put("/employees/{id}", org::update_employee),
        get("/users", users::list),
        post("/users", users::create),
        get("/users/{id}", users::get),
        post("/users/{id}/grants", users::add_grant),
        delete("/users/{id}/grants/{grant_id}", users::remove_grant),
        post("/users/{id}/password", users::reset_password),
        post("/users/{id}/active", users::set_active),
        get("/audit", audit::list),
        get("/audit/verify", audit::verify),
        get("/schemes", schemes::list),
        get("/schemes/{key}", schemes::get),
        post("/schemes/{key}/versions", schemes::create_version),
        post("/schemes/{key}/evaluate", schemes::evaluate),
    ]
}

/// The API router, to be nested under [`PREFIX`].
pub fn routes() -> Router<AppState> {
    operations()
        .into_iter()
        .fold(Router::new(), |r, op| r.route(op.path, op.router))
}

/// `(METHOD, full path template)` of every route, e.g. `("GET", "/api/v1/employees/{id}")`.
pub fn route_list() -> Vec<(String, String)> {
    operations()
        .into_iter()
        .map(|op| (op.method.to_string(), format!("{PREFIX}{}", op.path)))
        .collect()
}

/// 201 with a `Location` header and the created resource.
fn created<T: Serialize>(location: String, body: T) -> Response {
    (
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        axum::Json(body),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_router_builds() {
        let _ = routes();
    }

    #[test]
    fn every_route_is_documented_and_every_documented_route_exists() {
        let mut routes = route_list();
        let mut documented = openapi::documented_paths();
        routes.sort();
        documented.sort();
        let undocumented: Vec<_> = routes.iter().filter(|r| !documented.contains(r)).collect();
        let missing: Vec<_> = documented.iter().filter(|d| !routes.contains(d)).collect();
        assert!(
            undocumented.is_empty(),
            "routes missing from openapi.json: {undocumented:?}"
        );
        assert!(missing.is_empty(), "documented but not routed: {missing:?}");
        let mut deduped = routes.clone();
        deduped.dedup();
        assert_eq!(deduped.len(), routes.len(), "a route is listed twice");
    }
}
