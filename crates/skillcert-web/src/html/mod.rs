//! Server-rendered pages. Each area is a module with its handlers; templates live in
//! `templates/<area>/`. Pages work without JavaScript; `static/app.js` adds confirmations.

pub mod account;
pub mod appeals;
pub mod audit;
pub mod certificates;
pub mod dashboard;
pub mod download;
pub mod employees;
pub mod events;
pub mod exam_attempt;
pub mod exams;
pub mod judging;
pub mod org;
pub mod practical;
pub mod questions;
pub mod round_report;
pub mod rounds;
pub mod rubrics;
pub mod scenarios;
pub mod schemes;
pub mod take;
pub mod training_hours;
pub mod training_needs;
pub mod training_records;
pub mod training_sessions;
pub mod users;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use skillcert_app::Actor;
use skillcert_domain::access::Permission;

use crate::error::WebError;
use crate::i18n::{Lang, t, tf};

/// A link of the main navigation.
pub struct NavItem {
    pub href: &'static str,
    pub key: &'static str,
    pub active: bool,
    /// A count shown next to the item (unread inbox messages).
    pub badge: Option<i64>,
}

/// What every page's layout needs.
pub struct Ctx {
    pub lang: Lang,
    pub user: Option<String>,
    pub csrf: String,
    /// The current path with its query, for the language switcher's way back.
    pub here: String,
    pub nav: Vec<NavItem>,
    pub flash: Option<String>,
}

impl Ctx {
    pub fn new(lang: Lang, actor: Option<&Actor>, here: &str) -> Self {
        let mut nav = Vec::new();
        if let Some(a) = actor {
            let items: &[(&'static str, &'static str, Option<Permission>)] = &[
                ("/", "nav-dashboard", None),
                ("/my-exams", "nav-my-exams", Some(Permission::Dashboard)),
                (
                    "/my-certification",
                    "nav-my-certification",
                    Some(Permission::Dashboard),
                ),
                (
                    "/my-training",
                    "nav-my-training",
                    Some(Permission::Dashboard),
                ),
                ("/inbox", "nav-inbox", None),
                ("/employees", "nav-employees", Some(Permission::OrgRead)),
                ("/departments", "nav-departments", Some(Permission::OrgRead)),
                ("/units", "nav-units", Some(Permission::OrgRead)),
                ("/positions", "nav-positions", Some(Permission::OrgRead)),
                ("/schemes", "nav-schemes", Some(Permission::SchemeRead)),
                (
                    "/questions",
                    "nav-questions",
                    Some(Permission::QuestionBank),
                ),
                ("/papers", "nav-papers", Some(Permission::QuestionBank)),
                ("/exams", "nav-exams", Some(Permission::ExamResults)),
                ("/marking", "nav-marking", Some(Permission::ExamMark)),
                (
                    "/scenarios",
                    "nav-scenarios",
                    Some(Permission::QuestionBank),
                ),
                ("/rubrics", "nav-rubrics", Some(Permission::SchemeRead)),
                ("/events", "nav-events", Some(Permission::AssessmentResults)),
                ("/judging", "nav-judging", Some(Permission::AssessmentJudge)),
                (
                    "/rounds",
                    "nav-rounds",
                    Some(Permission::CertificationResults),
                ),
                ("/appeals", "nav-appeals", Some(Permission::AppealReview)),
                (
                    "/certificates",
                    "nav-certificates",
                    Some(Permission::CertificationResults),
                ),
                ("/training", "nav-training", Some(Permission::TrainingRead)),
                ("/surveys", "nav-surveys", Some(Permission::TrainingRead)),
                ("/mentoring", "nav-mentoring", Some(Permission::Mentoring)),
                (
                    "/compliance",
                    "nav-compliance",
                    Some(Permission::TrainingRead),
                ),
                ("/users", "nav-users", Some(Permission::UserManage)),
                ("/audit", "nav-audit", Some(Permission::AuditRead)),
            ];
            let path = here.split('?').next().unwrap_or("/");
            for &(href, key, perm) in items {
                // "My exams" is for people with an employee record.
                let mine = !matches!(href, "/my-exams" | "/my-certification" | "/my-training")
                    || a.employee_id.is_some();
                if mine && perm.is_none_or(|p| a.can(p)) {
                    let active = if href == "/" {
                        path == "/"
                    } else {
                        path.starts_with(href)
                    };
                    let badge = if href == "/inbox" {
                        appeals::nav_unread().filter(|n| *n > 0)
                    } else {
                        None
                    };
                    nav.push(NavItem {
                        href,
                        key,
                        active,
                        badge,
                    });
                }
            }
        }
        Ctx {
            lang,
            user: actor.map(|a| a.display_name.clone()),
            csrf: actor.map(|a| a.csrf_token.clone()).unwrap_or_default(),
            here: crate::error::urlencode(here),
            nav,
            flash: None,
        }
    }

    pub fn with_flash(mut self, flash: Option<String>) -> Self {
        self.flash = flash;
        self
    }

    pub fn t(&self, key: &str) -> &'static str {
        t(self.lang, key)
    }

    pub fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        tf(self.lang, key, args)
    }

    /// The label of an employee status key.
    pub fn status(&self, key: &str) -> &'static str {
        t(self.lang, &format!("status-{key}"))
    }

    pub fn role(&self, key: &str) -> &'static str {
        t(self.lang, &format!("role-{key}"))
    }

    pub fn date(&self, d: &chrono::NaiveDate) -> String {
        d.format("%Y-%m-%d").to_string()
    }

    /// A stored UTC time shown in China Standard Time.
    pub fn time(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        (*at + chrono::Duration::hours(8))
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }
}

/// Renders a template; a template error is an internal error.
pub fn render<T: Template>(tpl: &T) -> Result<Response, WebError> {
    tpl.render().map(|s| Html(s).into_response()).map_err(|e| {
        WebError::App(skillcert_app::AppError::Internal(anyhow::anyhow!(
            "template: {e}"
        )))
    })
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    ctx: Ctx,
    status: u16,
    message: &'a str,
}

/// The friendly error page (without navigation: the error may be about the session itself).
pub fn error_page(lang: Lang, status: StatusCode, message: &str) -> String {
    let page = ErrorPage {
        ctx: Ctx::new(lang, None, "/"),
        status: status.as_u16(),
        message,
    };
    page.render().unwrap_or_else(|_| message.to_string())
}

/// Field errors keyed by field, for forms.
pub struct FormErrors(pub Vec<(String, String)>);

impl FormErrors {
    pub fn none() -> Self {
        FormErrors(Vec::new())
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    /// Errors that belong to no field of the form.
    pub fn general(&self, fields: &[&str]) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(f, _)| !fields.contains(&f.as_str()))
            .map(|(_, m)| m.as_str())
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Refusals a page shows next to its form (with the status of [`refusal_status`]) instead of
/// as an error page: the person can correct what they typed.
pub fn shown_on_page(e: &skillcert_app::AppError) -> bool {
    use skillcert_app::AppError;
    matches!(
        e,
        AppError::Validation(_)
            | AppError::Conflict(_)
            | AppError::Unprocessable(_)
            | AppError::Rejected(_)
            | AppError::InputsInvalid(_)
    )
}

/// The status of a page re-shown with a refusal: 409 for a conflict, else 422.
pub fn refusal_status(e: &skillcert_app::AppError) -> StatusCode {
    match e {
        skillcert_app::AppError::Conflict(_) => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// Parses an optional id typed in a form: "" means none.
pub fn opt_id(raw: &Option<String>) -> Option<i64> {
    raw.as_deref().and_then(|s| s.trim().parse().ok())
}

/// A text field typed in a form or query, trimmed; blank means none.
pub fn nonblank(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Pagination links for list pages.
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    /// The query string without `page`, to which `&page=N` is appended.
    pub base: String,
}

impl Pager {
    pub fn prev(&self) -> Option<i64> {
        (self.page > 1).then(|| self.page - 1)
    }
    pub fn next(&self) -> Option<i64> {
        (self.page < self.pages).then(|| self.page + 1)
    }
}

/// A url-encoded form whose rejection is our error (a localized page), not axum's plain text.
pub struct WebForm<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for WebForm<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = WebError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, WebError> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(WebForm(v)),
            Err(_) => Err(WebError::BadRequest("bad-form")),
        }
    }
}
