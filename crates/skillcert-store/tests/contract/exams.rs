//! Exam storage: one open attempt per candidate and session, enforced by the index; answers
//! upserted per question; grading rows for every item; the competency model seeded.

use skillcert_domain::exam::question::QuestionInput;
use skillcert_store::exams::{self as store, NewAttempt, SessionFields};
use skillcert_store::questions;

use crate::support::*;

fn fields(code: &str) -> SessionFields {
    SessionFields {
        code: code.into(),
        title: "理论考试".into(),
        paper_id: None,
        mode: "online".into(),
        opens_at_ms: 1_000,
        closes_at_ms: 10_000_000,
        duration_minutes: 60,
        attempts_allowed: 2,
        pass_mark: 6000,
        review: "never".into(),
        double_marking: false,
        divergence: 500,
        audience: "departments".into(),
    }
}

fn attempt(session_id: i64, employee_id: i64, number: i32) -> NewAttempt<'static> {
    NewAttempt {
        session_id,
        employee_id,
        number,
        seed: -42,
        paper: "[]",
        status: "open",
        started_at_ms: 2_000,
        deadline_ms: 3_602_000,
        max_score: 10_000,
    }
}

#[tokio::test]
async fn one_open_attempt_per_candidate_is_guaranteed_by_the_database() {
    each(async |t| {
        let d = add_department(t, "CSC", "客服中心", None).await.unwrap();
        let e = add_employee(t, &employee("E001", "王芳", d.id))
            .await
            .unwrap();
        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        let s = store::insert_session(c, &fields("T1"), t0()).await.unwrap();
        let first = store::insert_attempt(c, &attempt(s.id, e.id, 1))
            .await
            .unwrap();
        assert!(first.is_some());
        // A second open attempt is refused by the partial unique index, not by a check.
        assert_eq!(
            store::insert_attempt(c, &attempt(s.id, e.id, 2))
                .await
                .unwrap(),
            None
        );
        assert_eq!(store::open_attempt(c, s.id, e.id).await.unwrap(), first);
        let a = store::get_attempt(c, first.unwrap()).await.unwrap();
        assert_eq!(a.seed, -42, "64-bit seeds survive the round trip");
        // Once closed, the next attempt may open.
        assert!(
            store::close_attempt(c, a.id, "candidate", 5_000)
                .await
                .unwrap()
        );
        assert!(
            !store::close_attempt(c, a.id, "candidate", 5_000)
                .await
                .unwrap()
        );
        assert!(
            store::insert_attempt(c, &attempt(s.id, e.id, 2))
                .await
                .unwrap()
                .is_some()
        );
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn answers_are_upserted_and_grading_covers_every_item() {
    each(async |t| {
        let d = add_department(t, "CSC", "客服中心", None).await.unwrap();
        let e = add_employee(t, &employee("E001", "王芳", d.id))
            .await
            .unwrap();
        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        let s = store::insert_session(c, &fields("T1"), t0()).await.unwrap();
        let id = store::insert_attempt(c, &attempt(s.id, e.id, 1))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            store::save_state(c, id, 0).await.unwrap(),
            Some(("open".into(), 3_602_000, None, None))
        );
        store::put_answer(c, id, 0, 1, r#"{"choice":[1]}"#, 2_500)
            .await
            .unwrap();
        store::put_answer(c, id, 0, 3, r#"{"choice":[2]}"#, 2_600)
            .await
            .unwrap();
        let st = store::save_state(c, id, 0).await.unwrap().unwrap();
        assert_eq!(
            (st.2, st.3.as_deref()),
            (Some(3), Some(r#"{"choice":[2]}"#))
        );
        assert_eq!(store::save_state(c, id + 1000, 0).await.unwrap(), None);
        store::grade_items(
            c,
            id,
            &[(0, Some(200), false), (1, Some(0), false), (2, None, true)],
            4_000,
        )
        .await
        .unwrap();
        let answers = store::answers(c, id).await.unwrap();
        assert_eq!(answers.len(), 3);
        assert_eq!(
            answers[0].answer.as_deref(),
            Some(r#"{"choice":[2]}"#),
            "grading keeps the answer"
        );
        assert_eq!(answers[0].score, Some(200));
        assert_eq!(answers[1].answer, None);
        assert!(answers[2].needs_marking);
        assert_eq!(store::pending_marks(c, id).await.unwrap(), 1);
        store::finish_marking(c, id, 2, 1500).await.unwrap();
        assert_eq!(store::pending_marks(c, id).await.unwrap(), 0);
        store::set_result(c, id, Some(1700), Some(false))
            .await
            .unwrap();
        let a = store::get_attempt(c, id).await.unwrap();
        assert_eq!((a.status.as_str(), a.score), ("graded", Some(1700)));
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn the_competency_model_is_seeded_and_questions_keep_their_versions() {
    each(async |t| {
        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        let skills = questions::skills(c).await.unwrap();
        assert!(
            skills
                .iter()
                .any(|s| s.code == "listening" && s.name_zh == "倾听")
        );
        let q = QuestionInput {
            qtype: "single".into(),
            stem: "第一步？".into(),
            options: vec!["倾听".into(), "辩解".into()],
            key: "A".into(),
            tags: "listening".into(),
            ..Default::default()
        }
        .validate(&|_| true)
        .unwrap();
        let (id, v1) = questions::insert(c, "Q000001", &q, None, t0())
            .await
            .unwrap();
        let mut q2 = q.clone();
        q2.stem = "第一步是什么？".into();
        let row = questions::add_version(c, id, &q2, None, t0())
            .await
            .unwrap();
        assert_eq!(row.version, 2);
        let old = questions::versions(c, &[v1]).await.unwrap();
        assert_eq!(old[0].question.stem, "第一步？", "version 1 is unchanged");
        let pool = questions::pool(c).await.unwrap();
        assert_eq!(pool.len(), 1);
        assert_ne!(
            pool[0].version_id, v1,
            "new sessions draw the current version"
        );
        tx.commit().await.unwrap();
    })
    .await;
}
