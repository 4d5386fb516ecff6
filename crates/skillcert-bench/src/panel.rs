//! `skillcert-bench panel [--candidates 200]`: a practical assessment at the scale of a
//! large company day — every demo employee who is not a judge assessed by a panel drawn per
//! candidate (7 judges, 3 : 4), every judge submitting every sheet through the service — and
//! the time of the draw, of each submission, of the results page's computation and of the
//! judge analytics, on the embedded SQLite.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};
use skillcert_app::auth::{self, SessionKind};
use skillcert_app::practical::{analytics, draw, events, results, sheets};
use skillcert_app::{Actor, App, AppConfig, SystemClock, demo};
use skillcert_domain::practical::rubric::{ItemMark, SheetMarks};
use skillcert_store::practical as store;
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

pub fn run(args: &[String]) -> Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run_async(args))
}

async fn run_async(args: &[String]) -> Result<()> {
    let wanted = arg(args, "--candidates", 200)?;
    let dir = std::env::temp_dir().join(format!("skillcert-bench-panel-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let db = Db::connect(
        &dir.join("bench.db").to_string_lossy(),
        &DbOptions::default(),
    )
    .await?;
    db.migrate().await?;
    let app = App::new(db, Arc::new(SystemClock), AppConfig::default());
    demo::load(&app, 1).await.map_err(|e| anyhow!("{e}"))?;
    let manager = actor(&app, "manager").await?;
    println!(
        "machine: {} cores; SQLite (WAL, synchronous=FULL) in {}",
        std::thread::available_parallelism()?.get(),
        dir.display()
    );

    // The demo's event of today gives the pools; everyone else is a candidate.
    let list = events::list(
        &app,
        &manager,
        &store::EventQuery {
            search: Some("S4-ONSITE-Q4".into()),
            per_page: 1,
            ..Default::default()
        },
    )
    .await
    .map_err(|e| anyhow!("{e}"))?;
    let q4 = list.items.first().ok_or_else(|| anyhow!("no demo event"))?;
    let q4 = events::get(&app, &manager, q4.id)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let judges: Vec<(i64, String)> = q4
        .pools
        .iter()
        .map(|m| (m.employee_id, m.employee_no.clone()))
        .collect();
    let mut candidates = Vec::new();
    {
        let mut r = app.db.read().await?;
        for e in skillcert_store::org::all_employees(&mut r.conn()).await? {
            if e.status != "left" && !judges.iter().any(|(id, _)| *id == e.id) {
                candidates.push(e.employee_no);
            }
            if candidates.len() == wanted {
                break;
            }
        }
    }
    let mut input = events::input_of(&q4);
    input.code = "BENCH-PANEL".into();
    input.scope = "subject".into();
    input.exclude_same_unit = Some(false);
    let event = events::create(&app, &manager, &input)
        .await
        .map_err(|e| anyhow!("create: {e:?}"))?;
    let id = event.row.id;
    events::set_subjects(
        &app,
        &manager,
        id,
        &events::SubjectsInput {
            candidates: candidates.join(" "),
            recordings: String::new(),
        },
    )
    .await
    .map_err(|e| anyhow!("subjects: {e:?}"))?;
    draw::publish_seed(&app, &manager, id)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let t = Instant::now();
    let view = draw::run(&app, &manager, id, "")
        .await
        .map_err(|e| anyhow!("draw: {e:?}"))?;
    println!(
        "draw: {} candidates × 7 judges, one panel per candidate: {:.0} ms",
        view.subjects.len(),
        t.elapsed().as_secs_f64() * 1e3
    );

    // Every seated judge submits every sheet through the service.
    let rubric = skillcert_domain::practical::rubric::Rubric::parse_toml(
        skillcert_domain::practical::rubric::preset("s4-call-scoring")
            .ok_or_else(|| anyhow!("no preset"))?,
    )
    .map_err(|e| anyhow!("{e}"))?;
    let mut marks = SheetMarks::default();
    for (i, item) in rubric.items().enumerate() {
        let values = item.allowed_values();
        let v = values[values.len().saturating_sub(1 + i % 2)];
        marks.items.insert(item.key.clone(), ItemMark::Points(v));
    }
    let mut actors = std::collections::BTreeMap::new();
    for (employee, no) in &judges {
        // Pool members sign in with their employee number, the demo judge as `judge`.
        let username = {
            let mut r = app.db.read().await?;
            let c = &mut r.conn();
            match store::user_of_employee(c, *employee).await? {
                Some(u) => skillcert_store::users::get_user(c, u).await?.username,
                None => no.to_lowercase(),
            }
        };
        actors.insert(*employee, actor(&app, &username).await?);
    }
    let mut times = Vec::with_capacity(view.seats.len());
    let t = Instant::now();
    for seat in &view.seats {
        let judge = actors
            .get(&seat.judge_id)
            .ok_or_else(|| anyhow!("judge {}", seat.judge_id))?;
        let one = Instant::now();
        sheets::save(&app, judge, seat.subject_id, &marks, true)
            .await
            .map_err(|e| anyhow!("submit: {e:?}"))?;
        times.push(one.elapsed());
    }
    let total = t.elapsed();
    times.sort();
    println!(
        "sheets: {} submitted one after another in {:.2} s ({:.0}/s); p50 {:.1} ms, p99 {:.1} ms",
        times.len(),
        total.as_secs_f64(),
        times.len() as f64 / total.as_secs_f64(),
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3
    );

    for (label, runs) in [("results", 5usize), ("analytics", 5)] {
        let mut ts = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            match label {
                "results" => {
                    let r = results::results(&app, &manager, id)
                        .await
                        .map_err(|e| anyhow!("{e}"))?;
                    assert!(r.rows.iter().all(|row| row.combined.score.is_some()));
                }
                _ => {
                    analytics::event(&app, &manager, id)
                        .await
                        .map_err(|e| anyhow!("{e}"))?;
                }
            }
            ts.push(t.elapsed());
        }
        ts.sort();
        println!(
            "{label}: {} candidates, median of {runs}: {:.0} ms",
            view.subjects.len(),
            percentile(&ts, 0.5).as_secs_f64() * 1e3
        );
    }
    let today = app.today();
    let t = Instant::now();
    let trends = analytics::over_time(&app, &manager, today - chrono::Duration::days(365), today)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    println!(
        "judges over the last year: {} events, {} judges: {:.0} ms",
        trends.events,
        trends.judges.len(),
        t.elapsed().as_secs_f64() * 1e3
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
