//! The one place where failures become HTTP: status, JSON `{code, message, fields}` for the
//! API, a localized page for browsers, a redirect to sign-in for pages that need a session.
//!
//! Handlers return [`WebError`]; its response carries an [`ErrorInfo`] extension and the
//! [`render_errors`] middleware, which knows the request's path and language, writes the body.

use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Serialize;
use skillcert_app::AppError;
use skillcert_app::import::ImportReport;
use skillcert_app::schemes::input_field;

use crate::i18n::{Lang, t, tf};
use crate::session::lang_of;

#[derive(Debug)]
pub enum WebError {
    App(AppError),
    /// A state-changing request without the session's CSRF token.
    Csrf,
    BadRequest(&'static str),
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        WebError::App(e)
    }
}

/// One field's problem, as the API reports it.
#[derive(Debug, Clone, Serialize)]
pub struct FieldInfo {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// What the middleware needs to render an error; cloned out of the error at response time.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub status: StatusCode,
    pub code: &'static str,
    pub fields: Vec<(String, String, Option<usize>)>,
    pub minutes: Option<i64>,
    pub import: Option<Box<ImportReport>>,
    /// The translation family of the field codes: `field`, `scheme-error` or `input-error`.
    pub field_family: &'static str,
}

impl WebError {
    fn info(self) -> ErrorInfo {
        let mut info = ErrorInfo {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            fields: Vec::new(),
            minutes: None,
            import: None,
            field_family: "field",
        };
        match self {
            WebError::Csrf => {
                info.status = StatusCode::FORBIDDEN;
                info.code = "csrf";
            }
            WebError::BadRequest(code) => {
                info.status = StatusCode::BAD_REQUEST;
                info.code = code;
            }
            WebError::App(e) => {
                info.code = e.code();
                info.status = match &e {
                    AppError::Validation(_)
                    | AppError::ImportRejected(_)
                    | AppError::SchemeInvalid(_)
                    | AppError::InputsInvalid(_)
                    | AppError::Rejected(_)
                    | AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
                    AppError::Unauthenticated | AppError::BadCredentials => {
                        StatusCode::UNAUTHORIZED
                    }
                    AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
                    AppError::Forbidden => StatusCode::FORBIDDEN,
                    AppError::NotFound => StatusCode::NOT_FOUND,
                    AppError::Conflict(_) => StatusCode::CONFLICT,
                    AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
                };
                match e {
                    AppError::Validation(fs) => {
                        info.fields = fs
                            .into_iter()
                            .map(|f| {
                                (
                                    f.field.to_string(),
                                    f.reason.code().to_string(),
                                    f.reason.limit(),
                                )
                            })
                            .collect();
                    }
                    AppError::SchemeInvalid(es) => {
                        info.field_family = "scheme-error";
                        info.fields =
                            es.0.iter()
                                .map(|e| (e.field.clone(), e.code().to_string(), None))
                                .collect();
                    }
                    AppError::InputsInvalid(es) => {
                        info.field_family = "input-error";
                        info.fields =
                            es.0.iter()
                                .map(|e| (input_field(e), e.code().to_string(), None))
                                .collect();
                    }
                    AppError::Rejected(ps) => {
                        info.field_family = "problem";
                        info.fields = ps
                            .iter()
                            .map(|p| (p.field.clone(), p.code.to_string(), None))
                            .collect();
                    }
                    AppError::Throttled { minutes } => info.minutes = Some(minutes),
                    AppError::ImportRejected(r) => info.import = Some(r),
                    AppError::Internal(err) => {
                        // Logged once, here; the user sees only a generic message.
                        tracing::error!(error = ?err, "internal error");
                    }
                    _ => {}
                }
            }
        }
        info
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let info = self.info();
        let mut res = info.status.into_response();
        res.extensions_mut().insert(info);
        res
    }
}

/// The localized sentence for an error code.
pub fn message(lang: Lang, info: &ErrorInfo) -> String {
    let minutes = info.minutes.unwrap_or(0).to_string();
    tf(
        lang,
        &format!("error-{}", info.code),
        &[("minutes", &minutes)],
    )
}

/// The localized sentence for one field problem, e.g. "must be at most 64 characters".
pub fn field_message(lang: Lang, code: &str, limit: Option<usize>) -> String {
    let limit = limit.map(|l| l.to_string()).unwrap_or_default();
    tf(lang, &format!("field-{code}"), &[("limit", &limit)])
}

#[derive(Serialize)]
struct ApiBody<'a> {
    code: &'a str,
    message: String,
    fields: Vec<FieldInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    import: Option<&'a ImportReport>,
}

/// Writes the body of error responses: JSON under `/api/`, pages elsewhere.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let lang = lang_of(req.headers());
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let mut res = next.run(req).await;
    let Some(info) = res.extensions_mut().remove::<ErrorInfo>() else {
        return res;
    };
    if path.starts_with("/api/") {
        let body = ApiBody {
            code: info.code,
            message: message(lang, &info),
            fields: info
                .fields
                .iter()
                .map(|(f, c, l)| FieldInfo {
                    field: f.clone(),
                    code: c.clone(),
                    message: if info.field_family == "field" {
                        field_message(lang, c, *l)
                    } else {
                        t(lang, &format!("{}-{c}", info.field_family)).to_string()
                    },
                })
                .collect(),
            import: info.import.as_deref(),
        };
        let mut r = (info.status, Json(body)).into_response();
        if info.status == StatusCode::UNAUTHORIZED {
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        return r;
    }
    if info.code == "unauthenticated" {
        let next = match query {
            Some(q) => format!("{path}?{q}"),
            None => path,
        };
        return Redirect::to(&format!("/login?next={}", urlencode(&next))).into_response();
    }
    let page = crate::html::error_page(lang, info.status, &message(lang, &info));
    (info.status, Html(page)).into_response()
}

/// Percent-encodes a value for a query string.
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Field errors of a validation failure, localized, for re-rendering a form.
pub fn form_errors(lang: Lang, e: &AppError) -> Vec<(String, String)> {
    match e {
        AppError::Validation(fs) => fs
            .iter()
            .map(|f| {
                (
                    f.field.to_string(),
                    field_message(lang, f.reason.code(), f.reason.limit()),
                )
            })
            .collect(),
        AppError::SchemeInvalid(es) => {
            es.0.iter()
                .map(|e| {
                    (
                        e.field.clone(),
                        t(lang, &format!("scheme-error-{}", e.code())).to_string(),
                    )
                })
                .collect()
        }
        AppError::InputsInvalid(es) => {
            es.0.iter()
                .map(|e| {
                    (
                        input_field(e),
                        t(lang, &format!("input-error-{}", e.code())).to_string(),
                    )
                })
                .collect()
        }
        AppError::Rejected(ps) => ps
            .iter()
            .map(|p| {
                (
                    p.field.clone(),
                    t(lang, &format!("problem-{}", p.code)).to_string(),
                )
            })
            .collect(),
        other => vec![(
            String::new(),
            t(lang, &format!("error-{}", other.code())).to_string(),
        )],
    }
}
