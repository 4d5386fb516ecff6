//! The audit log (read-only: the log is append-only) and the hash chain check.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use serde::Deserialize;
use skillcert_app::Page;
use skillcert_app::audit::{self, Verification};
use skillcert_app::store::audit::{AuditQuery, AuditRow};
use skillcert_domain::access::Permission;

use super::{Ctx, Pager, render};
use crate::error::{WebError, urlencode};
use crate::i18n::{Lang, has, t};
use crate::session::Me;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(list))
        .route("/audit/verify", get(verify))
}

/// The entity kinds that have a label; others are shown as recorded.
const KINDS: [&str; 10] = [
    "assessment_event",
    "department",
    "employee",
    "event_subject",
    "position",
    "rubric",
    "scenario",
    "score_sheet",
    "unit",
    "user",
];

/// The label of an entity kind, or the kind itself when it has none.
fn kind_label(lang: Lang, entity: &str) -> String {
    let key = format!("audit-kind-{entity}");
    if has(lang, &key) {
        t(lang, &key).to_string()
    } else {
        entity.to_string()
    }
}

/// Start of a calendar day in China Standard Time (UTC+8), as a UTC instant.
fn day_start(d: NaiveDate) -> DateTime<Utc> {
    d.and_time(NaiveTime::MIN).and_utc() - Duration::hours(8)
}

/// A `YYYY-MM-DD` filter value: `Ok(None)` when empty, `Err` when malformed.
fn parse_day(raw: &Option<String>) -> Result<Option<NaiveDate>, ()> {
    match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| ()),
    }
}

/// The list's query string; every value is optional.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub action: Option<String>,
    pub actor: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

fn text(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl ListQuery {
    /// The store query, and whether a date was malformed (and so ignored).
    fn to_query(&self) -> (AuditQuery, bool) {
        let from = parse_day(&self.from);
        let to = parse_day(&self.to);
        let bad_date = from.is_err() || to.is_err();
        let q = AuditQuery {
            entity: text(&self.entity),
            entity_id: text(&self.entity_id),
            action: text(&self.action),
            actor: text(&self.actor),
            from: from.ok().flatten().map(day_start),
            // The end date is inclusive: up to the start of the next day.
            to: to.ok().flatten().map(|d| day_start(d) + Duration::days(1)),
            page: self
                .page
                .as_deref()
                .and_then(|p| p.parse().ok())
                .unwrap_or(1),
            per_page: self
                .per_page
                .as_deref()
                .and_then(|p| p.parse().ok())
                .unwrap_or(50),
        };
        (q, bad_date)
    }

    /// The query string of the current filters, without page.
    fn base(&self) -> String {
        let mut parts = Vec::new();
        let mut add = |k: &str, v: &Option<String>| {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                parts.push(format!("{k}={}", urlencode(v)));
            }
        };
        add("entity", &self.entity);
        add("entity_id", &self.entity_id);
        add("action", &self.action);
        add("actor", &self.actor);
        add("from", &self.from);
        add("to", &self.to);
        add("per_page", &self.per_page);
        parts.join("&")
    }

    fn value<'a>(&self, v: &'a Option<String>) -> &'a str {
        v.as_deref().unwrap_or("")
    }
}

/// A kind offered in the entity filter.
pub struct KindOption {
    pub key: String,
    pub label: String,
}

/// One record as the page shows it.
pub struct AuditLine {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_label: String,
    pub entity_id: Option<String>,
    /// Pretty-printed JSON, empty when there is nothing.
    pub before: String,
    pub after: String,
    pub hash: String,
    pub hash_prefix: String,
}

/// Indented JSON for reading; "null" (nothing recorded) becomes empty.
fn pretty(raw: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(serde_json::Value::Null) => String::new(),
        Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_else(|_| raw.to_string()),
        Err(_) => raw.to_string(),
    }
}

fn line(lang: Lang, r: AuditRow) -> AuditLine {
    AuditLine {
        seq: r.seq,
        at: r.at,
        entity_label: kind_label(lang, &r.entity),
        before: pretty(&r.before_json),
        after: pretty(&r.after_json),
        hash_prefix: r.hash.chars().take(12).collect(),
        hash: r.hash,
        actor: r.actor,
        action: r.action,
        entity: r.entity,
        entity_id: r.entity_id,
    }
}

#[derive(Template)]
#[template(path = "audit/list.html")]
struct ListPage {
    ctx: Ctx,
    lines: Vec<AuditLine>,
    pager: Pager,
    f: ListQuery,
    kinds: Vec<KindOption>,
    bad_date: bool,
}

pub async fn list(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(f): Query<ListQuery>,
) -> Result<Response, WebError> {
    me.require(Permission::AuditRead)?;
    let (q, bad_date) = f.to_query();
    let page: Page<AuditRow> = audit::list(&state.app, &me, &q).await?;
    let pager = Pager {
        page: page.page,
        pages: page.pages(),
        total: page.total,
        base: format!("/audit?{}", f.base()),
    };
    let mut kinds: Vec<KindOption> = KINDS
        .iter()
        .map(|k| KindOption {
            key: (*k).to_string(),
            label: kind_label(lang, k),
        })
        .collect();
    // A kind typed into the address that has no label stays selectable.
    if let Some(e) = text(&f.entity).filter(|e| !KINDS.contains(&e.as_str())) {
        kinds.push(KindOption {
            label: e.clone(),
            key: e,
        });
    }
    let here = match f.base() {
        b if b.is_empty() => "/audit".to_string(),
        b => format!("/audit?{b}"),
    };
    render(&ListPage {
        ctx: Ctx::new(lang, Some(&me), &here),
        lines: page.items.into_iter().map(|r| line(lang, r)).collect(),
        pager,
        f,
        kinds,
        bad_date,
    })
}

#[derive(Template)]
#[template(path = "audit/verify.html")]
struct VerifyPage {
    ctx: Ctx,
    v: Verification,
    /// The localized explanation of the break, if any.
    problem: String,
}

/// Explains a break in the people's language. The service reports the break as text; records
/// whose content no longer matches their hash are "(edited)", every other break is a link
/// that does not follow on.
fn problem_text(lang: Lang, v: &Verification) -> String {
    match v.problem.as_deref() {
        None if v.ok => String::new(),
        Some(p) if p.contains("(edited)") => t(lang, "audit-verify-edited").to_string(),
        _ => t(lang, "audit-verify-unlinked").to_string(),
    }
}

pub async fn verify(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
) -> Result<Response, WebError> {
    me.require(Permission::AuditRead)?;
    let v = audit::verify_as(&state.app, &me).await?;
    render(&VerifyPage {
        ctx: Ctx::new(lang, Some(&me), "/audit/verify"),
        problem: problem_text(lang, &v),
        v,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_china_standard_time() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        assert_eq!(day_start(d).to_rfc3339(), "2024-02-29T16:00:00+00:00");
        let f = ListQuery {
            from: Some("2024-03-01".into()),
            to: Some("2024-03-01".into()),
            ..ListQuery::default()
        };
        let (q, bad) = f.to_query();
        assert!(!bad);
        assert_eq!(q.to.unwrap() - q.from.unwrap(), Duration::days(1));
    }

    #[test]
    fn malformed_dates_are_ignored_and_reported() {
        let f = ListQuery {
            from: Some("01/03/2024".into()),
            ..ListQuery::default()
        };
        let (q, bad) = f.to_query();
        assert!(bad);
        assert!(q.from.is_none());
    }

    #[test]
    fn empty_records_are_not_shown_as_null() {
        assert_eq!(pretty("null"), "");
        assert!(pretty(r#"{"a":1}"#).contains("\"a\": 1"));
    }
}
