//! The candidate's side of an exam: the sessions they may sit, starting or resuming an
//! attempt, saving answers, submitting, and the deadline sweeper that closes what is left.
//!
//! Nothing here sends a key, a correctness flag or a score to the candidate unless the
//! session's review policy allows it ([`visibility`]).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;
use serde::Serialize;
use skillcert_domain::exam::answer::Answer;
use skillcert_domain::exam::attempt::{
    AttemptStatus, ReviewPolicy, Visibility, deadline, visibility,
};
use skillcert_domain::exam::question::{Body, Question, QuestionType, letter};
use skillcert_store::exams::{self as store, SessionRow};
use skillcert_store::{Conn, org};

use super::cache::AttemptPaper;
use super::writer::{self, ClosedBy, Op, Reply, SaveOp, StartOp, SubmitOp};
pub use super::writer::{SaveAck, Submitted};
use super::{from_ms, ms};
use crate::audit::Author;
use crate::{Actor, App, AppError, AppResult};

/// A session in the candidate's list.
#[derive(Debug, Clone, Serialize)]
pub struct CandidateSession {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub duration_minutes: i32,
    /// `upcoming`, `open` or `closed`.
    pub state: &'static str,
    pub attempts_allowed: i32,
    pub attempts_used: i32,
    pub open_attempt: Option<i64>,
    /// The latest attempt's result, when the review policy shows it.
    pub result: Option<ResultView>,
}

/// A score as the candidate may see it.
#[derive(Debug, Clone, Serialize)]
pub struct ResultView {
    pub attempt_id: i64,
    /// Hundredths.
    pub score: i32,
    pub max_score: i32,
    pub passed: bool,
}

/// One option as shown: its label on screen (by display order) and its index in the
/// question, which is what a save names.
#[derive(Debug, Clone, Serialize)]
pub struct OptionView {
    pub index: u8,
    pub label: char,
    pub text: String,
}

/// One question of the attempt, without its key.
#[derive(Debug, Clone, Serialize)]
pub struct ItemView {
    pub position: i32,
    pub qtype: QuestionType,
    pub stem: String,
    /// Hundredths.
    pub points: u32,
    pub options: Vec<OptionView>,
}

/// An acknowledged answer.
#[derive(Debug, Clone, Serialize)]
pub struct AnswerView {
    pub position: i32,
    pub seq: i64,
    pub answer: Answer,
}

/// What the review policy lets the candidate see of one item after the exam.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewItem {
    pub position: i32,
    pub key: String,
    pub key_points: Vec<String>,
    pub explanation: Option<String>,
    pub score: Option<i32>,
}

/// The candidate's view of an attempt.
#[derive(Debug, Clone, Serialize)]
pub struct AttemptView {
    pub attempt_id: i64,
    pub session_id: i64,
    pub session_title: String,
    pub number: i32,
    pub status: AttemptStatus,
    pub deadline: DateTime<Utc>,
    /// The server's clock when this view was made: the page counts down from
    /// `deadline - now`, not from the device's clock.
    pub now: DateTime<Utc>,
    pub items: Vec<ItemView>,
    pub answers: Vec<AnswerView>,
    /// The highest sequence number stored; a resuming device continues above it.
    pub last_seq: i64,
    pub result: Option<ResultView>,
    pub review: Option<Vec<ReviewItem>>,
}

fn employee_of(actor: &Actor) -> AppResult<i64> {
    actor.employee_id.ok_or(AppError::Conflict("no-employee"))
}

/// The department and its ancestors: a session for any of them includes the candidate.
fn ancestors(actor: &Actor, department_id: i64) -> Vec<i64> {
    let mut out = vec![department_id];
    let mut cur = department_id;
    while let Some(p) = actor
        .tree
        .iter()
        .find(|(id, _)| *id == cur)
        .and_then(|(_, p)| *p)
    {
        if out.contains(&p) {
            break;
        }
        out.push(p);
        cur = p;
    }
    out
}

fn state_of(s: &SessionRow, now_ms: i64) -> &'static str {
    if now_ms < s.opens_at_ms {
        "upcoming"
    } else if now_ms < s.closes_at_ms {
        "open"
    } else {
        "closed"
    }
}

fn review_policy(s: &SessionRow) -> ReviewPolicy {
    ReviewPolicy::parse(&s.review).unwrap_or_default()
}

fn result_view(s: &SessionRow, a: &store::AttemptRow, now_ms: i64) -> Option<ResultView> {
    let status = AttemptStatus::parse(&a.status)?;
    let v = visibility(review_policy(s), status, now_ms >= s.closes_at_ms);
    if v < Visibility::Score {
        return None;
    }
    Some(ResultView {
        attempt_id: a.id,
        score: a.score?,
        max_score: a.max_score,
        passed: a.passed.unwrap_or(false),
    })
}

/// The published online sessions the candidate may sit, including ones that closed in the
/// last 30 days (to see results).
pub async fn my_sessions(app: &App, actor: &Actor) -> AppResult<Vec<CandidateSession>> {
    // Without an employee record there is nothing to sit.
    let Some(employee_id) = actor.employee_id else {
        return Ok(Vec::new());
    };
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let e = org::get_employee(c, employee_id).await?;
    let now_ms = ms(app.now());
    let since = now_ms - 30 * 24 * 3600 * 1000;
    let sessions =
        store::sessions_for_candidate(c, employee_id, &ancestors(actor, e.department_id), since)
            .await?;
    let mut out = Vec::with_capacity(sessions.len());
    for s in sessions {
        let attempts = store::attempts_of(c, s.id, employee_id).await?;
        let o = store::get_override(c, s.id, employee_id).await?;
        out.push(CandidateSession {
            id: s.id,
            code: s.code.clone(),
            title: s.title.clone(),
            opens_at: from_ms(s.opens_at_ms),
            closes_at: from_ms(s.closes_at_ms),
            duration_minutes: s.duration_minutes,
            state: state_of(&s, now_ms),
            attempts_allowed: s.attempts_allowed + o.extra_attempts,
            attempts_used: attempts.len() as i32,
            open_attempt: attempts.iter().find(|a| a.status == "open").map(|a| a.id),
            result: attempts.last().and_then(|a| result_view(&s, a, now_ms)),
        });
    }
    Ok(out)
}

/// Starts an attempt, or resumes the open one. Returns the view and whether it resumed.
pub async fn start(app: &App, actor: &Actor, session_id: i64) -> AppResult<(AttemptView, bool)> {
    let employee_id = employee_of(actor)?;
    let now = app.now();
    let (session, o, paper, paper_json, bodies) = {
        let mut r = app.db.read().await?;
        let c = &mut r.conn();
        let facts = store::start_facts(c, session_id, employee_id).await?;
        let s = facts.session;
        if s.status != "published" {
            return Err(AppError::NotFound);
        }
        if s.mode != "online" {
            return Err(AppError::Conflict("session-offline"));
        }
        let f = app.exams.frozen(c, &s).await?;
        let member = match s.audience.as_str() {
            "list" => store::is_listed(c, s.id, employee_id).await?,
            _ => {
                let mine = ancestors(actor, facts.department_id);
                f.departments.iter().any(|d| mine.contains(d))
            }
        };
        if !member {
            return Err(AppError::Forbidden);
        }
        let o = store::Override {
            extra_minutes: facts.extra_minutes,
            extra_attempts: facts.extra_attempts,
        };
        let seed: i64 = rand::thread_rng().r#gen::<i64>();
        let items = f.spec.draw(&f.pool, seed as u64).map_err(|e| {
            AppError::Internal(anyhow::anyhow!("frozen paper no longer draws: {e}"))
        })?;
        let paper_json = serde_json::to_string(&items)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
        let ids: Vec<i64> = items.iter().map(|i| i.version_id).collect();
        let bodies = app.exams.questions(c, &ids).await?;
        let paper = Arc::new(AttemptPaper {
            session_id,
            employee_id,
            seed,
            items,
        });
        (s, o, paper, paper_json, bodies)
    };
    let open = {
        let now_ms = ms(now);
        now_ms >= session.opens_at_ms && now_ms < session.closes_at_ms
    };
    let seed = paper.seed;
    let max_score: u32 = paper.items.iter().map(|i| i.points).sum();
    let dl = deadline(
        now,
        session.duration_minutes.max(0) as u32,
        o.extra_minutes.max(0) as u32,
        from_ms(session.closes_at_ms),
    );
    let reply = writer::write(
        app,
        Op::Start(StartOp {
            session_id,
            employee_id,
            allowed: if open {
                session.attempts_allowed + o.extra_attempts
            } else {
                0
            },
            seed,
            paper: paper.clone(),
            paper_json,
            started_ms: ms(now),
            deadline_ms: ms(dl),
            max_score: max_score as i32,
            author: Author::from(actor),
        }),
    )
    .await;
    let (attempt_id, number, resumed) = match reply {
        Ok(Reply::Started {
            attempt_id,
            number,
            resumed,
        }) => (attempt_id, number, resumed),
        // Outside the window nothing new starts, but an open attempt still resumes.
        Err(AppError::Conflict("attempts-exhausted")) if !open => {
            return Err(AppError::Conflict("session-not-open"));
        }
        Err(e) => return Err(e),
        Ok(_) => {
            return Err(AppError::Internal(anyhow::anyhow!(
                "unexpected writer reply"
            )));
        }
    };
    if resumed {
        return Ok((view(app, actor, attempt_id).await?, true));
    }
    // A new attempt: everything the view needs is at hand (no answers yet, nothing to
    // review), so the start costs no further reads — it matters when thousands start at once.
    Ok((
        AttemptView {
            attempt_id,
            session_id,
            session_title: session.title.clone(),
            number,
            status: AttemptStatus::Open,
            deadline: dl,
            now,
            items: item_views(&paper, &bodies),
            answers: Vec::new(),
            last_seq: 0,
            result: None,
            review: None,
        },
        false,
    ))
}

/// Loads an attempt of the signed-in candidate: someone else's is forbidden.
async fn own_attempt(
    app: &App,
    c: &mut Conn<'_>,
    actor: &Actor,
    attempt_id: i64,
) -> AppResult<Arc<AttemptPaper>> {
    let p = app.exams.attempt(c, attempt_id).await?;
    if actor.employee_id != Some(p.employee_id) {
        return Err(AppError::Forbidden);
    }
    Ok(p)
}

/// The questions of a drawn paper as the candidate sees them: no keys, options in the drawn
/// order with the letters shown, each named by its index in the question.
fn item_views(paper: &AttemptPaper, bodies: &[Arc<Question>]) -> Vec<ItemView> {
    paper
        .items
        .iter()
        .zip(bodies)
        .enumerate()
        .map(|(pos, (item, q))| ItemView {
            position: pos as i32,
            qtype: q.body.qtype(),
            stem: q.stem.clone(),
            points: item.points,
            options: item
                .order
                .iter()
                .enumerate()
                .filter_map(|(shown, idx)| {
                    q.body
                        .options()
                        .get(usize::from(*idx))
                        .map(|text| OptionView {
                            index: *idx,
                            label: letter(shown as u8),
                            text: text.clone(),
                        })
                })
                .collect(),
        })
        .collect()
}

/// The attempt as its candidate sees it now.
pub async fn view(app: &App, actor: &Actor, attempt_id: i64) -> AppResult<AttemptView> {
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let paper = own_attempt(app, c, actor, attempt_id).await?;
    let a = store::get_attempt(c, attempt_id).await?;
    let s = store::get_session(c, a.session_id).await?;
    let ids: Vec<i64> = paper.items.iter().map(|i| i.version_id).collect();
    let bodies = app.exams.questions(c, &ids).await?;
    let stored = store::answers(c, attempt_id).await?;
    let now = app.now();
    let status = AttemptStatus::parse(&a.status).unwrap_or(AttemptStatus::Submitted);
    let items = item_views(&paper, &bodies);
    let answers: Vec<AnswerView> = stored
        .iter()
        .filter(|s| s.seq > 0)
        .filter_map(|s| {
            let answer = serde_json::from_str(s.answer.as_deref()?).ok()?;
            Some(AnswerView {
                position: s.position,
                seq: s.seq,
                answer,
            })
        })
        .collect();
    let last_seq = answers.iter().map(|a| a.seq).max().unwrap_or(0);
    let now_ms = ms(now);
    let result = result_view(&s, &a, now_ms);
    let full = visibility(review_policy(&s), status, now_ms >= s.closes_at_ms) == Visibility::Full;
    let review = full.then(|| {
        bodies
            .iter()
            .enumerate()
            .map(|(pos, q)| ReviewItem {
                position: pos as i32,
                key: q.body.key_text(),
                key_points: match &q.body {
                    Body::Short { key_points, .. } => key_points.clone(),
                    _ => Vec::new(),
                },
                explanation: q.explanation.clone(),
                score: stored
                    .iter()
                    .find(|x| x.position == pos as i32)
                    .and_then(|x| x.score),
            })
            .collect()
    });
    Ok(AttemptView {
        attempt_id,
        session_id: s.id,
        session_title: s.title,
        number: a.number,
        status,
        deadline: from_ms(a.deadline_ms),
        now,
        items,
        answers,
        last_seq,
        result,
        review,
    })
}

/// Saves one answer. Acknowledged only once its batch has committed.
pub async fn save(
    app: &App,
    actor: &Actor,
    attempt_id: i64,
    position: i32,
    seq: i64,
    answer: Answer,
) -> AppResult<SaveAck> {
    let (paper, body) = {
        let mut r = app.db.read().await?;
        let c = &mut r.conn();
        let paper = own_attempt(app, c, actor, attempt_id).await?;
        let item = usize::try_from(position)
            .ok()
            .and_then(|p| paper.items.get(p))
            .ok_or(AppError::Unprocessable("answer-no-such-question"))?;
        let body = app.exams.questions(c, &[item.version_id]).await?;
        (paper, body)
    };
    drop(paper);
    let body = body
        .first()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("question missing")))?;
    let answer = answer
        .normalized(&body.body)
        .map_err(|e| AppError::Unprocessable(e.code()))?;
    if seq <= 0 {
        return Err(AppError::Unprocessable("answer-bad-sequence"));
    }
    let answer_json =
        serde_json::to_string(&answer).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    match writer::write(
        app,
        Op::Save(SaveOp {
            attempt_id,
            position,
            seq,
            answer,
            answer_json,
        }),
    )
    .await?
    {
        Reply::Saved(ack) => Ok(ack),
        _ => Err(AppError::Internal(anyhow::anyhow!(
            "unexpected writer reply"
        ))),
    }
}

/// Builds the submission of `attempt_id` (grading needs the bodies and the session's rules).
async fn submit_op(
    app: &App,
    c: &mut Conn<'_>,
    attempt_id: i64,
    paper: Arc<AttemptPaper>,
    by: ClosedBy,
    author: Author,
) -> AppResult<Op> {
    let s = store::get_session(c, paper.session_id).await?;
    let f = app.exams.frozen(c, &s).await?;
    let ids: Vec<i64> = paper.items.iter().map(|i| i.version_id).collect();
    let bodies = app.exams.questions(c, &ids).await?;
    Ok(Op::Submit(SubmitOp {
        attempt_id,
        by,
        author,
        paper,
        bodies,
        policy: f.spec.policy,
        pass_mark: s.pass_mark,
    }))
}

/// The candidate submits. Submitting again reports the attempt as it stands.
pub async fn submit(app: &App, actor: &Actor, attempt_id: i64) -> AppResult<Submitted> {
    let op = {
        let mut r = app.db.read().await?;
        let c = &mut r.conn();
        let paper = own_attempt(app, c, actor, attempt_id).await?;
        submit_op(
            app,
            c,
            attempt_id,
            paper,
            ClosedBy::Candidate,
            Author::from(actor),
        )
        .await?
    };
    match writer::write(app, op).await? {
        Reply::Submitted(s) => Ok(s),
        _ => Err(AppError::Internal(anyhow::anyhow!(
            "unexpected writer reply"
        ))),
    }
}

/// Staff close an open attempt (e.g. the candidate left the room); it is graded like a
/// submission and the closing is audited with who did it.
pub async fn close_by_staff(app: &App, actor: &Actor, attempt_id: i64) -> AppResult<Submitted> {
    actor.require(skillcert_domain::access::Permission::ExamManage)?;
    let op = {
        let mut r = app.db.read().await?;
        let c = &mut r.conn();
        let paper = app.exams.attempt(c, attempt_id).await?;
        let e = org::get_employee(c, paper.employee_id).await?;
        actor.require_in(
            skillcert_domain::access::Permission::ExamManage,
            e.department_id,
        )?;
        submit_op(
            app,
            c,
            attempt_id,
            paper,
            ClosedBy::Staff,
            Author::from(actor),
        )
        .await?
    };
    match writer::write(app, op).await? {
        Reply::Submitted(s) => Ok(s),
        _ => Err(AppError::Internal(anyhow::anyhow!(
            "unexpected writer reply"
        ))),
    }
}

/// Closes (and grades) every open attempt whose deadline has passed; returns how many.
pub async fn close_expired(app: &App) -> AppResult<usize> {
    let mut closed = 0;
    loop {
        let ops = {
            let mut r = app.db.read().await?;
            let c = &mut r.conn();
            let ids = store::expired_attempts(c, ms(app.now()), 500).await?;
            let mut ops = Vec::with_capacity(ids.len());
            for id in ids {
                let paper = app.exams.attempt(c, id).await?;
                ops.push(
                    submit_op(
                        app,
                        c,
                        id,
                        paper,
                        ClosedBy::Deadline,
                        Author::system("deadline"),
                    )
                    .await?,
                );
            }
            ops
        };
        if ops.is_empty() {
            return Ok(closed);
        }
        let n = ops.len();
        let results = futures_join(app, ops).await;
        for r in results {
            match r {
                Ok(_) => closed += 1,
                Err(e) => tracing::warn!(error = %e, "closing an expired attempt failed"),
            }
        }
        if n < 500 {
            return Ok(closed);
        }
    }
}

/// Queues every op at once so they share batches, then waits for all.
async fn futures_join(app: &App, ops: Vec<Op>) -> Vec<AppResult<Reply>> {
    let handles: Vec<_> = ops
        .into_iter()
        .map(|op| {
            let app = app.clone();
            tokio::spawn(async move { writer::write(&app, op).await })
        })
        .collect();
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(
            h.await
                .unwrap_or_else(|e| Err(AppError::Internal(anyhow::anyhow!("{e}")))),
        );
    }
    out
}

/// Runs [`close_expired`] every `every` until the process ends.
pub fn spawn_deadline_sweeper(app: App, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = close_expired(&app).await {
                tracing::warn!(error = %e, "deadline sweep failed");
            }
        }
    })
}
