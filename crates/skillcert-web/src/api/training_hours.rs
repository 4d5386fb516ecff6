//! Training hours (issue 7 items 7–8): the ledger, external training with proof and its
//! approval, the compliance page with reminders, and the compliance rules. Over the JSON
//! API; every handler is one call of `skillcert_app::training`.

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::response::Response;
use serde::Deserialize;
use skillcert_app::store::training_records::ExternalRow;
use skillcert_app::training::compliance::{self, CompliancePage, ComplianceQuery, RulesView};
use skillcert_app::training::hours::{self, ExternalFilter, ExternalInput, Ledger, Proof};
use skillcert_app::{AppError, Page, Problem};

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{Operation, PREFIX, created, get, post, put};
use crate::error::WebError;
use crate::html::download::inline;
use crate::session::Me;
use crate::state::AppState;
use crate::upload;

pub fn operations() -> Vec<Operation> {
    vec![
        get("/my-training/hours", my_ledger),
        post("/my-training/external-trainings", record_external),
        get("/external-trainings", list_external),
        get("/external-trainings/{id}", get_external),
        get("/external-trainings/{id}/proof", proof),
        post("/external-trainings/{id}/decision", decide),
        get("/compliance", compliance_page),
        post("/compliance/reminders", reminders),
        get("/compliance/rules", rules),
        put("/compliance/rules", save_rules),
    ]
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct YearQuery {
    pub year: Option<i32>,
}

/// `GET /my-training/hours?year=`: the signed-in employee's ledger of the year.
pub async fn my_ledger(
    State(state): State<AppState>,
    Me(me): Me,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> Result<Json<Ledger>, WebError> {
    Ok(Json(hours::my_ledger(&state.app, &me, q.year).await?))
}

/// `POST /my-training/external-trainings` (multipart): the fields of [`ExternalInput`] and
/// the proof as `file`.
pub async fn record_external(
    State(state): State<AppState>,
    Me(me): Me,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let mut form = upload::read(mp).await?;
    let field = |k: &str| form.field(k).unwrap_or_default().to_string();
    let input = ExternalInput {
        title: field("title"),
        provider: field("provider"),
        held_on: field("held_on"),
        hours: field("hours"),
        level: field("level"),
    };
    let proof = form
        .take_file()
        .map(|(filename, bytes)| Proof { filename, bytes });
    let id = hours::record_external(&state.app, &me, &input, proof.as_ref()).await?;
    let x = hours::get_external(&state.app, &me, id).await?;
    Ok(created(format!("{PREFIX}/external-trainings/{id}"), x))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExternalListQuery {
    pub status: Option<String>,
    pub employee_no: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// `GET /external-trainings?status=&employee_no=&page=&per_page=`: the approval queue.
pub async fn list_external(
    State(state): State<AppState>,
    Me(me): Me,
    ApiQuery(q): ApiQuery<ExternalListQuery>,
) -> Result<Json<Page<ExternalRow>>, WebError> {
    let f = ExternalFilter {
        status: q.status.unwrap_or_default(),
        employee_no: q.employee_no.unwrap_or_default(),
        page: q.page.unwrap_or(1),
        per_page: q.per_page.unwrap_or(50).clamp(1, 200),
    };
    Ok(Json(hours::list_external(&state.app, &me, &f).await?))
}

pub async fn get_external(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ExternalRow>, WebError> {
    Ok(Json(hours::get_external(&state.app, &me, id).await?))
}

pub async fn proof(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, WebError> {
    let (name, content_type, bytes) = hours::proof(&state.app, &me, id).await?;
    Ok(inline(bytes, &content_type, &name))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionBody {
    pub approve: Option<bool>,
    pub note: String,
}

/// `POST /external-trainings/{id}/decision {approve, note}`.
pub async fn decide(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<Json<ExternalRow>, WebError> {
    me.require(skillcert_domain::access::Permission::TrainingManage)?;
    let Some(approve) = body.approve else {
        return Err(AppError::Rejected(vec![Problem::new("approve", "external-decision")]).into());
    };
    Ok(Json(
        hours::decide_external(&state.app, &me, id, approve, &body.note).await?,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ComplianceParams {
    pub year: Option<i32>,
    pub department_id: Option<i64>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// `GET /compliance?year=&department_id=&page=&per_page=`.
pub async fn compliance_page(
    State(state): State<AppState>,
    Me(me): Me,
    ApiQuery(q): ApiQuery<ComplianceParams>,
) -> Result<Json<CompliancePage>, WebError> {
    let query = ComplianceQuery {
        year: q.year,
        department_id: q.department_id,
        page: q.page.unwrap_or(1),
        per_page: q
            .per_page
            .unwrap_or(compliance::PER_PAGE)
            .clamp(1, compliance::PER_PAGE_MAX),
    };
    Ok(Json(compliance::page(&state.app, &me, &query).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RemindBody {
    pub year: Option<i32>,
}

#[derive(Debug, serde::Serialize)]
pub struct Reminded {
    pub year: Option<i32>,
    /// Employees reminded now (those reminded before this year are not counted again).
    pub reminded: usize,
}

/// `POST /compliance/reminders {year}`.
pub async fn reminders(
    State(state): State<AppState>,
    Me(me): Me,
    ApiJson(body): ApiJson<RemindBody>,
) -> Result<Json<Reminded>, WebError> {
    let n = compliance::send_reminders(&state.app, &me, body.year).await?;
    Ok(Json(Reminded {
        year: body.year,
        reminded: n,
    }))
}

pub async fn rules(State(state): State<AppState>, Me(me): Me) -> Result<Json<RulesView>, WebError> {
    Ok(Json(compliance::rules(&state.app, &me).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RulesBody {
    pub document: String,
}

/// `PUT /compliance/rules {document}`: a new version; answers with the rules in force.
pub async fn save_rules(
    State(state): State<AppState>,
    Me(me): Me,
    ApiJson(body): ApiJson<RulesBody>,
) -> Result<Json<RulesView>, WebError> {
    compliance::save_rules(&state.app, &me, &body.document).await?;
    Ok(Json(compliance::rules(&state.app, &me).await?))
}
