//! The staff side of theory exams: sessions (list, form, overview with overrides, results
//! and offline scores), item analysis, and the marking queue.
//!
//! Actions post a form and come back to the session page with a flash (`?done=…`); a refused
//! action shows the page again with the reason and the values typed.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use skillcert_app::exams::marking::{self, MarkInput, MarkingTask};
use skillcert_app::exams::results::{self, SessionAnalysis};
use skillcert_app::exams::sessions::{
    self, OfflineScore, OverrideInput, SessionInput, SessionView, local_time,
};
use skillcert_app::exams::staff::{
    self, OfflineLine, OfflineProblem, SessionChoices, SessionContext,
};
use skillcert_app::exams::{ERROR_CODES, from_ms};
use skillcert_app::store::Dir;
use skillcert_app::store::exam_reports::{MarkingSession, ResultQuery, ResultSort};
use skillcert_app::store::exams::{ResultRow, SessionRow};
use skillcert_app::{Actor, AppError, Page};
use skillcert_domain::access::Permission;
use skillcert_domain::exam::analysis::{Analysis, Flag};
use skillcert_domain::exam::attempt::ReviewPolicy;
use skillcert_domain::exam::paper::PaperError;
use skillcert_domain::org::FieldReason;
use skillcert_reports::Cell;
use skillcert_reports::item_analysis::ItemAnalysisLabels;

use super::employees::SortLink;
use super::{Ctx, FormErrors, Pager, WebForm, render};
use crate::error::{WebError, field_message, form_errors, urlencode};
use crate::i18n::{Lang, has, t, tf};
use crate::session::Me;
use crate::state::AppState;

use super::download;
use super::{refusal_status, shown_on_page};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/exams", get(list))
        .route("/exams/new", get(new_form).post(create))
        .route("/exams/{id}", get(show))
        .route("/exams/{id}/edit", get(edit_form).post(update))
        .route("/exams/{id}/publish", post(publish))
        .route("/exams/{id}/status", post(set_status))
        .route("/exams/{id}/overrides", post(set_override))
        .route("/exams/{id}/offline", post(offline_text))
        .route("/exams/{id}/offline/upload", post(offline_upload))
        .route(
            "/exams/{id}/attempts/{attempt_id}/reopen",
            post(reopen_attempt),
        )
        .route(
            "/exams/{id}/attempts/{attempt_id}/close",
            post(close_attempt),
        )
        .route("/exams/{id}/results.csv", get(results_csv))
        .route("/exams/{id}/results.xlsx", get(results_xlsx))
        .route("/exams/{id}/analysis", get(analysis))
        .route("/exams/{id}/analysis.xlsx", get(analysis_xlsx))
        .route("/marking", get(marking_queue))
        .route("/marking/{attempt_id}/{position}", post(mark))
}

/// Session statuses, attempt statuses and modes as stored.
pub const SESSION_STATUSES: [&str; 3] = ["draft", "published", "cancelled"];
pub const ATTEMPT_STATUSES: [&str; 3] = ["open", "submitted", "graded"];
pub const CLOSED_BY: [&str; 4] = ["candidate", "deadline", "staff", "offline"];
pub const MODES: [&str; 2] = ["online", "offline"];

/// Every message key the exam pages build at run time (labels of stored values), for the
/// completeness test.
pub fn dynamic_keys() -> Vec<String> {
    let mut keys = Vec::new();
    for s in SESSION_STATUSES {
        keys.push(format!("exam-status-{s}"));
    }
    for s in ATTEMPT_STATUSES {
        keys.push(format!("exam-attempt-status-{s}"));
    }
    for s in CLOSED_BY {
        keys.push(format!("exam-closed-by-{s}"));
    }
    for m in MODES {
        keys.push(format!("exam-mode-{m}"));
    }
    for r in ReviewPolicy::ALL {
        keys.push(format!("exam-review-{}", r.key()));
    }
    for f in Flag::ALL {
        keys.push(format!("exam-flag-{}", f.key()));
        keys.push(format!("exam-flag-{}-help", f.key()));
    }
    for d in DONE {
        keys.push(format!("exam-done-{d}"));
    }
    for p in paper_problems() {
        keys.push(format!("exam-paper-problem-{}", p.code()));
    }
    for c in ERROR_CODES {
        keys.push(format!("error-{c}"));
    }
    keys
}

/// One of each reason a paper cannot be used (for the completeness test).
fn paper_problems() -> Vec<PaperError> {
    let all = vec![
        PaperError::Empty,
        PaperError::TooManyItems,
        PaperError::UnknownQuestion {
            part: 0,
            question_id: 0,
        },
        PaperError::DuplicateQuestion {
            part: 0,
            question_id: 0,
        },
        PaperError::EmptyRule { part: 0 },
        PaperError::NotEnoughQuestions {
            part: 0,
            needed: 0,
            available: 0,
        },
        PaperError::TotalMismatch { sum: 0, total: 0 },
    ];
    // Fails to compile when a reason is added, as a reminder to list it above.
    for p in &all {
        match p {
            PaperError::Empty
            | PaperError::TooManyItems
            | PaperError::UnknownQuestion { .. }
            | PaperError::DuplicateQuestion { .. }
            | PaperError::EmptyRule { .. }
            | PaperError::NotEnoughQuestions { .. }
            | PaperError::TotalMismatch { .. } => {}
        }
    }
    all
}

/// Why a draft's paper would not publish, in the reader's language.
pub fn paper_problem_text(lang: Lang, p: &PaperError) -> String {
    let (part, question, needed, available, sum, total) = match p {
        PaperError::UnknownQuestion { part, question_id }
        | PaperError::DuplicateQuestion { part, question_id } => {
            (part + 1, question_id.to_string(), 0, 0, 0, 0)
        }
        PaperError::EmptyRule { part } => (part + 1, String::new(), 0, 0, 0, 0),
        PaperError::NotEnoughQuestions {
            part,
            needed,
            available,
        } => (part + 1, String::new(), *needed, *available, 0, 0),
        PaperError::TotalMismatch { sum, total } => {
            (0, String::new(), 0, 0, *sum, u64::from(*total))
        }
        PaperError::Empty | PaperError::TooManyItems => (0, String::new(), 0, 0, 0, 0),
    };
    tf(
        lang,
        &format!("exam-paper-problem-{}", p.code()),
        &[
            ("part", &part.to_string()),
            ("question", &question),
            ("needed", &needed.to_string()),
            ("available", &available.to_string()),
            ("sum", &points(i64::try_from(sum).unwrap_or(i64::MAX))),
            ("total", &points(i64::try_from(total).unwrap_or(i64::MAX))),
        ],
    )
}

/// Flash messages after a finished action (`?done=…`).
const DONE: [&str; 10] = [
    "created",
    "saved",
    "published",
    "draft",
    "cancelled",
    "override",
    "offline",
    "reopened",
    "closed",
    "marked",
];

// ---------- formatting ----------

/// Hundredths as people read points: `85`, `85.5`, `85.25`.
pub fn points(h: i64) -> String {
    let sign = if h < 0 { "-" } else { "" };
    let h = h.unsigned_abs();
    let (int, frac) = (h / 100, h % 100);
    match frac {
        0 => format!("{sign}{int}"),
        _ if frac % 10 == 0 => format!("{sign}{int}.{}", frac / 10),
        _ => format!("{sign}{int}.{frac:02}"),
    }
}

/// Formatting helpers for the exam templates.
pub struct Fmt {
    pub lang: Lang,
}

impl Fmt {
    /// The label of a stored value: `prefix` + key, e.g. `exam-status-` + `draft`.
    pub fn label(&self, prefix: &str, key: &str) -> &'static str {
        t(self.lang, &format!("{prefix}{key}"))
    }

    pub fn pts(&self, h: &i32) -> String {
        points(i64::from(*h))
    }

    pub fn pts_u(&self, h: &u32) -> String {
        points(i64::from(*h))
    }

    pub fn opt_pts(&self, h: &Option<i32>) -> String {
        h.map(|h| points(i64::from(h)))
            .unwrap_or_else(|| "—".into())
    }

    /// A stored millisecond instant in China Standard Time.
    pub fn ms(&self, ms: &i64) -> String {
        local_time(from_ms(*ms))
    }

    pub fn opt_ms(&self, ms: &Option<i64>) -> String {
        ms.map(|m| local_time(from_ms(m)))
            .unwrap_or_else(|| "—".into())
    }

    pub fn when(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        local_time(*at)
    }

    /// A figure with three decimals; `None` as a dash.
    pub fn num(&self, v: &Option<f64>) -> String {
        v.map(|v| format!("{v:.3}")).unwrap_or_else(|| "—".into())
    }

    pub fn num2(&self, v: &f64) -> String {
        format!("{v:.2}")
    }

    pub fn share(&self, v: &f64) -> String {
        format!("{:.1}%", v * 100.0)
    }

    /// A list of names, with the separator of the language.
    pub fn join(&self, items: &[String]) -> String {
        match self.lang {
            Lang::ZhCn => items.join("、"),
            Lang::En => items.join(", "),
        }
    }

    pub fn yes_no(&self, v: &Option<bool>) -> &'static str {
        match v {
            Some(true) => t(self.lang, "exam-passed-yes"),
            Some(false) => t(self.lang, "exam-passed-no"),
            None => "—",
        }
    }
}

/// Error messages for a page that holds several forms: each names its field.
fn described(lang: Lang, e: &AppError) -> FormErrors {
    FormErrors(
        form_errors(lang, e)
            .into_iter()
            .map(|(field, msg)| {
                let key = format!("exam-field-{field}");
                if !field.is_empty() && has(lang, &key) {
                    let label = t(lang, &key);
                    (field, format!("{label}: {msg}"))
                } else {
                    (field, msg)
                }
            })
            .collect(),
    )
}

fn done_message(lang: Lang, done: Option<&str>, n: Option<&str>) -> Option<String> {
    let d = done?;
    DONE.contains(&d).then(|| {
        tf(
            lang,
            &format!("exam-done-{d}"),
            &[("n", n.unwrap_or_default())],
        )
    })
}

// ---------- list ----------

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub status: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl ListQuery {
    pub fn status(&self) -> Option<&str> {
        self.status
            .as_deref()
            .map(str::trim)
            .filter(|s| SESSION_STATUSES.contains(s))
    }

    pub fn page(&self) -> i64 {
        self.page
            .as_deref()
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or(1)
    }

    pub fn per_page(&self) -> i64 {
        self.per_page
            .as_deref()
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or(50)
    }
}

#[derive(Template)]
#[template(path = "exams/list.html")]
struct ListPage {
    ctx: Ctx,
    f: Fmt,
    page: Page<SessionRow>,
    pager: Pager,
    status: String,
    statuses: [&'static str; 3],
    can_manage: bool,
}

pub async fn list(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let status = q.status().map(str::to_string);
    let page = sessions::list(&state.app, &me, status.as_deref(), q.page(), q.per_page()).await?;
    let mut base = Vec::new();
    if let Some(s) = &status {
        base.push(format!("status={s}"));
    }
    if let Some(p) = q.per_page.as_deref().filter(|p| !p.is_empty()) {
        base.push(format!("per_page={}", urlencode(p)));
    }
    let pager = Pager {
        page: page.page,
        pages: page.pages(),
        total: page.total,
        base: format!("/exams?{}", base.join("&")),
    };
    render(&ListPage {
        ctx: Ctx::new(lang, Some(&me), "/exams"),
        f: Fmt { lang },
        page,
        pager,
        status: status.unwrap_or_default(),
        statuses: SESSION_STATUSES,
        can_manage: me.can(Permission::ExamManage),
    })
}

// ---------- the session form ----------

#[derive(Template)]
#[template(path = "exams/form.html")]
struct FormPage {
    ctx: Ctx,
    f: Fmt,
    /// `None` for a new session.
    id: Option<i64>,
    v: SessionInput,
    choices: SessionChoices,
    reviews: Vec<&'static str>,
    modes: [&'static str; 2],
    errors: FormErrors,
}

impl FormPage {
    fn paper_is(&self, id: &i64) -> bool {
        self.v.paper_id == Some(*id)
    }

    fn department_checked(&self, id: &i64) -> bool {
        self.v.departments.contains(id)
    }

    /// A typed time as a `datetime-local` value (`2026-11-24T09:00`).
    fn local_input(&self, raw: &str) -> String {
        raw.trim().replacen(' ', "T", 1)
    }
}

/// Builds the input from the posted pairs (`departments` repeats, one per checked box).
fn session_input(pairs: &[(String, String)]) -> SessionInput {
    let mut v = SessionInput::default();
    for (k, val) in pairs {
        match k.as_str() {
            "code" => v.code = val.clone(),
            "title" => v.title = val.clone(),
            "paper_id" => v.paper_id = val.trim().parse().ok(),
            "mode" => v.mode = val.clone(),
            "opens_at" => v.opens_at = val.clone(),
            "closes_at" => v.closes_at = val.clone(),
            "duration_minutes" => v.duration_minutes = val.clone(),
            "attempts_allowed" => v.attempts_allowed = val.clone(),
            "pass_mark" => v.pass_mark = val.clone(),
            "review" => v.review = val.clone(),
            "double_marking" => v.double_marking = matches!(val.as_str(), "on" | "true" | "1"),
            "divergence" => v.divergence = val.clone(),
            "audience" => v.audience = val.clone(),
            "departments" => {
                if let Ok(id) = val.trim().parse::<i64>()
                    && !v.departments.contains(&id)
                {
                    v.departments.push(id);
                }
            }
            "candidates" => v.candidates = val.clone(),
            _ => {}
        }
    }
    v
}

async fn form_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: Option<i64>,
    v: SessionInput,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, WebError> {
    let here = match id {
        Some(id) => format!("/exams/{id}/edit"),
        None => "/exams/new".to_string(),
    };
    let page = FormPage {
        ctx: Ctx::new(lang, Some(me), &here),
        f: Fmt { lang },
        choices: staff::choices(&state.app, me, v.paper_id).await?,
        id,
        v,
        reviews: ReviewPolicy::ALL.iter().map(|r| r.key()).collect(),
        modes: MODES,
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn new_form(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
) -> Result<Response, WebError> {
    me.require(Permission::ExamManage)?;
    // Tomorrow 09:00–17:00 in China Standard Time, one attempt of 60 minutes, pass at 60.
    let tomorrow = local_time(state.app.now() + chrono::Duration::days(1));
    let day = tomorrow.split(' ').next().unwrap_or_default().to_string();
    let v = SessionInput {
        mode: "online".into(),
        opens_at: format!("{day} 09:00"),
        closes_at: format!("{day} 17:00"),
        duration_minutes: "60".into(),
        attempts_allowed: "1".into(),
        pass_mark: "60".into(),
        review: ReviewPolicy::default().key().into(),
        divergence: "5".into(),
        audience: "departments".into(),
        ..SessionInput::default()
    };
    form_page(
        &state,
        lang,
        &me,
        None,
        v,
        FormErrors::none(),
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
    let input = session_input(&pairs);
    match sessions::create(&state.app, &me, &input).await {
        Ok(s) => Ok(Redirect::to(&format!("/exams/{}?done=created", s.row.id)).into_response()),
        Err(e) if shown_on_page(&e) => {
            let status = refusal_status(&e);
            let errors = FormErrors(form_errors(lang, &e));
            form_page(&state, lang, &me, None, input, errors, status).await
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
    me.require(Permission::ExamManage)?;
    let s = sessions::get(&state.app, &me, id).await?;
    let (errors, status) = if s.row.status == "draft" {
        (FormErrors::none(), StatusCode::OK)
    } else {
        // Shown, but saving is refused: say so up front.
        (
            FormErrors(vec![(
                String::new(),
                t(lang, "error-session-not-draft").to_string(),
            )]),
            StatusCode::OK,
        )
    };
    let v = SessionInput::from_view(&s);
    form_page(&state, lang, &me, Some(id), v, errors, status).await
}

pub async fn update(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let input = session_input(&pairs);
    match sessions::update(&state.app, &me, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/exams/{id}?done=saved")).into_response()),
        Err(e) if shown_on_page(&e) => {
            let status = refusal_status(&e);
            let errors = FormErrors(form_errors(lang, &e));
            form_page(&state, lang, &me, Some(id), input, errors, status).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- the session page ----------

/// The result list's query string on the session page.
#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    pub q: Option<String>,
    pub status: Option<String>,
    pub result: Option<String>,
    pub sort: Option<String>,
    pub dir: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
    pub done: Option<String>,
    pub n: Option<String>,
}

impl ShowQuery {
    pub fn to_query(&self) -> ResultQuery {
        ResultQuery {
            q: self.q.clone().filter(|s| !s.trim().is_empty()),
            status: self
                .status
                .clone()
                .filter(|s| ATTEMPT_STATUSES.contains(&s.trim())),
            passed: match self.result.as_deref().map(str::trim) {
                Some("passed") => Some(true),
                Some("failed") => Some(false),
                _ => None,
            },
            departments: None,
            sort: self
                .sort
                .as_deref()
                .and_then(ResultSort::parse)
                .unwrap_or_default(),
            dir: if self.dir.as_deref() == Some("desc") {
                Dir::Desc
            } else {
                Dir::Asc
            },
            page: self
                .page
                .as_deref()
                .and_then(|p| p.trim().parse().ok())
                .unwrap_or(1),
            per_page: self
                .per_page
                .as_deref()
                .and_then(|p| p.trim().parse().ok())
                .unwrap_or(50),
        }
    }

    fn base(&self, with_sort: bool) -> String {
        let mut parts = Vec::new();
        let mut add = |k: &str, v: &Option<String>| {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                parts.push(format!("{k}={}", urlencode(v)));
            }
        };
        add("q", &self.q);
        add("status", &self.status);
        add("result", &self.result);
        add("per_page", &self.per_page);
        if with_sort {
            add("sort", &self.sort);
            add("dir", &self.dir);
        }
        parts.join("&")
    }
}

/// The override form as typed.
#[derive(Debug, Default, Deserialize)]
pub struct OverrideForm {
    #[serde(default)]
    pub employee_no: String,
    #[serde(default)]
    pub extra_minutes: String,
    #[serde(default)]
    pub extra_attempts: String,
}

/// One problem of offline score lines, as shown.
pub struct ProblemLine {
    pub line: usize,
    pub message: String,
}

#[derive(Template)]
#[template(path = "exams/show.html")]
struct ShowPage {
    ctx: Ctx,
    f: Fmt,
    s: SessionView,
    cx: SessionContext,
    results: Page<ResultRow>,
    pager: Pager,
    rq: ShowQuery,
    columns: Vec<SortLink>,
    can_manage: bool,
    can_analyse: bool,
    errors: FormErrors,
    ov: OverrideForm,
    offline_text: String,
    offline_problems: Vec<ProblemLine>,
    attempt_statuses: [&'static str; 3],
}

impl ShowPage {
    fn is_draft(&self) -> bool {
        self.s.row.status == "draft"
    }

    fn is_published(&self) -> bool {
        self.s.row.status == "published"
    }

    fn is_offline(&self) -> bool {
        self.s.row.mode == "offline"
    }

    fn selected(&self, field: &Option<String>, value: &str) -> bool {
        field.as_deref() == Some(value)
    }

    fn paper_problem(&self, p: &PaperError) -> String {
        paper_problem_text(self.ctx.lang, p)
    }
}

/// What a refused action leaves on the session page.
#[derive(Default)]
struct Leftover {
    errors: Vec<(String, String)>,
    ov: OverrideForm,
    offline_text: String,
    offline_problems: Vec<ProblemLine>,
}

async fn show_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: i64,
    rq: ShowQuery,
    left: Leftover,
    status: StatusCode,
) -> Result<Response, WebError> {
    let s = sessions::get(&state.app, me, id).await?;
    let cx = staff::context(&state.app, me, &s).await?;
    let query = rq.to_query();
    let (sort, dir) = (query.sort, query.dir);
    let results = staff::results(&state.app, me, id, query).await?;
    let base = rq.base(false);
    let columns = SortLink::columns(
        &[
            ("employee_no", "exam-result-employee-no"),
            ("name", "exam-result-name"),
            ("status", "exam-result-status"),
            ("submitted", "exam-result-submitted"),
            ("score", "exam-result-score"),
        ],
        sort.key(),
        dir,
        |key, next_dir| format!("/exams/{id}?{base}&sort={key}&dir={next_dir}#results"),
    );
    let pager = Pager {
        page: results.page,
        pages: results.pages(),
        total: results.total,
        base: format!("/exams/{id}?{}", rq.base(true)),
    };
    let flash = done_message(lang, rq.done.as_deref(), rq.n.as_deref());
    let page = ShowPage {
        ctx: Ctx::new(lang, Some(me), &format!("/exams/{id}")).with_flash(flash),
        f: Fmt { lang },
        can_manage: me.can(Permission::ExamManage),
        // Analysis covers every candidate: only for viewers of all results.
        can_analyse: matches!(me.department_filter(Permission::ExamResults), Ok(None)),
        s,
        cx,
        results,
        pager,
        rq,
        columns,
        errors: FormErrors(left.errors),
        ov: left.ov,
        offline_text: left.offline_text,
        offline_problems: left.offline_problems,
        attempt_statuses: ATTEMPT_STATUSES,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    Query(rq): Query<ShowQuery>,
) -> Result<Response, WebError> {
    show_page(
        &state,
        lang,
        &me,
        id,
        rq,
        Leftover::default(),
        StatusCode::OK,
    )
    .await
}

/// Back to the session page after an action, or the page again with why it was refused.
async fn after_action<T>(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: i64,
    result: Result<T, AppError>,
    done: impl FnOnce(T) -> String,
    mut left: Leftover,
) -> Result<Response, WebError> {
    match result {
        Ok(v) => Ok(Redirect::to(&format!("/exams/{id}?done={}", done(v))).into_response()),
        Err(e) if shown_on_page(&e) => {
            let status = refusal_status(&e);
            left.errors.extend(described(lang, &e).0);
            show_page(state, lang, me, id, ShowQuery::default(), left, status).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn publish(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let result = sessions::publish(&state.app, &me, id).await;
    let mut left = Leftover::default();
    if let Err(AppError::Unprocessable(code)) = &result
        && code.starts_with("paper-")
    {
        // The paper does not add up with the bank as it is; the page lists why.
        left.errors
            .push((String::new(), t(lang, "exam-publish-refused").to_string()));
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return show_page(&state, lang, &me, id, ShowQuery::default(), left, status).await;
    }
    after_action(&state, lang, &me, id, result, |_| "published".into(), left).await
}

#[derive(Debug, Default, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    pub status: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(f): WebForm<StatusForm>,
) -> Result<Response, WebError> {
    let status = f.status.trim().to_string();
    let result = sessions::set_status(&state.app, &me, id, &status).await;
    after_action(
        &state,
        lang,
        &me,
        id,
        result,
        |v| v.row.status.clone(),
        Leftover::default(),
    )
    .await
}

/// Parses a whole number typed in a form; empty is 0.
fn form_int(raw: &str) -> Result<i32, FieldReason> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(0);
    }
    s.parse::<i32>().map_err(|_| FieldReason::BadNumber)
}

pub async fn set_override(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(f): WebForm<OverrideForm>,
) -> Result<Response, WebError> {
    me.require(Permission::ExamManage)?;
    let mut bad = Vec::new();
    let minutes = form_int(&f.extra_minutes).map_err(|r| bad.push(("extra_minutes", r)));
    let attempts = form_int(&f.extra_attempts).map_err(|r| bad.push(("extra_attempts", r)));
    let result = match (minutes, attempts) {
        (Ok(extra_minutes), Ok(extra_attempts)) => {
            let input = OverrideInput {
                employee_no: f.employee_no.trim().to_string(),
                extra_minutes,
                extra_attempts,
            };
            sessions::set_override(&state.app, &me, id, &input).await
        }
        _ => Err(AppError::Validation(
            bad.into_iter()
                .map(|(field, r)| skillcert_domain::org::FieldError::new(field, r))
                .collect(),
        )),
    };
    let left = Leftover {
        ov: f,
        ..Leftover::default()
    };
    after_action(&state, lang, &me, id, result, |_| "override".into(), left).await
}

#[derive(Debug, Default, Deserialize)]
pub struct OfflineForm {
    #[serde(default)]
    pub rows: String,
}

/// Checks the lines, then records them all or nothing.
async fn record_lines(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: i64,
    lines: Vec<OfflineLine>,
    text: String,
) -> Result<Response, WebError> {
    me.require(Permission::ExamManage)?;
    let problems = if lines.is_empty() {
        vec![ProblemLine {
            line: 0,
            message: t(lang, "exam-offline-nothing").to_string(),
        }]
    } else {
        problem_lines(lang, &staff::check_offline(&state.app, me, &lines).await?)
    };
    if !problems.is_empty() {
        let left = Leftover {
            errors: vec![(String::new(), t(lang, "exam-offline-refused").to_string())],
            offline_text: text,
            offline_problems: problems,
            ..Leftover::default()
        };
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return show_page(state, lang, me, id, ShowQuery::default(), left, status).await;
    }
    let rows: Vec<OfflineScore> = lines.into_iter().map(|l| l.row).collect();
    let result = sessions::record_offline(&state.app, me, id, &rows).await;
    let left = Leftover {
        offline_text: text,
        ..Leftover::default()
    };
    after_action(
        state,
        lang,
        me,
        id,
        result,
        |n| format!("offline&n={n}"),
        left,
    )
    .await
}

fn problem_lines(lang: Lang, problems: &[OfflineProblem]) -> Vec<ProblemLine> {
    problems
        .iter()
        .map(|p| {
            let field = t(lang, &format!("exam-field-{}", p.field));
            let message = field_message(lang, p.reason.code(), p.reason.limit());
            ProblemLine {
                line: p.line,
                message: if p.value.is_empty() {
                    format!("{field}: {message}")
                } else {
                    format!("{field} “{}”: {message}", p.value)
                },
            }
        })
        .collect()
}

pub async fn offline_text(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(f): WebForm<OfflineForm>,
) -> Result<Response, WebError> {
    let lines = staff::parse_offline_text(&f.rows);
    record_lines(&state, lang, &me, id, lines, f.rows).await
}

pub async fn offline_upload(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    me.require(Permission::ExamManage)?;
    let (name, bytes) = crate::upload::read(mp).await?.file.unwrap_or_default();
    match staff::parse_offline_file(&name, &bytes) {
        Ok(lines) => record_lines(&state, lang, &me, id, lines, String::new()).await,
        Err(code) => {
            let left = Leftover {
                errors: vec![(
                    String::new(),
                    tf(
                        lang,
                        &format!("import-issue-{code}"),
                        &[("detail", ""), ("limit", "")],
                    ),
                )],
                ..Leftover::default()
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            show_page(&state, lang, &me, id, ShowQuery::default(), left, status).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ReopenForm {
    #[serde(default)]
    pub minutes: String,
}

pub async fn reopen_attempt(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path((id, attempt_id)): Path<(i64, i64)>,
    WebForm(f): WebForm<ReopenForm>,
) -> Result<Response, WebError> {
    me.require(Permission::ExamManage)?;
    let result = match f.minutes.trim().parse::<i32>() {
        Ok(m) => sessions::reopen(&state.app, &me, attempt_id, m).await,
        Err(_) => Err(AppError::field("minutes", FieldReason::BadNumber)),
    };
    after_action(
        &state,
        lang,
        &me,
        id,
        result,
        |()| "reopened".into(),
        Leftover::default(),
    )
    .await
}

pub async fn close_attempt(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path((id, attempt_id)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let result = skillcert_app::exams::attempts::close_by_staff(&state.app, &me, attempt_id).await;
    after_action(
        &state,
        lang,
        &me,
        id,
        result,
        |_| "closed".into(),
        Leftover::default(),
    )
    .await
}

// ---------- exports ----------

fn result_headers(lang: Lang) -> Vec<&'static str> {
    [
        "exam-result-employee-no",
        "exam-result-name",
        "exam-result-attempt",
        "exam-result-status",
        "exam-result-closed-by",
        "exam-result-started",
        "exam-result-submitted",
        "exam-result-score",
        "exam-result-max",
        "exam-result-passed",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect()
}

pub async fn results_csv(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let s = sessions::get(&state.app, &me, id).await?;
    let rows = results::list(&state.app, &me, id).await?;
    let f = Fmt { lang };
    let text: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.employee_no.clone(),
                r.name.clone(),
                r.number.to_string(),
                f.label("exam-attempt-status-", &r.status).to_string(),
                r.closed_by
                    .as_deref()
                    .map(|c| f.label("exam-closed-by-", c).to_string())
                    .unwrap_or_default(),
                f.ms(&r.started_at_ms),
                r.submitted_at_ms.map(|m| f.ms(&m)).unwrap_or_default(),
                r.score.map(|h| points(i64::from(h))).unwrap_or_default(),
                points(i64::from(r.max_score)),
                r.passed
                    .map(|p| f.yes_no(&Some(p)).to_string())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let bytes = skillcert_reports::write_csv(&result_headers(lang), &text);
    Ok(download::attachment(
        bytes,
        "text/csv; charset=utf-8",
        &download::file_name(&s.row.code, "results.csv"),
    ))
}

pub async fn results_xlsx(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let s = sessions::get(&state.app, &me, id).await?;
    let rows = results::list(&state.app, &me, id).await?;
    let f = Fmt { lang };
    let text = |v: String| Cell::Text(v);
    let cells: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| {
            vec![
                text(r.employee_no.clone()),
                text(r.name.clone()),
                Cell::Number(f64::from(r.number)),
                text(f.label("exam-attempt-status-", &r.status).to_string()),
                r.closed_by
                    .as_deref()
                    .map(|c| text(f.label("exam-closed-by-", c).to_string()))
                    .unwrap_or(Cell::Empty),
                text(f.ms(&r.started_at_ms)),
                r.submitted_at_ms
                    .map(|m| text(f.ms(&m)))
                    .unwrap_or(Cell::Empty),
                r.score
                    .map(|h| Cell::Number(f64::from(h) / 100.0))
                    .unwrap_or(Cell::Empty),
                Cell::Number(f64::from(r.max_score) / 100.0),
                r.passed
                    .map(|p| text(f.yes_no(&Some(p)).to_string()))
                    .unwrap_or(Cell::Empty),
            ]
        })
        .collect();
    let bytes =
        skillcert_reports::write_xlsx(t(lang, "exam-results-sheet"), &result_headers(lang), &cells)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("results xlsx: {e}")))?;
    Ok(download::attachment(
        bytes,
        crate::api::org::XLSX_MIME,
        &download::file_name(&s.row.code, "results.xlsx"),
    ))
}

// ---------- item analysis ----------

/// One option's frequency as shown.
pub struct OptionLine {
    pub choice: String,
    pub count: usize,
    pub share: String,
}

/// One question's row.
pub struct ItemLine {
    pub code: String,
    pub question_id: Option<i64>,
    pub n: usize,
    pub max: String,
    pub facility: String,
    pub item_rest_r: String,
    pub discrimination: String,
    pub options: Vec<OptionLine>,
    pub flags: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "exams/analysis.html")]
struct AnalysisPage {
    ctx: Ctx,
    f: Fmt,
    s: SessionView,
    a: Option<Analysis>,
    items: Vec<ItemLine>,
    flags: Vec<&'static str>,
}

impl AnalysisPage {
    /// Whether candidates answered different questions (a paper drawn by rules): the
    /// test-level figures then count unseen questions as 0 and are only indicative.
    fn drawn_subsets(&self) -> bool {
        self.a
            .as_ref()
            .is_some_and(|a| a.items.iter().any(|i| i.n < a.candidates))
    }

    fn flag_help(&self, key: &str) -> &'static str {
        t(self.ctx.lang, &format!("exam-flag-{key}-help"))
    }
}

fn item_lines(sa: &SessionAnalysis) -> Vec<ItemLine> {
    let f = Fmt { lang: Lang::En };
    let Some(a) = &sa.analysis else {
        return Vec::new();
    };
    a.items
        .iter()
        .map(|i| ItemLine {
            code: i.question.clone(),
            question_id: sa.codes.get(&i.question).copied(),
            n: i.n,
            max: points((i.max * 100.0).round() as i64),
            facility: format!("{:.2}", i.facility),
            item_rest_r: f.num(&i.item_rest_r),
            discrimination: f.num(&i.discrimination),
            options: i
                .options
                .iter()
                .map(|o| OptionLine {
                    choice: o.choice.clone(),
                    count: o.count,
                    share: f.share(&o.share),
                })
                .collect(),
            flags: i.flags.iter().map(|f| f.key()).collect(),
        })
        .collect()
}

pub async fn analysis(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let s = sessions::get(&state.app, &me, id).await?;
    let sa = results::analysis(&state.app, &me, id).await?;
    let items = item_lines(&sa);
    render(&AnalysisPage {
        ctx: Ctx::new(lang, Some(&me), &format!("/exams/{id}/analysis")),
        f: Fmt { lang },
        s,
        a: sa.analysis,
        items,
        flags: Flag::ALL.iter().map(|f| f.key()).collect(),
    })
}

/// The workbook's labels, from the same messages as the page.
fn analysis_labels(lang: Lang) -> ItemAnalysisLabels {
    let l = |k: &str| t(lang, k).to_string();
    ItemAnalysisLabels {
        summary_sheet: l("exam-analysis-sheet-summary"),
        items_sheet: l("exam-analysis-sheet-items"),
        figure: l("exam-analysis-figure"),
        value: l("exam-analysis-value"),
        candidates: l("exam-analysis-candidates"),
        item_count: l("exam-analysis-item-count"),
        alpha: l("exam-analysis-alpha"),
        kr20: l("exam-analysis-kr20-row"),
        yes: l("exam-passed-yes"),
        no: l("exam-passed-no"),
        mean: l("exam-analysis-mean"),
        sd: l("exam-analysis-sd"),
        sem: l("exam-analysis-sem"),
        question: l("exam-analysis-question"),
        n: l("exam-analysis-n"),
        max: l("exam-analysis-max"),
        facility: l("exam-analysis-facility"),
        item_rest_r: l("exam-analysis-item-rest"),
        discrimination: l("exam-analysis-discrimination"),
        options: l("exam-analysis-options"),
        flags: l("exam-analysis-flags"),
        too_hard: l("exam-flag-too_hard"),
        too_easy: l("exam-flag-too_easy"),
        low_discrimination: l("exam-flag-low_discrimination"),
        negative_discrimination: l("exam-flag-negative_discrimination"),
        rare_option: l("exam-flag-rare_option"),
    }
}

pub async fn analysis_xlsx(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let s = sessions::get(&state.app, &me, id).await?;
    let sa = results::analysis(&state.app, &me, id).await?;
    let Some(a) = sa.analysis else {
        return Err(AppError::Conflict("nothing-graded").into());
    };
    let bytes =
        skillcert_reports::item_analysis::write_item_analysis_xlsx(&a, &analysis_labels(lang))
            .map_err(|e| AppError::Internal(anyhow::anyhow!("analysis xlsx: {e}")))?;
    Ok(download::attachment(
        bytes,
        crate::api::org::XLSX_MIME,
        &download::file_name(&s.row.code, "analysis.xlsx"),
    ))
}

// ---------- marking ----------

#[derive(Debug, Default, Deserialize)]
pub struct MarkingQuery {
    pub session: Option<String>,
    pub done: Option<String>,
    /// What the last mark did: `final`, `round2`, `round3`, `graded`.
    pub outcome: Option<String>,
}

impl MarkingQuery {
    fn session(&self) -> Option<i64> {
        self.session.as_deref().and_then(|s| s.trim().parse().ok())
    }
}

/// An earlier mark shown to the third marker.
pub struct EarlierMark {
    pub round: i32,
    pub marker: String,
    pub score: String,
    pub comment: String,
}

/// A task with what the page adds to it.
pub struct TaskView {
    pub task: MarkingTask,
    pub session: String,
    pub earlier: Vec<EarlierMark>,
    /// The values and errors of this task's form when a mark was refused.
    pub score: String,
    pub comment: String,
    pub errors: FormErrors,
}

#[derive(Template)]
#[template(path = "exams/marking.html")]
struct MarkingPage {
    ctx: Ctx,
    f: Fmt,
    tasks: Vec<TaskView>,
    sessions: Vec<MarkingSession>,
    session: Option<i64>,
    errors: Vec<String>,
}

impl MarkingPage {
    fn session_is(&self, id: &i64) -> bool {
        self.session == Some(*id)
    }

    fn session_param(&self) -> String {
        self.session.map(|s| s.to_string()).unwrap_or_default()
    }
}

/// The queue's page size.
const QUEUE_LIMIT: i64 = 20;

/// A refused mark: which task, what was typed, and why.
struct Refused {
    attempt_id: i64,
    position: i32,
    input: MarkInput,
    errors: FormErrors,
}

async fn marking_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    q: &MarkingQuery,
    refused: Option<Refused>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let session = q.session();
    let sessions = staff::marking_sessions(&state.app, me).await?;
    let tasks = marking::queue(&state.app, me, session, QUEUE_LIMIT).await?;
    let marker_ids: Vec<i64> = tasks
        .iter()
        .flat_map(|t| t.earlier.iter().map(|m| m.marker_user_id))
        .collect();
    let names = staff::marker_names(&state.app, me, &marker_ids).await?;
    let labels: HashMap<i64, String> = sessions
        .iter()
        .map(|s| (s.id, format!("{} {}", s.code, s.title)))
        .collect();
    let mut general = Vec::new();
    let mut refused = refused;
    let mut views: Vec<TaskView> = tasks
        .into_iter()
        .map(|task| {
            let mine =
                refused.take_if(|r| r.attempt_id == task.attempt_id && r.position == task.position);
            let (score, comment, errors) = match mine {
                Some(r) => (r.input.score, r.input.comment, r.errors),
                None => (String::new(), String::new(), FormErrors::none()),
            };
            TaskView {
                session: labels.get(&task.session_id).cloned().unwrap_or_default(),
                earlier: task
                    .earlier
                    .iter()
                    .map(|m| EarlierMark {
                        round: m.round,
                        marker: names
                            .get(&m.marker_user_id)
                            .cloned()
                            .unwrap_or_else(|| m.marker_user_id.to_string()),
                        score: points(i64::from(m.score)),
                        comment: m.comment.clone().unwrap_or_default(),
                    })
                    .collect(),
                task,
                score,
                comment,
                errors,
            }
        })
        .collect();
    // A refusal for a task no longer in the queue (marked meanwhile) is shown on top.
    if let Some(r) = refused {
        general.extend(r.errors.0.into_iter().map(|(_, m)| m));
    }
    views.sort_by_key(|v| v.errors.is_empty());
    let flash = match (q.done.as_deref(), q.outcome.as_deref()) {
        (Some("marked"), Some(o @ ("final" | "round2" | "round3" | "graded"))) => {
            Some(t(lang, &format!("exam-marked-{o}")).to_string())
        }
        (Some("marked"), _) => Some(t(lang, "exam-done-marked").to_string()),
        _ => None,
    };
    let here = match session {
        Some(s) => format!("/marking?session={s}"),
        None => "/marking".to_string(),
    };
    let page = MarkingPage {
        ctx: Ctx::new(lang, Some(me), &here).with_flash(flash),
        f: Fmt { lang },
        tasks: views,
        sessions,
        session,
        errors: general,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn marking_queue(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(q): Query<MarkingQuery>,
) -> Result<Response, WebError> {
    marking_page(&state, lang, &me, &q, None, StatusCode::OK).await
}

#[derive(Debug, Default, Deserialize)]
pub struct MarkForm {
    #[serde(default)]
    pub score: String,
    #[serde(default)]
    pub comment: String,
    /// The queue's session filter, kept across the mark.
    #[serde(default)]
    pub session: String,
}

pub async fn mark(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path((attempt_id, position)): Path<(i64, i32)>,
    WebForm(f): WebForm<MarkForm>,
) -> Result<Response, WebError> {
    let input = MarkInput {
        score: f.score.clone(),
        comment: f.comment.clone(),
    };
    let session = f.session.trim().parse::<i64>().ok();
    let keep = session.map(|s| format!("&session={s}")).unwrap_or_default();
    match marking::mark(&state.app, &me, attempt_id, position, &input).await {
        Ok(o) => {
            let outcome = match (o.attempt_score, o.final_score, o.needs_round) {
                (Some(_), _, _) => "graded",
                (_, Some(_), _) => "final",
                (_, _, Some(3)) => "round3",
                _ => "round2",
            };
            Ok(
                Redirect::to(&format!("/marking?done=marked&outcome={outcome}{keep}"))
                    .into_response(),
            )
        }
        Err(e) if shown_on_page(&e) => {
            let status = refusal_status(&e);
            let q = MarkingQuery {
                session: session.map(|s| s.to_string()),
                ..MarkingQuery::default()
            };
            let refused = Refused {
                attempt_id,
                position,
                input,
                errors: described(lang, &e),
            };
            marking_page(&state, lang, &me, &q, Some(refused), status).await
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_read_like_people_write_them() {
        assert_eq!(points(8500), "85");
        assert_eq!(points(8550), "85.5");
        assert_eq!(points(8525), "85.25");
        assert_eq!(points(5), "0.05");
        assert_eq!(points(0), "0");
    }

    #[test]
    fn session_form_pairs_collect_departments() {
        let pairs: Vec<(String, String)> = [
            ("code", "T-1"),
            ("departments", "3"),
            ("departments", "5"),
            ("departments", "3"),
            ("double_marking", "on"),
            ("paper_id", ""),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let v = session_input(&pairs);
        assert_eq!(v.code, "T-1");
        assert_eq!(v.departments, vec![3, 5]);
        assert!(v.double_marking);
        assert_eq!(v.paper_id, None);
    }
}
