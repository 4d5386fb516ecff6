//! The staff side of theory exams: sessions, overrides, offline scores, results, item
//! analysis, closing and reopening attempts, and marking short answers.
//!
//! The candidate's side (`/my/exams`, starting, saving, submitting) is in [`super::attempts`].

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use skillcert_app::exams::attempts::{self, Submitted};
use skillcert_app::exams::marking::{self, MarkInput, MarkOutcome, MarkingTask};
use skillcert_app::exams::results::{self, AttemptDetail, SessionAnalysis};
use skillcert_app::exams::sessions::{
    self, OfflineScore, OverrideInput, SessionInput, SessionView,
};
use skillcert_app::exams::staff::{self, OfflineLine};
use skillcert_app::store::exams::{Override, ResultRow, SessionRow};
use skillcert_app::{AppError, Page};
use skillcert_domain::access::Permission;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{Operation, PREFIX, created, get, post, put};
use crate::error::{ErrorInfo, WebError};
use crate::html::exams::{ListQuery, ShowQuery};
use crate::session::Me;
use crate::state::AppState;

pub fn operations() -> Vec<Operation> {
    vec![
        get("/exam-sessions", list_sessions),
        post("/exam-sessions", create_session),
        get("/exam-sessions/{id}", get_session),
        put("/exam-sessions/{id}", update_session),
        post("/exam-sessions/{id}/publish", publish),
        post("/exam-sessions/{id}/status", set_status),
        post("/exam-sessions/{id}/overrides", set_override),
        post("/exam-sessions/{id}/offline-scores", offline_scores),
        get("/exam-sessions/{id}/results", list_results),
        get("/exam-sessions/{id}/analysis", analysis),
        get("/exam-sessions/{id}/attempts/{attempt_id}", attempt_detail),
        post("/attempts/{id}/reopen", reopen),
        post("/attempts/{id}/close", close),
        get("/marking", marking_queue),
        post("/marking/{attempt_id}/{position}", mark),
    ]
}

// ---------- sessions ----------

/// `GET /exam-sessions?status=&page=&per_page=`; an unknown status is ignored.
pub async fn list_sessions(
    State(state): State<AppState>,
    Me(me): Me,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Page<SessionRow>>, WebError> {
    Ok(Json(
        sessions::list(&state.app, &me, q.status(), q.page(), q.per_page()).await?,
    ))
}

pub async fn create_session(
    State(state): State<AppState>,
    Me(me): Me,
    ApiJson(input): ApiJson<SessionInput>,
) -> Result<Response, WebError> {
    let s = sessions::create(&state.app, &me, &input).await?;
    Ok(created(format!("{PREFIX}/exam-sessions/{}", s.row.id), s))
}

pub async fn get_session(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SessionView>, WebError> {
    Ok(Json(sessions::get(&state.app, &me, id).await?))
}

pub async fn update_session(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<SessionInput>,
) -> Result<Json<SessionView>, WebError> {
    Ok(Json(sessions::update(&state.app, &me, id, &input).await?))
}

pub async fn publish(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SessionView>, WebError> {
    Ok(Json(sessions::publish(&state.app, &me, id).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatusBody {
    /// `draft` (back from published, while nobody has started) or `cancelled`.
    pub status: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<StatusBody>,
) -> Result<Json<SessionView>, WebError> {
    Ok(Json(
        sessions::set_status(&state.app, &me, id, body.status.trim()).await?,
    ))
}

pub async fn set_override(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<OverrideInput>,
) -> Result<Json<Override>, WebError> {
    Ok(Json(
        sessions::set_override(&state.app, &me, id, &input).await?,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OfflineBody {
    pub rows: Vec<OfflineScore>,
}

#[derive(Debug, Serialize)]
pub struct OfflineRecorded {
    pub recorded: usize,
}

/// `POST /exam-sessions/{id}/offline-scores`: all rows or none. Each bad row is a field
/// error named after its place in the body, e.g. `rows[2].employee_no`.
pub async fn offline_scores(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<OfflineBody>,
) -> Result<Response, WebError> {
    me.require(Permission::ExamManage)?;
    sessions::get(&state.app, &me, id).await?;
    if body.rows.is_empty() {
        return Err(AppError::field(
            "rows",
            skillcert_domain::org::FieldReason::Text(skillcert_domain::text::TextError::Empty),
        )
        .into());
    }
    let lines: Vec<OfflineLine> = body
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| OfflineLine {
            line: i,
            row: row.clone(),
        })
        .collect();
    let problems = staff::check_offline(&state.app, &me, &lines).await?;
    if !problems.is_empty() {
        let info = ErrorInfo {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "validation",
            fields: problems
                .iter()
                .map(|p| {
                    (
                        format!("rows[{}].{}", p.line, p.field),
                        p.reason.code().to_string(),
                        p.reason.limit(),
                    )
                })
                .collect(),
            minutes: None,
            import: None,
            field_family: "field",
        };
        let mut res = info.status.into_response();
        res.extensions_mut().insert(info);
        return Ok(res);
    }
    let recorded = sessions::record_offline(&state.app, &me, id, &body.rows).await?;
    Ok(Json(OfflineRecorded { recorded }).into_response())
}

/// `GET /exam-sessions/{id}/results`: the attempts of the candidates in the caller's
/// departments, with the same filters as the session page.
pub async fn list_results(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ShowQuery>,
) -> Result<Json<Page<ResultRow>>, WebError> {
    Ok(Json(
        staff::results(&state.app, &me, id, q.to_query()).await?,
    ))
}

pub async fn analysis(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SessionAnalysis>, WebError> {
    Ok(Json(results::analysis(&state.app, &me, id).await?))
}

// ---------- attempts ----------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReopenBody {
    /// Minutes from now, 1 to 600.
    pub minutes: i32,
}

/// `POST /attempts/{id}/reopen`: 204 once reopened.
pub async fn reopen(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ReopenBody>,
) -> Result<Response, WebError> {
    sessions::reopen(&state.app, &me, id, body.minutes).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn close(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Submitted>, WebError> {
    Ok(Json(attempts::close_by_staff(&state.app, &me, id).await?))
}

// ---------- marking ----------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MarkingParams {
    pub session_id: Option<i64>,
    pub limit: Option<i64>,
}

pub async fn marking_queue(
    State(state): State<AppState>,
    Me(me): Me,
    ApiQuery(p): ApiQuery<MarkingParams>,
) -> Result<Json<Vec<MarkingTask>>, WebError> {
    Ok(Json(
        marking::queue(&state.app, &me, p.session_id, p.limit.unwrap_or(20)).await?,
    ))
}

pub async fn mark(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath((attempt_id, position)): ApiPath<(i64, i32)>,
    ApiJson(input): ApiJson<MarkInput>,
) -> Result<Json<MarkOutcome>, WebError> {
    Ok(Json(
        marking::mark(&state.app, &me, attempt_id, position, &input).await?,
    ))
}

/// One attempt as drawn and answered, for reviewers.
pub async fn attempt_detail(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath((id, attempt_id)): ApiPath<(i64, i64)>,
) -> Result<Json<AttemptDetail>, WebError> {
    let d = results::attempt_detail(&state.app, &me, attempt_id).await?;
    if d.session_id != id {
        return Err(skillcert_app::AppError::NotFound.into());
    }
    Ok(Json(d))
}
