//! Everything done to the database directly, in-process: the baseline insert loop, a fresh
//! PostgreSQL database, the exam's setup through the library crates, and the final count of
//! acknowledged answers found in `exam_answers`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use chrono::NaiveDate;
use skillcert_app::auth::{self, SessionKind};
use skillcert_app::exams::sessions::{self, SessionInput};
use skillcert_app::{App, AppConfig, SystemClock};
use skillcert_domain::access::{Grant, Role};
use skillcert_domain::exam::answer::MultiplePolicy;
use skillcert_domain::exam::paper::{MAX_ITEMS, PaperSpec, Part};
use skillcert_domain::exam::question::{Body, Difficulty, Question, QuestionType};
use skillcert_domain::org::{DepartmentDraft, EmployeeDraft, EmployeeStatus};
use skillcert_domain::scheme::Score;
use skillcert_domain::text::Code;
use skillcert_store::users::{self, NewUser};
use skillcert_store::{Db, DbOptions, org, papers, questions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, PgConnection};

/// The password every candidate signs in with.
pub const PASSWORD: &str = "exam-day-bench-password";
pub const ADMIN: &str = "examday-admin";

fn app_err(e: skillcert_app::AppError) -> anyhow::Error {
    anyhow!("{e:?}")
}

pub fn username(i: usize) -> String {
    format!("cand{i:06}")
}

/// ~100 bytes, like an answer row of limits.md.
const BASELINE_BODY: &str =
    r#"{"choice":[2],"note":"baseline row of about one hundred bytes, like a stored answer"}"#;

/// Single-row INSERT transactions (BEGIN; INSERT; COMMIT) for `secs` on one sqlx connection
/// to a fresh SQLite file with the server's pragmas (WAL, synchronous=FULL). Rows/s.
pub async fn baseline_sqlite(path: &Path, secs: f64) -> Result<f64> {
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(5));
    let mut conn = opts.connect().await?;
    sqlx::query(
        "CREATE TABLE answers (id INTEGER PRIMARY KEY, attempt_id INTEGER NOT NULL, \
         position INTEGER NOT NULL, seq INTEGER NOT NULL, answer TEXT, saved_at_ms INTEGER NOT NULL)",
    )
    .execute(&mut conn)
    .await?;
    let t = Instant::now();
    let mut n: i64 = 0;
    while t.elapsed().as_secs_f64() < secs {
        let mut tx = conn.begin().await?;
        sqlx::query(
            "INSERT INTO answers (attempt_id, position, seq, answer, saved_at_ms) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(n / 50)
        .bind(n % 50)
        .bind(n)
        .bind(BASELINE_BODY)
        .bind(n)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        n += 1;
    }
    let rate = n as f64 / t.elapsed().as_secs_f64();
    conn.close().await?;
    Ok(rate)
}

/// The same loop on a PostgreSQL database (one connection), in a table dropped afterwards.
pub async fn baseline_postgres(url: &str, secs: f64) -> Result<f64> {
    let mut conn = PgConnection::connect(url).await?;
    sqlx::query(
        "CREATE TABLE bench_baseline (id BIGSERIAL PRIMARY KEY, attempt_id BIGINT NOT NULL, \
         position INTEGER NOT NULL, seq BIGINT NOT NULL, answer TEXT, saved_at_ms BIGINT NOT NULL)",
    )
    .execute(&mut conn)
    .await?;
    let t = Instant::now();
    let mut n: i64 = 0;
    while t.elapsed().as_secs_f64() < secs {
        let mut tx = conn.begin().await?;
        sqlx::query(
            "INSERT INTO bench_baseline (attempt_id, position, seq, answer, saved_at_ms) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(n / 50)
        .bind((n % 50) as i32)
        .bind(n)
        .bind(BASELINE_BODY)
        .bind(n)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        n += 1;
    }
    let rate = n as f64 / t.elapsed().as_secs_f64();
    sqlx::query("DROP TABLE bench_baseline")
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    Ok(rate)
}

/// Creates the empty database `name` on the server of `url`; returns its URL.
pub async fn create_postgres(url: &str, name: &str) -> Result<String> {
    let mut admin = PgConnection::connect(url)
        .await
        .context("connecting to PostgreSQL")?;
    sqlx::query(AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}")))
        .execute(&mut admin)
        .await?;
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .with_context(|| format!("creating database {name}"))?;
    admin.close().await?;
    let mut u = reqwest::Url::parse(url).context("parsing --database-url")?;
    u.set_path(&format!("/{name}"));
    Ok(u.to_string())
}

pub async fn drop_postgres(url: &str, name: &str) -> Result<()> {
    let mut admin = PgConnection::connect(url).await?;
    sqlx::query(AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await?;
    admin.close().await?;
    Ok(())
}

/// What the setup made.
pub struct Seeded {
    pub session_id: i64,
    pub department_id: i64,
    pub question_mix: HashMap<&'static str, usize>,
    pub paper_total: u32,
    pub seconds: f64,
}

/// How many questions of each type: mostly single choice, about a fifth multiple choice, a
/// tenth true/false and two short answers (from 10 questions up).
fn mix(q: usize) -> [(QuestionType, usize, u32); 4] {
    let short = if q >= 10 { 2 } else { 0 };
    let tf = q / 10;
    let multiple = q / 5;
    let single = q - short - tf - multiple;
    [
        (QuestionType::Single, single, 200),
        (QuestionType::Multiple, multiple, 200),
        (QuestionType::TrueFalse, tf, 100),
        (QuestionType::Short, short, 450),
    ]
}

fn question(t: QuestionType, k: usize) -> Question {
    let opts = |k: usize| -> Vec<String> {
        ["A", "B", "C", "D"]
            .iter()
            .map(|l| format!("Option {l} of question {k}: a plausible customer-service reply"))
            .collect()
    };
    let body = match t {
        QuestionType::Single => Body::Single {
            options: opts(k),
            key: (k % 4) as u8,
        },
        QuestionType::Multiple => Body::Multiple {
            options: opts(k),
            key: vec![0, 2],
        },
        QuestionType::TrueFalse => Body::TrueFalse {
            key: k.is_multiple_of(2),
        },
        QuestionType::Short => Body::Short {
            key_points: vec![
                "Greets the customer and listens".into(),
                "Explains the next step".into(),
            ],
            model_answer: None,
        },
    };
    Question {
        stem: format!(
            "Question {k}: a customer at the counter is unhappy about a waiting time. \
             Which reply follows the service standard?"
        ),
        body,
        points: Score::points(1),
        tags: Vec::new(),
        difficulty: Difficulty::DEFAULT,
        explanation: None,
    }
}

/// Migrates, then creates the department, `n` employees with accounts, the questions, the
/// paper and a published exam session — through the library crates, before the server runs.
///
/// Setup shortcut: the shared password is hashed ONCE with the app's argon2id (production
/// parameters, `AppConfig::default()`) and that PHC string is stored for every account.
/// Sign-ins still verify argon2 per request.
pub async fn seed(
    url: &str,
    n: usize,
    q: usize,
    duration_s: f64,
    closes_allowance_s: f64,
) -> Result<Seeded> {
    let t = Instant::now();
    if q == 0 || q > MAX_ITEMS {
        return Err(anyhow!("--questions must be between 1 and {MAX_ITEMS}"));
    }
    let db = Db::connect(url, &DbOptions::default()).await?;
    db.migrate().await?;
    let app = App::new(db, Arc::new(SystemClock), AppConfig::default());
    let now = app.now();
    let hash = auth::hash_password(&app, PASSWORD).map_err(app_err)?;

    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let dept = org::insert_department(
        &mut c,
        &DepartmentDraft::parse("EXAMDAY", "Exam day candidates", None)
            .map_err(|e| anyhow!("department: {e:?}"))?,
        now,
    )
    .await?;
    let hire = NaiveDate::from_ymd_opt(2020, 1, 1).context("date")?;
    let mut drafts = Vec::with_capacity(n);
    for i in 0..n {
        drafts.push(EmployeeDraft {
            employee_no: Code::parse(&format!("XD{i:06}")).map_err(|e| anyhow!("{e:?}"))?,
            name: format!("Candidate {i}"),
            department_id: dept.id,
            position_id: None,
            unit_id: None,
            supervisor_id: None,
            hire_date: hire,
            status: EmployeeStatus::Active,
        });
    }
    let ids = org::insert_employees_bulk(&mut c, &drafts, now).await?;
    for (i, id) in ids.iter().enumerate() {
        let u = users::insert_user(
            &mut c,
            &NewUser {
                username: &username(i),
                display_name: &drafts[i].name,
                password_hash: &hash,
                employee_id: Some(*id),
            },
            now,
        )
        .await?;
        users::insert_grant(
            &mut c,
            u.id,
            Grant {
                role: Role::Employee,
                department_id: Some(dept.id),
            },
            now,
        )
        .await?;
    }
    let admin = users::insert_user(
        &mut c,
        &NewUser {
            username: ADMIN,
            display_name: "Exam day administrator",
            password_hash: &hash,
            employee_id: None,
        },
        now,
    )
    .await?;
    users::insert_grant(
        &mut c,
        admin.id,
        Grant {
            role: Role::Admin,
            department_id: None,
        },
        now,
    )
    .await?;

    let mut parts = Vec::new();
    let mut question_mix = HashMap::new();
    let mut total = 0u32;
    let mut k = 0usize;
    for (t, count, points) in mix(q) {
        question_mix.insert(t.key(), count);
        if count == 0 {
            continue;
        }
        for _ in 0..count {
            k += 1;
            questions::insert(
                &mut c,
                &format!("XDQ{k:04}"),
                &question(t, k),
                Some(admin.id),
                now,
            )
            .await?;
        }
        total += points * count as u32;
        parts.push(Part::Rule {
            qtype: t,
            tag: None,
            difficulty: None,
            count: count as u32,
            points,
        });
    }
    let spec = PaperSpec {
        total,
        policy: MultiplePolicy::AllOrNothing,
        shuffle_questions: true,
        shuffle_options: true,
        parts,
    };
    let paper = papers::insert(&mut c, "XD-PAPER", "Exam day paper", &spec, now).await?;
    tx.commit().await?;

    // The session goes through the app's services, as a training manager's would.
    let login = auth::login(&app, ADMIN, PASSWORD, SessionKind::Api)
        .await
        .map_err(app_err)?;
    let actor = auth::authenticate(&app, &login.token)
        .await
        .map_err(app_err)?;
    let secs = |s: f64| chrono::Duration::milliseconds((s * 1000.0) as i64);
    let input = SessionInput {
        code: "XD-SESSION".into(),
        title: "Exam day benchmark".into(),
        paper_id: Some(paper.id),
        mode: "online".into(),
        opens_at: (now - chrono::Duration::minutes(1)).to_rfc3339(),
        closes_at: (now
            + secs(closes_allowance_s)
            + secs(duration_s)
            + chrono::Duration::minutes(10))
        .to_rfc3339(),
        duration_minutes: ((duration_s / 60.0).ceil() as i64 + 2).to_string(),
        attempts_allowed: "1".into(),
        review: "never".into(),
        audience: "departments".into(),
        departments: vec![dept.id],
        ..SessionInput::default()
    };
    let view = sessions::create(&app, &actor, &input)
        .await
        .map_err(app_err)?;
    sessions::publish(&app, &actor, view.row.id)
        .await
        .map_err(app_err)?;
    auth::logout(&app, &actor).await.map_err(app_err)?;
    app.db.close().await;
    Ok(Seeded {
        session_id: view.row.id,
        department_id: dept.id,
        question_mix,
        paper_total: total,
        seconds: t.elapsed().as_secs_f64(),
    })
}

/// What the database holds after the exam.
pub struct Stored {
    /// `(attempt id, position)` → `(seq, answer JSON)`.
    pub answers: HashMap<(i64, i32), (i64, Option<String>)>,
    /// Attempts of the session by status.
    pub attempts: HashMap<String, i64>,
}

/// Reads every `exam_answers` row of the session's attempts.
pub async fn stored(url: &str, session_id: i64) -> Result<Stored> {
    let db = Db::connect(url, &DbOptions::default()).await?;
    const ANSWERS: &str = "SELECT x.attempt_id, x.position, x.seq, x.answer FROM exam_answers x \
         JOIN exam_attempts a ON a.id = x.attempt_id WHERE a.session_id = $1";
    const ATTEMPTS: &str =
        "SELECT status, COUNT(*) FROM exam_attempts WHERE session_id = $1 GROUP BY status";
    type Row = (i64, i32, i64, Option<String>);
    let (rows, attempts): (Vec<Row>, Vec<(String, i64)>) = match &db {
        Db::Sqlite { reader, .. } => (
            sqlx::query_as(ANSWERS)
                .bind(session_id)
                .fetch_all(reader)
                .await?,
            sqlx::query_as(ATTEMPTS)
                .bind(session_id)
                .fetch_all(reader)
                .await?,
        ),
        Db::Postgres(pool) => (
            sqlx::query_as(ANSWERS)
                .bind(session_id)
                .fetch_all(pool)
                .await?,
            sqlx::query_as(ATTEMPTS)
                .bind(session_id)
                .fetch_all(pool)
                .await?,
        ),
    };
    db.close().await;
    Ok(Stored {
        answers: rows
            .into_iter()
            .map(|(a, p, s, ans)| ((a, p), (s, ans)))
            .collect(),
        attempts: attempts.into_iter().collect(),
    })
}
