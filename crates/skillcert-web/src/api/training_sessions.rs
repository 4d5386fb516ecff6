//! Training plans and sessions (issue 7 items 3–4): annual plans with stages and topics, sessions with enrolment, the calendar, .ics export, the roster with attendance marking, the lecturer's check-in code and the employee's self check-in. Over the JSON API; every handler is one call of `skillcert_app::training`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use skillcert_app::store::training::{
    EnrolledRow, PlanQuery, PlanSummary, SessionQuery, SessionSummary,
};
use skillcert_app::training::attendance::{self, BulkInput, CodeScreen};
use skillcert_app::training::plans::{self, PlanDetail, PlanInput};
use skillcert_app::training::sessions::{
    self, EnrolInput, EnrolReport, MyTraining, SessionDetail, SessionInput,
};
use skillcert_app::{AppError, Page, Problem};
use skillcert_domain::access::Permission;
use skillcert_domain::training::attendance::CheckInOutcome;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{Operation, PREFIX, created, delete, get, post, put};
use crate::error::WebError;
use crate::html::nonblank;
use crate::session::Me;
use crate::state::AppState;

pub fn operations() -> Vec<Operation> {
    vec![
        get("/training-plans", list_plans),
        post("/training-plans", create_plan),
        get("/training-plans/{id}", get_plan),
        put("/training-plans/{id}", update_plan),
        post("/training-plans/{id}/status", plan_status),
        get("/training-calendar", calendar),
        get("/training-sessions", list_sessions),
        post("/training-sessions", create_session),
        get("/training-sessions/{id}", get_session),
        put("/training-sessions/{id}", update_session),
        post("/training-sessions/{id}/cancel", cancel_session),
        get("/training-sessions/{id}/ics", session_ics),
        get("/training-sessions/{id}/enrolments", list_enrolments),
        post("/training-sessions/{id}/enrolments", enrol),
        delete("/training-sessions/{id}/enrolments/{employee_id}", unenrol),
        get("/training-sessions/{id}/attendance", list_attendance),
        post("/training-sessions/{id}/attendance", mark_bulk),
        put("/training-sessions/{id}/attendance/{employee_id}", mark_one),
        get("/training-sessions/{id}/code", code),
        post("/check-in", check_in),
        get("/me/training", my_training),
    ]
}

// ---------- plans ----------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PlanListQuery {
    pub q: Option<String>,
    pub year: Option<i32>,
    pub status: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// `GET /training-plans?q=&year=&status=&page=&per_page=`: newest year first.
pub async fn list_plans(
    State(state): State<AppState>,
    Me(me): Me,
    ApiQuery(q): ApiQuery<PlanListQuery>,
) -> Result<Json<Page<PlanSummary>>, WebError> {
    let query = PlanQuery {
        year: q.year,
        search: nonblank(&q.q),
        status: nonblank(&q.status),
        page: q.page.unwrap_or(1).max(1),
        per_page: q.per_page.unwrap_or(50).clamp(1, 200),
    };
    Ok(Json(plans::list(&state.app, &me, &query).await?))
}

pub async fn create_plan(
    State(state): State<AppState>,
    Me(me): Me,
    ApiJson(input): ApiJson<PlanInput>,
) -> Result<Response, WebError> {
    let row = plans::create(&state.app, &me, &input).await?;
    let d = plans::get(&state.app, &me, row.id).await?;
    Ok(created(format!("{PREFIX}/training-plans/{}", row.id), d))
}

pub async fn get_plan(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<PlanDetail>, WebError> {
    Ok(Json(plans::get(&state.app, &me, id).await?))
}

pub async fn update_plan(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<PlanInput>,
) -> Result<Json<PlanDetail>, WebError> {
    plans::update(&state.app, &me, id, &input).await?;
    Ok(Json(plans::get(&state.app, &me, id).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatusBody {
    pub status: String,
}

pub async fn plan_status(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<StatusBody>,
) -> Result<Json<PlanDetail>, WebError> {
    plans::set_status(&state.app, &me, id, &body.status).await?;
    Ok(Json(plans::get(&state.app, &me, id).await?))
}

// ---------- sessions ----------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MonthQuery {
    pub month: Option<String>,
}

/// `GET /training-calendar?month=YYYY-MM`: the month's sessions (China time), by start.
pub async fn calendar(
    State(state): State<AppState>,
    Me(me): Me,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> Result<Json<Vec<SessionSummary>>, WebError> {
    me.require(Permission::TrainingRead)?;
    let (year, month) = match nonblank(&q.month) {
        Some(m) => sessions::parse_month(&m)
            .ok_or_else(|| AppError::Rejected(vec![Problem::new("month", "calendar-month")]))?,
        None => {
            let today = state.app.today();
            (
                chrono::Datelike::year(&today),
                chrono::Datelike::month(&today),
            )
        }
    };
    Ok(Json(
        sessions::calendar(&state.app, &me, year, month).await?,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SessionListQuery {
    pub q: Option<String>,
    pub plan_id: Option<i64>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub lecturer_user_id: Option<i64>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// `GET /training-sessions?q=&plan_id=&from=&to=&lecturer_user_id=&page=&per_page=`.
pub async fn list_sessions(
    State(state): State<AppState>,
    Me(me): Me,
    ApiQuery(q): ApiQuery<SessionListQuery>,
) -> Result<Json<Page<SessionSummary>>, WebError> {
    let query = SessionQuery {
        from: q.from,
        to: q.to,
        plan_id: q.plan_id,
        search: nonblank(&q.q),
        lecturer_user_id: q.lecturer_user_id,
        page: q.page.unwrap_or(1).max(1),
        per_page: q.per_page.unwrap_or(50).clamp(1, 200),
    };
    Ok(Json(sessions::list(&state.app, &me, &query).await?))
}

pub async fn create_session(
    State(state): State<AppState>,
    Me(me): Me,
    ApiJson(input): ApiJson<SessionInput>,
) -> Result<Response, WebError> {
    let row = sessions::create(&state.app, &me, &input).await?;
    let d = sessions::get(&state.app, &me, row.id).await?;
    Ok(created(format!("{PREFIX}/training-sessions/{}", row.id), d))
}

pub async fn get_session(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SessionDetail>, WebError> {
    Ok(Json(sessions::get(&state.app, &me, id).await?))
}

pub async fn update_session(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<SessionInput>,
) -> Result<Json<SessionDetail>, WebError> {
    sessions::update(&state.app, &me, id, &input).await?;
    Ok(Json(sessions::get(&state.app, &me, id).await?))
}

pub async fn cancel_session(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SessionDetail>, WebError> {
    sessions::cancel(&state.app, &me, id).await?;
    Ok(Json(sessions::get(&state.app, &me, id).await?))
}

/// The session as `text/calendar` (RFC 5545).
pub async fn session_ics(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
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
    Ok(crate::html::download::attachment(
        text.into_bytes(),
        "text/calendar; charset=utf-8",
        &crate::html::download::file_name(&row.code, ".ics"),
    ))
}

// ---------- enrolment ----------

/// `GET /training-sessions/{id}/enrolments`: the list, as the caller may see it.
pub async fn list_enrolments(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<EnrolledRow>>, WebError> {
    me.require(Permission::TrainingRead)?;
    Ok(Json(sessions::get(&state.app, &me, id).await?.roster))
}

pub async fn enrol(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<EnrolInput>,
) -> Result<Json<EnrolReport>, WebError> {
    me.require(Permission::TrainingManage)?;
    Ok(Json(sessions::enrol(&state.app, &me, id, &input).await?))
}

pub async fn unenrol(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath((id, employee_id)): ApiPath<(i64, i64)>,
) -> Result<Response, WebError> {
    sessions::unenrol(&state.app, &me, id, employee_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ---------- attendance ----------

/// `GET /training-sessions/{id}/attendance`: the sign-in sheet with each mark and its source.
pub async fn list_attendance(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<EnrolledRow>>, WebError> {
    me.require(Permission::TrainingRead)?;
    Ok(Json(sessions::get(&state.app, &me, id).await?.roster))
}

/// The number of marks a bulk marking changed.
#[derive(Debug, Serialize)]
pub struct Marked {
    pub changed: usize,
}

pub async fn mark_bulk(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<BulkInput>,
) -> Result<Json<Marked>, WebError> {
    me.require(Permission::TrainingTeach)?;
    let changed = attendance::mark_bulk(&state.app, &me, id, &input).await?;
    Ok(Json(Marked { changed }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MarkBody {
    pub mark: String,
}

pub async fn mark_one(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath((id, employee_id)): ApiPath<(i64, i64)>,
    ApiJson(body): ApiJson<MarkBody>,
) -> Result<Json<Vec<EnrolledRow>>, WebError> {
    me.require(Permission::TrainingTeach)?;
    attendance::mark(&state.app, &me, id, employee_id, &body.mark).await?;
    let roster = sessions::get(&state.app, &me, id).await?.roster;
    Ok(Json(
        roster
            .into_iter()
            .filter(|r| r.employee_id == employee_id)
            .collect(),
    ))
}

/// The lecturer's current check-in code.
pub async fn code(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<CodeScreen>, WebError> {
    Ok(Json(attendance::code_screen(&state.app, &me, id).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CheckInBody {
    pub session_id: Option<i64>,
    pub code: String,
}

/// `POST /check-in {session_id, code}`: the signed-in employee checks in.
pub async fn check_in(
    State(state): State<AppState>,
    Me(me): Me,
    ApiJson(body): ApiJson<CheckInBody>,
) -> Result<Json<CheckInOutcome>, WebError> {
    let Some(id) = body.session_id else {
        return Err(AppError::Rejected(vec![Problem::new(
            "session_id",
            "checkin-session-missing",
        )])
        .into());
    };
    Ok(Json(
        attendance::check_in(&state.app, &me, id, &body.code).await?,
    ))
}

/// The signed-in employee's sessions, upcoming and past, with their marks.
pub async fn my_training(
    State(state): State<AppState>,
    Me(me): Me,
) -> Result<Json<MyTraining>, WebError> {
    Ok(Json(sessions::mine(&state.app, &me).await?))
}
