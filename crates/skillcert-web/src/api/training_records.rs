//! Training records (issue 7 items 5–6): homework assignments, submissions and marking;
//! mentors, follow-ups and the overdue list. Over the JSON API; every handler is one call of
//! `skillcert_app::training`. (The daily component's breakdown comes with the round results,
//! `GET /rounds/{id}/results`, as `rows[].training`.)

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use skillcert_app::Page;
use skillcert_app::store::training_records::{MentorshipRow, SubmissionRow};
use skillcert_app::training::homework::{
    self as hw, AssignmentInput, AssignmentView, MarkInput, MyHomework, SessionHomework,
};
use skillcert_app::training::mentoring::{
    self as mt, AssignInput, FollowUpInput, MentorPage, TraineeFollowUps,
};

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{Operation, PREFIX, created, delete, get, post, put};
use crate::error::WebError;
use crate::html::training_records::{file_response, read_submission};
use crate::session::Me;
use crate::state::AppState;

pub fn operations() -> Vec<Operation> {
    vec![
        get("/training-sessions/{id}/homework", session_homework),
        post("/training-sessions/{id}/homework", create_assignment),
        get("/homework/{id}", show),
        put("/homework/{id}", update),
        post("/homework/{id}/submissions", submit),
        post("/homework-submissions/{id}/mark", mark),
        get("/homework-files/{id}", file),
        get("/me/homework", mine),
        get("/mentoring", mentoring),
        get("/mentoring/assignments", assignments),
        post("/mentoring/assignments", assign),
        delete("/mentoring/assignments/{id}", unassign),
        get("/mentoring/{employee_id}/follow-ups", follow_ups),
        post("/mentoring/{employee_id}/follow-ups", record),
    ]
}

// ---------- homework ----------

pub async fn session_homework(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SessionHomework>, WebError> {
    Ok(Json(hw::of_session(&state.app, &me, id).await?))
}

/// `POST /training-sessions/{id}/homework`: the session's lecturer or a training manager
/// sets a homework; answers with the new homework.
pub async fn create_assignment(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<AssignmentInput>,
) -> Result<Response, WebError> {
    let row = hw::create(&state.app, &me, id, &input).await?;
    let view = hw::show(&state.app, &me, row.id).await?;
    Ok(created(format!("{PREFIX}/homework/{}", row.id), view))
}

pub async fn show(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AssignmentView>, WebError> {
    Ok(Json(hw::show(&state.app, &me, id).await?))
}

pub async fn update(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<AssignmentInput>,
) -> Result<Json<AssignmentView>, WebError> {
    hw::update(&state.app, &me, id, &input).await?;
    Ok(Json(hw::show(&state.app, &me, id).await?))
}

/// `POST /homework/{id}/submissions` (multipart: `text` and any number of file fields):
/// the signed-in enrolled employee hands in, or replaces an unmarked hand-in.
pub async fn submit(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let form = read_submission(mp).await?;
    hw::submit(&state.app, &me, id, &form.text, &form.files).await?;
    let view = hw::show(&state.app, &me, id).await?;
    Ok(created(format!("{PREFIX}/homework/{id}"), view))
}

pub async fn mark(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<MarkBody>,
) -> Result<Json<SubmissionRow>, WebError> {
    let input = MarkInput {
        points: match &input.points {
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => String::new(),
            _ => return Err(WebError::BadRequest("bad-json")),
        },
        comment: input.comment,
    };
    Ok(Json(hw::mark(&state.app, &me, id, &input).await?))
}

/// The marking body: `points` as a number or text.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MarkBody {
    pub points: serde_json::Value,
    pub comment: String,
}

pub async fn file(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, WebError> {
    let (row, bytes) = hw::file(&state.app, &me, id).await?;
    Ok(file_response(&row, bytes))
}

pub async fn mine(
    State(state): State<AppState>,
    Me(me): Me,
) -> Result<Json<Vec<MyHomework>>, WebError> {
    Ok(Json(hw::mine(&state.app, &me).await?))
}

// ---------- mentoring ----------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MentoringQuery {
    pub days: Option<String>,
    pub page: Option<i64>,
}

pub async fn mentoring(
    State(state): State<AppState>,
    Me(me): Me,
    ApiQuery(q): ApiQuery<MentoringQuery>,
) -> Result<Json<MentorPage>, WebError> {
    me.require(skillcert_domain::access::Permission::Mentoring)?;
    let days = mt::parse_days(&state.app, q.days.as_deref()).await?;
    Ok(Json(mt::page(&state.app, &me, days).await?))
}

pub async fn assignments(
    State(state): State<AppState>,
    Me(me): Me,
    ApiQuery(q): ApiQuery<MentoringQuery>,
) -> Result<Json<Page<MentorshipRow>>, WebError> {
    Ok(Json(
        mt::assignments(&state.app, &me, q.page.unwrap_or(1)).await?,
    ))
}

pub async fn assign(
    State(state): State<AppState>,
    Me(me): Me,
    ApiJson(input): ApiJson<AssignInput>,
) -> Result<Json<MentorshipRow>, WebError> {
    Ok(Json(mt::assign(&state.app, &me, &input).await?))
}

pub async fn unassign(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, WebError> {
    mt::unassign(&state.app, &me, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn follow_ups(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(employee_id): ApiPath<i64>,
) -> Result<Json<TraineeFollowUps>, WebError> {
    Ok(Json(mt::of_trainee(&state.app, &me, employee_id).await?))
}

/// `POST /mentoring/{employee_id}/follow-ups`: the trainee's mentor records a follow-up;
/// answers with the trainee's follow-ups.
pub async fn record(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(employee_id): ApiPath<i64>,
    ApiJson(input): ApiJson<FollowUpBody>,
) -> Result<Response, WebError> {
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::Number(n) => Ok(n.to_string()),
        serde_json::Value::String(s) => Ok(s.clone()),
        serde_json::Value::Null => Ok(String::new()),
        _ => Err(WebError::BadRequest("bad-json")),
    };
    let input = FollowUpInput {
        session_id: text(&input.session_id)?,
        held_on: input.held_on,
        notes: input.notes,
        evaluation: text(&input.evaluation)?,
    };
    mt::record(&state.app, &me, employee_id, &input).await?;
    let view = mt::of_trainee(&state.app, &me, employee_id).await?;
    Ok(created(
        format!("{PREFIX}/mentoring/{employee_id}/follow-ups"),
        view,
    ))
}

/// The follow-up body: `session_id` and `evaluation` as numbers or text.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FollowUpBody {
    pub session_id: serde_json::Value,
    pub held_on: String,
    pub notes: String,
    pub evaluation: serde_json::Value,
}
