//! Training storage: surveys with their invitees, responses and report rows; plans;
//! sessions; enrolment that keeps the capacity under concurrent enrolments; attendance marks
//! and the counts of the attendance rate.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use skillcert_domain::org::{EmployeeDraft, EmployeeStatus};
use skillcert_store::org;
use skillcert_store::training::{
    self as store, AttendanceCounts, EnrolOutcome, PlanFields, PlanQuery, ResponseFields,
    SessionFields, SessionQuery, SurveyFields, SurveyQuery,
};
use skillcert_store::users::{self, NewUser};
use skillcert_store::{StoreError, Tx};

use crate::support::*;

fn survey_fields(code: &str, title: &str) -> SurveyFields {
    SurveyFields {
        code: code.into(),
        title: title.into(),
        opens_on: date(2026, 11, 1),
        closes_on: date(2026, 11, 30),
        skills: r#"["listening","complaints"]"#.into(),
        targets: r#"{"listening":400}"#.into(),
        audience: r#"{"departments":[],"positions":[]}"#.into(),
    }
}

async fn survey(t: &TestDb, code: &str) -> i64 {
    let mut tx = t.begin().await;
    let s = store::insert_survey(
        &mut tx.conn(),
        &survey_fields(code, "培训需求调查"),
        None,
        t0(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    s.id
}

fn response(survey_id: i64, employee_id: i64, department_id: i64) -> ResponseFields {
    ResponseFields {
        survey_id,
        employee_id,
        department_id,
        position_id: None,
        ratings: r#"{"listening":3,"complaints":2}"#.into(),
        desired_content: "投诉处理".into(),
        format: "offline".into(),
    }
}

fn session_fields(code: &str, starts_at: DateTime<Utc>, capacity: Option<i32>) -> SessionFields {
    SessionFields {
        plan_id: None,
        code: code.into(),
        topic: format!("{code} 服务礼仪"),
        level: "basic".into(),
        skills: r#"["etiquette"]"#.into(),
        goal: "新员工培训后满意度 >= 4.5 / 5".into(),
        starts_at,
        ends_at: starts_at + Duration::hours(2),
        minutes: 120,
        place: "培训室 A".into(),
        online_link: String::new(),
        lecturer_user_id: None,
        lecturer_external: String::new(),
        target_group: "新员工".into(),
        outline: "1. 礼仪".into(),
        materials: String::new(),
        assessment_method: "笔试".into(),
        capacity,
        mandatory: true,
        open_lead_minutes: 15,
        late_after_minutes: 10,
    }
}

async fn session(t: &TestDb, code: &str, starts_at: DateTime<Utc>, capacity: Option<i32>) -> i64 {
    let mut tx = t.begin().await;
    let s = store::insert_session(
        &mut tx.conn(),
        &session_fields(code, starts_at, capacity),
        "00112233445566778899aabbccddeeff",
        None,
        t0(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    s.id
}

/// `n` active employees `{prefix}001…` in `department_id`.
async fn staff(t: &TestDb, prefix: &str, n: usize, department_id: i64) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 1..=n {
        let e = add_employee(
            t,
            &employee(&format!("{prefix}{i:03}"), "员工", department_id),
        )
        .await
        .unwrap();
        ids.push(e.id);
    }
    ids
}

async fn user(t: &TestDb, username: &str) -> users::User {
    let mut tx = t.begin().await;
    let u = users::insert_user(
        &mut tx.conn(),
        &NewUser {
            username,
            display_name: &format!("{username} 显示名"),
            password_hash: "$argon2id$fake",
            employee_id: None,
        },
        t0(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    u
}

fn is_conflict(e: &StoreError) -> bool {
    matches!(e, StoreError::Conflict { .. })
}

// ---------------------------------------------------------------- surveys

#[tokio::test]
async fn surveys_are_stored_updated_while_open_and_listed() {
    each(async |t| {
        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        let s = store::insert_survey(c, &survey_fields("NS-2026", "年度需求"), None, t0())
            .await
            .unwrap();
        assert_eq!(s.status, "open");
        assert_eq!(s.created_at, t0());
        assert_eq!(s.opens_on, date(2026, 11, 1));
        tx.commit().await.unwrap();
        // (A refused write aborts a PostgreSQL transaction: each gets one of its own.)
        let mut tx = t.begin().await;
        let dup = store::insert_survey(
            &mut tx.conn(),
            &survey_fields("NS-2026", "again"),
            None,
            t0(),
        )
        .await
        .unwrap_err();
        assert!(is_conflict(&dup), "{dup:?}");
        drop(tx);

        let later = t0() + Duration::minutes(5);
        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        let other = store::insert_survey(c, &survey_fields("NS-Q1", "季度调查"), None, t0())
            .await
            .unwrap();
        let mut f = survey_fields("NS-2026", "年度需求（修订）");
        f.closes_on = date(2026, 12, 15);
        assert!(store::update_survey(c, s.id, &f, later).await.unwrap());
        tx.commit().await.unwrap();
        let mut tx = t.begin().await;
        let taken = store::update_survey(&mut tx.conn(), other.id, &f, later)
            .await
            .unwrap_err();
        assert!(is_conflict(&taken), "{taken:?}");
        drop(tx);

        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        let got = store::get_survey(c, s.id).await.unwrap();
        assert_eq!(got.title, "年度需求（修订）");
        assert_eq!(got.closes_on, date(2026, 12, 15));
        assert_eq!(got.updated_at, later);
        assert!(
            !store::set_survey_status(c, s.id, "closed", "open", later)
                .await
                .unwrap(),
            "not closed yet"
        );
        assert!(
            store::set_survey_status(c, s.id, "open", "closed", later)
                .await
                .unwrap()
        );
        assert!(
            !store::update_survey(c, s.id, &f, later).await.unwrap(),
            "a closed survey does not change"
        );
        assert!(matches!(
            store::get_survey(c, 999_999).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(
            store::survey_by_code(c, "NS-Q1")
                .await
                .unwrap()
                .map(|r| r.id),
            Some(other.id)
        );
        assert!(store::survey_by_code(c, "NOPE").await.unwrap().is_none());
        tx.commit().await.unwrap();

        let d = add_department(t, "CSC", "客服中心", None).await.unwrap();
        let people = staff(t, "E", 3, d.id).await;
        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        assert_eq!(
            store::invite_audience(c, other.id, &[], &[]).await.unwrap(),
            3
        );
        store::upsert_response(c, &response(other.id, people[0], d.id), t0())
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();

        let mut r = t.db.read().await.unwrap();
        let c = &mut r.conn();
        let all = store::list_surveys(
            c,
            &SurveyQuery {
                page: 1,
                per_page: 10,
                ..SurveyQuery::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(all.total, 2);
        assert_eq!(all.items[0].id, other.id, "newest first");
        assert_eq!((all.items[0].invitees, all.items[0].responses), (3, 1));
        assert_eq!((all.items[1].invitees, all.items[1].responses), (0, 0));
        let found = store::list_surveys(
            c,
            &SurveyQuery {
                search: Some("ns-2026".into()),
                page: 1,
                per_page: 10,
                ..SurveyQuery::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(found.total, 1);
        assert_eq!(found.items[0].id, s.id);
        let closed = store::list_surveys(
            c,
            &SurveyQuery {
                status: Some("closed".into()),
                page: 1,
                per_page: 1,
                ..SurveyQuery::default()
            },
        )
        .await
        .unwrap();
        assert_eq!((closed.total, closed.items.len()), (1, 1));
        let percent = store::list_surveys(
            c,
            &SurveyQuery {
                search: Some("%".into()),
                page: 1,
                per_page: 10,
                ..SurveyQuery::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(percent.total, 0, "LIKE wildcards are matched literally");
        let page2 = store::list_surveys(
            c,
            &SurveyQuery {
                page: 2,
                per_page: 1,
                ..SurveyQuery::default()
            },
        )
        .await
        .unwrap();
        assert_eq!((page2.total, page2.items[0].id), (2, s.id));
    })
    .await;
}

#[tokio::test]
async fn invitation_covers_sub_departments_and_positions_once() {
    each(async |t| {
        let root = add_department(t, "CSC", "客服中心", None).await.unwrap();
        let child = add_department(t, "CSC-01", "呼叫一部", Some(root.id))
            .await
            .unwrap();
        let grandchild = add_department(t, "CSC-01-A", "一部甲组", Some(child.id))
            .await
            .unwrap();
        let other = add_department(t, "HR", "人力资源部", None).await.unwrap();
        let agent = add_position(t, "AGENT").await.unwrap();
        let lead = add_position(t, "LEAD").await.unwrap();
        let add = async |no: &str, dep: i64, pos: Option<i64>, status: EmployeeStatus| {
            let mut e = employee(no, "员工", dep);
            e.position_id = pos;
            e.status = status;
            add_employee(t, &e).await.unwrap().id
        };
        let a = add("E01", root.id, Some(agent.id), EmployeeStatus::Active).await;
        let b = add("E02", child.id, Some(lead.id), EmployeeStatus::Probation).await;
        let c_ = add("E03", grandchild.id, Some(agent.id), EmployeeStatus::Active).await;
        let gone = add("E04", grandchild.id, Some(agent.id), EmployeeStatus::Left).await;
        let hr = add("E05", other.id, None, EmployeeStatus::Active).await;

        let s1 = survey(t, "NS-1").await;
        let s2 = survey(t, "NS-2").await;
        let s3 = survey(t, "NS-3").await;
        let s4 = survey(t, "NS-4").await;
        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        assert_eq!(
            store::invite_audience(c, s1, &[child.id], &[])
                .await
                .unwrap(),
            2,
            "child and grandchild, not the one who left"
        );
        assert_eq!(
            store::invite_audience(c, s1, &[child.id], &[])
                .await
                .unwrap(),
            0,
            "idempotent"
        );
        assert_eq!(
            store::invite_audience(c, s1, &[root.id], &[])
                .await
                .unwrap(),
            1,
            "widening adds only the new people"
        );
        assert_eq!(
            store::invite_audience(c, s2, &[root.id], &[agent.id])
                .await
                .unwrap(),
            2
        );
        assert_eq!(
            store::invite_audience(c, s3, &[], &[]).await.unwrap(),
            4,
            "empty lists: everyone still employed"
        );
        assert_eq!(
            store::invite_audience(c, s4, &[other.id, grandchild.id], &[lead.id, agent.id])
                .await
                .unwrap(),
            1
        );
        for (survey, who, expected) in [
            (s1, a, true),
            (s1, b, true),
            (s1, c_, true),
            (s1, gone, false),
            (s1, hr, false),
            (s2, a, true),
            (s2, b, false),
            (s2, c_, true),
            (s3, hr, true),
            (s3, gone, false),
            (s4, c_, true),
            (s4, hr, false),
        ] {
            assert_eq!(
                store::is_invited(c, survey, who).await.unwrap(),
                expected,
                "survey {survey} employee {who}"
            );
        }
        assert_eq!(
            store::audience_employees(c, &[child.id], &[])
                .await
                .unwrap(),
            vec![b, c_]
        );
        assert_eq!(
            store::audience_employees(c, &[], &[lead.id]).await.unwrap(),
            vec![b]
        );
        assert_eq!(
            store::audience_employees(c, &[], &[]).await.unwrap(),
            vec![a, b, c_, hr]
        );
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn answering_again_replaces_the_response_and_report_rows_join_ratings() {
    each(async |t| {
        let root = add_department(t, "CSC", "客服中心", None).await.unwrap();
        let hr = add_department(t, "HR", "人力资源部", None).await.unwrap();
        let agent = add_position(t, "AGENT").await.unwrap();
        let people = staff(t, "E", 3, root.id).await;
        let boss = user(t, "boss").await;
        let other_boss = user(t, "boss2").await;
        let s = survey(t, "NS-1").await;
        let later = t0() + Duration::hours(1);

        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        let mut first = response(s, people[0], root.id);
        first.position_id = Some(agent.id);
        let id0 = store::upsert_response(c, &first, t0())
            .await
            .unwrap()
            .unwrap();
        let id1 = store::upsert_response(c, &response(s, people[1], root.id), t0())
            .await
            .unwrap()
            .unwrap();
        let id2 = store::upsert_response(c, &response(s, people[2], root.id), t0())
            .await
            .unwrap()
            .unwrap();
        // people[0] answers again, after a transfer to HR.
        let again = ResponseFields {
            department_id: hr.id,
            ratings: r#"{"listening":5,"complaints":4}"#.into(),
            desired_content: "沟通技巧".into(),
            format: "online".into(),
            ..first.clone()
        };
        assert_eq!(
            store::upsert_response(c, &again, later).await.unwrap(),
            Some(id0),
            "the same response, replaced"
        );
        let got = store::response_of(c, s, people[0]).await.unwrap().unwrap();
        assert_eq!(got.ratings, again.ratings);
        assert_eq!(got.desired_content, "沟通技巧");
        assert_eq!(got.format, "online");
        assert_eq!(got.department_id, hr.id);
        assert_eq!(got.position_id, Some(agent.id));
        assert_eq!(got.submitted_at, t0(), "first submission kept");
        assert_eq!(got.updated_at, later);
        assert!(store::response_of(c, s, 999_999).await.unwrap().is_none());

        store::upsert_supervisor_rating(c, s, people[1], boss.id, r#"{"listening":2}"#, t0())
            .await
            .unwrap();
        store::upsert_supervisor_rating(c, s, people[0], boss.id, r#"{"listening":4}"#, t0())
            .await
            .unwrap();
        store::upsert_supervisor_rating(
            c,
            s,
            people[0],
            other_boss.id,
            r#"{"listening":3,"complaints":3}"#,
            later,
        )
        .await
        .unwrap();
        let sup = store::supervisor_ratings(c, s).await.unwrap();
        assert_eq!(sup.len(), 2);
        assert_eq!(sup[0].employee_id, people[0]);
        assert_eq!(sup[0].rated_by, other_boss.id, "replaced");
        assert_eq!(sup[0].ratings, r#"{"listening":3,"complaints":3}"#);
        assert_eq!(sup[0].updated_at, later);
        assert_eq!(
            store::supervisor_rating_of(c, s, people[1])
                .await
                .unwrap()
                .map(|r| r.ratings),
            Some(r#"{"listening":2}"#.to_string())
        );
        assert!(
            store::supervisor_rating_of(c, s, people[2])
                .await
                .unwrap()
                .is_none()
        );

        let rows = store::report_rows(c, s).await.unwrap();
        assert_eq!(
            rows.iter().map(|r| r.response_id).collect::<Vec<_>>(),
            vec![id0, id1, id2],
            "by response id"
        );
        assert_eq!(rows[0].department_id, hr.id);
        assert_eq!(rows[0].department_name, "人力资源部");
        assert_eq!(rows[0].position_id, Some(agent.id));
        assert_eq!(rows[0].position_name.as_deref(), Some("AGENT 岗位"));
        assert_eq!(rows[0].ratings, r#"{"listening":5,"complaints":4}"#);
        assert_eq!(
            rows[0].supervisor_ratings.as_deref(),
            Some(r#"{"listening":3,"complaints":3}"#)
        );
        assert_eq!(rows[0].format, "online");
        assert_eq!(rows[1].department_name, "客服中心");
        assert_eq!(rows[1].position_name, None);
        assert_eq!(
            rows[1].supervisor_ratings.as_deref(),
            Some(r#"{"listening":2}"#)
        );
        assert_eq!(rows[2].employee_id, people[2]);
        assert_eq!(rows[2].supervisor_ratings, None, "not rated");
        assert_eq!(rows[2].desired_content, "投诉处理");
        assert!(store::report_rows(c, 999_999).await.unwrap().is_empty());

        assert!(
            store::set_survey_status(c, s, "open", "closed", later)
                .await
                .unwrap()
        );
        let late = ResponseFields {
            desired_content: "too late".into(),
            ..response(s, people[1], root.id)
        };
        assert_eq!(
            store::upsert_response(c, &late, later).await.unwrap(),
            None,
            "a closed survey takes no answers"
        );
        assert_eq!(
            store::response_of(c, s, people[1])
                .await
                .unwrap()
                .unwrap()
                .desired_content,
            "投诉处理"
        );
        tx.commit().await.unwrap();
    })
    .await;
}

/// Runs one statement on a transaction of either backend (test data in bulk).
async fn raw(tx: &mut Tx, sql: &'static str, survey_id: i64) {
    match tx {
        Tx::Sqlite(t) => {
            sqlx::query(sql)
                .bind(survey_id)
                .bind(t0())
                .execute(&mut **t)
                .await
                .unwrap();
        }
        Tx::Postgres(t) => {
            sqlx::query(sql)
                .bind(survey_id)
                .bind(t0())
                .execute(&mut **t)
                .await
                .unwrap();
        }
    }
}

#[tokio::test]
async fn report_rows_of_ten_thousand_responses_come_in_one_quick_query() {
    each(async |t| {
        let d = add_department(t, "CSC", "客服中心", None).await.unwrap();
        let p = add_position(t, "AGENT").await.unwrap();
        let drafts: Vec<EmployeeDraft> = (0..10_000)
            .map(|i| {
                let mut e = employee(&format!("E{i:05}"), "员工", d.id);
                if i % 2 == 0 {
                    e.position_id = Some(p.id);
                }
                e
            })
            .collect();
        let mut tx = t.begin().await;
        org::insert_employees_bulk(&mut tx.conn(), &drafts, t0())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let u = user(t, "boss").await;
        let s = survey(t, "NS-BIG").await;
        let mut tx = t.begin().await;
        raw(
            &mut tx,
            "INSERT INTO survey_responses (survey_id, employee_id, department_id, position_id, \
             ratings, desired_content, format, submitted_at, updated_at) \
             SELECT $1, id, department_id, position_id, '{\"listening\":3}', '投诉', 'either', \
             $2, $2 FROM employees ORDER BY id",
            s,
        )
        .await;
        // Rate one; the rest come back without supervisor ratings.
        let rated = org::find_employee_by_no(&mut tx.conn(), "E00007")
            .await
            .unwrap()
            .unwrap()
            .id;
        store::upsert_supervisor_rating(&mut tx.conn(), s, rated, u.id, r#"{"listening":2}"#, t0())
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut r = t.db.read().await.unwrap();
        let started = Instant::now();
        let rows = store::report_rows(&mut r.conn(), s).await.unwrap();
        let took = started.elapsed();
        assert_eq!(rows.len(), 10_000);
        assert!(rows.windows(2).all(|w| w[0].response_id < w[1].response_id));
        assert_eq!(
            rows.iter()
                .filter(|r| r.supervisor_ratings.is_some())
                .count(),
            1
        );
        assert_eq!(
            rows.iter().filter(|r| r.position_name.is_some()).count(),
            5_000
        );
        // Catches a query per row, not a slow machine: the budget is the benchmark's.
        assert!(took.as_secs_f64() < 15.0, "{} took {took:?}", t.label());
    })
    .await;
}

// ---------------------------------------------------------------- plans

#[tokio::test]
async fn plans_are_stored_listed_by_year_and_change_status() {
    each(async |t| {
        let s = survey(t, "NS-1").await;
        let plan = |code: &str, year: i32, title: &str| PlanFields {
            code: code.into(),
            year,
            title: title.into(),
            stages: r#"[{"name":"一阶段","starts_on":"2026-01-01","ends_on":"2026-03-31"}]"#.into(),
            source_survey_id: Some(s),
        };
        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        let p1 = store::insert_plan(c, &plan("TP-2026", 2026, "年度培训计划"), None, t0())
            .await
            .unwrap();
        assert_eq!(p1.status, "draft");
        assert_eq!(p1.source_survey_id, Some(s));
        let p2 = store::insert_plan(c, &plan("TP-2026-B", 2026, "补充计划"), None, t0())
            .await
            .unwrap();
        let p3 = store::insert_plan(c, &plan("TP-2025", 2025, "旧计划"), None, t0())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut tx = t.begin().await;
        let dup = store::insert_plan(&mut tx.conn(), &plan("TP-2025", 2027, "x"), None, t0())
            .await
            .unwrap_err();
        assert!(is_conflict(&dup), "{dup:?}");
        drop(tx);

        let later = t0() + Duration::days(1);
        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        let mut changed = plan("TP-2026", 2026, "年度培训计划（修订）");
        changed.source_survey_id = None;
        assert!(store::update_plan(c, p1.id, &changed, later).await.unwrap());
        let got = store::get_plan(c, p1.id).await.unwrap();
        assert_eq!(got.title, "年度培训计划（修订）");
        assert_eq!(got.source_survey_id, None);
        assert_eq!(got.updated_at, later);
        assert!(
            store::set_plan_status(c, p1.id, "draft", "published", later)
                .await
                .unwrap()
        );
        assert!(
            !store::set_plan_status(c, p1.id, "draft", "published", later)
                .await
                .unwrap(),
            "published once"
        );
        assert!(
            store::update_plan(c, p1.id, &changed, later).await.unwrap(),
            "a published plan may still be edited"
        );
        assert!(
            store::set_plan_status(c, p3.id, "draft", "archived", later)
                .await
                .unwrap()
        );
        assert!(
            !store::update_plan(c, p3.id, &plan("TP-2025", 2025, "x"), later)
                .await
                .unwrap(),
            "an archived plan does not change"
        );
        assert_eq!(
            store::plan_by_code(c, "TP-2026-B")
                .await
                .unwrap()
                .map(|p| p.id),
            Some(p2.id)
        );
        assert!(matches!(
            store::get_plan(c, 999_999).await,
            Err(StoreError::NotFound)
        ));
        tx.commit().await.unwrap();

        let mut f = session_fields("S-1", t0(), None);
        f.plan_id = Some(p1.id);
        let mut tx = t.begin().await;
        store::insert_session(&mut tx.conn(), &f, "ab", None, t0())
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut r = t.db.read().await.unwrap();
        let c = &mut r.conn();
        let y2026 = store::list_plans(
            c,
            &PlanQuery {
                year: Some(2026),
                page: 1,
                per_page: 10,
                ..PlanQuery::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(y2026.total, 2);
        assert_eq!(
            y2026.items.iter().map(|p| p.id).collect::<Vec<_>>(),
            vec![p1.id, p2.id]
        );
        assert_eq!(y2026.items[0].sessions, 1);
        assert_eq!(y2026.items[1].sessions, 0);
        let all = store::list_plans(
            c,
            &PlanQuery {
                page: 2,
                per_page: 2,
                ..PlanQuery::default()
            },
        )
        .await
        .unwrap();
        assert_eq!((all.total, all.pages()), (3, 2));
        assert_eq!(all.items.len(), 1);
        assert_eq!(all.items[0].id, p3.id, "older year last");
        let found = store::list_plans(
            c,
            &PlanQuery {
                search: Some("补充".into()),
                page: 1,
                per_page: 10,
                ..PlanQuery::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(found.total, 1);
        assert_eq!(found.items[0].id, p2.id);
        let archived = store::list_plans(
            c,
            &PlanQuery {
                status: Some("archived".into()),
                page: 1,
                per_page: 10,
                ..PlanQuery::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(archived.total, 1);
    })
    .await;
}

// ---------------------------------------------------------------- sessions

#[tokio::test]
async fn sessions_are_stored_updated_cancelled_and_listed_with_counts() {
    each(async |t| {
        let d = add_department(t, "CSC", "客服中心", None).await.unwrap();
        let people = staff(t, "E", 3, d.id).await;
        let lecturer = user(t, "lecturer").await;
        let mut tx = t.begin().await;
        let plan = store::insert_plan(
            &mut tx.conn(),
            &PlanFields {
                code: "TP-1".into(),
                year: 2026,
                title: "计划".into(),
                stages: "[]".into(),
                source_survey_id: None,
            },
            None,
            t0(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let day = Duration::days(1);
        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        let mut f1 = session_fields("S-1", t0() + day, Some(30));
        f1.plan_id = Some(plan.id);
        f1.lecturer_user_id = Some(lecturer.id);
        let s1 = store::insert_session(c, &f1, "secret-1", Some(lecturer.id), t0())
            .await
            .unwrap();
        assert_eq!(s1.status, "planned");
        assert_eq!(s1.capacity, Some(30));
        assert!(s1.mandatory);
        assert_eq!(s1.checkin_secret, "secret-1");
        assert_eq!(s1.starts_at, t0() + day);
        assert_eq!(s1.ends_at, t0() + day + Duration::hours(2));
        assert_eq!(s1.created_by, Some(lecturer.id));
        let s2 = store::insert_session(c, &session_fields("S-2", t0(), None), "x", None, t0())
            .await
            .unwrap();
        let s3 = store::insert_session(
            c,
            &session_fields("S-3", t0() + day * 40, None),
            "x",
            None,
            t0(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut tx = t.begin().await;
        let dup = store::insert_session(
            &mut tx.conn(),
            &session_fields("S-1", t0(), None),
            "x",
            None,
            t0(),
        )
        .await
        .unwrap_err();
        assert!(is_conflict(&dup), "{dup:?}");
        drop(tx);

        let later = t0() + Duration::minutes(1);
        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        let mut f2 = session_fields("S-2", t0(), Some(2));
        f2.topic = "投诉处理进阶".into();
        f2.level = "advanced".into();
        f2.mandatory = false;
        f2.online_link = "https://meet.example/s2".into();
        assert!(store::update_session(c, s2.id, &f2, later).await.unwrap());
        let got = store::get_session(c, s2.id).await.unwrap();
        assert_eq!(got.topic, "投诉处理进阶");
        assert_eq!(got.level, "advanced");
        assert!(!got.mandatory);
        assert_eq!(got.capacity, Some(2));
        assert_eq!(got.checkin_secret, "x", "the secret stays");
        assert_eq!(got.updated_at, later);
        assert!(store::cancel_session(c, s3.id, later).await.unwrap());
        assert!(
            !store::cancel_session(c, s3.id, later).await.unwrap(),
            "cancelled once"
        );
        assert!(
            !store::update_session(c, s3.id, &session_fields("S-3", t0(), None), later)
                .await
                .unwrap(),
            "a cancelled session does not change"
        );
        assert_eq!(
            store::session_by_code(c, "S-3")
                .await
                .unwrap()
                .map(|s| s.status),
            Some("cancelled".to_string())
        );
        assert!(store::session_by_code(c, "S-9").await.unwrap().is_none());
        assert!(matches!(
            store::get_session(c, 999_999).await,
            Err(StoreError::NotFound)
        ));
        for e in &people {
            assert_eq!(
                store::enrol(c, s1.id, *e, "person", None, t0())
                    .await
                    .unwrap(),
                EnrolOutcome::Enrolled
            );
        }
        assert!(
            store::set_mark(c, s1.id, people[0], "present", "lecturer", None, t0())
                .await
                .unwrap()
        );
        assert!(
            store::set_mark(c, s1.id, people[1], "late", "self_check_in", None, t0())
                .await
                .unwrap()
        );
        assert!(
            store::set_mark(c, s1.id, people[2], "absent", "lecturer", None, t0())
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();

        let mut r = t.db.read().await.unwrap();
        let c = &mut r.conn();
        let q = |f: &dyn Fn(&mut SessionQuery)| {
            let mut q = SessionQuery {
                page: 1,
                per_page: 10,
                ..SessionQuery::default()
            };
            f(&mut q);
            q
        };
        let all = store::list_sessions(c, &q(&|_| {})).await.unwrap();
        assert_eq!(all.total, 3);
        assert_eq!(
            all.items.iter().map(|s| s.id).collect::<Vec<_>>(),
            vec![s2.id, s1.id, s3.id],
            "by start"
        );
        assert_eq!((all.items[1].enrolled, all.items[1].attended), (3, 2));
        assert_eq!((all.items[0].enrolled, all.items[0].attended), (0, 0));
        assert_eq!(all.items[2].status, "cancelled");
        let window = store::list_sessions(
            c,
            &q(&|q| {
                q.from = Some(t0() + Duration::hours(1));
                q.to = Some(t0() + day * 40);
            }),
        )
        .await
        .unwrap();
        assert_eq!(
            window.items.iter().map(|s| s.id).collect::<Vec<_>>(),
            vec![s1.id]
        );
        let by_plan = store::list_sessions(c, &q(&|q| q.plan_id = Some(plan.id)))
            .await
            .unwrap();
        assert_eq!((by_plan.total, by_plan.items[0].id), (1, s1.id));
        let by_lecturer = store::list_sessions(c, &q(&|q| q.lecturer_user_id = Some(lecturer.id)))
            .await
            .unwrap();
        assert_eq!((by_lecturer.total, by_lecturer.items[0].id), (1, s1.id));
        let by_text = store::list_sessions(c, &q(&|q| q.search = Some("进阶".into())))
            .await
            .unwrap();
        assert_eq!((by_text.total, by_text.items[0].id), (1, s2.id));
        let by_code = store::list_sessions(c, &q(&|q| q.search = Some("s-3".into())))
            .await
            .unwrap();
        assert_eq!(by_code.total, 1);
        let paged = store::list_sessions(
            c,
            &q(&|q| {
                q.page = 2;
                q.per_page = 2;
            }),
        )
        .await
        .unwrap();
        assert_eq!((paged.total, paged.items.len()), (3, 1));

        let month = store::sessions_between(c, t0() - day, t0() + day * 30)
            .await
            .unwrap();
        assert_eq!(
            month.iter().map(|s| s.id).collect::<Vec<_>>(),
            vec![s2.id, s1.id]
        );
        assert_eq!(month[1].enrolled, 3);
        assert!(
            store::sessions_between(c, t0() + Duration::seconds(1), t0() + day)
                .await
                .unwrap()
                .is_empty(),
            "half-open: a session starting at `to` is not included"
        );
    })
    .await;
}

// ---------------------------------------------------------------- enrolment

#[tokio::test]
async fn enrolment_refuses_doubles_full_and_cancelled_sessions() {
    each(async |t| {
        let d = add_department(t, "CSC", "客服中心", None).await.unwrap();
        let sub = add_department(t, "CSC-01", "一部", Some(d.id))
            .await
            .unwrap();
        let agent = add_position(t, "AGENT").await.unwrap();
        let people = staff(t, "E", 6, d.id).await;
        let mut e = employee("F001", "调来的", sub.id);
        e.position_id = Some(agent.id);
        let transferred = add_employee(t, &e).await.unwrap().id;
        let small = session(t, "S-SMALL", t0(), Some(2)).await;
        let open = session(t, "S-OPEN", t0() + Duration::days(3), None).await;
        let gone = session(t, "S-GONE", t0(), Some(10)).await;

        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        assert!(store::cancel_session(c, gone, t0()).await.unwrap());
        assert_eq!(
            store::enrol(c, small, people[0], "person", None, t0())
                .await
                .unwrap(),
            EnrolOutcome::Enrolled
        );
        assert_eq!(
            store::enrol(c, small, people[0], "person", None, t0())
                .await
                .unwrap(),
            EnrolOutcome::AlreadyEnrolled
        );
        assert_eq!(
            store::enrol(c, small, people[1], "retake", None, t0())
                .await
                .unwrap(),
            EnrolOutcome::Enrolled
        );
        assert_eq!(
            store::enrol(c, small, people[2], "person", None, t0())
                .await
                .unwrap(),
            EnrolOutcome::Full
        );
        assert_eq!(
            store::enrol(c, small, people[1], "person", None, t0())
                .await
                .unwrap(),
            EnrolOutcome::AlreadyEnrolled,
            "already enrolled wins over full"
        );
        assert_eq!(
            store::enrol(c, gone, people[0], "person", None, t0())
                .await
                .unwrap(),
            EnrolOutcome::Cancelled
        );
        assert!(matches!(
            store::enrol(c, 999_999, people[0], "person", None, t0()).await,
            Err(StoreError::NotFound)
        ));
        assert!(store::is_enrolled(c, small, people[1]).await.unwrap());
        assert!(!store::is_enrolled(c, small, people[2]).await.unwrap());

        // A department with its sub-department, through the audience helper.
        let audience = store::audience_employees(c, &[d.id], &[]).await.unwrap();
        assert_eq!(audience.len(), 7);
        assert_eq!(
            store::enrol_many(c, small, &audience, "department", None, t0())
                .await
                .unwrap(),
            (0, 2, 5)
        );
        assert_eq!(
            store::enrol(c, open, people[3], "person", None, t0())
                .await
                .unwrap(),
            EnrolOutcome::Enrolled
        );
        let mut twice = audience.clone();
        twice.push(audience[0]);
        assert_eq!(
            store::enrol_many(c, open, &twice, "department", None, t0())
                .await
                .unwrap(),
            (6, 1, 0),
            "duplicates count once"
        );
        assert!(matches!(
            store::enrol_many(c, gone, &audience, "department", None, t0()).await,
            Err(StoreError::Conflict { .. })
        ));
        assert!(matches!(
            store::enrol_many(c, 999_999, &audience, "department", None, t0()).await,
            Err(StoreError::NotFound)
        ));

        // The list with marks, and unenrolment that keeps the sheet whole.
        assert!(
            store::set_mark(c, small, people[0], "present", "lecturer", None, t0())
                .await
                .unwrap()
        );
        let list = store::enrolled(c, small).await.unwrap();
        assert_eq!(
            list.iter().map(|r| r.employee_id).collect::<Vec<_>>(),
            vec![people[0], people[1]]
        );
        assert_eq!(list[0].employee_no, "E001");
        assert_eq!(list[0].department, "客服中心");
        assert_eq!(list[0].mark.as_deref(), Some("present"));
        assert_eq!(list[0].mark_source.as_deref(), Some("lecturer"));
        assert_eq!(list[0].enrolled_at, t0());
        assert_eq!(list[1].via, "retake");
        assert_eq!(list[1].mark, None);
        let all = store::enrolled(c, open).await.unwrap();
        assert_eq!(all.len(), 7);
        let f = all.iter().find(|r| r.employee_id == transferred).unwrap();
        assert_eq!(
            (f.department.as_str(), f.position.as_deref(), f.via.as_str()),
            ("一部", Some("AGENT 岗位"), "department")
        );
        assert!(
            !store::unenrol(c, small, people[0]).await.unwrap(),
            "marked: stays on the list"
        );
        assert!(store::unenrol(c, small, people[1]).await.unwrap());
        assert!(!store::unenrol(c, small, people[1]).await.unwrap());
        assert_eq!(
            store::enrol(c, small, people[2], "person", None, t0())
                .await
                .unwrap(),
            EnrolOutcome::Enrolled,
            "the freed place is taken"
        );

        let mine = store::sessions_of_employee(
            c,
            people[0],
            t0() - Duration::days(1),
            t0() + Duration::days(10),
        )
        .await
        .unwrap();
        assert_eq!(
            mine.iter()
                .map(|s| (s.session_id, s.mark.clone()))
                .collect::<Vec<_>>(),
            vec![(small, Some("present".to_string())), (open, None)]
        );
        assert_eq!(mine[1].via, "department");
        let window = store::sessions_of_employee(
            c,
            people[0],
            t0() + Duration::days(1),
            t0() + Duration::days(10),
        )
        .await
        .unwrap();
        assert_eq!(window.len(), 1);
        assert_eq!(window[0].session_id, open);
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn concurrent_enrolments_never_exceed_the_capacity() {
    each(async |t| {
        let d = add_department(t, "CSC", "客服中心", None).await.unwrap();
        let people = staff(t, "E", 12, d.id).await;
        let s = session(t, "S-RACE", t0(), Some(5)).await;
        let db = Arc::new(t.db.clone());
        let mut tasks = Vec::new();
        for e in people.clone() {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let mut tx = db.begin().await.unwrap();
                tokio::task::yield_now().await;
                let out = store::enrol(&mut tx.conn(), s, e, "person", None, t0())
                    .await
                    .unwrap();
                tokio::task::yield_now().await;
                tx.commit().await.unwrap();
                out
            }));
        }
        let mut enrolled = 0;
        let mut full = 0;
        for task in tasks {
            match task.await.unwrap() {
                EnrolOutcome::Enrolled => enrolled += 1,
                EnrolOutcome::Full => full += 1,
                other => panic!("{other:?}"),
            }
        }
        assert_eq!((enrolled, full), (5, 7), "{}", t.label());
        let mut r = t.db.read().await.unwrap();
        assert_eq!(store::enrolled(&mut r.conn(), s).await.unwrap().len(), 5);
        drop(r);

        // Bulk enrolments racing each other and single ones: still at most the capacity.
        let s2 = session(t, "S-RACE-2", t0(), Some(5)).await;
        let mut tasks = Vec::new();
        for (i, group) in people.chunks(4).enumerate() {
            let db = db.clone();
            let group = group.to_vec();
            tasks.push(tokio::spawn(async move {
                let mut tx = db.begin().await.unwrap();
                let (n, _, _) =
                    store::enrol_many(&mut tx.conn(), s2, &group, "position", None, t0())
                        .await
                        .unwrap();
                let mut n = n;
                if i == 0
                    && store::enrol(&mut tx.conn(), s2, group[0], "person", None, t0())
                        .await
                        .unwrap()
                        == EnrolOutcome::Enrolled
                {
                    n += 1;
                }
                tokio::task::yield_now().await;
                tx.commit().await.unwrap();
                n
            }));
        }
        let mut total = 0;
        for task in tasks {
            total += task.await.unwrap();
        }
        assert_eq!(total, 5, "{}", t.label());
        let mut r = t.db.read().await.unwrap();
        assert_eq!(store::enrolled(&mut r.conn(), s2).await.unwrap().len(), 5);
    })
    .await;
}

// ---------------------------------------------------------------- attendance

#[tokio::test]
async fn marks_are_upserted_for_enrolled_people_and_counted_for_the_rate() {
    each(async |t| {
        let d = add_department(t, "CSC", "客服中心", None).await.unwrap();
        let people = staff(t, "E", 3, d.id).await;
        let (a, b, nobody) = (people[0], people[1], people[2]);
        let h = Duration::hours(1);
        let day = Duration::days(1);
        // Sessions in order of start: s1..s4 have ended by `now`, s5 has not; s6 is
        // cancelled; s7 is outside the window.
        let now = t0() + day * 10;
        let s1 = session(t, "S-1", t0(), None).await;
        let s2 = session(t, "S-2", t0() + day, None).await;
        let s3 = session(t, "S-3", t0() + day * 2, None).await;
        let s4 = session(t, "S-4", t0() + day * 3, None).await;
        let s5 = session(t, "S-5", now - h, None).await;
        let s6 = session(t, "S-6", t0() + day * 4, None).await;
        let s7 = session(t, "S-7", t0() + day * 20, None).await;
        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        for s in [s1, s2, s3, s4, s5, s6, s7] {
            for e in [a, b] {
                store::enrol(c, s, e, "person", None, t0()).await.unwrap();
            }
        }
        assert!(store::cancel_session(c, s6, t0()).await.unwrap());

        assert!(
            !store::set_mark(c, s1, nobody, "present", "lecturer", None, t0())
                .await
                .unwrap(),
            "not enrolled: no mark"
        );
        assert!(store::get_mark(c, s1, nobody).await.unwrap().is_none());
        // a: s1 present (self check-in, then a second check-in does not override), s2 late,
        // s3 excused, s4 absent then corrected to present by the lecturer, s5 unmarked.
        assert!(
            store::insert_mark_if_unmarked(c, s1, a, "present", "self_check_in", None, t0())
                .await
                .unwrap()
        );
        assert!(
            !store::insert_mark_if_unmarked(c, s1, a, "late", "self_check_in", None, t0() + h)
                .await
                .unwrap()
        );
        assert!(
            !store::insert_mark_if_unmarked(c, s1, nobody, "late", "self_check_in", None, t0())
                .await
                .unwrap()
        );
        let m = store::get_mark(c, s1, a).await.unwrap().unwrap();
        assert_eq!(
            (m.mark.as_str(), m.source.as_str(), m.marked_at),
            ("present", "self_check_in", t0())
        );
        for (s, mark) in [
            (s2, "late"),
            (s3, "excused"),
            (s4, "absent"),
            (s6, "present"),
        ] {
            assert!(
                store::set_mark(c, s, a, mark, "lecturer", None, t0())
                    .await
                    .unwrap()
            );
        }
        let corrected = t0() + day * 3 + h * 3;
        assert!(
            store::set_mark(c, s4, a, "present", "lecturer", None, corrected)
                .await
                .unwrap()
        );
        let m = store::get_mark(c, s4, a).await.unwrap().unwrap();
        assert_eq!((m.mark.as_str(), m.marked_at), ("present", corrected));
        // b: s1 absent only.
        assert!(
            store::set_mark(c, s1, b, "absent", "lecturer", None, t0())
                .await
                .unwrap()
        );
        let sheet = store::marks_of_session(c, s1).await.unwrap();
        assert_eq!(
            sheet
                .iter()
                .map(|m| (m.employee_id, m.mark.as_str()))
                .collect::<Vec<_>>(),
            vec![(a, "present"), (b, "absent")]
        );
        assert!(store::marks_of_session(c, s5).await.unwrap().is_empty());
        tx.commit().await.unwrap();

        let mut r = t.db.read().await.unwrap();
        let c = &mut r.conn();
        let from = t0() - day;
        let to = t0() + day * 15;
        let ends = |s: DateTime<Utc>| s + h * 2;
        let marks = store::marks_of_employee_between(c, a, from, to)
            .await
            .unwrap();
        assert_eq!(
            marks,
            vec![
                (ends(t0()), Some("present".to_string())),
                (ends(t0() + day), Some("late".to_string())),
                (ends(t0() + day * 2), Some("excused".to_string())),
                (ends(t0() + day * 3), Some("present".to_string())),
                (ends(now - h), None),
            ],
            "cancelled and out-of-window sessions left out"
        );
        assert!(
            store::marks_of_employee_between(c, nobody, from, to)
                .await
                .unwrap()
                .is_empty()
        );

        let rates = store::attendance_rates(c, &[nobody, b, a, b], from, to, now)
            .await
            .unwrap();
        assert_eq!(
            rates,
            vec![
                AttendanceCounts {
                    employee_id: a,
                    present: 2,
                    late: 1,
                    excused: 1,
                    absent: 0,
                    unmarked_ended: 0,
                    pending: 1,
                },
                AttendanceCounts {
                    employee_id: b,
                    present: 0,
                    late: 0,
                    excused: 0,
                    absent: 1,
                    unmarked_ended: 3,
                    pending: 1,
                },
                AttendanceCounts {
                    employee_id: nobody,
                    ..AttendanceCounts::default()
                },
            ],
            "{}",
            t.label()
        );
        let after = store::attendance_rates(c, &[b], from, to, now + day)
            .await
            .unwrap();
        assert_eq!((after[0].unmarked_ended, after[0].pending), (4, 0));
        assert!(
            store::attendance_rates(c, &[], from, to, now)
                .await
                .unwrap()
                .is_empty()
        );
    })
    .await;
}
