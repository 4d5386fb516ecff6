//! Certification storage: gapless certificate numbers under concurrent issuing, the status
//! computed in SQL, and state transitions that refuse a second, racing change.

use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use skillcert_store::certification::{
    self as store, ApplicationFields, CertificateQuery, NewCertificate, NewResult, RoundFields,
};

use crate::support::*;

async fn round(t: &TestDb, code: &str) -> i64 {
    let mut tx = t.begin().await;
    let r = store::insert_round(
        &mut tx.conn(),
        &RoundFields {
            code: code.into(),
            title: "认证批次".into(),
            scheme_key: "s1-certification".into(),
            scheme_version: 1,
            scheme: "key = \"s1-certification\"".into(),
            plan: "{}".into(),
        },
        None,
        t0(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    r.id
}

fn cert(number: &str, seq: i32, employee_id: i64, index: i32, issued: NaiveDate) -> NewCertificate {
    NewCertificate {
        number: number.into(),
        scheme_key: "s1-certification".into(),
        seq_year: 2026,
        seq,
        round_id: None,
        result_id: None,
        employee_id,
        level_key: "junior".into(),
        total: 6500,
        issued_on: issued,
        valid_until: issued + Duration::days(365),
        reevaluation_due: issued + Duration::days(335),
        awarded_on: issued,
        revocation_index: index * 2,
        suspension_index: index * 2 + 1,
        credential: "{}".into(),
    }
}

#[tokio::test]
async fn numbers_have_no_gaps_or_duplicates_under_concurrent_issuing() {
    each(async |t| {
        let db = Arc::new(t.db.clone());
        let mut tasks = Vec::new();
        for i in 0..24 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let mut tx = db.begin().await.unwrap();
                let seq = store::next_sequence(&mut tx.conn(), "s1-certification", 2026)
                    .await
                    .unwrap();
                tokio::task::yield_now().await;
                // Every third issuer fails after taking a number: the number goes back.
                if i % 3 == 0 {
                    drop(tx);
                    None
                } else {
                    tx.commit().await.unwrap();
                    Some(seq)
                }
            }));
        }
        let mut got = Vec::new();
        for task in tasks {
            if let Some(seq) = task.await.unwrap() {
                got.push(seq);
            }
        }
        got.sort_unstable();
        assert_eq!(got, (1..=16).collect::<Vec<i32>>(), "{}", t.label());
        let mut tx = t.begin().await;
        let other_year = store::next_sequence(&mut tx.conn(), "s1-certification", 2027)
            .await
            .unwrap();
        assert_eq!(other_year, 1, "each year starts at 1");
        let other_scheme = store::next_sequence(&mut tx.conn(), "other", 2026)
            .await
            .unwrap();
        assert_eq!(other_scheme, 1, "each scheme has its own sequence");
    })
    .await;
}

#[tokio::test]
async fn status_filters_follow_the_domain_precedence() {
    each(async |t| {
        let d = add_department(t, "CSC", "客服中心", None).await.unwrap();
        let e = add_employee(t, &employee("E001", "张三", d.id))
            .await
            .unwrap();
        let today = date(2026, 11, 23);
        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        let valid =
            store::insert_certificate(c, &cert("CS2026001", 1, e.id, 1, date(2026, 6, 1)), t0())
                .await
                .unwrap();
        let expiring =
            store::insert_certificate(c, &cert("CS2026002", 2, e.id, 2, date(2025, 12, 10)), t0())
                .await
                .unwrap();
        let _expired =
            store::insert_certificate(c, &cert("CS2026003", 3, e.id, 3, date(2025, 10, 1)), t0())
                .await
                .unwrap();
        let revoked =
            store::insert_certificate(c, &cert("CS2026004", 4, e.id, 4, date(2026, 6, 1)), t0())
                .await
                .unwrap();
        let suspended =
            store::insert_certificate(c, &cert("CS2026005", 5, e.id, 5, date(2026, 6, 1)), t0())
                .await
                .unwrap();
        assert!(store::revoke(c, revoked, "作弊", t0()).await.unwrap());
        assert!(
            !store::revoke(c, revoked, "again", t0()).await.unwrap(),
            "revoked once"
        );
        assert!(store::set_suspended(c, suspended, true).await.unwrap());
        assert!(store::supersede(c, expiring, valid).await.unwrap());
        assert!(
            !store::supersede(c, expiring, valid).await.unwrap(),
            "superseded once"
        );
        tx.commit().await.unwrap();

        let mut r = t.db.read().await.unwrap();
        let c = &mut r.conn();
        let mut counts = store::certificate_counts(c, today).await.unwrap();
        counts.sort();
        assert_eq!(
            counts,
            vec![
                ("expired".to_string(), 1),
                ("revoked".to_string(), 1),
                ("superseded".to_string(), 1),
                ("suspended".to_string(), 1),
                ("valid".to_string(), 1),
            ],
            "{}",
            t.label()
        );
        let q = |status: &str| CertificateQuery {
            today,
            status: Some(status.into()),
            page: 1,
            per_page: 50,
            ..CertificateQuery::default()
        };
        let only = store::list_certificates(c, &q("revoked")).await.unwrap();
        assert_eq!(only.total, 1);
        assert_eq!(only.items[0].number, "CS2026004");
        assert_eq!(only.items[0].revoked_reason.as_deref(), Some("作弊"));
        let search = store::list_certificates(
            c,
            &CertificateQuery {
                today,
                search: Some("cs2026005".into()),
                page: 1,
                per_page: 50,
                ..CertificateQuery::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(search.total, 1, "numbers match case-insensitively");
        let bits = store::status_bits(c, "revocation").await.unwrap();
        assert_eq!(bits, vec![8]);
        let bits = store::status_bits(c, "suspension").await.unwrap();
        assert_eq!(bits, vec![11]);
        // On the day after the last valid day, a valid certificate is expired.
        let later = store::certificate_counts(c, date(2027, 6, 2))
            .await
            .unwrap();
        assert!(later.contains(&("expired".to_string(), 2)), "{later:?}");
    })
    .await;
}

#[tokio::test]
async fn rounds_and_results_move_only_from_the_expected_state() {
    each(async |t| {
        let d = add_department(t, "CSC", "客服中心", None).await.unwrap();
        let e = add_employee(t, &employee("E001", "张三", d.id))
            .await
            .unwrap();
        let id = round(t, "R-1").await;
        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        assert!(
            !store::set_round_status(c, id, "reviewed", "published", None, None, None, t0())
                .await
                .unwrap(),
            "an open round cannot be published"
        );
        let app = store::insert_application(
            c,
            &ApplicationFields {
                round_id: id,
                employee_id: e.id,
                level_key: "junior".into(),
                training_completed_on: Some(date(2026, 11, 1)),
                mentor_comment: String::new(),
            },
            t0(),
        )
        .await
        .unwrap();
        assert!(store::withdraw_application(c, app, t0()).await.unwrap());
        assert!(
            !store::withdraw_application(c, app, t0()).await.unwrap(),
            "a decided application cannot change again"
        );
        let result = |revision: i32, total: i32| NewResult {
            round_id: id,
            employee_id: e.id,
            application_id: app,
            revision,
            attempt: 1,
            inputs: "{}".into(),
            evaluation: "{}".into(),
            total,
            passed: total >= 6000,
            level_key: None,
            awarded_level: None,
            step_key: None,
        };
        let first = store::insert_result(c, &result(1, 5800), t0())
            .await
            .unwrap();
        let second = store::insert_result(c, &result(2, 6200), t0())
            .await
            .unwrap();
        let current = store::current_results(c, id).await.unwrap();
        assert_eq!(current.len(), 1, "one current revision");
        assert_eq!(current[0].id, second);
        let history = store::result_history(c, id, e.id).await.unwrap();
        assert_eq!(
            history
                .iter()
                .map(|r| (r.id, r.current))
                .collect::<Vec<_>>(),
            vec![(first, false), (second, true)]
        );
        assert!(
            store::set_round_status(c, id, "open", "reviewed", None, None, None, t0())
                .await
                .unwrap()
        );
        assert!(store::reopen_round(c, id, t0()).await.unwrap());
        assert!(
            store::current_results(c, id).await.unwrap().is_empty(),
            "reopening drops frozen results"
        );
        tx.commit().await.unwrap();
    })
    .await;
}
