//! The HTTP front end of skillcert: server-rendered pages and the JSON API over the same
//! services. Errors become HTTP in one place ([`error`]); languages are per request ([`i18n`]).

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod api;
pub mod error;
pub mod html;
pub mod i18n;
pub mod session;
pub mod state;
pub mod upload;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Router, middleware};

pub use state::AppState;

/// Uploads (employee files) may be large; everything else is small.
const BODY_LIMIT: usize = 32 * 1024 * 1024;

/// The whole application as one router.
pub fn router(state: AppState) -> Router {
    use html::{account, dashboard, employees};
    Router::new()
        .route("/", get(dashboard::index))
        .route("/login", get(account::login_form).post(account::login))
        .route("/logout", post(account::logout))
        .route("/lang/{tag}", get(account::set_lang))
        .route("/account", get(account::password_form))
        .route("/account/password", post(account::change_password))
        .route("/employees", get(employees::list))
        .route(
            "/employees/new",
            get(employees::new_form).post(employees::create),
        )
        .route(
            "/employees/import",
            get(employees::import_form).post(employees::import_upload),
        )
        .route(
            "/employees/import/template.csv",
            get(employees::template_csv),
        )
        .route(
            "/employees/import/template.xlsx",
            get(employees::template_xlsx),
        )
        .route("/employees/{id}", get(employees::show))
        .route(
            "/employees/{id}/edit",
            get(employees::edit_form).post(employees::update),
        )
        .merge(html::org::routes())
        .merge(html::users::routes())
        .merge(html::audit::routes())
        .merge(html::schemes::routes())
        .merge(html::questions::routes())
        .merge(html::exams::routes())
        .merge(html::exam_attempt::routes())
        .merge(html::take::routes())
        .merge(html::rubrics::routes())
        .merge(html::scenarios::routes())
        .merge(html::practical::routes())
        .merge(html::rounds::routes())
        .merge(html::round_report::routes())
        .merge(html::appeals::routes())
        .merge(html::certificates::routes())
        .merge(html::training_needs::routes())
        .merge(html::training_sessions::routes())
        .merge(html::training_records::routes())
        .merge(html::training_hours::routes())
        .nest("/api/v1", api::routes())
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
        .route("/static/exam.js", get(exam_js))
        .route("/static/sheet.js", get(html::judging::script))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            html::appeals::count_unread,
        ))
        .layer(middleware::from_fn(session::csrf_form_field))
        .layer(middleware::from_fn(error::render_errors))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok"
}

/// Ready when the database answers.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.app.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

async fn not_found() -> error::WebError {
    error::WebError::App(skillcert_app::AppError::NotFound)
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("../static/app.css"),
    )
}

async fn js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("../static/app.js"),
    )
}

async fn exam_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("../static/exam.js"),
    )
}

/// Serves until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
