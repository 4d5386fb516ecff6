//! Contract tests of `training_more::sessions`: an employee's sessions with their details,
//! the lecturer's name and the mark, on both backends.

use chrono::{DateTime, Duration, Utc};
use skillcert_store::training::{self as store, SessionFields};
use skillcert_store::training_more::sessions::sessions_of_employee_detailed;
use skillcert_store::users::{self, NewUser};

use crate::support::*;

fn fields(code: &str, starts_at: DateTime<Utc>, lecturer: Option<i64>) -> SessionFields {
    SessionFields {
        plan_id: None,
        code: code.into(),
        topic: format!("{code} 投诉处理"),
        level: "advanced".into(),
        skills: "[]".into(),
        goal: String::new(),
        starts_at,
        ends_at: starts_at + Duration::hours(2),
        minutes: 120,
        place: "培训室 B".into(),
        online_link: String::new(),
        lecturer_user_id: lecturer,
        lecturer_external: if lecturer.is_some() {
            String::new()
        } else {
            "外部讲师 王".into()
        },
        target_group: String::new(),
        outline: String::new(),
        materials: "讲义".into(),
        assessment_method: String::new(),
        capacity: Some(5),
        mandatory: false,
        open_lead_minutes: 20,
        late_after_minutes: 5,
    }
}

#[tokio::test]
async fn an_employees_sessions_come_with_details_lecturer_and_mark() {
    each(async |t| {
        let d = add_department(t, "TMS", "培训部", None).await.unwrap();
        let e = add_employee(t, &employee("TMS001", "员工甲", d.id))
            .await
            .unwrap();
        let other = add_employee(t, &employee("TMS002", "员工乙", d.id))
            .await
            .unwrap();
        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        let u = users::insert_user(
            c,
            &NewUser {
                username: "tms-lecturer",
                display_name: "讲师甲",
                password_hash: "$argon2id$fake",
                employee_id: None,
            },
            t0(),
        )
        .await
        .unwrap();
        let secret = "00112233445566778899aabbccddeeff";
        let early =
            store::insert_session(c, &fields("TMS-1", t0(), Some(u.id)), secret, None, t0())
                .await
                .unwrap();
        let later = store::insert_session(
            c,
            &fields("TMS-2", t0() + Duration::days(3), None),
            secret,
            None,
            t0(),
        )
        .await
        .unwrap();
        let outside = store::insert_session(
            c,
            &fields("TMS-3", t0() + Duration::days(30), None),
            secret,
            None,
            t0(),
        )
        .await
        .unwrap();
        for s in [later.id, early.id, outside.id] {
            store::enrol(c, s, e.id, "person", None, t0())
                .await
                .unwrap();
        }
        store::enrol(c, early.id, other.id, "department", None, t0())
            .await
            .unwrap();
        store::set_mark(c, early.id, e.id, "late", "lecturer", Some(u.id), t0())
            .await
            .unwrap();
        store::cancel_session(c, later.id, t0()).await.unwrap();
        tx.commit().await.unwrap();

        let mut r = t.db.read().await.unwrap();
        let rows = sessions_of_employee_detailed(
            &mut r.conn(),
            e.id,
            t0() - Duration::days(1),
            t0() + Duration::days(10),
        )
        .await
        .unwrap();
        assert_eq!(
            rows.len(),
            2,
            "{}: the window is half-open and by start",
            t.label()
        );
        assert_eq!(rows[0].code, "TMS-1");
        assert_eq!(rows[0].lecturer, "讲师甲");
        assert_eq!(rows[0].mark.as_deref(), Some("late"));
        assert_eq!(rows[0].materials, "讲义");
        assert_eq!(
            (rows[0].open_lead_minutes, rows[0].late_after_minutes),
            (20, 5)
        );
        assert_eq!(rows[0].via, "person");
        assert_eq!(rows[1].code, "TMS-2");
        assert_eq!(rows[1].status, "cancelled");
        assert_eq!(rows[1].lecturer, "外部讲师 王");
        assert_eq!(rows[1].mark, None);
        let none = sessions_of_employee_detailed(
            &mut r.conn(),
            other.id,
            t0() + Duration::days(1),
            t0() + Duration::days(2),
        )
        .await
        .unwrap();
        assert!(none.is_empty());
    })
    .await;
}
