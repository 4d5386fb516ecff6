//! Mentoring (S1): a mentor per trainee, follow-ups due after each training, the overdue
//! list (issue 7 item 6).
//!
//! - A training manager (`TrainingManage`) assigns a mentor to a trainee and removes them.
//! - A mentor (`Mentoring`) sees their trainees, the follow-up owed for each session a trainee
//!   attended (due N days after it ended, N from 1 to 60, 7 by default: seed-rules §3 "within
//!   1 week"), which are overdue, and records a 1:1 follow-up with notes and an evaluation
//!   (0–100; the latest one feeds the `daily` component). Only the trainee's own mentor
//!   records: anyone else gets `mentoring-not-mentee` and nothing changes.
//! - Managers also see the company-wide overdue list.
//!
//! The rules are `domain::training::mentoring`.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use skillcert_domain::access::Permission;
use skillcert_domain::org::parse_date;
use skillcert_domain::training::mentoring::{
    AttendedSession, FollowUp, FollowUpDays, FollowUpDraft, FollowUpStatus, MentoringError,
    Mentors, Mentorship, follow_up_slots, overdue, parse_evaluation,
};
use skillcert_store::training_more::records::{self as more, AttendedSessionRow};
use skillcert_store::training_records::{self as store, FollowUpRow, MentorshipRow, NewFollowUp};
use skillcert_store::{Conn, Page};

use super::daily::china;
use crate::audit::{self, Author};
use crate::{Actor, App, AppError, AppResult, Problem};

/// Refusal codes of this area; each has a locale key `problem-<code>`.
pub const ERROR_CODES: &[&str] = &[
    "mentoring-self",
    "mentoring-not-mentee",
    "mentoring-notes-empty",
    "mentoring-notes-too-long",
    "mentoring-notes-characters",
    "mentoring-follow-up-future",
    "mentoring-follow-up-days",
    "mentoring-evaluation-out-of-range",
    "mentoring-evaluation-invalid",
    "mentoring-employee-unknown",
    "mentoring-held-on",
    "mentoring-session-not-attended",
];

/// Inbox message kinds of this area; each is a locale key taking the params named in its text.
pub const INBOX_KINDS: &[&str] = &["inbox-mentor-assigned", "inbox-follow-up-due"];

/// How far back the mentor's page looks for sessions that call for a follow-up.
pub const LOOKBACK_DAYS: i64 = 180;

fn rejected(field: impl Into<String>, code: &'static str) -> AppError {
    AppError::Rejected(vec![Problem::new(field, code)])
}

fn domain(e: MentoringError) -> AppError {
    rejected(e.field(), e.code())
}

/// The company's follow-up period: `follow_up_days` of the training rules in force (S1: 7).
pub async fn default_days(app: &App) -> AppResult<FollowUpDays> {
    let mut r = app.db.read().await?;
    let (_, rules) = super::compliance::rules_in(&mut r.conn()).await?;
    Ok(rules.follow_up_days())
}

/// Reads the follow-up period typed in a query (`?days=`); blank is the company's period.
pub async fn parse_days(app: &App, raw: Option<&str>) -> AppResult<FollowUpDays> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => default_days(app).await,
        Some(s) => s
            .parse::<u16>()
            .map_err(|_| MentoringError::FollowUpDays)
            .and_then(FollowUpDays::new)
            .map_err(domain),
    }
}

/// The assignment form or API body.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AssignInput {
    /// Employee number of the trainee.
    pub mentee_no: String,
    /// Employee number of the mentor.
    pub mentor_no: String,
}

async fn employee_by_no(c: &mut Conn<'_>, field: &str, no: &str) -> AppResult<(i64, String)> {
    match skillcert_store::org::find_employee_by_no(c, no.trim()).await? {
        Some(e) if e.status != "left" => Ok((e.id, e.name)),
        _ => Err(rejected(field, "mentoring-employee-unknown")),
    }
}

/// Makes one employee the mentor of another (replacing an earlier mentor).
pub async fn assign(app: &App, actor: &Actor, input: &AssignInput) -> AppResult<MentorshipRow> {
    actor.require(Permission::TrainingManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let (mentee, _) = employee_by_no(c, "mentee_no", &input.mentee_no).await?;
    let (mentor, _) = employee_by_no(c, "mentor_no", &input.mentor_no).await?;
    let pair = Mentorship::new(mentor, mentee).map_err(|e| rejected("mentor_no", e.code()))?;
    let previous = store::assign_mentor(
        c,
        pair.mentee(),
        pair.mentor(),
        app.today(),
        Some(actor.user_id),
    )
    .await?;
    let row = store::mentor_of(c, mentee)
        .await?
        .ok_or_else(|| anyhow::anyhow!("mentorship of {mentee} just written"))?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "mentoring.assign",
        "employee",
        mentee,
        Some(&serde_json::json!({"mentor_id": previous})),
        Some(&serde_json::json!({"mentor_id": mentor})),
    )
    .await?;
    if previous != Some(mentor) {
        crate::certification::inbox::notify_employee(
            app,
            c,
            mentor,
            "inbox-mentor-assigned",
            &serde_json::json!({"name": row.mentee_name, "employee_no": row.mentee_no}),
            &format!("/mentoring/{mentee}/follow-ups"),
            false,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(row)
}

/// Removes a trainee's mentor; their follow-ups stay.
pub async fn unassign(app: &App, actor: &Actor, mentee_id: i64) -> AppResult<()> {
    actor.require(Permission::TrainingManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let Some(previous) = store::unassign_mentor(c, mentee_id).await? else {
        return Err(AppError::NotFound);
    };
    audit::record(
        app,
        c,
        &Author::from(actor),
        "mentoring.unassign",
        "employee",
        mentee_id,
        Some(&serde_json::json!({"mentor_id": previous})),
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Every mentorship, a page at a time.
pub async fn assignments(app: &App, actor: &Actor, page: i64) -> AppResult<Page<MentorshipRow>> {
    actor.require(Permission::TrainingManage)?;
    let mut r = app.db.read().await?;
    Ok(store::all_mentorships(&mut r.conn(), page, 50).await?)
}

/// A follow-up owed, with names.
#[derive(Debug, Clone, Serialize)]
pub struct SlotView {
    pub mentee_id: i64,
    pub mentee_no: String,
    pub mentee_name: String,
    pub mentor_id: Option<i64>,
    pub mentor_name: Option<String>,
    pub session_id: i64,
    pub session_code: String,
    pub session_topic: String,
    pub due: NaiveDate,
    pub held_on: Option<NaiveDate>,
    /// `pending`, `overdue`, `done` or `done_late`.
    pub status: FollowUpStatus,
    pub days_overdue: i64,
}

/// The mentor's page.
#[derive(Debug, Clone, Serialize)]
pub struct MentorPage {
    pub days: u16,
    pub mentees: Vec<MentorshipRow>,
    /// Follow-ups still to hold (pending and overdue), soonest due first.
    pub open: Vec<SlotView>,
    /// The caller's overdue follow-ups.
    pub overdue: Vec<SlotView>,
    /// Company-wide overdue follow-ups, for training managers; `None` for others.
    pub company_overdue: Option<Vec<SlotView>>,
}

fn to_domain(rows: &[FollowUpRow]) -> Vec<FollowUp> {
    rows.iter()
        .map(|f| FollowUp {
            mentor: f.mentor_id,
            trainee: f.mentee_id,
            session: f.session_id.unwrap_or(0),
            held_on: f.held_on,
            notes: f.notes.clone(),
            evaluation: None,
        })
        .collect()
}

async fn labels(
    c: &mut Conn<'_>,
    employees: Vec<i64>,
    sessions: Vec<i64>,
) -> AppResult<(
    BTreeMap<i64, (String, String)>,
    BTreeMap<i64, (String, String)>,
)> {
    let e = more::employee_labels(c, &employees)
        .await?
        .into_iter()
        .map(|(id, no, name)| (id, (no, name)))
        .collect();
    let s = more::session_labels(c, &sessions)
        .await?
        .into_iter()
        .map(|(id, code, topic)| (id, (code, topic)))
        .collect();
    Ok((e, s))
}

/// The mentor's trainees and follow-ups, and for managers the company-wide overdue list.
pub async fn page(app: &App, actor: &Actor, days: FollowUpDays) -> AppResult<MentorPage> {
    actor.require(Permission::Mentoring)?;
    let today = app.today();
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let mut mentees = Vec::new();
    let mut open = Vec::new();
    let mut mine_overdue = Vec::new();
    if let Some(me) = actor.employee_id {
        mentees = store::mentees_of(c, me).await?;
        let from = today - Duration::days(LOOKBACK_DAYS);
        let attended: Vec<AttendedSession> =
            store::sessions_attended_by_mentees(c, me, from, today, china())
                .await?
                .into_iter()
                .map(|a| AttendedSession {
                    trainee: a.mentee_id,
                    session: a.session_id,
                    ended_on: (a.ends_at + Duration::hours(8)).date_naive(),
                })
                .collect();
        let mut recorded = Vec::new();
        for m in &mentees {
            recorded.extend(to_domain(
                &store::follow_ups_of_mentee(c, m.mentee_id).await?,
            ));
        }
        let slots = follow_up_slots(&attended, &recorded, days);
        let (e, s) = labels(
            c,
            slots.iter().map(|x| x.trainee).collect(),
            slots.iter().map(|x| x.session).collect(),
        )
        .await?;
        for slot in slots {
            let status = slot.status(today);
            if !matches!(status, FollowUpStatus::Pending | FollowUpStatus::Overdue) {
                continue;
            }
            let (no, name) = e.get(&slot.trainee).cloned().unwrap_or_default();
            let (code, topic) = s.get(&slot.session).cloned().unwrap_or_default();
            let v = SlotView {
                mentee_id: slot.trainee,
                mentee_no: no,
                mentee_name: name,
                mentor_id: Some(me),
                mentor_name: Some(actor.display_name.clone()),
                session_id: slot.session,
                session_code: code,
                session_topic: topic,
                due: slot.due,
                held_on: slot.held_on,
                status,
                days_overdue: (today - slot.due).num_days().max(0),
            };
            if status == FollowUpStatus::Overdue {
                mine_overdue.push(v.clone());
            }
            open.push(v);
        }
        open.sort_by_key(|v| (v.due, v.mentee_no.clone()));
        mine_overdue.sort_by_key(|v| (v.due, v.mentee_no.clone()));
    }
    let company_overdue = if actor.can(Permission::TrainingManage) {
        Some(company_overdue(c, today, days).await?)
    } else {
        None
    };
    Ok(MentorPage {
        days: days.get(),
        mentees,
        open,
        overdue: mine_overdue,
        company_overdue,
    })
}

/// Every missing follow-up past due in the company, longest overdue first. Sessions that
/// ended before the mentor took the trainee on are skipped: the new mentor owes none for them.
async fn company_overdue(
    c: &mut Conn<'_>,
    today: NaiveDate,
    days: FollowUpDays,
) -> AppResult<Vec<SlotView>> {
    let rows = store::overdue_candidates(c, today, i64::from(days.get()), china()).await?;
    let attended: Vec<(AttendedSession, i64)> = rows
        .iter()
        .map(|r| {
            (
                AttendedSession {
                    trainee: r.mentee_id,
                    session: r.session_id,
                    ended_on: (r.ends_at + Duration::hours(8)).date_naive(),
                },
                r.mentor_id,
            )
        })
        .filter(|(a, _)| {
            rows.iter()
                .find(|r| r.mentee_id == a.trainee)
                .is_some_and(|r| a.ended_on >= r.since)
        })
        .collect();
    let sessions: Vec<AttendedSession> = attended.iter().map(|(a, _)| *a).collect();
    let mentors: BTreeMap<i64, i64> = attended.iter().map(|(a, m)| (a.trainee, *m)).collect();
    let slots = follow_up_slots(&sessions, &[], days);
    let late = overdue(&slots, today);
    let mut people: Vec<i64> = late.iter().map(|o| o.trainee).collect();
    people.extend(mentors.values().copied());
    let (e, s) = labels(c, people, late.iter().map(|o| o.session).collect()).await?;
    Ok(late
        .into_iter()
        .map(|o| {
            let (no, name) = e.get(&o.trainee).cloned().unwrap_or_default();
            let (code, topic) = s.get(&o.session).cloned().unwrap_or_default();
            let mentor = mentors.get(&o.trainee).copied();
            SlotView {
                mentee_id: o.trainee,
                mentee_no: no,
                mentee_name: name,
                mentor_id: mentor,
                mentor_name: mentor.and_then(|m| e.get(&m).map(|x| x.1.clone())),
                session_id: o.session,
                session_code: code,
                session_topic: topic,
                due: o.due,
                held_on: None,
                status: FollowUpStatus::Overdue,
                days_overdue: i64::from(o.days_overdue),
            }
        })
        .collect())
}

/// One trainee's follow-ups, for their mentor (or a manager).
#[derive(Debug, Clone, Serialize)]
pub struct TraineeFollowUps {
    pub mentorship: MentorshipRow,
    pub follow_ups: Vec<FollowUpRow>,
    /// Sessions the trainee attended, to attach a follow-up to.
    pub sessions: Vec<AttendedSessionRow>,
    /// The caller is the trainee's mentor and may record.
    pub may_record: bool,
}

/// The follow-ups of a trainee: for their mentor and for training managers. For anyone
/// else with `Mentoring` (another mentor) the trainee is not theirs: refused.
pub async fn of_trainee(app: &App, actor: &Actor, mentee_id: i64) -> AppResult<TraineeFollowUps> {
    actor.require(Permission::Mentoring)?;
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let mentorship = store::mentor_of(c, mentee_id).await?;
    let mine = mentorship
        .as_ref()
        .is_some_and(|m| Some(m.mentor_id) == actor.employee_id);
    if !mine && !actor.can(Permission::TrainingManage) {
        return Err(rejected("mentee", "mentoring-not-mentee"));
    }
    let Some(mentorship) = mentorship else {
        return Err(AppError::NotFound);
    };
    Ok(TraineeFollowUps {
        follow_ups: store::follow_ups_of_mentee(c, mentee_id).await?,
        sessions: more::attended_sessions(c, mentee_id).await?,
        may_record: mine,
        mentorship,
    })
}

/// The follow-up form or API body.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FollowUpInput {
    /// A session id the trainee attended, or empty for a follow-up not tied to one.
    pub session_id: String,
    /// `2026-12-06`; empty for today.
    pub held_on: String,
    pub notes: String,
    /// 0–100, optional.
    pub evaluation: String,
}

/// The trainee's mentor records a 1:1 follow-up. Someone who is not the trainee's mentor is
/// refused (`mentoring-not-mentee`) before anything is read from the form.
pub async fn record(
    app: &App,
    actor: &Actor,
    mentee_id: i64,
    input: &FollowUpInput,
) -> AppResult<i64> {
    actor.require(Permission::Mentoring)?;
    let me = actor
        .employee_id
        .ok_or_else(|| rejected("mentee", "mentoring-not-mentee"))?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let mut mentors = Mentors::new();
    if let Some(m) = store::mentor_of(c, mentee_id).await?
        && let Ok(pair) = Mentorship::new(m.mentor_id, m.mentee_id)
    {
        mentors.assign(pair);
    }
    mentors.check_mentee(me, mentee_id).map_err(domain)?;
    let today = app.today();
    let held_on = if input.held_on.trim().is_empty() {
        today
    } else {
        parse_date(&input.held_on).map_err(|_| rejected("held_on", "mentoring-held-on"))?
    };
    let evaluation = if input.evaluation.trim().is_empty() {
        None
    } else {
        Some(parse_evaluation(&input.evaluation).map_err(domain)?)
    };
    let session = match input.session_id.trim() {
        "" => None,
        raw => {
            let id = raw
                .parse::<i64>()
                .map_err(|_| rejected("session_id", "mentoring-session-not-attended"))?;
            if !more::attended_sessions(c, mentee_id)
                .await?
                .iter()
                .any(|s| s.session_id == id)
            {
                return Err(rejected("session_id", "mentoring-session-not-attended"));
            }
            Some(id)
        }
    };
    let f = FollowUp::record(
        &mentors,
        FollowUpDraft {
            mentor: me,
            trainee: mentee_id,
            session: session.unwrap_or(0),
            held_on,
            notes: &input.notes,
            evaluation,
        },
        today,
    )
    .map_err(domain)?;
    let id = store::insert_follow_up(
        c,
        &NewFollowUp {
            mentee_id,
            mentor_id: me,
            session_id: session,
            held_on: f.held_on,
            notes: f.notes.clone(),
            evaluation: f
                .evaluation
                .map(|e| i32::try_from(e.hundredths()).unwrap_or(0)),
        },
        Some(actor.user_id),
        app.now(),
    )
    .await?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "mentoring.follow_up",
        "mentor_follow_up",
        id,
        None::<&()>,
        Some(&serde_json::json!({
            "mentee_id": mentee_id,
            "session_id": session,
            "held_on": f.held_on,
            "notes": f.notes,
            "evaluation": f.evaluation,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Tells each mentor, once, about every follow-up that has fallen due (a session a trainee
/// attended has ended and its follow-up is not held yet, the due day not passed): run with
/// the hourly housekeeping, with the company's period. Returns the messages sent.
pub async fn remind_due(app: &App) -> AppResult<usize> {
    let days = default_days(app).await?;
    let now = app.now();
    let today = app.today();
    let from = now - Duration::days(i64::from(days.get()) + 1);
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let owed = more::follow_ups_owed(c, from, now).await?;
    let (names, sessions) = labels(
        c,
        owed.iter().map(|o| o.mentee_id).collect(),
        owed.iter().map(|o| o.session_id).collect(),
    )
    .await?;
    let mut sent = 0;
    for o in owed {
        let due = skillcert_domain::training::mentoring::due_on(
            (o.ends_at + Duration::hours(8)).date_naive(),
            days,
        );
        if today > due {
            continue;
        }
        let (user, _) = skillcert_store::certification::users_to_notify(c, o.mentor_id).await?;
        let Some(user) = user else { continue };
        let link = format!(
            "/mentoring/{}/follow-ups?session={}",
            o.mentee_id, o.session_id
        );
        if more::message_sent(c, user, "inbox-follow-up-due", &link).await? {
            continue;
        }
        let (_, name) = names.get(&o.mentee_id).cloned().unwrap_or_default();
        let (code, _) = sessions.get(&o.session_id).cloned().unwrap_or_default();
        let params = serde_json::json!({"name": name, "session": code, "due": due.to_string()});
        skillcert_store::certification::insert_message(
            c,
            user,
            "inbox-follow-up-due",
            &params.to_string(),
            &link,
            now,
        )
        .await?;
        sent += 1;
    }
    tx.commit().await?;
    Ok(sent)
}
