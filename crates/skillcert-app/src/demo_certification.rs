//! The demo's certification rounds, run through the real services with the clock set back,
//! so that a newcomer finds certificates in every state: expired (a round of last
//! autumn), expiring within the re-evaluation lead time, valid, superseded by a
//! re-evaluation, revoked with a reason, and suspended by a pending appeal — plus a failed
//! result with its retake consequence, and a round open for applications today.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use skillcert_domain::access::{Grant, Role};
use skillcert_domain::demo::DemoOrg;
use skillcert_store::certification as store;
use skillcert_store::users;

use crate::certification::applications::{self, ApplicationInput};
use crate::certification::rounds::{self, RoundInput};
use crate::certification::{appeals, certificates, results};
use crate::{Actor, App, AppError, AppResult, FixedClock};

const SCHEME: &str = "s1-certification";

/// 10:00 in Beijing on `day`.
fn at(day: NaiveDate) -> chrono::DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(2, 0, 0).unwrap_or_default())
}

/// The app as it was on `day`.
fn on(app: &App, day: NaiveDate) -> App {
    let mut a = app.clone();
    a.clock = Arc::new(FixedClock::new(at(day)));
    a
}

async fn actor(app: &App, username: &str, role: Role) -> AppResult<Actor> {
    let mut r = app.db.read().await?;
    let u = users::find_user_by_username(&mut r.conn(), username)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("demo user {username}")))?;
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

/// One candidate: employee number, level applied for, theory / practical / daily.
type Candidate<'a> = (&'a str, &'a str, [&'a str; 3]);

struct Plan<'a> {
    code: &'a str,
    title: &'a str,
    opens: NaiveDate,
    issue_at: &'a str,
    candidates: Vec<Candidate<'a>>,
}

/// Runs a round from opening to publication (and closing when `close` is given).
async fn run(
    app: &App,
    p: &Plan<'_>,
    publish_on: NaiveDate,
    close_on: Option<NaiveDate>,
) -> AppResult<i64> {
    let a = on(app, p.opens);
    let manager = actor(&a, "manager", Role::TrainingManager).await?;
    let scheme = crate::schemes::load(
        &mut a.db.read().await?.conn(),
        SCHEME,
        crate::schemes::Pick::Preset,
    )
    .await?
    .scheme;
    let mut input = RoundInput::defaults(&a, &scheme);
    input.code = p.code.into();
    input.title = p.title.into();
    input.scheme_version = "preset".into();
    input.registration_closes = (p.opens + Duration::days(4)).to_string();
    input.assessment_starts = (p.opens + Duration::days(7)).to_string();
    input.assessment_ends = (p.opens + Duration::days(18)).to_string();
    input.issue_at = p.issue_at.into();
    let round = rounds::create(&a, &manager, &input).await?;
    let mut ids = Vec::new();
    for (no, level, _) in &p.candidates {
        let id = applications::apply_for(
            &a,
            &manager,
            no,
            round.id,
            &ApplicationInput {
                level: (*level).into(),
                training_completed_on: (p.opens - Duration::days(3)).to_string(),
                mentor_comment: "培训期间表现稳定，建议参加认证。".into(),
            },
            &[],
        )
        .await?;
        applications::decide(&a, &manager, id, true, "").await?;
        ids.push(id);
    }
    let a = on(app, p.opens + Duration::days(18));
    for (no, _, scores) in &p.candidates {
        let employee = {
            let mut r = a.db.read().await?;
            skillcert_store::org::find_employee_by_no(&mut r.conn(), no)
                .await?
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("demo employee {no}")))?
        };
        for (component, score) in ["theory", "practical", "daily"].iter().zip(scores) {
            results::enter_score(&a, &manager, round.id, employee.id, component, score).await?;
        }
    }
    results::review(&a, &manager, round.id).await?;
    let a = on(app, publish_on);
    results::publish(&a, &manager, round.id).await?;
    if let Some(day) = close_on {
        let a = on(app, day);
        results::close_by(&a, &manager, round.id).await?;
    }
    Ok(round.id)
}

/// Active agents of the demo, in employee-number order, skipping the demo accounts' own
/// employees (they get their own parts below).
fn agents(demo: &DemoOrg) -> Vec<&str> {
    let accounts: Vec<&str> = demo
        .accounts
        .iter()
        .filter_map(|a| a.employee_no.as_deref())
        .collect();
    demo.employees
        .iter()
        .filter(|e| {
            matches!(e.position_code.as_str(), "AGENT" | "SENIOR-AGENT")
                && e.status == skillcert_domain::org::EmployeeStatus::Active
                && !accounts.contains(&e.employee_no.as_str())
        })
        .map(|e| e.employee_no.as_str())
        .collect()
}

fn account_no<'a>(demo: &'a DemoOrg, username: &str) -> AppResult<&'a str> {
    demo.accounts
        .iter()
        .find(|a| a.username == username)
        .and_then(|a| a.employee_no.as_deref())
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("demo account {username}")))
}

pub(crate) async fn load(app: &App, demo: &DemoOrg) -> AppResult<()> {
    let today = app.today();
    let d = |days: i64| today - Duration::days(days);
    let pool = agents(demo);
    if pool.len() < 16 {
        return Err(AppError::Internal(anyhow::anyhow!(
            "demo has too few agents"
        )));
    }
    let employee = account_no(demo, "employee")?;
    let mentor = account_no(demo, "mentor")?;

    // Last autumn: certificates now expired, except one re-evaluated this autumn.
    let r1 = Plan {
        code: "CERT-2025-A",
        title: "2025 年秋季客服专员认证（第一批）",
        opens: d(427),
        issue_at: "appeal_close",
        candidates: vec![
            (pool[0], "intermediate", ["82", "78", "85"]),
            (pool[1], "junior", ["70", "66", "72"]),
            (pool[2], "intermediate", ["76", "74", "80"]),
            (pool[3], "junior", ["64", "62", "70"]),
        ],
    };
    run(app, &r1, d(400), Some(d(392))).await?;

    // A year ago: certificates now within the re-evaluation lead time; one revoked; one
    // failure with its consequence.
    let r2 = Plan {
        code: "CERT-2025-B",
        title: "2025 年秋季客服专员认证（第二批）",
        opens: d(385),
        issue_at: "appeal_close",
        candidates: vec![
            (mentor, "intermediate", ["90", "88", "92"]),
            (pool[4], "intermediate", ["80", "75", "78"]),
            (pool[5], "junior", ["68", "64", "70"]),
            (pool[6], "intermediate", ["72", "70", "74"]),
            (pool[7], "junior", ["48", "52", "60"]),
        ],
    };
    run(app, &r2, d(360), Some(d(352))).await?;
    {
        let a = on(app, d(255));
        let manager = actor(&a, "manager", Role::TrainingManager).await?;
        let number = {
            let mut r = a.db.read().await?;
            let e = skillcert_store::org::find_employee_by_no(&mut r.conn(), pool[6])
                .await?
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("demo employee")))?;
            store::certificates_of_employee(&mut r.conn(), e.id)
                .await?
                .into_iter()
                .next()
                .map(|c| c.number)
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("demo certificate")))?
        };
        certificates::revoke(
            &a,
            &manager,
            &number,
            "理论考试替考，经调查属实 / Exam impersonation confirmed by investigation",
        )
        .await?;
    }

    // This autumn: valid certificates; pool[0] is re-evaluated before expiry, so their
    // first certificate is superseded.
    {
        let a = on(app, d(50));
        certificates::sync_reevaluation(&a).await?;
    }
    let r3 = Plan {
        code: "CERT-2026-A",
        title: "2026 年秋季客服专员认证及复评",
        opens: d(77),
        issue_at: "appeal_close",
        candidates: vec![
            (pool[0], "senior", ["86", "84", "88"]),
            (pool[8], "intermediate", ["79", "73", "81"]),
            (pool[9], "junior", ["66", "68", "71"]),
            (pool[10], "intermediate", ["74", "71", "70"]),
        ],
    };
    run(app, &r3, d(56), Some(d(48))).await?;

    // Published two days ago, certificates issued at publication; the demo employee has
    // appealed, so theirs is suspended; one failure.
    let r4 = Plan {
        code: "CERT-2026-B",
        title: "2026 年 11 月客服专员认证",
        opens: d(21),
        issue_at: "publication",
        candidates: vec![
            (employee, "intermediate", ["72", "68", "75"]),
            (pool[11], "junior", ["65", "63", "66"]),
            (pool[12], "intermediate", ["81", "77", "79"]),
            (pool[13], "junior", ["55", "50", "62"]),
        ],
    };
    let r4_id = run(app, &r4, d(2), None).await?;
    {
        let a = on(app, d(1));
        let me = actor(&a, "employee", Role::Employee).await?;
        let result = {
            let mut r = a.db.read().await?;
            store::current_results(&mut r.conn(), r4_id)
                .await?
                .into_iter()
                .find(|x| Some(x.employee_id) == me.employee_id)
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("demo result")))?
        };
        appeals::file(
            &a,
            &me,
            result.id,
            &appeals::AppealInput {
                component: "practical".into(),
                item: "问题解决".into(),
                reason: "现场考核时系统故障导致通话中断，问题解决项评分偏低，申请复核。".into(),
            },
        )
        .await?;
    }

    // Open for applications today; its theory exam is the practice session anyone can sit.
    {
        let manager = actor(app, "manager", Role::TrainingManager).await?;
        let scheme = crate::schemes::load(
            &mut app.db.read().await?.conn(),
            SCHEME,
            crate::schemes::Pick::Preset,
        )
        .await?
        .scheme;
        let mut input = RoundInput::defaults(app, &scheme);
        input.code = "CERT-2026-C".into();
        input.title = "2026 年 12 月客服专员认证（报名中）".into();
        input.scheme_version = "preset".into();
        input.sources = BTreeMap::from([("theory".to_string(), "PRACTICE-2026".to_string())]);
        rounds::create(app, &manager, &input).await?;
    }
    certificates::sync_reevaluation(app).await?;
    Ok(())
}
