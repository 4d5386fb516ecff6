//! Links of training to the rest: round prerequisites on hours and plans, the retake ladder's
//! off-duty training, new hires' onboarding plan.
//!
//! - **Prerequisites**: a round may require training minutes credited in the year of the
//!   application and completed plans (every mandatory, not cancelled session of the plan
//!   attended present or late). The domain decides (`eligibility::check_training`); this
//!   module gathers what the employee has done.
//! - **Retake ladder**: a ladder step with off-duty training days enrols the employee on the
//!   next basic sessions (enrolment reason `retake`) until those days are covered. When the
//!   last of them is attended, the employee returns to the status they had (audited, with an
//!   inbox message). Without upcoming sessions the consequence stays open and the manager
//!   records the return by hand, as before.
//! - **Onboarding**: a new employee on probation (a new hire) is enrolled on the next basic
//!   sessions (reason `onboarding`) covering the basic days of the compliance rules.

use chrono::Datelike;
use skillcert_domain::certification::{RoundPlan, TrainingDone, check_training};
use skillcert_domain::org::EmployeeStatus;
use skillcert_store::Conn;
use skillcert_store::certification as cert_store;
use skillcert_store::training as session_store;
use skillcert_store::training_more::hours as store;

use crate::audit::{self, Author};
use crate::certification::inbox::notify_employee;
use crate::{App, AppResult, Problem};

/// Refusal codes of this area; each has a locale key `problem-<code>`.
pub const ERROR_CODES: &[&str] = &[
    "apply-training-hours",
    "apply-training-plan",
    "round-training-plan-unknown",
    "round-training-hours-range",
];

/// Inbox message kinds of this area; each is a locale key taking the params named in its text.
pub const INBOX_KINDS: &[&str] = &[
    "inbox-retake-training-assigned",
    "inbox-retake-training-assigned-supervisor",
    "inbox-retake-training-done",
    "inbox-retake-training-done-supervisor",
    "inbox-onboarding-assigned",
];

/// Enrolment reasons as stored in `session_enrolments.via`.
pub const VIA_RETAKE: &str = "retake";
pub const VIA_ONBOARDING: &str = "onboarding";

/// Most sessions one assignment enrols on: a month of daily sessions.
const SESSIONS_MAX: i64 = 31;

/// Adds a problem for every plan code of the round's prerequisites that names no plan.
pub(crate) async fn plan_code_problems(
    c: &mut Conn<'_>,
    plan: &RoundPlan,
    mut problems: Vec<Problem>,
) -> AppResult<Vec<Problem>> {
    for code in &plan.training.completed_plans {
        if session_store::plan_by_code(c, code).await?.is_none() {
            problems.push(Problem::new(
                "training_plans",
                "round-training-plan-unknown",
            ));
        }
    }
    Ok(problems)
}

/// What the employee has done of the round's training prerequisites.
pub(crate) async fn training_done(
    app: &App,
    c: &mut Conn<'_>,
    plan: &RoundPlan,
    employee_id: i64,
) -> AppResult<TrainingDone> {
    let mut done = TrainingDone::default();
    if plan.training.min_minutes > 0 {
        let minutes = store::yearly_minutes(c, employee_id, app.today().year()).await?;
        done.minutes = u64::try_from(minutes).unwrap_or(0);
    }
    for code in &plan.training.completed_plans {
        if let Some((mandatory, attended)) = store::plan_progress(c, code, employee_id).await?
            && attended >= mandatory
        {
            done.completed_plans.push(code.clone());
        }
    }
    Ok(done)
}

/// The refusals of an application for the training the round requires (empty when none).
pub(crate) async fn prerequisite_problems(
    app: &App,
    c: &mut Conn<'_>,
    plan: &RoundPlan,
    employee_id: i64,
) -> AppResult<Vec<Problem>> {
    if plan.training.is_empty() {
        return Ok(Vec::new());
    }
    let done = training_done(app, c, plan, employee_id).await?;
    Ok(check_training(plan, &done)
        .iter()
        .map(|e| Problem::new(e.field(), e.code()))
        .collect())
}

/// The next basic sessions whose minutes together cover `minutes` (at least one when any).
async fn sessions_covering(
    app: &App,
    c: &mut Conn<'_>,
    minutes: u64,
) -> AppResult<Vec<store::UpcomingSession>> {
    let upcoming = store::upcoming_sessions(c, "basic", app.now(), SESSIONS_MAX).await?;
    let mut out = Vec::new();
    let mut covered = 0u64;
    for s in upcoming {
        if covered >= minutes && !out.is_empty() {
            break;
        }
        covered = covered.saturating_add(u64::try_from(s.minutes).unwrap_or(0));
        out.push(s);
    }
    Ok(out)
}

/// The rules in force (the newest saved version, else S2), for the length of a day.
async fn rules(
    c: &mut Conn<'_>,
) -> AppResult<skillcert_domain::training::compliance::ComplianceRules> {
    Ok(super::compliance::rules_in(c).await?.1)
}

/// A ladder step with off-duty training days was recorded for `employee_id` (consequence
/// `consequence_id`): enrols them on the next basic sessions covering those days (a day is
/// the rules' basic day) and tells them. Returns the sessions enrolled on.
pub(crate) async fn assign_retake_training(
    app: &App,
    c: &mut Conn<'_>,
    author: &Author,
    consequence_id: i64,
    employee_id: i64,
    off_duty_days: u32,
) -> AppResult<Vec<String>> {
    if off_duty_days == 0 {
        return Ok(Vec::new());
    }
    let day = u64::from(rules(c).await?.basic_day_minutes());
    let need = day.saturating_mul(u64::from(off_duty_days));
    let mut codes = Vec::new();
    for s in sessions_covering(app, c, need).await? {
        let outcome =
            session_store::enrol(c, s.id, employee_id, VIA_RETAKE, author.user_id, app.now())
                .await?;
        if outcome == session_store::EnrolOutcome::Enrolled {
            codes.push(s.code);
        }
    }
    if !codes.is_empty() {
        audit::record(
            app,
            c,
            author,
            "training.retake_assign",
            "consequence",
            consequence_id,
            None::<&()>,
            Some(&serde_json::json!({
                "employee_id": employee_id, "off_duty_days": off_duty_days, "sessions": codes,
            })),
        )
        .await?;
        notify_employee(
            app,
            c,
            employee_id,
            "inbox-retake-training-assigned",
            &serde_json::json!({"sessions": codes.join(", ")}),
            "/my-training",
            true,
        )
        .await?;
    }
    Ok(codes)
}

/// New employees (id, status) were created: those on probation (new hires) are enrolled on
/// the next basic sessions covering the basic days of the rules. One enrolment call per
/// session, so a large import stays quick.
pub(crate) async fn onboard(
    app: &App,
    c: &mut Conn<'_>,
    author: &Author,
    employees: &[(i64, EmployeeStatus)],
) -> AppResult<()> {
    let hires: Vec<i64> = employees
        .iter()
        .filter(|(_, s)| *s == EmployeeStatus::Probation)
        .map(|(id, _)| *id)
        .collect();
    if hires.is_empty() {
        return Ok(());
    }
    let need = u64::from(rules(c).await?.new_hire_basic_minutes());
    let sessions = sessions_covering(app, c, need).await?;
    if sessions.is_empty() {
        return Ok(());
    }
    let codes: Vec<String> = sessions.iter().map(|s| s.code.clone()).collect();
    // New hires are never enrolled yet, so each session takes the first `n` of them while
    // places last: a hire's sessions are those whose `n` reaches past their position.
    let mut taken = Vec::with_capacity(sessions.len());
    for s in &sessions {
        let (enrolled, _, _) =
            session_store::enrol_many(c, s.id, &hires, VIA_ONBOARDING, author.user_id, app.now())
                .await?;
        taken.push(usize::try_from(enrolled).unwrap_or(usize::MAX));
    }
    // One audit entry for the whole batch: the enrolments name their reason themselves.
    audit::record(
        app,
        c,
        author,
        "training.onboarding_assign",
        "employee",
        hires.first().copied().unwrap_or_default(),
        None::<&()>,
        Some(&serde_json::json!({"employees": hires, "sessions": codes})),
    )
    .await?;
    // Only those who got a place are told (a full session skips the rest, who are then
    // left to the training manager, as the compliance page shows).
    for (i, id) in hires.iter().enumerate() {
        let theirs: Vec<&str> = codes
            .iter()
            .zip(&taken)
            .filter(|(_, n)| i < **n)
            .map(|(code, _)| code.as_str())
            .collect();
        if theirs.is_empty() {
            continue;
        }
        notify_employee(
            app,
            c,
            *id,
            "inbox-onboarding-assigned",
            &serde_json::json!({"sessions": theirs.join(", ")}),
            "/my-training",
            false,
        )
        .await?;
    }
    Ok(())
}

/// Called by attendance in the transaction that marks `employee_id` present or late at
/// `session_id`, so that finished training can return an employee's status (the retake
/// ladder's off-duty training): when the session was a retake assignment and none of the
/// employee's retake sessions is left, every open off-duty consequence is closed.
pub(crate) async fn after_attendance(
    app: &App,
    c: &mut Conn<'_>,
    session_id: i64,
    employee_id: i64,
) -> AppResult<()> {
    if store::enrolment_via(c, session_id, employee_id)
        .await?
        .as_deref()
        != Some(VIA_RETAKE)
    {
        return Ok(());
    }
    if store::open_enrolments(c, employee_id, VIA_RETAKE).await? > 0 {
        return Ok(());
    }
    let author = Author::system("training");
    for k in cert_store::consequences(c, None, Some(employee_id)).await? {
        if k.returned_on.is_none()
            && k.status_now.is_some()
            && crate::certification::consequences::return_to_duty(app, c, &author, &k, "training")
                .await?
        {
            notify_employee(
                app,
                c,
                employee_id,
                "inbox-retake-training-done",
                &serde_json::json!({"round": k.round_code}),
                "/my-certification",
                true,
            )
            .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::sync::Arc;

    use chrono::{DateTime, Duration, TimeZone, Utc};
    use skillcert_domain::access::{Grant, Role};
    use skillcert_store::{Db, DbOptions, on};

    use super::*;
    use crate::org::EmployeeInput;
    use crate::{Actor, AppConfig, FixedClock};

    async fn demo_app() -> App {
        let path =
            std::env::temp_dir().join(format!("skillcert-links-{}.db", rand::random::<u64>()));
        let db = Db::connect(
            &format!("sqlite://{}", path.display()),
            &DbOptions { max_connections: 4 },
        )
        .await
        .unwrap();
        db.migrate().await.unwrap();
        let clock = Arc::new(FixedClock::new(
            Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).unwrap(),
        ));
        let app = App::new(db, clock, AppConfig::for_tests());
        crate::demo::load(&app, 42).await.unwrap().unwrap();
        app
    }

    async fn manager(app: &App) -> Actor {
        let mut r = app.db.read().await.unwrap();
        let u = skillcert_store::users::find_user_by_username(&mut r.conn(), "manager")
            .await
            .unwrap()
            .unwrap();
        Actor {
            user_id: u.id,
            username: u.username,
            display_name: u.display_name,
            employee_id: u.employee_id,
            locale: None,
            session_id: 0,
            csrf_token: String::new(),
            grants: vec![Grant {
                role: Role::Admin,
                department_id: None,
            }],
            tree: Vec::new(),
        }
    }

    /// An upcoming basic session of `minutes`, written directly.
    async fn basic_session(app: &App, code: &str, starts_at: DateTime<Utc>, minutes: i64) -> i64 {
        let mut tx = app.db.begin().await.unwrap();
        let c = &mut tx.conn();
        let id: i64 = on!(c, |c| {
            sqlx::query_scalar(
            "INSERT INTO training_sessions (code, topic, level, skills, goal, starts_at, ends_at, \
             minutes, place, online_link, lecturer_external, target_group, outline, materials, \
             assessment_method, capacity, mandatory, open_lead_minutes, late_after_minutes, \
             checkin_secret, status, search, created_at, updated_at) \
             VALUES ($1, $1, 'basic', '[]', '', $2, $3, $4, '', '', '', '', '', '', '', NULL, \
             TRUE, 15, 10, '00', 'planned', $1, $2, $2) RETURNING id"
        )
        .bind(code)
        .bind(starts_at)
        .bind(starts_at + Duration::minutes(minutes))
        .bind(minutes)
        .fetch_one(&mut *c)
        .await
        })
        .unwrap();
        tx.commit().await.unwrap();
        id
    }

    async fn attend(app: &App, session_id: i64, employee_id: i64) {
        let mut tx = app.db.begin().await.unwrap();
        let c = &mut tx.conn();
        on!(c, |c| sqlx::query(
            "INSERT INTO attendance (session_id, employee_id, mark, source, marked_at) \
             VALUES ($1, $2, 'present', 'lecturer', $3)"
        )
        .bind(session_id)
        .bind(employee_id)
        .bind(app.now())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        after_attendance(app, c, session_id, employee_id)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }

    async fn messages(app: &App, kind: &str) -> i64 {
        let mut r = app.db.read().await.unwrap();
        let c = &mut r.conn();
        on!(c, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM inbox_messages WHERE kind LIKE $1"
        )
        .bind(kind)
        .fetch_one(&mut *c)
        .await)
        .unwrap()
    }

    #[tokio::test]
    async fn off_duty_training_is_assigned_and_returns_the_employee_when_done() {
        let app = demo_app().await;
        // The demo's failure with its ladder step, made an open off-duty one (the step of a
        // second failure): the employee is in off-duty training until it is done.
        let k = {
            let mut tx = app.db.begin().await.unwrap();
            let c = &mut tx.conn();
            let k = cert_store::consequences(c, None, None)
                .await
                .unwrap()
                .into_iter()
                .next()
                .expect("the demo has a retake consequence");
            let before = skillcert_store::org::get_employee(c, k.employee_id)
                .await
                .unwrap()
                .status;
            on!(c, |c| sqlx::query(
                "UPDATE consequences SET status_now = 'off_duty_training', returned_on = NULL, \
                 status_before = $2 WHERE id = $1"
            )
            .bind(k.id)
            .bind(&before)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))
            .unwrap();
            on!(c, |c| sqlx::query(
                "UPDATE employees SET status = 'off_duty_training' WHERE id = $1"
            )
            .bind(k.employee_id)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))
            .unwrap();
            let k = cert_store::get_consequence(c, k.id).await.unwrap();
            tx.commit().await.unwrap();
            k
        };
        assert_ne!(k.status_before, "off_duty_training");
        let now = app.now();
        // One off-duty day of 8 hours: two 4-hour sessions cover it, the third is not needed.
        let s1 = basic_session(&app, "RT-1", now + Duration::days(1), 240).await;
        let s2 = basic_session(&app, "RT-2", now + Duration::days(2), 240).await;
        let s3 = basic_session(&app, "RT-3", now + Duration::days(3), 240).await;
        let codes = {
            let mut tx = app.db.begin().await.unwrap();
            let c = &mut tx.conn();
            let codes =
                assign_retake_training(&app, c, &Author::system("test"), k.id, k.employee_id, 1)
                    .await
                    .unwrap();
            tx.commit().await.unwrap();
            codes
        };
        assert_eq!(codes, ["RT-1", "RT-2"]);
        {
            let mut r = app.db.read().await.unwrap();
            let c = &mut r.conn();
            assert_eq!(
                store::enrolment_via(c, s1, k.employee_id)
                    .await
                    .unwrap()
                    .as_deref(),
                Some(VIA_RETAKE)
            );
            assert_eq!(
                store::enrolment_via(c, s3, k.employee_id).await.unwrap(),
                None
            );
        }
        // The employee and their supervisor are told, as far as they have accounts.
        let told = {
            let mut r = app.db.read().await.unwrap();
            let (own, boss) = cert_store::users_to_notify(&mut r.conn(), k.employee_id)
                .await
                .unwrap();
            i64::from(own.is_some()) + i64::from(boss.is_some())
        };
        assert_eq!(
            messages(&app, "inbox-retake-training-assigned%").await,
            told
        );
        {
            let mut r = app.db.read().await.unwrap();
            let c = &mut r.conn();
            let audited: i64 = on!(c, |c| sqlx::query_scalar(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'training.retake_assign' \
                 AND entity_id = $1"
            )
            .bind(k.id.to_string())
            .fetch_one(&mut *c)
            .await)
            .unwrap();
            assert_eq!(audited, 1, "the assignment is audited");
        }

        // The first session done: still off duty.
        attend(&app, s1, k.employee_id).await;
        let status = |app: App, id: i64| async move {
            let mut r = app.db.read().await.unwrap();
            skillcert_store::org::get_employee(&mut r.conn(), id)
                .await
                .unwrap()
                .status
        };
        assert_eq!(
            status(app.clone(), k.employee_id).await,
            "off_duty_training"
        );
        // The last one: back to the status before, audited, told.
        attend(&app, s2, k.employee_id).await;
        assert_eq!(status(app.clone(), k.employee_id).await, k.status_before);
        let mut r = app.db.read().await.unwrap();
        let c = &mut r.conn();
        let after = cert_store::get_consequence(c, k.id).await.unwrap();
        assert_eq!(after.returned_on, Some(app.today()));
        let audited: i64 = on!(c, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'consequence.return' \
             AND entity_id = $1"
        )
        .bind(k.id.to_string())
        .fetch_one(&mut *c)
        .await)
        .unwrap();
        assert_eq!(audited, 1);
        drop(r);
        assert_eq!(messages(&app, "inbox-retake-training-done%").await, told);
    }

    #[tokio::test]
    async fn a_new_hire_is_enrolled_on_the_basic_days_and_others_are_not() {
        let app = demo_app().await;
        let now = app.now();
        let mut sessions = Vec::new();
        for i in 0..4 {
            sessions.push(
                basic_session(&app, &format!("NB-{i}"), now + Duration::days(i + 1), 480).await,
            );
        }
        let m = manager(&app).await;
        let department_id = {
            let mut r = app.db.read().await.unwrap();
            skillcert_store::org::list_departments(&mut r.conn())
                .await
                .unwrap()
                .last()
                .unwrap()
                .id
        };
        let make = |no: &str, status: &str| EmployeeInput {
            employee_no: no.into(),
            name: "新员工".into(),
            department_id: Some(department_id),
            hire_date: app.today().to_string(),
            status: status.into(),
            ..EmployeeInput::default()
        };
        let hire = crate::org::create_employee(&app, &m, &make("N90001", "probation"))
            .await
            .unwrap();
        let old = crate::org::create_employee(&app, &m, &make("N90002", "active"))
            .await
            .unwrap();
        let mut r = app.db.read().await.unwrap();
        let c = &mut r.conn();
        let mut vias = Vec::new();
        for s in &sessions {
            vias.push(store::enrolment_via(c, *s, hire.id).await.unwrap());
            assert_eq!(store::enrolment_via(c, *s, old.id).await.unwrap(), None);
        }
        // S2: 3 basic days of 8 hours: the first three sessions.
        assert_eq!(
            vias,
            [
                Some(VIA_ONBOARDING.to_string()),
                Some(VIA_ONBOARDING.to_string()),
                Some(VIA_ONBOARDING.to_string()),
                None
            ]
        );
    }

    fn refusal_codes(e: crate::AppError) -> Vec<&'static str> {
        match e {
            crate::AppError::Rejected(p) => p.iter().map(|p| p.code).collect(),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_round_can_require_training_and_refuses_applicants_without_it() {
        use crate::certification::applications::{self, ApplicationInput};
        use crate::certification::rounds;
        let app = demo_app().await;
        let m = manager(&app).await;
        let round_id = {
            let mut r = app.db.read().await.unwrap();
            cert_store::rounds_in(&mut r.conn(), "open").await.unwrap()[0].id
        };
        let detail = rounds::detail(&app, &m, round_id).await.unwrap();
        let level = detail.plan.levels[0].clone();
        let mut input = rounds::input_of(&detail);

        // Bad prerequisites: refused with clear codes, the round unchanged.
        input.training_hours = "1001".into();
        input.training_plans = "NO-SUCH-PLAN".into();
        let codes = refusal_codes(
            rounds::update(&app, &m, round_id, &input)
                .await
                .unwrap_err(),
        );
        assert!(codes.contains(&"round-training-plan-unknown"), "{codes:?}");
        assert!(codes.contains(&"round-training-hours-range"), "{codes:?}");
        let same = rounds::detail(&app, &m, round_id).await.unwrap();
        assert!(same.plan.training.is_empty(), "nothing changed");

        input.training_hours = "1000".into();
        input.training_plans = "PLAN-2026".into();
        rounds::update(&app, &m, round_id, &input).await.unwrap();
        let saved = rounds::detail(&app, &m, round_id).await.unwrap();
        assert_eq!(saved.plan.training.min_minutes, 60_000);
        assert_eq!(saved.plan.training.completed_plans, ["PLAN-2026"]);
        assert_eq!(
            rounds::input_of(&saved).training_hours,
            "1000",
            "the form shows hours"
        );

        // The demo employee has far fewer than 1,000 hours this year.
        let mut employee = m.clone();
        {
            let mut r = app.db.read().await.unwrap();
            let u = skillcert_store::users::find_user_by_username(&mut r.conn(), "employee")
                .await
                .unwrap()
                .unwrap();
            employee.user_id = u.id;
            employee.employee_id = u.employee_id;
            employee.grants = vec![Grant {
                role: Role::Employee,
                department_id: None,
            }];
        }
        let employee_id = employee.employee_id.unwrap();
        let complete = {
            let mut r = app.db.read().await.unwrap();
            let (n, done) = store::plan_progress(&mut r.conn(), "PLAN-2026", employee_id)
                .await
                .unwrap()
                .unwrap();
            done >= n
        };
        let apply = ApplicationInput {
            level: level.clone(),
            ..ApplicationInput::default()
        };
        let codes = refusal_codes(
            applications::apply(&app, &employee, round_id, &apply, &[])
                .await
                .unwrap_err(),
        );
        assert!(codes.contains(&"apply-training-hours"), "{codes:?}");
        assert_eq!(
            codes.contains(&"apply-training-plan"),
            !complete,
            "{codes:?}"
        );

        // Without the prerequisites the training codes are gone.
        input.training_hours = String::new();
        input.training_plans = String::new();
        rounds::update(&app, &m, round_id, &input).await.unwrap();
        if let Err(e) = applications::apply(&app, &employee, round_id, &apply, &[]).await {
            let codes = refusal_codes(e);
            assert!(
                !codes.iter().any(|c| c.starts_with("apply-training")),
                "{codes:?}"
            );
        }
    }
}
