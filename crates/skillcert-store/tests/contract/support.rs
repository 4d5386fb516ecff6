//! Test databases: a fresh SQLite file per test, and a fresh PostgreSQL database per test when
//! `SKILLCERT_TEST_PG_URL` names a server (tests then run against both).

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rand::RngCore;
use skillcert_domain::org::{
    DepartmentDraft, EmployeeDraft, EmployeeStatus, PositionDraft, UnitDraft, UnitKind,
};
use skillcert_domain::text::Code;
use skillcert_store::org::{self, Department, Employee, Position, Unit};
use skillcert_store::{Backend, Db, DbOptions, StoreError, Tx};
use sqlx::Connection;

pub const PG_ENV: &str = "SKILLCERT_TEST_PG_URL";

/// One migrated, empty database; removed (best effort) when dropped, also after a panic.
pub struct TestDb {
    pub db: Db,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

fn random_hex() -> String {
    let mut b = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

impl TestDb {
    pub fn label(&self) -> &'static str {
        match self.db.backend() {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    pub async fn sqlite() -> TestDb {
        let path = std::env::temp_dir().join(format!("skillcert-contract-{}.db", random_hex()));
        let db = Db::connect(
            &format!("sqlite://{}", path.display()),
            &DbOptions { max_connections: 2 },
        )
        .await
        .expect("open sqlite");
        db.migrate().await.expect("migrate sqlite");
        TestDb {
            db,
            cleanup: Cleanup::Sqlite(path),
        }
    }

    /// A new database on the server of `SKILLCERT_TEST_PG_URL`, or `None` when it is unset.
    pub async fn postgres() -> Option<TestDb> {
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
        let url = db_url(&admin_url, &name);
        let db = Db::connect(&url, &DbOptions { max_connections: 4 })
            .await
            .expect("connect to test database");
        db.migrate().await.expect("migrate postgres");
        Some(TestDb {
            db,
            cleanup: Cleanup::Postgres { admin_url, name },
        })
    }

    pub async fn begin(&self) -> Tx {
        self.db.begin().await.expect("begin")
    }
}

/// `admin_url` with its database name replaced by `name` (query string kept).
pub fn db_url(admin_url: &str, name: &str) -> String {
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

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // A thread of its own: drop may run inside the test's runtime.
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

/// SQLite always, PostgreSQL too when `SKILLCERT_TEST_PG_URL` is set.
pub async fn backends() -> Vec<TestDb> {
    let mut v = vec![TestDb::sqlite().await];
    if let Some(pg) = TestDb::postgres().await {
        v.push(pg);
    }
    v
}

/// Runs `body` against every backend; a failure names the backend in the test's output.
pub async fn each(body: impl AsyncFn(&TestDb)) {
    for t in backends().await {
        eprintln!("--- backend: {}", t.label());
        body(&t).await;
    }
}

// ---------- fixtures ----------

/// A fixed instant with a non-zero microsecond part, to catch precision loss.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 3, 4, 5)
        .single()
        .expect("time")
        + chrono::Duration::microseconds(123_456)
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

pub fn code(s: &str) -> Code {
    Code::parse(s).expect("code")
}

pub async fn add_department(
    t: &TestDb,
    c: &str,
    name: &str,
    parent: Option<i64>,
) -> Result<Department, StoreError> {
    let mut tx = t.begin().await;
    let d = org::insert_department(
        &mut tx.conn(),
        &DepartmentDraft {
            code: code(c),
            name: name.into(),
            parent_id: parent,
        },
        t0(),
    )
    .await?;
    tx.commit().await?;
    Ok(d)
}

pub async fn add_unit(t: &TestDb, c: &str, department_id: i64) -> Result<Unit, StoreError> {
    let mut tx = t.begin().await;
    let u = org::insert_unit(
        &mut tx.conn(),
        &UnitDraft {
            code: code(c),
            name: format!("{c} 班组"),
            kind: UnitKind::Team,
            department_id,
        },
        t0(),
    )
    .await?;
    tx.commit().await?;
    Ok(u)
}

pub async fn add_position(t: &TestDb, c: &str) -> Result<Position, StoreError> {
    let mut tx = t.begin().await;
    let p = org::insert_position(
        &mut tx.conn(),
        &PositionDraft {
            code: code(c),
            name: format!("{c} 岗位"),
        },
        t0(),
    )
    .await?;
    tx.commit().await?;
    Ok(p)
}

pub fn employee(no: &str, name: &str, department_id: i64) -> EmployeeDraft {
    EmployeeDraft {
        employee_no: code(no),
        name: name.into(),
        department_id,
        position_id: None,
        unit_id: None,
        supervisor_id: None,
        hire_date: date(2024, 3, 1),
        status: EmployeeStatus::Active,
    }
}

pub async fn add_employee(t: &TestDb, e: &EmployeeDraft) -> Result<Employee, StoreError> {
    let mut tx = t.begin().await;
    let row = org::insert_employee(&mut tx.conn(), e, t0()).await?;
    tx.commit().await?;
    Ok(row)
}
