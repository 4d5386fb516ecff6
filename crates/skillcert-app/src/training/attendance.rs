//! Attendance: the roster, self check-in with a minute-rotating code, the lecturer's (bulk) marking, and the hours it credits.
//!
//! The rules are the domain's (`training::attendance`): the code of the current minute (or
//! the previous one, a grace) is accepted only inside the session's window; the lecturer's
//! mark wins over a self check-in, and a first check-in over a later one. Here they are
//! applied in one transaction with their consequences: present or late credits the
//! session's hours to the employee's ledger (anything else takes them back) and calls the
//! links to the rest (a retake's off-duty training finished), all in the audit log.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use skillcert_domain::training::attendance::{
    CheckInOutcome, Mark, MarkSource, RecordedMark, SessionSecret, apply_bulk, apply_check_in,
    code_at, seconds_left, verify_code,
};
use skillcert_store::training::{self as store, SessionRow};
use skillcert_store::{Conn, training_records};

use super::sessions::{held_on, require_teach, window_of};
use crate::audit::{self, Author};
use crate::{Actor, App, AppError, AppResult, Problem};

/// Refusal codes of this area; each has a locale key `problem-<code>`.
pub const ERROR_CODES: &[&str] = &[
    "attendance-mark-unknown",
    "attendance-not-enrolled",
    "attendance-not-started",
    "attendance-session-cancelled",
    "attendance-nothing-to-mark",
    "checkin-not-enrolled",
    "checkin-no-employee",
    "checkin-session-missing",
    "checkin-outside-session",
    "checkin-code-format",
    "checkin-code-expired",
    "checkin-code-wrong",
    "attendance-secret-short",
];

/// Inbox message kinds of this area; each is a locale key taking the params named in its text.
pub const INBOX_KINDS: &[&str] = &[];

fn rejected(field: impl Into<String>, code: &'static str) -> AppError {
    AppError::Rejected(vec![Problem::new(field, code)])
}

fn secret_of(row: &SessionRow) -> AppResult<SessionSecret> {
    SessionSecret::from_hex(&row.checkin_secret)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("session {} secret: {e}", row.id)))
}

fn parse_mark(raw: &str) -> AppResult<Mark> {
    Mark::parse(raw).ok_or_else(|| rejected("mark", "attendance-mark-unknown"))
}

/// Credits or takes back the session's hours after a mark changed from `before` to
/// `after`, and tells the links when someone attended. Call inside the marking transaction.
async fn consequences(
    app: &App,
    c: &mut Conn<'_>,
    row: &SessionRow,
    employee_id: i64,
    before: Option<Mark>,
    after: Mark,
) -> AppResult<()> {
    let was = before.is_some_and(Mark::attended);
    if after.attended() && !was {
        training_records::credit_session(
            c,
            employee_id,
            row.id,
            held_on(row.starts_at),
            row.minutes,
            &row.level,
            &row.topic,
            app.now(),
        )
        .await?;
    } else if !after.attended() && was {
        training_records::uncredit_session(c, employee_id, row.id).await?;
    }
    if after.attended() {
        super::links::after_attendance(app, c, row.id, employee_id).await?;
    }
    Ok(())
}

fn stored_mark(m: &Option<store::MarkRow>) -> Option<Mark> {
    m.as_ref().and_then(|m| Mark::parse(&m.mark))
}

/// Checks that the lecturer may mark now: a planned session whose check-in has opened
/// (an excuse may be noted before).
fn markable(app: &App, row: &SessionRow, mark: Option<Mark>) -> AppResult<()> {
    if row.status != "planned" {
        return Err(rejected("status", "attendance-session-cancelled"));
    }
    if mark != Some(Mark::Excused) && app.now() < window_of(row)?.opens_at() {
        return Err(rejected("status", "attendance-not-started"));
    }
    Ok(())
}

/// The lecturer (or a training manager) marks one person. Needs `TrainingTeach` on this
/// session.
pub async fn mark(
    app: &App,
    actor: &Actor,
    session_id: i64,
    employee_id: i64,
    raw_mark: &str,
) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let row = store::get_session(c, session_id).await?;
    require_teach(actor, &row)?;
    let mark = parse_mark(raw_mark)?;
    markable(app, &row, Some(mark))?;
    let before = store::get_mark(c, session_id, employee_id).await?;
    if !store::set_mark(
        c,
        session_id,
        employee_id,
        mark.key(),
        "lecturer",
        Some(actor.user_id),
        app.now(),
    )
    .await?
    {
        return Err(rejected("employee_id", "attendance-not-enrolled"));
    }
    consequences(app, c, &row, employee_id, stored_mark(&before), mark).await?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "attendance.mark",
        "training_session",
        session_id,
        before.as_ref(),
        Some(&serde_json::json!({"employee_id": employee_id, "mark": mark.key(), "source": "lecturer"})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A bulk marking: explicit marks per person and/or one mark for everyone else.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BulkInput {
    /// Employee id → mark; blank marks are skipped.
    pub marks: std::collections::BTreeMap<i64, String>,
    /// A mark for everyone on the list not named in `marks` (e.g. "everyone else absent").
    pub rest: String,
    /// With `rest`: only those without any mark yet (default), else everyone else too.
    pub only_unmarked: Option<bool>,
}

/// Marks many people at once in one transaction. Needs `TrainingTeach` on this session.
/// Returns how many marks changed.
pub async fn mark_bulk(
    app: &App,
    actor: &Actor,
    session_id: i64,
    input: &BulkInput,
) -> AppResult<usize> {
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let row = store::get_session(c, session_id).await?;
    require_teach(actor, &row)?;
    let roster = store::enrolled(c, session_id).await?;
    let mut changes: Vec<(i64, Mark)> = Vec::new();
    let mut problems = Vec::new();
    for (employee_id, raw) in &input.marks {
        if raw.trim().is_empty() {
            continue;
        }
        match Mark::parse(raw) {
            Some(m) if roster.iter().any(|r| r.employee_id == *employee_id) => {
                let current = roster
                    .iter()
                    .find(|r| r.employee_id == *employee_id)
                    .and_then(|r| r.mark.as_deref())
                    .and_then(Mark::parse);
                let lecturer = roster.iter().any(|r| {
                    r.employee_id == *employee_id && r.mark_source.as_deref() == Some("lecturer")
                });
                if current != Some(m) || !lecturer {
                    changes.push((*employee_id, m));
                }
            }
            Some(_) => problems.push(Problem::new(
                format!("marks.{employee_id}"),
                "attendance-not-enrolled",
            )),
            None => problems.push(Problem::new(
                format!("marks.{employee_id}"),
                "attendance-mark-unknown",
            )),
        }
    }
    if !input.rest.trim().is_empty() {
        match Mark::parse(&input.rest) {
            Some(m) => {
                let others: Vec<(i64, Option<Mark>)> = roster
                    .iter()
                    .filter(|r| {
                        input
                            .marks
                            .get(&r.employee_id)
                            .is_none_or(|v| v.trim().is_empty())
                    })
                    .map(|r| (r.employee_id, r.mark.as_deref().and_then(Mark::parse)))
                    .collect();
                changes.extend(apply_bulk(&others, m, input.only_unmarked.unwrap_or(true)));
            }
            None => problems.push(Problem::new("rest", "attendance-mark-unknown")),
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Rejected(problems));
    }
    if changes.is_empty() {
        return Err(rejected("marks", "attendance-nothing-to-mark"));
    }
    for (_, m) in &changes {
        markable(app, &row, Some(*m))?;
    }
    let now = app.now();
    for (employee_id, m) in &changes {
        let before = roster
            .iter()
            .find(|r| r.employee_id == *employee_id)
            .and_then(|r| r.mark.as_deref())
            .and_then(Mark::parse);
        store::set_mark(
            c,
            session_id,
            *employee_id,
            m.key(),
            "lecturer",
            Some(actor.user_id),
            now,
        )
        .await?;
        consequences(app, c, &row, *employee_id, before, *m).await?;
    }
    let after: Vec<serde_json::Value> = changes
        .iter()
        .map(|(e, m)| serde_json::json!({"employee_id": e, "mark": m.key()}))
        .collect();
    audit::record(
        app,
        c,
        &Author::from(actor),
        "attendance.mark_bulk",
        "training_session",
        session_id,
        None::<&()>,
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(changes.len())
}

/// What the lecturer's screen shows.
#[derive(Debug, Clone, Serialize)]
pub struct CodeScreen {
    pub session_id: i64,
    pub code_text: String,
    pub topic: String,
    /// The current code while check-in is open, else `None`.
    pub code: Option<String>,
    /// Seconds until the code changes (1–60).
    pub seconds_left: u8,
    pub check_in_open: bool,
    pub opens_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub enrolled: usize,
    pub checked_in: usize,
}

/// The current check-in code of a session, for its lecturer (or a training manager). Shown
/// only while check-in is accepted.
pub async fn code_screen(app: &App, actor: &Actor, session_id: i64) -> AppResult<CodeScreen> {
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let row = store::get_session(c, session_id).await?;
    require_teach(actor, &row)?;
    let window = window_of(&row)?;
    let now = app.now();
    let open = row.status == "planned" && window.accepts_check_in(now);
    let roster = store::enrolled(c, session_id).await?;
    Ok(CodeScreen {
        session_id,
        code_text: row.code.clone(),
        topic: row.topic.clone(),
        code: if open {
            Some(code_at(&secret_of(&row)?, row.id, now).to_string())
        } else {
            None
        },
        seconds_left: seconds_left(now),
        check_in_open: open,
        opens_at: window.opens_at(),
        ends_at: row.ends_at,
        enrolled: roster.len(),
        checked_in: roster.iter().filter(|r| r.mark.is_some()).count(),
    })
}

/// An employee's check-in with the code typed (or read from the QR). Refused with nothing
/// changed when they are not enrolled, outside the session, or the code is wrong or
/// expired; otherwise the domain's outcome (recorded, already checked in, or the
/// lecturer's mark kept).
pub async fn check_in(
    app: &App,
    actor: &Actor,
    session_id: i64,
    typed: &str,
) -> AppResult<CheckInOutcome> {
    let Some(employee_id) = actor.employee_id else {
        return Err(rejected("session", "checkin-no-employee"));
    };
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let row = store::get_session(c, session_id).await?;
    if !store::is_enrolled(c, session_id, employee_id).await? {
        return Err(rejected("session", "checkin-not-enrolled"));
    }
    if row.status != "planned" {
        return Err(rejected("session", "attendance-session-cancelled"));
    }
    let now = app.now();
    let earned = verify_code(&secret_of(&row)?, row.id, &window_of(&row)?, typed, now)
        .map_err(|e| rejected(e.field(), e.code()))?;
    let existing = store::get_mark(c, session_id, employee_id).await?;
    let recorded = existing.as_ref().and_then(|m| {
        Some(RecordedMark {
            mark: Mark::parse(&m.mark)?,
            source: if m.source == "lecturer" {
                MarkSource::Lecturer
            } else {
                MarkSource::SelfCheckIn
            },
        })
    });
    let outcome = apply_check_in(recorded, earned);
    if outcome.changed() {
        if !store::insert_mark_if_unmarked(
            c,
            session_id,
            employee_id,
            earned.key(),
            "self_check_in",
            Some(actor.user_id),
            now,
        )
        .await?
        {
            // A lecturer's mark or another check-in came first: it stands.
            let now_mark = store::get_mark(c, session_id, employee_id).await?;
            let mark = stored_mark(&now_mark).unwrap_or(earned);
            return Ok(if now_mark.is_some_and(|m| m.source == "lecturer") {
                CheckInOutcome::LecturerMarkKept(mark)
            } else {
                CheckInOutcome::AlreadyCheckedIn(mark)
            });
        }
        consequences(app, c, &row, employee_id, None, earned).await?;
        audit::record(
            app,
            c,
            &Author::from(actor),
            "attendance.check_in",
            "training_session",
            session_id,
            None::<&()>,
            Some(&serde_json::json!({"employee_id": employee_id, "mark": earned.key(), "source": "self_check_in"})),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::{Duration, TimeZone};
    use skillcert_domain::access::{Grant, Role};
    use skillcert_store::{Db, DbOptions};

    use super::*;
    use crate::training::sessions::{self, EnrolInput, SessionInput};
    use crate::{AppConfig, FixedClock};

    fn actor(user_id: i64, employee_id: Option<i64>, role: Role) -> Actor {
        Actor {
            user_id,
            username: format!("u{user_id}"),
            display_name: String::new(),
            employee_id,
            locale: None,
            session_id: 0,
            csrf_token: String::new(),
            grants: vec![Grant {
                role,
                department_id: None,
            }],
            tree: Vec::new(),
        }
    }

    /// A fresh in-memory app with the demo loaded, at 09:00 Beijing on 2026-11-23.
    async fn app() -> (App, Arc<FixedClock>) {
        let path = std::env::temp_dir().join(format!(
            "skillcert-attendance-{}-{}.db",
            std::process::id(),
            Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ));
        let db = Db::connect(
            &format!("sqlite://{}", path.display()),
            &DbOptions { max_connections: 4 },
        )
        .await
        .unwrap();
        db.migrate().await.unwrap();
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap();
        let clock = Arc::new(FixedClock::new(at));
        let app = App::new(db, clock.clone(), AppConfig::for_tests());
        crate::demo::load(&app, 42).await.unwrap().unwrap();
        (app, clock)
    }

    async fn user(app: &App, name: &str) -> (i64, Option<i64>) {
        let mut r = app.db.read().await.unwrap();
        let u = skillcert_store::users::find_user_by_username(&mut r.conn(), name)
            .await
            .unwrap()
            .unwrap();
        (u.id, u.employee_id)
    }

    /// The code rotates every minute with a fixed clock: the current and the previous
    /// minute's codes are accepted, an older one is expired, and after the session nothing
    /// is — each refusal changes nothing.
    #[tokio::test]
    async fn check_in_with_a_rotating_code() {
        let (app, clock) = app().await;
        let (mgr_id, _) = user(&app, "manager").await;
        let manager = actor(mgr_id, None, Role::TrainingManager);
        let (emp_user, emp) = user(&app, "employee").await;
        let employee = actor(emp_user, emp, Role::Employee);
        let emp_no = {
            let mut r = app.db.read().await.unwrap();
            skillcert_store::org::get_employee(&mut r.conn(), emp.unwrap())
                .await
                .unwrap()
                .employee_no
        };
        let mut input = SessionInput::defaults(None);
        input.code = "UNIT-CODE".into();
        input.topic = "单元测试".into();
        input.starts_at = "2026-11-23T09:30".into();
        input.ends_at = "2026-11-23T11:00".into();
        input.lecturer = "lecturer".into();
        input.capacity = "1".into();
        let s = sessions::create(&app, &manager, &input).await.unwrap();
        sessions::enrol(
            &app,
            &manager,
            s.id,
            &EnrolInput {
                employee_nos: emp_no.clone(),
                ..EnrolInput::default()
            },
        )
        .await
        .unwrap();
        // At 09:00 check-in has not opened (it opens 15 minutes before 09:30).
        let code0 = code_screen(&app, &manager, s.id).await.unwrap();
        assert_eq!(code0.code, None);
        let err = check_in(&app, &employee, s.id, "123456").await.unwrap_err();
        assert!(matches!(&err, AppError::Rejected(p) if p[0].code == "checkin-outside-session"));
        // 09:20: the screen shows a code.
        clock.advance(Duration::minutes(20));
        let first = code_screen(&app, &manager, s.id)
            .await
            .unwrap()
            .code
            .unwrap();
        clock.advance(Duration::minutes(1));
        let second = code_screen(&app, &manager, s.id)
            .await
            .unwrap()
            .code
            .unwrap();
        assert_ne!(first, second, "the code changes every minute");
        // Three minutes later the first code has expired.
        clock.advance(Duration::minutes(3));
        let err = check_in(&app, &employee, s.id, &first).await.unwrap_err();
        assert!(matches!(&err, AppError::Rejected(p) if p[0].code == "checkin-code-expired"));
        let stored = {
            let mut r = app.db.read().await.unwrap();
            store::get_mark(&mut r.conn(), s.id, emp.unwrap())
                .await
                .unwrap()
        };
        assert!(stored.is_none(), "a refused check-in changes nothing");
        // The current code works; the previous minute's too (grace).
        let now = code_screen(&app, &manager, s.id)
            .await
            .unwrap()
            .code
            .unwrap();
        clock.advance(Duration::seconds(61));
        let out = check_in(&app, &employee, s.id, &now).await.unwrap();
        assert_eq!(out, CheckInOutcome::Recorded(Mark::Present));
        // The lecturer's mark wins over a later check-in.
        mark(&app, &manager, s.id, emp.unwrap(), "late")
            .await
            .unwrap();
        let again = code_screen(&app, &manager, s.id)
            .await
            .unwrap()
            .code
            .unwrap();
        let out = check_in(&app, &employee, s.id, &again).await.unwrap();
        assert_eq!(out, CheckInOutcome::LecturerMarkKept(Mark::Late));
        // Hours were credited once.
        let ledger = |app: App| async move {
            let mut r = app.db.read().await.unwrap();
            training_records::ledger_of_employee(&mut r.conn(), emp.unwrap(), 2026)
                .await
                .unwrap()
                .into_iter()
                .filter(|l| l.session_id == Some(s.id))
                .count()
        };
        let hours = ledger(app.clone()).await;
        assert_eq!(hours, 1);
        // Absent takes the hours back.
        mark(&app, &manager, s.id, emp.unwrap(), "absent")
            .await
            .unwrap();
        assert_eq!(ledger(app.clone()).await, 0);
        // After the end nothing is accepted.
        clock.advance(Duration::hours(3));
        let late = code_screen(&app, &manager, s.id).await.unwrap();
        assert!(late.code.is_none());
        let err = check_in(&app, &employee, s.id, &again).await.unwrap_err();
        assert!(matches!(&err, AppError::Rejected(p) if p[0].code == "checkin-outside-session"));
    }
}
