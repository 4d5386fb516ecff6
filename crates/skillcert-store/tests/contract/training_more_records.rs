//! Contract tests of `training_more::records`: an employee's homework with their own
//! hand-in only, a session's homework with its counts, the sessions a trainee attended, and
//! labels by id, on both backends.

use chrono::{DateTime, Duration, Utc};
use skillcert_store::training::{self as sessions, SessionFields};
use skillcert_store::training_more::records as more;
use skillcert_store::training_records::{self as store, AssignmentFields, NewSubmission};

use crate::support::*;

fn fields(code: &str, starts_at: DateTime<Utc>) -> SessionFields {
    SessionFields {
        plan_id: None,
        code: code.into(),
        topic: format!("{code} 话术改写"),
        level: "basic".into(),
        skills: "[]".into(),
        goal: String::new(),
        starts_at,
        ends_at: starts_at + Duration::hours(2),
        minutes: 120,
        place: "培训室".into(),
        online_link: String::new(),
        lecturer_user_id: None,
        lecturer_external: "外部讲师".into(),
        target_group: String::new(),
        outline: String::new(),
        materials: String::new(),
        assessment_method: String::new(),
        capacity: None,
        mandatory: true,
        open_lead_minutes: 15,
        late_after_minutes: 10,
    }
}

fn homework(title: &str, deadline: DateTime<Utc>) -> AssignmentFields {
    AssignmentFields {
        title: title.into(),
        instructions: String::new(),
        deadline,
        max_points: 20,
        late_policy: r#"{"kind":"strict"}"#.into(),
        rubric_key: None,
    }
}

#[tokio::test]
async fn homework_lists_show_ones_own_hand_in_and_the_counts() {
    each(async |t| {
        let d = add_department(t, "HWK", "客服部", None).await.unwrap();
        let a = add_employee(t, &employee("HW001", "学员甲", d.id))
            .await
            .unwrap();
        let b = add_employee(t, &employee("HW002", "学员乙", d.id))
            .await
            .unwrap();
        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        let secret = "00112233445566778899aabbccddeeff";
        let s1 = sessions::insert_session(c, &fields("HW-1", t0()), secret, None, t0())
            .await
            .unwrap();
        let s2 = sessions::insert_session(
            c,
            &fields("HW-2", t0() + Duration::days(7)),
            secret,
            None,
            t0(),
        )
        .await
        .unwrap();
        let gone = sessions::insert_session(
            c,
            &fields("HW-X", t0() + Duration::days(1)),
            secret,
            None,
            t0(),
        )
        .await
        .unwrap();
        for s in [s1.id, s2.id, gone.id] {
            sessions::enrol(c, s, a.id, "person", None, t0())
                .await
                .unwrap();
        }
        sessions::enrol(c, s1.id, b.id, "person", None, t0())
            .await
            .unwrap();
        let early = store::insert_assignment(c, s1.id, &homework("案例分析", t0()), None, t0())
            .await
            .unwrap();
        let late = store::insert_assignment(
            c,
            s2.id,
            &homework("话术改写", t0() + Duration::days(9)),
            None,
            t0(),
        )
        .await
        .unwrap();
        store::insert_assignment(c, gone.id, &homework("取消场次的作业", t0()), None, t0())
            .await
            .unwrap();
        sessions::cancel_session(c, gone.id, t0()).await.unwrap();
        for (who, text) in [(b.id, "乙的答案"), (a.id, "甲的答案")] {
            store::insert_submission(
                c,
                &NewSubmission {
                    assignment_id: early.id,
                    employee_id: who,
                    text: text.into(),
                    lateness: r#"{"kind":"on_time"}"#.into(),
                },
                &[],
                t0(),
            )
            .await
            .unwrap();
        }
        let own = store::submission_of(c, early.id, a.id)
            .await
            .unwrap()
            .unwrap();
        store::mark_submission(c, own.id, 17, "好", 8500, None, t0())
            .await
            .unwrap();
        sessions::set_mark(c, s1.id, a.id, "late", "lecturer", None, t0())
            .await
            .unwrap();
        sessions::set_mark(c, s1.id, b.id, "absent", "lecturer", None, t0())
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut r = t.db.read().await.unwrap();
        let c = &mut r.conn();
        let mine = more::assignments_of_employee(c, a.id).await.unwrap();
        let titles: Vec<&str> = mine.iter().map(|m| m.title.as_str()).collect();
        assert_eq!(
            titles,
            ["话术改写", "案例分析"],
            "{}: latest deadline first, cancelled sessions left out",
            t.label()
        );
        assert_eq!(mine[0].submission_id, None);
        assert_eq!(mine[1].submission_id, Some(own.id), "their own hand-in");
        assert_eq!(mine[1].final_score, Some(8500));
        assert_eq!(mine[1].comment.as_deref(), Some("好"));
        assert!(mine[1].marked_at.is_some());
        assert_eq!(mine[1].session_code, "HW-1");

        let sums = more::assignment_summaries(c, s1.id).await.unwrap();
        assert_eq!(sums.len(), 1);
        assert_eq!((sums[0].submitted, sums[0].marked), (2, 1));
        assert_eq!(
            more::assignment_summaries(c, s2.id).await.unwrap()[0].id,
            late.id
        );

        let attended = more::attended_sessions(c, a.id).await.unwrap();
        assert_eq!(attended.len(), 1, "late counts as attended");
        assert_eq!(attended[0].code, "HW-1");
        assert!(
            more::attended_sessions(c, b.id).await.unwrap().is_empty(),
            "absent does not"
        );

        let people = more::employee_labels(c, &[b.id, a.id, 999_999])
            .await
            .unwrap();
        assert_eq!(
            people,
            [
                (a.id, "HW001".to_string(), "学员甲".to_string()),
                (b.id, "HW002".to_string(), "学员乙".to_string())
            ]
        );
        let labels = more::session_labels(c, &[s2.id]).await.unwrap();
        assert_eq!(
            labels,
            [(s2.id, "HW-2".to_string(), "HW-2 话术改写".to_string())]
        );
        assert!(more::session_labels(c, &[]).await.unwrap().is_empty());
    })
    .await;
}
