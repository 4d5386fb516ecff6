//! The candidate side of exams: the sessions one may sit, starting or resuming an attempt,
//! saving answers one at a time, submitting.
//!
//! A save is answered 200 only after it is durable; a retry of the same
//! `(attempt, position, seq)` is answered 200 again with `duplicate: true`.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use skillcert_app::exams::attempts::{self, AttemptView, CandidateSession, SaveAck, Submitted};
use skillcert_domain::exam::answer::Answer;

use super::extract::{ApiJson, ApiPath};
use super::{Operation, PREFIX, created, get, post, put};
use crate::error::WebError;
use crate::session::Me;
use crate::state::AppState;

pub fn operations() -> Vec<Operation> {
    vec![
        get("/my/exams", my_exams),
        post("/exam-sessions/{id}/attempts", start),
        get("/attempts/{id}", view),
        put("/attempts/{id}/answers/{position}", save),
        post("/attempts/{id}/submit", submit),
    ]
}

pub async fn my_exams(
    State(state): State<AppState>,
    Me(me): Me,
) -> Result<Json<Vec<CandidateSession>>, WebError> {
    Ok(Json(attempts::my_sessions(&state.app, &me).await?))
}

/// 201 for a new attempt, 200 when the open one is resumed.
pub async fn start(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, WebError> {
    let (view, resumed) = attempts::start(&state.app, &me, id).await?;
    Ok(if resumed {
        Json(view).into_response()
    } else {
        created(format!("{PREFIX}/attempts/{}", view.attempt_id), view)
    })
}

pub async fn view(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AttemptView>, WebError> {
    Ok(Json(attempts::view(&state.app, &me, id).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveBody {
    /// The client's sequence number: positive, increasing per attempt.
    pub seq: i64,
    pub answer: Answer,
}

pub async fn save(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath((id, position)): ApiPath<(i64, i32)>,
    ApiJson(body): ApiJson<SaveBody>,
) -> Result<Json<SaveAck>, WebError> {
    Ok(Json(
        attempts::save(&state.app, &me, id, position, body.seq, body.answer).await?,
    ))
}

pub async fn submit(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Submitted>, WebError> {
    Ok(Json(attempts::submit(&state.app, &me, id).await?))
}
