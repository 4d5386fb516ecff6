//! Demo training data: homework and mentoring, made through the services with the clock set
//! to when each step happened.
//!
//! - `TRS-2026-01` (three weeks ago, the demo `lecturer`'s): a case analysis set the day of
//!   the session, due four days later; the demo `employee` handed it in on time and the
//!   lecturer marked it (17 of 20).
//! - `TRS-2026-TODAY`: a script rewrite due in a week, open.
//! - The demo `mentor` mentors the demo `employee` and two call-centre colleagues: the
//!   employee's follow-up after `TRS-2026-01` is recorded with an evaluation; a colleague who
//!   came late to it has none, two weeks past due (overdue); the third was absent and is owed
//!   none.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use skillcert_domain::access::{Grant, Role};
use skillcert_domain::demo::DemoOrg;
use skillcert_store::training::{self as sessions_store, SessionRow};
use skillcert_store::users;

use crate::training::homework::{self, AssignmentInput, MarkInput, UploadedFile};
use crate::training::mentoring::{self, AssignInput, FollowUpInput};
use crate::{Actor, App, AppError, AppResult, FixedClock};

fn on(app: &App, at: DateTime<Utc>) -> App {
    let mut a = app.clone();
    a.clock = Arc::new(FixedClock::new(at));
    a
}

fn internal(what: &str) -> AppError {
    AppError::Internal(anyhow::anyhow!("demo records: {what}"))
}

async fn actor(app: &App, username: &str, role: Role) -> AppResult<Actor> {
    let mut r = app.db.read().await?;
    let u = users::find_user_by_username(&mut r.conn(), username)
        .await?
        .ok_or_else(|| internal(username))?;
    Ok(Actor {
        user_id: u.id,
        username: u.username,
        display_name: u.display_name,
        employee_id: u.employee_id,
        locale: None,
        session_id: 0,
        csrf_token: String::new(),
        grants: vec![Grant {
            role,
            department_id: None,
        }],
        tree: Vec::new(),
    })
}

async fn session(app: &App, code: &str) -> AppResult<SessionRow> {
    let mut r = app.db.read().await?;
    sessions_store::session_by_code(&mut r.conn(), code)
        .await?
        .ok_or_else(|| internal(code))
}

/// Employee numbers of the people marked `marks` on a session, by employee number.
async fn marked(app: &App, session_id: i64, marks: &[&str]) -> AppResult<Vec<String>> {
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let mut out = Vec::new();
    for row in sessions_store::marks_of_session(c, session_id).await? {
        if marks.contains(&row.mark.as_str()) {
            let e = skillcert_store::org::get_employee(c, row.employee_id).await?;
            out.push(e.employee_no);
        }
    }
    out.sort();
    Ok(out)
}

/// Loads this area's demo records through the services.
pub(crate) async fn load(app: &App, demo: &DemoOrg) -> AppResult<()> {
    let now = app.now();
    let manager = actor(app, "manager", Role::TrainingManager).await?;
    let lecturer = actor(app, "lecturer", Role::Lecturer).await?;
    let employee = actor(app, "employee", Role::Employee).await?;
    let mentor = actor(app, "mentor", Role::Mentor).await?;
    let no_of = |username: &str| {
        demo.accounts
            .iter()
            .find(|a| a.username == username)
            .and_then(|a| a.employee_no.clone())
            .ok_or_else(|| internal(username))
    };
    let employee_no = no_of("employee")?;
    let mentor_no = no_of("mentor")?;
    let past = session(app, "TRS-2026-01").await?;
    let today = session(app, "TRS-2026-TODAY").await?;

    // Homework of TRS-2026-01: set when the session ends, handed in two days later, marked
    // the day after.
    let a = on(app, past.ends_at);
    let case = homework::create(
        &a,
        &lecturer,
        past.id,
        &AssignmentInput {
            title: "真实投诉案例分析".into(),
            instructions: "选取本月一通真实投诉录音，分析客户诉求、情绪变化和处理过程中的\
                           不足，写出改进后的应答要点（不少于 500 字）。"
                .into(),
            deadline: homework::deadline_text(past.ends_at + Duration::days(4)),
            max_points: "20".into(),
            late_policy: "penalty".into(),
            penalty_per_day: "10".into(),
            max_late_days: "3".into(),
        },
    )
    .await?;
    let a = on(app, past.ends_at + Duration::days(2));
    let submission = homework::submit(
        &a,
        &employee,
        case.id,
        "客户因账单重复扣费来电投诉，情绪激动。原处理中坐席过早解释系统原因，\
         未先共情。改进要点：先致歉并复述诉求，确认扣费明细，给出退款时限并主动回访。",
        &[UploadedFile {
            name: "案例分析.pdf".into(),
            bytes: b"%PDF-1.4\n% demo case analysis\n".to_vec(),
        }],
    )
    .await?;
    let a = on(app, past.ends_at + Duration::days(3));
    homework::mark(
        &a,
        &lecturer,
        submission,
        &MarkInput {
            points: "17".into(),
            comment: "共情到位，改进要点具体；退款时限应与规定核对。".into(),
        },
    )
    .await?;

    // Homework of today's session, open for a week.
    let a = on(app, now - Duration::minutes(30));
    homework::create(
        &a,
        &lecturer,
        today.id,
        &AssignmentInput {
            title: "改写服务话术：需求确认".into(),
            instructions: "按课上讲的“复述—确认—承诺”三步，改写附件中的三段开场话术。".into(),
            deadline: homework::deadline_text(now + Duration::days(7)),
            max_points: "10".into(),
            late_policy: "strict".into(),
            ..AssignmentInput::default()
        },
    )
    .await?;

    // Mentoring: assigned a month ago; the employee's follow-up three days after the
    // session; a late-comer's is overdue; an absentee is owed none.
    let late = marked(app, past.id, &["late"]).await?;
    let absent = marked(app, past.id, &["absent"]).await?;
    let (Some(late_no), Some(absent_no)) = (
        late.iter().find(|n| **n != employee_no && **n != mentor_no),
        absent
            .iter()
            .find(|n| **n != employee_no && **n != mentor_no),
    ) else {
        return Err(internal("TRS-2026-01 has no late or absent colleague"));
    };
    let a = on(app, past.starts_at - Duration::days(7));
    for mentee in [&employee_no, late_no, absent_no] {
        mentoring::assign(
            &a,
            &manager,
            &AssignInput {
                mentee_no: mentee.clone(),
                mentor_no: mentor_no.clone(),
            },
        )
        .await?;
    }
    let employee_id = employee.employee_id.ok_or_else(|| internal("employee"))?;
    let a = on(app, past.ends_at + Duration::days(3));
    mentoring::record(
        &a,
        &mentor,
        employee_id,
        &FollowUpInput {
            session_id: past.id.to_string(),
            held_on: String::new(),
            notes: "一对一复盘礼仪课：开场问候已规范，结束语仍偏快。约定下周抽听 3 通录音。".into(),
            evaluation: "82".into(),
        },
    )
    .await?;
    Ok(())
}
