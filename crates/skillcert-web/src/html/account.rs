//! Sign-in, sign-out, language switch and password change.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use skillcert_app::AppError;
use skillcert_app::auth::{self, SessionKind};

use super::{Ctx, FormErrors, WebForm, render};
use crate::error::{WebError, form_errors, message};
use crate::i18n::{Lang, t};
use crate::session::{
    FormCsrf, LANG_COOKIE, MaybeMe, Me, PRE_CSRF_COOKIE, SESSION_COOKIE, cookie, same_token,
    set_cookie,
};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "account/login.html")]
struct LoginPage {
    ctx: Ctx,
    next: String,
    username: String,
    error: Option<String>,
    pre_csrf: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only same-site paths are followed after sign-in (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

pub async fn login_form(
    State(state): State<AppState>,
    lang: Lang,
    MaybeMe(me): MaybeMe,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    if me.is_some() {
        return Ok(Redirect::to(&safe_next(q.next.as_deref())).into_response());
    }
    let pre = cookie(&headers, PRE_CSRF_COOKIE)
        .map(str::to_string)
        .unwrap_or_else(auth::random_token);
    let page = LoginPage {
        ctx: Ctx::new(lang, None, "/login"),
        next: safe_next(q.next.as_deref()),
        username: String::new(),
        error: None,
        pre_csrf: pre.clone(),
    };
    let mut res = render(&page)?;
    if let Ok(v) = set_cookie(PRE_CSRF_COOKIE, &pre, 3600, state.secure_cookies).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    csrf: Option<axum::Extension<FormCsrf>>,
    WebForm(f): WebForm<LoginForm>,
) -> Result<Response, WebError> {
    let pre = cookie(&headers, PRE_CSRF_COOKIE).unwrap_or("");
    let presented = csrf.map(|c| c.0.0).unwrap_or_default();
    if pre.is_empty() || !same_token(pre, &presented) {
        return Err(WebError::Csrf);
    }
    let next = safe_next(f.next.as_deref());
    match auth::login(&state.app, &f.username, &f.password, SessionKind::Web).await {
        Ok(l) => {
            let mut res = Redirect::to(&next).into_response();
            let max_age = state.app.config.session_idle.num_seconds();
            if let Ok(v) =
                set_cookie(SESSION_COOKIE, &l.token, max_age, state.secure_cookies).parse()
            {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            Ok(res)
        }
        Err(e @ (AppError::BadCredentials | AppError::Throttled { .. })) => {
            let status = match e {
                AppError::Throttled { .. } => axum::http::StatusCode::TOO_MANY_REQUESTS,
                _ => axum::http::StatusCode::UNAUTHORIZED,
            };
            let info = match WebError::App(e)
                .into_response()
                .extensions_mut()
                .remove::<crate::error::ErrorInfo>()
            {
                Some(i) => i,
                None => return Err(WebError::BadRequest("login")),
            };
            let page = LoginPage {
                ctx: Ctx::new(lang, None, "/login"),
                next,
                username: f.username,
                error: Some(message(lang, &info)),
                pre_csrf: pre.to_string(),
            };
            Ok((status, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn logout(State(state): State<AppState>, Me(me): Me) -> Result<Response, WebError> {
    auth::logout(&state.app, &me).await?;
    let mut res = Redirect::to("/login").into_response();
    if let Ok(v) = set_cookie(SESSION_COOKIE, "", 0, state.secure_cookies).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

/// Switches the language; only a cookie changes, so a plain link is enough.
pub async fn set_lang(
    State(state): State<AppState>,
    Path(tag): Path<String>,
    Query(q): Query<NextQuery>,
) -> Response {
    let lang = Lang::parse(&tag).unwrap_or_default();
    let mut res = Redirect::to(&safe_next(q.next.as_deref())).into_response();
    if let Ok(v) = set_cookie(
        LANG_COOKIE,
        lang.tag(),
        365 * 24 * 3600,
        state.secure_cookies,
    )
    .parse()
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

#[derive(Template)]
#[template(path = "account/password.html")]
struct PasswordPage {
    ctx: Ctx,
    username: String,
    errors: FormErrors,
}

pub async fn password_form(lang: Lang, Me(me): Me) -> Result<Response, WebError> {
    render(&PasswordPage {
        ctx: Ctx::new(lang, Some(&me), "/account"),
        username: me.username.clone(),
        errors: FormErrors::none(),
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    confirm_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    WebForm(f): WebForm<PasswordForm>,
) -> Result<Response, WebError> {
    match auth::change_password(
        &state.app,
        &me,
        &f.current_password,
        &f.new_password,
        &f.confirm_password,
    )
    .await
    {
        Ok(()) => render(&PasswordPage {
            ctx: Ctx::new(lang, Some(&me), "/account")
                .with_flash(Some(t(lang, "account-password-changed").to_string())),
            username: me.username.clone(),
            errors: FormErrors::none(),
        }),
        Err(e @ AppError::Validation(_)) => {
            let page = PasswordPage {
                ctx: Ctx::new(lang, Some(&me), "/account"),
                username: me.username.clone(),
                errors: FormErrors(form_errors(lang, &e)),
            };
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
