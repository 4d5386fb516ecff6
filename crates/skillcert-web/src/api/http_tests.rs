//! The API end to end over a temporary SQLite database: status codes, JSON error bodies,
//! the route table as really served.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use skillcert_app::store::DbOptions;
use skillcert_app::{App, AppConfig, Db, FixedClock};
use tower::ServiceExt;

use crate::AppState;

struct Harness {
    router: Router,
    path: PathBuf,
}

impl Drop for Harness {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = self.path.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
}

struct Answer {
    status: StatusCode,
    headers: header::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

async fn harness() -> Harness {
    let path = std::env::temp_dir().join(format!(
        "skillcert-api-{}.db",
        skillcert_app::auth::random_token()
    ));
    let db = Db::connect(&path.to_string_lossy(), &DbOptions { max_connections: 2 })
        .await
        .unwrap();
    db.migrate().await.unwrap();
    let at = chrono::DateTime::parse_from_rfc3339("2025-06-01T02:00:00Z")
        .unwrap()
        .to_utc();
    let app = App::new(db, Arc::new(FixedClock::new(at)), AppConfig::for_tests());
    skillcert_app::users::bootstrap_admin(&app, "admin", "admin-password-1")
        .await
        .unwrap();
    let router = crate::router(AppState {
        app,
        secure_cookies: false,
    });
    Harness { router, path }
}

impl Harness {
    async fn call(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<(&str, Vec<u8>)>,
    ) -> Answer {
        let mut b = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some((ct, bytes)) => b.header(header::CONTENT_TYPE, ct).body(Body::from(bytes)),
            None => b.body(Body::empty()),
        }
        .unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Answer {
            status,
            headers,
            body,
        }
    }

    async fn json(&self, method: Method, uri: &str, token: Option<&str>, v: Value) -> Answer {
        self.call(
            method,
            uri,
            token,
            Some(("application/json", v.to_string().into_bytes())),
        )
        .await
    }

    async fn login(&self) -> String {
        let a = self
            .json(
                Method::POST,
                "/api/v1/session",
                None,
                json!({"username": "admin", "password": "admin-password-1"}),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK);
        a.json()["token"].as_str().unwrap().to_string()
    }
}

fn assert_error(a: &Answer, status: StatusCode, code: &str) {
    assert_eq!(a.status, status, "{}", String::from_utf8_lossy(&a.body));
    let v = a.json();
    assert_eq!(v["code"], code);
    assert!(v["message"].is_string());
    assert!(v["fields"].is_array());
}

#[tokio::test]
async fn sessions_and_the_signed_in_user() {
    let h = harness().await;
    let doc = h
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(doc.json()["openapi"], "3.1.0");

    assert_error(
        &h.call(Method::GET, "/api/v1/me", None, None).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    );
    let bad = h
        .call(
            Method::POST,
            "/api/v1/session",
            None,
            Some(("application/json", b"{nope".to_vec())),
        )
        .await;
    assert_error(&bad, StatusCode::BAD_REQUEST, "bad-json");
    let plain = h
        .call(
            Method::POST,
            "/api/v1/session",
            None,
            Some(("text/plain", b"{}".to_vec())),
        )
        .await;
    assert_error(&plain, StatusCode::BAD_REQUEST, "bad-json");
    let wrong = h
        .json(
            Method::POST,
            "/api/v1/session",
            None,
            json!({"username": "admin", "password": "wrong-password"}),
        )
        .await;
    assert_error(&wrong, StatusCode::UNAUTHORIZED, "bad-credentials");

    let token = h.login().await;
    let me = h.call(Method::GET, "/api/v1/me", Some(&token), None).await;
    assert_eq!(me.status, StatusCode::OK);
    let me = me.json();
    assert_eq!(me["username"], "admin");
    assert_eq!(
        me["roles"],
        json!([{"role": "admin", "department_id": null}])
    );
    assert!(
        me["permissions"]
            .as_array()
            .unwrap()
            .contains(&json!("user_manage"))
    );

    let dash = h
        .call(Method::GET, "/api/v1/dashboard", Some(&token), None)
        .await;
    assert_eq!(dash.status, StatusCode::OK);
    assert!(dash.json()["employees_total"].is_i64());

    let short = json!({"current_password": "admin-password-1", "new_password": "short", "confirm_password": "short"});
    let a = h
        .json(Method::POST, "/api/v1/me/password", Some(&token), short)
        .await;
    assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(a.json()["fields"][0]["field"], "new_password");
    let ok = json!({"current_password": "admin-password-1", "new_password": "admin-password-2", "confirm_password": "admin-password-2"});
    assert_eq!(
        h.json(Method::POST, "/api/v1/me/password", Some(&token), ok)
            .await
            .status,
        StatusCode::NO_CONTENT
    );

    assert_eq!(
        h.call(Method::DELETE, "/api/v1/session", Some(&token), None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_error(
        &h.call(Method::GET, "/api/v1/me", Some(&token), None).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    );
    assert_error(
        &h.call(Method::GET, "/api/v1/nothing-here", None, None)
            .await,
        StatusCode::NOT_FOUND,
        "not-found",
    );
}

#[tokio::test]
async fn organisation_and_employees() {
    let h = harness().await;
    let t = h.login().await;
    let t = Some(t.as_str());

    let d = h
        .json(
            Method::POST,
            "/api/v1/departments",
            t,
            json!({"code": "HQ", "name": "总部"}),
        )
        .await;
    assert_eq!(
        d.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&d.body)
    );
    let dep = d.json()["id"].as_i64().unwrap();
    assert_eq!(
        d.headers[header::LOCATION],
        format!("/api/v1/departments/{dep}").as_str()
    );
    let dup = h
        .json(
            Method::POST,
            "/api/v1/departments",
            t,
            json!({"code": "HQ", "name": "又一个"}),
        )
        .await;
    assert_error(&dup, StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let put = h
        .json(
            Method::PUT,
            &format!("/api/v1/departments/{dep}"),
            t,
            json!({"code": "HQ", "name": "总部客服中心"}),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK);
    assert_eq!(put.json()["name"], "总部客服中心");
    let tree = h
        .call(Method::GET, "/api/v1/departments", t, None)
        .await
        .json();
    assert_eq!(tree[0]["depth"], 0);
    assert_eq!(tree[0]["code"], "HQ");
    assert_error(
        &h.call(Method::GET, "/api/v1/departments/999", t, None)
            .await,
        StatusCode::NOT_FOUND,
        "not-found",
    );
    assert_error(
        &h.call(Method::GET, "/api/v1/departments/abc", t, None)
            .await,
        StatusCode::NOT_FOUND,
        "not-found",
    );

    let u = h
        .json(
            Method::POST,
            "/api/v1/units",
            t,
            json!({"code": "W1", "name": "一号窗口", "kind": "window", "department_id": dep}),
        )
        .await;
    assert_eq!(
        u.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&u.body)
    );
    let unit = u.json()["id"].as_i64().unwrap();
    assert_eq!(
        h.call(Method::GET, &format!("/api/v1/units/{unit}"), t, None)
            .await
            .status,
        StatusCode::OK
    );
    let p = h
        .json(
            Method::POST,
            "/api/v1/positions",
            t,
            json!({"code": "CSR", "name": "客服专员"}),
        )
        .await;
    assert_eq!(p.status, StatusCode::CREATED);
    let pos = p.json()["id"].as_i64().unwrap();
    let p2 = h
        .json(
            Method::PUT,
            &format!("/api/v1/positions/{pos}"),
            t,
            json!({"code": "CSR", "name": "高级客服"}),
        )
        .await;
    assert_eq!(p2.json()["name"], "高级客服");
    assert_eq!(
        h.call(Method::GET, "/api/v1/positions", t, None)
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let bad = h
        .json(
            Method::POST,
            "/api/v1/employees",
            t,
            json!({"employee_no": "", "name": "", "hire_date": "x"}),
        )
        .await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let bad_body = bad.json();
    let fields: Vec<&str> = bad_body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"department_id"), "{fields:?}");
    let e = json!({
        "employee_no": "E001", "name": "王小明", "department_id": dep, "position_id": pos,
        "unit_id": unit, "hire_date": "2024-03-01"
    });
    let created = h.json(Method::POST, "/api/v1/employees", t, e).await;
    assert_eq!(
        created.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    let emp = created.json()["id"].as_i64().unwrap();
    let list = h
        .call(
            Method::GET,
            "/api/v1/employees?q=E00&per_page=10&sort=name&dir=desc",
            t,
            None,
        )
        .await
        .json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["per_page"], 10);
    assert_eq!(list["items"][0]["department_name"], "总部客服中心");
    let view = h
        .call(Method::GET, &format!("/api/v1/employees/{emp}"), t, None)
        .await
        .json();
    assert_eq!(view["unit_name"], "一号窗口");
    let e2 = json!({"employee_no": "E001", "name": "王小明", "department_id": dep, "hire_date": "2024-03-01", "status": "left"});
    let upd = h
        .json(Method::PUT, &format!("/api/v1/employees/{emp}"), t, e2)
        .await;
    assert_eq!(upd.status, StatusCode::OK);
    assert_eq!(upd.json()["status"], "left");
}

#[tokio::test]
async fn importing_employees() {
    let h = harness().await;
    let t = h.login().await;
    let t = Some(t.as_str());
    h.json(
        Method::POST,
        "/api/v1/departments",
        t,
        json!({"code": "HQ", "name": "总部"}),
    )
    .await;

    let tpl = h
        .call(
            Method::GET,
            "/api/v1/employees/import/template?format=csv&lang=en",
            t,
            None,
        )
        .await;
    assert_eq!(tpl.status, StatusCode::OK);
    assert!(
        tpl.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains(".csv")
    );
    let x = h
        .call(
            Method::GET,
            "/api/v1/employees/import/template?format=xlsx",
            t,
            None,
        )
        .await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(x.body.starts_with(b"PK"));
    let bad = h
        .call(
            Method::GET,
            "/api/v1/employees/import/template?format=pdf",
            t,
            None,
        )
        .await;
    assert_error(&bad, StatusCode::BAD_REQUEST, "bad-query");

    let empty = h
        .call(
            Method::POST,
            "/api/v1/employees/import?dry_run=true",
            t,
            Some(("text/csv", Vec::new())),
        )
        .await;
    assert_error(&empty, StatusCode::UNPROCESSABLE_ENTITY, "import-rejected");
    assert_eq!(empty.json()["import"]["issues"][0]["code"], "file-empty");

    let csv = "employee_no,name,department,hire_date\nE100,李雷,HQ,2024-01-02\nE101,韩梅梅,HQ,2024-02-03\n";
    let dry = h
        .call(
            Method::POST,
            "/api/v1/employees/import?dry_run=true",
            t,
            Some(("text/csv", csv.as_bytes().to_vec())),
        )
        .await;
    assert_eq!(
        dry.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&dry.body)
    );
    assert_eq!(dry.json()["created"], json!(["E100", "E101"]));
    assert_eq!(dry.json()["dry_run"], true);
    let list = h
        .call(Method::GET, "/api/v1/employees", t, None)
        .await
        .json();
    assert_eq!(list["total"], 0);

    let real = h
        .call(
            Method::POST,
            "/api/v1/employees/import",
            t,
            Some(("text/csv", csv.as_bytes().to_vec())),
        )
        .await;
    assert_eq!(real.status, StatusCode::OK);
    assert_eq!(
        h.call(Method::GET, "/api/v1/employees", t, None)
            .await
            .json()["total"],
        2
    );

    let wrong = "employee_no,name,department,hire_date\nE200,张三,NOPE,2024-01-02\n";
    let refused = h
        .call(
            Method::POST,
            "/api/v1/employees/import",
            t,
            Some(("text/csv", wrong.as_bytes().to_vec())),
        )
        .await;
    assert_error(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "import-rejected",
    );
    assert_eq!(
        refused.json()["import"]["issues"][0]["column"],
        "department"
    );
    let bad_flag = h
        .call(
            Method::POST,
            "/api/v1/employees/import?dry_run=maybe",
            t,
            Some(("text/csv", csv.as_bytes().to_vec())),
        )
        .await;
    assert_error(&bad_flag, StatusCode::BAD_REQUEST, "bad-query");
}

#[tokio::test]
async fn users_grants_and_audit() {
    let h = harness().await;
    let t = h.login().await;
    let t = Some(t.as_str());

    let u = h
        .json(
            Method::POST,
            "/api/v1/users",
            t,
            json!({"username": "li.lei", "display_name": "李雷", "password": "password-123"}),
        )
        .await;
    assert_eq!(
        u.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&u.body)
    );
    let user = u.json();
    assert!(user.get("password_hash").is_none());
    let id = user["id"].as_i64().unwrap();

    let g = h
        .json(
            Method::POST,
            &format!("/api/v1/users/{id}/grants"),
            t,
            json!({"role": "training_manager"}),
        )
        .await;
    assert_eq!(
        g.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&g.body)
    );
    let grant = g.json()["id"].as_i64().unwrap();
    let nope = h
        .json(
            Method::POST,
            &format!("/api/v1/users/{id}/grants"),
            t,
            json!({"role": "king"}),
        )
        .await;
    assert_error(&nope, StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let one = h
        .call(Method::GET, &format!("/api/v1/users/{id}"), t, None)
        .await
        .json();
    assert_eq!(one["grants"][0]["role"], "training_manager");
    assert_eq!(
        h.call(Method::GET, "/api/v1/users", t, None)
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let del = h
        .call(
            Method::DELETE,
            &format!("/api/v1/users/{id}/grants/{grant}"),
            t,
            None,
        )
        .await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
    let again = h
        .call(
            Method::DELETE,
            &format!("/api/v1/users/{id}/grants/{grant}"),
            t,
            None,
        )
        .await;
    assert_error(&again, StatusCode::NOT_FOUND, "not-found");

    let pw = h
        .json(
            Method::POST,
            &format!("/api/v1/users/{id}/password"),
            t,
            json!({"password": "password-456"}),
        )
        .await;
    assert_eq!(pw.status, StatusCode::NO_CONTENT);
    let off = h
        .json(
            Method::POST,
            &format!("/api/v1/users/{id}/active"),
            t,
            json!({"active": false}),
        )
        .await;
    assert_eq!(off.status, StatusCode::NO_CONTENT);
    let blocked = h
        .json(
            Method::POST,
            "/api/v1/session",
            None,
            json!({"username": "li.lei", "password": "password-456"}),
        )
        .await;
    assert_error(&blocked, StatusCode::UNAUTHORIZED, "bad-credentials");
    let me_id = h.call(Method::GET, "/api/v1/me", t, None).await.json()["user_id"]
        .as_i64()
        .unwrap();
    let selfoff = h
        .json(
            Method::POST,
            &format!("/api/v1/users/{me_id}/active"),
            t,
            json!({"active": false}),
        )
        .await;
    assert_error(&selfoff, StatusCode::CONFLICT, "self-deactivate");
    let not_bool = h
        .json(
            Method::POST,
            &format!("/api/v1/users/{id}/active"),
            t,
            json!({"active": "no"}),
        )
        .await;
    assert_error(&not_bool, StatusCode::BAD_REQUEST, "bad-json");

    let page = h
        .call(Method::GET, "/api/v1/audit?entity=user&per_page=5", t, None)
        .await
        .json();
    assert!(page["total"].as_i64().unwrap() >= 5);
    assert_eq!(page["per_page"], 5);
    assert!(
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["entity"] == "user")
    );
    let v = h
        .call(Method::GET, "/api/v1/audit/verify", t, None)
        .await
        .json();
    assert_eq!(v["ok"], true);
}

#[tokio::test]
async fn a_plain_employee_is_forbidden_to_manage() {
    let h = harness().await;
    let t = h.login().await;
    let t = Some(t.as_str());
    let u = h
        .json(Method::POST, "/api/v1/users", t, json!({"username": "staff", "display_name": "", "password": "password-123", "role": "employee"}))
        .await;
    assert_eq!(u.status, StatusCode::CREATED);
    let login = h
        .json(
            Method::POST,
            "/api/v1/session",
            None,
            json!({"username": "staff", "password": "password-123"}),
        )
        .await;
    let staff = login.json()["token"].as_str().unwrap().to_string();
    let s = Some(staff.as_str());
    assert_error(
        &h.call(Method::GET, "/api/v1/users", s, None).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_error(
        &h.call(Method::GET, "/api/v1/audit", s, None).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_error(
        &h.call(Method::GET, "/api/v1/employees", s, None).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let me = h.call(Method::GET, "/api/v1/me", s, None).await.json();
    assert_eq!(me["permissions"], json!(["dashboard"]));
}
