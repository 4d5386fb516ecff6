//! A whole application in-process: a fresh database with the demo loaded, the router, and
//! requests sent with `tower::ServiceExt::oneshot`.

use std::hash::{BuildHasher, Hasher};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use chrono::{TimeZone, Utc};
use http_body_util::BodyExt;
use serde_json::Value;
use skillcert_app::{App, AppConfig, FixedClock, demo};
use skillcert_domain::demo::DEMO_PASSWORD;
use skillcert_store::{Db, DbOptions};
use skillcert_web::{AppState, router};
use sqlx::Connection;
use tower::ServiceExt;

pub const PG_ENV: &str = "SKILLCERT_TEST_PG_URL";

/// Every demo account, in the order of `Role::ALL`.
pub const DEMO_USERS: [&str; 7] = [
    "admin",
    "manager",
    "lecturer",
    "judge",
    "supervisor",
    "mentor",
    "employee",
];

fn random_hex() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u32(std::process::id());
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    format!("{:016x}", h.finish())
}

/// Where a test database lives; removed (best effort) on drop, also after a panic.
enum Cleanup {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        match self {
            Cleanup::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                let _ = std::thread::spawn(move || {
                    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    else {
                        return;
                    };
                    rt.block_on(async move {
                        if let Ok(mut c) = sqlx::PgConnection::connect(&admin_url).await {
                            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                            let _ = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut c).await;
                            let _ = c.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// `admin_url` with its database name replaced by `name`.
fn db_url(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (admin_url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

pub struct TestApp {
    pub app: App,
    pub clock: Arc<FixedClock>,
    pub router: Router,
    _cleanup: Cleanup,
}

/// The instant every test starts at (10:00 in Beijing).
pub fn start_time() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0)
        .single()
        .expect("time")
}

impl TestApp {
    /// A temporary SQLite file with the demo organisation and accounts.
    pub async fn new() -> TestApp {
        let path = std::env::temp_dir().join(format!("skillcert-it-{}.db", random_hex()));
        let cleanup = Cleanup::Sqlite(path.clone());
        let db = Db::connect(
            &format!("sqlite://{}", path.display()),
            &DbOptions { max_connections: 4 },
        )
        .await
        .expect("open sqlite");
        Self::build(db, cleanup).await
    }

    /// A fresh PostgreSQL database, or `None` when `SKILLCERT_TEST_PG_URL` is unset.
    pub async fn postgres() -> Option<TestApp> {
        let admin_url = std::env::var(PG_ENV)
            .ok()
            .filter(|u| !u.trim().is_empty())?;
        let name = format!("skillcert_t_{}", random_hex());
        let mut admin = sqlx::PgConnection::connect(&admin_url)
            .await
            .expect("connect to SKILLCERT_TEST_PG_URL");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create test database");
        let _ = admin.close().await;
        let cleanup = Cleanup::Postgres {
            admin_url: admin_url.clone(),
            name: name.clone(),
        };
        let db = Db::connect(
            &db_url(&admin_url, &name),
            &DbOptions { max_connections: 4 },
        )
        .await
        .expect("connect to test database");
        Some(Self::build(db, cleanup).await)
    }

    /// SQLite always, PostgreSQL too when enabled.
    pub async fn all() -> Vec<TestApp> {
        let mut v = vec![TestApp::new().await];
        if let Some(pg) = TestApp::postgres().await {
            v.push(pg);
        }
        v
    }

    async fn build(db: Db, cleanup: Cleanup) -> TestApp {
        db.migrate().await.expect("migrate");
        let clock = Arc::new(FixedClock::new(start_time()));
        let app = App::new(db, clock.clone(), AppConfig::for_tests());
        demo::load(&app, 42)
            .await
            .expect("demo loads")
            .expect("database was empty");
        let router = router(AppState {
            app: app.clone(),
            secure_cookies: false,
        });
        TestApp {
            app,
            clock,
            router,
            _cleanup: cleanup,
        }
    }

    pub fn advance(&self, by: chrono::Duration) {
        self.clock.advance(by);
    }

    pub fn get(&self, uri: &str) -> Call {
        self.call(Method::GET, uri)
    }

    pub fn post(&self, uri: &str) -> Call {
        self.call(Method::POST, uri)
    }

    pub fn put(&self, uri: &str) -> Call {
        self.call(Method::PUT, uri)
    }

    pub fn delete(&self, uri: &str) -> Call {
        self.call(Method::DELETE, uri)
    }

    pub fn call(&self, method: Method, uri: &str) -> Call {
        Call {
            router: self.router.clone(),
            method,
            uri: uri.to_string(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    // ---------- signing in ----------

    /// A bearer token from `POST /api/v1/session`.
    pub async fn api_login(&self, username: &str) -> String {
        let r = self
            .post("/api/v1/session")
            .json(&serde_json::json!({"username": username, "password": DEMO_PASSWORD}))
            .send()
            .await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "API sign-in of {username}: {}",
            r.text()
        );
        r.json()["token"].as_str().expect("token").to_string()
    }

    /// The pre-session CSRF cookie of the sign-in form.
    pub async fn pre_csrf(&self) -> String {
        let r = self.get("/login").send().await;
        assert_eq!(r.status, StatusCode::OK);
        r.cookie("sc_csrf").expect("sc_csrf cookie")
    }

    /// Posts the sign-in form; returns the raw response.
    pub async fn web_login_response(&self, username: &str, password: &str) -> Resp {
        let pre = self.pre_csrf().await;
        self.post("/login")
            .cookie("sc_csrf", &pre)
            .form(&[
                ("_csrf", pre.as_str()),
                ("username", username),
                ("password", password),
                ("next", "/"),
            ])
            .send()
            .await
    }

    /// Signs in through the form and reads the session's CSRF token off a page.
    pub async fn web_login(&self, username: &str) -> WebSession {
        let r = self.web_login_response(username, DEMO_PASSWORD).await;
        assert!(
            r.status.is_redirection(),
            "web sign-in of {username}: {} {}",
            r.status,
            r.text()
        );
        let cookie = r.cookie("sc_session").expect("sc_session cookie");
        let mut s = WebSession {
            cookie,
            csrf: String::new(),
        };
        let page = self.get("/account").session(&s).send().await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        s.csrf = csrf_of(&page.text()).expect("a _csrf field on /account");
        s
    }

    // ---------- direct looks at the database ----------

    pub async fn count(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        match &self.app.db {
            Db::Sqlite { reader, .. } => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(reader)
                .await
                .expect("count"),
            Db::Postgres(pool) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(pool)
                .await
                .expect("count"),
        }
    }

    pub async fn department_id(&self, code: &str) -> i64 {
        let mut r = self.app.db.read().await.expect("read");
        skillcert_store::org::list_departments(&mut r.conn())
            .await
            .expect("departments")
            .into_iter()
            .find(|d| d.code == code)
            .unwrap_or_else(|| panic!("no department {code}"))
            .id
    }

    pub async fn position_id(&self, code: &str) -> i64 {
        let mut r = self.app.db.read().await.expect("read");
        skillcert_store::org::list_positions(&mut r.conn())
            .await
            .expect("positions")
            .into_iter()
            .find(|p| p.code == code)
            .unwrap_or_else(|| panic!("no position {code}"))
            .id
    }

    pub async fn unit_id(&self, code: &str) -> i64 {
        let mut r = self.app.db.read().await.expect("read");
        skillcert_store::org::list_units(&mut r.conn())
            .await
            .expect("units")
            .into_iter()
            .find(|u| u.code == code)
            .unwrap_or_else(|| panic!("no unit {code}"))
            .id
    }

    pub async fn employee(&self, no: &str) -> Option<skillcert_store::org::Employee> {
        let mut r = self.app.db.read().await.expect("read");
        skillcert_store::org::find_employee_by_no(&mut r.conn(), no)
            .await
            .expect("employee")
    }

    /// Some employee of a department (by code), for tests that need one.
    pub async fn employee_in(&self, department_code: &str) -> skillcert_store::org::Employee {
        let d = self.department_id(department_code).await;
        let mut r = self.app.db.read().await.expect("read");
        skillcert_store::org::all_employees(&mut r.conn())
            .await
            .expect("employees")
            .into_iter()
            .filter(|e| e.department_id == d)
            .min_by_key(|e| e.id)
            .unwrap_or_else(|| panic!("nobody in {department_code}"))
    }
}

/// A browser session: the session cookie and its CSRF token.
#[derive(Debug, Clone)]
pub struct WebSession {
    pub cookie: String,
    pub csrf: String,
}

/// The value of the first `name="_csrf" value="…"` of a page.
pub fn csrf_of(html: &str) -> Option<String> {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_string())
}

/// One request being put together.
pub struct Call {
    router: Router,
    method: Method,
    uri: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Call {
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    pub fn cookie(self, name: &str, value: &str) -> Self {
        self.header("cookie", &format!("{name}={value}"))
    }

    /// The session cookie only (no CSRF token).
    pub fn session(self, s: &WebSession) -> Self {
        self.cookie("sc_session", &s.cookie)
    }

    /// The session cookie and its CSRF token in the `X-CSRF-Token` header.
    pub fn session_csrf(self, s: &WebSession) -> Self {
        let token = s.csrf.clone();
        self.session(s).header("x-csrf-token", &token)
    }

    pub fn lang(self, tag: &str) -> Self {
        self.header("accept-language", tag)
    }

    pub fn json(mut self, v: &Value) -> Self {
        self.body = serde_json::to_vec(v).expect("json");
        self.header("content-type", "application/json")
    }

    pub fn form(mut self, pairs: &[(&str, &str)]) -> Self {
        self.body = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
            .collect::<Vec<_>>()
            .join("&")
            .into_bytes();
        self.header("content-type", "application/x-www-form-urlencoded")
    }

    pub fn raw(mut self, content_type: &str, body: Vec<u8>) -> Self {
        self.body = body;
        self.header("content-type", content_type)
    }

    /// A `multipart/form-data` body with one file field `file` and optional plain fields.
    pub fn multipart(mut self, file_name: &str, bytes: &[u8], fields: &[(&str, &str)]) -> Self {
        let boundary = "----skillcert-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
                 filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.body = body;
        self.header(
            "content-type",
            &format!("multipart/form-data; boundary={boundary}"),
        )
    }

    pub async fn send(self) -> Resp {
        let mut b = Request::builder().method(self.method).uri(&self.uri);
        for (k, v) in &self.headers {
            b = b.header(k.as_str(), v.as_str());
        }
        let req = b.body(Body::from(self.body)).expect("request");
        let res = self.router.oneshot(req).await.expect("infallible");
        let status = res.status();
        let headers = res.headers().clone();
        let body = res
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        Resp {
            status,
            headers,
            body,
        }
    }
}

/// Percent-encodes a form value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A response with its body read.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.text()))
    }

    pub fn location(&self) -> Option<String> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    /// The value a `Set-Cookie` header gives cookie `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| k.trim() == name)
            .map(|(_, v)| v.to_string())
    }

    /// The API error code of a JSON error body.
    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or_default().to_string()
    }

    /// Panics with the body when the status is not `want`.
    #[track_caller]
    pub fn expect(&self, want: StatusCode) -> &Self {
        assert_eq!(self.status, want, "body: {}", self.text());
        self
    }
}

/// A CSV file as HR's Excel writes it: UTF-8 with a BOM and CRLF line ends.
pub fn csv_bytes(rows: &[&[&str]]) -> Vec<u8> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    for row in rows {
        out.extend_from_slice(row.join(",").as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// The Chinese header row of the employee import.
pub const ZH_HEADER: [&str; 8] = [
    "工号",
    "姓名",
    "部门",
    "岗位",
    "窗口/班组",
    "直属上级工号",
    "入职日期",
    "状态",
];
