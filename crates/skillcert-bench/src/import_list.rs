//! The import + list benchmark, what `cargo run --release -p skillcert-bench [-- --rows 100000
//! --requests 1000 --concurrency 8]` runs (no subcommand):
//!
//! 1. Imports N employees from a generated CSV into a fresh SQLite database (the path a user
//!    takes: file → validation → one transaction with audit records), then imports the same
//!    file again (nothing changes: every row compared).
//! 2. Serves the app on loopback and sends R requests for the employee list page with filters
//!    (department subtree + status + text search, sorted, page 1 of 50) from a client running
//!    on its own thread and runtime, and reports latency percentiles.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use skillcert_app::auth::{self, SessionKind};
use skillcert_app::{App, AppConfig, SystemClock, demo, import};
use skillcert_store::{Db, DbOptions};

struct Opts {
    keep: bool,
    rows: usize,
    requests: usize,
    concurrency: usize,
}

fn opts(args: &[String]) -> Result<Opts> {
    let mut o = Opts {
        keep: false,
        rows: 100_000,
        requests: 1000,
        concurrency: 8,
    };
    let mut i = 0;
    while i < args.len() {
        if args[i] == "--keep" {
            o.keep = true;
            i += 1;
            continue;
        }
        let v = args.get(i + 1).context("missing value")?;
        match args[i].as_str() {
            "--rows" => o.rows = v.parse()?,
            "--requests" => o.requests = v.parse()?,
            "--concurrency" => o.concurrency = v.parse()?,
            other => bail!("unknown option {other}"),
        }
        i += 2;
    }
    Ok(o)
}

/// A CSV of `rows` employees spread over the demo's departments, with windows/teams and
/// supervisors that live in the same file.
pub(crate) fn csv(rows: usize) -> Vec<u8> {
    // (department code, unit codes) of the demo organisation's leaf departments.
    let places: [(&str, &[&str]); 6] = [
        ("CSC-01", &["CSC-01-T1", "CSC-01-T2", "CSC-01-T3"]),
        ("CSC-02", &["CSC-02-T1", "CSC-02-T2", "CSC-02-T3"]),
        ("CSC-03", &[]),
        ("BH-01", &["BH-01-W1", "BH-01-W2"]),
        ("TS-01", &[]),
        ("TS-02", &[]),
    ];
    let surnames = [
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙",
    ];
    let given = [
        "伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超",
        "霞",
    ];
    let statuses = [
        "active",
        "active",
        "active",
        "probation",
        "off_duty_training",
        "transferred",
        "left",
    ];
    let mut out = String::with_capacity(rows * 80);
    out.push_str("工号,姓名,部门,岗位,窗口/班组,直属上级工号,入职日期,状态\n");
    for i in 0..rows {
        let (dept, units) = places[i % places.len()];
        let unit = if units.is_empty() {
            ""
        } else {
            units[(i / places.len()) % units.len()]
        };
        // Every 50th person is a supervisor of the next 49 in the same department.
        let sup = if i % 300 < places.len() {
            String::new()
        } else {
            format!("B{:07}", i - i % 300 + i % places.len())
        };
        let name = format!(
            "{}{}{}",
            surnames[i % 12],
            given[(i / 12) % 16],
            given[(i / 192) % 16]
        );
        out.push_str(&format!(
            "B{i:07},{name},{dept},AGENT,{unit},{sup},{}-{:02}-{:02},{}\n",
            2015 + i % 10,
            1 + i % 12,
            1 + i % 28,
            statuses[i % statuses.len()]
        ));
    }
    out.into_bytes()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

/// Runs the benchmark with the command-line arguments that follow the program name.
pub async fn run(args: &[String]) -> Result<()> {
    let o = opts(args)?;
    let dir = std::env::temp_dir().join(format!("skillcert-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let db = Db::connect(
        &dir.join("bench.db").to_string_lossy(),
        &DbOptions::default(),
    )
    .await?;
    db.migrate().await?;
    let app = App::new(db, Arc::new(SystemClock), AppConfig::default());
    demo::load(&app, 1)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let login = auth::login(&app, "admin", demo::DEMO_PASSWORD, SessionKind::Web)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let admin = auth::authenticate(&app, &login.token)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;

    let file = csv(o.rows);
    println!(
        "machine: {} cores; SQLite (WAL, synchronous=FULL) in {}",
        std::thread::available_parallelism()?.get(),
        dir.display()
    );
    println!(
        "import: {} rows, {:.1} MB CSV",
        o.rows,
        file.len() as f64 / 1e6
    );
    let t = Instant::now();
    let r = import::import_employees(&app, &admin, "bench.csv", &file, false)
        .await
        .map_err(|e| anyhow::anyhow!("import failed: {e:?}"))?;
    let first = t.elapsed();
    println!(
        "  first import: {:.2} s ({} created, {} audit records)",
        first.as_secs_f64(),
        r.created.len(),
        r.created.len() + 1
    );
    let t = Instant::now();
    let r2 = import::import_employees(&app, &admin, "bench.csv", &file, false)
        .await
        .map_err(|e| anyhow::anyhow!("re-import failed: {e:?}"))?;
    println!(
        "  re-import of the same file: {:.2} s ({} unchanged)",
        t.elapsed().as_secs_f64(),
        r2.unchanged
    );

    // Serve on loopback.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let state = skillcert_web::AppState {
        app: app.clone(),
        secure_cookies: false,
    };
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(skillcert_web::serve(listener, state, async move {
        let _ = stop_rx.await;
    }));
    let csc = {
        let mut rd = app.db.read().await?;
        skillcert_store::org::list_departments(&mut rd.conn())
            .await?
            .into_iter()
            .find(|d| d.code == "CSC")
            .map(|d| d.id)
            .context("demo department CSC")?
    };
    let url = format!(
        "http://{addr}/employees?department={csc}&status=active&q=%E7%8E%8B&sort=name&dir=asc"
    );
    let cookie = format!("sc_session={}; sc_lang=zh-CN", login.token);
    let (requests, concurrency) = (o.requests, o.concurrency);
    // The load generator runs on its own thread and runtime, like a separate client.
    let client = std::thread::spawn(move || -> Result<(Vec<Duration>, Duration, usize)> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        rt.block_on(async move {
            let http = reqwest::Client::builder()
                .pool_max_idle_per_host(concurrency)
                .build()?;
            // Warm-up.
            for _ in 0..20 {
                http.get(&url)
                    .header("cookie", &cookie)
                    .send()
                    .await?
                    .bytes()
                    .await?;
            }
            let rows = http
                .get(&url)
                .header("cookie", &cookie)
                .send()
                .await?
                .text()
                .await?
                .matches("<tr>")
                .count();
            let start = Instant::now();
            let mut tasks = Vec::new();
            for w in 0..concurrency {
                let (http, url, cookie) = (http.clone(), url.clone(), cookie.clone());
                let n = requests / concurrency + usize::from(w < requests % concurrency);
                tasks.push(tokio::spawn(async move {
                    let mut lat = Vec::with_capacity(n);
                    for _ in 0..n {
                        let t = Instant::now();
                        let r = http.get(&url).header("cookie", &cookie).send().await?;
                        if !r.status().is_success() {
                            bail!("status {}", r.status());
                        }
                        r.bytes().await?;
                        lat.push(t.elapsed());
                    }
                    Ok(lat)
                }));
            }
            let mut all = Vec::with_capacity(requests);
            for t in tasks {
                all.extend(t.await??);
            }
            Ok((all, start.elapsed(), rows))
        })
    });
    let (mut lat, wall, rows) = client
        .join()
        .map_err(|_| anyhow::anyhow!("client panicked"))??;
    lat.sort();
    println!(
        "list page (department subtree + status + name search over {} employees; {} table rows on page 1): {} requests, {} connections",
        o.rows + 240,
        rows.saturating_sub(1),
        lat.len(),
        concurrency
    );
    println!(
        "  p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {:.0} req/s",
        percentile(&lat, 0.50).as_secs_f64() * 1e3,
        percentile(&lat, 0.95).as_secs_f64() * 1e3,
        percentile(&lat, 0.99).as_secs_f64() * 1e3,
        lat.last().map(|d| d.as_secs_f64() * 1e3).unwrap_or(0.0),
        lat.len() as f64 / wall.as_secs_f64()
    );
    let _ = stop_tx.send(());
    let _ = server.await;
    app.db.close().await;
    if o.keep {
        println!("kept the database in {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let ok_import = first < Duration::from_secs(10);
    let ok_list = percentile(&lat, 0.99) < Duration::from_millis(50);
    println!(
        "targets: import < 10 s: {}; list p99 < 50 ms: {}",
        verdict(ok_import),
        verdict(ok_list)
    );
    Ok(())
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}
