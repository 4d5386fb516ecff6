//! Training needs (issue 7 items 1–2) over the JSON API: the competency model's writes
//! (`GET /skills` is the question bank's), needs surveys with their phases, the employee's
//! answer, the supervisor's ratings, and the needs-analysis report with its draft plan.
//! Every handler is one call of `skillcert_app::training`.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use skillcert_app::Page;
use skillcert_app::store::training::SurveySummary;
use skillcert_app::store::training_more::needs::{PhaseQuery, RateQuery, SkillRow};
use skillcert_app::training::needs::{self as needs_service, NeedsReport};
use skillcert_app::training::skills::{self as skills_service, SkillInput};
use skillcert_app::training::surveys::{
    self as surveys_service, AnswerSheet, MySurvey, RateSheet, SurveyDetail, SurveyInput,
};
use skillcert_domain::training::survey::{DraftTopic, RawAnswer, RawSupervisorRating};

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{Operation, PREFIX, created, get, post, put};
use crate::error::WebError;
use crate::session::Me;
use crate::state::AppState;

pub fn operations() -> Vec<Operation> {
    vec![
        post("/skills", create_skill),
        put("/skills/{code}", update_skill),
        get("/surveys", list),
        post("/surveys", create),
        get("/surveys/{id}", get_survey),
        put("/surveys/{id}", update),
        post("/surveys/{id}/open", open),
        post("/surveys/{id}/close", close),
        get("/me/surveys", mine),
        get("/surveys/{id}/response", sheet),
        put("/surveys/{id}/response", answer),
        get("/surveys/{id}/ratings", rate_sheet),
        put("/surveys/{id}/ratings/{employee_id}", rate),
        get("/surveys/{id}/report", report),
        post("/surveys/{id}/draft-plan", draft_plan),
    ]
}

// ---------- skills ----------

pub async fn create_skill(
    State(state): State<AppState>,
    Me(me): Me,
    ApiJson(input): ApiJson<SkillInput>,
) -> Result<Response, WebError> {
    let row = skills_service::create(&state.app, &me, &input).await?;
    Ok(created(format!("{PREFIX}/skills/{}", row.code), row))
}

pub async fn update_skill(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(code): ApiPath<String>,
    ApiJson(input): ApiJson<SkillInput>,
) -> Result<Json<SkillRow>, WebError> {
    Ok(Json(
        skills_service::update(&state.app, &me, &code, &input).await?,
    ))
}

// ---------- surveys ----------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SurveyListQuery {
    pub q: Option<String>,
    pub phase: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// `GET /surveys?q=&phase=&page=&per_page=`: newest first, with invitee and response counts.
pub async fn list(
    State(state): State<AppState>,
    Me(me): Me,
    ApiQuery(q): ApiQuery<SurveyListQuery>,
) -> Result<Json<Page<SurveySummary>>, WebError> {
    let query = PhaseQuery {
        search: q.q.filter(|s| !s.trim().is_empty()),
        phase: q.phase.filter(|s| !s.trim().is_empty()),
        page: q.page.unwrap_or(1).max(1),
        per_page: q.per_page.unwrap_or(50).clamp(1, 200),
    };
    Ok(Json(surveys_service::list(&state.app, &me, &query).await?))
}

pub async fn create(
    State(state): State<AppState>,
    Me(me): Me,
    ApiJson(input): ApiJson<SurveyInput>,
) -> Result<Response, WebError> {
    let row = surveys_service::create(&state.app, &me, &input).await?;
    let d = surveys_service::detail(&state.app, &me, row.id).await?;
    Ok(created(format!("{PREFIX}/surveys/{}", row.id), d))
}

pub async fn get_survey(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SurveyDetail>, WebError> {
    Ok(Json(surveys_service::detail(&state.app, &me, id).await?))
}

pub async fn update(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<SurveyInput>,
) -> Result<Json<SurveyDetail>, WebError> {
    surveys_service::update(&state.app, &me, id, &input).await?;
    Ok(Json(surveys_service::detail(&state.app, &me, id).await?))
}

/// The survey after opening, with the number invited.
#[derive(Debug, Serialize)]
pub struct Opened {
    pub survey: SurveyDetail,
    pub invited: u64,
}

pub async fn open(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Opened>, WebError> {
    let invited = surveys_service::open(&state.app, &me, id).await?;
    Ok(Json(Opened {
        survey: surveys_service::detail(&state.app, &me, id).await?,
        invited,
    }))
}

pub async fn close(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SurveyDetail>, WebError> {
    surveys_service::close(&state.app, &me, id).await?;
    Ok(Json(surveys_service::detail(&state.app, &me, id).await?))
}

// ---------- answering ----------

pub async fn mine(
    State(state): State<AppState>,
    Me(me): Me,
) -> Result<Json<Vec<MySurvey>>, WebError> {
    Ok(Json(surveys_service::mine(&state.app, &me).await?))
}

pub async fn sheet(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AnswerSheet>, WebError> {
    Ok(Json(surveys_service::sheet(&state.app, &me, id).await?))
}

/// `PUT /surveys/{id}/response`: the signed-in employee's answer, replacing an earlier one.
pub async fn answer(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(raw): ApiJson<RawAnswer>,
) -> Result<Json<AnswerSheet>, WebError> {
    surveys_service::answer(&state.app, &me, id, &raw).await?;
    Ok(Json(surveys_service::sheet(&state.app, &me, id).await?))
}

// ---------- supervisor ratings ----------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RateListQuery {
    pub q: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

pub async fn rate_sheet(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<RateListQuery>,
) -> Result<Json<RateSheet>, WebError> {
    me.require(skillcert_domain::access::Permission::TeamRate)?;
    let query = RateQuery {
        search: q.q.filter(|s| !s.trim().is_empty()),
        page: q.page.unwrap_or(1).max(1),
        per_page: q.per_page.unwrap_or(50).clamp(1, 200),
    };
    Ok(Json(
        surveys_service::rate_sheet(&state.app, &me, id, &query).await?,
    ))
}

/// A supervisor's rating as sent: skill code → `"1"`…`"5"` or a number; blank or absent
/// skills are "not rated".
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RatingBody {
    pub ratings: std::collections::BTreeMap<String, serde_json::Value>,
}

fn text_of(v: &serde_json::Value) -> Result<String, WebError> {
    Ok(match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::Null => String::new(),
        _ => return Err(WebError::BadRequest("bad-json")),
    })
}

pub async fn rate(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath((id, employee_id)): ApiPath<(i64, i64)>,
    ApiJson(body): ApiJson<RatingBody>,
) -> Result<Json<RateSheet>, WebError> {
    me.require(skillcert_domain::access::Permission::TeamRate)?;
    let mut raw = RawSupervisorRating::default();
    for (k, v) in &body.ratings {
        let text = text_of(v)?;
        if !text.trim().is_empty() {
            raw.ratings.insert(k.clone(), text);
        }
    }
    surveys_service::rate(&state.app, &me, id, employee_id, &raw).await?;
    let q = RateQuery {
        search: None,
        page: 1,
        per_page: 200,
    };
    let mut sheet = surveys_service::rate_sheet(&state.app, &me, id, &q).await?;
    sheet.people.items.retain(|p| p.employee_id == employee_id);
    sheet.people.total = i64::try_from(sheet.people.items.len()).unwrap_or(0);
    Ok(Json(sheet))
}

// ---------- the report ----------

/// The report with the draft topics a plan would take.
#[derive(Debug, Serialize)]
pub struct ReportBody {
    #[serde(flatten)]
    pub report: NeedsReport,
    pub draft_topics: Vec<DraftTopic>,
}

pub async fn report(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ReportBody>, WebError> {
    let report = needs_service::report(&state.app, &me, id).await?;
    let draft_topics = needs_service::draft_topics(&report, needs_service::DRAFT_TOPICS);
    Ok(Json(ReportBody {
        report,
        draft_topics,
    }))
}

/// The draft plan's id and where to find it.
#[derive(Debug, Serialize)]
pub struct DraftPlan {
    pub plan_id: i64,
    pub location: String,
}

pub async fn draft_plan(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, WebError> {
    let plan_id = needs_service::draft_plan(&state.app, &me, id).await?;
    let location = format!("/training/plans/{plan_id}");
    Ok(created(location.clone(), DraftPlan { plan_id, location }))
}
