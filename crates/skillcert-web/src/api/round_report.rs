//! The assessment evaluation report of a round (S1) over the API: one call of
//! `skillcert_app::certification::report::evaluation_report`, which also decides who may
//! see it (whoever may see the round's results).

use axum::Json;
use axum::extract::State;
use skillcert_app::certification::report::{EvaluationReport, evaluation_report};

use super::extract::ApiPath;
use super::{Operation, get};
use crate::error::WebError;
use crate::session::Me;
use crate::state::AppState;

pub fn operations() -> Vec<Operation> {
    vec![get("/rounds/{id}/report", report)]
}

/// `GET /rounds/{id}/report`: module scores, ranking, skills and rubric items weakest
/// first, departments and per-person advice.
pub async fn report(
    State(state): State<AppState>,
    Me(me): Me,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<EvaluationReport>, WebError> {
    Ok(Json(evaluation_report(&state.app, &me, id).await?))
}
