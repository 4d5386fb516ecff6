//! Marking short answers: a queue for markers showing the key points, single or double
//! marking, and a third marker when two marks diverge (domain `exam::marking`).

use serde::{Deserialize, Serialize};
use skillcert_domain::access::Permission;
use skillcert_domain::exam::answer::Answer;
use skillcert_domain::exam::marking::{MarkState, MarkingPolicy, resolve};
use skillcert_domain::exam::question::Body;
use skillcert_domain::org::FieldReason;
use skillcert_domain::scheme::Score;
use skillcert_domain::text::clean_optional;
use skillcert_store::exams::{self as store, MarkRow};

use crate::audit::{self, Author};
use crate::{Actor, App, AppError, AppResult};

/// One answer to mark, with what the marker needs and nothing about the candidate's name.
#[derive(Debug, Clone, Serialize)]
pub struct MarkingTask {
    pub attempt_id: i64,
    pub position: i32,
    pub session_id: i64,
    pub stem: String,
    pub key_points: Vec<String>,
    pub model_answer: Option<String>,
    pub answer: String,
    /// Hundredths.
    pub points: u32,
    /// Which marking this would be: 1, 2 or 3.
    pub round: u8,
    /// Earlier marks are hidden from a second marker (independent marking) but shown to the
    /// third, who decides between them.
    pub earlier: Vec<MarkRow>,
}

fn policy_of(s: &store::SessionRow) -> MarkingPolicy {
    MarkingPolicy {
        double: s.double_marking,
        divergence: s.divergence.max(0) as u32,
    }
}

/// Short answers the marker can mark now (not ones they already marked), oldest first.
pub async fn queue(
    app: &App,
    actor: &Actor,
    session_id: Option<i64>,
    limit: i64,
) -> AppResult<Vec<MarkingTask>> {
    let departments = actor.department_filter(Permission::ExamMark)?;
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let items = store::marking_queue(
        c,
        session_id,
        actor.user_id,
        departments.as_deref(),
        limit.clamp(1, 200),
    )
    .await?;
    let mut out = Vec::with_capacity(items.len());
    for it in items {
        out.push(task(app, c, it.attempt_id, it.position).await?);
    }
    Ok(out)
}

async fn task(
    app: &App,
    c: &mut skillcert_store::Conn<'_>,
    attempt_id: i64,
    position: i32,
) -> AppResult<MarkingTask> {
    let paper = app.exams.attempt(c, attempt_id).await?;
    let item = paper
        .items
        .get(position.max(0) as usize)
        .ok_or(AppError::NotFound)?;
    let q = app
        .exams
        .questions(c, &[item.version_id])
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    let s = store::get_session(c, paper.session_id).await?;
    let marks = store::marks(c, attempt_id, position).await?;
    let state = resolve(
        &marks
            .iter()
            .map(|m| m.score.max(0) as u32)
            .collect::<Vec<_>>(),
        policy_of(&s),
    );
    let round = match state {
        MarkState::Needs { round } => round,
        MarkState::Final(_) => 0,
    };
    let answer = store::answers(c, attempt_id)
        .await?
        .into_iter()
        .find(|a| a.position == position)
        .and_then(|a| a.answer)
        .and_then(|j| serde_json::from_str::<Answer>(&j).ok())
        .map(|a| match a {
            Answer::Text(t) => t,
            other => format!("{other:?}"),
        })
        .unwrap_or_default();
    let (key_points, model_answer) = match &q.body {
        Body::Short {
            key_points,
            model_answer,
        } => (key_points.clone(), model_answer.clone()),
        _ => (Vec::new(), None),
    };
    Ok(MarkingTask {
        attempt_id,
        position,
        session_id: paper.session_id,
        stem: q.stem.clone(),
        key_points,
        model_answer,
        answer,
        points: item.points,
        round,
        earlier: if round == 3 { marks } else { Vec::new() },
    })
}

/// The task for one answer (for the marking form).
pub async fn get_task(
    app: &App,
    actor: &Actor,
    attempt_id: i64,
    position: i32,
) -> AppResult<MarkingTask> {
    actor.require(Permission::ExamMark)?;
    let mut r = app.db.read().await?;
    task(app, &mut r.conn(), attempt_id, position).await
}

/// A mark as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MarkInput {
    /// Points, e.g. `18.5`.
    pub score: String,
    pub comment: String,
}

/// Where a short answer stands after a mark.
#[derive(Debug, Clone, Serialize)]
pub struct MarkOutcome {
    /// Hundredths, when the answer's mark is final.
    pub final_score: Option<i32>,
    /// The next round needed (2 or 3), when not final.
    pub needs_round: Option<u8>,
    /// Set when this mark completed the attempt's grading.
    pub attempt_score: Option<i32>,
}

/// Records one marker's mark. A marker marks an answer once; with double marking a second
/// marker follows, and a third when the two diverge. When the last item of an attempt is
/// final, the attempt is graded.
pub async fn mark(
    app: &App,
    actor: &Actor,
    attempt_id: i64,
    position: i32,
    input: &MarkInput,
) -> AppResult<MarkOutcome> {
    actor.require(Permission::ExamMark)?;
    let score =
        Score::parse(&input.score).map_err(|_| AppError::field("score", FieldReason::BadNumber))?;
    let comment =
        clean_optional(&input.comment, 1000).map_err(|e| AppError::field("comment", e.into()))?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let paper = app.exams.attempt(c, attempt_id).await?;
    let candidate = skillcert_store::org::get_employee(c, paper.employee_id).await?;
    actor.require_in(Permission::ExamMark, candidate.department_id)?;
    let item = paper
        .items
        .get(position.max(0) as usize)
        .ok_or(AppError::NotFound)?;
    if score.hundredths() > item.points {
        return Err(AppError::Unprocessable("mark-above-points"));
    }
    let pending = store::answers(c, attempt_id)
        .await?
        .into_iter()
        .find(|a| a.position == position)
        .is_some_and(|a| a.needs_marking);
    if !pending {
        return Err(AppError::Conflict("not-awaiting-marks"));
    }
    let s = store::get_session(c, paper.session_id).await?;
    let marks = store::marks(c, attempt_id, position).await?;
    if marks.iter().any(|m| m.marker_user_id == actor.user_id) {
        return Err(AppError::Conflict("already-marked"));
    }
    let round = marks.len() as i32 + 1;
    store::insert_mark(
        c,
        attempt_id,
        position,
        round,
        actor.user_id,
        score.hundredths() as i32,
        comment.as_deref(),
        app.now(),
    )
    .await?;
    let mut all: Vec<u32> = marks.iter().map(|m| m.score.max(0) as u32).collect();
    all.push(score.hundredths());
    let mut out = MarkOutcome {
        final_score: None,
        needs_round: None,
        attempt_score: None,
    };
    match resolve(&all, policy_of(&s)) {
        MarkState::Needs { round } => out.needs_round = Some(round),
        MarkState::Final(v) => {
            store::finish_marking(c, attempt_id, position, v as i32).await?;
            out.final_score = Some(v as i32);
            if store::pending_marks(c, attempt_id).await? == 0 {
                let total: i64 = store::answers(c, attempt_id)
                    .await?
                    .iter()
                    .filter_map(|a| a.score)
                    .map(i64::from)
                    .sum();
                let total = total as i32;
                store::set_result(c, attempt_id, Some(total), Some(total >= s.pass_mark)).await?;
                out.attempt_score = Some(total);
            }
        }
    }
    audit::record(
        app,
        c,
        &Author::from(actor),
        "exam_mark.create",
        "exam_attempt",
        format!("{attempt_id}/{position}"),
        None::<&()>,
        Some(&serde_json::json!({ "round": round, "score": score, "final": out.final_score })),
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}
