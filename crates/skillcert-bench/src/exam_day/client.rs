//! The candidates: thousands of tokio tasks sharing a few reqwest clients, each client capped
//! at a fixed number of requests in flight (so at most that many sockets are open).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Result;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use reqwest::RequestBuilder;
use reqwest::header::AUTHORIZATION;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::{Notify, Semaphore};
use tokio::time::sleep_until;

use super::db::{PASSWORD, username};
use super::stats::Lat;

/// One reqwest client and the slots that bound its requests in flight.
pub struct Group {
    http: reqwest::Client,
    slots: Semaphore,
}

/// Live counters, for the progress lines and the start-burst mark.
#[derive(Default)]
pub struct Progress {
    pub logins: AtomicU64,
    pub candidates: AtomicUsize,
    pub starts_done: AtomicUsize,
    pub starts_ok: AtomicU64,
    pub saves_acked: AtomicU64,
    pub retrying: AtomicU64,
    pub errors: AtomicU64,
    pub submits_ok: AtomicU64,
    pub finished: AtomicUsize,
    pub all_started: Notify,
    samples: Mutex<Vec<String>>,
}

impl Progress {
    pub fn error(&self, what: String) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut s) = self.samples.lock()
            && s.len() < 20
        {
            s.push(what);
        }
    }

    pub fn error_samples(&self) -> Vec<String> {
        self.samples.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

pub struct Ctx {
    pub base: String,
    groups: Vec<Group>,
    pub progress: Progress,
}

impl Ctx {
    /// `connections` slots split over `groups` clients.
    pub fn new(base: String, connections: usize, groups: usize) -> Result<Ctx> {
        let groups = groups.clamp(1, connections.max(1));
        let per = (connections / groups).max(1);
        let mut gs = Vec::with_capacity(groups);
        for _ in 0..groups {
            gs.push(Group {
                http: reqwest::Client::builder()
                    .no_proxy()
                    .pool_max_idle_per_host(per)
                    .pool_idle_timeout(Duration::from_secs(120))
                    .connect_timeout(Duration::from_secs(5))
                    .timeout(Duration::from_secs(60))
                    .tcp_nodelay(true)
                    .build()?,
                slots: Semaphore::new(per),
            });
        }
        Ok(Ctx {
            base,
            groups: gs,
            progress: Progress::default(),
        })
    }

    fn group(&self, i: usize) -> &Group {
        &self.groups[i % self.groups.len()]
    }
}

/// Failures seen on the way to an answer (each one was retried).
#[derive(Debug, Default, Clone, Copy)]
pub struct Counters {
    pub network_errors: u64,
    pub http_5xx: u64,
    pub retries: u64,
}

impl Counters {
    pub fn add(&mut self, o: &Counters) {
        self.network_errors += o.network_errors;
        self.http_5xx += o.http_5xx;
        self.retries += o.retries;
    }
}

enum Outcome {
    /// A 2xx answer.
    Ok(u16, Vec<u8>),
    /// A 4xx answer (final): status and the error `code`.
    Refused(u16, String),
    /// Network errors or 5xx until `give_up_at`; the last one.
    GaveUp(String),
}

/// Sends a request (built anew for every try) until it gets a non-5xx answer, retrying
/// network errors and 5xx with exponential backoff (100 ms doubling to 2 s, jittered) as the
/// exam page does, until `give_up_at`. The latency of every try that got an HTTP answer
/// goes to `lat` (measured once a slot is free: the wait for a slot is not in it).
async fn call(
    ctx: &Ctx,
    g: &Group,
    rng: &mut StdRng,
    lat: &mut Lat,
    cnt: &mut Counters,
    give_up_at: Instant,
    build: impl Fn(&reqwest::Client) -> RequestBuilder,
) -> Outcome {
    let mut backoff = Duration::from_millis(100);
    let mut retrying = false;
    let out = loop {
        let last = {
            let _slot = g.slots.acquire().await.ok();
            let t = Instant::now();
            match build(&g.http).send().await {
                Ok(r) => {
                    let status = r.status().as_u16();
                    match r.bytes().await {
                        Ok(b) => {
                            lat.push(t.elapsed());
                            if (200..300).contains(&status) {
                                break Outcome::Ok(status, b.to_vec());
                            }
                            if status < 500 {
                                let code = serde_json::from_slice::<Value>(&b)
                                    .ok()
                                    .and_then(|v| v.get("code")?.as_str().map(str::to_string))
                                    .unwrap_or_default();
                                break Outcome::Refused(status, code);
                            }
                            cnt.http_5xx += 1;
                            format!("HTTP {status}: {}", String::from_utf8_lossy(&b))
                        }
                        Err(e) => {
                            cnt.network_errors += 1;
                            format!("reading the answer: {e}")
                        }
                    }
                }
                Err(e) => {
                    cnt.network_errors += 1;
                    format!("{e}")
                }
            }
        };
        let pause = backoff.mul_f64(rng.gen_range(0.5..1.0));
        if Instant::now() + pause >= give_up_at {
            break Outcome::GaveUp(last);
        }
        if !retrying {
            retrying = true;
            ctx.progress.retrying.fetch_add(1, Ordering::Relaxed);
        }
        cnt.retries += 1;
        tokio::time::sleep(pause).await;
        backoff = (backoff * 2).min(Duration::from_secs(2));
    };
    if retrying {
        ctx.progress.retrying.fetch_sub(1, Ordering::Relaxed);
    }
    out
}

// ---------- sign-in ----------

pub struct Logins {
    /// Bearer tokens by candidate index; `None` where sign-in failed.
    pub tokens: Vec<Option<String>>,
    pub lat: Lat,
    pub cnt: Counters,
    pub errors: u64,
    pub seconds: f64,
}

#[derive(Deserialize)]
struct LoginReply {
    token: String,
}

/// Signs every candidate in through `POST /api/v1/session`, `concurrency` at a time.
pub async fn login_all(ctx: Arc<Ctx>, n: usize, concurrency: usize) -> Logins {
    let t = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for w in 0..concurrency.max(1) {
        let (ctx, next) = (ctx.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(w as u64);
            let mut lat = Lat::default();
            let mut cnt = Counters::default();
            let mut errors = 0u64;
            let mut got = Vec::new();
            let url = format!("{}/api/v1/session", ctx.base);
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let body = json!({"username": username(i), "password": PASSWORD});
                let give_up = Instant::now() + Duration::from_secs(120);
                let r = call(
                    &ctx,
                    ctx.group(i),
                    &mut rng,
                    &mut lat,
                    &mut cnt,
                    give_up,
                    |h| h.post(&url).json(&body),
                )
                .await;
                let token = match r {
                    Outcome::Ok(_, b) => match serde_json::from_slice::<LoginReply>(&b) {
                        Ok(l) => Some(l.token),
                        Err(e) => {
                            ctx.progress.error(format!("login {i}: bad reply: {e}"));
                            None
                        }
                    },
                    Outcome::Refused(s, code) => {
                        ctx.progress.error(format!("login {i}: HTTP {s} {code}"));
                        None
                    }
                    Outcome::GaveUp(e) => {
                        ctx.progress.error(format!("login {i}: gave up: {e}"));
                        None
                    }
                };
                if token.is_none() {
                    errors += 1;
                }
                ctx.progress.logins.fetch_add(1, Ordering::Relaxed);
                got.push((i, token));
            }
            (got, lat, cnt, errors)
        }));
    }
    let mut out = Logins {
        tokens: vec![None; n],
        lat: Lat::default(),
        cnt: Counters::default(),
        errors: 0,
        seconds: 0.0,
    };
    for h in workers {
        match h.await {
            Ok((got, lat, cnt, errors)) => {
                for (i, t) in got {
                    out.tokens[i] = t;
                }
                out.lat.extend(lat);
                out.cnt.add(&cnt);
                out.errors += errors;
            }
            Err(e) => {
                ctx.progress.error(format!("login worker failed: {e}"));
                out.errors += 1;
            }
        }
    }
    out.seconds = t.elapsed().as_secs_f64();
    out
}

// ---------- the exam ----------

/// The timeline shared by every candidate.
pub struct Plan {
    pub t0: tokio::time::Instant,
    pub session_id: i64,
    pub save_every: Duration,
    pub duration: Duration,
}

#[derive(Deserialize)]
struct OptionLite {
    index: u8,
}

#[derive(Deserialize)]
struct ItemLite {
    position: i32,
    qtype: String,
    options: Vec<OptionLite>,
}

#[derive(Deserialize)]
struct AttemptLite {
    attempt_id: i64,
    items: Vec<ItemLite>,
    last_seq: i64,
    deadline: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
}

#[derive(Deserialize)]
struct AckLite {
    seq: i64,
    duplicate: bool,
}

/// What one candidate saw.
#[derive(Default)]
pub struct CandidateOutcome {
    pub attempt_id: Option<i64>,
    /// Every acknowledged save: `(position, seq)`.
    pub acks: Vec<(i32, i64)>,
    /// The highest acknowledged save per position: `(seq, answer)`.
    pub last: HashMap<i32, (i64, Value)>,
    pub lat_start: Lat,
    pub lat_start_e2e: Lat,
    pub lat_save: Lat,
    pub lat_save_e2e: Lat,
    /// Saves sent after every start had been answered (the steady part of the exam).
    pub lat_save_steady: Lat,
    pub lat_submit: Lat,
    pub cnt: Counters,
    pub errors: u64,
    pub stale_or_reused: u64,
    pub duplicates: u64,
    pub stopped: bool,
    pub resumed: bool,
    pub submitted: bool,
    pub started_ok: bool,
    /// When the start was acknowledged / the submission answered.
    pub started_at: Option<Instant>,
    pub done_at: Option<Instant>,
}

fn answer_for(item: &ItemLite, rng: &mut StdRng, i: usize, seq: i64) -> Value {
    match item.qtype.as_str() {
        "true_false" => json!({"truth": rng.r#gen::<bool>()}),
        "short" => json!({"text": format!(
            "Candidate {i}, draft {seq}: greet the customer, apologise for the wait, \
             explain the next step and when it will happen."
        )}),
        "multiple" => {
            let mut picks: Vec<u8> = item.options.iter().map(|o| o.index).collect();
            picks.shuffle(rng);
            let k = rng.gen_range(1..=picks.len().clamp(1, 3));
            picks.truncate(k);
            picks.sort_unstable();
            json!({"choice": picks})
        }
        _ => {
            let pick: Vec<u8> = item
                .options
                .choose(rng)
                .map(|o| vec![o.index])
                .unwrap_or_default();
            json!({"choice": pick})
        }
    }
}

async fn candidate(ctx: Arc<Ctx>, plan: Arc<Plan>, i: usize, token: String) -> CandidateOutcome {
    let mut o = CandidateOutcome::default();
    run_candidate(&ctx, &plan, i, &token, &mut o).await;
    o.done_at = Some(Instant::now());
    let p = &ctx.progress;
    if !o.started_ok && o.started_at.is_none() {
        // A failed start still counts towards "every start has been answered".
        mark_started(&ctx);
    }
    p.finished.fetch_add(1, Ordering::Relaxed);
    o
}

fn mark_started(ctx: &Ctx) {
    let p = &ctx.progress;
    if p.starts_done.fetch_add(1, Ordering::Relaxed) + 1 == p.candidates.load(Ordering::Relaxed) {
        p.all_started.notify_one();
    }
}

async fn run_candidate(ctx: &Ctx, plan: &Plan, i: usize, token: &str, o: &mut CandidateOutcome) {
    let p = &ctx.progress;
    let mut rng = StdRng::seed_from_u64(0x5eed_0000 + i as u64);
    let g = ctx.group(i);
    let auth = format!("Bearer {token}");
    let exam_end = plan.t0 + plan.duration;
    let start_at = plan.t0 + Duration::from_secs_f64(rng.gen_range(0.0..1.0));
    let submit_at = plan.t0 + plan.duration.mul_f64(0.8 + 0.2 * rng.r#gen::<f64>());
    let mut tick = plan.t0 + plan.save_every.mul_f64(rng.r#gen::<f64>());

    // Start (or resume) the attempt.
    sleep_until(start_at).await;
    let url = format!(
        "{}/api/v1/exam-sessions/{}/attempts",
        ctx.base, plan.session_id
    );
    let r = call(
        ctx,
        g,
        &mut rng,
        &mut o.lat_start,
        &mut o.cnt,
        exam_end.into_std(),
        |h| h.post(&url).header(AUTHORIZATION, &auth),
    )
    .await;
    let view = match r {
        Outcome::Ok(status, b) => match serde_json::from_slice::<AttemptLite>(&b) {
            Ok(v) => {
                o.resumed = status == 200;
                v
            }
            Err(e) => {
                o.errors += 1;
                p.error(format!("start {i}: unexpected reply: {e}"));
                return;
            }
        },
        Outcome::Refused(s, code) => {
            o.errors += 1;
            p.error(format!("start {i}: HTTP {s} {code}"));
            return;
        }
        Outcome::GaveUp(e) => {
            o.errors += 1;
            p.error(format!("start {i}: gave up: {e}"));
            return;
        }
    };
    o.lat_start_e2e.push(start_at.elapsed());
    o.started_ok = true;
    o.started_at = Some(Instant::now());
    o.attempt_id = Some(view.attempt_id);
    p.starts_ok.fetch_add(1, Ordering::Relaxed);
    mark_started(ctx);
    if view.items.is_empty() {
        o.errors += 1;
        p.error(format!("start {i}: the attempt has no items"));
        return;
    }
    // The exam is over for this candidate at its deadline (server clock, same machine).
    let left = (view.deadline - view.now).to_std().unwrap_or_default();
    let deadline = Instant::now() + left;
    let mut seq = view.last_seq;

    // Save an answer every `save_every` until it is time to submit.
    while tick < submit_at {
        sleep_until(tick).await;
        let due = Instant::now();
        let steady = p.starts_done.load(Ordering::Relaxed) >= p.candidates.load(Ordering::Relaxed);
        let before = o.lat_save.0.len();
        let item = &view.items[rng.gen_range(0..view.items.len())];
        seq += 1;
        let answer = answer_for(item, &mut rng, i, seq);
        let body = json!({"seq": seq, "answer": answer});
        let url = format!(
            "{}/api/v1/attempts/{}/answers/{}",
            ctx.base, view.attempt_id, item.position
        );
        let r = call(
            ctx,
            g,
            &mut rng,
            &mut o.lat_save,
            &mut o.cnt,
            deadline,
            |h| h.put(&url).header(AUTHORIZATION, &auth).json(&body),
        )
        .await;
        match r {
            Outcome::Ok(_, b) => match serde_json::from_slice::<AckLite>(&b) {
                Ok(ack) if ack.seq == seq => {
                    if steady {
                        o.lat_save_steady
                            .0
                            .extend_from_slice(&o.lat_save.0[before..]);
                    }
                    o.lat_save_e2e.push(due.elapsed());
                    o.duplicates += u64::from(ack.duplicate);
                    o.acks.push((item.position, seq));
                    o.last.insert(item.position, (seq, answer));
                    p.saves_acked.fetch_add(1, Ordering::Relaxed);
                }
                Ok(ack) => {
                    o.errors += 1;
                    p.error(format!(
                        "save {i}: acknowledged seq {} for seq {seq}",
                        ack.seq
                    ));
                }
                Err(e) => {
                    o.errors += 1;
                    p.error(format!("save {i}: unexpected reply: {e}"));
                }
            },
            Outcome::Refused(409, code)
                if code == "answer-stale" || code == "answer-sequence-reused" =>
            {
                o.stale_or_reused += 1;
            }
            Outcome::Refused(409, code)
                if code == "attempt-expired" || code == "attempt-submitted" =>
            {
                o.stopped = true;
                return;
            }
            Outcome::Refused(s, code) => {
                o.errors += 1;
                p.error(format!("save {i}: HTTP {s} {code}"));
            }
            Outcome::GaveUp(e) => {
                o.errors += 1;
                p.error(format!("save {i}: gave up: {e}"));
            }
        }
        // A save that took longer than the interval does not cause a burst of catch-up saves.
        let now = tokio::time::Instant::now();
        tick += plan.save_every;
        while tick < now {
            tick += plan.save_every;
        }
    }

    // Submit.
    sleep_until(submit_at).await;
    let url = format!("{}/api/v1/attempts/{}/submit", ctx.base, view.attempt_id);
    let r = call(
        ctx,
        g,
        &mut rng,
        &mut o.lat_submit,
        &mut o.cnt,
        deadline,
        |h| h.post(&url).header(AUTHORIZATION, &auth),
    )
    .await;
    match r {
        Outcome::Ok(..) => {
            o.submitted = true;
            p.submits_ok.fetch_add(1, Ordering::Relaxed);
        }
        Outcome::Refused(s, code) => {
            o.errors += 1;
            p.error(format!("submit {i}: HTTP {s} {code}"));
        }
        Outcome::GaveUp(e) => {
            o.errors += 1;
            p.error(format!("submit {i}: gave up: {e}"));
        }
    }
}

/// Spawns one task per signed-in candidate; returns their outcomes when all are done.
pub fn spawn_candidates(
    ctx: &Arc<Ctx>,
    plan: &Arc<Plan>,
    tokens: Vec<Option<String>>,
) -> Vec<tokio::task::JoinHandle<CandidateOutcome>> {
    let n = tokens.iter().filter(|t| t.is_some()).count();
    ctx.progress.candidates.store(n, Ordering::Relaxed);
    tokens
        .into_iter()
        .enumerate()
        .filter_map(|(i, t)| t.map(|t| tokio::spawn(candidate(ctx.clone(), plan.clone(), i, t))))
        .collect()
}
