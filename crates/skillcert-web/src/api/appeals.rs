//! Appeals, the inbox and the employee's certification over the API: filing an appeal
//! against one's own result, the reviewers' queue, one appeal with the result before and
//! after, the decision (uphold or re-score); the signed-in user's messages rendered in the
//! request's language and marking them read; everything the "my certification" page shows.
//! The views are the pages' own (`html::appeals`), so both show the same data.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use skillcert_app::certification::appeals::{self as appeal_service, AppealInput, DecisionInput};
use skillcert_app::certification::inbox::{self, Message};
use skillcert_app::store::certification::AppealRow;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{Operation, PREFIX, created, get, post};
use crate::error::WebError;
use crate::html::appeals::{
    AppealView, MyCertification, appeal_view, inbox_text, my_certification,
};
use crate::i18n::Lang;
use crate::session::Me;
use crate::state::AppState;

pub fn operations() -> Vec<Operation> {
    vec![
        get("/appeals", list),
        post("/results/{id}/appeals", file),
        get("/appeals/{id}", show),
        post("/appeals/{id}/decision", decide),
        post("/appeals/{id}/panel", open_panel),
        get("/inbox", inbox_list),
        post("/inbox/read", read_all),
        post("/inbox/{id}/read", read_one),
        get("/me/certification", mine),
    ]
}

// ---------- appeals ----------

/// `GET /appeals`: the pending queue, oldest first, for reviewers; one's own appeals,
/// newest first, for everyone else with an employee record.
pub async fn list(
    State(state): State<AppState>,
    Me(me): Me,
) -> Result<Json<Vec<AppealRow>>, WebError> {
    Ok(Json(appeal_service::list(&state.app, &me).await?))
}

/// `POST /results/{id}/appeals`: the signed-in employee appeals their own result.
pub async fn file(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<AppealInput>,
) -> Result<Response, WebError> {
    let appeal = appeal_service::file(&state.app, &me, id, &input).await?;
    let (view, _) = appeal_view(&state.app, &me, appeal, lang).await?;
    Ok(created(format!("{PREFIX}/appeals/{appeal}"), view))
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AppealView>, WebError> {
    Ok(Json(appeal_view(&state.app, &me, id, lang).await?.0))
}

/// The decision body: `scores` values may be text (`"86.5"`, `"85, 88, 90"`), numbers, or
/// for a panel component a list of marks.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionBody {
    pub decision: String,
    pub note: String,
    pub scores: BTreeMap<String, Value>,
}

fn score_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Null => Some(String::new()),
        Value::Array(items) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map(|v| v.join(", ")),
        _ => None,
    }
}

/// `POST /appeals/{id}/decision`: uphold, or re-score into a new revision of the result.
pub async fn decide(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<Json<AppealView>, WebError> {
    let mut scores = BTreeMap::new();
    for (k, v) in &body.scores {
        let text = score_text(v).ok_or(WebError::BadRequest("bad-json"))?;
        scores.insert(k.clone(), text);
    }
    let input = DecisionInput {
        decision: body.decision,
        note: body.note,
        scores,
    };
    appeal_service::decide(&state.app, &me, id, &input).await?;
    Ok(Json(appeal_view(&state.app, &me, id, lang).await?.0))
}

/// `POST /appeals/{id}/panel`: opens a new panel (a copy of the original event for this
/// candidate, the original judges excluded) for the re-score of a panel component.
pub async fn open_panel(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, WebError> {
    let event = appeal_service::open_panel(&state.app, &me, id).await?;
    let (view, _) = appeal_view(&state.app, &me, id, lang).await?;
    Ok(created(format!("{PREFIX}/events/{event}"), view))
}

// ---------- inbox ----------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InboxQuery {
    pub page: Option<i64>,
}

/// A message with its text in the request's language.
#[derive(Debug, Serialize)]
pub struct InboxItem {
    #[serde(flatten)]
    pub message: Message,
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct InboxPage {
    pub items: Vec<InboxItem>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// Unread messages in all pages.
    pub unread: i64,
}

/// `GET /inbox?page=`: the signed-in user's messages, newest first, 50 a page.
pub async fn inbox_list(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    ApiQuery(q): ApiQuery<InboxQuery>,
) -> Result<Json<InboxPage>, WebError> {
    let page = inbox::list(&state.app, &me, q.page.unwrap_or(1).max(1)).await?;
    let unread = inbox::unread(&state.app, &me).await?;
    Ok(Json(InboxPage {
        items: page
            .items
            .into_iter()
            .map(|m| InboxItem {
                text: inbox_text(lang, &m),
                message: m,
            })
            .collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        unread,
    }))
}

#[derive(Debug, Serialize)]
pub struct Marked {
    /// Messages that were unread and are now read.
    pub marked: u64,
    /// Unread messages left.
    pub unread: i64,
}

pub async fn read_all(State(state): State<AppState>, Me(me): Me) -> Result<Json<Marked>, WebError> {
    let marked = inbox::mark_read(&state.app, &me, None).await?;
    let unread = inbox::unread(&state.app, &me).await?;
    Ok(Json(Marked { marked, unread }))
}

/// `POST /inbox/{id}/read`: only the caller's own message is marked; another user's id
/// marks nothing.
pub async fn read_one(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Marked>, WebError> {
    let marked = inbox::mark_read(&state.app, &me, Some(id)).await?;
    let unread = inbox::unread(&state.app, &me).await?;
    Ok(Json(Marked { marked, unread }))
}

// ---------- my certification ----------

pub async fn mine(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
) -> Result<Json<MyCertification>, WebError> {
    Ok(Json(my_certification(&state.app, &me, lang).await?))
}
