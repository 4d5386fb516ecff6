//! Group commit for exam day: starts, saves and submissions queue here and are applied in
//! batches, one transaction (and one fsync) per batch. A request is answered only after its
//! batch has committed, so an acknowledged answer is durable; a batch that fails as a whole
//! is retried one job per transaction, so one bad job cannot sink the others.

use std::sync::Arc;

use serde::Serialize;
use skillcert_domain::exam::answer::{Answer, Grade, MultiplePolicy, grade};
use skillcert_domain::exam::attempt::{AttemptStatus, SaveOutcome, decide_save};
use skillcert_domain::exam::question::Question;
use skillcert_store::audit::NewAudit;
use skillcert_store::exams as store;
use skillcert_store::{Conn, StoreError};
use tokio::sync::{mpsc, oneshot};

use super::cache::AttemptPaper;
use super::{from_ms, ms};
use crate::audit::{Author, entry};
use crate::{App, AppError, AppResult};

/// Jobs per transaction. Large enough that exam-day bursts cost few fsyncs, small enough
/// that one batch stays well under the save latency target.
const MAX_BATCH: usize = 256;
const QUEUE: usize = 65_536;

pub(crate) struct Writer {
    tx: mpsc::Sender<Job>,
}

struct Job {
    op: Op,
    reply: oneshot::Sender<AppResult<Reply>>,
}

/// Who or what closed an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosedBy {
    Candidate,
    Deadline,
    Staff,
}

impl ClosedBy {
    pub fn key(self) -> &'static str {
        match self {
            ClosedBy::Candidate => "candidate",
            ClosedBy::Deadline => "deadline",
            ClosedBy::Staff => "staff",
        }
    }
}

pub(crate) struct StartOp {
    pub session_id: i64,
    pub employee_id: i64,
    pub allowed: i32,
    pub seed: i64,
    pub paper: Arc<AttemptPaper>,
    pub paper_json: String,
    pub started_ms: i64,
    pub deadline_ms: i64,
    pub max_score: i32,
    pub author: Author,
}

pub(crate) struct SaveOp {
    pub attempt_id: i64,
    pub position: i32,
    pub seq: i64,
    pub answer: Answer,
    pub answer_json: String,
}

pub(crate) struct SubmitOp {
    pub attempt_id: i64,
    pub by: ClosedBy,
    pub author: Author,
    pub paper: Arc<AttemptPaper>,
    pub bodies: Vec<Arc<Question>>,
    pub policy: MultiplePolicy,
    pub pass_mark: i32,
}

pub(crate) enum Op {
    Start(StartOp),
    Save(SaveOp),
    Submit(SubmitOp),
    /// Slides a sign-in session's expiry. On exam day every candidate's requests do this
    /// once a minute; batching it with the saves keeps it from costing an fsync of its own.
    Touch {
        session_id: i64,
        now: chrono::DateTime<chrono::Utc>,
        expires_at: chrono::DateTime<chrono::Utc>,
    },
}

/// The acknowledgement of a save: durable when the client receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SaveAck {
    pub position: i32,
    pub seq: i64,
    pub saved_at: chrono::DateTime<chrono::Utc>,
    /// True when this exact save had already been stored (a retry).
    pub duplicate: bool,
}

/// Where an attempt stands after a submission (or a repeated one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Submitted {
    pub attempt_id: i64,
    pub status: AttemptStatus,
    /// Set when every item is scored; shown to the candidate only as the review policy allows.
    #[serde(skip)]
    pub score: Option<i32>,
    /// Short answers waiting for markers.
    pub awaiting_marks: usize,
}

pub(crate) enum Reply {
    Touched,
    Started {
        attempt_id: i64,
        number: i32,
        resumed: bool,
    },
    Saved(SaveAck),
    Submitted(Submitted),
}

impl Writer {
    fn spawn(app: App) -> Writer {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(run(app, rx));
        Writer { tx }
    }
}

/// Queues `op` and waits until its batch has committed.
pub(crate) async fn write(app: &App, op: Op) -> AppResult<Reply> {
    let w = app.exams.writer.get_or_init(|| Writer::spawn(app.clone()));
    let (reply, rx) = oneshot::channel();
    w.tx.send(Job { op, reply })
        .await
        .map_err(|_| AppError::Internal(anyhow::anyhow!("exam writer stopped")))?;
    rx.await
        .map_err(|_| AppError::Internal(anyhow::anyhow!("exam writer dropped a job")))?
}

async fn run(app: App, mut rx: mpsc::Receiver<Job>) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        let (ops, replies): (Vec<Op>, Vec<_>) = batch.drain(..).map(|j| (j.op, j.reply)).unzip();
        match apply_batch(&app, &ops).await {
            Ok(results) => {
                for (r, tx) in results.into_iter().zip(replies) {
                    let _ = tx.send(r);
                }
            }
            Err(e) if ops.len() == 1 => {
                for tx in replies {
                    let _ = tx.send(Err(AppError::Internal(anyhow::anyhow!("{e}"))));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, jobs = ops.len(), "exam batch failed; retrying one by one");
                for (op, tx) in ops.iter().zip(replies) {
                    let r = match apply_batch(&app, std::slice::from_ref(op)).await {
                        Ok(mut rs) => rs.pop().unwrap_or_else(|| {
                            Err(AppError::Internal(anyhow::anyhow!("empty batch result")))
                        }),
                        Err(e) => Err(e),
                    };
                    let _ = tx.send(r);
                }
            }
        }
    }
}

/// Applies `ops` in one transaction. The outer error means nothing was committed; the inner
/// results are each job's own outcome (a refusal writes nothing).
async fn apply_batch(app: &App, ops: &[Op]) -> AppResult<Vec<AppResult<Reply>>> {
    let mut tx = app.db.begin().await?;
    let mut audits = Vec::new();
    let mut out = Vec::with_capacity(ops.len());
    for op in ops {
        let mut c = tx.conn();
        out.push(apply(app, &mut c, op, &mut audits).await?);
    }
    if !audits.is_empty() {
        skillcert_store::audit::append(&mut tx.conn(), audits).await?;
    }
    tx.commit().await?;
    Ok(out)
}

async fn apply(
    app: &App,
    c: &mut Conn<'_>,
    op: &Op,
    audits: &mut Vec<NewAudit>,
) -> Result<AppResult<Reply>, StoreError> {
    match op {
        Op::Start(s) => start(app, c, s, audits).await,
        Op::Save(s) => save(app, c, s).await,
        Op::Submit(s) => submit(app, c, s, audits).await,
        Op::Touch {
            session_id,
            now,
            expires_at,
        } => {
            skillcert_store::users::touch_session(c, *session_id, *now, *expires_at).await?;
            Ok(Ok(Reply::Touched))
        }
    }
}

async fn start(
    app: &App,
    c: &mut Conn<'_>,
    s: &StartOp,
    audits: &mut Vec<NewAudit>,
) -> Result<AppResult<Reply>, StoreError> {
    let existing = store::attempt_numbers(c, s.session_id, s.employee_id).await?;
    if let Some((id, _, number)) = existing.iter().find(|(_, st, _)| st == "open") {
        return Ok(Ok(Reply::Started {
            attempt_id: *id,
            number: *number,
            resumed: true,
        }));
    }
    let used = existing.iter().map(|a| a.2).max().unwrap_or(0);
    if used >= s.allowed {
        return Ok(Err(AppError::Conflict("attempts-exhausted")));
    }
    let new = store::NewAttempt {
        session_id: s.session_id,
        employee_id: s.employee_id,
        number: used + 1,
        seed: s.seed,
        paper: &s.paper_json,
        status: "open",
        started_at_ms: s.started_ms,
        deadline_ms: s.deadline_ms,
        max_score: s.max_score,
    };
    let Some(id) = store::insert_attempt(c, &new).await? else {
        // Another instance opened one between our read and insert: the index refused a
        // second open attempt, so resume that one.
        let open = store::open_attempt(c, s.session_id, s.employee_id).await?;
        return Ok(match open {
            Some(id) => Ok(Reply::Started {
                attempt_id: id,
                number: used + 1,
                resumed: true,
            }),
            None => Err(AppError::Conflict("conflict")),
        });
    };
    app.exams.remember_attempt(id, s.paper.clone());
    audits.push(entry(
        app,
        &s.author,
        "exam_attempt.start",
        "exam_attempt",
        Some(id.to_string()),
        None::<&()>,
        Some(&serde_json::json!({
            "session_id": s.session_id,
            "employee_id": s.employee_id,
            "number": used + 1,
            "seed": s.seed,
            "deadline": from_ms(s.deadline_ms),
        })),
    ));
    Ok(Ok(Reply::Started {
        attempt_id: id,
        number: used + 1,
        resumed: false,
    }))
}

async fn save(app: &App, c: &mut Conn<'_>, s: &SaveOp) -> Result<AppResult<Reply>, StoreError> {
    let row = store::save_state(c, s.attempt_id, s.position).await?;
    let Some((status, deadline_ms, seq, stored)) = row else {
        return Ok(Err(AppError::NotFound));
    };
    let status = AttemptStatus::parse(&status)
        .ok_or_else(|| StoreError::Corrupt(format!("attempt status {status}")))?;
    let stored_answer: Option<Answer> =
        stored.as_deref().and_then(|j| serde_json::from_str(j).ok());
    let stored = match (seq, &stored_answer) {
        (Some(q), Some(a)) if q > 0 => Some((q, a)),
        _ => None,
    };
    let now = app.now();
    match decide_save(status, from_ms(deadline_ms), now, stored, s.seq, &s.answer) {
        Err(refusal) => Ok(Err(match refusal.code() {
            "answer-bad-sequence" => AppError::Unprocessable("answer-bad-sequence"),
            code => AppError::Conflict(code),
        })),
        Ok(SaveOutcome::Duplicate) => Ok(Ok(Reply::Saved(SaveAck {
            position: s.position,
            seq: s.seq,
            saved_at: now,
            duplicate: true,
        }))),
        Ok(SaveOutcome::Apply) => {
            store::put_answer(c, s.attempt_id, s.position, s.seq, &s.answer_json, ms(now)).await?;
            Ok(Ok(Reply::Saved(SaveAck {
                position: s.position,
                seq: s.seq,
                saved_at: now,
                duplicate: false,
            })))
        }
    }
}

async fn submit(
    app: &App,
    c: &mut Conn<'_>,
    s: &SubmitOp,
    audits: &mut Vec<NewAudit>,
) -> Result<AppResult<Reply>, StoreError> {
    let (status, deadline_ms) = match store::attempt_state(c, s.attempt_id).await {
        Ok(st) => st,
        Err(StoreError::NotFound) => return Ok(Err(AppError::NotFound)),
        Err(e) => return Err(e),
    };
    let now = app.now();
    if status != "open" {
        // Submitting twice (a retried request, or the deadline sweeper racing the candidate)
        // reports the attempt as it stands.
        return Ok(Ok(Reply::Submitted(
            summary(c, s.attempt_id, &status).await?,
        )));
    }
    if s.by == ClosedBy::Deadline && deadline_ms > ms(now) {
        // Extra time was granted after the sweeper looked.
        return Ok(Ok(Reply::Submitted(
            summary(c, s.attempt_id, &status).await?,
        )));
    }
    // A candidate's own submission after the deadline still closes the attempt (as the
    // sweeper would have); answers saved before the deadline count.
    let closed_at = ms(now).min(deadline_ms);
    store::close_attempt(c, s.attempt_id, s.by.key(), closed_at).await?;
    let answers = store::answers(c, s.attempt_id).await?;
    let mut total: i64 = 0;
    let mut pending = 0usize;
    let mut grades: Vec<(i32, Option<i32>, bool)> = Vec::with_capacity(s.paper.items.len());
    for (pos, (item, body)) in s.paper.items.iter().zip(&s.bodies).enumerate() {
        let pos = pos as i32;
        let answer: Option<Answer> = answers
            .iter()
            .find(|a| a.position == pos)
            .and_then(|a| a.answer.as_deref())
            .and_then(|j| serde_json::from_str(j).ok());
        match grade(&body.body, answer.as_ref(), item.points, s.policy) {
            Grade::Auto(p) => {
                total += i64::from(p);
                grades.push((pos, Some(p as i32), false));
            }
            Grade::Manual => {
                if answer.as_ref().is_some_and(Answer::is_given) {
                    pending += 1;
                    grades.push((pos, None, true));
                } else {
                    // Nothing written: nothing to mark.
                    grades.push((pos, Some(0), false));
                }
            }
        }
    }
    store::grade_items(c, s.attempt_id, &grades, ms(now)).await?;
    let score = (pending == 0).then_some(total as i32);
    store::set_result(c, s.attempt_id, score, score.map(|sc| sc >= s.pass_mark)).await?;
    audits.push(entry(
        app,
        &s.author,
        "exam_attempt.submit",
        "exam_attempt",
        Some(s.attempt_id.to_string()),
        None::<&()>,
        Some(&serde_json::json!({
            "closed_by": s.by,
            "objective_score": total,
            "awaiting_marks": pending,
        })),
    ));
    Ok(Ok(Reply::Submitted(Submitted {
        attempt_id: s.attempt_id,
        status: if pending == 0 {
            AttemptStatus::Graded
        } else {
            AttemptStatus::Submitted
        },
        score,
        awaiting_marks: pending,
    })))
}

async fn summary(c: &mut Conn<'_>, attempt_id: i64, status: &str) -> Result<Submitted, StoreError> {
    let a = store::get_attempt(c, attempt_id).await?;
    let pending = store::pending_marks(c, attempt_id).await?;
    Ok(Submitted {
        attempt_id,
        status: AttemptStatus::parse(status).unwrap_or(AttemptStatus::Submitted),
        score: a.score,
        awaiting_marks: pending as usize,
    })
}
