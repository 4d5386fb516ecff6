//! Who is asking: session cookie or bearer token, the request's language, and CSRF checks.
//!
//! Browsers authenticate with an `HttpOnly; SameSite=Lax` cookie and must prove every
//! state-changing request with the session's CSRF token (form field `_csrf`, header
//! `X-CSRF-Token`, or for file uploads the `_csrf` query parameter). API clients send
//! `Authorization: Bearer <token>`, which a foreign site cannot make a browser send, so they
//! need no CSRF token.

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use skillcert_app::{Actor, auth};

use crate::error::WebError;
use crate::i18n::Lang;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "sc_session";
pub const LANG_COOKIE: &str = "sc_lang";
/// The pre-session CSRF cookie of the sign-in form (double submit).
pub const PRE_CSRF_COOKIE: &str = "sc_csrf";
const FORM_LIMIT: usize = 1024 * 1024;

/// The value of cookie `name`, if sent.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value with the attributes this application always uses.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The `_csrf` field of a url-encoded form, lifted out of the body by [`csrf_form_field`].
#[derive(Debug, Clone)]
pub struct FormCsrf(pub String);

/// Reads `_csrf` out of url-encoded form bodies so the extractor can check it without
/// consuming the body the handler needs.
pub async fn csrf_form_field(req: Request, next: Next) -> Result<Response, WebError> {
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form || is_safe(req.method()) {
        return Ok(next.run(req).await);
    }
    let (mut parts, body) = req.into_parts();
    let bytes = to_bytes(body, FORM_LIMIT)
        .await
        .map_err(|_| WebError::BadRequest("body-too-large"))?;
    if let Some(token) = form_value(&bytes, "_csrf") {
        parts.extensions.insert(FormCsrf(token));
    }
    Ok(next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await)
}

fn form_value(body: &[u8], key: &str) -> Option<String> {
    serde_urlencoded_pairs(body)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// Decodes `a=b&c=d` (the subset forms send) without another dependency.
fn serde_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    let s = String::from_utf8_lossy(body);
    s.split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (percent_decode(k), percent_decode(v)))
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The CSRF token a request presents, wherever it carries it.
pub fn presented_csrf(parts: &Parts) -> Option<String> {
    if let Some(h) = parts
        .headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return Some(h.to_string());
    }
    if let Some(FormCsrf(t)) = parts.extensions.get::<FormCsrf>() {
        return Some(t.clone());
    }
    parts
        .uri
        .query()
        .and_then(|q| form_value(q.as_bytes(), "_csrf"))
}

/// Compares without leaking through timing how much of the token matched.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The signed-in user of a request. Rejects with `Unauthenticated`, or `Csrf` when a
/// cookie-authenticated state change lacks the session's token.
pub struct Me(pub Actor);

impl FromRequestParts<AppState> for Me {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        if let Some(Me(a)) = parts.extensions.get::<CachedMe>().map(|c| Me(c.0.clone())) {
            return Ok(Me(a));
        }
        let (token, via_cookie) = match bearer(&parts.headers) {
            Some(t) => (t.to_string(), false),
            None => match cookie(&parts.headers, SESSION_COOKIE) {
                Some(t) => (t.to_string(), true),
                None => return Err(WebError::App(skillcert_app::AppError::Unauthenticated)),
            },
        };
        let actor = auth::authenticate(&state.app, &token).await?;
        if via_cookie && !is_safe(&parts.method) {
            let ok = presented_csrf(parts).is_some_and(|t| same_token(&t, &actor.csrf_token));
            if !ok {
                return Err(WebError::Csrf);
            }
        }
        parts.extensions.insert(CachedMe(actor.clone()));
        Ok(Me(actor))
    }
}

/// The optional form: pages like the sign-in page work with or without a session.
pub struct MaybeMe(pub Option<Actor>);

impl FromRequestParts<AppState> for MaybeMe {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        match Me::from_request_parts(parts, state).await {
            Ok(Me(a)) => Ok(MaybeMe(Some(a))),
            Err(WebError::App(skillcert_app::AppError::Unauthenticated)) => Ok(MaybeMe(None)),
            Err(e) => Err(e),
        }
    }
}

#[derive(Clone)]
struct CachedMe(Actor);

/// The language of a request: the `sc_lang` cookie, then `Accept-Language`, then zh-CN.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(Lang::parse)
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_default()
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(lang_of(&parts.headers))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_values_are_decoded() {
        assert_eq!(
            form_value(b"a=1&_csrf=ab%2Fc+d", "_csrf").as_deref(),
            Some("ab/c d")
        );
        assert_eq!(form_value(b"name=%E7%8E%8B", "name").as_deref(), Some("王"));
        assert_eq!(form_value(b"x=%zz", "x").as_deref(), Some("%zz"));
        assert_eq!(form_value(b"x=%4", "x").as_deref(), Some("%4"));
    }

    #[test]
    fn tokens_compare_exactly() {
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abc", "abd"));
        assert!(!same_token("abc", "ab"));
    }
}
