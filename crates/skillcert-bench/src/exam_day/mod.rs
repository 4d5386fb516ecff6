//! `skillcert-bench exam-day`: an online theory exam against the real server binary.
//!
//! 1. Setup, in-process, on a fresh database: a department, N employees with accounts, Q
//!    questions, a paper and a published exam session ([`db::seed`]); then the server
//!    (`skillcert serve`) is started on that database.
//! 2. Every candidate signs in (`POST /api/v1/session`), 64 at a time.
//! 3. The exam: all candidates start within one second, save an answer every S seconds and
//!    submit in the last fifth of the exam. Network errors and 5xx are retried with backoff
//!    (as the exam page does) until the attempt's deadline. With `--kill-at T` the server is
//!    SIGKILLed T seconds after the start and restarted on the same database and port.
//! 4. The server is stopped and every acknowledged save is looked up in `exam_answers`.
//!
//! One JSON object goes to stdout; progress to stderr.

mod client;
mod db;
mod server;
mod stats;

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use client::{CandidateOutcome, Counters, Ctx, Plan};
use server::Server;
use stats::{Lat, Node, Obj, cpu_seconds, round};

const USAGE: &str = "usage: skillcert-bench exam-day [--candidates N (10000)] [--questions Q (50)] \
[--save-every S seconds (30)] [--duration SECONDS (300)] [--database-url URL (fresh SQLite file)] \
[--kill-at SECONDS] [--keep] [--binary PATH] [--connections C (256)] [--login-concurrency L (64)] \
[--wait-before-start SECONDS between the last sign-in and the start (0)]";

struct Opts {
    candidates: usize,
    questions: usize,
    save_every: f64,
    duration: f64,
    database_url: Option<String>,
    kill_at: Option<f64>,
    keep: bool,
    binary: Option<PathBuf>,
    connections: usize,
    login_concurrency: usize,
    wait_before_start: f64,
}

fn opts(args: &[String]) -> Result<Opts> {
    let mut o = Opts {
        candidates: 10_000,
        questions: 50,
        save_every: 30.0,
        duration: 300.0,
        database_url: None,
        kill_at: None,
        keep: false,
        binary: None,
        connections: 256,
        login_concurrency: 64,
        wait_before_start: 0.0,
    };
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--keep" => {
                o.keep = true;
                i += 1;
                continue;
            }
            "-h" | "--help" => {
                eprintln!("{USAGE}");
                std::process::exit(0);
            }
            _ => {}
        }
        let v = args
            .get(i + 1)
            .with_context(|| format!("{} needs a value\n{USAGE}", args[i]))?;
        match args[i].as_str() {
            "--candidates" => o.candidates = v.parse()?,
            "--questions" => o.questions = v.parse()?,
            "--save-every" => o.save_every = v.parse()?,
            "--duration" => o.duration = v.parse()?,
            "--database-url" => o.database_url = Some(v.clone()),
            "--kill-at" => o.kill_at = Some(v.parse()?),
            "--binary" => o.binary = Some(PathBuf::from(v)),
            "--connections" => o.connections = v.parse()?,
            "--login-concurrency" => o.login_concurrency = v.parse()?,
            "--wait-before-start" => o.wait_before_start = v.parse()?,
            other => bail!("unknown option {other}\n{USAGE}"),
        }
        i += 2;
    }
    if o.candidates == 0 {
        bail!("--candidates must be at least 1");
    }
    if !o.save_every.is_finite()
        || o.save_every <= 0.0
        || !o.duration.is_finite()
        || o.duration < 5.0
    {
        bail!("--save-every must be > 0 and --duration at least 5 seconds");
    }
    if let Some(k) = o.kill_at
        && !(0.0..o.duration).contains(&k)
    {
        bail!("--kill-at must fall within the exam (0 ≤ T < --duration)");
    }
    if o.connections == 0 || o.login_concurrency == 0 {
        bail!("--connections and --login-concurrency must be at least 1");
    }
    Ok(o)
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// Where the exam's data lives, and how to get rid of it.
struct Database {
    url: String,
    kind: &'static str,
    /// `(server URL, database name)` of a PostgreSQL database this run created.
    created_pg: Option<(String, String)>,
}

pub fn run(args: &[String]) -> Result<()> {
    let o = opts(args)?;
    let dir = std::env::temp_dir().join(format!("skillcert-examday-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    // Setup, the server's lifecycle and the final check run here; the candidates get their
    // own multi-thread runtime below.
    let control = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let bin = server::locate(o.binary.as_deref())?;

    eprintln!(
        "baseline: single-row INSERT transactions on a fresh SQLite file (WAL, synchronous=FULL), 2 s"
    );
    let baseline = control.block_on(db::baseline_sqlite(&dir.join("baseline.db"), 2.0))?;
    for f in ["baseline.db", "baseline.db-wal", "baseline.db-shm"] {
        let _ = std::fs::remove_file(dir.join(f));
    }
    eprintln!("  {baseline:.0} inserts/s");

    let database = match &o.database_url {
        None => Database {
            url: dir.join("exam.db").to_string_lossy().into_owned(),
            kind: "sqlite",
            created_pg: None,
        },
        Some(u) if is_postgres(u) => {
            let name = format!("skillcert_examday_{}", std::process::id());
            eprintln!("creating PostgreSQL database {name}");
            let url = control.block_on(db::create_postgres(u, &name))?;
            Database {
                url,
                kind: "postgres",
                created_pg: Some((u.clone(), name)),
            }
        }
        Some(u) => Database {
            url: u.clone(),
            kind: "sqlite",
            created_pg: None,
        },
    };
    let result = run_on(&o, &dir, &bin, &database, baseline, &control);
    if let Some((server_url, name)) = &database.created_pg {
        if o.keep {
            eprintln!("kept PostgreSQL database {name}");
        } else if let Err(e) = control.block_on(db::drop_postgres(server_url, name)) {
            eprintln!("could not drop database {name}: {e:#}");
        }
    }
    if o.keep || result.is_err() {
        eprintln!("kept {} (database, server log)", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let report = result?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}

fn run_on(
    o: &Opts,
    dir: &std::path::Path,
    bin: &std::path::Path,
    database: &Database,
    baseline: f64,
    control: &tokio::runtime::Runtime,
) -> Result<Obj> {
    let baseline_pg = if database.kind == "postgres" {
        eprintln!("baseline on PostgreSQL: single-row INSERT transactions, 2 s");
        let r = control.block_on(db::baseline_postgres(&database.url, 2.0))?;
        eprintln!("  {r:.0} inserts/s");
        Some(r)
    } else {
        None
    };

    eprintln!(
        "setup: {} candidates, {} questions on {} (one argon2 hash shared by all accounts: a setup shortcut)",
        o.candidates, o.questions, database.kind
    );
    // Sign-ins come before the exam: leave the session open long enough for them.
    let login_allowance = o.candidates as f64 / 20.0 + o.wait_before_start.max(0.0);
    let seeded = control.block_on(db::seed(
        &database.url,
        o.candidates,
        o.questions,
        o.duration,
        login_allowance,
    ))?;
    eprintln!(
        "  {:.1} s; session {}, department {}, questions {:?}, paper total {} hundredths",
        seeded.seconds,
        seeded.session_id,
        seeded.department_id,
        seeded.question_mix,
        seeded.paper_total
    );

    let addr = server::free_addr()?;
    let server = RefCell::new(Server::new(
        bin.to_path_buf(),
        addr,
        database.url.clone(),
        dir.join("server.log"),
    ));
    eprintln!("starting {} serve --addr {addr}", bin.display());
    server.borrow_mut().spawn()?;
    let ready = control.block_on(server::wait_ready(&server, Duration::from_secs(60)))?;
    eprintln!("  ready in {} ms", ready.as_millis());

    let clients = tokio::runtime::Builder::new_multi_thread()
        .thread_name("candidates")
        .enable_all()
        .build()?;
    let exam = clients.block_on(exam(o, &server, seeded.session_id));
    drop(clients);
    let exam = match exam {
        Ok(e) => e,
        Err(e) => {
            let _ = server.borrow_mut().stop();
            return Err(e);
        }
    };

    eprintln!("waiting 5 s for the server's deadline sweeper, then stopping the server");
    std::thread::sleep(Duration::from_secs(5));
    let server_cpu_total = server.borrow().cpu_seconds();
    server.borrow_mut().stop()?;
    let restarts = server.borrow().restarts;

    eprintln!("checking every acknowledged save in exam_answers");
    let stored = control.block_on(db::stored(&database.url, seeded.session_id))?;
    let check = verify(&exam.outcomes, &stored);
    Ok(report(
        o,
        database,
        baseline,
        baseline_pg,
        &seeded,
        exam,
        check,
        stored,
        restarts,
        server_cpu_total,
    ))
}

/// CPU seconds of server and bench over a stretch of wall time.
#[derive(Clone, Copy)]
struct Cpu {
    at: Instant,
    server: f64,
    bench: f64,
}

fn sample(server: &RefCell<Server>) -> Cpu {
    Cpu {
        at: Instant::now(),
        server: server.borrow().cpu_seconds(),
        bench: cpu_seconds(None).unwrap_or(0.0),
    }
}

fn phase(a: Cpu, b: Cpu) -> Obj {
    let wall = b.at.duration_since(a.at).as_secs_f64();
    let per_s = |x: f64| if wall > 0.0 { round(x / wall, 2) } else { 0.0 };
    Obj::new()
        .v("wall_s", round(wall, 2))
        .v("server_cpu_s", round(b.server - a.server, 2))
        .v("server_cores", per_s(b.server - a.server))
        .v("bench_cpu_s", round(b.bench - a.bench, 2))
        .v("bench_cores", per_s(b.bench - a.bench))
}

struct Exam {
    outcomes: Vec<CandidateOutcome>,
    logins: client::Logins,
    t0: Instant,
    all_started: Option<Instant>,
    end: Instant,
    kill: Option<Obj>,
    cpu: Obj,
    error_samples: Vec<String>,
    progress_errors: u64,
}

async fn exam(o: &Opts, server: &RefCell<Server>, session_id: i64) -> Result<Exam> {
    let base = format!("http://{}", server.borrow().addr);
    let ctx = Arc::new(Ctx::new(base, o.connections, 4)?);

    eprintln!(
        "signing in {} candidates ({} at a time)",
        o.candidates, o.login_concurrency
    );
    let c0 = sample(server);
    let login = {
        let fut = client::login_all(ctx.clone(), o.candidates, o.login_concurrency);
        let ticker = async {
            loop {
                tokio::time::sleep(Duration::from_secs(10)).await;
                eprintln!(
                    "  signed in {}/{}",
                    ctx.progress.logins.load(Ordering::Relaxed),
                    o.candidates
                );
            }
        };
        tokio::select! {
            l = fut => l,
            _ = ticker => unreachable!(),
        }
    };
    let c1 = sample(server);
    eprintln!(
        "  {} sign-ins in {:.1} s ({:.0}/s), {} failed",
        o.candidates,
        login.seconds,
        o.candidates as f64 / login.seconds,
        login.errors
    );

    // The exam starts a moment from now so every task is waiting when it does.
    if o.wait_before_start > 0.0 {
        eprintln!("waiting {} s before the exam starts", o.wait_before_start);
    }
    let t0 = tokio::time::Instant::now()
        + Duration::from_secs_f64(o.wait_before_start.max(0.0))
        + Duration::from_millis(500);
    let plan = Arc::new(Plan {
        t0,
        session_id,
        save_every: Duration::from_secs_f64(o.save_every),
        duration: Duration::from_secs_f64(o.duration),
    });
    eprintln!(
        "exam: {} s, saves every {} s, submissions in the last fifth{}",
        o.duration,
        o.save_every,
        o.kill_at
            .map(|k| format!(", server SIGKILLed at {k} s"))
            .unwrap_or_default()
    );
    let handles = client::spawn_candidates(&ctx, &plan, login.tokens.clone());
    let total = handles.len();

    let collect = async {
        let mut out = Vec::with_capacity(handles.len());
        for h in handles {
            match h.await {
                Ok(r) => out.push(r),
                Err(e) => ctx.progress.error(format!("candidate task failed: {e}")),
            }
        }
        (out, Instant::now())
    };
    let started = async {
        if total > 0 {
            ctx.progress.all_started.notified().await;
        }
        (Instant::now(), sample(server))
    };
    let killer = async {
        let Some(k) = o.kill_at else {
            return Ok::<_, anyhow::Error>(None);
        };
        tokio::time::sleep_until(t0 + Duration::from_secs_f64(k)).await;
        let t = Instant::now();
        eprintln!("[{k:>5.1} s] SIGKILL to the server; restarting it");
        server.borrow_mut().restart_after_kill()?;
        let ready = server::wait_ready(server, Duration::from_secs(60)).await?;
        let down = t.elapsed();
        eprintln!(
            "[{:>5.1} s] server ready again after {} ms",
            k + down.as_secs_f64(),
            down.as_millis()
        );
        Ok(Some(
            Obj::new()
                .v("at_s", k)
                .v("kill_to_ready_ms", down.as_millis() as u64)
                .v("restart_to_ready_ms", ready.as_millis() as u64),
        ))
    };
    let ticker = async {
        loop {
            tokio::time::sleep(Duration::from_secs(10)).await;
            let p = &ctx.progress;
            if p.finished.load(Ordering::Relaxed) >= total {
                break;
            }
            eprintln!(
                "[{:>5.1} s] started {}/{}, saves acked {}, retrying {}, errors {}, submitted {}",
                t0.elapsed().as_secs_f64(),
                p.starts_ok.load(Ordering::Relaxed),
                total,
                p.saves_acked.load(Ordering::Relaxed),
                p.retrying.load(Ordering::Relaxed),
                p.errors.load(Ordering::Relaxed),
                p.submits_ok.load(Ordering::Relaxed)
            );
        }
    };
    tokio::time::sleep_until(t0).await;
    let c2 = sample(server);
    let ((outcomes, end), (all_started, c3), kill, ()) =
        tokio::join!(collect, started, killer, ticker);
    let kill = kill?;
    let c4 = sample(server);
    let cpu = Obj::new()
        .o("login", phase(c0, c1))
        .o("start_burst", phase(c2, c3))
        .o("rest_of_exam", phase(c3, c4));
    Ok(Exam {
        outcomes,
        logins: login,
        t0: c2.at,
        all_started: (total > 0).then_some(all_started),
        end,
        kill,
        cpu,
        error_samples: ctx.progress.error_samples(),
        progress_errors: ctx.progress.errors.load(Ordering::Relaxed),
    })
}

struct Check {
    saves_acked: u64,
    found: u64,
    /// Highest acknowledged save stored with the same seq but another answer.
    mismatched: u64,
}

/// Every acknowledged `(attempt, position, seq)` must be stored with `seq >=` it; where the
/// stored seq is the highest acknowledged one, the stored answer must be the acknowledged one.
fn verify(outcomes: &[CandidateOutcome], stored: &db::Stored) -> Check {
    let mut c = Check {
        saves_acked: 0,
        found: 0,
        mismatched: 0,
    };
    for o in outcomes {
        let Some(a) = o.attempt_id else { continue };
        for (pos, seq) in &o.acks {
            c.saves_acked += 1;
            if stored
                .answers
                .get(&(a, *pos))
                .is_some_and(|(s, _)| s >= seq)
            {
                c.found += 1;
            }
        }
        for (pos, (seq, answer)) in &o.last {
            if let Some((s, Some(json))) = stored.answers.get(&(a, *pos))
                && s == seq
                && serde_json::from_str::<Value>(json).ok().as_ref() != Some(answer)
            {
                c.mismatched += 1;
            }
        }
    }
    c
}

#[allow(clippy::too_many_arguments)]
fn report(
    o: &Opts,
    database: &Database,
    baseline: f64,
    baseline_pg: Option<f64>,
    seeded: &db::Seeded,
    exam: Exam,
    check: Check,
    stored: db::Stored,
    restarts: u32,
    server_cpu_total: f64,
) -> Obj {
    let mut lat: HashMap<&str, Lat> = HashMap::new();
    let mut cnt = Counters::default();
    let (mut errors, mut stale, mut submits, mut started, mut resumed, mut stopped, mut dups) =
        (0u64, 0u64, 0u64, 0u64, 0u64, 0u64, 0u64);
    let mut last_ack: Option<Instant> = None;
    for c in exam.outcomes {
        lat.entry("start").or_default().extend(c.lat_start);
        lat.entry("start_e2e").or_default().extend(c.lat_start_e2e);
        lat.entry("save").or_default().extend(c.lat_save);
        lat.entry("save_e2e").or_default().extend(c.lat_save_e2e);
        lat.entry("save_steady")
            .or_default()
            .extend(c.lat_save_steady);
        lat.entry("submit").or_default().extend(c.lat_submit);
        cnt.add(&c.cnt);
        errors += c.errors;
        stale += c.stale_or_reused;
        submits += u64::from(c.submitted);
        started += u64::from(c.started_ok);
        resumed += u64::from(c.resumed);
        stopped += u64::from(c.stopped);
        dups += c.duplicates;
        if let Some(d) = c.done_at {
            last_ack = Some(last_ack.map_or(d, |l| l.max(d)));
        }
    }
    let mut login_lat = exam.logins.lat;
    cnt.add(&exam.logins.cnt);
    let exam_s = exam.end.duration_since(exam.t0).as_secs_f64();
    let start_s = exam
        .all_started
        .map(|t| t.duration_since(exam.t0).as_secs_f64())
        .unwrap_or(0.0);
    let saves_per_s = if exam_s > 0.0 {
        check.saves_acked as f64 / exam_s
    } else {
        0.0
    };
    let mut l = |k: &str| lat.remove(k).unwrap_or_default().summary();
    let kill = match exam.kill {
        Some(k) => Node::O(k),
        None => Node::V(Value::Null),
    };
    let mut out = Obj::new()
        .v("candidates", o.candidates)
        .v("questions", o.questions)
        .v("save_every_s", o.save_every)
        .v("duration_s", o.duration)
        .v("kill_at_s", o.kill_at)
        .v("database", database.kind)
        .v(
            "login_per_s",
            round(o.candidates as f64 / exam.logins.seconds, 1),
        )
        .v(
            "starts_per_s",
            if start_s > 0.0 {
                round(started as f64 / start_s, 1)
            } else {
                0.0
            },
        )
        .v("saves_acked", check.saves_acked)
        .v("saves_found_in_db", check.found)
        .v("lost_answers", check.saves_acked - check.found)
        .v("errors", errors + exam.logins.errors)
        .v("stale_or_reused", stale)
        .v("submits_ok", submits)
        .v("saves_per_s", round(saves_per_s, 1))
        .o(
            "latency",
            Obj::new()
                .o("login", login_lat.summary())
                .o("start", l("start"))
                .o("save", l("save"))
                .o("submit", l("submit"))
                .o("start_e2e", l("start_e2e"))
                .o("save_e2e", l("save_e2e"))
                .o("save_after_start_burst", l("save_steady")),
        )
        .v("baseline_inserts_per_s", round(baseline, 0))
        .v("saves_per_s_vs_baseline", round(saves_per_s / baseline, 4))
        .v("server_restarts", restarts)
        // Details.
        .v("connections", o.connections)
        .v("wait_before_start_s", o.wait_before_start)
        .v("login_failures", exam.logins.errors)
        .v("starts_ok", started)
        .v("starts_resumed", resumed)
        .v("start_window_s", round(start_s, 2))
        .v("saves_duplicate_acks", dups)
        .v("answers_mismatched", check.mismatched)
        .v("candidates_stopped", stopped)
        .v("attempts_by_status", json!(stored.attempts))
        .v("exam_wall_s", round(exam_s, 1))
        .o(
            "retried",
            Obj::new()
                .v("network_errors", cnt.network_errors)
                .v("http_5xx", cnt.http_5xx)
                .v("retries", cnt.retries),
        );
    if let Some(b) = baseline_pg {
        out = out.v("baseline_postgres_inserts_per_s", round(b, 0));
    }
    out = out
        .n("kill", kill)
        .o("cpu", exam.cpu)
        .v("server_cpu_s_total", round(server_cpu_total, 1))
        .o(
            "setup",
            Obj::new()
                .v("seconds", round(seeded.seconds, 1))
                .v("question_mix", json!(seeded.question_mix))
                .v("paper_total_hundredths", seeded.paper_total)
                .v("note", "setup shortcut: the shared password is hashed once (argon2id, production parameters) and that PHC string is stored for every account; each sign-in still verifies argon2"),
        )
        .v(
            "error_samples",
            json!(exam.error_samples.iter().take(5).collect::<Vec<_>>()),
        )
        .v("client_errors_logged", exam.progress_errors);
    out
}
