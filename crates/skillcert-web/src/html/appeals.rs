//! The employee's side of certification and what follows a result (issue 6):
//!
//! - `/my-certification`: one's applications, published results (with the "appeal" button
//!   while the window is open), appeals, certificates and the rounds taking applications;
//! - `/results/{id}/appeal`: filing an appeal against one's own result;
//! - `/appeals`: the reviewers' queue of pending appeals (others see their own);
//! - `/appeals/{id}`: the appeal with the result before and after, side by side, and for an
//!   uninvolved reviewer the decision form (uphold, or re-score with a new panel's marks or a
//!   re-marked exam score);
//! - `/inbox`: the signed-in user's messages, each rendered in the reader's language from its
//!   stored key and parameters, and the unread count on the navigation.
//!
//! The views built here ([`my_certification`], [`appeal_view`], [`inbox_text`]) are shared
//! with the JSON API so both show the same data.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use skillcert_app::certification::appeals::{self as appeal_service, AppealInput, DecisionInput};
use skillcert_app::certification::certificates::{self as cert_service, Certificate};
use skillcert_app::certification::inbox::{self, KINDS, Message};
use skillcert_app::certification::rounds::{self, RoundDetail};
use skillcert_app::certification::{ERROR_CODES, applications};
use skillcert_app::store::certification::{self as store, AppealRow, ApplicationRow, ResultRow};
use skillcert_app::{Actor, App, AppError, AppResult, Page};
use skillcert_domain::access::Permission;
use skillcert_domain::certification::CertificateStatus;
use skillcert_domain::certification::round::appeal_open;
use skillcert_domain::scheme::{Input, Inputs, Lang as LabelLang, Scheme, Score, SourceKind};

use super::shown_on_page;
use super::{Ctx, FormErrors, Pager, WebForm, render};
use crate::error::{WebError, form_errors};
use crate::i18n::{Lang, has, t, tf};
use crate::session::{Me, SESSION_COOKIE, cookie};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/my-certification", get(my_page))
        .route("/results/{id}/appeal", get(appeal_form).post(file_appeal))
        .route("/appeals", get(list))
        .route("/appeals/{id}", get(show))
        .route("/appeals/{id}/decide", post(decide))
        .route("/appeals/{id}/panel", post(open_panel))
        .route("/inbox", get(inbox_page))
        .route("/inbox/read", post(read_all))
        .route("/inbox/{id}/read", post(read_one))
}

/// Appeal statuses as stored.
pub const APPEAL_STATUSES: [&str; 3] = ["pending", "upheld", "rescored"];
/// Application statuses as stored.
pub const APPLICATION_STATUSES: [&str; 4] = ["submitted", "approved", "rejected", "withdrawn"];
/// Values of the `status` parameter of inbox messages, shown in words.
pub const MESSAGE_STATUSES: [&str; 4] = ["upheld", "rescored", "approved", "rejected"];
/// Flash messages after a finished action (`?done=…`).
const DONE: [&str; 4] = ["filed", "decided", "read", "read-all"];
/// Codes of the scheme engine an appeal's re-score can be refused with (as problems).
pub const RESCORE_INPUT_CODES: [&str; 7] = [
    "attempt-zero",
    "unknown-component",
    "wrong-input",
    "too-few-marks",
    "ragged-items",
    "no-items",
    "item-sum-above-100",
];
/// Messages per inbox page (the service's page size).
const INBOX_PER_PAGE: i64 = 50;
/// Appeals per page of the queue.
const QUEUE_PER_PAGE: usize = 50;

/// Every message key these pages build at run time, for the completeness test.
pub fn dynamic_keys() -> Vec<String> {
    let mut keys: Vec<String> = KINDS
        .iter()
        .copied()
        .chain(skillcert_app::training::inbox_kinds())
        .map(str::to_string)
        .collect();
    for s in APPEAL_STATUSES {
        keys.push(format!("appeals-status-{s}"));
    }
    for s in APPLICATION_STATUSES {
        keys.push(format!("appeals-application-{s}"));
    }
    for s in MESSAGE_STATUSES {
        keys.push(format!("inbox-status-{s}"));
    }
    for d in DONE {
        keys.push(format!("appeals-done-{d}"));
    }
    for s in CertificateStatus::ALL {
        keys.push(format!("certificates-status-{}", s.key()));
    }
    for c in ERROR_CODES.iter().filter(|c| c.starts_with("appeal-")) {
        keys.push(format!("problem-{c}"));
    }
    for c in RESCORE_INPUT_CODES {
        keys.push(format!("problem-{c}"));
    }
    keys.push("problem-score-out-of-range".into());
    keys
}

// ---------- the unread count on the navigation ----------

tokio::task_local! {
    /// The signed-in user's unread messages, counted once for the page being rendered.
    static UNREAD: Option<i64>;
}

/// The unread count of the page being rendered, when [`count_unread`] counted it.
pub fn nav_unread() -> Option<i64> {
    UNREAD.try_with(|n| *n).ok().flatten()
}

/// Middleware: for a page request (GET, not the API, not a static file or download) with a
/// session cookie, counts the user's unread messages once, for the navigation badge. The
/// signed-in user it resolves is cached in the request, so the handler does not sign in
/// again.
pub async fn count_unread(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let last = path.rsplit('/').next().unwrap_or_default();
    let page = req.method() == Method::GET
        && !path.starts_with("/api/")
        && !path.starts_with("/static/")
        && !last.contains('.')
        && cookie(req.headers(), SESSION_COOKIE).is_some();
    if !page {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let unread = match <Me as axum::extract::FromRequestParts<AppState>>::from_request_parts(
        &mut parts, &state,
    )
    .await
    {
        Ok(Me(me)) => inbox::unread(&state.app, &me).await.ok(),
        Err(_) => None,
    };
    let req = Request::from_parts(parts, body);
    UNREAD.scope(unread, next.run(req)).await
}

// ---------- shared views ----------

pub fn label_lang(lang: Lang) -> LabelLang {
    match lang {
        Lang::ZhCn => LabelLang::ZhCn,
        Lang::En => LabelLang::En,
    }
}

/// One component of one revision of a result.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentScore {
    pub key: String,
    pub name: String,
    pub source: SourceKind,
    /// The weight in percent, e.g. `40`.
    pub weight_percent: String,
    /// The component score as counted, rounded to the scheme's decimals.
    pub score: Option<String>,
    /// What was entered: a score, or the panel's marks separated by commas.
    pub input: String,
}

/// One revision of a result: the first is the published one, later ones come from
/// re-scores.
#[derive(Debug, Clone, Serialize)]
pub struct RevisionView {
    pub result_id: i64,
    pub revision: i32,
    pub current: bool,
    pub created_at: DateTime<Utc>,
    pub total: String,
    pub passed: bool,
    pub level_key: Option<String>,
    /// The band reached, in the request's language.
    pub level: Option<String>,
    pub awarded_level: Option<String>,
    /// The level certified (capped at the level applied for), in the request's language.
    pub awarded: Option<String>,
    pub components: Vec<ComponentScore>,
}

fn score_text(hundredths: i32, decimals: u8) -> String {
    u32::try_from(hundredths)
        .ok()
        .and_then(|h| Score::from_hundredths(h).ok())
        .map(|s| s.fixed(decimals))
        .unwrap_or_else(|| hundredths.to_string())
}

fn input_text(input: &Input) -> String {
    let join = |v: &[Score]| {
        v.iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match input {
        Input::Score(s) => s.to_string(),
        Input::Marks(v) => join(v),
        Input::ItemMarks(rows) => rows.iter().map(|r| join(r)).collect::<Vec<_>>().join("; "),
    }
}

fn band_name(scheme: &Scheme, key: Option<&str>, lang: Lang) -> Option<String> {
    let key = key?;
    Some(
        scheme
            .bands()
            .iter()
            .find(|b| b.key == key)
            .map(|b| b.labels.get(label_lang(lang)).to_string())
            .unwrap_or_else(|| key.to_string()),
    )
}

/// A stored result as shown: every component recomputed from the stored inputs by the
/// round's frozen scheme (the same engine as everywhere), the stored total and levels.
pub fn revision_view(scheme: &Scheme, row: &ResultRow, lang: Lang) -> RevisionView {
    let inputs: Inputs = serde_json::from_str(&row.inputs).unwrap_or_default();
    let evaluation = scheme.evaluate(&inputs).ok();
    let decimals = scheme.decimals();
    let ll = label_lang(lang);
    let components = scheme
        .components()
        .iter()
        .map(|c| ComponentScore {
            key: c.key.clone(),
            name: c.labels.get(ll).to_string(),
            source: c.source,
            weight_percent: Score::from_hundredths(c.weight.basis_points())
                .map(|w| w.to_string())
                .unwrap_or_default(),
            score: evaluation
                .as_ref()
                .and_then(|e| e.component(&c.key))
                .and_then(|r| r.score)
                .map(|s| s.fixed(decimals)),
            input: inputs
                .values
                .get(&c.key)
                .map(input_text)
                .unwrap_or_default(),
        })
        .collect();
    RevisionView {
        result_id: row.id,
        revision: row.revision,
        current: row.current,
        created_at: row.created_at,
        total: score_text(row.total, decimals),
        passed: row.passed,
        level: band_name(scheme, row.level_key.as_deref(), lang),
        level_key: row.level_key.clone(),
        awarded: band_name(scheme, row.awarded_level.as_deref(), lang),
        awarded_level: row.awarded_level.clone(),
        components,
    }
}

/// Round details by id, each read once.
struct Rounds(BTreeMap<i64, RoundDetail>);

impl Rounds {
    fn new() -> Rounds {
        Rounds(BTreeMap::new())
    }

    async fn get(&mut self, app: &App, me: &Actor, id: i64) -> AppResult<&RoundDetail> {
        if let std::collections::btree_map::Entry::Vacant(e) = self.0.entry(id) {
            e.insert(rounds::detail(app, me, id).await?);
        }
        self.0
            .get(&id)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("round {id} not cached")))
    }
}

fn component_name(scheme: &Scheme, key: Option<&str>, lang: Lang) -> Option<String> {
    let key = key?;
    Some(
        scheme
            .component(key)
            .map(|c| c.labels.get(label_lang(lang)).to_string())
            .unwrap_or_else(|| key.to_string()),
    )
}

// ---------- the employee's certification ----------

#[derive(Debug, Clone, Serialize)]
pub struct MyApplication {
    #[serde(flatten)]
    pub application: ApplicationRow,
    pub round_code: String,
    pub round_title: String,
    pub round_status: String,
    /// The level applied for, in the request's language.
    pub level: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MyResult {
    pub round_id: i64,
    pub round_code: String,
    pub round_title: String,
    pub published_on: Option<NaiveDate>,
    pub appeal_closes: Option<NaiveDate>,
    /// An appeal may be filed today.
    pub appeal_open: bool,
    /// The pending appeal against this result, if any.
    pub pending_appeal: Option<i64>,
    #[serde(flatten)]
    pub result: RevisionView,
}

#[derive(Debug, Clone, Serialize)]
pub struct MyAppeal {
    #[serde(flatten)]
    pub appeal: AppealRow,
    /// The component appealed, in the request's language; `null` for the whole result.
    pub component: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MyCertificate {
    #[serde(flatten)]
    pub certificate: Certificate,
    /// The level, in the request's language.
    pub level_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct OpenRound {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub registration_closes: NaiveDate,
    /// The levels offered, in the request's language.
    pub levels: Vec<String>,
}

/// Everything the employee's certification page shows.
#[derive(Debug, Clone, Serialize)]
pub struct MyCertification {
    /// Whether the account is linked to an employee record (without one the lists are
    /// empty).
    pub linked: bool,
    pub applications: Vec<MyApplication>,
    pub results: Vec<MyResult>,
    pub appeals: Vec<MyAppeal>,
    pub certificates: Vec<MyCertificate>,
    pub open_rounds: Vec<OpenRound>,
}

/// The signed-in employee's published results and appeals. The services offer no reader
/// for these to the employee themself (`appeals::list` gives reviewers the queue instead),
/// so they are read here, always for the actor's own employee record.
async fn own_results_and_appeals(
    app: &App,
    employee_id: i64,
) -> AppResult<(Vec<ResultRow>, Vec<AppealRow>)> {
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let results = store::published_results_of(c, employee_id).await?;
    let appeals = store::appeals_of_employee(c, employee_id).await?;
    Ok((results, appeals))
}

/// Whether an appeal against a result of `round` may be filed today.
fn window_open(app: &App, round: &RoundDetail) -> bool {
    round.round.status == "published"
        && round
            .round
            .published_on
            .is_some_and(|p| appeal_open(p, round.plan.appeal_days, app.today()))
}

pub async fn my_certification(app: &App, me: &Actor, lang: Lang) -> AppResult<MyCertification> {
    let ll = label_lang(lang);
    let open_rounds = rounds::open_for_applications(app)
        .await?
        .into_iter()
        .map(|d| OpenRound {
            id: d.round.id,
            code: d.round.code.clone(),
            title: d.round.title.clone(),
            registration_closes: d.plan.registration_closes,
            levels: d
                .plan
                .levels
                .iter()
                .map(|l| band_name(&d.scheme, Some(l), lang).unwrap_or_default())
                .collect(),
        })
        .collect();
    let Some(employee_id) = me.employee_id else {
        return Ok(MyCertification {
            linked: false,
            applications: Vec::new(),
            results: Vec::new(),
            appeals: Vec::new(),
            certificates: Vec::new(),
            open_rounds,
        });
    };
    let mut cache = Rounds::new();
    let mut applications_out = Vec::new();
    for a in applications::mine(app, me).await? {
        let d = cache.get(app, me, a.round_id).await?;
        applications_out.push(MyApplication {
            round_code: d.round.code.clone(),
            round_title: d.round.title.clone(),
            round_status: d.round.status.clone(),
            level: band_name(&d.scheme, Some(&a.level_key), lang).unwrap_or_default(),
            application: a,
        });
    }
    let (results, appeals) = own_results_and_appeals(app, employee_id).await?;
    let mut results_out = Vec::new();
    for r in &results {
        let d = cache.get(app, me, r.round_id).await?;
        results_out.push(MyResult {
            round_id: r.round_id,
            round_code: d.round.code.clone(),
            round_title: d.round.title.clone(),
            published_on: d.round.published_on,
            appeal_closes: d.appeal_closes,
            appeal_open: window_open(app, d),
            pending_appeal: appeals
                .iter()
                .find(|a| a.result_id == r.id && a.status == "pending")
                .map(|a| a.id),
            result: revision_view(&d.scheme, r, lang),
        });
    }
    let mut appeals_out = Vec::new();
    for a in appeals {
        let d = cache.get(app, me, a.round_id).await?;
        appeals_out.push(MyAppeal {
            component: component_name(&d.scheme, a.component_key.as_deref(), lang),
            appeal: a,
        });
    }
    let certificates = cert_service::mine(app, me)
        .await?
        .into_iter()
        .map(|c| MyCertificate {
            level_name: c.level.get(ll).to_string(),
            certificate: c,
        })
        .collect();
    Ok(MyCertification {
        linked: true,
        applications: applications_out,
        results: results_out,
        appeals: appeals_out,
        certificates,
        open_rounds,
    })
}

#[derive(Template)]
#[template(path = "appeals/mine.html")]
struct MyPage {
    ctx: Ctx,
    d: MyCertification,
}

impl MyPage {
    fn application_status(&self, status: &str) -> &'static str {
        t(self.ctx.lang, &format!("appeals-application-{status}"))
    }

    fn appeal_status(&self, status: &str) -> &'static str {
        t(self.ctx.lang, &format!("appeals-status-{status}"))
    }

    fn cert_status(&self, s: &CertificateStatus) -> &'static str {
        t(self.ctx.lang, &format!("certificates-status-{}", s.key()))
    }
}

async fn my_page(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
) -> Result<Response, WebError> {
    let d = my_certification(&state.app, &me, lang).await?;
    render(&MyPage {
        ctx: Ctx::new(lang, Some(&me), "/my-certification"),
        d,
    })
}

// ---------- filing an appeal ----------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AppealForm {
    pub component: String,
    pub item: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "appeals/file.html")]
struct FilePage {
    ctx: Ctx,
    result_id: i64,
    /// The result, when it is the signed-in employee's.
    mine: Option<MyResult>,
    /// Why no appeal can be filed now (window closed, already pending, not one's own).
    blocked: Option<String>,
    components: Vec<(String, String)>,
    v: AppealForm,
    errors: FormErrors,
}

/// The signed-in employee's published result `result_id` with its round, or `None`.
async fn own_result(
    app: &App,
    me: &Actor,
    result_id: i64,
    lang: Lang,
) -> AppResult<Option<(MyResult, RoundDetail)>> {
    let Some(employee_id) = me.employee_id else {
        return Ok(None);
    };
    let (results, appeals) = own_results_and_appeals(app, employee_id).await?;
    let Some(r) = results.into_iter().find(|r| r.id == result_id) else {
        return Ok(None);
    };
    let d = rounds::detail(app, me, r.round_id).await?;
    let mine = MyResult {
        round_id: r.round_id,
        round_code: d.round.code.clone(),
        round_title: d.round.title.clone(),
        published_on: d.round.published_on,
        appeal_closes: d.appeal_closes,
        appeal_open: window_open(app, &d),
        pending_appeal: appeals
            .iter()
            .find(|a| a.result_id == r.id && a.status == "pending")
            .map(|a| a.id),
        result: revision_view(&d.scheme, &r, lang),
    };
    Ok(Some((mine, d)))
}

async fn file_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    result_id: i64,
    v: AppealForm,
    errors: FormErrors,
    status: Option<StatusCode>,
) -> Result<Response, WebError> {
    let found = own_result(&state.app, me, result_id, lang).await?;
    let (mine, components, blocked, default_status) = match found {
        None => (
            None,
            Vec::new(),
            Some(t(lang, "problem-appeal-not-yours").to_string()),
            StatusCode::FORBIDDEN,
        ),
        Some((mine, d)) => {
            let ll = label_lang(lang);
            let components = d
                .scheme
                .components()
                .iter()
                .map(|c| (c.key.clone(), c.labels.get(ll).to_string()))
                .collect();
            let blocked = if mine.pending_appeal.is_some() {
                Some(t(lang, "problem-appeal-pending").to_string())
            } else if !mine.appeal_open {
                Some(t(lang, "problem-appeal-window-closed").to_string())
            } else {
                None
            };
            (Some(mine), components, blocked, StatusCode::OK)
        }
    };
    let page = FilePage {
        ctx: Ctx::new(lang, Some(me), &format!("/results/{result_id}/appeal")),
        result_id,
        mine,
        blocked,
        components,
        v,
        errors,
    };
    Ok((status.unwrap_or(default_status), render(&page)?).into_response())
}

async fn appeal_form(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    file_page(
        &state,
        lang,
        &me,
        id,
        AppealForm::default(),
        FormErrors::none(),
        None,
    )
    .await
}

/// Field errors of a refusal; a re-score's scheme-engine codes (reported as problems) fall
/// back to their `input-error-…` wording.
fn errors_of(lang: Lang, e: &AppError) -> FormErrors {
    let mut out = form_errors(lang, e);
    if let AppError::Rejected(ps) = e {
        for (p, (_, msg)) in ps.iter().zip(out.iter_mut()) {
            let key = format!("problem-{}", p.code);
            let fallback = format!("input-error-{}", p.code);
            if !has(lang, &key) && has(lang, &fallback) {
                *msg = t(lang, &fallback).to_string();
            }
        }
    }
    FormErrors(out)
}

async fn file_appeal(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(v): WebForm<AppealForm>,
) -> Result<Response, WebError> {
    let input = AppealInput {
        component: v.component.clone(),
        item: v.item.clone(),
        reason: v.reason.clone(),
    };
    match appeal_service::file(&state.app, &me, id, &input).await {
        Ok(appeal) => Ok(Redirect::to(&format!("/appeals/{appeal}?done=filed")).into_response()),
        Err(e) if shown_on_page(&e) => {
            let errors = errors_of(lang, &e);
            file_page(
                &state,
                lang,
                &me,
                id,
                v,
                errors,
                Some(StatusCode::UNPROCESSABLE_ENTITY),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- the queue ----------

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub page: Option<String>,
    pub sort: Option<String>,
    pub done: Option<String>,
}

pub struct QueueRow {
    pub a: AppealRow,
    pub round_title: String,
    pub component: Option<String>,
    pub status: &'static str,
    pub waiting_days: i64,
}

#[derive(Template)]
#[template(path = "appeals/list.html")]
struct ListPage {
    ctx: Ctx,
    reviewer: bool,
    rows: Vec<QueueRow>,
    pager: Pager,
    sort: String,
}

/// Whole days between filing (in Beijing) and today.
fn waiting_days(app: &App, filed: DateTime<Utc>) -> i64 {
    let filed_on = (filed + Duration::hours(8)).date_naive();
    (app.today() - filed_on).num_days().max(0)
}

async fn list(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let app = &state.app;
    let reviewer = me.can(Permission::AppealReview);
    let mut appeals = appeal_service::list(app, &me).await?;
    let sort = match q.sort.as_deref() {
        Some("round") => "round",
        Some("newest") => "newest",
        _ => "waiting",
    };
    match sort {
        "round" => appeals.sort_by(|a, b| a.round_code.cmp(&b.round_code).then(a.id.cmp(&b.id))),
        "newest" => appeals.sort_by_key(|a| std::cmp::Reverse(a.id)),
        // The queue: the longest waiting first; one's own: newest first, as stored.
        _ if reviewer => appeals.sort_by_key(|a| a.id),
        _ => {}
    }
    let total = i64::try_from(appeals.len()).unwrap_or(i64::MAX);
    let page = q
        .page
        .as_deref()
        .and_then(|p| p.trim().parse::<i64>().ok())
        .unwrap_or(1)
        .max(1);
    let pages = if appeals.is_empty() {
        1
    } else {
        (appeals.len().div_ceil(QUEUE_PER_PAGE)) as i64
    };
    let page = page.min(pages);
    let skip = usize::try_from(page - 1).unwrap_or(0) * QUEUE_PER_PAGE;
    let mut cache = Rounds::new();
    let mut rows = Vec::new();
    for a in appeals.into_iter().skip(skip).take(QUEUE_PER_PAGE) {
        let d = cache.get(app, &me, a.round_id).await?;
        rows.push(QueueRow {
            round_title: d.round.title.clone(),
            component: component_name(&d.scheme, a.component_key.as_deref(), lang),
            status: t(lang, &format!("appeals-status-{}", a.status)),
            waiting_days: waiting_days(app, a.created_at),
            a,
        });
    }
    let pager = Pager {
        page,
        pages,
        total,
        base: format!("/appeals?sort={sort}"),
    };
    render(&ListPage {
        ctx: Ctx::new(lang, Some(&me), "/appeals"),
        reviewer,
        rows,
        pager,
        sort: sort.to_string(),
    })
}

// ---------- one appeal ----------

/// An appeal as shown to the employee and to reviewers.
#[derive(Debug, Clone, Serialize)]
pub struct AppealView {
    pub appeal: AppealRow,
    pub round_title: String,
    /// The component appealed, in the request's language; `null` for the whole result.
    pub component: Option<String>,
    /// The last day an appeal against this round could be filed.
    pub appeal_closes: Option<NaiveDate>,
    /// The result appealed.
    pub before: Option<RevisionView>,
    /// The result after a re-score.
    pub after: Option<RevisionView>,
    /// Every revision of the result, oldest first.
    pub history: Vec<RevisionView>,
    /// Whether the viewer may decide it now.
    pub may_decide: bool,
    /// Whether the viewer took part in the original scoring (or is the appellant).
    pub involved: bool,
    /// The appealed component takes its marks from a practical event, so a new panel can
    /// be drawn for the re-score (`appeal.rescore_event_id` once it is).
    pub panel_source: bool,
}

pub async fn appeal_view(
    app: &App,
    me: &Actor,
    id: i64,
    lang: Lang,
) -> AppResult<(AppealView, RoundDetail)> {
    let detail = appeal_service::get(app, me, id).await?;
    let round = rounds::detail(app, me, detail.appeal.round_id).await?;
    let history: Vec<RevisionView> = detail
        .history
        .iter()
        .map(|r| revision_view(&round.scheme, r, lang))
        .collect();
    let find = |id: Option<i64>| {
        id.and_then(|id| history.iter().find(|h| h.result_id == id))
            .cloned()
    };
    let view = AppealView {
        before: find(Some(detail.appeal.result_id)),
        after: find(detail.appeal.new_result_id),
        component: component_name(&round.scheme, detail.appeal.component_key.as_deref(), lang),
        round_title: round.round.title.clone(),
        appeal_closes: round.appeal_closes,
        history,
        may_decide: detail.may_decide,
        involved: detail.involved,
        panel_source: detail.appeal.component_key.as_deref().is_some_and(|key| {
            round
                .sources
                .iter()
                .any(|s| s.component_key == key && s.event_id.is_some())
        }),
        appeal: detail.appeal,
    };
    Ok((view, round))
}

/// One line of the before/after comparison.
pub struct CompareRow {
    pub name: String,
    pub weight: String,
    pub before: String,
    pub before_input: String,
    pub after: String,
    pub after_input: String,
    pub changed: bool,
    pub appealed: bool,
}

/// A component field of the decision form.
pub struct ScoreField {
    pub key: String,
    pub name: String,
    pub hint: String,
    pub current: String,
    pub value: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "appeals/show.html")]
struct ShowPage {
    ctx: Ctx,
    v: AppealView,
    status: &'static str,
    compare: Vec<CompareRow>,
    total_changed: bool,
    level_changed: bool,
    reviewer: bool,
    can_audit: bool,
    /// The viewer may open a new panel for the re-score now.
    can_open_panel: bool,
    fields: Vec<ScoreField>,
    decision: String,
    note: String,
    errors: FormErrors,
    /// Errors that belong to no field of the decision form (shown at the top).
    general: Vec<String>,
}

fn compare_rows(v: &AppealView) -> Vec<CompareRow> {
    let Some(before) = &v.before else {
        return Vec::new();
    };
    before
        .components
        .iter()
        .map(|b| {
            let a = v
                .after
                .as_ref()
                .and_then(|a| a.components.iter().find(|c| c.key == b.key));
            let before_score = b.score.clone().unwrap_or_else(|| "—".into());
            let after_score = a.and_then(|a| a.score.clone()).unwrap_or_default();
            CompareRow {
                name: b.name.clone(),
                weight: b.weight_percent.clone(),
                changed: a.is_some_and(|a| a.score != b.score || a.input != b.input),
                appealed: v.appeal.component_key.as_deref() == Some(b.key.as_str()),
                before_input: b.input.clone(),
                after_input: a.map(|a| a.input.clone()).unwrap_or_default(),
                before: before_score,
                after: after_score,
            }
        })
        .collect()
}

fn score_hint(lang: Lang, source: SourceKind) -> String {
    match source {
        SourceKind::Panel => t(lang, "appeals-hint-panel").to_string(),
        SourceKind::Exam => t(lang, "appeals-hint-exam").to_string(),
        _ => t(lang, "appeals-hint-other").to_string(),
    }
}

#[allow(clippy::too_many_arguments)]
async fn show_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: i64,
    typed: Option<(String, String, BTreeMap<String, String>)>,
    errors: FormErrors,
    flash: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let (v, round) = appeal_view(&state.app, me, id, lang).await?;
    let compare = compare_rows(&v);
    let (total_changed, level_changed) = match (&v.before, &v.after) {
        (Some(b), Some(a)) => (b.total != a.total, b.awarded_level != a.awarded_level),
        _ => (false, false),
    };
    let (decision, note, scores) = typed.unwrap_or_default();
    let ll = label_lang(lang);
    let fields = round
        .scheme
        .components()
        .iter()
        .map(|c| {
            let current = v
                .before
                .as_ref()
                .and_then(|b| b.components.iter().find(|x| x.key == c.key))
                .map(|x| x.input.clone())
                .unwrap_or_default();
            ScoreField {
                key: c.key.clone(),
                name: c.labels.get(ll).to_string(),
                hint: score_hint(lang, c.source),
                value: scores.get(&c.key).cloned().unwrap_or_default(),
                error: errors.get(&format!("scores.{}", c.key)).map(str::to_string),
                current,
            }
        })
        .collect();
    let mut form_fields = vec!["note".to_string(), "decision".to_string()];
    form_fields.extend(
        round
            .scheme
            .components()
            .iter()
            .map(|c| format!("scores.{}", c.key)),
    );
    let general = errors
        .0
        .iter()
        // Without the form (decided, or the viewer may not decide) every error goes on top.
        .filter(|(f, _)| !v.may_decide || !form_fields.contains(f))
        .map(|(_, m)| m.clone())
        .collect();
    let page = ShowPage {
        ctx: Ctx::new(lang, Some(me), &format!("/appeals/{id}")).with_flash(flash),
        status: t(lang, &format!("appeals-status-{}", v.appeal.status)),
        compare,
        total_changed,
        level_changed,
        reviewer: me.can(Permission::AppealReview),
        can_audit: me.can(Permission::AuditRead),
        can_open_panel: v.may_decide
            && v.panel_source
            && v.appeal.rescore_event_id.is_none()
            && me.can(Permission::AssessmentManage),
        fields,
        decision: if decision.is_empty() {
            "uphold".into()
        } else {
            decision
        },
        note,
        errors,
        general,
        v,
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    pub done: Option<String>,
}

fn done_message(lang: Lang, done: Option<&str>) -> Option<String> {
    let d = done?;
    DONE.contains(&d)
        .then(|| t(lang, &format!("appeals-done-{d}")).to_string())
}

async fn show(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, WebError> {
    show_page(
        &state,
        lang,
        &me,
        id,
        None,
        FormErrors::none(),
        done_message(lang, q.done.as_deref()),
        StatusCode::OK,
    )
    .await
}

/// The decision form as posted: `decision`, `note`, and `score_<component>` per component.
fn decision_input(pairs: &[(String, String)]) -> DecisionInput {
    let mut d = DecisionInput::default();
    for (k, v) in pairs {
        match k.as_str() {
            "decision" => d.decision = v.trim().to_string(),
            "note" => d.note = v.clone(),
            other => {
                if let Some(key) = other.strip_prefix("score_") {
                    d.scores.insert(key.to_string(), v.clone());
                }
            }
        }
    }
    // Uphold takes no scores: whatever was typed before switching is not a re-score.
    if d.decision == "uphold" {
        d.scores.clear();
    }
    d
}

async fn decide(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let input = decision_input(&pairs);
    match appeal_service::decide(&state.app, &me, id, &input).await {
        Ok(()) => Ok(Redirect::to(&format!("/appeals/{id}?done=decided")).into_response()),
        Err(e) if shown_on_page(&e) => {
            let errors = errors_of(lang, &e);
            let typed: BTreeMap<String, String> = pairs
                .iter()
                .filter_map(|(k, v)| k.strip_prefix("score_").map(|k| (k.to_string(), v.clone())))
                .collect();
            show_page(
                &state,
                lang,
                &me,
                id,
                Some((input.decision, input.note, typed)),
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Opens a new panel for the re-score of a panel component (a copy of the original event
/// for this candidate, the original judges excluded) and goes to its event page to publish
/// the seed and draw.
async fn open_panel(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    match appeal_service::open_panel(&state.app, &me, id).await {
        Ok(event) => Ok(Redirect::to(&format!("/events/{event}")).into_response()),
        Err(e) if shown_on_page(&e) => {
            let errors = errors_of(lang, &e);
            show_page(
                &state,
                lang,
                &me,
                id,
                None,
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- the inbox ----------

/// A message in the reader's language: its kind is a locale key, its parameters fill the
/// placeholders (a decision's `status` shown in words).
pub fn inbox_text(lang: Lang, m: &Message) -> String {
    let args: Vec<(String, String)> = m
        .params_map
        .iter()
        .map(|(k, v)| {
            let raw = match v {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            let key = format!("inbox-status-{raw}");
            let shown = if k == "status" && has(lang, &key) {
                t(lang, &key).to_string()
            } else {
                raw
            };
            (k.clone(), shown)
        })
        .collect();
    let refs: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let kind = m.row.kind.as_str();
    let known = KINDS.contains(&kind) || skillcert_app::training::inbox_kinds().any(|k| k == kind);
    if known && has(lang, kind) {
        tf(lang, &m.row.kind, &refs)
    } else {
        tf(lang, "inbox-unknown", &[("kind", m.row.kind.as_str())])
    }
}

pub struct InboxRow {
    pub id: i64,
    pub text: String,
    pub link: String,
    pub at: String,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "appeals/inbox.html")]
struct InboxPage {
    ctx: Ctx,
    rows: Vec<InboxRow>,
    pager: Pager,
    unread: i64,
}

#[derive(Debug, Default, Deserialize)]
pub struct InboxQuery {
    pub page: Option<String>,
    pub done: Option<String>,
}

async fn inbox_page(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(q): Query<InboxQuery>,
) -> Result<Response, WebError> {
    let page_no = q
        .page
        .as_deref()
        .and_then(|p| p.trim().parse::<i64>().ok())
        .unwrap_or(1)
        .max(1);
    let page: Page<Message> = inbox::list(&state.app, &me, page_no).await?;
    let unread = match nav_unread() {
        Some(n) => n,
        None => inbox::unread(&state.app, &me).await?,
    };
    let ctx = Ctx::new(lang, Some(&me), "/inbox").with_flash(done_message(lang, q.done.as_deref()));
    let rows = page
        .items
        .iter()
        .map(|m| InboxRow {
            id: m.row.id,
            text: inbox_text(lang, m),
            link: m.row.link.clone(),
            at: ctx.time(&m.row.created_at),
            unread: m.row.read_at.is_none(),
        })
        .collect();
    let pager = Pager {
        page: page.page,
        pages: page.pages(),
        total: page.total,
        base: "/inbox?".to_string(),
    };
    render(&InboxPage {
        ctx,
        rows,
        pager,
        unread,
    })
}

async fn read_all(State(state): State<AppState>, Me(me): Me) -> Result<Response, WebError> {
    inbox::mark_read(&state.app, &me, None).await?;
    Ok(Redirect::to("/inbox?done=read-all").into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReadForm {
    /// The inbox page the message was listed on, to find its link.
    pub page: String,
}

/// A link stored with a message, used only when it is a path of this site.
fn local(link: &str) -> Option<&str> {
    let ok = link.starts_with('/')
        && !link.starts_with("//")
        && !link.contains('\\')
        && !link.chars().any(char::is_control);
    ok.then_some(link)
}

/// Marks one message read and follows its link.
async fn read_one(
    State(state): State<AppState>,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(f): WebForm<ReadForm>,
) -> Result<Response, WebError> {
    inbox::mark_read(&state.app, &me, Some(id)).await?;
    let page = f.page.trim().parse::<i64>().unwrap_or(1).max(1);
    // The message is on the page it was listed on, or one further when newer ones came in.
    let mut link = None;
    for p in [page, page + 1] {
        let list = inbox::list(&state.app, &me, p).await?;
        if let Some(m) = list.items.iter().find(|m| m.row.id == id) {
            link = local(&m.row.link).map(str::to_string);
            break;
        }
        if list.items.len() < usize::try_from(INBOX_PER_PAGE).unwrap_or(0) {
            break;
        }
    }
    Ok(Redirect::to(link.as_deref().unwrap_or("/inbox?done=read")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_links_are_followed() {
        assert_eq!(local("/appeals/3"), Some("/appeals/3"));
        assert_eq!(local("//evil.example/x"), None);
        assert_eq!(local("https://evil.example/"), None);
        assert_eq!(local("/\\evil"), None);
    }

    #[test]
    fn uphold_drops_typed_scores() {
        let pairs = vec![
            ("decision".to_string(), "uphold".to_string()),
            ("note".to_string(), "stands".to_string()),
            ("score_theory".to_string(), "80".to_string()),
        ];
        let d = decision_input(&pairs);
        assert!(d.scores.is_empty());
        let pairs = vec![
            ("decision".to_string(), "rescore".to_string()),
            ("score_practical".to_string(), "85, 88".to_string()),
        ];
        let d = decision_input(&pairs);
        assert_eq!(
            d.scores.get("practical").map(String::as_str),
            Some("85, 88")
        );
    }

    #[test]
    fn every_dynamic_key_exists_in_both_languages() {
        for k in dynamic_keys() {
            for l in Lang::ALL {
                assert!(has(l, &k), "{k} missing in {}", l.tag());
            }
        }
    }
}
