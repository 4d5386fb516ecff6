//! Homework: assignments per session, submissions with attachments under a late policy,
//! marking (issue 7 item 5, seed-rules §3: "analyse a real case, rewrite a service script").
//!
//! Who may do what:
//! - setting and editing an assignment, reading every submission and marking: the session's
//!   lecturer (`TrainingTeach`, only on sessions they lecture) or a training manager
//!   (`TrainingManage`);
//! - reading a session's assignments: those and anyone with `TrainingRead` where the session
//!   is visible, and the employees enrolled in it;
//! - handing in: employees enrolled in the session, for themselves. A second hand-in replaces
//!   the first until it is marked. Under a strict policy nothing is taken after the deadline
//!   (`homework-deadline-passed`), under a penalty policy nothing after its last day.
//!
//! The rules (deadline, lateness, content, the final score) are `domain::training::homework`;
//! here they are authorized, applied in one transaction and audited.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use skillcert_domain::access::Permission;
use skillcert_domain::scheme::{Score, Weight};
use skillcert_domain::text::clean;
use skillcert_domain::training::homework::{
    self as rules, Assignment, HomeworkError, LatePolicy, Lateness, Mark, MaxPoints, PenaltyPolicy,
};
use skillcert_store::Conn;
use skillcert_store::training::{self as sessions_store, SessionRow};
use skillcert_store::training_more::records::{self as more, AssignmentSummary, MyAssignmentRow};
use skillcert_store::training_records::{
    self as store, AssignmentFields, AssignmentRow, HomeworkFileRow, NewHomeworkFile,
    NewSubmission, SubmissionRow,
};

use crate::audit::{self, Author};
use crate::certification::inbox;
use crate::{Actor, App, AppError, AppResult, Problem};

/// Refusal codes of this area; each has a locale key `problem-<code>`.
pub const ERROR_CODES: &[&str] = &[
    "homework-max-points",
    "homework-penalty-rate",
    "homework-late-days",
    "homework-deadline-passed",
    "homework-too-late",
    "homework-empty",
    "homework-text-too-long",
    "homework-text-characters",
    "homework-too-many-attachments",
    "homework-points-out-of-range",
    "homework-comment-too-long",
    "homework-comment-characters",
    "homework-title",
    "homework-instructions",
    "homework-deadline",
    "homework-late-policy",
    "homework-points-invalid",
    "homework-already-marked",
    "homework-session-cancelled",
];

/// Inbox message kinds of this area; each is a locale key taking the params named in its text.
pub const INBOX_KINDS: &[&str] = &["inbox-homework-marked"];

/// Longest title, in characters.
pub const TITLE_MAX: usize = 100;
/// Longest instructions, in characters.
pub const INSTRUCTIONS_MAX: usize = 5_000;
/// Late policies as typed.
pub const LATE_POLICIES: [&str; 3] = ["accept", "penalty", "strict"];

fn rejected(field: impl Into<String>, code: &'static str) -> AppError {
    AppError::Rejected(vec![Problem::new(field, code)])
}

fn domain(e: HomeworkError) -> AppError {
    rejected(e.field(), e.code())
}

/// The assignment form or API body, every field as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AssignmentInput {
    pub title: String,
    pub instructions: String,
    /// China time, `2026-12-08T18:00` (as a browser's date-time field sends it),
    /// `2026-12-08 18:00`, a bare day (its end, 23:59) or RFC 3339.
    pub deadline: String,
    pub max_points: String,
    /// `accept`, `penalty` or `strict`.
    pub late_policy: String,
    /// Percent of the maximum deducted per started day late (penalty only).
    pub penalty_per_day: String,
    /// Started days late still taken (penalty only).
    pub max_late_days: String,
}

/// Reads a deadline typed in China time.
pub fn parse_deadline(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Some(t.with_timezone(&Utc));
    }
    let local = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
        .or_else(|| {
            NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(23, 59, 0))
        })?;
    Some(local.and_utc() - chrono::Duration::hours(8))
}

/// The deadline as a browser's date-time field shows it (China time).
pub fn deadline_text(at: DateTime<Utc>) -> String {
    (at + chrono::Duration::hours(8))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// Checks the form; every problem, not just the first.
fn parse_assignment(input: &AssignmentInput) -> AppResult<(AssignmentFields, Assignment)> {
    let mut problems = Vec::new();
    let title = clean(&input.title, TITLE_MAX)
        .map_err(|_| problems.push(Problem::new("title", "homework-title")))
        .ok();
    let instructions = input.instructions.replace("\r\n", "\n").trim().to_string();
    if instructions.chars().count() > INSTRUCTIONS_MAX
        || instructions
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        problems.push(Problem::new("instructions", "homework-instructions"));
    }
    let deadline = parse_deadline(&input.deadline);
    if deadline.is_none() {
        problems.push(Problem::new("deadline", "homework-deadline"));
    }
    let max_points = match input.max_points.trim().parse::<u16>() {
        Ok(p) => MaxPoints::new(p)
            .map_err(|e| problems.push(Problem::new(e.field(), e.code())))
            .ok(),
        Err(_) => {
            problems.push(Problem::new("max_points", "homework-max-points"));
            None
        }
    };
    let late_policy = match input.late_policy.trim() {
        "accept" | "" => Some(LatePolicy::Accept),
        "strict" => Some(LatePolicy::Strict),
        "penalty" => {
            let rate = Weight::parse_percent(input.penalty_per_day.trim().trim_end_matches('%'));
            let days = input.max_late_days.trim().parse::<u16>();
            match (rate, days) {
                (Err(_), _) => {
                    problems.push(Problem::new("penalty_per_day", "homework-penalty-rate"));
                    None
                }
                (_, Err(_)) => {
                    problems.push(Problem::new("max_late_days", "homework-late-days"));
                    None
                }
                (Ok(r), Ok(d)) => PenaltyPolicy::new(r, d)
                    .map(LatePolicy::Penalty)
                    .map_err(|e| problems.push(Problem::new(e.field(), e.code())))
                    .ok(),
            }
        }
        _ => {
            problems.push(Problem::new("late_policy", "homework-late-policy"));
            None
        }
    };
    match (title, deadline, max_points, late_policy) {
        (Some(title), Some(deadline), Some(max_points), Some(late_policy))
            if problems.is_empty() =>
        {
            let a = Assignment {
                deadline,
                max_points,
                late_policy,
            };
            Ok((
                AssignmentFields {
                    title,
                    instructions,
                    deadline,
                    max_points: i32::from(max_points.get()),
                    late_policy: serde_json::to_string(&late_policy)
                        .map_err(anyhow::Error::from)?,
                    rubric_key: None,
                },
                a,
            ))
        }
        _ => Err(AppError::Rejected(problems)),
    }
}

/// The domain form of a stored assignment.
pub fn rules_of(row: &AssignmentRow) -> AppResult<Assignment> {
    let late_policy: LatePolicy = serde_json::from_str(&row.late_policy)
        .map_err(|e| anyhow::anyhow!("assignment {} late policy: {e}", row.id))?;
    let max_points = u16::try_from(row.max_points)
        .ok()
        .and_then(|p| MaxPoints::new(p).ok())
        .ok_or_else(|| anyhow::anyhow!("assignment {} max points", row.id))?;
    Ok(Assignment {
        deadline: row.deadline,
        max_points,
        late_policy,
    })
}

/// Whether the actor marks (and sets homework) on this session: a training manager, or its
/// lecturer.
pub fn is_marker(actor: &Actor, session: &SessionRow) -> bool {
    actor.can(Permission::TrainingManage)
        || (actor.can(Permission::TrainingTeach) && session.lecturer_user_id == Some(actor.user_id))
}

fn require_marker(actor: &Actor, session: &SessionRow) -> AppResult<()> {
    if is_marker(actor, session) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

async fn enrolled(c: &mut Conn<'_>, actor: &Actor, session_id: i64) -> AppResult<bool> {
    Ok(match actor.employee_id {
        Some(e) => sessions_store::is_enrolled(c, session_id, e).await?,
        None => false,
    })
}

/// Whether the actor may read the session's homework list.
async fn may_read(c: &mut Conn<'_>, actor: &Actor, session: &SessionRow) -> AppResult<bool> {
    Ok(is_marker(actor, session)
        || actor.can(Permission::TrainingRead)
        || enrolled(c, actor, session.id).await?)
}

/// Sets a homework on a session.
pub async fn create(
    app: &App,
    actor: &Actor,
    session_id: i64,
    input: &AssignmentInput,
) -> AppResult<AssignmentRow> {
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let session = sessions_store::get_session(c, session_id).await?;
    require_marker(actor, &session)?;
    if session.status != "planned" {
        return Err(rejected("session", "homework-session-cancelled"));
    }
    let (fields, _) = parse_assignment(input)?;
    let row =
        store::insert_assignment(c, session_id, &fields, Some(actor.user_id), app.now()).await?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "homework.create",
        "homework",
        row.id,
        None::<&()>,
        Some(&row),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Changes an assignment. Submissions keep the lateness fixed when they were taken.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &AssignmentInput,
) -> AppResult<AssignmentRow> {
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let before = store::get_assignment(c, id).await?;
    let session = sessions_store::get_session(c, before.session_id).await?;
    require_marker(actor, &session)?;
    let (fields, _) = parse_assignment(input)?;
    if !store::update_assignment(c, id, &fields, app.now()).await? {
        return Err(AppError::NotFound);
    }
    let after = store::get_assignment(c, id).await?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "homework.update",
        "homework",
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// A session's homework as its reader may see it.
#[derive(Debug, Clone, Serialize)]
pub struct SessionHomework {
    pub session: SessionRow,
    pub assignments: Vec<AssignmentSummary>,
    /// The actor may set homework here.
    pub may_set: bool,
}

pub async fn of_session(app: &App, actor: &Actor, session_id: i64) -> AppResult<SessionHomework> {
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let session = sessions_store::get_session(c, session_id).await?;
    if !may_read(c, actor, &session).await? {
        return Err(AppError::Forbidden);
    }
    let assignments = more::assignment_summaries(c, session_id).await?;
    Ok(SessionHomework {
        may_set: is_marker(actor, &session),
        session,
        assignments,
    })
}

/// A submission with its files.
#[derive(Debug, Clone, Serialize)]
pub struct SubmissionView {
    #[serde(flatten)]
    pub row: SubmissionRow,
    pub lateness_days: u32,
    pub files_list: Vec<HomeworkFileRow>,
}

/// One assignment: for markers every submission, for an enrolled employee their own.
#[derive(Debug, Clone, Serialize)]
pub struct AssignmentView {
    pub assignment: AssignmentRow,
    pub session: SessionRow,
    pub late_policy: LatePolicy,
    pub marker: bool,
    /// The caller is enrolled and may hand in (or replace an unmarked hand-in).
    pub may_submit: bool,
    /// The deadline has passed at the time of the request.
    pub past_deadline: bool,
    pub submissions: Vec<SubmissionView>,
    pub mine: Option<SubmissionView>,
}

async fn submission_view(c: &mut Conn<'_>, row: SubmissionRow) -> AppResult<SubmissionView> {
    let files_list = store::submission_files(c, row.id).await?;
    let lateness: Lateness = serde_json::from_str(&row.lateness).unwrap_or(Lateness::OnTime);
    Ok(SubmissionView {
        lateness_days: match lateness {
            Lateness::OnTime => 0,
            Lateness::Late { days, .. } => days,
        },
        row,
        files_list,
    })
}

pub async fn show(app: &App, actor: &Actor, id: i64) -> AppResult<AssignmentView> {
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let assignment = store::get_assignment(c, id).await?;
    let session = sessions_store::get_session(c, assignment.session_id).await?;
    let marker = is_marker(actor, &session);
    let is_enrolled = enrolled(c, actor, session.id).await?;
    if !(marker || is_enrolled || actor.can(Permission::TrainingRead)) {
        return Err(AppError::Forbidden);
    }
    let rules = rules_of(&assignment)?;
    let mut submissions = Vec::new();
    if marker {
        for s in store::submissions_of_assignment(c, id, None).await? {
            submissions.push(submission_view(c, s).await?);
        }
    }
    let mine = match actor.employee_id {
        Some(e) if is_enrolled => match store::submission_of(c, id, e).await? {
            Some(s) => Some(submission_view(c, s).await?),
            None => None,
        },
        _ => None,
    };
    let now = app.now();
    Ok(AssignmentView {
        late_policy: rules.late_policy,
        past_deadline: now > assignment.deadline,
        may_submit: is_enrolled
            && session.status == "planned"
            && mine.as_ref().is_none_or(|m| m.row.marked_at.is_none()),
        marker,
        assignment,
        session,
        submissions,
        mine,
    })
}

/// A file handed in.
#[derive(Debug, Clone)]
pub struct UploadedFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// File names are kept for the download only: path parts and control characters go.
fn file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let s: String = base.chars().filter(|c| !c.is_control()).take(120).collect();
    if s.trim().is_empty() {
        "file".into()
    } else {
        s.trim().to_string()
    }
}

/// The signed-in employee hands in (or, until marked, replaces) their homework. The deadline
/// is checked first: after it under a strict policy nothing is stored, whatever was sent.
pub async fn submit(
    app: &App,
    actor: &Actor,
    assignment_id: i64,
    text: &str,
    files: &[UploadedFile],
) -> AppResult<i64> {
    let employee = actor.employee_id.ok_or(AppError::Forbidden)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let assignment = store::get_assignment(c, assignment_id).await?;
    let session = sessions_store::get_session(c, assignment.session_id).await?;
    if !sessions_store::is_enrolled(c, session.id, employee).await? {
        return Err(AppError::Forbidden);
    }
    if session.status != "planned" {
        return Err(rejected("session", "homework-session-cancelled"));
    }
    let rules = rules_of(&assignment)?;
    let bytes: Vec<&[u8]> = files.iter().map(|f| f.bytes.as_slice()).collect();
    let now = app.now();
    let taken = rules::submit(&rules, now, text, &bytes).map_err(domain)?;
    let lateness = serde_json::to_string(&taken.lateness).map_err(anyhow::Error::from)?;
    let shas: Vec<String> = files
        .iter()
        .map(|f| hex::encode(Sha256::digest(&f.bytes)))
        .collect();
    let names: Vec<String> = files.iter().map(|f| file_name(&f.name)).collect();
    let new_files: Vec<NewHomeworkFile<'_>> = files
        .iter()
        .zip(&taken.content.attachments)
        .zip(shas.iter().zip(&names))
        .map(|((f, info), (sha, name))| NewHomeworkFile {
            filename: name,
            content_type: &info.content_type,
            sha256: sha,
            data: &f.bytes,
        })
        .collect();
    let text = taken.content.text.clone().unwrap_or_default();
    let (id, action) = match store::submission_of(c, assignment_id, employee).await? {
        Some(existing) if existing.marked_at.is_some() => {
            return Err(rejected("submission", "homework-already-marked"));
        }
        Some(existing) => {
            if !store::replace_submission(c, existing.id, &text, &lateness, &new_files, now).await?
            {
                return Err(rejected("submission", "homework-already-marked"));
            }
            (existing.id, "homework.resubmit")
        }
        None => {
            let id = store::insert_submission(
                c,
                &NewSubmission {
                    assignment_id,
                    employee_id: employee,
                    text: text.clone(),
                    lateness: lateness.clone(),
                },
                &new_files,
                now,
            )
            .await
            .map_err(|e| match e {
                skillcert_store::StoreError::Conflict { .. } => {
                    rejected("submission", "homework-already-marked")
                }
                e => e.into(),
            })?;
            (id, "homework.submit")
        }
    };
    let files_audit: Vec<_> = names
        .iter()
        .zip(&shas)
        .zip(&taken.content.attachments)
        .map(|((n, s), i)| serde_json::json!({"filename": n, "sha256": s, "size": i.bytes}))
        .collect();
    audit::record(
        app,
        c,
        &Author::from(actor),
        action,
        "homework_submission",
        id,
        None::<&()>,
        Some(&serde_json::json!({
            "assignment_id": assignment_id,
            "employee_id": employee,
            "lateness": taken.lateness,
            "text_chars": text.chars().count(),
            "files": files_audit,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The marking form or API body.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MarkInput {
    /// Whole points, 0 to the assignment's maximum.
    pub points: String,
    pub comment: String,
}

/// Marks (or re-marks) a submission; the employee gets an inbox message.
pub async fn mark(
    app: &App,
    actor: &Actor,
    submission_id: i64,
    input: &MarkInput,
) -> AppResult<SubmissionRow> {
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let before = store::get_submission(c, submission_id).await?;
    let assignment = store::get_assignment(c, before.assignment_id).await?;
    let session = sessions_store::get_session(c, assignment.session_id).await?;
    require_marker(actor, &session)?;
    let rules = rules_of(&assignment)?;
    let points = input
        .points
        .trim()
        .parse::<u16>()
        .map_err(|_| rejected("points", "homework-points-invalid"))?;
    let lateness: Lateness = serde_json::from_str(&before.lateness)
        .map_err(|e| anyhow::anyhow!("submission {submission_id} lateness: {e}"))?;
    let m = Mark::new(&rules, lateness, points, &input.comment).map_err(domain)?;
    let final_score = i32::try_from(m.final_score.hundredths()).unwrap_or(0);
    let comment = m.comment.clone().unwrap_or_default();
    if !store::mark_submission(
        c,
        submission_id,
        i32::from(points),
        &comment,
        final_score,
        Some(actor.user_id),
        app.now(),
    )
    .await?
    {
        return Err(AppError::NotFound);
    }
    let after = store::get_submission(c, submission_id).await?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "homework.mark",
        "homework_submission",
        submission_id,
        Some(&serde_json::json!({"points": before.points, "comment": before.comment, "final_score": before.final_score})),
        Some(&serde_json::json!({"points": points, "comment": comment, "final_score": m.final_score})),
    )
    .await?;
    inbox::notify_employee(
        app,
        c,
        before.employee_id,
        "inbox-homework-marked",
        &serde_json::json!({
            "title": assignment.title,
            "points": points.to_string(),
            "max": assignment.max_points.to_string(),
            "score": m.final_score.to_string(),
        }),
        &format!("/homework/{}", assignment.id),
        false,
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// One line of the employee's homework page.
#[derive(Debug, Clone, Serialize)]
pub struct MyHomework {
    #[serde(flatten)]
    pub row: MyAssignmentRow,
    /// `open`, `overdue` (not handed in, still taken late), `closed` (not handed in, no
    /// longer taken), `submitted` or `marked`.
    pub status: &'static str,
    pub final_score_text: Option<String>,
}

/// Status of one homework for its trainee at `now`.
pub fn status_of(row: &MyAssignmentRow, rules: &Assignment, now: DateTime<Utc>) -> &'static str {
    if row.marked_at.is_some() {
        "marked"
    } else if row.submission_id.is_some() {
        "submitted"
    } else if now <= row.deadline {
        "open"
    } else if rules::check_submission(rules, now).is_ok() {
        "overdue"
    } else {
        "closed"
    }
}

/// The signed-in employee's homework: every assignment of the sessions they are enrolled
/// in, with their status and marks.
pub async fn mine(app: &App, actor: &Actor) -> AppResult<Vec<MyHomework>> {
    actor.require(Permission::Dashboard)?;
    let Some(employee) = actor.employee_id else {
        return Ok(Vec::new());
    };
    let mut r = app.db.read().await?;
    let rows = more::assignments_of_employee(&mut r.conn(), employee).await?;
    let now = app.now();
    let mut out = Vec::new();
    for row in rows {
        let late_policy: LatePolicy = serde_json::from_str(&row.late_policy)
            .map_err(|e| anyhow::anyhow!("assignment {} late policy: {e}", row.id))?;
        let rules = Assignment {
            deadline: row.deadline,
            max_points: u16::try_from(row.max_points)
                .ok()
                .and_then(|p| MaxPoints::new(p).ok())
                .ok_or_else(|| anyhow::anyhow!("assignment {} max points", row.id))?,
            late_policy,
        };
        out.push(MyHomework {
            status: status_of(&row, &rules, now),
            final_score_text: row
                .final_score
                .and_then(|h| u32::try_from(h).ok())
                .and_then(|h| Score::from_hundredths(h).ok())
                .map(|s| s.to_string()),
            row,
        });
    }
    Ok(out)
}

/// A file of a submission: for the employee who handed it in and the session's markers.
pub async fn file(app: &App, actor: &Actor, file_id: i64) -> AppResult<(HomeworkFileRow, Vec<u8>)> {
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let (row, data) = store::submission_file(c, file_id).await?;
    let submission = store::get_submission(c, row.submission_id).await?;
    if actor.employee_id != Some(submission.employee_id) {
        let assignment = store::get_assignment(c, submission.assignment_id).await?;
        let session = sessions_store::get_session(c, assignment.session_id).await?;
        require_marker(actor, &session)?;
    }
    Ok((row, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_are_read_in_china_time() {
        let at = parse_deadline("2026-12-08T18:00").unwrap();
        assert_eq!(at.to_rfc3339(), "2026-12-08T10:00:00+00:00");
        assert_eq!(parse_deadline("2026-12-08 18:00"), Some(at));
        assert_eq!(deadline_text(at), "2026-12-08T18:00");
        assert_eq!(
            parse_deadline("2026-12-08").map(|t| t.to_rfc3339()),
            Some("2026-12-08T15:59:00+00:00".into())
        );
        assert_eq!(parse_deadline("2026-12-08T10:00:00Z"), Some(at));
        assert!(parse_deadline("next week").is_none());
    }

    #[test]
    fn the_form_reports_every_problem() {
        let input = AssignmentInput {
            title: " ".into(),
            deadline: "soon".into(),
            max_points: "0".into(),
            late_policy: "penalty".into(),
            penalty_per_day: "0".into(),
            max_late_days: "3".into(),
            ..AssignmentInput::default()
        };
        let Err(AppError::Rejected(ps)) = parse_assignment(&input) else {
            panic!("refused")
        };
        let codes: Vec<_> = ps.iter().map(|p| p.code).collect();
        assert_eq!(
            codes,
            [
                "homework-title",
                "homework-deadline",
                "homework-max-points",
                "homework-penalty-rate"
            ]
        );
        let good = AssignmentInput {
            title: "案例分析".into(),
            deadline: "2026-12-08T18:00".into(),
            max_points: "20".into(),
            late_policy: "penalty".into(),
            penalty_per_day: "10".into(),
            max_late_days: "3".into(),
            ..AssignmentInput::default()
        };
        let (fields, rules) = parse_assignment(&good).unwrap();
        assert_eq!(fields.max_points, 20);
        assert_eq!(rules.late_policy.key(), "penalty");
    }

    #[test]
    fn file_names_lose_their_path() {
        assert_eq!(file_name("C:\\Users\\张三\\案例.pdf"), "案例.pdf");
        assert_eq!(file_name("../../etc/passwd"), "passwd");
        assert_eq!(file_name(" \u{0}"), "file");
    }
}
