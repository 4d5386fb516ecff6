//! Pages of certification rounds (issue 6): the round list, the plan (scheme first, then the
//! form pre-filled for it), the round page with its next step (review, reopen, publish,
//! close) and the applications of S1 template 4 with approval, the results with typed-in
//! scores, ranking, filters, exports and the consequences of failures; and the employee's
//! side: rounds open for applications, the application form with its two attachments, and
//! their own view of a round (application, result, appeal deadline).
//!
//! Actions post a form and come back with a flash (`?done=…`); a refused action shows the
//! page again with the reason next to the field and the values typed.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;
use skillcert_app::certification::ERROR_CODES;
use skillcert_app::certification::applications::{self, ApplicationDetail, ApplicationInput};
use skillcert_app::certification::consequences;
use skillcert_app::certification::results::{self as results_service, CandidateResult};
use skillcert_app::certification::rounds::{self, RoundDetail, RoundInput};
use skillcert_app::store::certification::{
    self as store, ApplicationRow, ConsequenceRow, ResultRow, RoundQuery, RoundSummary,
};
use skillcert_app::store::practical::EventQuery;
use skillcert_app::{Actor, App, AppError, AppResult, Page, schemes};
use skillcert_domain::access::Permission;
use skillcert_domain::certification::attachment::MAX_BYTES;
use skillcert_domain::certification::round::{appeal_closes, appeal_open, notice_ends};
use skillcert_domain::org::FieldReason;
use skillcert_domain::scheme::{Input, Inputs, Lang as LabelLang, Scheme, Score, SourceKind};
use skillcert_reports::Cell;

use super::{Ctx, FormErrors, Pager, WebForm, render};
use crate::api::rounds::{ApplicationForm, read_application};
use crate::error::{WebError, form_errors, urlencode};
use crate::i18n::{Lang, has, t, tf};
use crate::session::Me;
use crate::state::AppState;

use super::download;
use super::{refusal_status, shown_on_page};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/rounds", get(list))
        .route("/rounds/new", get(new_form).post(create))
        .route("/rounds/open", get(open_rounds))
        .route("/rounds/{id}", get(show))
        .route("/rounds/{id}/edit", get(edit_form).post(update))
        .route("/rounds/{id}/review", post(review))
        .route("/rounds/{id}/reopen", post(reopen))
        .route("/rounds/{id}/publish", post(publish))
        .route("/rounds/{id}/close", post(close))
        .route("/rounds/{id}/applications.xlsx", get(applications_xlsx))
        .route("/rounds/{id}/results", get(results))
        .route("/rounds/{id}/results.xlsx", get(results_xlsx))
        .route("/rounds/{id}/scores", post(enter_scores))
        .route(
            "/rounds/{id}/consequences/{consequence_id}/return",
            post(return_to_duty),
        )
        .route("/rounds/{id}/apply", get(apply_form).post(apply))
        .route("/rounds/{id}/mine", get(mine))
        .route("/applications/{id}", get(application_page))
        .route("/applications/{id}/decision", post(decide))
        .route("/applications/{id}/withdraw", post(withdraw))
        .route("/applications/attachments/{id}", get(attachment))
}

/// Round statuses as stored, in their order.
pub const STATUSES: [&str; 4] = ["open", "reviewed", "published", "closed"];
/// Application statuses as stored.
pub const APPLICATION_STATUSES: [&str; 4] = ["submitted", "approved", "rejected", "withdrawn"];
/// Filters of the results list by verdict.
const VERDICTS: [&str; 3] = ["passed", "failed", "pending"];
/// Where a component's scores come from, as the round page says it.
const SOURCE_KINDS: [&str; 4] = ["exam", "event", "manual", "training"];
const TRACKS: [&str; 2] = ["basic", "advanced"];
const ISSUE_AT: [&str; 2] = ["appeal_close", "publication"];
/// The attachments S0 allows, as form fields and stored kinds.
pub const ATTACHMENT_KINDS: [&str; 2] = ["identity", "job_description"];
/// Flash messages after a finished action (`?done=…`).
const DONE: [&str; 12] = [
    "created",
    "saved",
    "reviewed",
    "reopened",
    "published",
    "closed",
    "approved",
    "rejected",
    "applied",
    "withdrawn",
    "scores",
    "returned",
];
/// Fields of the round form that show their own errors.
const FORM_FIELDS: [&str; 18] = [
    "training_hours",
    "training_plans",
    "code",
    "title",
    "scheme",
    "scheme_key",
    "scheme_version",
    "track",
    "levels",
    "requires",
    "new_hires_basic_only",
    "registration_opens",
    "registration_closes",
    "assessment_starts",
    "assessment_ends",
    "notice_days",
    "appeal_days",
    "issue_at",
];
/// Fields of the application form that show their own errors.
const APPLY_FIELDS: [&str; 6] = [
    "level",
    "training_completed_on",
    "mentor_comment",
    "identity",
    "job_description",
    "attachments",
];

/// The refusal codes of the certification services these pages can meet.
fn problem_codes() -> impl Iterator<Item = &'static &'static str> {
    ERROR_CODES.iter().filter(|c| {
        ["round-", "apply-", "attachment-", "score-", "consequence-"]
            .iter()
            .any(|p| c.starts_with(p))
    })
}

/// Every message key these pages build at run time, for the completeness test.
pub fn dynamic_keys() -> Vec<String> {
    let mut keys = Vec::new();
    for s in STATUSES {
        keys.push(format!("rounds-status-{s}"));
    }
    for s in APPLICATION_STATUSES {
        keys.push(format!("rounds-application-{s}"));
    }
    for v in VERDICTS {
        keys.push(format!("rounds-verdict-{v}"));
    }
    for k in SOURCE_KINDS {
        keys.push(format!("rounds-source-{k}"));
    }
    for k in TRACKS {
        keys.push(format!("rounds-track-{k}"));
        keys.push(format!("rounds-track-{k}-limit"));
    }
    for k in ISSUE_AT {
        keys.push(format!("rounds-issue-at-{k}"));
    }
    for k in ATTACHMENT_KINDS {
        keys.push(format!("rounds-attachment-{k}"));
    }
    for d in DONE {
        keys.push(format!("rounds-done-{d}"));
    }
    for f in FORM_FIELDS.iter().chain(APPLY_FIELDS.iter()) {
        keys.push(format!("rounds-field-{f}"));
    }
    for f in [
        "status", "round", "employee", "note", "sources", "scores", "decision",
    ] {
        keys.push(format!("rounds-field-{f}"));
    }
    for c in problem_codes() {
        keys.push(format!("problem-{c}"));
    }
    keys
}

// ---------- formatting ----------

fn label_lang(lang: Lang) -> LabelLang {
    match lang {
        Lang::ZhCn => LabelLang::ZhCn,
        Lang::En => LabelLang::En,
    }
}

fn label(lang: Lang, prefix: &str, key: &str) -> &'static str {
    t(lang, &format!("{prefix}{key}"))
}

pub(crate) fn band_name(scheme: &Scheme, key: &str, lang: Lang) -> String {
    scheme.bands().iter().find(|b| b.key == key).map_or_else(
        || key.to_string(),
        |b| b.labels.get(label_lang(lang)).to_string(),
    )
}

fn component_name(scheme: &Scheme, key: &str, lang: Lang) -> String {
    scheme.component(key).map_or_else(
        || key.to_string(),
        |c| c.labels.get(label_lang(lang)).to_string(),
    )
}

fn score_text(s: Option<Score>) -> String {
    s.map_or_else(|| "—".into(), |s| s.to_string())
}

fn score_f64(s: Score) -> f64 {
    f64::from(s.hundredths()) / 100.0
}

fn date_text(d: Option<NaiveDate>) -> String {
    d.map_or_else(|| "—".into(), |d| d.format("%Y-%m-%d").to_string())
}

fn done_message(lang: Lang, done: Option<&str>) -> Option<String> {
    let d = done?;
    DONE.contains(&d)
        .then(|| t(lang, &format!("rounds-done-{d}")).to_string())
}

/// Error messages for a page that holds several forms: each names its field.
fn described(lang: Lang, e: &AppError) -> Vec<(String, String)> {
    form_errors(lang, e)
        .into_iter()
        .map(|(field, msg)| {
            let key = format!("rounds-field-{}", field.split('.').next().unwrap_or(""));
            if !field.is_empty() && field != "status" && has(lang, &key) {
                (field, format!("{}: {msg}", t(lang, &key)))
            } else {
                (field, msg)
            }
        })
        .collect()
}

/// `Content-Disposition` with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987), so
/// that a Chinese file name survives the download.
pub(crate) fn disposition(kind: &str, name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

fn size_text(bytes: i32) -> String {
    let b = f64::from(bytes);
    if b >= 1024.0 * 1024.0 {
        format!("{:.1} MB", b / 1024.0 / 1024.0)
    } else if b >= 1024.0 {
        format!("{:.0} KB", b / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

fn status_label(lang: Lang, status: &str) -> &'static str {
    label(lang, "rounds-status-", status)
}

fn nonblank(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The levels offered, lowest first, in words, with their prerequisites.
fn levels_text(d: &RoundDetail, lang: Lang) -> Vec<LevelView> {
    d.plan
        .levels_in_order(&d.scheme)
        .into_iter()
        .map(|k| LevelView {
            key: k.to_string(),
            name: band_name(&d.scheme, k, lang),
            requires: d.plan.requires.get(k).map(|r| {
                tf(
                    lang,
                    "rounds-requires",
                    &[("level", &band_name(&d.scheme, r, lang))],
                )
            }),
        })
        .collect()
}

fn track_text(lang: Lang, d: &RoundDetail) -> String {
    let key = d.plan.track.key();
    format!(
        "{} — {}",
        label(lang, "rounds-track-", key),
        t(lang, &format!("rounds-track-{key}-limit"))
    )
}

pub struct LevelView {
    pub key: String,
    pub name: String,
    pub requires: Option<String>,
}

// ---------- the round list ----------

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub q: Option<String>,
    pub status: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

pub struct ListRow {
    pub r: RoundSummary,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "rounds/list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<ListRow>,
    pager: Pager,
    q: String,
    status: String,
    statuses: Vec<(&'static str, &'static str)>,
    can_manage: bool,
    filtered: bool,
}

pub async fn list(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(lq): Query<ListQuery>,
) -> Result<Response, WebError> {
    let status = nonblank(&lq.status).filter(|s| STATUSES.contains(&s.as_str()));
    let search = nonblank(&lq.q);
    let q = RoundQuery {
        search: search.clone(),
        status: status.clone(),
        page: lq
            .page
            .as_deref()
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or(1),
        per_page: lq
            .per_page
            .as_deref()
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or(50),
    };
    let page: Page<RoundSummary> = rounds::list(&state.app, &me, &q).await?;
    let mut base = Vec::new();
    if let Some(s) = &search {
        base.push(format!("q={}", urlencode(s)));
    }
    if let Some(s) = &status {
        base.push(format!("status={s}"));
    }
    if let Some(p) = lq.per_page.as_deref().filter(|p| !p.is_empty()) {
        base.push(format!("per_page={}", urlencode(p)));
    }
    let pager = Pager {
        page: page.page,
        pages: page.pages(),
        total: page.total,
        base: format!("/rounds?{}", base.join("&")),
    };
    let rows = page
        .items
        .into_iter()
        .map(|r| ListRow {
            status: status_label(lang, &r.status),
            r,
        })
        .collect();
    render(&ListPage {
        ctx: Ctx::new(lang, Some(&me), "/rounds"),
        rows,
        pager,
        filtered: search.is_some() || status.is_some(),
        q: search.unwrap_or_default(),
        status: status.unwrap_or_default(),
        statuses: STATUSES
            .iter()
            .map(|s| (*s, status_label(lang, s)))
            .collect(),
        can_manage: me.can(Permission::CertificationManage),
    })
}

// ---------- choosing the scheme ----------

pub struct SchemeChoice {
    pub key: String,
    pub name: String,
    pub version: String,
    pub param: String,
    /// The scheme has levels and certificate rules: only those can have rounds.
    pub certifying: bool,
    pub bands: String,
    pub components: String,
}

#[derive(Template)]
#[template(path = "rounds/choose.html")]
struct ChoosePage {
    ctx: Ctx,
    schemes: Vec<SchemeChoice>,
    errors: Vec<String>,
}

async fn choose_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    errors: Vec<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let ll = label_lang(lang);
    let sep = if lang == Lang::ZhCn { "、" } else { ", " };
    let choices = schemes::list(&state.app, me)
        .await?
        .into_iter()
        .map(|s| {
            let v = &s.version;
            let scheme = &v.scheme;
            SchemeChoice {
                key: v.key.clone(),
                name: scheme.labels().get(ll).to_string(),
                version: match v.origin {
                    schemes::Origin::Preset => t(lang, "rounds-version-preset").to_string(),
                    schemes::Origin::Stored => {
                        tf(lang, "rounds-version-n", &[("n", &v.version.to_string())])
                    }
                },
                param: v.pick().as_param(),
                certifying: !scheme.bands().is_empty() && scheme.certificate().is_some(),
                bands: scheme
                    .bands()
                    .iter()
                    .map(|b| format!("{} ≥ {}", b.labels.get(ll), b.min))
                    .collect::<Vec<_>>()
                    .join(sep),
                components: scheme
                    .components()
                    .iter()
                    .map(|c| format!("{} {}%", c.labels.get(ll), c.weight.basis_points() / 100))
                    .collect::<Vec<_>>()
                    .join(sep),
            }
        })
        .collect();
    let page = ChoosePage {
        ctx: Ctx::new(lang, Some(me), "/rounds/new"),
        schemes: choices,
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

// ---------- the round form ----------

#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    pub scheme: Option<String>,
    pub version: Option<String>,
}

pub struct BandRow {
    pub key: String,
    pub name: String,
    pub min: String,
    pub offered: bool,
    /// The band required before this one, or empty.
    pub requires: String,
    /// `(key, name, selected)` of the lower bands.
    pub options: Vec<(String, String, bool)>,
}

pub struct SourceField {
    pub key: String,
    pub name: String,
    pub weight: String,
    /// `exam`, `event` (a panel component) or `manual`.
    pub kind: &'static str,
    pub origin: &'static str,
    pub value: String,
    pub error: Option<String>,
}

pub struct Choice {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "rounds/form.html")]
struct FormPage {
    ctx: Ctx,
    id: Option<i64>,
    v: RoundInput,
    scheme_name: String,
    /// `(param, label, selected)`; empty when editing (the scheme is frozen).
    versions: Vec<(String, String, bool)>,
    version_label: String,
    bands: Vec<BandRow>,
    sources: Vec<SourceField>,
    exam_codes: Vec<(String, String)>,
    event_codes: Vec<(String, String)>,
    tracks: Vec<Choice>,
    issue_ats: Vec<Choice>,
    new_hires: bool,
    errors: FormErrors,
    general: Vec<String>,
}

fn split_list(raw: &str) -> Vec<String> {
    raw.split(|ch: char| ch.is_whitespace() || matches!(ch, ',' | '，' | ';' | '；'))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn requires_map(raw: &str) -> BTreeMap<String, String> {
    split_list(raw)
        .into_iter()
        .filter_map(|p| {
            p.split_once(':')
                .map(|(a, b)| (a.to_string(), b.to_string()))
        })
        .collect()
}

/// Builds the input from the posted pairs: one `level` per offered band, `requires_<band>`
/// per band, `source_<component>` per component; an unticked checkbox is not posted.
fn round_input(pairs: &[(String, String)]) -> RoundInput {
    let mut v = RoundInput {
        new_hires_basic_only: Some(false),
        ..RoundInput::default()
    };
    let on = |val: &str| matches!(val, "on" | "true" | "1" | "yes");
    let mut levels: Vec<String> = Vec::new();
    let mut requires: Vec<(String, String)> = Vec::new();
    for (k, val) in pairs {
        match k.as_str() {
            "code" => v.code = val.clone(),
            "title" => v.title = val.clone(),
            "scheme_key" => v.scheme_key = val.clone(),
            "scheme_version" => v.scheme_version = val.clone(),
            "track" => v.track = val.clone(),
            "new_hires_basic_only" => v.new_hires_basic_only = Some(on(val)),
            "registration_opens" => v.registration_opens = val.clone(),
            "registration_closes" => v.registration_closes = val.clone(),
            "assessment_starts" => v.assessment_starts = val.clone(),
            "assessment_ends" => v.assessment_ends = val.clone(),
            "notice_days" => v.notice_days = val.clone(),
            "appeal_days" => v.appeal_days = val.clone(),
            "issue_at" => v.issue_at = val.clone(),
            "training_hours" => v.training_hours = val.clone(),
            "training_plans" => v.training_plans = val.clone(),
            "level" => {
                let l = val.trim().to_string();
                if !l.is_empty() && !levels.contains(&l) {
                    levels.push(l);
                }
            }
            other => {
                if let Some(band) = other.strip_prefix("requires_") {
                    if !val.trim().is_empty() {
                        requires.push((band.to_string(), val.trim().to_string()));
                    }
                } else if let Some(component) = other.strip_prefix("source_") {
                    v.sources
                        .insert(component.to_string(), val.trim().to_string());
                }
            }
        }
    }
    v.requires = requires
        .into_iter()
        .filter(|(band, _)| levels.contains(band))
        .map(|(band, req)| format!("{band}:{req}"))
        .collect::<Vec<_>>()
        .join(", ");
    v.levels = levels.join(", ");
    v
}

/// Exam sessions and events the manager may pick as sources (codes offered as suggestions).
async fn source_codes(app: &App, me: &Actor) -> (Vec<(String, String)>, Vec<(String, String)>) {
    let exams = skillcert_app::exams::sessions::list(app, me, None, 1, 200)
        .await
        .map(|p| {
            p.items
                .into_iter()
                .map(|s| (s.code, s.title))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let events = skillcert_app::practical::events::list(
        app,
        me,
        &EventQuery {
            per_page: 200,
            page: 1,
            ..EventQuery::default()
        },
    )
    .await
    .map(|p| {
        p.items
            .into_iter()
            .map(|e| (e.code, e.title))
            .collect::<Vec<_>>()
    })
    .unwrap_or_default();
    (exams, events)
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: Option<i64>,
    scheme: &Scheme,
    versions: Vec<(String, String)>,
    v: RoundInput,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, WebError> {
    let ll = label_lang(lang);
    let here = match id {
        Some(id) => format!("/rounds/{id}/edit"),
        None => "/rounds/new".to_string(),
    };
    let offered = split_list(&v.levels);
    let requires = requires_map(&v.requires);
    let bands = scheme
        .bands()
        .iter()
        .map(|b| {
            let req = requires.get(&b.key).cloned().unwrap_or_default();
            BandRow {
                key: b.key.clone(),
                name: b.labels.get(ll).to_string(),
                min: b.min.to_string(),
                offered: offered.contains(&b.key),
                // A prerequisite is a lower level (bands are sorted lowest first).
                options: scheme
                    .bands()
                    .iter()
                    .take_while(|o| o.key != b.key)
                    .map(|o| (o.key.clone(), o.labels.get(ll).to_string(), o.key == req))
                    .collect(),
                requires: req,
            }
        })
        .collect();
    let sources = scheme
        .components()
        .iter()
        .map(|c| {
            let kind = match c.source {
                SourceKind::Exam => "exam",
                SourceKind::Panel => "event",
                // Typed in, or computed from training records (`training …`, issue 7).
                SourceKind::Attendance | SourceKind::Daily => "training",
                _ => "manual",
            };
            SourceField {
                key: c.key.clone(),
                name: c.labels.get(ll).to_string(),
                weight: format!("{}%", c.weight.basis_points() / 100),
                kind,
                origin: t(lang, &format!("schemes-source-{}", c.source.key())),
                value: v.sources.get(&c.key).cloned().unwrap_or_default(),
                error: errors
                    .get(&format!("sources.{}", c.key))
                    .map(str::to_string),
            }
        })
        .collect();
    let (exam_codes, event_codes) = source_codes(&state.app, me).await;
    let general = errors
        .0
        .iter()
        .filter(|(f, _)| !FORM_FIELDS.contains(&f.as_str()) && !f.starts_with("sources."))
        .map(|(_, m)| m.clone())
        .collect();
    let track = v.track.trim().to_string();
    let issue_at = if v.issue_at.trim().is_empty() {
        "appeal_close".to_string()
    } else {
        v.issue_at.trim().to_string()
    };
    let chosen = v.scheme_version.trim().to_string();
    let page = FormPage {
        ctx: Ctx::new(lang, Some(me), &here),
        id,
        scheme_name: format!("{} ({})", scheme.labels().get(ll), scheme.key()),
        version_label: if chosen == "preset" {
            t(lang, "rounds-version-preset").to_string()
        } else {
            tf(lang, "rounds-version-n", &[("n", &chosen)])
        },
        versions: versions
            .into_iter()
            .map(|(p, l)| {
                let sel = p == chosen;
                (p, l, sel)
            })
            .collect(),
        bands,
        sources,
        exam_codes,
        event_codes,
        tracks: TRACKS
            .iter()
            .map(|k| Choice {
                value: k,
                label: format!(
                    "{} — {}",
                    label(lang, "rounds-track-", k),
                    t(lang, &format!("rounds-track-{k}-limit"))
                ),
                selected: track == *k,
            })
            .collect(),
        issue_ats: ISSUE_AT
            .iter()
            .map(|k| Choice {
                value: k,
                label: label(lang, "rounds-issue-at-", k).to_string(),
                selected: issue_at == *k,
            })
            .collect(),
        new_hires: v.new_hires_basic_only.unwrap_or(true),
        v,
        errors,
        general,
    };
    Ok((status, render(&page)?).into_response())
}

/// A scheme version for the new-round form, with the versions of its key.
async fn scheme_for_form(
    app: &App,
    me: &Actor,
    lang: Lang,
    key: &str,
    version: &str,
) -> AppResult<(Scheme, String, Vec<(String, String)>)> {
    let pick = schemes::Pick::parse(version).unwrap_or_default();
    let d = schemes::get(app, me, key.trim(), pick).await?;
    let versions = d
        .versions
        .iter()
        .map(|v| {
            let label = if v.param == "preset" {
                t(lang, "rounds-version-preset").to_string()
            } else {
                tf(lang, "rounds-version-n", &[("n", &v.param)])
            };
            (v.param.clone(), label)
        })
        .collect();
    Ok((
        d.current.scheme.clone(),
        d.current.pick().as_param(),
        versions,
    ))
}

pub async fn new_form(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(q): Query<NewQuery>,
) -> Result<Response, WebError> {
    me.require(Permission::CertificationManage)?;
    let Some(key) = nonblank(&q.scheme) else {
        return choose_page(&state, lang, &me, Vec::new(), StatusCode::OK).await;
    };
    let version = q.version.clone().unwrap_or_default();
    let (scheme, param, versions) =
        match scheme_for_form(&state.app, &me, lang, &key, &version).await {
            Ok(x) => x,
            Err(AppError::NotFound) => {
                let msg = t(lang, "rounds-scheme-unknown").to_string();
                return choose_page(&state, lang, &me, vec![msg], StatusCode::NOT_FOUND).await;
            }
            Err(e) => return Err(e.into()),
        };
    let mut v = RoundInput::defaults(&state.app, &scheme);
    v.scheme_version = param;
    let mut errors = Vec::new();
    if scheme.bands().is_empty() || scheme.certificate().is_none() {
        errors.push((
            "scheme".to_string(),
            t(lang, "problem-round-not-certifying").to_string(),
        ));
    }
    form_page(
        &state,
        lang,
        &me,
        None,
        &scheme,
        versions,
        v,
        FormErrors(errors),
        StatusCode::OK,
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    me.require(Permission::CertificationManage)?;
    let input = round_input(&pairs);
    match rounds::create(&state.app, &me, &input).await {
        Ok(row) => Ok(Redirect::to(&format!("/rounds/{}?done=created", row.id)).into_response()),
        Err(e) if shown_on_page(&e) => {
            let status = refusal_status(&e);
            let errors = form_errors(lang, &e);
            match scheme_for_form(
                &state.app,
                &me,
                lang,
                &input.scheme_key,
                &input.scheme_version,
            )
            .await
            {
                Ok((scheme, _, versions)) => {
                    form_page(
                        &state,
                        lang,
                        &me,
                        None,
                        &scheme,
                        versions,
                        input,
                        FormErrors(errors),
                        status,
                    )
                    .await
                }
                Err(AppError::NotFound) => {
                    let msgs = errors.into_iter().map(|(_, m)| m).collect();
                    choose_page(&state, lang, &me, msgs, status).await
                }
                Err(e) => Err(e.into()),
            }
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    me.require(Permission::CertificationManage)?;
    let d = rounds::detail(&state.app, &me, id).await?;
    let errors = if d.round.status == "open" {
        Vec::new()
    } else {
        // Shown, but saving is refused: say so up front.
        vec![(
            "status".to_string(),
            t(lang, "problem-round-not-open").to_string(),
        )]
    };
    let v = rounds::input_of(&d);
    form_page(
        &state,
        lang,
        &me,
        Some(id),
        &d.scheme,
        Vec::new(),
        v,
        FormErrors(errors),
        StatusCode::OK,
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    me.require(Permission::CertificationManage)?;
    let mut input = round_input(&pairs);
    match rounds::update(&state.app, &me, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/rounds/{id}?done=saved")).into_response()),
        Err(e) if shown_on_page(&e) => {
            let d = rounds::detail(&state.app, &me, id).await?;
            input.code = d.round.code.clone();
            input.scheme_key = d.round.scheme_key.clone();
            input.scheme_version = d.round.scheme_version.to_string();
            let errors = FormErrors(form_errors(lang, &e));
            form_page(
                &state,
                lang,
                &me,
                Some(id),
                &d.scheme,
                Vec::new(),
                input,
                errors,
                refusal_status(&e),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- the round page ----------

pub struct SourceLine {
    pub name: String,
    pub weight: String,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub code: String,
    pub title: String,
    pub href: Option<String>,
}

/// One component of one applicant: its score so far, or nothing yet.
pub struct Progress {
    pub name: String,
    pub value: String,
    pub done: bool,
}

/// A line of the application table (S1 template 4) with where the applicant stands.
pub struct ApplicationLine {
    pub a: ApplicationRow,
    pub level: String,
    pub status: &'static str,
    pub completed: String,
    pub progress: Vec<Progress>,
    pub total: String,
    pub verdict: Option<bool>,
    pub awarded: String,
}

impl ApplicationLine {
    fn is_submitted(&self) -> bool {
        self.a.status == "submitted"
    }
}

fn sources_of(lang: Lang, d: &RoundDetail) -> Vec<SourceLine> {
    d.sources
        .iter()
        .map(|s| SourceLine {
            name: component_name(&d.scheme, &s.component_key, lang),
            weight: format!("{}%", s.weight_percent),
            kind: s.kind,
            kind_label: label(lang, "rounds-source-", s.kind),
            code: s.code.clone().unwrap_or_default(),
            title: s.title.clone().unwrap_or_default(),
            href: match (s.exam_session_id, s.event_id) {
                (Some(id), _) => Some(format!("/exams/{id}")),
                (None, Some(id)) => Some(format!("/events/{id}")),
                _ => None,
            },
        })
        .collect()
}

/// The score of one component of a candidate: the evaluated one when complete, else the
/// input as given (a panel with several marks shows their count).
fn component_value(lang: Lang, c: &CandidateResult, key: &str) -> Option<String> {
    if let Some(s) = c
        .evaluation
        .as_ref()
        .and_then(|e| e.component(key))
        .and_then(|r| r.score)
    {
        return Some(s.to_string());
    }
    input_text(lang, &c.inputs, key)
}

fn input_text(lang: Lang, inputs: &Inputs, key: &str) -> Option<String> {
    match inputs.values.get(key)? {
        Input::Score(s) => Some(s.to_string()),
        Input::Marks(m) if m.len() == 1 => m.first().map(|s| s.to_string()),
        Input::Marks(m) => Some(tf(lang, "rounds-marks-n", &[("n", &m.len().to_string())])),
        Input::ItemMarks(m) => Some(tf(lang, "rounds-marks-n", &[("n", &m.len().to_string())])),
    }
}

/// The typed-in value of a manual component, for the entry form.
fn typed_value(inputs: &Inputs, key: &str) -> String {
    match inputs.values.get(key) {
        Some(Input::Score(s)) => s.to_string(),
        Some(Input::Marks(m)) if m.len() == 1 => {
            m.first().map(|s| s.to_string()).unwrap_or_default()
        }
        _ => String::new(),
    }
}

fn application_lines(
    lang: Lang,
    d: &RoundDetail,
    applications: Vec<ApplicationRow>,
    rows: &[CandidateResult],
) -> Vec<ApplicationLine> {
    applications
        .into_iter()
        .map(|a| {
            let c = rows.iter().find(|r| r.application.id == a.id);
            let progress = d
                .scheme
                .components()
                .iter()
                .map(|comp| {
                    let value = c.and_then(|c| component_value(lang, c, &comp.key));
                    Progress {
                        name: comp.labels.get(label_lang(lang)).to_string(),
                        done: value.is_some(),
                        value: value.unwrap_or_else(|| "—".into()),
                    }
                })
                .collect();
            let evaluation = c.and_then(|c| c.evaluation.as_ref());
            ApplicationLine {
                level: band_name(&d.scheme, &a.level_key, lang),
                status: label(lang, "rounds-application-", &a.status),
                completed: date_text(a.training_completed_on),
                progress,
                total: score_text(evaluation.and_then(|e| e.total())),
                verdict: evaluation.and_then(|e| e.passed()),
                awarded: c
                    .and_then(|c| c.awarded.as_deref())
                    .map_or_else(|| "—".into(), |k| band_name(&d.scheme, k, lang)),
                a,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "rounds/show.html")]
struct ShowPage {
    ctx: Ctx,
    d: RoundDetail,
    status: &'static str,
    scheme_name: String,
    track: String,
    assessment_days: i64,
    limit_days: i64,
    levels: Vec<LevelView>,
    issue_at: &'static str,
    sources: Vec<SourceLine>,
    can_manage: bool,
    can_results: bool,
    is_employee: bool,
    applications: Vec<ApplicationLine>,
    /// `(status key, label, count)` for the filter of the application table.
    counts: Vec<(&'static str, &'static str, usize)>,
    app_filter: String,
    /// Were the results published today: the end of the notice period and the last day
    /// of appeals.
    publish_notice: String,
    publish_appeal: String,
    /// The first day the round may be closed.
    close_from: String,
    can_close_now: bool,
    published_text: String,
    notice_text: String,
    appeal_text: String,
    closed_text: String,
    complete_results: usize,
    approved: usize,
    errors: FormErrors,
}

impl ShowPage {
    fn is(&self, status: &str) -> bool {
        self.d.round.status == status
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    pub done: Option<String>,
    pub status: Option<String>,
}

async fn show_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: i64,
    q: ShowQuery,
    errors: Vec<(String, String)>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let app = &state.app;
    let can_manage = me.can(Permission::CertificationManage);
    let (d, applications, rows) = if can_manage {
        let res = results_service::results(app, me, id).await?;
        let all = applications::of_round(app, me, id).await?;
        (res.detail, all, res.rows)
    } else {
        (rounds::detail(app, me, id).await?, Vec::new(), Vec::new())
    };
    let complete_results = rows.iter().filter(|r| r.complete()).count();
    let approved = rows.len();
    let mut lines = application_lines(lang, &d, applications, &rows);
    let counts = APPLICATION_STATUSES
        .iter()
        .map(|s| {
            (
                *s,
                label(lang, "rounds-application-", s),
                lines.iter().filter(|l| l.a.status == *s).count(),
            )
        })
        .collect();
    let app_filter = nonblank(&q.status)
        .filter(|s| APPLICATION_STATUSES.contains(&s.as_str()))
        .unwrap_or_default();
    if !app_filter.is_empty() {
        lines.retain(|l| l.a.status == app_filter);
    }
    let today = app.today();
    let closes = d.appeal_closes;
    let page = ShowPage {
        ctx: Ctx::new(lang, Some(me), &format!("/rounds/{id}"))
            .with_flash(done_message(lang, q.done.as_deref())),
        status: status_label(lang, &d.round.status),
        scheme_name: format!(
            "{} ({} · {})",
            d.scheme.labels().get(label_lang(lang)),
            d.round.scheme_key,
            tf(
                lang,
                "rounds-version-n",
                &[("n", &d.round.scheme_version.to_string())],
            )
        ),
        track: track_text(lang, &d),
        assessment_days: d.plan.assessment_days(),
        limit_days: d.plan.track.limit_days(),
        levels: levels_text(&d, lang),
        issue_at: label(lang, "rounds-issue-at-", d.plan.issue_at.key()),
        sources: sources_of(lang, &d),
        can_manage,
        // Others who may see results see them once published.
        can_results: can_manage
            || (me.can(Permission::CertificationResults)
                && matches!(d.round.status.as_str(), "published" | "closed")),
        is_employee: me.employee_id.is_some(),
        applications: lines,
        counts,
        app_filter,
        publish_notice: notice_ends(today, d.plan.notice_days).to_string(),
        publish_appeal: appeal_closes(today, d.plan.appeal_days).to_string(),
        close_from: closes
            .map(|c| (c + chrono::Duration::days(1)).to_string())
            .unwrap_or_default(),
        can_close_now: closes.is_some_and(|c| today > c),
        published_text: date_text(d.round.published_on),
        notice_text: date_text(d.notice_ends),
        appeal_text: date_text(d.appeal_closes),
        closed_text: date_text(d.round.closed_on),
        complete_results,
        approved,
        errors: FormErrors(errors),
        d,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, WebError> {
    show_page(&state, lang, &me, id, q, Vec::new(), StatusCode::OK).await
}

/// Back to the round page after an action, or the page again with why it was refused.
async fn after_action<T>(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: i64,
    result: Result<T, AppError>,
    done: &str,
) -> Result<Response, WebError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/rounds/{id}?done={done}")).into_response()),
        Err(e) if shown_on_page(&e) => {
            let errors = described(lang, &e);
            show_page(
                state,
                lang,
                me,
                id,
                ShowQuery::default(),
                errors,
                refusal_status(&e),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn review(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    me.require(Permission::CertificationManage)?;
    let result = results_service::review(&state.app, &me, id).await;
    after_action(&state, lang, &me, id, result, "reviewed").await
}

pub async fn reopen(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    me.require(Permission::CertificationManage)?;
    let result = results_service::reopen(&state.app, &me, id).await;
    after_action(&state, lang, &me, id, result, "reopened").await
}

pub async fn publish(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    me.require(Permission::CertificationManage)?;
    let result = results_service::publish(&state.app, &me, id).await;
    after_action(&state, lang, &me, id, result, "published").await
}

pub async fn close(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    me.require(Permission::CertificationManage)?;
    let result = results_service::close_by(&state.app, &me, id).await;
    after_action(&state, lang, &me, id, result, "closed").await
}

// ---------- approving applications ----------

#[derive(Debug, Default, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    pub decision: String,
    #[serde(default)]
    pub note: String,
    /// Where to come back to: `round` (default) or `application`.
    #[serde(default)]
    pub back: String,
}

pub async fn decide(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(f): WebForm<DecisionForm>,
) -> Result<Response, WebError> {
    me.require(Permission::CertificationManage)?;
    let detail = applications::get(&state.app, &me, id).await?;
    let round_id = detail.application.round_id;
    let approve = match f.decision.as_str() {
        "approve" => Some(true),
        "reject" => Some(false),
        _ => None,
    };
    let done = if approve == Some(true) {
        "approved"
    } else {
        "rejected"
    };
    let result = match approve {
        Some(approve) => applications::decide(&state.app, &me, id, approve, &f.note).await,
        None => Err(AppError::field("decision", FieldReason::NotAllowed)),
    };
    match result {
        Ok(()) if f.back == "application" => {
            Ok(Redirect::to(&format!("/applications/{id}?done={done}")).into_response())
        }
        Ok(()) => Ok(
            Redirect::to(&format!("/rounds/{round_id}?done={done}#applications")).into_response(),
        ),
        Err(e) if shown_on_page(&e) => {
            let errors = described(lang, &e);
            show_page(
                &state,
                lang,
                &me,
                round_id,
                ShowQuery::default(),
                errors,
                refusal_status(&e),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- the application table as a workbook ----------

pub async fn applications_xlsx(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    me.require(Permission::CertificationManage)?;
    let res = results_service::results(&state.app, &me, id).await?;
    let all = applications::of_round(&state.app, &me, id).await?;
    let d = &res.detail;
    let lines = application_lines(lang, d, all, &res.rows);
    let mut headers: Vec<String> = [
        "rounds-col-applicant",
        "rounds-col-employee-no",
        "rounds-col-department",
        "rounds-col-position",
        "rounds-col-level-applied",
        "rounds-col-training-completed",
        "rounds-col-total",
        "rounds-col-passed",
        "rounds-col-mentor-comment",
        "rounds-col-status",
        "rounds-col-awarded",
    ]
    .iter()
    .map(|k| t(lang, k).to_string())
    .collect();
    for c in d.scheme.components() {
        headers.push(c.labels.get(label_lang(lang)).to_string());
    }
    let text = |s: &str| {
        if s.is_empty() || s == "—" {
            Cell::Empty
        } else {
            Cell::Text(s.to_string())
        }
    };
    let cells: Vec<Vec<Cell>> = lines
        .iter()
        .map(|l| {
            let c = res.rows.iter().find(|r| r.application.id == l.a.id);
            let total = c
                .and_then(|c| c.evaluation.as_ref())
                .and_then(|e| e.total());
            let mut row = vec![
                Cell::Text(l.a.name.clone()),
                Cell::Text(l.a.employee_no.clone()),
                Cell::Text(l.a.department.clone()),
                text(l.a.position.as_deref().unwrap_or("")),
                Cell::Text(l.level.clone()),
                l.a.training_completed_on.map_or(Cell::Empty, Cell::Date),
                total.map_or(Cell::Empty, |s| Cell::Number(score_f64(s))),
                match l.verdict {
                    Some(true) => Cell::Text(t(lang, "rounds-verdict-passed").to_string()),
                    Some(false) => Cell::Text(t(lang, "rounds-verdict-failed").to_string()),
                    None => Cell::Empty,
                },
                text(&l.a.mentor_comment),
                Cell::Text(l.status.to_string()),
                text(&l.awarded),
            ];
            for p in &l.progress {
                row.push(text(&p.value));
            }
            row
        })
        .collect();
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let bytes =
        skillcert_reports::write_xlsx(t(lang, "rounds-applications-sheet"), &header_refs, &cells)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("applications xlsx: {e}")))?;
    Ok(download::attachment(
        bytes,
        crate::api::org::XLSX_MIME,
        &download::file_name(&d.round.code, "applications.xlsx"),
    ))
}

// ---------- results ----------

pub struct ScoreCell {
    pub key: String,
    pub value: String,
    /// The component is typed in and the round is open: an input.
    pub editable: bool,
    pub input: String,
    pub error: Option<String>,
    /// How a training-fed component was reached (attendance, homework, mentor, weights).
    pub detail: String,
}

pub struct ResultLine {
    pub employee_id: i64,
    pub rank: String,
    pub employee_no: String,
    pub name: String,
    pub department: String,
    pub level_applied: String,
    pub cells: Vec<ScoreCell>,
    pub total: String,
    pub verdict: Option<bool>,
    pub level_reached: String,
    pub level_awarded: String,
    pub missing: Vec<String>,
    pub problems: Vec<String>,
    pub hold: bool,
    pub attempt: u32,
    /// The key of the awarded level, for filtering.
    awarded_key: String,
}

impl ResultLine {
    fn has_input(&self) -> bool {
        self.cells.iter().any(|c| c.editable)
    }
}

pub struct ConsequenceLine {
    pub k: ConsequenceRow,
    pub step: String,
    pub hr: &'static str,
    /// `before → now`, or the status left unchanged.
    pub status_change: String,
    pub off_duty: String,
    pub probation: String,
    pub retake: String,
    pub may_return: bool,
}

pub struct ComponentHead {
    pub name: String,
    pub weight: String,
    pub manual: bool,
}

#[derive(Template)]
#[template(path = "rounds/results.html")]
struct ResultsPage {
    ctx: Ctx,
    d: RoundDetail,
    status: &'static str,
    frozen: bool,
    is_open: bool,
    can_manage: bool,
    any_manual: bool,
    components: Vec<ComponentHead>,
    rows: Vec<ResultLine>,
    all_rows: usize,
    departments: Vec<(String, bool)>,
    verdicts: Vec<(&'static str, &'static str, bool)>,
    levels: Vec<(String, String, bool)>,
    filtered: bool,
    query: String,
    consequences: Vec<ConsequenceLine>,
    general: Vec<String>,
    pass_line: String,
}

#[derive(Debug, Default, Deserialize, Clone)]
pub struct ResultsQuery {
    pub department: Option<String>,
    pub verdict: Option<String>,
    pub level: Option<String>,
    pub done: Option<String>,
}

impl ResultsQuery {
    fn department(&self) -> Option<String> {
        nonblank(&self.department)
    }
    fn verdict(&self) -> Option<String> {
        nonblank(&self.verdict).filter(|v| VERDICTS.contains(&v.as_str()))
    }
    fn level(&self) -> Option<String> {
        nonblank(&self.level)
    }

    fn keeps(&self, l: &ResultLine) -> bool {
        self.department().is_none_or(|d| l.department == d)
            && self.verdict().is_none_or(|v| match v.as_str() {
                "passed" => l.verdict == Some(true),
                "failed" => l.verdict == Some(false),
                _ => l.verdict.is_none(),
            })
            && self.level().is_none_or(|k| l.awarded_key == k)
    }

    fn query_string(&self) -> String {
        let mut parts = Vec::new();
        if let Some(d) = self.department() {
            parts.push(format!("department={}", urlencode(&d)));
        }
        if let Some(v) = self.verdict() {
            parts.push(format!("verdict={v}"));
        }
        if let Some(l) = self.level() {
            parts.push(format!("level={}", urlencode(&l)));
        }
        parts.join("&")
    }
}

/// What a refused score entry leaves: the candidate, the values typed and the errors.
#[derive(Default)]
struct Typed {
    employee_id: Option<i64>,
    values: BTreeMap<String, String>,
}

fn result_lines(
    lang: Lang,
    d: &RoundDetail,
    rows: &[CandidateResult],
    manual: &[String],
    typed: &Typed,
    errors: &FormErrors,
) -> Vec<ResultLine> {
    let ll = label_lang(lang);
    let open = d.round.status == "open";
    rows.iter()
        .map(|c| {
            let a = &c.application;
            let e = c.evaluation.as_ref();
            let mine = typed.employee_id == Some(a.employee_id);
            let cells = d
                .scheme
                .components()
                .iter()
                .map(|comp| {
                    let editable = open && manual.contains(&comp.key);
                    let input = if mine {
                        typed.values.get(&comp.key).cloned().unwrap_or_default()
                    } else {
                        typed_value(&c.inputs, &comp.key)
                    };
                    ScoreCell {
                        key: comp.key.clone(),
                        value: component_value(lang, c, &comp.key).unwrap_or_else(|| "—".into()),
                        editable,
                        input,
                        error: if mine {
                            errors
                                .get(&format!("scores.{}", comp.key))
                                .map(str::to_string)
                        } else {
                            None
                        },
                        detail: super::training_records::breakdown_text(
                            lang,
                            &c.training,
                            &comp.key,
                        ),
                    }
                })
                .collect();
            let mut problems: Vec<String> = c
                .errors
                .iter()
                .map(|code| t(lang, &format!("input-error-{code}")).to_string())
                .collect();
            if mine && let Some(m) = errors.get("employee") {
                problems.push(m.to_string());
            }
            ResultLine {
                employee_id: a.employee_id,
                rank: c.rank.map_or_else(|| "—".into(), |r| r.to_string()),
                employee_no: a.employee_no.clone(),
                name: a.name.clone(),
                department: a.department.clone(),
                level_applied: band_name(&d.scheme, &a.level_key, lang),
                cells,
                total: score_text(e.and_then(|e| e.total())),
                verdict: e.and_then(|e| e.passed()),
                level_reached: e
                    .and_then(|e| e.level())
                    .map_or_else(|| "—".into(), |k| band_name(&d.scheme, k, lang)),
                level_awarded: c
                    .awarded
                    .as_deref()
                    .map_or_else(|| "—".into(), |k| band_name(&d.scheme, k, lang)),
                awarded_key: c.awarded.clone().unwrap_or_default(),
                missing: c
                    .missing
                    .iter()
                    .map(|k| {
                        d.scheme
                            .component(k)
                            .map_or_else(|| k.clone(), |x| x.labels.get(ll).to_string())
                    })
                    .collect(),
                problems,
                hold: e.is_some_and(|e| e.hold),
                attempt: c.inputs.attempt,
            }
        })
        .collect()
}

fn consequence_lines(
    lang: Lang,
    d: &RoundDetail,
    list: Vec<ConsequenceRow>,
    can_manage: bool,
) -> Vec<ConsequenceLine> {
    let ll = label_lang(lang);
    list.into_iter()
        .map(|k| ConsequenceLine {
            step: d
                .scheme
                .ladder()
                .steps()
                .iter()
                .find(|s| s.key == k.step_key)
                .map_or_else(|| k.step_key.clone(), |s| s.labels.get(ll).to_string()),
            hr: t(lang, &format!("schemes-hr-{}", k.hr_procedure)),
            status_change: {
                let before = t(lang, &format!("status-{}", k.status_before));
                match k.status_now.as_deref() {
                    Some(now) => format!("{before} → {}", t(lang, &format!("status-{now}"))),
                    None => tf(lang, "rounds-status-unchanged", &[("status", before)]),
                }
            },
            off_duty: if k.off_duty_days > 0 {
                tf(
                    lang,
                    "rounds-off-duty-until",
                    &[
                        ("n", &k.off_duty_days.to_string()),
                        ("date", &date_text(k.off_duty_until)),
                    ],
                )
            } else {
                "—".into()
            },
            probation: date_text(k.probation_until),
            retake: if k.retake_allowed {
                tf(
                    lang,
                    "rounds-retake-from",
                    &[("date", &date_text(k.retake_from))],
                )
            } else {
                t(lang, "rounds-retake-none").to_string()
            },
            may_return: can_manage && k.status_now.is_some() && k.returned_on.is_none(),
            k,
        })
        .collect()
}

async fn results_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: i64,
    q: ResultsQuery,
    left: (Typed, Vec<(String, String)>),
    status: StatusCode,
) -> Result<Response, WebError> {
    let (typed, errors) = left;
    let app = &state.app;
    let res = results_service::results(app, me, id).await?;
    let d = res.detail;
    let can_manage = me.can(Permission::CertificationManage);
    let manual: Vec<String> = d
        .sources
        .iter()
        .filter(|s| s.kind == "manual")
        .map(|s| s.component_key.clone())
        .collect();
    let errors = FormErrors(errors);
    let all = result_lines(lang, &d, &res.rows, &manual, &typed, &errors);
    let all_rows = all.len();
    // Errors of a candidate's line show in it; the others (or when the line is not shown)
    // above the table.
    let shown_inline = typed
        .employee_id
        .is_some_and(|e| all.iter().any(|l| l.employee_id == e && q.keeps(l)));
    let general = errors
        .0
        .iter()
        .filter(|(f, _)| !(shown_inline && (f.starts_with("scores.") || f == "employee")))
        .map(|(_, m)| m.clone())
        .collect();
    let mut departments: Vec<String> = all.iter().map(|l| l.department.clone()).collect();
    departments.sort();
    departments.dedup();
    let chosen_dept = q.department().unwrap_or_default();
    let chosen_verdict = q.verdict().unwrap_or_default();
    let chosen_level = q.level().unwrap_or_default();
    let rows: Vec<ResultLine> = all.into_iter().filter(|l| q.keeps(l)).collect();
    let consequences = if d.round.status == "published" || d.round.status == "closed" {
        consequence_lines(
            lang,
            &d,
            consequences::list(app, me, Some(id)).await?,
            can_manage,
        )
    } else {
        Vec::new()
    };
    let ll = label_lang(lang);
    let page = ResultsPage {
        ctx: Ctx::new(lang, Some(me), &format!("/rounds/{id}/results"))
            .with_flash(done_message(lang, q.done.as_deref())),
        status: status_label(lang, &d.round.status),
        frozen: res.frozen,
        is_open: d.round.status == "open",
        can_manage,
        any_manual: !manual.is_empty(),
        components: d
            .scheme
            .components()
            .iter()
            .map(|c| ComponentHead {
                name: c.labels.get(ll).to_string(),
                weight: format!("{}%", c.weight.basis_points() / 100),
                manual: manual.contains(&c.key),
            })
            .collect(),
        rows,
        all_rows,
        departments: departments
            .into_iter()
            .map(|dep| {
                let sel = dep == chosen_dept;
                (dep, sel)
            })
            .collect(),
        verdicts: VERDICTS
            .iter()
            .map(|v| (*v, label(lang, "rounds-verdict-", v), chosen_verdict == *v))
            .collect(),
        levels: d
            .scheme
            .bands()
            .iter()
            .map(|b| {
                (
                    b.key.clone(),
                    b.labels.get(ll).to_string(),
                    b.key == chosen_level,
                )
            })
            .collect(),
        filtered: !q.query_string().is_empty(),
        query: q.query_string(),
        consequences,
        pass_line: d.scheme.pass_line().to_string(),
        general,
        d,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn results(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    Query(q): Query<ResultsQuery>,
) -> Result<Response, WebError> {
    results_page(
        &state,
        lang,
        &me,
        id,
        q,
        (Typed::default(), Vec::new()),
        StatusCode::OK,
    )
    .await
}

pub async fn results_xlsx(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    Query(q): Query<ResultsQuery>,
) -> Result<Response, WebError> {
    let res = results_service::results(&state.app, &me, id).await?;
    let d = &res.detail;
    let lines = result_lines(
        lang,
        d,
        &res.rows,
        &[],
        &Typed::default(),
        &FormErrors::none(),
    );
    let mut headers: Vec<String> = [
        "rounds-col-rank",
        "rounds-col-employee-no",
        "rounds-col-applicant",
        "rounds-col-department",
        "rounds-col-level-applied",
    ]
    .iter()
    .map(|k| t(lang, k).to_string())
    .collect();
    for c in d.scheme.components() {
        headers.push(c.labels.get(label_lang(lang)).to_string());
    }
    for k in [
        "rounds-col-total",
        "rounds-col-passed",
        "rounds-col-level-reached",
        "rounds-col-awarded",
        "rounds-col-missing",
    ] {
        headers.push(t(lang, k).to_string());
    }
    let number = |s: &str| match Score::parse(s) {
        Ok(v) => Cell::Number(score_f64(v)),
        Err(_) if s == "—" || s.is_empty() => Cell::Empty,
        Err(_) => Cell::Text(s.to_string()),
    };
    let text = |s: &str| {
        if s == "—" || s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s.to_string())
        }
    };
    let cells: Vec<Vec<Cell>> = lines
        .iter()
        .filter(|l| q.keeps(l))
        .map(|l| {
            let mut row = vec![
                number(&l.rank),
                Cell::Text(l.employee_no.clone()),
                Cell::Text(l.name.clone()),
                Cell::Text(l.department.clone()),
                Cell::Text(l.level_applied.clone()),
            ];
            for c in &l.cells {
                row.push(number(&c.value));
            }
            row.push(number(&l.total));
            row.push(match l.verdict {
                Some(true) => Cell::Text(t(lang, "rounds-verdict-passed").to_string()),
                Some(false) => Cell::Text(t(lang, "rounds-verdict-failed").to_string()),
                None => Cell::Empty,
            });
            row.push(text(&l.level_reached));
            row.push(text(&l.level_awarded));
            row.push(text(&l.missing.join(", ")));
            row
        })
        .collect();
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let bytes =
        skillcert_reports::write_xlsx(t(lang, "rounds-results-sheet"), &header_refs, &cells)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("round results xlsx: {e}")))?;
    Ok(download::attachment(
        bytes,
        crate::api::org::XLSX_MIME,
        &download::file_name(&d.round.code, "results.xlsx"),
    ))
}

/// Saves the typed-in scores of one candidate. Every value is checked first, so a refused
/// form saves nothing; an empty field leaves the component as it is.
pub async fn enter_scores(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    me.require(Permission::CertificationManage)?;
    let mut employee_id = None;
    let mut values = BTreeMap::new();
    for (k, v) in pairs {
        if k == "employee_id" {
            employee_id = v.trim().parse::<i64>().ok();
        } else if let Some(key) = k.strip_prefix("c_") {
            values.insert(key.to_string(), v.trim().to_string());
        }
    }
    let problems: Vec<skillcert_app::Problem> = values
        .iter()
        .filter(|(_, v)| !v.is_empty() && Score::parse(v).is_err())
        .map(|(k, _)| skillcert_app::Problem::new(format!("scores.{k}"), "score-out-of-range"))
        .collect();
    let mut result = match employee_id {
        None => Err(AppError::Rejected(vec![skillcert_app::Problem::new(
            "employee",
            "score-not-candidate",
        )])),
        Some(_) if !problems.is_empty() => Err(AppError::Rejected(problems)),
        Some(_) => Ok(()),
    };
    let employee_id = employee_id.unwrap_or_default();
    if result.is_ok() {
        for (k, v) in values.iter().filter(|(_, v)| !v.is_empty()) {
            result = results_service::enter_score(&state.app, &me, id, employee_id, k, v).await;
            if result.is_err() {
                break;
            }
        }
    }
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/rounds/{id}/results?done=scores")).into_response()),
        Err(e) if shown_on_page(&e) => {
            let errors = form_errors(lang, &e);
            let status = refusal_status(&e);
            let typed = Typed {
                employee_id: Some(employee_id),
                values,
            };
            results_page(
                &state,
                lang,
                &me,
                id,
                ResultsQuery::default(),
                (typed, errors),
                status,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn return_to_duty(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path((id, consequence_id)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    me.require(Permission::CertificationManage)?;
    match consequences::return_by(&state.app, &me, consequence_id).await {
        Ok(()) => Ok(
            Redirect::to(&format!("/rounds/{id}/results?done=returned#consequences"))
                .into_response(),
        ),
        Err(e) if shown_on_page(&e) => {
            let errors = described(lang, &e);
            let status = refusal_status(&e);
            results_page(
                &state,
                lang,
                &me,
                id,
                ResultsQuery::default(),
                (Typed::default(), errors),
                status,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- the employee's side ----------

pub struct OpenRound {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub scheme_name: String,
    pub levels: Vec<LevelView>,
    pub registration: String,
    pub assessment: String,
    pub new_hires_basic_only: bool,
    pub basic: String,
    /// The signed-in employee's application to it, in words.
    pub mine: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "rounds/open.html")]
struct OpenPage {
    ctx: Ctx,
    rounds: Vec<OpenRound>,
    linked: bool,
}

/// The signed-in employee's applications, by round.
async fn my_applications(app: &App, me: &Actor) -> AppResult<Vec<ApplicationRow>> {
    applications::mine(app, me).await
}

pub async fn open_rounds(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
) -> Result<Response, WebError> {
    let mine = my_applications(&state.app, &me).await?;
    let list = rounds::open_for_applications(&state.app)
        .await?
        .into_iter()
        .map(|d| OpenRound {
            id: d.round.id,
            code: d.round.code.clone(),
            title: d.round.title.clone(),
            scheme_name: d.scheme.labels().get(label_lang(lang)).to_string(),
            levels: levels_text(&d, lang),
            registration: format!(
                "{} – {}",
                d.plan.registration_opens, d.plan.registration_closes
            ),
            assessment: format!("{} – {}", d.plan.assessment_starts, d.plan.assessment_ends),
            new_hires_basic_only: d.plan.new_hires_basic_only,
            basic: d
                .plan
                .levels_in_order(&d.scheme)
                .first()
                .map(|k| band_name(&d.scheme, k, lang))
                .unwrap_or_default(),
            mine: mine
                .iter()
                .find(|a| a.round_id == d.round.id)
                .map(|a| label(lang, "rounds-application-", &a.status)),
        })
        .collect();
    render(&OpenPage {
        ctx: Ctx::new(lang, Some(&me), "/rounds/open"),
        rounds: list,
        linked: me.employee_id.is_some(),
    })
}

#[derive(Template)]
#[template(path = "rounds/apply.html")]
struct ApplyPage {
    ctx: Ctx,
    d: RoundDetail,
    scheme_name: String,
    levels: Vec<(String, String, bool)>,
    prerequisites: Vec<LevelView>,
    v: ApplicationInput,
    linked: bool,
    /// The signed-in employee's application to this round, in words.
    already: Option<&'static str>,
    errors: FormErrors,
    general: Vec<String>,
    max_mb: usize,
    /// The form was sent and refused: files must be chosen again.
    resent: bool,
}

#[allow(clippy::too_many_arguments)]
async fn apply_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: i64,
    v: ApplicationInput,
    errors: Vec<(String, String)>,
    resent: bool,
    status: StatusCode,
) -> Result<Response, WebError> {
    let d = rounds::detail(&state.app, me, id).await?;
    let already = my_applications(&state.app, me)
        .await?
        .into_iter()
        .find(|a| a.round_id == id)
        .map(|a| label(lang, "rounds-application-", &a.status));
    let chosen = v.level.trim().to_string();
    let offered = d.plan.levels_in_order(&d.scheme);
    let levels = offered
        .iter()
        .map(|k| (k.to_string(), band_name(&d.scheme, k, lang), chosen == *k))
        .collect();
    let general = errors
        .iter()
        .filter(|(f, _)| !APPLY_FIELDS.contains(&f.as_str()))
        .map(|(_, m)| m.clone())
        .collect();
    let page = ApplyPage {
        ctx: Ctx::new(lang, Some(me), &format!("/rounds/{id}/apply")),
        scheme_name: d.scheme.labels().get(label_lang(lang)).to_string(),
        levels,
        prerequisites: levels_text(&d, lang),
        v,
        linked: me.employee_id.is_some(),
        already,
        errors: FormErrors(errors),
        general,
        max_mb: MAX_BYTES / 1024 / 1024,
        resent,
        d,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn apply_form(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let v = ApplicationInput {
        level: String::new(),
        ..ApplicationInput::default()
    };
    apply_page(&state, lang, &me, id, v, Vec::new(), false, StatusCode::OK).await
}

/// Problems of attachments name them by position (`attachments[0]`); the page shows each
/// next to its file input.
fn attachment_fields(
    errors: Vec<(String, String)>,
    form: &ApplicationForm,
) -> Vec<(String, String)> {
    errors
        .into_iter()
        .map(|(field, msg)| {
            let kind = field
                .strip_prefix("attachments[")
                .and_then(|r| r.strip_suffix(']'))
                .and_then(|i| i.parse::<usize>().ok())
                .and_then(|i| form.uploads.get(i))
                .map(|u| u.kind.clone());
            match kind {
                Some(k) if ATTACHMENT_KINDS.contains(&k.as_str()) => (k, msg),
                _ => (field, msg),
            }
        })
        .collect()
}

pub async fn apply(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let form = read_application(mp).await?;
    match applications::apply(&state.app, &me, id, &form.input, &form.uploads).await {
        Ok(_) => Ok(Redirect::to(&format!("/rounds/{id}/mine?done=applied")).into_response()),
        Err(e) if shown_on_page(&e) => {
            let errors = attachment_fields(form_errors(lang, &e), &form);
            let status = refusal_status(&e);
            let resent = !form.uploads.is_empty();
            apply_page(&state, lang, &me, id, form.input, errors, resent, status).await
        }
        Err(e) => Err(e.into()),
    }
}

pub struct ComponentScore {
    pub name: String,
    pub weight: String,
    pub score: String,
    /// How a training-fed component was reached, as frozen with the result.
    pub detail: String,
}

pub struct MyResult {
    pub id: i64,
    pub revision: i32,
    pub components: Vec<ComponentScore>,
    pub total: String,
    pub passed: bool,
    pub level_reached: String,
    pub awarded: String,
    pub explanation: Vec<String>,
}

#[derive(Template)]
#[template(path = "rounds/mine.html")]
struct MinePage {
    ctx: Ctx,
    d: RoundDetail,
    status: &'static str,
    scheme_name: String,
    levels: Vec<LevelView>,
    linked: bool,
    application: Option<ApplicationRow>,
    application_status: &'static str,
    level: String,
    attachments: Vec<AttachmentLine>,
    result: Option<MyResult>,
    published: bool,
    appeal_open: bool,
    pending_appeal: Option<i64>,
    consequences: Vec<ConsequenceLine>,
    errors: Vec<String>,
    /// `(component, breakdown)` of the training-fed components so far, while the round is
    /// open (issue 7).
    training_preview: Vec<(String, String)>,
}

impl MinePage {
    fn can_withdraw(&self) -> bool {
        self.application
            .as_ref()
            .is_some_and(|a| a.status == "submitted")
    }
}

/// The signed-in employee's own result, appeals and consequences in one round. The
/// services offer no reader of these for the employee themself (`results::results` and
/// `consequences::list` are for managers), so they are read here, always for the actor's
/// own employee record.
async fn own_records(
    app: &App,
    employee_id: i64,
    round_id: i64,
) -> AppResult<(Option<ResultRow>, Option<i64>, Vec<ConsequenceRow>)> {
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let result = store::published_results_of(c, employee_id)
        .await?
        .into_iter()
        .find(|x| x.round_id == round_id);
    let pending = store::appeals_of_employee(c, employee_id)
        .await?
        .into_iter()
        .find(|a| a.round_id == round_id && a.status == "pending")
        .map(|a| a.id);
    let consequences = store::consequences(c, Some(round_id), Some(employee_id)).await?;
    Ok((result, pending, consequences))
}

fn my_result(lang: Lang, d: &RoundDetail, r: &ResultRow) -> MyResult {
    let ll = label_lang(lang);
    let evaluation = serde_json::from_str::<Inputs>(&r.inputs)
        .ok()
        .and_then(|i| d.scheme.evaluate(&i).ok());
    let training = skillcert_app::training::daily::stored_parts(&r.inputs);
    MyResult {
        id: r.id,
        revision: r.revision,
        components: d
            .scheme
            .components()
            .iter()
            .map(|c| ComponentScore {
                name: c.labels.get(ll).to_string(),
                weight: format!("{}%", c.weight.basis_points() / 100),
                score: score_text(
                    evaluation
                        .as_ref()
                        .and_then(|e| e.component(&c.key))
                        .and_then(|x| x.score),
                ),
                detail: super::training_records::breakdown_text(lang, &training, &c.key),
            })
            .collect(),
        total: u32::try_from(r.total)
            .ok()
            .and_then(|h| Score::from_hundredths(h).ok())
            .map_or_else(|| "—".into(), |s| s.to_string()),
        passed: r.passed,
        level_reached: r
            .level_key
            .as_deref()
            .map_or_else(|| "—".into(), |k| band_name(&d.scheme, k, lang)),
        awarded: r
            .awarded_level
            .as_deref()
            .map_or_else(|| "—".into(), |k| band_name(&d.scheme, k, lang)),
        explanation: evaluation
            .map(|e| e.explain(&d.scheme, ll))
            .unwrap_or_default(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    pub done: Option<String>,
}

pub async fn mine(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let flash = done_message(lang, q.done.as_deref());
    mine_page(&state, lang, &me, id, flash, Vec::new(), StatusCode::OK).await
}

async fn mine_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: i64,
    flash: Option<String>,
    errors: Vec<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let app = &state.app;
    let me = me.clone();
    let d = rounds::detail(app, &me, id).await?;
    let application = my_applications(app, &me)
        .await?
        .into_iter()
        .find(|a| a.round_id == id);
    let attachments = match &application {
        Some(a) => attachment_lines(lang, applications::get(app, &me, a.id).await?.attachments),
        None => Vec::new(),
    };
    let (result, pending_appeal, consequences) = match me.employee_id {
        Some(e) => own_records(app, e, id).await?,
        None => (None, None, Vec::new()),
    };
    let published = matches!(d.round.status.as_str(), "published" | "closed");
    let preview = skillcert_app::training::daily::my_preview(app, &me, id).await?;
    let training_preview = preview
        .iter()
        .map(|p| {
            let name = d.scheme.component(&p.component).map_or_else(
                || p.component.clone(),
                |c| c.labels.get(label_lang(lang)).to_string(),
            );
            let value = p.score.map_or_else(|| "—".to_string(), |s| s.to_string());
            (
                format!("{name}: {value}"),
                super::training_records::breakdown_text(lang, &preview, &p.component),
            )
        })
        .collect();
    let page = MinePage {
        training_preview,
        ctx: Ctx::new(lang, Some(&me), &format!("/rounds/{id}/mine")).with_flash(flash),
        errors,
        status: status_label(lang, &d.round.status),
        scheme_name: d.scheme.labels().get(label_lang(lang)).to_string(),
        levels: levels_text(&d, lang),
        linked: me.employee_id.is_some(),
        application_status: application
            .as_ref()
            .map_or("", |a| label(lang, "rounds-application-", &a.status)),
        level: application
            .as_ref()
            .map(|a| band_name(&d.scheme, &a.level_key, lang))
            .unwrap_or_default(),
        application,
        attachments,
        result: result.as_ref().map(|r| my_result(lang, &d, r)),
        published,
        appeal_open: d.round.status == "published"
            && d.round
                .published_on
                .is_some_and(|p| appeal_open(p, d.plan.appeal_days, app.today())),
        pending_appeal,
        consequences: consequence_lines(lang, &d, consequences, false),
        d,
    };
    Ok((status, render(&page)?).into_response())
}

// ---------- one application ----------

pub struct AttachmentLine {
    pub id: i64,
    pub kind: &'static str,
    pub filename: String,
    pub content_type: String,
    pub size: String,
    pub uploaded: String,
}

fn attachment_lines(
    lang: Lang,
    list: Vec<skillcert_app::store::certification::AttachmentRow>,
) -> Vec<AttachmentLine> {
    list.into_iter()
        .map(|a| AttachmentLine {
            id: a.id,
            kind: label(lang, "rounds-attachment-", &a.kind),
            size: size_text(a.size),
            uploaded: (a.created_at + chrono::Duration::hours(8))
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            filename: a.filename,
            content_type: a.content_type,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "rounds/application.html")]
struct ApplicationPage {
    ctx: Ctx,
    a: ApplicationRow,
    round_code: String,
    round_title: String,
    level: String,
    status: &'static str,
    attachments: Vec<AttachmentLine>,
    can_manage: bool,
    is_mine: bool,
    decided_at: String,
}

impl ApplicationPage {
    fn is_submitted(&self) -> bool {
        self.a.status == "submitted"
    }
}

pub async fn application_page(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let ApplicationDetail {
        application,
        attachments,
    } = applications::get(&state.app, &me, id).await?;
    let d = rounds::detail(&state.app, &me, application.round_id).await?;
    let page = ApplicationPage {
        ctx: Ctx::new(lang, Some(&me), &format!("/applications/{id}"))
            .with_flash(done_message(lang, q.done.as_deref())),
        round_code: d.round.code.clone(),
        round_title: d.round.title.clone(),
        level: band_name(&d.scheme, &application.level_key, lang),
        status: label(lang, "rounds-application-", &application.status),
        attachments: attachment_lines(lang, attachments),
        can_manage: me.can(Permission::CertificationManage),
        is_mine: Some(application.employee_id) == me.employee_id,
        decided_at: application
            .decided_at
            .map(|t| {
                (t + chrono::Duration::hours(8))
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .unwrap_or_default(),
        a: application,
    };
    render(&page)
}

pub async fn withdraw(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let detail = applications::get(&state.app, &me, id).await?;
    let round_id = detail.application.round_id;
    match applications::withdraw(&state.app, &me, id).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/rounds/{round_id}/mine?done=withdrawn")).into_response())
        }
        Err(e) if shown_on_page(&e) => {
            let errors = form_errors(lang, &e).into_iter().map(|(_, m)| m).collect();
            mine_page(
                &state,
                lang,
                &me,
                round_id,
                None,
                errors,
                refusal_status(&e),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// An attachment with the content type read from its first bytes at upload; shown in the
/// browser (PDF and images) but never interpreted as anything else.
pub async fn attachment(
    State(state): State<AppState>,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (row, bytes) = applications::attachment(&state.app, &me, id).await?;
    Ok(attachment_response(&row, bytes))
}

pub(crate) fn attachment_response(
    row: &skillcert_app::store::certification::AttachmentRow,
    bytes: Vec<u8>,
) -> Response {
    (
        [
            (header::CONTENT_TYPE, row.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                disposition("inline", &row.filename),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (header::CONTENT_SECURITY_POLICY, "sandbox".to_string()),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dynamic_keys_exist_in_both_languages() {
        let mut missing = Vec::new();
        for k in dynamic_keys() {
            for l in Lang::ALL {
                if !has(l, &k) {
                    missing.push(format!("{} {k}", l.tag()));
                }
            }
        }
        assert!(missing.is_empty(), "missing: {missing:#?}");
    }

    #[test]
    fn the_form_becomes_a_round_input() {
        let pairs: Vec<(String, String)> = [
            ("code", "R1"),
            ("level", "junior"),
            ("level", "senior"),
            ("requires_senior", "intermediate"),
            ("requires_intermediate", "junior"),
            ("requires_junior", ""),
            ("source_theory", " EX-1 "),
            ("new_hires_basic_only", "on"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let v = round_input(&pairs);
        assert_eq!(v.levels, "junior, senior");
        assert_eq!(v.requires, "senior:intermediate", "only offered levels");
        assert_eq!(v.sources.get("theory").map(String::as_str), Some("EX-1"));
        assert_eq!(v.new_hires_basic_only, Some(true));
        let v = round_input(&[]);
        assert_eq!(v.new_hires_basic_only, Some(false), "unticked");
    }

    #[test]
    fn download_names_keep_chinese() {
        let d = disposition("inline", "身份证 正面.pdf");
        assert!(d.starts_with("inline; filename=\""), "{d}");
        assert!(d.contains("filename*=UTF-8''%E8%BA%AB"), "{d}");
        assert!(!d.contains(' ') || d.contains("; "), "{d}");
    }
}
