//! Contract tests of `training_more::needs`: writing skills, the survey list by phase, the
//! invitees a supervisor rates (scoped, searched, paged), an employee's open surveys, the
//! opening notice sent in one statement, and the scoped counts.

use skillcert_store::StoreError;
use skillcert_store::training::{self as store, ResponseFields, SurveyFields};
use skillcert_store::training_more::needs::{self as more, PhaseQuery, RateQuery, SkillRow};
use skillcert_store::users::{self, NewUser};

use crate::support::*;

fn fields(code: &str, audience: &str) -> SurveyFields {
    SurveyFields {
        code: code.into(),
        title: format!("{code} 需求调查"),
        opens_on: date(2026, 11, 1),
        closes_on: date(2026, 11, 30),
        skills: r#"["listening"]"#.into(),
        targets: r#"{"listening":400}"#.into(),
        audience: audience.into(),
    }
}

const DRAFT: &str = r#"{"departments":[],"positions":[],"opened_at":null}"#;
const OPENED: &str = r#"{"departments":[],"positions":[],"opened_at":"2026-11-01T02:00:00Z"}"#;

#[tokio::test]
async fn skills_are_added_and_renamed_never_recoded() {
    each(async |t| {
        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        let seeded = more::skill_rows(c).await.unwrap();
        assert!(seeded.len() >= 20);
        assert_eq!(seeded[0].code, "service-awareness");
        let row = SkillRow {
            code: "script-writing".into(),
            grp: "professional".into(),
            name_zh: "话术编写".into(),
            name_en: "Script writing".into(),
            position: 99,
        };
        more::insert_skill(c, &row).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = t.begin().await;
        let dup = more::insert_skill(&mut tx.conn(), &row).await.unwrap_err();
        assert!(matches!(dup, StoreError::Conflict { .. }), "{dup:?}");
        drop(tx);
        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        let renamed = SkillRow {
            name_en: "Service scripts".into(),
            position: 1,
            ..row.clone()
        };
        assert!(more::update_skill(c, &renamed).await.unwrap());
        let missing = SkillRow {
            code: "nope".into(),
            ..row
        };
        assert!(!more::update_skill(c, &missing).await.unwrap());
        assert_eq!(
            more::skill_by_code(c, "script-writing").await.unwrap(),
            Some(renamed)
        );
        assert_eq!(more::skill_rows(c).await.unwrap()[0].code, "script-writing");
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn surveys_list_by_phase_and_invitees_are_rated_in_scope() {
    each(async |t| {
        let d1 = add_department(t, "D1", "客服一部", None).await.unwrap();
        let d2 = add_department(t, "D2", "客服二部", None).await.unwrap();
        let mut ids = Vec::new();
        for (i, d) in [d1.id, d1.id, d2.id].into_iter().enumerate() {
            let e = add_employee(t, &employee(&format!("E{i}"), &format!("员工{i}"), d))
                .await
                .unwrap();
            ids.push(e.id);
        }
        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        let draft = store::insert_survey(c, &fields("NS-D", DRAFT), None, t0())
            .await
            .unwrap();
        let open = store::insert_survey(c, &fields("NS-O", OPENED), None, t0())
            .await
            .unwrap();
        let closed = store::insert_survey(c, &fields("NS-C", OPENED), None, t0())
            .await
            .unwrap();
        assert!(
            store::set_survey_status(c, closed.id, "open", "closed", t0())
                .await
                .unwrap()
        );
        assert_eq!(
            store::invite_audience(c, open.id, &[], &[]).await.unwrap(),
            3
        );
        store::invite_audience(c, closed.id, &[d1.id], &[])
            .await
            .unwrap();
        let user = users::insert_user(
            c,
            &NewUser {
                username: "e0",
                display_name: "员工0",
                password_hash: "$argon2id$fake",
                employee_id: Some(ids[0]),
            },
            t0(),
        )
        .await
        .unwrap();
        // One message per invitee with an account.
        let sent = more::notify_invitees(c, open.id, "inbox-survey-opened", "{}", "/x", t0())
            .await
            .unwrap();
        assert_eq!(sent, 1);
        store::upsert_response(
            c,
            &ResponseFields {
                survey_id: open.id,
                employee_id: ids[0],
                department_id: d1.id,
                position_id: None,
                ratings: r#"{"listening":3}"#.into(),
                desired_content: "倾听".into(),
                format: "online".into(),
            },
            t0(),
        )
        .await
        .unwrap();
        store::upsert_supervisor_rating(c, open.id, ids[0], user.id, r#"{"listening":2}"#, t0())
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut r = t.begin().await;
        let c = &mut r.conn();
        let phase = async |c: &mut skillcert_store::Conn<'_>, p: Option<&str>| -> Vec<String> {
            more::list_surveys(
                c,
                &PhaseQuery {
                    phase: p.map(str::to_string),
                    page: 1,
                    per_page: 50,
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|s| s.code)
            .collect()
        };
        assert_eq!(phase(c, None).await, ["NS-C", "NS-O", "NS-D"]);
        assert_eq!(phase(c, Some("draft")).await, ["NS-D"]);
        assert_eq!(phase(c, Some("open")).await, ["NS-O"]);
        assert_eq!(phase(c, Some("closed")).await, ["NS-C"]);
        let searched = more::list_surveys(
            c,
            &PhaseQuery {
                search: Some("ns-o".into()),
                page: 1,
                per_page: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            (
                searched.total,
                searched.items[0].invitees,
                searched.items[0].responses
            ),
            (1, 3, 1)
        );

        // Counts and the rating sheet in a scope.
        assert_eq!(more::invitee_count(c, open.id, None).await.unwrap(), 3);
        assert_eq!(
            more::invitee_count(c, open.id, Some(&[d2.id]))
                .await
                .unwrap(),
            1
        );
        assert_eq!(more::invitee_count(c, open.id, Some(&[])).await.unwrap(), 0);
        assert_eq!(
            more::response_count(c, open.id, Some(&[d1.id]))
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            more::response_count(c, open.id, Some(&[d2.id]))
                .await
                .unwrap(),
            0
        );
        let q = RateQuery {
            page: 1,
            per_page: 50,
            ..Default::default()
        };
        let lines = more::rate_lines(c, open.id, Some(&[d1.id]), &q)
            .await
            .unwrap();
        assert_eq!(lines.total, 2);
        assert_eq!(lines.items[0].employee_no, "E0");
        assert!(lines.items[0].answered && !lines.items[1].answered);
        assert_eq!(
            lines.items[0].ratings.as_deref(),
            Some(r#"{"listening":2}"#)
        );
        assert_eq!(lines.items[0].department_name, "客服一部");
        let found = more::rate_lines(
            c,
            open.id,
            None,
            &RateQuery {
                search: Some("员工2".into()),
                page: 1,
                per_page: 1,
            },
        )
        .await
        .unwrap();
        assert_eq!((found.total, found.items[0].employee_id), (1, ids[2]));

        // An employee's list: opened and not closed only.
        let mine = more::open_surveys_of(c, ids[0]).await.unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].id, open.id);
        assert_eq!(mine[0].answered_at, Some(t0()));
        assert!(
            more::open_surveys_of(c, ids[2]).await.unwrap()[0]
                .answered_at
                .is_none()
        );
        assert!(!more::plan_code_taken(c, "NS-O-PLAN").await.unwrap());
        let _ = draft;
    })
    .await;
}
