//! `skillcert-bench certificates [--candidates 1000]`: a certification round at the scale of
//! a large company — applications filed and approved, three scores typed in per candidate,
//! review, publication and closing (which numbers and signs every certificate in one
//! transaction) — then the reads that follow: the public verification page's lookup, the
//! signed credential, the status lists, the certificate register and the evaluation report.
//! In process, on the embedded SQLite.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};
use skillcert_app::auth::{self, SessionKind};
use skillcert_app::certification::applications::{self, ApplicationInput};
use skillcert_app::certification::rounds::{self, RoundInput};
use skillcert_app::certification::{certificates, report, results};
use skillcert_app::{Actor, App, AppConfig, FixedClock, demo};
use skillcert_store::certification::CertificateQuery;
use skillcert_store::{Db, DbOptions};

fn arg(args: &[String], name: &str, default: usize) -> Result<usize> {
    match args.iter().position(|a| a == name) {
        Some(i) => args
            .get(i + 1)
            .ok_or_else(|| anyhow!("{name} needs a value"))?
            .parse()
            .map_err(|e| anyhow!("{name}: {e}")),
        None => Ok(default),
    }
}

async fn actor(app: &App, username: &str) -> Result<Actor> {
    let login = auth::login(app, username, demo::DEMO_PASSWORD, SessionKind::Api)
        .await
        .map_err(|e| anyhow!("login {username}: {e}"))?;
    auth::authenticate(app, &login.token)
        .await
        .map_err(|e| anyhow!("{e}"))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

pub fn run(args: &[String]) -> Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run_async(args))
}

async fn run_async(args: &[String]) -> Result<()> {
    let wanted = arg(args, "--candidates", 1000)?;
    let dir = std::env::temp_dir().join(format!("skillcert-bench-cert-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let db = Db::connect(
        &dir.join("bench.db").to_string_lossy(),
        &DbOptions::default(),
    )
    .await?;
    db.migrate().await?;
    let clock = Arc::new(FixedClock::new(chrono::Utc::now()));
    let app = App::new(db, clock.clone(), AppConfig::default());
    demo::load(&app, 1).await.map_err(|e| anyhow!("{e}"))?;
    let manager = actor(&app, "manager").await?;
    println!(
        "machine: {} cores; SQLite (WAL, synchronous=FULL) in {}",
        std::thread::available_parallelism()?.get(),
        dir.display()
    );

    let scheme = skillcert_domain::scheme::presets::get("s1-certification")
        .ok_or_else(|| anyhow!("no preset"))?;
    let mut input = RoundInput::defaults(&app, &scheme);
    input.code = "BENCH-CERT".into();
    input.title = "bench".into();
    input.new_hires_basic_only = Some(false);
    input.requires = String::new();
    let round = rounds::create(&app, &manager, &input)
        .await
        .map_err(|e| anyhow!("round: {e:?}"))?;
    // The demo has some 240 employees; a larger round gets generated staff, imported the
    // way a user imports a list.
    let demo_size = {
        let mut r = app.db.read().await?;
        skillcert_store::org::all_employees(&mut r.conn())
            .await?
            .iter()
            .filter(|e| e.status != "left")
            .count()
    };
    if wanted > demo_size {
        let admin = actor(&app, "admin").await?;
        // One generated row in seven has left the company.
        let file = crate::import_list::csv((wanted - demo_size) * 7 / 6 + 7);
        skillcert_app::import::import_employees(&app, &admin, "bench.csv", &file, false)
            .await
            .map_err(|e| anyhow!("import: {e:?}"))?;
    }
    let employees: Vec<(i64, String)> = {
        let mut r = app.db.read().await?;
        skillcert_store::org::all_employees(&mut r.conn())
            .await?
            .into_iter()
            .filter(|e| e.status != "left")
            .map(|e| (e.id, e.employee_no))
            .take(wanted)
            .collect()
    };

    let mut times = Vec::with_capacity(employees.len());
    let t = Instant::now();
    for (i, (_, no)) in employees.iter().enumerate() {
        let one = Instant::now();
        let level = ["junior", "intermediate", "senior"][i % 3];
        let id = applications::apply_for(
            &app,
            &manager,
            no,
            round.id,
            &ApplicationInput {
                level: level.into(),
                ..ApplicationInput::default()
            },
            &[],
        )
        .await
        .map_err(|e| anyhow!("apply {no}: {e:?}"))?;
        applications::decide(&app, &manager, id, true, "")
            .await
            .map_err(|e| anyhow!("{e:?}"))?;
        times.push(one.elapsed());
    }
    let total = t.elapsed();
    times.sort();
    println!(
        "applications: {} filed and approved in {:.2} s; p50 {:.1} ms, p99 {:.1} ms (two transactions each)",
        times.len(),
        total.as_secs_f64(),
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99))
    );

    let t = Instant::now();
    for (i, (id, _)) in employees.iter().enumerate() {
        for (k, base) in [("theory", 55u32), ("practical", 58), ("daily", 62)] {
            let score = base + ((i as u32 * 7 + base) % 39);
            results::enter_score(&app, &manager, round.id, *id, k, &score.to_string())
                .await
                .map_err(|e| anyhow!("{e:?}"))?;
        }
    }
    println!(
        "scores: {} typed in, {:.2} s",
        employees.len() * 3,
        t.elapsed().as_secs_f64()
    );

    let mut ts = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let live = results::results(&app, &manager, round.id)
            .await
            .map_err(|e| anyhow!("{e}"))?;
        ts.push(t.elapsed());
        assert_eq!(live.rows.len(), employees.len());
    }
    ts.sort();
    println!(
        "live results (computed for {} candidates): median {:.0} ms",
        employees.len(),
        ms(percentile(&ts, 0.5))
    );
    let t = Instant::now();
    let frozen = results::review(&app, &manager, round.id)
        .await
        .map_err(|e| anyhow!("{e:?}"))?;
    println!(
        "review (freeze {frozen} results): {:.0} ms",
        ms(t.elapsed())
    );
    let t = Instant::now();
    results::publish(&app, &manager, round.id)
        .await
        .map_err(|e| anyhow!("{e:?}"))?;
    println!(
        "publish (consequences of failures, inbox messages): {:.0} ms",
        ms(t.elapsed())
    );
    clock.advance(chrono::Duration::days(8));
    let t = Instant::now();
    let issued = results::close_by(&app, &manager, round.id)
        .await
        .map_err(|e| anyhow!("{e:?}"))?;
    let took = t.elapsed();
    println!(
        "close: {issued} certificates numbered, signed (Ed25519, eddsa-jcs-2022) and stored in one transaction: {:.0} ms ({:.0}/s)",
        ms(took),
        issued as f64 / took.as_secs_f64()
    );

    let all = certificates::list_all(
        &app,
        CertificateQuery {
            per_page: 0,
            ..CertificateQuery::default()
        },
    )
    .await
    .map_err(|e| anyhow!("{e}"))?;
    let numbers: Vec<String> = all.items.iter().map(|c| c.row.number.clone()).collect();
    let mut ts = Vec::with_capacity(numbers.len());
    for n in &numbers {
        let t = Instant::now();
        certificates::verify(&app, n)
            .await
            .map_err(|e| anyhow!("{e}"))?;
        ts.push(t.elapsed());
    }
    ts.sort();
    println!(
        "verification lookup ({} certificates): p50 {:.2} ms, p99 {:.2} ms",
        numbers.len(),
        ms(percentile(&ts, 0.5)),
        ms(percentile(&ts, 0.99))
    );
    let t = Instant::now();
    for n in numbers.iter().take(200) {
        let cred = certificates::credential(&app, n)
            .await
            .map_err(|e| anyhow!("{e}"))?;
        skillcert_credential::proof::verify_proof(&cred).map_err(|e| anyhow!("{e}"))?;
    }
    println!(
        "credential fetched and its proof verified: {:.2} ms each (200)",
        ms(t.elapsed()) / 200.0
    );
    for purpose in ["revocation", "suspension"] {
        let t = Instant::now();
        certificates::status_list(&app, purpose, None)
            .await
            .map_err(|e| anyhow!("{e}"))?;
        println!(
            "status list {purpose} (131,072 bits, gzip, signed): {:.1} ms",
            ms(t.elapsed())
        );
    }
    let t = Instant::now();
    let page = certificates::list(
        &app,
        &manager,
        CertificateQuery {
            status: Some("valid".into()),
            page: 1,
            per_page: 50,
            ..CertificateQuery::default()
        },
    )
    .await
    .map_err(|e| anyhow!("{e}"))?;
    println!(
        "register page, filter valid ({} match): {:.0} ms",
        page.total,
        ms(t.elapsed())
    );
    let t = Instant::now();
    report::evaluation_report(&app, &manager, round.id)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    println!(
        "evaluation report ({} candidates): {:.0} ms",
        employees.len(),
        ms(t.elapsed())
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
