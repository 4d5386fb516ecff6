//! The hash-chained, append-only audit log.

use chrono::Duration;
use skillcert_domain::audit::{GENESIS, verify};
use skillcert_store::audit::{self, AuditQuery, AuditRow, NewAudit};
use skillcert_store::{Backend, on};

use crate::support::*;

fn entry(n: i64, action: &str, actor: &str) -> NewAudit {
    NewAudit {
        // Odd microseconds: the hash covers the time to the microsecond.
        at: t0() + Duration::microseconds(n * 1_001),
        actor_user_id: if actor == "admin" { Some(1) } else { None },
        actor: actor.into(),
        action: action.into(),
        entity: "employee".into(),
        entity_id: Some(n.to_string()),
        before: "null".into(),
        after: format!("{{\"name\":\"员工{n}\",\"note\":\"50% \\\"引号\\\"\"}}"),
    }
}

async fn chain(t: &TestDb) -> Vec<AuditRow> {
    let mut r = t.db.read().await.unwrap();
    audit::read_chain(&mut r.conn(), 0, 1_000).await.unwrap()
}

#[tokio::test]
async fn appends_continue_one_hash_chain() {
    each(async |t| {
        let mut tx = t.begin().await;
        let seqs = audit::append(
            &mut tx.conn(),
            vec![
                entry(1, "employee.create", "admin"),
                entry(2, "employee.update", "admin"),
            ],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(seqs, vec![1, 2]);

        // A rolled-back append leaves no trace and no gap.
        let mut tx = t.begin().await;
        audit::append(&mut tx.conn(), vec![entry(99, "employee.create", "x")])
            .await
            .unwrap();
        drop(tx);

        let mut tx = t.begin().await;
        assert!(
            audit::append(&mut tx.conn(), vec![])
                .await
                .unwrap()
                .is_empty()
        );
        let seqs = audit::append(
            &mut tx.conn(),
            vec![entry(3, "department.create", "system:demo")],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(seqs, vec![3]);

        let rows = chain(t).await;
        assert_eq!(
            rows.iter().map(|r| r.seq).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        assert_eq!(rows[0].prev_hash, GENESIS);
        for w in rows.windows(2) {
            assert_eq!(
                w[1].prev_hash, w[0].hash,
                "seq {} links to its predecessor",
                w[1].seq
            );
        }
        // Stored content is exactly what was hashed, on every backend.
        let chained: Vec<_> = rows.iter().map(AuditRow::chained).collect();
        assert_eq!(verify(0, GENESIS, &chained), Ok(rows[2].hash.clone()));
        assert_eq!(rows[1].at, t0() + Duration::microseconds(2_002));
        assert_eq!(rows[1].after_json, entry(2, "", "").after);
        assert_eq!(rows[2].actor_user_id, None);
        assert_eq!(rows[0].actor_user_id, Some(1));
        assert_eq!(rows[0].entity_id.as_deref(), Some("1"));

        let mut r = t.db.read().await.unwrap();
        let mut c = r.conn();
        let tail = audit::read_chain(&mut c, 1, 1).await.unwrap();
        assert_eq!(tail, vec![rows[1].clone()]);
        assert_eq!(audit::count(&mut c).await.unwrap(), 3);

        // The listing: newest first, filtered.
        let q = |f: fn(&mut AuditQuery)| {
            let mut q = AuditQuery {
                page: 1,
                per_page: 10,
                ..AuditQuery::default()
            };
            f(&mut q);
            q
        };
        let seqs = |p: skillcert_store::Page<AuditRow>| -> (Vec<i64>, i64) {
            (p.items.iter().map(|r| r.seq).collect(), p.total)
        };
        assert_eq!(
            seqs(audit::list(&mut c, &q(|_| {})).await.unwrap()),
            (vec![3, 2, 1], 3)
        );
        assert_eq!(
            seqs(
                audit::list(&mut c, &q(|q| q.action = Some("employee.".into())))
                    .await
                    .unwrap()
            ),
            (vec![2, 1], 2)
        );
        assert_eq!(
            seqs(
                audit::list(&mut c, &q(|q| q.actor = Some("system:demo".into())))
                    .await
                    .unwrap()
            ),
            (vec![3], 1)
        );
        assert_eq!(
            seqs(
                audit::list(&mut c, &q(|q| q.entity_id = Some("2".into())))
                    .await
                    .unwrap()
            ),
            (vec![2], 1)
        );
        assert_eq!(
            seqs(
                audit::list(
                    &mut c,
                    &q(|q| {
                        q.from = Some(t0() + Duration::microseconds(2_002));
                        q.to = Some(t0() + Duration::microseconds(3_003));
                    })
                )
                .await
                .unwrap()
            ),
            (vec![2], 1),
            "from is inclusive, to exclusive, to the microsecond"
        );
        let p = audit::list(
            &mut c,
            &AuditQuery {
                page: 2,
                per_page: 2,
                ..AuditQuery::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(seqs(p), (vec![1], 3));
    })
    .await;
}

#[tokio::test]
async fn long_batches_chain_across_insert_chunks() {
    each(async |t| {
        let entries: Vec<_> = (1..=2_345)
            .map(|n| entry(n, "employee.import_create", "admin"))
            .collect();
        let mut tx = t.begin().await;
        let seqs = audit::append(&mut tx.conn(), entries).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(seqs.len(), 2_345);
        assert_eq!(seqs.last(), Some(&2_345));
        let mut r = t.db.read().await.unwrap();
        let rows = audit::read_chain(&mut r.conn(), 0, 10_000).await.unwrap();
        let chained: Vec<_> = rows.iter().map(AuditRow::chained).collect();
        assert!(verify(0, GENESIS, &chained).is_ok());
    })
    .await;
}

#[tokio::test]
async fn audit_log_refuses_update_and_delete() {
    each(async |t| {
        let mut tx = t.begin().await;
        audit::append(
            &mut tx.conn(),
            vec![
                entry(1, "employee.create", "admin"),
                entry(2, "employee.update", "admin"),
            ],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let before = chain(t).await;

        let statements: &[&'static str] = &[
            "UPDATE audit_log SET after_json = '{}' WHERE seq = 1",
            "UPDATE audit_log SET hash = prev_hash",
            "DELETE FROM audit_log WHERE seq = 2",
            "DELETE FROM audit_log",
        ];
        let mut all: Vec<&'static str> = statements.to_vec();
        if t.db.backend() == Backend::Postgres {
            all.push("TRUNCATE audit_log");
        }
        for sql in all {
            let mut tx = t.begin().await;
            let mut c = tx.conn();
            let r = on!(&mut c, |c| sqlx::query(sql)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected()));
            let err = r.expect_err(sql);
            assert!(
                err.to_string().contains("append-only"),
                "{sql}: unexpected error {err}"
            );
            drop(tx);
        }
        assert_eq!(chain(t).await, before);
        // Appending still works after refused changes.
        let mut tx = t.begin().await;
        let seqs = audit::append(&mut tx.conn(), vec![entry(3, "x", "admin")])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(seqs, vec![3]);
    })
    .await;
}
