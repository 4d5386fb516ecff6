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
    // Items in the order of their codes (attempts saw them shuffled).
    responses.sort_by(|a, b| a.question.cmp(&b.question));
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

/// One option as the candidate saw it: the letter shown, the text, and whether it is keyed.
#[derive(Debug, Clone, Serialize)]
pub struct SeenOption {
    pub label: char,
    pub index: u8,
    pub text: String,
    pub keyed: bool,
    pub chosen: bool,
}

/// One question of an attempt exactly as drawn, with the answer, key and marks.
#[derive(Debug, Clone, Serialize)]
pub struct SeenItem {
    pub position: i32,
    pub question_id: i64,
    pub question_code: String,
    pub version: i32,
    pub qtype: skillcert_domain::exam::question::QuestionType,
    pub stem: String,
    /// Hundredths.
    pub points: u32,
    pub options: Vec<SeenOption>,
    /// True/false: the key and the answer given.
    pub truth_key: Option<bool>,
    pub truth_answer: Option<bool>,
    /// Short answers: the text and what markers look for.
    pub text_answer: Option<String>,
    pub key_points: Vec<String>,
    pub saved_seq: i64,
    pub score: Option<i32>,
    pub needs_marking: bool,
    pub marks: Vec<store::MarkRow>,
}

/// An attempt for the people who review results: the paper exactly as the candidate saw it
/// (question versions, option order), what they answered and how it was scored.
#[derive(Debug, Clone, Serialize)]
pub struct AttemptDetail {
    pub attempt: store::AttemptRow,
    pub seed: String,
    pub employee_no: String,
    pub name: String,
    pub session_id: i64,
    pub session_code: String,
    pub session_title: String,
    pub items: Vec<SeenItem>,
}

pub async fn attempt_detail(app: &App, actor: &Actor, attempt_id: i64) -> AppResult<AttemptDetail> {
    use skillcert_domain::exam::question::{Body, letter};
    actor.require(Permission::ExamResults)?;
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let a = store::get_attempt(c, attempt_id).await?;
    let e = skillcert_store::org::get_employee(c, a.employee_id).await?;
    actor.require_in(Permission::ExamResults, e.department_id)?;
    let s = store::get_session(c, a.session_id).await?;
    let paper = app.exams.attempt(c, attempt_id).await?;
    let ids: Vec<i64> = paper.items.iter().map(|i| i.version_id).collect();
    let versions = skillcert_store::questions::versions(c, &ids).await?;
    let answers = store::answers(c, attempt_id).await?;
    let mut items = Vec::with_capacity(paper.items.len());
    for (pos, item) in paper.items.iter().enumerate() {
        let pos = pos as i32;
        let v = versions
            .iter()
            .find(|v| v.id == item.version_id)
            .ok_or(AppError::NotFound)?;
        let row = answers.iter().find(|x| x.position == pos);
        let answer: Option<Answer> = row
            .and_then(|x| x.answer.as_deref())
            .and_then(|j| serde_json::from_str(j).ok());
        let chosen: Vec<u8> = match &answer {
            Some(Answer::Choice(c)) => c.clone(),
            _ => Vec::new(),
        };
        let keyed: Vec<u8> = match &v.question.body {
            Body::Single { key, .. } => vec![*key],
            Body::Multiple { key, .. } => key.clone(),
            _ => Vec::new(),
        };
        let options = item
            .order
            .iter()
            .enumerate()
            .filter_map(|(shown, idx)| {
                v.question
                    .body
                    .options()
                    .get(usize::from(*idx))
                    .map(|text| SeenOption {
                        label: letter(shown as u8),
                        index: *idx,
                        text: text.clone(),
                        keyed: keyed.contains(idx),
                        chosen: chosen.contains(idx),
                    })
            })
            .collect();
        let marks = if matches!(v.question.body, Body::Short { .. }) {
            store::marks(c, attempt_id, pos).await?
        } else {
            Vec::new()
        };
        items.push(SeenItem {
            position: pos,
            question_id: item.question_id,
            question_code: skillcert_store::questions::get(c, item.question_id)
                .await?
                .code,
            version: v.version,
            qtype: v.question.body.qtype(),
            stem: v.question.stem.clone(),
            points: item.points,
            options,
            truth_key: match v.question.body {
                Body::TrueFalse { key } => Some(key),
                _ => None,
            },
            truth_answer: match answer {
                Some(Answer::Truth(t)) => Some(t),
                _ => None,
            },
            text_answer: match &answer {
                Some(Answer::Text(t)) => Some(t.clone()),
                _ => None,
            },
            key_points: match &v.question.body {
                Body::Short { key_points, .. } => key_points.clone(),
                _ => Vec::new(),
            },
            saved_seq: row.map_or(0, |x| x.seq),
            score: row.and_then(|x| x.score),
            needs_marking: row.is_some_and(|x| x.needs_marking),
            marks,
        });
    }
    Ok(AttemptDetail {
        // The seed is shown as text: it is a 64-bit number that JSON clients may round.
        seed: (a.seed as u64).to_string(),
        attempt: a,
        employee_no: e.employee_no,
        name: e.name,
        session_id: s.id,
        session_code: s.code,
        session_title: s.title,
        items,
    })
}
