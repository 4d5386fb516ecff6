//! Training plans and sessions (issue 7 items 3–4): annual plans with stages and topics, sessions with enrolment, the calendar, .ics export, the roster with attendance marking, the lecturer's check-in code and the employee's self check-in.
//!
//! Actions post a form and come back with a flash (`?done=…`); a refused action shows the
//! page again with the reason and the values typed. Cancelling a session asks on a page of
//! its own first (and with `data-confirm` when JavaScript runs).

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use serde::Deserialize;
use skillcert_app::store::training::{
    EnrolledRow, PlanQuery, PlanSummary, SessionQuery, SessionSummary,
};
use skillcert_app::training::attendance::{self, BulkInput, CodeScreen};
use skillcert_app::training::plans::{self, PlanDetail, PlanInput, StageInput};
use skillcert_app::training::sessions::{
    self, CST, EnrolInput, MySession, SessionDetail, SessionInput,
};
use skillcert_app::{Actor, AppError, Page};
use skillcert_domain::access::Permission;
use skillcert_domain::training::attendance::{CheckInOutcome, Mark};
use skillcert_reports::qr::QrMatrix;

use super::nonblank;
use super::{Ctx, FormErrors, Pager, WebForm, refusal_status, render, shown_on_page};
use crate::error::{WebError, form_errors, urlencode};
use crate::i18n::{Lang, t};
use crate::session::Me;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/training", get(overview))
        .route("/training/plans", get(plans_list))
        .route("/training/plans/new", get(plan_new).post(plan_create))
        .route("/training/plans/{id}", get(plan_show))
        .route(
            "/training/plans/{id}/edit",
            get(plan_edit).post(plan_update),
        )
        .route("/training/plans/{id}/status", post(plan_status))
        .route("/training/calendar", get(calendar))
        .route("/training-sessions", get(sessions_list))
        .route(
            "/training-sessions/new",
            get(session_new).post(session_create),
        )
        .route("/training-sessions/{id}", get(session_show))
        .route(
            "/training-sessions/{id}/edit",
            get(session_edit).post(session_update),
        )
        .route(
            "/training-sessions/{id}/cancel",
            get(cancel_confirm).post(cancel),
        )
        .route("/training-sessions/{id}/enrol", post(enrol))
        .route("/training-sessions/{id}/unenrol", post(unenrol))
        .route("/training-sessions/{id}/attendance", post(mark_attendance))
        .route("/training-sessions/{id}/code", get(code_page))
        .route("/training-sessions/{id}/ics", get(ics))
        .route("/my-training", get(my_training))
        .route("/check-in", get(check_in_page).post(check_in))
}

/// Flash messages after a finished action (`?done=…`).
const DONE: [&str; 14] = [
    "plan-created",
    "plan-saved",
    "plan-status",
    "session-created",
    "session-saved",
    "session-cancelled",
    "enrolled",
    "unenrolled",
    "marked",
    "checked-in-present",
    "checked-in-late",
    "already-checked-in",
    "lecturer-mark-kept",
    "none",
];
/// Fields of the plan form that show their own errors.
const PLAN_FIELDS: [&str; 4] = ["code", "year", "title", "stages"];
/// Fields of the session form that show their own errors.
const SESSION_FIELDS: [&str; 20] = [
    "plan_id",
    "code",
    "topic",
    "level",
    "skills",
    "goal",
    "starts_at",
    "ends_at",
    "minutes",
    "place",
    "online_link",
    "lecturer",
    "lecturer_external",
    "target_group",
    "outline",
    "materials",
    "assessment_method",
    "capacity",
    "open_lead_minutes",
    "late_after_minutes",
];

/// Every message key these pages build at run time, for the completeness test.
pub fn dynamic_keys() -> Vec<String> {
    let mut keys = Vec::new();
    for s in plans::STATUSES {
        keys.push(format!("trs-plan-status-{s}"));
        keys.push(format!("trs-plan-to-{s}"));
    }
    for l in sessions::LEVELS {
        keys.push(format!("trs-level-{l}"));
    }
    for s in ["planned", "cancelled"] {
        keys.push(format!("trs-status-{s}"));
    }
    for m in Mark::ALL {
        keys.push(format!("trs-mark-{}", m.key()));
    }
    for d in DONE {
        keys.push(format!("trs-done-{d}"));
    }
    for f in PLAN_FIELDS.iter().chain(SESSION_FIELDS.iter()) {
        keys.push(format!("trs-field-{f}"));
    }
    for v in ["person", "department", "position", "retake", "onboarding"] {
        keys.push(format!("trs-via-{v}"));
    }
    for w in WEEKDAYS {
        keys.push(format!("trs-weekday-{w}"));
    }
    keys
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn page_no(raw: &Option<String>) -> i64 {
    raw.as_deref()
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or(1)
        .max(1)
}

fn done_message(lang: Lang, done: Option<&str>) -> Option<String> {
    let d = done?;
    DONE.contains(&d)
        .then(|| t(lang, &format!("trs-done-{d}")).to_string())
}

/// Error messages for a page with several forms: each names its field.
fn described(lang: Lang, e: &AppError) -> Vec<(String, String)> {
    form_errors(lang, e)
        .into_iter()
        .map(|(field, msg)| {
            let base = field.split(['.', '[']).next().unwrap_or("").to_string();
            if PLAN_FIELDS.contains(&base.as_str()) || SESSION_FIELDS.contains(&base.as_str()) {
                let label = t(lang, &format!("trs-field-{base}"));
                (field, format!("{label}: {msg}"))
            } else {
                (field, msg)
            }
        })
        .collect()
}

fn level_label(lang: Lang, level: &str) -> &'static str {
    t(lang, &format!("trs-level-{level}"))
}

fn mark_label(lang: Lang, mark: Option<&str>) -> &'static str {
    match mark {
        Some(m) if Mark::parse(m).is_some() => t(lang, &format!("trs-mark-{m}")),
        _ => t(lang, "trs-mark-none"),
    }
}

fn local(at: chrono::DateTime<Utc>) -> String {
    sessions::local_text(at)
}

fn local_span(a: chrono::DateTime<Utc>, b: chrono::DateTime<Utc>) -> String {
    if (a + CST).date_naive() == (b + CST).date_naive() {
        format!("{}–{}", local(a), (b + CST).format("%H:%M"))
    } else {
        format!("{} – {}", local(a), local(b))
    }
}

/// A session line of a list, the overview or a plan.
pub struct SessionLine {
    pub s: SessionSummary,
    pub when: String,
    pub level: &'static str,
    pub status: &'static str,
    pub lecturer: String,
    pub places: String,
}

fn session_line(lang: Lang, s: SessionSummary, lecturers: &BTreeMap<i64, String>) -> SessionLine {
    SessionLine {
        when: local_span(s.starts_at, s.ends_at),
        level: level_label(lang, &s.level),
        status: t(lang, &format!("trs-status-{}", s.status)),
        lecturer: match s.lecturer_user_id {
            Some(id) => lecturers.get(&id).cloned().unwrap_or_default(),
            None => s.lecturer_external.clone(),
        },
        places: match s.capacity {
            Some(c) => format!("{} / {c}", s.enrolled),
            None => s.enrolled.to_string(),
        },
        s,
    }
}

/// Display names of every user, for lecturer columns.
async fn user_names(state: &AppState) -> Result<BTreeMap<i64, String>, WebError> {
    let mut r = state.app.db.read().await.map_err(AppError::from)?;
    Ok(skillcert_app::store::users::list_users(&mut r.conn())
        .await
        .map_err(AppError::from)?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect())
}

// ---------- overview ----------

pub struct PlanLine {
    pub p: PlanSummary,
    pub status: &'static str,
}

fn plan_line(lang: Lang, p: PlanSummary) -> PlanLine {
    PlanLine {
        status: t(lang, &format!("trs-plan-status-{}", p.status)),
        p,
    }
}

#[derive(Template)]
#[template(path = "training_sessions/overview.html")]
struct OverviewPage {
    ctx: Ctx,
    year: i32,
    plans: Vec<PlanLine>,
    upcoming: Vec<SessionLine>,
    month: String,
    can_manage: bool,
}

async fn overview(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
) -> Result<Response, WebError> {
    let year = sessions::this_year(&state.app);
    let plans = plans::list(
        &state.app,
        &me,
        &PlanQuery {
            year: Some(year),
            page: 1,
            per_page: 50,
            ..PlanQuery::default()
        },
    )
    .await?;
    let upcoming = sessions::list(
        &state.app,
        &me,
        &SessionQuery {
            from: Some(state.app.now() - Duration::hours(12)),
            page: 1,
            per_page: 10,
            ..SessionQuery::default()
        },
    )
    .await?;
    let names = user_names(&state).await?;
    render(&OverviewPage {
        ctx: Ctx::new(lang, Some(&me), "/training"),
        year,
        plans: plans
            .items
            .into_iter()
            .map(|p| plan_line(lang, p))
            .collect(),
        upcoming: upcoming
            .items
            .into_iter()
            .map(|s| session_line(lang, s, &names))
            .collect(),
        month: (state.app.now() + CST).format("%Y-%m").to_string(),
        can_manage: me.can(Permission::TrainingManage),
    })
}

// ---------- plans ----------

#[derive(Debug, Default, Deserialize)]
pub struct PlanListQuery {
    pub q: Option<String>,
    pub year: Option<String>,
    pub status: Option<String>,
    pub page: Option<String>,
    pub done: Option<String>,
}

#[derive(Template)]
#[template(path = "training_sessions/plans.html")]
struct PlansPage {
    ctx: Ctx,
    rows: Vec<PlanLine>,
    pager: Pager,
    q: String,
    year: String,
    status: String,
    statuses: Vec<(&'static str, &'static str)>,
    filtered: bool,
    can_manage: bool,
}

async fn plans_list(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(lq): Query<PlanListQuery>,
) -> Result<Response, WebError> {
    let search = nonblank(&lq.q);
    let year = nonblank(&lq.year).and_then(|y| y.parse::<i32>().ok());
    let status = nonblank(&lq.status).filter(|s| plans::STATUSES.contains(&s.as_str()));
    let page: Page<PlanSummary> = plans::list(
        &state.app,
        &me,
        &PlanQuery {
            year,
            search: search.clone(),
            status: status.clone(),
            page: page_no(&lq.page),
            per_page: 50,
        },
    )
    .await?;
    let mut base = Vec::new();
    if let Some(s) = &search {
        base.push(format!("q={}", urlencode(s)));
    }
    if let Some(y) = year {
        base.push(format!("year={y}"));
    }
    if let Some(s) = &status {
        base.push(format!("status={s}"));
    }
    let pager = Pager {
        page: page.page,
        pages: page.pages(),
        total: page.total,
        base: format!("/training/plans?{}", base.join("&")),
    };
    render(&PlansPage {
        ctx: Ctx::new(lang, Some(&me), "/training/plans")
            .with_flash(done_message(lang, lq.done.as_deref())),
        rows: page.items.into_iter().map(|p| plan_line(lang, p)).collect(),
        pager,
        filtered: search.is_some() || year.is_some() || status.is_some(),
        q: search.unwrap_or_default(),
        year: year.map(|y| y.to_string()).unwrap_or_default(),
        status: status.unwrap_or_default(),
        statuses: plans::STATUSES
            .iter()
            .map(|s| (*s, t(lang, &format!("trs-plan-status-{s}"))))
            .collect(),
        can_manage: me.can(Permission::TrainingManage),
    })
}

#[derive(Template)]
#[template(path = "training_sessions/plan_form.html")]
struct PlanFormPage {
    ctx: Ctx,
    id: Option<i64>,
    v: PlanInput,
    errors: FormErrors,
    general: Vec<String>,
}

fn plan_form(
    lang: Lang,
    me: &Actor,
    id: Option<i64>,
    mut v: PlanInput,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, WebError> {
    // Always a few empty rows to add stages without JavaScript.
    let blank = v
        .stages
        .iter()
        .filter(|s| s.name.trim().is_empty() && s.starts_on.trim().is_empty())
        .count();
    for _ in blank..3 {
        v.stages.push(StageInput::default());
    }
    let here = match id {
        Some(id) => format!("/training/plans/{id}/edit"),
        None => "/training/plans/new".to_string(),
    };
    let general = errors
        .0
        .iter()
        .filter(|(f, _)| {
            let base = f.split(['.', '[']).next().unwrap_or("");
            !PLAN_FIELDS.contains(&base)
        })
        .map(|(_, m)| m.clone())
        .collect();
    let page = PlanFormPage {
        ctx: Ctx::new(lang, Some(me), &here),
        id,
        v,
        errors,
        general,
    };
    Ok((status, render(&page)?).into_response())
}

/// Reads the plan form: repeated `stage_name`, `stage_starts`, `stage_ends`.
fn plan_input(pairs: &[(String, String)]) -> PlanInput {
    let mut v = PlanInput::default();
    let (mut names, mut starts, mut ends) = (Vec::new(), Vec::new(), Vec::new());
    for (k, val) in pairs {
        match k.as_str() {
            "code" => v.code = val.clone(),
            "year" => v.year = val.clone(),
            "title" => v.title = val.clone(),
            "source_survey_id" => v.source_survey_id = val.trim().parse().ok(),
            "stage_name" => names.push(val.clone()),
            "stage_starts" => starts.push(val.clone()),
            "stage_ends" => ends.push(val.clone()),
            _ => {}
        }
    }
    v.stages = names
        .into_iter()
        .enumerate()
        .map(|(i, name)| StageInput {
            name,
            starts_on: starts.get(i).cloned().unwrap_or_default(),
            ends_on: ends.get(i).cloned().unwrap_or_default(),
        })
        .collect();
    v
}

fn plan_errors(lang: Lang, e: &AppError) -> FormErrors {
    FormErrors(
        form_errors(lang, e)
            .into_iter()
            .map(|(f, m)| {
                let base = f.split(['.', '[']).next().unwrap_or("").to_string();
                (
                    if PLAN_FIELDS.contains(&base.as_str()) {
                        base
                    } else {
                        f
                    },
                    m,
                )
            })
            .collect(),
    )
}

async fn plan_new(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
) -> Result<Response, WebError> {
    me.require(Permission::TrainingManage)?;
    let v = PlanInput {
        year: sessions::this_year(&state.app).to_string(),
        ..PlanInput::default()
    };
    plan_form(lang, &me, None, v, FormErrors::none(), StatusCode::OK)
}

async fn plan_create(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = plan_input(&pairs);
    match plans::create(&state.app, &me, &v).await {
        Ok(row) => Ok(
            Redirect::to(&format!("/training/plans/{}?done=plan-created", row.id)).into_response(),
        ),
        Err(e) if shown_on_page(&e) => plan_form(
            lang,
            &me,
            None,
            v,
            plan_errors(lang, &e),
            refusal_status(&e),
        ),
        Err(e) => Err(e.into()),
    }
}

async fn plan_edit(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    me.require(Permission::TrainingManage)?;
    let d = plans::get(&state.app, &me, id).await?;
    let v = PlanInput {
        code: d.plan.code.clone(),
        year: d.plan.year.to_string(),
        title: d.plan.title.clone(),
        stages: d
            .stages
            .iter()
            .map(|s| StageInput {
                name: s.name.clone(),
                starts_on: s.starts_on.to_string(),
                ends_on: s.ends_on.to_string(),
            })
            .collect(),
        source_survey_id: d.plan.source_survey_id,
    };
    plan_form(lang, &me, Some(id), v, FormErrors::none(), StatusCode::OK)
}

async fn plan_update(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = plan_input(&pairs);
    match plans::update(&state.app, &me, id, &v).await {
        Ok(_) => Ok(Redirect::to(&format!("/training/plans/{id}?done=plan-saved")).into_response()),
        Err(e) if shown_on_page(&e) => plan_form(
            lang,
            &me,
            Some(id),
            v,
            plan_errors(lang, &e),
            refusal_status(&e),
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    pub done: Option<String>,
    pub plan: Option<String>,
}

#[derive(Template)]
#[template(path = "training_sessions/plan_show.html")]
struct PlanShowPage {
    ctx: Ctx,
    d: PlanDetail,
    status: &'static str,
    topics: Vec<SessionLine>,
    next: Vec<(&'static str, &'static str)>,
    errors: Vec<(String, String)>,
}

async fn plan_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: i64,
    flash: Option<String>,
    errors: Vec<(String, String)>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let mut d = plans::get(&state.app, me, id).await?;
    let names = user_names(state).await?;
    let topics = std::mem::take(&mut d.topics)
        .into_iter()
        .map(|s| session_line(lang, s, &names))
        .collect();
    let page = PlanShowPage {
        ctx: Ctx::new(lang, Some(me), &format!("/training/plans/{id}")).with_flash(flash),
        status: t(lang, &format!("trs-plan-status-{}", d.plan.status)),
        next: d
            .next_statuses
            .iter()
            .map(|s| (*s, t(lang, &format!("trs-plan-to-{s}"))))
            .collect(),
        topics,
        d,
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

async fn plan_show(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let flash = done_message(lang, q.done.as_deref());
    plan_page(&state, lang, &me, id, flash, Vec::new(), StatusCode::OK).await
}

#[derive(Debug, Default, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    pub status: String,
}

async fn plan_status(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(f): WebForm<StatusForm>,
) -> Result<Response, WebError> {
    match plans::set_status(&state.app, &me, id, &f.status).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/training/plans/{id}?done=plan-status")).into_response())
        }
        Err(e) if shown_on_page(&e) => {
            let errors = described(lang, &e);
            plan_page(&state, lang, &me, id, None, errors, refusal_status(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- calendar ----------

#[derive(Debug, Default, Deserialize)]
pub struct MonthQuery {
    pub month: Option<String>,
}

pub struct CalendarEntry {
    pub id: i64,
    pub code: String,
    pub topic: String,
    pub time: String,
    pub cancelled: bool,
}

pub struct DayCell {
    pub day: u32,
    pub today: bool,
    pub entries: Vec<CalendarEntry>,
}

#[derive(Template)]
#[template(path = "training_sessions/calendar.html")]
struct CalendarPage {
    ctx: Ctx,
    title: String,
    weeks: Vec<Vec<Option<DayCell>>>,
    prev: String,
    next: String,
    weekdays: Vec<&'static str>,
    count: usize,
    error: Option<String>,
}

async fn calendar(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(q): Query<MonthQuery>,
) -> Result<Response, WebError> {
    me.require(Permission::TrainingRead)?;
    let today = state.app.today();
    let asked = nonblank(&q.month);
    let parsed = asked.as_deref().and_then(sessions::parse_month);
    let error = (asked.is_some() && parsed.is_none())
        .then(|| t(lang, "problem-calendar-month").to_string());
    let (year, month) = parsed.unwrap_or((today.year(), today.month()));
    let list = sessions::calendar(&state.app, &me, year, month).await?;
    let count = list.len();
    let first = NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(today);
    let next_first = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .unwrap_or(first);
    let prev_first = (first - Duration::days(1)).with_day(1).unwrap_or(first);
    let days = (next_first - first).num_days();
    let mut by_day: BTreeMap<u32, Vec<CalendarEntry>> = BTreeMap::new();
    for s in list {
        let day = (s.starts_at + CST).day();
        by_day.entry(day).or_default().push(CalendarEntry {
            id: s.id,
            time: format!(
                "{}–{}",
                (s.starts_at + CST).format("%H:%M"),
                (s.ends_at + CST).format("%H:%M")
            ),
            cancelled: s.status == "cancelled",
            code: s.code,
            topic: s.topic,
        });
    }
    let lead = first.weekday().num_days_from_monday() as usize;
    let mut cells: Vec<Option<DayCell>> = (0..lead).map(|_| None).collect();
    for d in 1..=u32::try_from(days).unwrap_or(28) {
        cells.push(Some(DayCell {
            day: d,
            today: NaiveDate::from_ymd_opt(year, month, d) == Some(today),
            entries: by_day.remove(&d).unwrap_or_default(),
        }));
    }
    while !cells.len().is_multiple_of(7) {
        cells.push(None);
    }
    let mut weeks = Vec::new();
    let mut it = cells.into_iter().peekable();
    while it.peek().is_some() {
        weeks.push(it.by_ref().take(7).collect());
    }
    let page = CalendarPage {
        ctx: Ctx::new(
            lang,
            Some(&me),
            &format!("/training/calendar?month={year:04}-{month:02}"),
        ),
        title: format!("{year:04}-{month:02}"),
        weeks,
        prev: prev_first.format("%Y-%m").to_string(),
        next: next_first.format("%Y-%m").to_string(),
        weekdays: WEEKDAYS
            .iter()
            .map(|w| t(lang, &format!("trs-weekday-{w}")))
            .collect(),
        count,
        error,
    };
    let status = if page.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(&page)?).into_response())
}

// ---------- sessions ----------

#[derive(Debug, Default, Deserialize)]
pub struct SessionListQuery {
    pub q: Option<String>,
    pub plan: Option<String>,
    /// `upcoming`, `past` or all.
    pub when: Option<String>,
    /// `1`: only the sessions I lecture.
    pub mine: Option<String>,
    pub page: Option<String>,
    pub done: Option<String>,
}

#[derive(Template)]
#[template(path = "training_sessions/list.html")]
struct SessionsPage {
    ctx: Ctx,
    rows: Vec<SessionLine>,
    pager: Pager,
    q: String,
    plan: String,
    when: String,
    mine: bool,
    plans: Vec<(i64, String)>,
    filtered: bool,
    can_manage: bool,
}

async fn plan_choices(state: &AppState, me: &Actor) -> Result<Vec<(i64, String)>, WebError> {
    Ok(plans::list(
        &state.app,
        me,
        &PlanQuery {
            page: 1,
            per_page: 200,
            ..PlanQuery::default()
        },
    )
    .await?
    .items
    .into_iter()
    .map(|p| (p.id, format!("{} {}", p.code, p.title)))
    .collect())
}

async fn sessions_list(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(lq): Query<SessionListQuery>,
) -> Result<Response, WebError> {
    let search = nonblank(&lq.q);
    let plan = nonblank(&lq.plan).and_then(|p| p.parse::<i64>().ok());
    let when = nonblank(&lq.when).filter(|w| matches!(w.as_str(), "upcoming" | "past"));
    let mine = lq.mine.as_deref() == Some("1");
    let now = state.app.now();
    let q = SessionQuery {
        from: (when.as_deref() == Some("upcoming")).then(|| now - Duration::hours(12)),
        to: (when.as_deref() == Some("past")).then_some(now),
        plan_id: plan,
        search: search.clone(),
        lecturer_user_id: mine.then_some(me.user_id),
        page: page_no(&lq.page),
        per_page: 50,
    };
    let page = sessions::list(&state.app, &me, &q).await?;
    let mut base = Vec::new();
    if let Some(s) = &search {
        base.push(format!("q={}", urlencode(s)));
    }
    if let Some(p) = plan {
        base.push(format!("plan={p}"));
    }
    if let Some(w) = &when {
        base.push(format!("when={w}"));
    }
    if mine {
        base.push("mine=1".into());
    }
    let pager = Pager {
        page: page.page,
        pages: page.pages(),
        total: page.total,
        base: format!("/training-sessions?{}", base.join("&")),
    };
    let names = user_names(&state).await?;
    render(&SessionsPage {
        ctx: Ctx::new(lang, Some(&me), "/training-sessions")
            .with_flash(done_message(lang, lq.done.as_deref())),
        rows: page
            .items
            .into_iter()
            .map(|s| session_line(lang, s, &names))
            .collect(),
        pager,
        filtered: search.is_some() || plan.is_some() || when.is_some() || mine,
        q: search.unwrap_or_default(),
        plan: plan.map(|p| p.to_string()).unwrap_or_default(),
        when: when.unwrap_or_default(),
        mine,
        plans: plan_choices(&state, &me).await?,
        can_manage: me.can(Permission::TrainingManage),
    })
}

#[derive(Template)]
#[template(path = "training_sessions/form.html")]
struct SessionFormPage {
    ctx: Ctx,
    id: Option<i64>,
    v: SessionInput,
    plans: Vec<(i64, String)>,
    plan_id: String,
    levels: Vec<(&'static str, &'static str)>,
    lecturers: Vec<(String, String)>,
    errors: FormErrors,
    general: Vec<String>,
}

/// Users who may lecture (a lecturer or training manager grant), for the suggestions.
async fn lecturer_choices(state: &AppState) -> Result<Vec<(String, String)>, WebError> {
    let mut r = state.app.db.read().await.map_err(AppError::from)?;
    let c = &mut r.conn();
    let grants = skillcert_app::store::users::all_grants(c)
        .await
        .map_err(AppError::from)?;
    let teachers: Vec<i64> = grants
        .iter()
        .filter(|g| matches!(g.role.as_str(), "lecturer" | "training_manager" | "admin"))
        .map(|g| g.user_id)
        .collect();
    Ok(skillcert_app::store::users::list_users(c)
        .await
        .map_err(AppError::from)?
        .into_iter()
        .filter(|u| u.active && teachers.contains(&u.id))
        .map(|u| (u.username, u.display_name))
        .collect())
}

#[allow(clippy::too_many_arguments)]
async fn session_form(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: Option<i64>,
    v: SessionInput,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, WebError> {
    let here = match id {
        Some(id) => format!("/training-sessions/{id}/edit"),
        None => "/training-sessions/new".to_string(),
    };
    let general = errors
        .0
        .iter()
        .filter(|(f, _)| !SESSION_FIELDS.contains(&f.as_str()))
        .map(|(_, m)| m.clone())
        .collect();
    let page = SessionFormPage {
        ctx: Ctx::new(lang, Some(me), &here),
        id,
        plans: plan_choices(state, me).await?,
        plan_id: v.plan_id.map(|p| p.to_string()).unwrap_or_default(),
        levels: sessions::LEVELS
            .iter()
            .map(|l| (*l, level_label(lang, l)))
            .collect(),
        lecturers: lecturer_choices(state).await?,
        v,
        errors,
        general,
    };
    Ok((status, render(&page)?).into_response())
}

async fn session_new(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    me.require(Permission::TrainingManage)?;
    let plan = nonblank(&q.plan).and_then(|p| p.parse::<i64>().ok());
    let v = SessionInput::defaults(plan);
    session_form(
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

async fn session_create(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    WebForm(v): WebForm<SessionInput>,
) -> Result<Response, WebError> {
    match sessions::create(&state.app, &me, &v).await {
        Ok(row) => Ok(Redirect::to(&format!(
            "/training-sessions/{}?done=session-created",
            row.id
        ))
        .into_response()),
        Err(e) if shown_on_page(&e) => {
            let errors = FormErrors(form_errors(lang, &e));
            session_form(&state, lang, &me, None, v, errors, refusal_status(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn session_edit(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    me.require(Permission::TrainingManage)?;
    let d = sessions::get(&state.app, &me, id).await?;
    let v = SessionInput::of(&d.session, d.lecturer.username.as_deref());
    session_form(
        &state,
        lang,
        &me,
        Some(id),
        v,
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

async fn session_update(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(v): WebForm<SessionInput>,
) -> Result<Response, WebError> {
    match sessions::update(&state.app, &me, id, &v).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/training-sessions/{id}?done=session-saved")).into_response(),
        ),
        Err(e) if shown_on_page(&e) => {
            let errors = FormErrors(form_errors(lang, &e));
            session_form(&state, lang, &me, Some(id), v, errors, refusal_status(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub struct RosterRow {
    pub r: EnrolledRow,
    pub mark: &'static str,
    pub self_check_in: bool,
    pub via: &'static str,
}

#[derive(Template)]
#[template(path = "training_sessions/show.html")]
struct SessionShowPage {
    ctx: Ctx,
    d: SessionDetail,
    when: String,
    level: &'static str,
    status: &'static str,
    roster: Vec<RosterRow>,
    marks: Vec<(&'static str, &'static str)>,
    departments: Vec<(i64, String)>,
    positions: Vec<(i64, String)>,
    can_enrol: bool,
    can_mark: bool,
    errors: Vec<(String, String)>,
    enrol: EnrolInput,
}

#[allow(clippy::too_many_arguments)]
async fn session_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: i64,
    flash: Option<String>,
    errors: Vec<(String, String)>,
    enrol: EnrolInput,
    status: StatusCode,
) -> Result<Response, WebError> {
    let d = sessions::get(&state.app, me, id).await?;
    let (departments, positions) = if d.may_manage {
        let mut r = state.app.db.read().await.map_err(AppError::from)?;
        let c = &mut r.conn();
        (
            skillcert_app::store::org::list_departments(c)
                .await
                .map_err(AppError::from)?
                .into_iter()
                .map(|x| (x.id, format!("{} {}", x.code, x.name)))
                .collect(),
            skillcert_app::store::org::list_positions(c)
                .await
                .map_err(AppError::from)?
                .into_iter()
                .map(|x| (x.id, format!("{} {}", x.code, x.name)))
                .collect(),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let planned = d.session.status == "planned";
    let page = SessionShowPage {
        ctx: Ctx::new(lang, Some(me), &format!("/training-sessions/{id}")).with_flash(flash),
        when: local_span(d.session.starts_at, d.session.ends_at),
        level: level_label(lang, &d.session.level),
        status: t(lang, &format!("trs-status-{}", d.session.status)),
        roster: d
            .roster
            .iter()
            .map(|r| RosterRow {
                mark: mark_label(lang, r.mark.as_deref()),
                self_check_in: r.mark_source.as_deref() == Some("self_check_in"),
                via: t(lang, &format!("trs-via-{}", r.via)),
                r: r.clone(),
            })
            .collect(),
        marks: Mark::ALL
            .iter()
            .map(|m| (m.key(), t(lang, &format!("trs-mark-{}", m.key()))))
            .collect(),
        departments,
        positions,
        can_enrol: d.may_manage && planned && !d.ended,
        can_mark: d.may_teach && planned,
        d,
        errors,
        enrol,
    };
    Ok((status, render(&page)?).into_response())
}

async fn session_show(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let flash = done_message(lang, q.done.as_deref());
    session_page(
        &state,
        lang,
        &me,
        id,
        flash,
        Vec::new(),
        EnrolInput::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Template)]
#[template(path = "training_sessions/cancel.html")]
struct CancelPage {
    ctx: Ctx,
    d: SessionDetail,
    when: String,
}

async fn cancel_confirm(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    me.require(Permission::TrainingManage)?;
    let d = sessions::get(&state.app, &me, id).await?;
    render(&CancelPage {
        ctx: Ctx::new(lang, Some(&me), &format!("/training-sessions/{id}/cancel")),
        when: local_span(d.session.starts_at, d.session.ends_at),
        d,
    })
}

async fn cancel(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    match sessions::cancel(&state.app, &me, id).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/training-sessions/{id}?done=session-cancelled"))
                .into_response(),
        ),
        Err(e) if shown_on_page(&e) => {
            let errors = described(lang, &e);
            let status = refusal_status(&e);
            session_page(
                &state,
                lang,
                &me,
                id,
                None,
                errors,
                EnrolInput::default(),
                status,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn enrol(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(v): WebForm<EnrolInput>,
) -> Result<Response, WebError> {
    match sessions::enrol(&state.app, &me, id, &v).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/training-sessions/{id}?done=enrolled#roster")).into_response(),
        ),
        Err(e) if shown_on_page(&e) => {
            let errors = described(lang, &e);
            let status = refusal_status(&e);
            session_page(&state, lang, &me, id, None, errors, v, status).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct EmployeeForm {
    #[serde(default)]
    pub employee_id: String,
}

async fn unenrol(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(f): WebForm<EmployeeForm>,
) -> Result<Response, WebError> {
    let employee = f.employee_id.trim().parse::<i64>().unwrap_or(0);
    match sessions::unenrol(&state.app, &me, id, employee).await {
        Ok(()) => Ok(
            Redirect::to(&format!("/training-sessions/{id}?done=unenrolled#roster"))
                .into_response(),
        ),
        Err(e) if shown_on_page(&e) => {
            let errors = described(lang, &e);
            let status = refusal_status(&e);
            session_page(
                &state,
                lang,
                &me,
                id,
                None,
                errors,
                EnrolInput::default(),
                status,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Reads the roster form: `mark_<employee id>` per row, `rest` and `only_unmarked`.
fn bulk_input(pairs: &[(String, String)]) -> BulkInput {
    let mut b = BulkInput {
        only_unmarked: Some(false),
        ..BulkInput::default()
    };
    for (k, v) in pairs {
        if let Some(id) = k.strip_prefix("mark_").and_then(|i| i.parse::<i64>().ok()) {
            b.marks.insert(id, v.clone());
        } else if k == "rest" {
            b.rest = v.clone();
        } else if k == "only_unmarked" {
            b.only_unmarked = Some(matches!(v.as_str(), "on" | "true" | "1"));
        }
    }
    b
}

async fn mark_attendance(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let b = bulk_input(&pairs);
    match attendance::mark_bulk(&state.app, &me, id, &b).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/training-sessions/{id}?done=marked#roster")).into_response(),
        ),
        Err(e) if shown_on_page(&e) => {
            let errors = described(lang, &e);
            let status = refusal_status(&e);
            session_page(
                &state,
                lang,
                &me,
                id,
                None,
                errors,
                EnrolInput::default(),
                status,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "training_sessions/code.html")]
struct CodePage {
    ctx: Ctx,
    s: CodeScreen,
    qr_svg: String,
    url: String,
    opens: String,
    ends: String,
}

/// The check-in address a QR code carries.
fn check_in_url(state: &AppState, session_id: i64, code: &str) -> String {
    format!(
        "{}/check-in?session={session_id}&code={code}",
        state.app.issuer.base_url().trim_end_matches('/')
    )
}

/// The lecturer's screen: the current code, big and as a QR, reloading when it changes.
async fn code_page(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let s = attendance::code_screen(&state.app, &me, id).await?;
    let (qr_svg, url) = match &s.code {
        Some(code) => {
            let url = check_in_url(&state, id, code);
            let qr = QrMatrix::encode(&url).map_err(|e| {
                WebError::App(AppError::Internal(anyhow::anyhow!("QR code of {url}: {e}")))
            })?;
            (qr.to_svg(6), url)
        }
        None => (String::new(), String::new()),
    };
    let refresh = if s.check_in_open {
        u64::from(s.seconds_left).max(1)
    } else {
        60
    };
    let page = CodePage {
        ctx: Ctx::new(lang, Some(&me), &format!("/training-sessions/{id}/code")),
        opens: local(s.opens_at),
        ends: local(s.ends_at),
        s,
        qr_svg,
        url,
    };
    let mut res = render(&page)?;
    if let Ok(v) = HeaderValue::from_str(&refresh.to_string()) {
        res.headers_mut().insert("refresh", v);
    }
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

async fn ics(
    State(state): State<AppState>,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let host = state
        .app
        .issuer
        .base_url()
        .split("://")
        .nth(1)
        .unwrap_or("skillcert")
        .split(['/', ':'])
        .next()
        .unwrap_or("skillcert")
        .to_string();
    let (row, text) = sessions::ics(&state.app, &me, id, &host).await?;
    Ok(super::download::attachment(
        text.into_bytes(),
        "text/calendar; charset=utf-8",
        &super::download::file_name(&row.code, ".ics"),
    ))
}

// ---------- the employee's side ----------

pub struct MyLine {
    pub m: MySession,
    pub when: String,
    pub level: &'static str,
    pub mark: &'static str,
    pub cancelled: bool,
}

#[derive(Template)]
#[template(path = "training_sessions/mine.html")]
struct MinePage {
    ctx: Ctx,
    linked: bool,
    upcoming: Vec<MyLine>,
    past: Vec<MyLine>,
}

#[derive(Debug, Default, Deserialize)]
pub struct MineQuery {
    pub done: Option<String>,
}

fn my_line(lang: Lang, m: MySession) -> MyLine {
    MyLine {
        when: local_span(m.row.starts_at, m.row.ends_at),
        level: level_label(lang, &m.row.level),
        mark: mark_label(lang, m.row.mark.as_deref()),
        cancelled: m.row.status == "cancelled",
        m,
    }
}

async fn mine_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    flash: Option<String>,
) -> Result<Response, WebError> {
    let d = sessions::mine(&state.app, me).await?;
    let page = MinePage {
        ctx: Ctx::new(lang, Some(me), "/my-training").with_flash(flash),
        linked: d.employee_id.is_some(),
        upcoming: d.upcoming.into_iter().map(|m| my_line(lang, m)).collect(),
        past: d.past.into_iter().map(|m| my_line(lang, m)).collect(),
    };
    render(&page)
}

async fn my_training(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(q): Query<MineQuery>,
) -> Result<Response, WebError> {
    let flash = done_message(lang, q.done.as_deref());
    mine_page(&state, lang, &me, flash).await
}

#[derive(Debug, Default, Deserialize)]
pub struct CheckInForm {
    #[serde(default)]
    pub session: String,
    #[serde(default)]
    pub code: String,
}

#[derive(Template)]
#[template(path = "training_sessions/check_in.html")]
struct CheckInPage {
    ctx: Ctx,
    session: String,
    code: String,
    topic: Option<String>,
    choices: Vec<(i64, String)>,
    error: Option<String>,
}

async fn check_in_form(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    f: &CheckInForm,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let d = sessions::mine(&state.app, me).await?;
    let choices: Vec<(i64, String)> = d
        .upcoming
        .iter()
        .filter(|m| m.can_check_in || m.running)
        .map(|m| (m.row.session_id, format!("{} {}", m.row.code, m.row.topic)))
        .collect();
    let session_id = f.session.trim().parse::<i64>().ok();
    let topic = session_id.and_then(|id| {
        d.upcoming
            .iter()
            .chain(d.past.iter())
            .find(|m| m.row.session_id == id)
            .map(|m| format!("{} {}", m.row.code, m.row.topic))
    });
    let page = CheckInPage {
        ctx: Ctx::new(lang, Some(me), "/check-in"),
        session: f.session.trim().to_string(),
        code: f.code.trim().to_string(),
        topic,
        choices,
        error,
    };
    Ok((status, render(&page)?).into_response())
}

/// The page the QR code opens: the session and code filled in, one button to confirm (a
/// GET never changes anything).
async fn check_in_page(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(f): Query<CheckInForm>,
) -> Result<Response, WebError> {
    check_in_form(&state, lang, &me, &f, None, StatusCode::OK).await
}

async fn check_in(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    WebForm(f): WebForm<CheckInForm>,
) -> Result<Response, WebError> {
    let result = match f.session.trim().parse::<i64>() {
        Ok(id) => attendance::check_in(&state.app, &me, id, &f.code).await,
        Err(_) => Err(AppError::Rejected(vec![skillcert_app::Problem::new(
            "session",
            "checkin-session-missing",
        )])),
    };
    match result {
        Ok(outcome) => {
            let done = match outcome {
                CheckInOutcome::Recorded(Mark::Late) => "checked-in-late",
                CheckInOutcome::Recorded(_) => "checked-in-present",
                CheckInOutcome::AlreadyCheckedIn(_) => "already-checked-in",
                CheckInOutcome::LecturerMarkKept(_) => "lecturer-mark-kept",
            };
            Ok(Redirect::to(&format!("/my-training?done={done}")).into_response())
        }
        Err(e @ AppError::NotFound) => {
            let msg = form_errors(lang, &e)
                .into_iter()
                .map(|(_, m)| m)
                .collect::<Vec<_>>()
                .join(" ");
            check_in_form(&state, lang, &me, &f, Some(msg), StatusCode::NOT_FOUND).await
        }
        Err(e) if shown_on_page(&e) => {
            let msg = form_errors(lang, &e)
                .into_iter()
                .map(|(_, m)| m)
                .collect::<Vec<_>>()
                .join(" ");
            check_in_form(&state, lang, &me, &f, Some(msg), refusal_status(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}
