//! Practical assessments over the API: planning events (pools, candidates, conflicts, the
//! scheme's other components), publishing seeds and drawing panels, replaying a draw,
//! closing, results with every mark and the scheme's verdict, releasing held results, judge
//! analytics; and the judge's side (their panels, their score sheets, corrections by the
//! chief judge). Every handler is one call of `skillcert_app::practical`.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use skillcert_app::practical::analytics::{self, EventAnalytics, Trends};
use skillcert_app::practical::draw::{self, Replay};
use skillcert_app::practical::events::{self, ConflictInput, EventInput, EventView, SubjectsInput};
use skillcert_app::practical::results::{self, EventResults};
use skillcert_app::practical::sheets::{self, CorrectionView, SheetView};
use skillcert_app::store::practical::{EventQuery, EventSummary, MySeatRow, SubjectRow};
use skillcert_app::{AppError, Page};
use skillcert_domain::org::FieldReason;
use skillcert_domain::practical::rubric::{Rubric, SheetMarks};

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{Operation, PREFIX, created, delete, get, post, put};
use crate::error::WebError;
use crate::session::Me;
use crate::state::AppState;

pub fn operations() -> Vec<Operation> {
    vec![
        get("/events", list_events),
        post("/events", create_event),
        get("/events/{id}", get_event),
        put("/events/{id}", update_event),
        put("/events/{id}/subjects", set_subjects),
        post("/events/{id}/conflicts", add_conflict),
        delete(
            "/events/{id}/conflicts/{judge_id}/{subject_id}",
            remove_conflict,
        ),
        put("/event-subjects/{id}/inputs", set_inputs),
        post("/events/{id}/seed", publish_seed),
        post("/events/{id}/draws", run_draw),
        get("/events/{id}/draws/{number}", replay),
        post("/events/{id}/close", close),
        get("/events/{id}/results", event_results),
        post("/event-subjects/{id}/release", release),
        get("/events/{id}/analytics", event_analytics),
        get("/judge-analytics", judge_analytics),
        get("/my/panels", my_panels),
        get("/sheets/{subject_id}", get_sheet),
        put("/sheets/{subject_id}", save_draft),
        post("/sheets/{subject_id}/submit", submit_sheet),
        post("/score-sheets/{sheet_id}/corrections", correct_sheet),
    ]
}

// ---------- events ----------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EventListQuery {
    pub q: Option<String>,
    pub status: Option<String>,
    pub kind: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

fn nonblank(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// `GET /events?q=&status=&kind=&page=&per_page=`: newest first, with progress counts.
pub async fn list_events(
    State(state): State<AppState>,
    Me(me): Me,
    ApiQuery(q): ApiQuery<EventListQuery>,
) -> Result<Json<Page<EventSummary>>, WebError> {
    let query = EventQuery {
        search: nonblank(&q.q).map(|s| s.to_lowercase()),
        status: nonblank(&q.status),
        kind: nonblank(&q.kind),
        page: q.page.unwrap_or(1).max(1),
        per_page: q.per_page.unwrap_or(50).clamp(1, 200),
    };
    Ok(Json(events::list(&state.app, &me, &query).await?))
}

pub async fn create_event(
    State(state): State<AppState>,
    Me(me): Me,
    ApiJson(input): ApiJson<EventInput>,
) -> Result<Response, WebError> {
    let v = events::create(&state.app, &me, &input).await?;
    Ok(created(format!("{PREFIX}/events/{}", v.row.id), v))
}

pub async fn get_event(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<EventView>, WebError> {
    Ok(Json(events::get(&state.app, &me, id).await?))
}

pub async fn update_event(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<EventInput>,
) -> Result<Json<EventView>, WebError> {
    Ok(Json(events::update(&state.app, &me, id, &input).await?))
}

pub async fn set_subjects(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<SubjectsInput>,
) -> Result<Json<EventView>, WebError> {
    Ok(Json(
        events::set_subjects(&state.app, &me, id, &input).await?,
    ))
}

pub async fn add_conflict(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ConflictInput>,
) -> Result<Json<EventView>, WebError> {
    Ok(Json(
        events::add_conflict(&state.app, &me, id, &input).await?,
    ))
}

pub async fn remove_conflict(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath((id, judge_id, subject_id)): ApiPath<(i64, i64, i64)>,
) -> Result<Json<EventView>, WebError> {
    Ok(Json(
        events::remove_conflict(&state.app, &me, id, judge_id, subject_id).await?,
    ))
}

/// `PUT /event-subjects/{id}/inputs`: component key → score, as a number or text
/// (`"95"`, `95`, `92.5`); an empty string or null leaves the component unset.
pub async fn set_inputs(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<BTreeMap<String, Value>>,
) -> Result<Json<SubjectRow>, WebError> {
    let mut values = BTreeMap::new();
    for (k, v) in body {
        let text = match v {
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            Value::Null => String::new(),
            _ => return Err(WebError::BadRequest("bad-json")),
        };
        values.insert(k, text);
    }
    Ok(Json(
        events::set_inputs(&state.app, &me, id, &values).await?,
    ))
}

// ---------- draws ----------

pub async fn publish_seed(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<EventView>, WebError> {
    Ok(Json(draw::publish_seed(&state.app, &me, id).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReasonBody {
    pub reason: String,
}

pub async fn run_draw(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> Result<Json<EventView>, WebError> {
    Ok(Json(draw::run(&state.app, &me, id, &body.reason).await?))
}

pub async fn replay(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath((id, number)): ApiPath<(i64, i32)>,
) -> Result<Json<Replay>, WebError> {
    Ok(Json(draw::replay(&state.app, &me, id, number).await?))
}

pub async fn close(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<EventView>, WebError> {
    Ok(Json(events::close(&state.app, &me, id).await?))
}

// ---------- results and analytics ----------

pub async fn event_results(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<EventResults>, WebError> {
    Ok(Json(results::results(&state.app, &me, id).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoteBody {
    pub note: String,
}

/// `POST /event-subjects/{id}/release`: 204 once the held result is released.
pub async fn release(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<NoteBody>,
) -> Result<Response, WebError> {
    results::release(&state.app, &me, id, &body.note).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn event_analytics(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<EventAnalytics>, WebError> {
    Ok(Json(analytics::event(&state.app, &me, id).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PeriodQuery {
    pub from: Option<String>,
    pub to: Option<String>,
}

fn date_param(field: &'static str, raw: &Option<String>) -> Result<Option<NaiveDate>, AppError> {
    match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| AppError::field(field, FieldReason::BadDate)),
    }
}

/// `GET /judge-analytics?from=&to=`: `to` defaults to today, `from` to a year before `to`.
pub async fn judge_analytics(
    State(state): State<AppState>,
    Me(me): Me,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> Result<Json<Trends>, WebError> {
    let to = date_param("to", &q.to)?.unwrap_or_else(|| state.app.today());
    let from = date_param("from", &q.from)?.unwrap_or(to - chrono::Duration::days(365));
    Ok(Json(analytics::over_time(&state.app, &me, from, to).await?))
}

// ---------- the judge's side ----------

pub async fn my_panels(
    State(state): State<AppState>,
    Me(me): Me,
) -> Result<Json<Vec<MySeatRow>>, WebError> {
    Ok(Json(sheets::my_panels(&state.app, &me).await?))
}

/// A sheet with the rubric it is scored on, so a client can draw the choices.
#[derive(Debug, Serialize)]
pub struct SheetBody {
    #[serde(flatten)]
    pub view: SheetView,
    pub rubric: Rubric,
}

impl From<SheetView> for SheetBody {
    fn from(view: SheetView) -> Self {
        SheetBody {
            rubric: view.rubric.clone(),
            view,
        }
    }
}

pub async fn get_sheet(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(subject_id): ApiPath<i64>,
) -> Result<Json<SheetBody>, WebError> {
    Ok(Json(
        sheets::open(&state.app, &me, subject_id).await?.into(),
    ))
}

pub async fn save_draft(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(subject_id): ApiPath<i64>,
    ApiJson(marks): ApiJson<SheetMarks>,
) -> Result<Json<SheetBody>, WebError> {
    Ok(Json(
        sheets::save(&state.app, &me, subject_id, &marks, false)
            .await?
            .into(),
    ))
}

pub async fn submit_sheet(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(subject_id): ApiPath<i64>,
    ApiJson(marks): ApiJson<SheetMarks>,
) -> Result<Json<SheetBody>, WebError> {
    Ok(Json(
        sheets::save(&state.app, &me, subject_id, &marks, true)
            .await?
            .into(),
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CorrectionBody {
    pub marks: SheetMarks,
    pub reason: String,
}

/// `POST /score-sheets/{sheet_id}/corrections`: the corrected sheet as it now stands.
pub async fn correct_sheet(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(sheet_id): ApiPath<i64>,
    ApiJson(body): ApiJson<CorrectionBody>,
) -> Result<Json<CorrectionView>, WebError> {
    sheets::correct(&state.app, &me, sheet_id, &body.marks, &body.reason).await?;
    Ok(Json(
        sheets::for_correction(&state.app, &me, sheet_id).await?,
    ))
}
