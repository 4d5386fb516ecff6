//! Exam sessions as the training manager plans them: times, paper, audience, pass line,
//! review policy, marking; publishing freezes the paper and the questions it may draw from.
//! Per-candidate overrides (extra time, extra attempts, reopening) and offline scores.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use skillcert_domain::access::Permission;
use skillcert_domain::exam::attempt::{ReviewPolicy, deadline};
use skillcert_domain::org::{Checker, FieldError, FieldReason};
use skillcert_domain::scheme::Score;
use skillcert_domain::text::{Code, clean};
use skillcert_store::exams::{self as store, Override, SessionFields, SessionRow};
use skillcert_store::{Page, org, papers, questions};

use super::{from_ms, ms};
use crate::audit::{self, Author};
use crate::{Actor, App, AppError, AppResult};

pub const TITLE_MAX: usize = 100;
/// China Standard Time: the zone in which people type session times.
const CST_OFFSET_HOURS: i64 = 8;

/// A session form or API body; every field as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionInput {
    pub code: String,
    pub title: String,
    /// Empty for offline sessions.
    pub paper_id: Option<i64>,
    /// `online` or `offline`.
    pub mode: String,
    /// `YYYY-MM-DD HH:MM` (or with `T`) in China Standard Time, or RFC 3339.
    pub opens_at: String,
    pub closes_at: String,
    pub duration_minutes: String,
    pub attempts_allowed: String,
    /// The pass line in points, e.g. `60`.
    pub pass_mark: String,
    pub review: String,
    pub double_marking: bool,
    /// Points two markers may differ by before a third marks.
    pub divergence: String,
    /// `departments` or `list`.
    pub audience: String,
    pub departments: Vec<i64>,
    /// Employee numbers separated by spaces, commas or new lines.
    pub candidates: String,
}

/// A session with its audience, as pages and the API show it.
#[derive(Debug, Clone, Serialize)]
pub struct SessionView {
    #[serde(flatten)]
    pub row: SessionRow,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub departments: Vec<i64>,
    pub candidates: Vec<String>,
    pub attempts_open: i64,
    pub attempts_submitted: i64,
    pub attempts_graded: i64,
}

/// Parses a time typed by a person (China Standard Time) or an RFC 3339 instant.
pub fn parse_time(raw: &str) -> Option<DateTime<Utc>> {
    let s = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let s = s.replace('T', " ").replace('/', "-");
    let naive = NaiveDateTime::parse_from_str(&s, "%Y-%m-%d %H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(&s, "%Y-%m-%d %H:%M:%S"))
        .ok()?;
    Some(Utc.from_utc_datetime(&(naive - chrono::Duration::hours(CST_OFFSET_HOURS))))
}

/// Formats an instant as people type it (China Standard Time, minutes).
pub fn local_time(t: DateTime<Utc>) -> String {
    (t + chrono::Duration::hours(CST_OFFSET_HOURS))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn int_in(
    ck: &mut Checker,
    field: &'static str,
    raw: &str,
    min: i64,
    max: i64,
    default: Option<i64>,
) -> Option<i32> {
    if raw.trim().is_empty()
        && let Some(d) = default
    {
        return Some(d as i32);
    }
    match raw.trim().parse::<i64>() {
        Ok(v) if (min..=max).contains(&v) => Some(v as i32),
        Ok(_) => {
            ck.push(field, FieldReason::OutOfRange);
            None
        }
        Err(_) => {
            ck.push(field, FieldReason::BadNumber);
            None
        }
    }
}

fn points(ck: &mut Checker, field: &'static str, raw: &str, default: u32) -> Option<i32> {
    if raw.trim().is_empty() {
        return Some(default as i32);
    }
    match Score::parse(raw) {
        Ok(s) => Some(s.hundredths() as i32),
        Err(_) => {
            ck.push(field, FieldReason::BadNumber);
            None
        }
    }
}

impl SessionInput {
    /// Checks every field; `resolve` turns employee numbers into ids (unknown ones are an
    /// error on `candidates`).
    fn validate(&self, candidate_ids: Option<&[i64]>) -> Result<SessionFields, Vec<FieldError>> {
        let mut ck = Checker::default();
        let code = ck.check("code", Code::parse(&self.code));
        let title = ck.check("title", clean(&self.title, TITLE_MAX));
        let mode = match self.mode.trim() {
            "" | "online" => Some("online"),
            "offline" => Some("offline"),
            _ => {
                ck.push("mode", FieldReason::NotAllowed);
                None
            }
        };
        if mode == Some("online") && self.paper_id.is_none() {
            ck.push(
                "paper_id",
                FieldReason::Text(skillcert_domain::text::TextError::Empty),
            );
        }
        let opens = parse_time(&self.opens_at);
        if opens.is_none() {
            ck.push("opens_at", FieldReason::BadDate);
        }
        let closes = parse_time(&self.closes_at);
        match (opens, closes) {
            (_, None) => ck.push("closes_at", FieldReason::BadDate),
            (Some(o), Some(c)) if c <= o => ck.push("closes_at", FieldReason::OutOfRange),
            _ => {}
        }
        let duration = int_in(
            &mut ck,
            "duration_minutes",
            &self.duration_minutes,
            1,
            24 * 60,
            None,
        );
        let attempts = int_in(
            &mut ck,
            "attempts_allowed",
            &self.attempts_allowed,
            1,
            20,
            Some(1),
        );
        let pass_mark = points(&mut ck, "pass_mark", &self.pass_mark, 6000);
        let review = if self.review.trim().is_empty() {
            Some(ReviewPolicy::default())
        } else {
            ReviewPolicy::parse(&self.review)
        };
        if review.is_none() {
            ck.push("review", FieldReason::NotAllowed);
        }
        let divergence = points(&mut ck, "divergence", &self.divergence, 500);
        let audience = match self.audience.trim() {
            "" | "departments" => Some("departments"),
            "list" => Some("list"),
            _ => {
                ck.push("audience", FieldReason::NotAllowed);
                None
            }
        };
        match audience {
            Some("departments") if self.departments.is_empty() => ck.push(
                "departments",
                FieldReason::Text(skillcert_domain::text::TextError::Empty),
            ),
            Some("list") if candidate_ids.is_none_or(|c| c.is_empty()) => ck.push(
                "candidates",
                FieldReason::Text(skillcert_domain::text::TextError::Empty),
            ),
            _ => {}
        }
        let value = match (
            code, title, mode, opens, closes, duration, attempts, pass_mark, review, divergence,
            audience,
        ) {
            (
                Some(code),
                Some(title),
                Some(mode),
                Some(o),
                Some(c),
                Some(d),
                Some(a),
                Some(p),
                Some(r),
                Some(dv),
                Some(au),
            ) => Some(SessionFields {
                code: code.to_string(),
                title,
                paper_id: if mode == "online" {
                    self.paper_id
                } else {
                    None
                },
                mode: mode.to_string(),
                opens_at_ms: ms(o),
                closes_at_ms: ms(c),
                duration_minutes: d,
                attempts_allowed: a,
                pass_mark: p,
                review: r.key().to_string(),
                double_marking: self.double_marking,
                divergence: dv,
                audience: au.to_string(),
            }),
            _ => None,
        };
        ck.finish(value)
    }

    /// The form for an existing session.
    pub fn from_view(v: &SessionView) -> SessionInput {
        SessionInput {
            code: v.row.code.clone(),
            title: v.row.title.clone(),
            paper_id: v.row.paper_id,
            mode: v.row.mode.clone(),
            opens_at: local_time(v.opens_at),
            closes_at: local_time(v.closes_at),
            duration_minutes: v.row.duration_minutes.to_string(),
            attempts_allowed: v.row.attempts_allowed.to_string(),
            pass_mark: skillcert_domain::scheme::Score::from_hundredths(
                v.row.pass_mark.max(0) as u32
            )
            .map(|s| s.to_string())
            .unwrap_or_default(),
            review: v.row.review.clone(),
            double_marking: v.row.double_marking,
            divergence: skillcert_domain::scheme::Score::from_hundredths(
                v.row.divergence.max(0) as u32
            )
            .map(|s| s.to_string())
            .unwrap_or_default(),
            audience: v.row.audience.clone(),
            departments: v.departments.clone(),
            candidates: v.candidates.join("\n"),
        }
    }
}

/// Resolves employee numbers; unknown numbers are a `candidates` error.
async fn resolve_candidates(c: &mut skillcert_store::Conn<'_>, raw: &str) -> AppResult<Vec<i64>> {
    let mut ids = Vec::new();
    for no in raw
        .split(|ch: char| ch.is_whitespace() || ch == ',' || ch == '，' || ch == ';')
        .filter(|s| !s.is_empty())
    {
        match org::find_employee_by_no(c, no).await? {
            Some(e) => {
                if !ids.contains(&e.id) {
                    ids.push(e.id)
                }
            }
            None => return Err(AppError::field("candidates", FieldReason::NotFound)),
        }
    }
    Ok(ids)
}

async fn load_view(c: &mut skillcert_store::Conn<'_>, row: SessionRow) -> AppResult<SessionView> {
    let departments = store::departments(c, row.id).await?;
    let mut candidates = Vec::new();
    for id in store::candidates(c, row.id).await? {
        candidates.push(org::get_employee(c, id).await?.employee_no);
    }
    let (o, s, g) = store::attempt_counts(c, row.id).await?;
    Ok(SessionView {
        opens_at: from_ms(row.opens_at_ms),
        closes_at: from_ms(row.closes_at_ms),
        row,
        departments,
        candidates,
        attempts_open: o,
        attempts_submitted: s,
        attempts_graded: g,
    })
}

pub async fn list(
    app: &App,
    actor: &Actor,
    status: Option<&str>,
    page: i64,
    per_page: i64,
) -> AppResult<Page<SessionRow>> {
    actor.require(Permission::ExamResults)?;
    let mut r = app.db.read().await?;
    Ok(store::list_sessions(&mut r.conn(), status, page, per_page).await?)
}

pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<SessionView> {
    actor.require(Permission::ExamResults)?;
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let row = store::get_session(c, id).await?;
    load_view(c, row).await
}

async fn check_refs(
    c: &mut skillcert_store::Conn<'_>,
    f: &SessionFields,
    departments: &[i64],
) -> AppResult<()> {
    if let Some(p) = f.paper_id {
        match papers::get(c, p).await {
            Ok(_) => {}
            Err(skillcert_store::StoreError::NotFound) => {
                return Err(AppError::field("paper_id", FieldReason::NotFound));
            }
            Err(e) => return Err(e.into()),
        }
    }
    for d in departments {
        match org::get_department(c, *d).await {
            Ok(_) => {}
            Err(skillcert_store::StoreError::NotFound) => {
                return Err(AppError::field("departments", FieldReason::NotFound));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Creates a draft session.
pub async fn create(app: &App, actor: &Actor, input: &SessionInput) -> AppResult<SessionView> {
    actor.require(Permission::ExamManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let cands = resolve_candidates(c, &input.candidates).await?;
    let f = input.validate(Some(&cands)).map_err(AppError::Validation)?;
    check_refs(c, &f, &input.departments).await?;
    let row = store::insert_session(c, &f, app.now())
        .await
        .map_err(crate::error::on_conflict("code"))?;
    let ds = if f.audience == "departments" {
        input.departments.clone()
    } else {
        Vec::new()
    };
    let cs = if f.audience == "list" {
        cands
    } else {
        Vec::new()
    };
    store::set_departments(c, row.id, &ds).await?;
    store::set_candidates(c, row.id, &cs).await?;
    let view = load_view(c, row).await?;
    audit::created(
        app,
        c,
        &Author::from(actor),
        "exam_session",
        view.row.id,
        &view,
    )
    .await?;
    tx.commit().await?;
    Ok(view)
}

/// Changes a draft session.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &SessionInput,
) -> AppResult<SessionView> {
    actor.require(Permission::ExamManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let row = store::get_session(c, id).await?;
    let before = load_view(c, row).await?;
    if before.row.status != "draft" {
        return Err(AppError::Conflict("session-not-draft"));
    }
    let cands = resolve_candidates(c, &input.candidates).await?;
    let f = input.validate(Some(&cands)).map_err(AppError::Validation)?;
    check_refs(c, &f, &input.departments).await?;
    let row = store::update_session(c, id, &f, app.now())
        .await
        .map_err(crate::error::on_conflict("code"))?;
    let ds = if f.audience == "departments" {
        input.departments.clone()
    } else {
        Vec::new()
    };
    let cs = if f.audience == "list" {
        cands
    } else {
        Vec::new()
    };
    store::set_departments(c, id, &ds).await?;
    store::set_candidates(c, id, &cs).await?;
    let after = load_view(c, row).await?;
    audit::updated(
        app,
        c,
        &Author::from(actor),
        "exam_session",
        id,
        &before,
        &after,
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Publishes a draft: the paper is checked against the bank as it is now, and both are
/// frozen into the session so later edits of the bank do not change this exam.
pub async fn publish(app: &App, actor: &Actor, id: i64) -> AppResult<SessionView> {
    actor.require(Permission::ExamManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let s = store::get_session(c, id).await?;
    if s.status != "draft" {
        return Err(AppError::Conflict("session-not-draft"));
    }
    let (spec, pool) = match s.paper_id {
        Some(pid) => {
            let paper = papers::get(c, pid).await?;
            let pool = questions::pool(c).await?;
            if let Err(errors) = paper.spec.check(&pool) {
                // The first problem names the rule; the paper's page lists them all.
                let code = errors.first().map_or("paper-empty", |e| e.code());
                return Err(AppError::Unprocessable(code));
            }
            // Only the questions this paper can draw are frozen with it.
            let used: Vec<_> = pool
                .into_iter()
                .filter(|q| paper_may_use(&paper.spec, q))
                .collect();
            (Some(to_json(&paper.spec)?), Some(to_json(&used)?))
        }
        None => (None, None),
    };
    store::set_session_status(
        c,
        id,
        "published",
        spec.as_deref(),
        pool.as_deref(),
        app.now(),
    )
    .await?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "exam_session.publish",
        "exam_session",
        id,
        None::<&()>,
        Some(&serde_json::json!({ "paper_id": s.paper_id })),
    )
    .await?;
    let row = store::get_session(c, id).await?;
    let view = load_view(c, row).await?;
    tx.commit().await?;
    Ok(view)
}

fn paper_may_use(
    spec: &skillcert_domain::exam::paper::PaperSpec,
    q: &skillcert_domain::exam::paper::PoolQuestion,
) -> bool {
    use skillcert_domain::exam::paper::Part;
    spec.parts.iter().any(|p| match p {
        Part::Fixed { question_id, .. } => *question_id == q.question_id,
        Part::Rule {
            qtype,
            tag,
            difficulty,
            ..
        } => {
            q.qtype == *qtype
                && tag.as_ref().is_none_or(|t| q.tags.contains(t))
                && difficulty.is_none_or(|d| q.difficulty == d)
        }
    })
}

fn to_json<T: Serialize>(v: &T) -> AppResult<String> {
    serde_json::to_string(v).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))
}

/// Returns a published session without attempts to draft (to fix it), or cancels one.
pub async fn set_status(app: &App, actor: &Actor, id: i64, status: &str) -> AppResult<SessionView> {
    actor.require(Permission::ExamManage)?;
    if !matches!(status, "draft" | "cancelled") {
        return Err(AppError::field("status", FieldReason::NotAllowed));
    }
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let s = store::get_session(c, id).await?;
    let (open, submitted, graded) = store::attempt_counts(c, id).await?;
    if status == "draft" && open + submitted + graded > 0 {
        return Err(AppError::Conflict("session-has-attempts"));
    }
    if status == "cancelled" && open > 0 {
        return Err(AppError::Conflict("attempt-open"));
    }
    store::set_session_status(c, id, status, None, None, app.now()).await?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        &format!("exam_session.{status}"),
        "exam_session",
        id,
        Some(&serde_json::json!({ "status": s.status })),
        Some(&serde_json::json!({ "status": status })),
    )
    .await?;
    let row = store::get_session(c, id).await?;
    let view = load_view(c, row).await?;
    tx.commit().await?;
    Ok(view)
}

/// A candidate's override as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OverrideInput {
    pub employee_no: String,
    pub extra_minutes: i32,
    pub extra_attempts: i32,
}

/// Grants extra time and/or extra attempts to one candidate; an open attempt's deadline
/// moves with the extra time. Audited with before and after.
pub async fn set_override(
    app: &App,
    actor: &Actor,
    session_id: i64,
    input: &OverrideInput,
) -> AppResult<Override> {
    actor.require(Permission::ExamManage)?;
    let mut ck = Checker::default();
    if !(0..=600).contains(&input.extra_minutes) {
        ck.push("extra_minutes", FieldReason::OutOfRange);
    }
    if !(0..=10).contains(&input.extra_attempts) {
        ck.push("extra_attempts", FieldReason::OutOfRange);
    }
    if !ck.errors.is_empty() {
        return Err(AppError::Validation(ck.errors));
    }
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let s = store::get_session(c, session_id).await?;
    if s.status == "cancelled" {
        return Err(AppError::Conflict("session-not-published"));
    }
    let e = org::find_employee_by_no(c, input.employee_no.trim())
        .await?
        .ok_or_else(|| AppError::field("employee_no", FieldReason::NotFound))?;
    actor.require_in(Permission::ExamManage, e.department_id)?;
    let before = store::get_override(c, session_id, e.id).await?;
    let after = Override {
        extra_minutes: input.extra_minutes,
        extra_attempts: input.extra_attempts,
    };
    store::put_override(c, session_id, e.id, after).await?;
    if let Some(open) = store::open_attempt(c, session_id, e.id).await? {
        let a = store::get_attempt(c, open).await?;
        let dl = deadline(
            from_ms(a.started_at_ms),
            s.duration_minutes.max(0) as u32,
            after.extra_minutes.max(0) as u32,
            from_ms(s.closes_at_ms),
        );
        store::set_deadline(c, open, ms(dl)).await?;
    }
    audit::record(
        app,
        c,
        &Author::from(actor),
        "exam_override.set",
        "exam_session",
        format!("{session_id}/{}", e.employee_no),
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Reopens a closed attempt for `minutes` from now (e.g. after a power cut), discarding its
/// grading; the answers saved so far stay. Audited.
pub async fn reopen(app: &App, actor: &Actor, attempt_id: i64, minutes: i32) -> AppResult<()> {
    actor.require(Permission::ExamManage)?;
    if !(1..=600).contains(&minutes) {
        return Err(AppError::field("minutes", FieldReason::OutOfRange));
    }
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let a = store::get_attempt(c, attempt_id).await?;
    let e = org::get_employee(c, a.employee_id).await?;
    actor.require_in(Permission::ExamManage, e.department_id)?;
    if store::get_session(c, a.session_id).await?.status != "published" {
        return Err(AppError::Conflict("session-not-published"));
    }
    if a.closed_by.as_deref() == Some("offline") {
        return Err(AppError::Conflict("session-offline"));
    }
    if a.status == "open" {
        return Err(AppError::Conflict("attempt-not-closed"));
    }
    if store::open_attempt(c, a.session_id, a.employee_id)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict("attempt-open"));
    }
    let dl = app.now() + chrono::Duration::minutes(i64::from(minutes));
    store::reopen_attempt(c, attempt_id, ms(dl)).await?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "exam_attempt.reopen",
        "exam_attempt",
        attempt_id,
        Some(&serde_json::json!({ "status": a.status, "score": a.score })),
        Some(&serde_json::json!({ "status": "open", "deadline": dl })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One offline score as typed or imported.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflineScore {
    pub employee_no: String,
    pub score: String,
}

/// Whether `e` belongs to the session's audience (a listed candidate, or in one of its
/// departments' subtrees).
async fn in_audience(
    c: &mut skillcert_store::Conn<'_>,
    actor: &Actor,
    s: &SessionRow,
    e: &org::Employee,
) -> AppResult<bool> {
    Ok(if s.audience == "list" {
        store::is_listed(c, s.id, e.id).await?
    } else {
        let roots = store::departments(c, s.id).await?;
        skillcert_domain::org::subtree(&roots, &actor.tree).contains(&e.department_id)
    })
}

/// Records paper-exam scores of an offline session (all rows checked first; any bad row
/// and nothing is written). A candidate's earlier offline score is replaced.
pub async fn record_offline(
    app: &App,
    actor: &Actor,
    session_id: i64,
    rows: &[OfflineScore],
) -> AppResult<usize> {
    actor.require(Permission::ExamManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let s = store::get_session(c, session_id).await?;
    if s.mode != "offline" {
        return Err(AppError::Conflict("session-not-offline"));
    }
    if s.status != "published" {
        return Err(AppError::Conflict("session-not-published"));
    }
    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    for r in rows {
        let e = org::find_employee_by_no(c, r.employee_no.trim()).await?;
        let score = Score::parse(&r.score).ok();
        match (e, score) {
            (Some(e), Some(sc)) => parsed.push((e, sc)),
            (None, _) => errors.push(FieldError::new("employee_no", FieldReason::NotFound)),
            (_, None) => errors.push(FieldError::new("score", FieldReason::BadNumber)),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let now = ms(app.now());
    for (e, sc) in &parsed {
        actor.require_in(Permission::ExamManage, e.department_id)?;
        if !in_audience(c, actor, &s, e).await? {
            return Err(AppError::Conflict("not-a-candidate"));
        }
        let score = sc.hundredths() as i32;
        let passed = score >= s.pass_mark;
        let (id, before) = match store::offline_attempt(c, session_id, e.id).await? {
            // A corrected paper score replaces the earlier one (both are in the audit log).
            Some(id) => (id, store::get_attempt(c, id).await?.score),
            None => {
                let existing = store::attempt_numbers(c, session_id, e.id).await?;
                let number = existing.iter().map(|a| a.2).max().unwrap_or(0) + 1;
                let id = store::insert_attempt(
                    c,
                    &store::NewAttempt {
                        session_id,
                        employee_id: e.id,
                        number,
                        seed: 0,
                        paper: "[]",
                        status: "submitted",
                        started_at_ms: now,
                        deadline_ms: now,
                        // Paper exams are scored out of 100 like online ones.
                        max_score: 10_000,
                    },
                )
                .await?
                .ok_or(AppError::Conflict("conflict"))?;
                store::close_offline(c, id, now).await?;
                (id, None)
            }
        };
        store::set_result(c, id, Some(score), Some(passed)).await?;
        audit::record(
            app,
            c,
            &Author::from(actor),
            "exam_attempt.offline_score",
            "exam_attempt",
            id,
            before.map(|b| serde_json::json!({ "score": b })).as_ref(),
            Some(&serde_json::json!({ "employee_no": e.employee_no, "score": sc })),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(parsed.len())
}
