//! Contract tests of `training_more::hours`: the upcoming sessions an assignment picks, a
//! plan's completion, what is left of a retake assignment, who was already reminded, and
//! the yearly minutes.

use chrono::{DateTime, Duration, Utc};
use skillcert_store::certification as cert;
use skillcert_store::training::{self as training, PlanFields};
use skillcert_store::training_more::hours as store;
use skillcert_store::training_records as records;
use skillcert_store::users::{self, NewUser};
use skillcert_store::{Conn, on};

use crate::support::*;

/// A session written directly (its functions belong to `training`).
#[allow(clippy::too_many_arguments)]
async fn session(
    c: &mut Conn<'_>,
    code: &str,
    plan_id: Option<i64>,
    level: &str,
    starts_at: DateTime<Utc>,
    minutes: i32,
    mandatory: bool,
    status: &str,
) -> i64 {
    let ends_at = starts_at + Duration::minutes(i64::from(minutes));
    on!(c, |c| sqlx::query_scalar(
        "INSERT INTO training_sessions (plan_id, code, topic, level, skills, goal, starts_at, \
         ends_at, minutes, place, online_link, lecturer_external, target_group, outline, \
         materials, assessment_method, capacity, mandatory, open_lead_minutes, \
         late_after_minutes, checkin_secret, status, search, created_at, updated_at) \
         VALUES ($1, $2, $2, $3, '[]', '', $4, $5, $6, '', '', '', '', '', '', '', NULL, $7, \
         15, 10, '00', $8, $2, $9, $9) RETURNING id"
    )
    .bind(plan_id)
    .bind(code)
    .bind(level)
    .bind(starts_at)
    .bind(ends_at)
    .bind(minutes)
    .bind(mandatory)
    .bind(status)
    .bind(t0())
    .fetch_one(&mut *c)
    .await)
    .unwrap()
}

async fn attend(c: &mut Conn<'_>, session_id: i64, employee_id: i64, mark: &str) {
    on!(c, |c| sqlx::query(
        "INSERT INTO attendance (session_id, employee_id, mark, source, marked_at) \
         VALUES ($1, $2, $3, 'lecturer', $4)"
    )
    .bind(session_id)
    .bind(employee_id)
    .bind(mark)
    .bind(t0())
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
}

async fn staff(t: &TestDb, n: usize) -> Vec<i64> {
    let d = add_department(t, "CSC", "客服中心", None).await.unwrap();
    let mut ids = Vec::new();
    for i in 1..=n {
        let e = add_employee(t, &employee(&format!("E{i:03}"), &format!("员工{i}"), d.id))
            .await
            .unwrap();
        ids.push(e.id);
    }
    ids
}

#[tokio::test]
async fn upcoming_sessions_are_planned_ones_of_the_level_in_order() {
    each(async |t| {
        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        let later = t0() + Duration::days(3);
        let soon = t0() + Duration::days(1);
        session(c, "B-LATER", None, "basic", later, 480, true, "planned").await;
        session(c, "B-SOON", None, "basic", soon, 240, true, "planned").await;
        session(
            c,
            "B-PAST",
            None,
            "basic",
            t0() - Duration::days(1),
            480,
            true,
            "planned",
        )
        .await;
        session(c, "B-OFF", None, "basic", soon, 480, true, "cancelled").await;
        session(c, "A-SOON", None, "advanced", soon, 480, true, "planned").await;
        let got: Vec<(String, i32)> = store::upcoming_sessions(c, "basic", t0(), 10)
            .await
            .unwrap()
            .into_iter()
            .map(|s| (s.code, s.minutes))
            .collect();
        assert_eq!(
            got,
            [("B-SOON".to_string(), 240), ("B-LATER".to_string(), 480)]
        );
        assert_eq!(
            store::upcoming_sessions(c, "basic", t0(), 1)
                .await
                .unwrap()
                .len(),
            1,
            "the limit holds"
        );
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_plan_is_complete_when_every_mandatory_session_is_attended() {
    each(async |t| {
        let es = staff(t, 2).await;
        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        let plan = training::insert_plan(
            c,
            &PlanFields {
                code: "PLAN-2026".into(),
                year: 2026,
                title: "年度计划".into(),
                stages: "[]".into(),
                source_survey_id: None,
            },
            None,
            t0(),
        )
        .await
        .unwrap();
        let s1 = session(c, "S1", Some(plan.id), "basic", t0(), 120, true, "planned").await;
        let s2 = session(c, "S2", Some(plan.id), "basic", t0(), 120, true, "planned").await;
        let opt = session(c, "S3", Some(plan.id), "other", t0(), 120, false, "planned").await;
        session(
            c,
            "S4",
            Some(plan.id),
            "basic",
            t0(),
            120,
            true,
            "cancelled",
        )
        .await;
        attend(c, s1, es[0], "present").await;
        attend(c, s2, es[0], "late").await;
        attend(c, s1, es[1], "present").await;
        attend(c, s2, es[1], "absent").await;
        attend(c, opt, es[1], "present").await;
        assert_eq!(
            store::plan_progress(c, "PLAN-2026", es[0]).await.unwrap(),
            Some((2, 2)),
            "late counts; optional and cancelled sessions do not"
        );
        assert_eq!(
            store::plan_progress(c, "PLAN-2026", es[1]).await.unwrap(),
            Some((2, 1)),
            "absent does not count"
        );
        assert_eq!(
            store::plan_progress(c, "NO-SUCH", es[0]).await.unwrap(),
            None
        );
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn open_enrolments_count_what_is_left_of_an_assignment() {
    each(async |t| {
        let es = staff(t, 1).await;
        let e = es[0];
        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        let a = session(c, "R1", None, "basic", t0(), 480, true, "planned").await;
        let b = session(c, "R2", None, "basic", t0(), 480, true, "planned").await;
        let other = session(c, "P1", None, "basic", t0(), 480, true, "planned").await;
        training::enrol(c, a, e, "retake", None, t0())
            .await
            .unwrap();
        training::enrol(c, b, e, "retake", None, t0())
            .await
            .unwrap();
        training::enrol(c, other, e, "person", None, t0())
            .await
            .unwrap();
        assert_eq!(store::open_enrolments(c, e, "retake").await.unwrap(), 2);
        assert_eq!(
            store::enrolment_via(c, a, e).await.unwrap().as_deref(),
            Some("retake")
        );
        assert_eq!(
            store::enrolment_via(c, other, e).await.unwrap().as_deref(),
            Some("person")
        );
        attend(c, a, e, "present").await;
        attend(c, b, e, "excused").await;
        assert_eq!(
            store::open_enrolments(c, e, "retake").await.unwrap(),
            1,
            "excused is not done"
        );
        on!(c, |c| sqlx::query(
            "UPDATE attendance SET mark = 'late' WHERE session_id = $1 AND employee_id = $2"
        )
        .bind(b)
        .bind(e)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        assert_eq!(store::open_enrolments(c, e, "retake").await.unwrap(), 0);
        assert_eq!(store::enrolment_via(c, a, 999_999).await.unwrap(), None);
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn reminded_users_and_yearly_minutes() {
    each(async |t| {
        let es = staff(t, 1).await;
        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        let u = users::insert_user(
            c,
            &NewUser {
                username: "e1",
                display_name: "e1",
                password_hash: "x",
                employee_id: Some(es[0]),
            },
            t0(),
        )
        .await
        .unwrap()
        .id;
        let link = "/my-training/hours?year=2026";
        assert!(
            store::users_messaged(c, "k", link)
                .await
                .unwrap()
                .is_empty()
        );
        cert::insert_message(c, u, "k", "{}", link, t0())
            .await
            .unwrap();
        cert::insert_message(c, u, "k", "{}", link, t0())
            .await
            .unwrap();
        cert::insert_message(c, u, "k", "{}", "/my-training/hours?year=2025", t0())
            .await
            .unwrap();
        assert_eq!(store::users_messaged(c, "k", link).await.unwrap(), [u]);
        assert!(
            store::users_messaged(c, "other", link)
                .await
                .unwrap()
                .is_empty()
        );

        assert_eq!(store::yearly_minutes(c, es[0], 2026).await.unwrap(), 0);
        let s = session(c, "S1", None, "basic", t0(), 90, true, "planned").await;
        records::credit_session(c, es[0], s, date(2026, 11, 23), 90, "basic", "S1", t0())
            .await
            .unwrap();
        assert_eq!(store::yearly_minutes(c, es[0], 2026).await.unwrap(), 90);
        assert_eq!(store::yearly_minutes(c, es[0], 2025).await.unwrap(), 0);
        tx.commit().await.unwrap();
    })
    .await;
}
