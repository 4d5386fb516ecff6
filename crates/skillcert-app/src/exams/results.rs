//! Results of a session (for the people in the viewer's scope) and item analysis of its
//! graded attempts.

use std::collections::HashMap;

use serde::Serialize;
use skillcert_domain::access::Permission;
use skillcert_domain::exam::analysis::{Analysis, Response, analyze};
use skillcert_domain::exam::answer::Answer;
use skillcert_store::exams::{self as store, ResultRow};

use crate::{Actor, App, AppError, AppResult};

/// A session's results for the viewer's departments.
pub async fn list(app: &App, actor: &Actor, session_id: i64) -> AppResult<Vec<ResultRow>> {
    let filter = actor.department_filter(Permission::ExamResults)?;
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    store::get_session(c, session_id).await?;
    Ok(store::results(c, session_id, filter.as_deref()).await?)
}

/// Item analysis with the question code of each item (questions drawn by rules differ
/// between candidates, so items are questions, not positions).
#[derive(Debug, Clone, Serialize)]
pub struct SessionAnalysis {
    pub session_id: i64,
    pub analysis: Option<Analysis>,
    /// Question id → code, for links.
    pub codes: HashMap<String, i64>,
}

/// Item analysis of every graded attempt of a session. Needs results for the whole company
/// (analysis is about questions, and a department's subset would mislead).
pub async fn analysis(app: &App, actor: &Actor, session_id: i64) -> AppResult<SessionAnalysis> {
    if actor.department_filter(Permission::ExamResults)?.is_some() {
        return Err(AppError::Forbidden);
    }
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    store::get_session(c, session_id).await?;
    let rows = store::graded_items(c, session_id).await?;
    let mut responses = Vec::with_capacity(rows.len());
    let mut codes = HashMap::new();
    let mut code_of: HashMap<i64, String> = HashMap::new();
    for (attempt_id, position, score, answer) in rows {
        let paper = app.exams.attempt(c, attempt_id).await?;
        let Some(item) = paper.items.get(position.max(0) as usize) else {
            continue;
        };
        let code = match code_of.get(&item.question_id) {
            Some(code) => code.clone(),
            None => {
                let code = skillcert_store::questions::get(c, item.question_id)
                    .await?
                    .code;
                code_of.insert(item.question_id, code.clone());
                codes.insert(code.clone(), item.question_id);
                code
            }
        };
        let choice = answer
            .as_deref()
            .and_then(|j| serde_json::from_str::<Answer>(j).ok())
            .and_then(|a| a.choice_label());
        responses.push(Response {
            candidate: format!("{}#{}", paper.employee_id, attempt_id),
            question: code,
            score: f64::from(score) / 100.0,
            max: f64::from(item.points) / 100.0,
            choice,
        });
    }
    let analysis = if responses.is_empty() {
        None
    } else {
        Some(analyze(&responses).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?)
    };
    Ok(SessionAnalysis {
        session_id,
        analysis,
        codes,
    })
}
