//! Every write leaves an audit record; the chain verifies, and tampering is found.

use axum::http::StatusCode;
use serde_json::{Value, json};
use skillcert_app::audit::verify_chain;
use skillcert_store::Db;
use skillcert_store::audit::read_chain;

use crate::helpers::*;

async fn last_record(t: &TestApp) -> skillcert_store::audit::AuditRow {
    let n = t.count("audit_log").await;
    let mut r = t.app.db.read().await.unwrap();
    read_chain(&mut r.conn(), n - 1, 1).await.unwrap().remove(0)
}

#[tokio::test]
async fn a_write_appends_one_record_with_the_new_state() {
    for t in TestApp::all().await {
        let token = t.api_login("admin").await;
        let before = t.count("audit_log").await;
        let csc01 = t.department_id("CSC-01").await;
        let r = t
            .post("/api/v1/employees")
            .bearer(&token)
            .json(&json!({
                "employee_no": "T70001",
                "name": "审计员工",
                "department_id": csc01,
                "hire_date": "2025-01-02",
            }))
            .send()
            .await;
        r.expect(StatusCode::CREATED);
        let id = r.json()["id"].as_i64().unwrap();
        assert_eq!(t.count("audit_log").await, before + 1);

        let rec = last_record(&t).await;
        assert_eq!(rec.seq, before + 1);
        assert_eq!(rec.action, "employee.create");
        assert_eq!(rec.entity, "employee");
        assert_eq!(rec.entity_id, Some(id.to_string()));
        assert_eq!(rec.actor, "admin");
        assert!(rec.actor_user_id.is_some());
        assert_eq!(rec.before_json, "null");
        assert_eq!(rec.at, t.app.now());
        let after: Value = serde_json::from_str(&rec.after_json).unwrap();
        assert_eq!(after["employee_no"], "T70001");
        assert_eq!(after["name"], "审计员工");
        assert_eq!(after["department_id"], csc01);

        // An update records before and after.
        let r = t
            .put(&format!("/api/v1/employees/{id}"))
            .bearer(&token)
            .json(&json!({
                "employee_no": "T70001",
                "name": "审计员工改",
                "department_id": csc01,
                "hire_date": "2025-01-02",
                "status": "left",
            }))
            .send()
            .await;
        r.expect(StatusCode::OK);
        let rec = last_record(&t).await;
        assert_eq!(rec.action, "employee.update");
        let before_v: Value = serde_json::from_str(&rec.before_json).unwrap();
        let after_v: Value = serde_json::from_str(&rec.after_json).unwrap();
        assert_eq!(before_v["name"], "审计员工");
        assert_eq!(after_v["name"], "审计员工改");
        assert_eq!(after_v["status"], "left");

        // A refused write leaves no record.
        let n = t.count("audit_log").await;
        t.post("/api/v1/employees")
            .bearer(&token)
            .json(&json!({"employee_no": "T70001", "name": "x", "department_id": csc01, "hire_date": "2025-01-02"}))
            .send()
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(t.count("audit_log").await, n);

        // The admin sees it through the API, and the chain still verifies.
        let list = t
            .get("/api/v1/audit?entity=employee&per_page=5")
            .bearer(&token)
            .send()
            .await;
        list.expect(StatusCode::OK);
        assert_eq!(list.json()["items"][0]["action"], "employee.update");
        let v = verify_chain(&t.app).await.unwrap();
        assert!(v.ok, "{v:?}");
        assert_eq!(v.records, n);
    }
}

#[tokio::test]
async fn the_demo_chain_verifies() {
    for t in TestApp::all().await {
        let v = verify_chain(&t.app).await.unwrap();
        assert!(v.ok, "{v:?}");
        assert_eq!(v.first_bad_seq, None);
        assert_eq!(v.records, t.count("audit_log").await);
        assert!(v.records > 240, "every demo record is audited");
        let token = t.api_login("admin").await;
        let r = t.get("/api/v1/audit/verify").bearer(&token).send().await;
        r.expect(StatusCode::OK);
        assert_eq!(r.json()["ok"], true);
    }
}

#[tokio::test]
async fn tampering_is_named_on_sqlite() {
    let t = TestApp::new().await;
    let Db::Sqlite { writer, .. } = &t.app.db else {
        unreachable!()
    };
    let victim = 17;
    // The trigger refuses the edit first.
    let refused =
        sqlx::query("UPDATE audit_log SET after_json = '{\"name\":\"篡改\"}' WHERE seq = $1")
            .bind(victim)
            .execute(writer)
            .await;
    assert!(refused.is_err());
    assert!(verify_chain(&t.app).await.unwrap().ok);

    // Someone with the database file drops the trigger and edits a record.
    sqlx::query("DROP TRIGGER audit_log_no_update")
        .execute(writer)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_log SET after_json = '{\"name\":\"篡改\"}' WHERE seq = $1")
        .bind(victim)
        .execute(writer)
        .await
        .unwrap();
    let v = verify_chain(&t.app).await.unwrap();
    assert!(!v.ok);
    assert_eq!(v.first_bad_seq, Some(victim));
    assert!(v.problem.is_some());

    let token = t.api_login("admin").await;
    let r = t.get("/api/v1/audit/verify").bearer(&token).send().await;
    r.expect(StatusCode::OK);
    let body = r.json();
    assert_eq!(body["ok"], false);
    assert_eq!(body["first_bad_seq"], victim);
    let s = t.web_login("admin").await;
    let page = t.get("/audit/verify").session(&s).send().await;
    assert!(page.status.is_success(), "{}", page.status);
    assert!(page.text().contains(&victim.to_string()));

    // A deleted record is found as well (the chain no longer links).
    sqlx::query("DROP TRIGGER audit_log_no_delete")
        .execute(writer)
        .await
        .unwrap();
    sqlx::query("DELETE FROM audit_log WHERE seq = 5")
        .execute(writer)
        .await
        .unwrap();
    let v = verify_chain(&t.app).await.unwrap();
    assert_eq!(v.first_bad_seq, Some(6));
}

#[tokio::test]
async fn postgres_refuses_to_edit_the_log() {
    let Some(t) = TestApp::postgres().await else {
        eprintln!("{PG_ENV} not set: skipped");
        return;
    };
    let Db::Postgres(pool) = &t.app.db else {
        unreachable!()
    };
    for sql in [
        "UPDATE audit_log SET after_json = '{}' WHERE seq = 3",
        "DELETE FROM audit_log WHERE seq = 3",
        "TRUNCATE audit_log",
    ] {
        let r = sqlx::query(sql).execute(pool).await;
        let err = r.expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    let v = verify_chain(&t.app).await.unwrap();
    assert!(v.ok, "{v:?}");
}
