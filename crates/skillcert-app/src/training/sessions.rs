//! Training sessions: enrolment by department, position or person within capacity, inbox notices, the calendar and an .ics export.
//!
//! A session is one per-topic plan put on the calendar (or a session on its own). Times are
//! typed in China time and stored in UTC. Enrolment never exceeds the capacity: the store's
//! conditional insert holds under concurrent enrolments, and a request that would not fit
//! as a whole, or that names someone already enrolled, is refused with nothing changed.
//! Everyone enrolled hears about it in the inbox with time, place and materials, and again
//! when the session changes or is cancelled.

use std::collections::HashSet;
use std::fmt::Write as _;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use rand::RngCore;
use serde::{Deserialize, Deserializer, Serialize};
use skillcert_domain::access::{Permission, Scope};
use skillcert_domain::org::{FieldError, FieldReason};
use skillcert_domain::text::{clean, clean_optional};
use skillcert_domain::training::attendance::{SessionSecret, SessionWindow};
use skillcert_store::training::{
    self as store, EnrolledRow, SessionFields, SessionQuery, SessionRow, SessionSummary,
};
use skillcert_store::training_more::sessions::{MySessionRow, sessions_of_employee_detailed};
use skillcert_store::{Conn, Page};

use crate::audit::{self, Author};
use crate::certification::inbox::notify_employee;
use crate::error::on_conflict;
use crate::{Actor, App, AppError, AppResult, Problem};

/// Refusal codes of this area; each has a locale key `problem-<code>`.
pub const ERROR_CODES: &[&str] = &[
    "session-level-unknown",
    "session-plan-unknown",
    "session-plan-archived",
    "session-lecturer-unknown",
    "session-lecturer-missing",
    "session-capacity-range",
    "session-minutes-range",
    "session-cancelled",
    "session-capacity-below-enrolled",
    "enrol-nobody",
    "enrol-unknown-employee",
    "enrol-employee-left",
    "enrol-twice",
    "enrol-over-capacity",
    "enrol-session-over",
    "enrol-not-enrolled",
    "enrol-has-mark",
    "calendar-month",
    "attendance-window-order",
    "attendance-open-lead-range",
    "attendance-late-after-range",
];

/// Inbox message kinds of this area; each is a locale key taking the params named in its text.
pub const INBOX_KINDS: &[&str] = &[
    "inbox-training-enrolled",
    "inbox-training-changed",
    "inbox-training-cancelled",
];

/// Session levels as stored.
pub const LEVELS: [&str; 3] = ["basic", "advanced", "other"];
pub const TOPIC_MAX: usize = 100;
pub const TEXT_MAX: usize = 2000;
pub const LINE_MAX: usize = 200;
pub const CAPACITY_MAX: i32 = 10_000;
/// A session credits at most a working day and a half; longer is a typing mistake.
pub const MINUTES_MAX: i32 = 720;

/// China Standard Time, in which people type and read times.
pub const CST: Duration = Duration::hours(8);

fn rejected(field: impl Into<String>, code: &'static str) -> AppError {
    AppError::Rejected(vec![Problem::new(field, code)])
}

/// Accepts a JSON string or number as text (forms send text, API clients numbers).
pub fn lenient_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => s,
        serde_json::Value::Null => String::new(),
        serde_json::Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    })
}

/// Accepts an id as a number, a numeric string or blank (an empty select).
pub fn lenient_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// Accepts `true`, `"on"`, `"true"`, `"1"` as yes (a ticked checkbox).
pub fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Bool(b) => b,
        serde_json::Value::String(s) => matches!(s.trim(), "on" | "true" | "1" | "yes"),
        serde_json::Value::Number(n) => n.as_i64() == Some(1),
        _ => false,
    })
}

/// A time typed in China time (`2026-11-23T09:00`, `2026-11-23 09:00`), or RFC 3339 with
/// its own offset.
pub fn parse_local(raw: &str) -> Option<DateTime<Utc>> {
    let s = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for f in [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, f) {
            return Some(Utc.from_utc_datetime(&(n - CST)));
        }
    }
    None
}

/// A stored time in China time, as the form's `datetime-local` field wants it.
pub fn local_input(at: DateTime<Utc>) -> String {
    (at + CST).format("%Y-%m-%dT%H:%M").to_string()
}

/// A stored time in China time for people (notices, pages).
pub fn local_text(at: DateTime<Utc>) -> String {
    (at + CST).format("%Y-%m-%d %H:%M").to_string()
}

/// The day (China time) a session is held on: the day its hours are credited to.
pub fn held_on(at: DateTime<Utc>) -> NaiveDate {
    (at + CST).date_naive()
}

/// A session as typed on the form or sent to the API; numbers and times as text.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionInput {
    #[serde(deserialize_with = "lenient_id")]
    pub plan_id: Option<i64>,
    pub code: String,
    pub topic: String,
    pub level: String,
    /// Skill codes, separated by commas or spaces.
    pub skills: String,
    pub goal: String,
    /// China time, `YYYY-MM-DDTHH:MM`, or RFC 3339.
    pub starts_at: String,
    pub ends_at: String,
    /// Training minutes credited to each attendee; blank: the length of the session.
    #[serde(deserialize_with = "lenient_text")]
    pub minutes: String,
    pub place: String,
    pub online_link: String,
    /// The username of an internal lecturer.
    pub lecturer: String,
    /// The name of an external lecturer (when there is no internal one).
    pub lecturer_external: String,
    pub target_group: String,
    pub outline: String,
    pub materials: String,
    pub assessment_method: String,
    /// Blank: no limit.
    #[serde(deserialize_with = "lenient_text")]
    pub capacity: String,
    #[serde(deserialize_with = "lenient_bool")]
    pub mandatory: bool,
    #[serde(deserialize_with = "lenient_text")]
    pub open_lead_minutes: String,
    #[serde(deserialize_with = "lenient_text")]
    pub late_after_minutes: String,
}

impl SessionInput {
    /// The form of an existing session, for editing.
    pub fn of(row: &SessionRow, lecturer: Option<&str>) -> SessionInput {
        SessionInput {
            plan_id: row.plan_id,
            code: row.code.clone(),
            topic: row.topic.clone(),
            level: row.level.clone(),
            skills: serde_json::from_str::<Vec<String>>(&row.skills)
                .unwrap_or_default()
                .join(", "),
            goal: row.goal.clone(),
            starts_at: local_input(row.starts_at),
            ends_at: local_input(row.ends_at),
            minutes: row.minutes.to_string(),
            place: row.place.clone(),
            online_link: row.online_link.clone(),
            lecturer: lecturer.unwrap_or_default().to_string(),
            lecturer_external: row.lecturer_external.clone(),
            target_group: row.target_group.clone(),
            outline: row.outline.clone(),
            materials: row.materials.clone(),
            assessment_method: row.assessment_method.clone(),
            capacity: row.capacity.map(|c| c.to_string()).unwrap_or_default(),
            mandatory: row.mandatory,
            open_lead_minutes: row.open_lead_minutes.to_string(),
            late_after_minutes: row.late_after_minutes.to_string(),
        }
    }

    /// A new session's defaults: a topic of `plan_id` if given, standard check-in minutes.
    pub fn defaults(plan_id: Option<i64>) -> SessionInput {
        SessionInput {
            plan_id,
            level: "basic".into(),
            open_lead_minutes: skillcert_domain::training::attendance::DEFAULT_OPEN_LEAD_MINUTES
                .to_string(),
            late_after_minutes: skillcert_domain::training::attendance::DEFAULT_LATE_AFTER_MINUTES
                .to_string(),
            ..SessionInput::default()
        }
    }
}

fn text(errors: &mut Vec<FieldError>, field: &'static str, raw: &str, max: usize) -> String {
    match clean_optional(raw, max) {
        Ok(v) => v.unwrap_or_default(),
        Err(e) => {
            errors.push(FieldError::new(field, e));
            String::new()
        }
    }
}

/// Like [`text`] for multi-line fields (outline, materials): line breaks are kept (CRLF
/// becomes LF), other control characters are refused.
fn multiline(errors: &mut Vec<FieldError>, field: &'static str, raw: &str, max: usize) -> String {
    let unified = raw.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = unified.lines().map(str::trim_end).collect();
    let joined = lines.join("\n");
    let trimmed = joined.trim();
    if trimmed.chars().count() > max {
        errors.push(FieldError::new(
            field,
            skillcert_domain::text::TextError::TooLong { max },
        ));
        return String::new();
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        errors.push(FieldError::new(
            field,
            skillcert_domain::text::TextError::BadCharacters,
        ));
        return String::new();
    }
    trimmed.to_string()
}

fn number(errors: &mut Vec<FieldError>, field: &'static str, raw: &str) -> Option<i32> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    match s.parse::<i32>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.push(FieldError::new(field, FieldReason::BadNumber));
            None
        }
    }
}

/// Checks a session: text, numbers and times (`validation`), then the rules (`rejected`).
async fn validate(c: &mut Conn<'_>, input: &SessionInput) -> AppResult<SessionFields> {
    let mut errors = Vec::new();
    let code = match skillcert_domain::text::Code::parse(&input.code) {
        Ok(c) => c.as_str().to_string(),
        Err(e) => {
            errors.push(FieldError::new("code", e));
            String::new()
        }
    };
    let topic = clean(&input.topic, TOPIC_MAX).unwrap_or_else(|e| {
        errors.push(FieldError::new("topic", e));
        String::new()
    });
    let goal = text(&mut errors, "goal", &input.goal, LINE_MAX);
    let place = text(&mut errors, "place", &input.place, LINE_MAX);
    let online_link = text(&mut errors, "online_link", &input.online_link, LINE_MAX);
    let lecturer_external = text(
        &mut errors,
        "lecturer_external",
        &input.lecturer_external,
        60,
    );
    let target_group = text(&mut errors, "target_group", &input.target_group, LINE_MAX);
    let outline = multiline(&mut errors, "outline", &input.outline, TEXT_MAX);
    let materials = multiline(&mut errors, "materials", &input.materials, TEXT_MAX);
    let assessment_method = text(
        &mut errors,
        "assessment_method",
        &input.assessment_method,
        LINE_MAX,
    );
    let starts_at = parse_local(&input.starts_at);
    if starts_at.is_none() {
        errors.push(FieldError::new("starts_at", FieldReason::BadDate));
    }
    let ends_at = parse_local(&input.ends_at);
    if ends_at.is_none() {
        errors.push(FieldError::new("ends_at", FieldReason::BadDate));
    }
    let minutes = number(&mut errors, "minutes", &input.minutes);
    let capacity = number(&mut errors, "capacity", &input.capacity);
    let open_lead = number(&mut errors, "open_lead_minutes", &input.open_lead_minutes);
    let late_after = number(&mut errors, "late_after_minutes", &input.late_after_minutes);
    let skills: Vec<String> = input
        .skills
        .split(|ch: char| ch.is_whitespace() || matches!(ch, ',' | '，' | ';' | '；'))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    for s in &skills {
        if let Err(e) = skillcert_domain::text::Code::parse(s) {
            errors.push(FieldError::new("skills", e));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (Some(starts_at), Some(ends_at)) = (starts_at, ends_at) else {
        return Err(AppError::field("starts_at", FieldReason::BadDate));
    };
    let mut problems = Vec::new();
    let level = match input.level.trim() {
        "" => "basic",
        l => l,
    };
    if !LEVELS.contains(&level) {
        problems.push(Problem::new("level", "session-level-unknown"));
    }
    let open_lead = open_lead.unwrap_or(i32::from(
        skillcert_domain::training::attendance::DEFAULT_OPEN_LEAD_MINUTES,
    ));
    let late_after = late_after.unwrap_or(i32::from(
        skillcert_domain::training::attendance::DEFAULT_LATE_AFTER_MINUTES,
    ));
    let window = SessionWindow::with_minutes(
        starts_at,
        ends_at,
        u16::try_from(open_lead).unwrap_or(u16::MAX),
        u16::try_from(late_after).unwrap_or(u16::MAX),
    );
    if let Err(e) = window {
        problems.push(Problem::new(e.field(), e.code()));
    }
    let length = i32::try_from((ends_at - starts_at).num_minutes()).unwrap_or(i32::MAX);
    let minutes = minutes.unwrap_or(length.min(MINUTES_MAX));
    if !(1..=MINUTES_MAX).contains(&minutes) {
        problems.push(Problem::new("minutes", "session-minutes-range"));
    }
    if let Some(cap) = capacity
        && !(1..=CAPACITY_MAX).contains(&cap)
    {
        problems.push(Problem::new("capacity", "session-capacity-range"));
    }
    if let Some(plan_id) = input.plan_id {
        match store::get_plan(c, plan_id).await {
            Ok(p) if p.status == "archived" => {
                problems.push(Problem::new("plan_id", "session-plan-archived"))
            }
            Ok(_) => {}
            Err(skillcert_store::StoreError::NotFound) => {
                problems.push(Problem::new("plan_id", "session-plan-unknown"))
            }
            Err(e) => return Err(e.into()),
        }
    }
    let lecturer_user_id = if input.lecturer.trim().is_empty() {
        None
    } else {
        match skillcert_store::users::find_user_by_username(c, input.lecturer.trim()).await? {
            Some(u) if u.active => Some(u.id),
            _ => {
                problems.push(Problem::new("lecturer", "session-lecturer-unknown"));
                None
            }
        }
    };
    if input.lecturer.trim().is_empty() && lecturer_external.is_empty() {
        problems.push(Problem::new("lecturer", "session-lecturer-missing"));
    }
    if !problems.is_empty() {
        return Err(AppError::Rejected(problems));
    }
    Ok(SessionFields {
        plan_id: input.plan_id,
        code,
        topic,
        level: level.to_string(),
        skills: serde_json::to_string(&skills).map_err(anyhow::Error::from)?,
        goal,
        starts_at,
        ends_at,
        minutes,
        place,
        online_link,
        lecturer_user_id,
        lecturer_external: if lecturer_user_id.is_some() {
            String::new()
        } else {
            lecturer_external
        },
        target_group,
        outline,
        materials,
        assessment_method,
        capacity,
        mandatory: input.mandatory,
        open_lead_minutes: open_lead,
        late_after_minutes: late_after,
    })
}

/// A fresh 256-bit key for the session's rotating check-in codes.
fn new_secret() -> AppResult<String> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = SessionSecret::from_bytes(&bytes)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("check-in secret: {e}")))?;
    Ok(secret.to_hex())
}

/// The parameters of a notice: what, when, where, with what.
fn notice(row: &SessionRow) -> serde_json::Value {
    let place = match (row.place.is_empty(), row.online_link.is_empty()) {
        (false, false) => format!("{} / {}", row.place, row.online_link),
        (false, true) => row.place.clone(),
        (true, false) => row.online_link.clone(),
        (true, true) => "—".into(),
    };
    serde_json::json!({
        "code": row.code,
        "topic": row.topic,
        "when": format!("{}–{}", local_text(row.starts_at), (row.ends_at + CST).format("%H:%M")),
        "place": place,
        "materials": if row.materials.is_empty() { "—".to_string() } else { row.materials.clone() },
    })
}

async fn notify_all(
    app: &App,
    c: &mut Conn<'_>,
    row: &SessionRow,
    kind: &str,
    employee_ids: &[i64],
) -> AppResult<()> {
    let params = notice(row);
    for id in employee_ids {
        notify_employee(app, c, *id, kind, &params, "/my-training", false).await?;
    }
    Ok(())
}

/// Creates a session, alone or as a topic of a plan. Needs `TrainingManage`.
pub async fn create(app: &App, actor: &Actor, input: &SessionInput) -> AppResult<SessionRow> {
    actor.require(Permission::TrainingManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let fields = validate(c, input).await?;
    if store::session_by_code(c, &fields.code).await?.is_some() {
        return Err(AppError::field("code", FieldReason::Duplicate));
    }
    let row = store::insert_session(c, &fields, &new_secret()?, Some(actor.user_id), app.now())
        .await
        .map_err(on_conflict("code"))?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "training_session.create",
        "training_session",
        row.id,
        None::<&()>,
        Some(&row),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Rewrites a planned session; everyone enrolled is told when time, place or materials
/// change. Needs `TrainingManage`.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &SessionInput,
) -> AppResult<SessionRow> {
    actor.require(Permission::TrainingManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let before = store::get_session(c, id).await?;
    let fields = validate(c, input).await?;
    if before.status != "planned" {
        return Err(rejected("status", "session-cancelled"));
    }
    if let Some(other) = store::session_by_code(c, &fields.code).await?
        && other.id != id
    {
        return Err(AppError::field("code", FieldReason::Duplicate));
    }
    let roster = store::enrolled(c, id).await?;
    if let Some(cap) = fields.capacity
        && usize::try_from(cap).unwrap_or(0) < roster.len()
    {
        return Err(rejected("capacity", "session-capacity-below-enrolled"));
    }
    if !store::update_session(c, id, &fields, app.now())
        .await
        .map_err(on_conflict("code"))?
    {
        return Err(rejected("status", "session-cancelled"));
    }
    let after = store::get_session(c, id).await?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "training_session.update",
        "training_session",
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    if notice(&before) != notice(&after) {
        let ids: Vec<i64> = roster.iter().map(|r| r.employee_id).collect();
        notify_all(app, c, &after, "inbox-training-changed", &ids).await?;
    }
    tx.commit().await?;
    Ok(after)
}

/// Cancels a planned session and tells everyone enrolled. Needs `TrainingManage`.
pub async fn cancel(app: &App, actor: &Actor, id: i64) -> AppResult<SessionRow> {
    actor.require(Permission::TrainingManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let before = store::get_session(c, id).await?;
    if !store::cancel_session(c, id, app.now()).await? {
        return Err(rejected("status", "session-cancelled"));
    }
    let after = store::get_session(c, id).await?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "training_session.cancel",
        "training_session",
        id,
        Some(&serde_json::json!({"status": before.status})),
        Some(&serde_json::json!({"status": after.status})),
    )
    .await?;
    let ids: Vec<i64> = store::enrolled(c, id)
        .await?
        .iter()
        .map(|r| r.employee_id)
        .collect();
    notify_all(app, c, &after, "inbox-training-cancelled", &ids).await?;
    tx.commit().await?;
    Ok(after)
}

/// Who lectures a session, for pages and the calendar.
#[derive(Debug, Clone, Serialize)]
pub struct Lecturer {
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub name: String,
}

pub(crate) async fn lecturer_of(c: &mut Conn<'_>, row: &SessionRow) -> AppResult<Lecturer> {
    Ok(match row.lecturer_user_id {
        Some(id) => {
            let u = skillcert_store::users::get_user(c, id).await?;
            Lecturer {
                user_id: Some(id),
                username: Some(u.username),
                name: u.display_name,
            }
        }
        None => Lecturer {
            user_id: None,
            username: None,
            name: row.lecturer_external.clone(),
        },
    })
}

/// Whether `actor` runs this session: the lecturer, or a training manager.
pub fn may_teach(actor: &Actor, row: &SessionRow) -> bool {
    actor.can(Permission::TrainingManage)
        || (actor.can(Permission::TrainingTeach) && row.lecturer_user_id == Some(actor.user_id))
}

/// Fails with `Forbidden` unless `actor` runs this session.
pub fn require_teach(actor: &Actor, row: &SessionRow) -> AppResult<()> {
    if may_teach(actor, row) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// A session with its plan, lecturer and roster as the actor may see it.
#[derive(Debug, Clone, Serialize)]
pub struct SessionDetail {
    pub session: SessionRow,
    pub skills: Vec<String>,
    pub plan_code: Option<String>,
    pub plan_title: Option<String>,
    pub lecturer: Lecturer,
    /// Everyone enrolled (a supervisor sees their departments' people only).
    pub roster: Vec<EnrolledRow>,
    pub enrolled: usize,
    /// Places left; `None` without a limit.
    pub places_left: Option<i64>,
    /// Check-in is accepted now (from the opening lead to the end).
    pub check_in_open: bool,
    pub ended: bool,
    pub may_manage: bool,
    pub may_teach: bool,
    /// The actor's own enrolment, when they are on the list.
    pub own_mark: Option<Option<String>>,
}

/// The session window of a stored row.
pub fn window_of(row: &SessionRow) -> AppResult<SessionWindow> {
    SessionWindow::with_minutes(
        row.starts_at,
        row.ends_at,
        u16::try_from(row.open_lead_minutes).unwrap_or(0),
        u16::try_from(row.late_after_minutes).unwrap_or(0),
    )
    .map_err(|e| AppError::Internal(anyhow::anyhow!("session {} window: {e}", row.id)))
}

/// A session page: readers with `TrainingRead` see the roster; an enrolled employee sees the
/// session itself (and their mark) only.
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<SessionDetail> {
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let session = store::get_session(c, id).await?;
    let reader = actor.can(Permission::TrainingRead);
    let own = match actor.employee_id {
        Some(e) => store::is_enrolled(c, id, e).await?,
        None => false,
    };
    if !reader && !own {
        return Err(AppError::Forbidden);
    }
    let all = store::enrolled(c, id).await?;
    let enrolled = all.len();
    let own_mark = actor.employee_id.and_then(|e| {
        all.iter()
            .find(|r| r.employee_id == e)
            .map(|r| r.mark.clone())
    });
    let roster = if reader {
        match actor.scope(Permission::TrainingRead) {
            Scope::All => all,
            scope => all
                .into_iter()
                .filter(|r| scope.covers(r.department_id) || may_teach(actor, &session))
                .collect(),
        }
    } else {
        Vec::new()
    };
    let (plan_code, plan_title) = match session.plan_id {
        Some(p) => {
            let p = store::get_plan(c, p).await?;
            (Some(p.code), Some(p.title))
        }
        None => (None, None),
    };
    let window = window_of(&session)?;
    let now = app.now();
    Ok(SessionDetail {
        skills: serde_json::from_str(&session.skills).unwrap_or_default(),
        plan_code,
        plan_title,
        lecturer: lecturer_of(c, &session).await?,
        roster,
        enrolled,
        places_left: session
            .capacity
            .map(|cap| (i64::from(cap) - i64::try_from(enrolled).unwrap_or(0)).max(0)),
        check_in_open: session.status == "planned" && window.accepts_check_in(now),
        ended: window.ended(now),
        may_manage: actor.can(Permission::TrainingManage),
        may_teach: may_teach(actor, &session),
        own_mark,
        session,
    })
}

/// Sessions by start. Needs `TrainingRead`.
pub async fn list(app: &App, actor: &Actor, q: &SessionQuery) -> AppResult<Page<SessionSummary>> {
    actor.require(Permission::TrainingRead)?;
    let mut r = app.db.read().await?;
    Ok(store::list_sessions(&mut r.conn(), q).await?)
}

/// The first instant of a month in China time, and of the next.
pub fn month_bounds(year: i32, month: u32) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year.checked_add(1)?, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let at =
        |d: NaiveDate| Utc.from_utc_datetime(&(d.and_hms_opt(0, 0, 0).unwrap_or_default() - CST));
    Some((at(first), at(next)))
}

/// Reads `YYYY-MM`.
pub fn parse_month(raw: &str) -> Option<(i32, u32)> {
    let (y, m) = raw.trim().split_once('-')?;
    let (y, m) = (y.parse::<i32>().ok()?, m.parse::<u32>().ok()?);
    ((1..=12).contains(&m) && (2000..=2100).contains(&y)).then_some((y, m))
}

/// Every session starting in a month (China time), cancelled ones included. Needs
/// `TrainingRead`; an unreadable month is refused.
pub async fn calendar(
    app: &App,
    actor: &Actor,
    year: i32,
    month: u32,
) -> AppResult<Vec<SessionSummary>> {
    actor.require(Permission::TrainingRead)?;
    let Some((from, to)) = month_bounds(year, month) else {
        return Err(rejected("month", "calendar-month"));
    };
    let mut r = app.db.read().await?;
    Ok(store::sessions_between(&mut r.conn(), from, to).await?)
}

/// Whom to enrol: persons by employee number and/or everyone of a department (with its
/// sub-departments) and/or of a position (both given: those of the position in the
/// department).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EnrolInput {
    /// Employee numbers separated by commas, spaces or lines.
    pub employee_nos: String,
    #[serde(deserialize_with = "lenient_id")]
    pub department_id: Option<i64>,
    #[serde(deserialize_with = "lenient_id")]
    pub position_id: Option<i64>,
}

/// What an enrolment did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EnrolReport {
    pub enrolled: u64,
    /// People of the department or position who were on the list already.
    pub skipped_already: u64,
    pub places_left: Option<i64>,
}

/// Enrols people in a planned session that has not ended. Refused with nothing changed
/// when a person named is unknown, has left or is enrolled already, when nobody new would
/// be enrolled, or when the new people do not all fit in the places left. Each newly
/// enrolled employee gets a notice. Needs `TrainingManage`.
pub async fn enrol(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &EnrolInput,
) -> AppResult<EnrolReport> {
    actor.require(Permission::TrainingManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let session = store::get_session(c, id).await?;
    if session.status != "planned" {
        return Err(rejected("status", "session-cancelled"));
    }
    if window_of(&session)?.ended(app.now()) {
        return Err(rejected("status", "enrol-session-over"));
    }
    let nos: Vec<&str> = input
        .employee_nos
        .split(|ch: char| ch.is_whitespace() || matches!(ch, ',' | '，' | ';' | '；'))
        .filter(|s| !s.is_empty())
        .collect();
    if nos.is_empty() && input.department_id.is_none() && input.position_id.is_none() {
        return Err(rejected("employee_nos", "enrol-nobody"));
    }
    let mut persons = Vec::new();
    let mut problems = Vec::new();
    for no in &nos {
        match skillcert_store::org::find_employee_by_no(c, no).await? {
            Some(e) if e.status == "left" => {
                problems.push(Problem::new("employee_nos", "enrol-employee-left"))
            }
            Some(e) => persons.push(e.id),
            None => problems.push(Problem::new("employee_nos", "enrol-unknown-employee")),
        }
    }
    if !problems.is_empty() {
        problems.dedup();
        return Err(AppError::Rejected(problems));
    }
    let on_list: HashSet<i64> = store::enrolled(c, id)
        .await?
        .iter()
        .map(|r| r.employee_id)
        .collect();
    if persons.iter().any(|p| on_list.contains(p)) {
        return Err(rejected("employee_nos", "enrol-twice"));
    }
    let group = if input.department_id.is_some() || input.position_id.is_some() {
        let depts: Vec<i64> = input.department_id.into_iter().collect();
        let positions: Vec<i64> = input.position_id.into_iter().collect();
        store::audience_employees(c, &depts, &positions).await?
    } else {
        Vec::new()
    };
    let mut seen: HashSet<i64> = persons.iter().copied().collect();
    let group_new: Vec<i64> = group
        .iter()
        .copied()
        .filter(|e| !on_list.contains(e) && seen.insert(*e))
        .collect();
    let skipped_already = group.iter().filter(|e| on_list.contains(e)).count() as u64;
    let wanted = persons.len() + group_new.len();
    if wanted == 0 {
        return Err(rejected("employee_nos", "enrol-twice"));
    }
    if let Some(cap) = session.capacity {
        let room = (i64::from(cap) - i64::try_from(on_list.len()).unwrap_or(i64::MAX)).max(0);
        if i64::try_from(wanted).unwrap_or(i64::MAX) > room {
            return Err(rejected("employee_nos", "enrol-over-capacity"));
        }
    }
    let now = app.now();
    let by = Some(actor.user_id);
    let mut enrolled = 0;
    for (ids, via) in [
        (&persons, "person"),
        (
            &group_new,
            if input.department_id.is_some() {
                "department"
            } else {
                "position"
            },
        ),
    ] {
        if ids.is_empty() {
            continue;
        }
        let (n, _, full) = store::enrol_many(c, id, ids, via, by, now).await?;
        if full > 0 {
            // Someone else filled places meanwhile: the whole request is refused.
            return Err(rejected("employee_nos", "enrol-over-capacity"));
        }
        enrolled += n;
    }
    let mut all: Vec<i64> = persons.clone();
    all.extend(&group_new);
    audit::record(
        app,
        c,
        &Author::from(actor),
        "training_session.enrol",
        "training_session",
        id,
        None::<&()>,
        Some(&serde_json::json!({"employee_ids": all, "department_id": input.department_id, "position_id": input.position_id})),
    )
    .await?;
    notify_all(app, c, &session, "inbox-training-enrolled", &all).await?;
    let places_left = session
        .capacity
        .map(|cap| i64::from(cap) - i64::try_from(on_list.len() + all.len()).unwrap_or(i64::MAX));
    tx.commit().await?;
    Ok(EnrolReport {
        enrolled,
        skipped_already,
        places_left,
    })
}

/// Takes a person off the list (not once they have a mark). Needs `TrainingManage`.
pub async fn unenrol(app: &App, actor: &Actor, id: i64, employee_id: i64) -> AppResult<()> {
    actor.require(Permission::TrainingManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    store::get_session(c, id).await?;
    if !store::is_enrolled(c, id, employee_id).await? {
        return Err(rejected("employee_id", "enrol-not-enrolled"));
    }
    if !store::unenrol(c, id, employee_id).await? {
        return Err(rejected("employee_id", "enrol-has-mark"));
    }
    audit::record(
        app,
        c,
        &Author::from(actor),
        "training_session.unenrol",
        "training_session",
        id,
        Some(&serde_json::json!({"employee_id": employee_id})),
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn ics_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line folded at 75 octets (RFC 5545 §3.1), never inside a character.
fn ics_line(out: &mut String, line: &str) {
    let mut width = 0;
    for ch in line.chars() {
        let n = ch.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += n;
    }
    out.push_str("\r\n");
}

fn ics_time(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The session as an iCalendar object (RFC 5545): UTC times, escaped text, CRLF lines, a
/// stable UID and a sequence that grows with each change, so calendars update in place.
pub fn ics_text(row: &SessionRow, lecturer: &str, host: &str, now: DateTime<Utc>) -> String {
    let mut out = String::new();
    let mut description = String::new();
    if !row.goal.is_empty() {
        let _ = writeln!(description, "{}", row.goal);
    }
    if !lecturer.is_empty() {
        let _ = writeln!(description, "{lecturer}");
    }
    if !row.materials.is_empty() {
        let _ = writeln!(description, "{}", row.materials);
    }
    if !row.online_link.is_empty() {
        let _ = writeln!(description, "{}", row.online_link);
    }
    let location = match (row.place.is_empty(), row.online_link.is_empty()) {
        (false, _) => row.place.clone(),
        (true, false) => row.online_link.clone(),
        _ => String::new(),
    };
    let sequence = (row.updated_at - row.created_at).num_seconds().max(0);
    let lines = [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//skillcert//training//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        "BEGIN:VEVENT".into(),
        format!("UID:training-session-{}@{}", row.id, host),
        format!("DTSTAMP:{}", ics_time(now)),
        format!("DTSTART:{}", ics_time(row.starts_at)),
        format!("DTEND:{}", ics_time(row.ends_at)),
        format!("SEQUENCE:{sequence}"),
        format!(
            "SUMMARY:{}",
            ics_escape(&format!("{} {}", row.code, row.topic))
        ),
        format!("DESCRIPTION:{}", ics_escape(description.trim_end())),
        format!("LOCATION:{}", ics_escape(&location)),
        format!(
            "STATUS:{}",
            if row.status == "cancelled" {
                "CANCELLED"
            } else {
                "CONFIRMED"
            }
        ),
        "END:VEVENT".into(),
        "END:VCALENDAR".into(),
    ];
    for l in lines {
        ics_line(&mut out, &l);
    }
    out
}

/// The `.ics` of a session, for readers and for those enrolled.
pub async fn ics(app: &App, actor: &Actor, id: i64, host: &str) -> AppResult<(SessionRow, String)> {
    let d = get(app, actor, id).await?;
    let text = ics_text(&d.session, &d.lecturer.name, host, app.now());
    Ok((d.session, text))
}

/// One of the employee's sessions with what they may do now.
#[derive(Debug, Clone, Serialize)]
pub struct MySession {
    #[serde(flatten)]
    pub row: MySessionRow,
    /// Check-in is accepted now and they have no mark yet.
    pub can_check_in: bool,
    pub running: bool,
    pub ended: bool,
}

/// The employee's own training: sessions from a year back to a year ahead, upcoming first.
#[derive(Debug, Clone, Serialize)]
pub struct MyTraining {
    /// `None` for an account without an employee record (nothing to show).
    pub employee_id: Option<i64>,
    pub upcoming: Vec<MySession>,
    pub past: Vec<MySession>,
}

/// The signed-in employee's sessions (one query). Accounts without an employee record have
/// none.
pub async fn mine(app: &App, actor: &Actor) -> AppResult<MyTraining> {
    let Some(employee_id) = actor.employee_id else {
        return Ok(MyTraining {
            employee_id: None,
            upcoming: Vec::new(),
            past: Vec::new(),
        });
    };
    let now = app.now();
    let mut r = app.db.read().await?;
    let rows = sessions_of_employee_detailed(
        &mut r.conn(),
        employee_id,
        now - Duration::days(400),
        now + Duration::days(400),
    )
    .await?;
    let mut upcoming = Vec::new();
    let mut past = Vec::new();
    for row in rows {
        let window = SessionWindow::with_minutes(
            row.starts_at,
            row.ends_at,
            u16::try_from(row.open_lead_minutes).unwrap_or(0),
            u16::try_from(row.late_after_minutes).unwrap_or(0),
        )
        .map_err(|e| {
            AppError::Internal(anyhow::anyhow!("session {} window: {e}", row.session_id))
        })?;
        let planned = row.status == "planned";
        let item = MySession {
            can_check_in: planned && window.accepts_check_in(now) && row.mark.is_none(),
            running: planned && row.starts_at <= now && now <= row.ends_at,
            ended: window.ended(now),
            row,
        };
        if item.ended {
            past.push(item);
        } else {
            upcoming.push(item);
        }
    }
    past.reverse();
    Ok(MyTraining {
        employee_id: Some(employee_id),
        upcoming,
        past,
    })
}

/// Today's year in China time, for the overview.
pub fn this_year(app: &App) -> i32 {
    app.today().year()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_are_china_time() {
        let t = parse_local("2026-11-23T09:30").unwrap();
        assert_eq!(t, Utc.with_ymd_and_hms(2026, 11, 23, 1, 30, 0).unwrap());
        assert_eq!(local_input(t), "2026-11-23T09:30");
        assert_eq!(parse_local("2026-11-23T01:30:00Z"), Some(t));
        assert_eq!(parse_local("2026-11-23 09:30"), Some(t));
        assert_eq!(parse_local("tomorrow"), None);
        assert_eq!(
            held_on(Utc.with_ymd_and_hms(2026, 11, 22, 17, 0, 0).unwrap()).day(),
            23
        );
    }

    #[test]
    fn multi_line_fields_keep_their_lines() {
        let mut errors = Vec::new();
        let v = multiline(&mut errors, "outline", " 1. 开场\r\n2. 演练  \r\n", 100);
        assert_eq!(v, "1. 开场\n2. 演练");
        assert!(errors.is_empty());
        multiline(&mut errors, "outline", "a\u{7}b", 100);
        multiline(&mut errors, "materials", &"长".repeat(101), 100);
        assert_eq!(errors.len(), 2);
    }

    #[test]
    fn months() {
        assert_eq!(parse_month("2026-02"), Some((2026, 2)));
        assert_eq!(parse_month("2026-13"), None);
        let (a, b) = month_bounds(2026, 12).unwrap();
        assert_eq!(a, Utc.with_ymd_and_hms(2026, 11, 30, 16, 0, 0).unwrap());
        assert_eq!(b, Utc.with_ymd_and_hms(2026, 12, 31, 16, 0, 0).unwrap());
    }

    fn row() -> SessionRow {
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap();
        SessionRow {
            id: 7,
            plan_id: None,
            code: "TRS-1".into(),
            topic: "投诉处理; 进阶, 第二期".into(),
            level: "basic".into(),
            skills: "[]".into(),
            goal: "满意度 ≥ 4.5 / 5".into(),
            starts_at: at,
            ends_at: at + Duration::hours(2),
            minutes: 120,
            place: "培训室 A\\B".into(),
            online_link: String::new(),
            lecturer_user_id: None,
            lecturer_external: "王老师".into(),
            target_group: String::new(),
            outline: String::new(),
            materials:
                "讲义一份，案例二则；请带笔记本电脑与耳机，用于现场模拟来电练习和录音回放分析"
                    .into(),
            assessment_method: String::new(),
            capacity: None,
            mandatory: true,
            open_lead_minutes: 15,
            late_after_minutes: 10,
            checkin_secret: String::new(),
            status: "planned".into(),
            created_by: None,
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn ics_follows_rfc_5545() {
        let now = Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap();
        let text = ics_text(&row(), "王老师", "skillcert.example", now);
        assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(!text.replace("\r\n", "").contains('\n'), "only CRLF");
        assert!(text.contains("DTSTART:20261123T010000Z\r\n"));
        assert!(text.contains("DTEND:20261123T030000Z\r\n"));
        assert!(text.contains("UID:training-session-7@skillcert.example\r\n"));
        assert!(text.contains("SUMMARY:TRS-1 投诉处理\\; 进阶\\, 第二期\r\n"));
        assert!(text.contains("LOCATION:培训室 A\\\\B\r\n"));
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
        }
        let unfolded = text.replace("\r\n ", "");
        assert!(unfolded.contains("DESCRIPTION:满意度 ≥ 4.5 / 5\\n王老师\\n讲义一份，案例二则"));
    }
}
