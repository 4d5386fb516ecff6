//! Certification rounds over the API (issue 6): planning a round, its next step (review,
//! reopen, publish, close), applications with their attachments and the manager's decision,
//! results with typed-in scores, and the consequences of failures. Every handler is one call
//! of `skillcert_app::certification`.

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use skillcert_app::certification::applications::{
    self, ApplicationDetail, ApplicationInput, Upload,
};
use skillcert_app::certification::consequences;
use skillcert_app::certification::results::{self, CandidateResult, RoundResults};
use skillcert_app::certification::rounds::{self, RoundDetail, RoundInput};
use skillcert_app::store::certification::{
    ApplicationRow, ConsequenceRow, RoundQuery, RoundSummary,
};
use skillcert_app::{AppError, Page};
use skillcert_domain::access::Permission;
use skillcert_domain::org::FieldReason;
use skillcert_domain::text::TextError;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{Operation, PREFIX, created, get, post, put};
use crate::error::WebError;
use crate::session::Me;
use crate::state::AppState;

pub fn operations() -> Vec<Operation> {
    vec![
        get("/rounds", list),
        post("/rounds", create),
        get("/rounds/{id}", get_round),
        put("/rounds/{id}", update),
        post("/rounds/{id}/review", review),
        post("/rounds/{id}/reopen", reopen),
        post("/rounds/{id}/publish", publish),
        post("/rounds/{id}/close", close),
        get("/rounds/{id}/applications", list_applications),
        post("/rounds/{id}/applications", apply),
        get("/applications/{id}", get_application),
        post("/applications/{id}/decision", decide),
        post("/applications/{id}/withdraw", withdraw),
        get("/applications/attachments/{id}", attachment),
        get("/rounds/{id}/results", round_results),
        put("/rounds/{id}/scores/{employee_id}/{component}", enter_score),
        get("/consequences", list_consequences),
        post("/consequences/{id}/return", return_to_duty),
    ]
}

// ---------- the multipart application ----------

/// An application as sent: its fields and files. Each file's field name is its kind
/// (`identity` or `job_description`).
#[derive(Debug, Default)]
pub struct ApplicationForm {
    pub input: ApplicationInput,
    pub uploads: Vec<Upload>,
    /// Set when a manager files the paper form of an employee (by employee number).
    pub employee_no: String,
}

/// Reads an application form (`multipart/form-data`), for the page and the API alike. A
/// file input left empty (no name, no bytes) is skipped; the type and size of the files are
/// the service's to check.
pub async fn read_application(
    mp: Result<Multipart, MultipartRejection>,
) -> Result<ApplicationForm, WebError> {
    let bad = |_| WebError::BadRequest("bad-upload");
    let mut mp = mp.map_err(|_| WebError::BadRequest("bad-upload"))?;
    let mut form = ApplicationForm::default();
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.map_err(bad)?;
        match file_name {
            Some(f) if f.is_empty() && bytes.is_empty() => {}
            Some(f) => form.uploads.push(Upload {
                kind: name,
                filename: if f.is_empty() { "upload".into() } else { f },
                bytes: bytes.to_vec(),
            }),
            None => {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                match name.as_str() {
                    "level" => form.input.level = text,
                    "training_completed_on" => form.input.training_completed_on = text,
                    "mentor_comment" => form.input.mentor_comment = text,
                    "employee_no" => form.employee_no = text,
                    _ => {}
                }
            }
        }
    }
    Ok(form)
}

// ---------- rounds ----------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RoundListQuery {
    pub q: Option<String>,
    pub status: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

fn nonblank(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// `GET /rounds?q=&status=&page=&per_page=`: newest first, with progress counts.
pub async fn list(
    State(state): State<AppState>,
    Me(me): Me,
    ApiQuery(q): ApiQuery<RoundListQuery>,
) -> Result<Json<Page<RoundSummary>>, WebError> {
    let query = RoundQuery {
        search: nonblank(&q.q),
        status: nonblank(&q.status),
        page: q.page.unwrap_or(1).max(1),
        per_page: q.per_page.unwrap_or(50).clamp(1, 200),
    };
    Ok(Json(rounds::list(&state.app, &me, &query).await?))
}

pub async fn create(
    State(state): State<AppState>,
    Me(me): Me,
    ApiJson(input): ApiJson<RoundInput>,
) -> Result<Response, WebError> {
    let row = rounds::create(&state.app, &me, &input).await?;
    let d = rounds::detail(&state.app, &me, row.id).await?;
    Ok(created(format!("{PREFIX}/rounds/{}", row.id), d))
}

pub async fn get_round(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<RoundDetail>, WebError> {
    Ok(Json(rounds::detail(&state.app, &me, id).await?))
}

pub async fn update(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<RoundInput>,
) -> Result<Json<RoundDetail>, WebError> {
    rounds::update(&state.app, &me, id, &input).await?;
    Ok(Json(rounds::detail(&state.app, &me, id).await?))
}

/// The round after a step, with what the step produced.
#[derive(Debug, Serialize)]
pub struct RoundAction {
    pub round: RoundDetail,
    /// Results frozen by a review.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results: Option<usize>,
    /// Certificates issued when closing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificates: Option<usize>,
}

async fn action(
    state: &AppState,
    me: &skillcert_app::Actor,
    id: i64,
    results: Option<usize>,
    certificates: Option<usize>,
) -> Result<Json<RoundAction>, WebError> {
    Ok(Json(RoundAction {
        round: rounds::detail(&state.app, me, id).await?,
        results,
        certificates,
    }))
}

pub async fn review(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<RoundAction>, WebError> {
    let n = results::review(&state.app, &me, id).await?;
    action(&state, &me, id, Some(n), None).await
}

pub async fn reopen(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<RoundAction>, WebError> {
    results::reopen(&state.app, &me, id).await?;
    action(&state, &me, id, None, None).await
}

pub async fn publish(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<RoundAction>, WebError> {
    results::publish(&state.app, &me, id).await?;
    action(&state, &me, id, None, None).await
}

pub async fn close(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<RoundAction>, WebError> {
    let n = results::close_by(&state.app, &me, id).await?;
    action(&state, &me, id, None, Some(n)).await
}

// ---------- applications ----------

pub async fn list_applications(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<ApplicationRow>>, WebError> {
    Ok(Json(applications::of_round(&state.app, &me, id).await?))
}

/// `POST /rounds/{id}/applications` (multipart): the signed-in employee applies; with
/// `employee_no` a manager files an employee's paper form.
pub async fn apply(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let form = read_application(mp).await?;
    let app_id = if form.employee_no.trim().is_empty() {
        applications::apply(&state.app, &me, id, &form.input, &form.uploads).await?
    } else {
        me.require(Permission::CertificationManage)?;
        applications::apply_for(
            &state.app,
            &me,
            &form.employee_no,
            id,
            &form.input,
            &form.uploads,
        )
        .await?
    };
    let d = applications::get(&state.app, &me, app_id).await?;
    Ok(created(format!("{PREFIX}/applications/{app_id}"), d))
}

pub async fn get_application(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ApplicationDetail>, WebError> {
    Ok(Json(applications::get(&state.app, &me, id).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionBody {
    pub approve: Option<bool>,
    pub note: String,
}

pub async fn decide(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<Json<ApplicationDetail>, WebError> {
    me.require(Permission::CertificationManage)?;
    let Some(approve) = body.approve else {
        return Err(AppError::field("approve", FieldReason::Text(TextError::Empty)).into());
    };
    applications::decide(&state.app, &me, id, approve, &body.note).await?;
    Ok(Json(applications::get(&state.app, &me, id).await?))
}

pub async fn withdraw(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ApplicationDetail>, WebError> {
    applications::withdraw(&state.app, &me, id).await?;
    Ok(Json(applications::get(&state.app, &me, id).await?))
}

/// The file itself, with the content type read from its first bytes at upload.
pub async fn attachment(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, WebError> {
    let (row, bytes) = applications::attachment(&state.app, &me, id).await?;
    Ok(crate::html::rounds::attachment_response(&row, bytes))
}

// ---------- results ----------

pub async fn round_results(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<RoundResults>, WebError> {
    Ok(Json(results::results(&state.app, &me, id).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ScoreBody {
    /// `"86.5"` or `86.5`.
    pub score: Value,
}

/// `PUT /rounds/{id}/scores/{employee_id}/{component}`: types in (or corrects) a score of
/// a component without a source of its own; answers with the candidate's line.
pub async fn enter_score(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath((id, employee_id, component)): ApiPath<(i64, i64, String)>,
    ApiJson(body): ApiJson<ScoreBody>,
) -> Result<Json<CandidateResult>, WebError> {
    me.require(Permission::CertificationManage)?;
    let raw = match body.score {
        Value::String(s) => s,
        Value::Number(n) => n.to_string(),
        Value::Null => String::new(),
        _ => return Err(WebError::BadRequest("bad-json")),
    };
    results::enter_score(&state.app, &me, id, employee_id, &component, &raw).await?;
    let res = results::results(&state.app, &me, id).await?;
    res.rows
        .into_iter()
        .find(|r| r.application.employee_id == employee_id)
        .map(Json)
        .ok_or(WebError::App(AppError::NotFound))
}

// ---------- consequences ----------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConsequenceQuery {
    pub round_id: Option<i64>,
}

pub async fn list_consequences(
    State(state): State<AppState>,
    Me(me): Me,
    ApiQuery(q): ApiQuery<ConsequenceQuery>,
) -> Result<Json<Vec<ConsequenceRow>>, WebError> {
    Ok(Json(consequences::list(&state.app, &me, q.round_id).await?))
}

pub async fn return_to_duty(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, WebError> {
    consequences::return_by(&state.app, &me, id).await?;
    let row = consequences::list(&state.app, &me, None)
        .await?
        .into_iter()
        .find(|k| k.id == id);
    Ok(match row {
        Some(k) => Json(k).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}
