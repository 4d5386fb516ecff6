//! The training-hour ledger and external training recorded with proof and approved by the
//! training manager.
//!
//! Attended sessions are credited by the attendance service; here an employee reads their
//! ledger and yearly total, records training taken outside with a proof file (PDF, PNG or
//! JPEG, judged by content, 5 MB at most), and the training manager approves or rejects it
//! once: approval credits the ledger in the same transaction, and the employee is told in
//! their inbox either way.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use skillcert_domain::access::Permission;
use skillcert_domain::certification::sniff;
use skillcert_domain::org::parse_date;
use skillcert_domain::text::clean;
use skillcert_domain::training::compliance::TrainingLevel;
use skillcert_store::Page;
use skillcert_store::training_records::{
    self as store, ExternalQuery, ExternalRow, LedgerRow, NewExternal,
};

use crate::audit::{self, Author};
use crate::certification::inbox::notify_employee;
use crate::{Actor, App, AppError, AppResult, Problem};

/// Refusal codes of this area; each has a locale key `problem-<code>`.
pub const ERROR_CODES: &[&str] = &[
    "external-not-employee",
    "external-title",
    "external-provider",
    "external-held-on",
    "external-held-on-future",
    "external-hours",
    "external-level",
    "external-proof-missing",
    "external-decided",
    "external-note",
    "external-status",
    "external-decision",
];

/// Inbox message kinds of this area; each is a locale key taking the params named in its text.
pub const INBOX_KINDS: &[&str] = &["inbox-external-decided"];

pub const TITLE_MAX: usize = 120;
pub const PROVIDER_MAX: usize = 120;
pub const NOTE_MAX: usize = 500;
pub const FILENAME_MAX: usize = 120;
/// Longest external training credited at once: 200 hours.
pub const MINUTES_MAX: u32 = 200 * 60;
/// External statuses as stored.
pub const STATUSES: [&str; 3] = ["pending", "approved", "rejected"];

/// An external training as typed in the form or the API body.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ExternalInput {
    pub title: String,
    pub provider: String,
    /// `YYYY-MM-DD`, not in the future.
    pub held_on: String,
    /// Hours, with up to two decimals (`1.5`).
    pub hours: String,
    /// `basic`, `advanced` or `other`; empty for `other`.
    pub level: String,
}

/// The proof file sent with an external training.
#[derive(Debug, Clone)]
pub struct Proof {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// Hours typed as `8`, `1.5` or `0.75` in whole minutes; `None` unless 1 to [`MINUTES_MAX`].
pub fn parse_hours(raw: &str) -> Option<u32> {
    let raw = raw.trim().replace('，', ".");
    let (whole, frac) = raw.split_once('.').unwrap_or((raw.as_str(), ""));
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    if frac.len() > 2
        || !whole
            .chars()
            .chain(frac.chars())
            .all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let whole: u32 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let hundredths: u32 = format!("{frac:0<2}").parse().ok()?;
    let minutes = whole
        .checked_mul(60)?
        .checked_add((hundredths * 60 + 50) / 100)?;
    (1..=MINUTES_MAX).contains(&minutes).then_some(minutes)
}

/// An external training that passed the checks.
struct Checked {
    title: String,
    provider: String,
    held_on: NaiveDate,
    minutes: u32,
    level: TrainingLevel,
    filename: String,
    content_type: &'static str,
}

fn check(app: &App, input: &ExternalInput, proof: Option<&Proof>) -> Result<Checked, Vec<Problem>> {
    let mut problems = Vec::new();
    let title = clean(&input.title, TITLE_MAX)
        .map_err(|_| problems.push(Problem::new("title", "external-title")))
        .ok();
    let provider = clean(&input.provider, PROVIDER_MAX)
        .map_err(|_| problems.push(Problem::new("provider", "external-provider")))
        .ok();
    let held_on = match parse_date(&input.held_on) {
        Ok(d) if d > app.today() => {
            problems.push(Problem::new("held_on", "external-held-on-future"));
            None
        }
        Ok(d) if d.year() < 2000 => {
            problems.push(Problem::new("held_on", "external-held-on"));
            None
        }
        Ok(d) => Some(d),
        Err(_) => {
            problems.push(Problem::new("held_on", "external-held-on"));
            None
        }
    };
    let minutes = parse_hours(&input.hours);
    if minutes.is_none() {
        problems.push(Problem::new("hours", "external-hours"));
    }
    let level = if input.level.trim().is_empty() {
        Some(TrainingLevel::Other)
    } else {
        TrainingLevel::parse(&input.level)
    };
    if level.is_none() {
        problems.push(Problem::new("level", "external-level"));
    }
    let content_type = match proof {
        None => {
            problems.push(Problem::new("proof", "external-proof-missing"));
            None
        }
        Some(p) => match sniff(&p.bytes) {
            Ok(ct) => Some(ct),
            Err(e) => {
                problems.push(Problem::new("proof", e.code()));
                None
            }
        },
    };
    let filename = proof
        .and_then(|p| clean(&p.filename, FILENAME_MAX).ok())
        .unwrap_or_else(|| "proof".into());
    match (title, provider, held_on, minutes, level, content_type) {
        (Some(title), Some(provider), Some(held_on), Some(minutes), Some(level), Some(ct))
            if problems.is_empty() =>
        {
            Ok(Checked {
                title,
                provider,
                held_on,
                minutes,
                level,
                filename,
                content_type: ct,
            })
        }
        _ => Err(problems),
    }
}

/// The signed-in employee records an external training with its proof; it waits for the
/// training manager's decision.
pub async fn record_external(
    app: &App,
    actor: &Actor,
    input: &ExternalInput,
    proof: Option<&Proof>,
) -> AppResult<i64> {
    actor.require(Permission::Dashboard)?;
    let Some(employee_id) = actor.employee_id else {
        return Err(AppError::Rejected(vec![Problem::new(
            "employee",
            "external-not-employee",
        )]));
    };
    let x = check(app, input, proof).map_err(AppError::Rejected)?;
    let bytes = proof.map(|p| p.bytes.as_slice()).unwrap_or_default();
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let id = store::insert_external(
        c,
        &NewExternal {
            employee_id,
            title: &x.title,
            provider: &x.provider,
            held_on: x.held_on,
            minutes: i32::try_from(x.minutes).unwrap_or(i32::MAX),
            level: x.level.key(),
            proof_filename: &x.filename,
            proof_content_type: x.content_type,
            proof: bytes,
            created_by: Some(actor.user_id),
        },
        app.now(),
    )
    .await?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "external_training.record",
        "external_training",
        id,
        None::<&()>,
        Some(&serde_json::json!({
            "employee_id": employee_id, "title": x.title, "provider": x.provider,
            "held_on": x.held_on, "minutes": x.minutes, "level": x.level.key(),
            "proof": {"filename": x.filename, "content_type": x.content_type, "size": bytes.len()},
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The training manager approves (crediting the ledger) or rejects a pending external
/// training; a second decision is refused with `external-decided` and changes nothing.
pub async fn decide_external(
    app: &App,
    actor: &Actor,
    id: i64,
    approve: bool,
    note: &str,
) -> AppResult<ExternalRow> {
    actor.require(Permission::TrainingManage)?;
    let note = if note.trim().is_empty() {
        String::new()
    } else {
        clean(note, NOTE_MAX)
            .map_err(|_| AppError::Rejected(vec![Problem::new("note", "external-note")]))?
    };
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let before = store::get_external(c, id).await?;
    if !store::decide_external(c, id, approve, Some(actor.user_id), &note, app.now()).await? {
        return Err(AppError::Rejected(vec![Problem::new(
            "status",
            "external-decided",
        )]));
    }
    if approve {
        store::credit_external(c, id, app.now()).await?;
    }
    let after = store::get_external(c, id).await?;
    notify_employee(
        app,
        c,
        after.employee_id,
        "inbox-external-decided",
        &serde_json::json!({"title": after.title, "status": after.status, "note": note}),
        &format!("/my-training/hours?year={}", after.held_on.year()),
        false,
    )
    .await?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "external_training.decide",
        "external_training",
        id,
        Some(&serde_json::json!({"status": before.status})),
        Some(&serde_json::json!({"status": after.status, "note": note, "minutes": after.minutes})),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The filters of the external-training queue.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ExternalFilter {
    /// `pending`, `approved`, `rejected`; empty for all.
    pub status: String,
    /// An employee number; empty for everyone.
    pub employee_no: String,
    pub page: i64,
    pub per_page: i64,
}

/// The training manager's queue, newest first; employees see theirs in their ledger.
pub async fn list_external(
    app: &App,
    actor: &Actor,
    f: &ExternalFilter,
) -> AppResult<Page<ExternalRow>> {
    let status = Some(f.status.trim())
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    if status.as_deref().is_some_and(|s| !STATUSES.contains(&s)) {
        return Err(AppError::Rejected(vec![Problem::new(
            "status",
            "external-status",
        )]));
    }
    actor.require(Permission::TrainingManage)?;
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let employee_id = match f.employee_no.trim() {
        "" => None,
        no => match skillcert_store::org::find_employee_by_no(c, no).await? {
            Some(e) => Some(e.id),
            None => {
                return Ok(Page {
                    items: Vec::new(),
                    total: 0,
                    page: 1,
                    per_page: 50,
                });
            }
        },
    };
    Ok(store::list_external(
        c,
        &ExternalQuery {
            status,
            employee_id,
            page: f.page.max(1),
            per_page: if f.per_page <= 0 { 50 } else { f.per_page },
        },
    )
    .await?)
}

fn may_see(actor: &Actor, x: &ExternalRow) -> bool {
    Some(x.employee_id) == actor.employee_id || actor.can(Permission::TrainingManage)
}

/// One external training, for its employee and the training manager.
pub async fn get_external(app: &App, actor: &Actor, id: i64) -> AppResult<ExternalRow> {
    let mut r = app.db.read().await?;
    let x = store::get_external(&mut r.conn(), id).await?;
    if !may_see(actor, &x) {
        return Err(AppError::Forbidden);
    }
    Ok(x)
}

/// `(filename, content type, bytes)` of the proof, for its employee and the manager.
pub async fn proof(app: &App, actor: &Actor, id: i64) -> AppResult<(String, String, Vec<u8>)> {
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let x = store::get_external(c, id).await?;
    if !may_see(actor, &x) {
        return Err(AppError::Forbidden);
    }
    Ok(store::external_proof(c, id).await?)
}

/// An employee's year: the credited entries, the total against the rules' minimum, and the
/// external trainings of the year with their status.
#[derive(Debug, Clone, Serialize)]
pub struct Ledger {
    /// `None` for an account without an employee record: the ledger is empty.
    pub employee_id: Option<i64>,
    pub year: i32,
    pub entries: Vec<LedgerRow>,
    pub total_minutes: i64,
    pub required_minutes: u32,
    pub external: Vec<ExternalRow>,
}

/// The signed-in employee's ledger of `year` (this year when `None`).
pub async fn my_ledger(app: &App, actor: &Actor, year: Option<i32>) -> AppResult<Ledger> {
    actor.require(Permission::Dashboard)?;
    let year = year.unwrap_or_else(|| app.today().year());
    if !(super::compliance::YEAR_MIN..=super::compliance::YEAR_MAX).contains(&year) {
        return Err(AppError::Rejected(vec![Problem::new(
            "year",
            "compliance-year-out-of-range",
        )]));
    }
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let Some(employee_id) = actor.employee_id else {
        let (_, rules) = super::compliance::rules_in(c).await?;
        return Ok(Ledger {
            employee_id: None,
            year,
            entries: Vec::new(),
            total_minutes: 0,
            required_minutes: rules.min_minutes_per_year(),
            external: Vec::new(),
        });
    };
    let entries = store::ledger_of_employee(c, employee_id, year).await?;
    let (_, rules) = super::compliance::rules_in(c).await?;
    let external = store::list_external(
        c,
        &ExternalQuery {
            status: None,
            employee_id: Some(employee_id),
            page: 1,
            per_page: 200,
        },
    )
    .await?
    .items
    .into_iter()
    .filter(|x| x.held_on.year() == year || x.status == "pending")
    .collect();
    Ok(Ledger {
        employee_id: Some(employee_id),
        year,
        total_minutes: entries.iter().map(|e| i64::from(e.minutes)).sum(),
        required_minutes: rules.min_minutes_per_year(),
        entries,
        external,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_read_to_the_minute() {
        assert_eq!(parse_hours("8"), Some(480));
        assert_eq!(parse_hours("1.5"), Some(90));
        assert_eq!(parse_hours(" 0.75 "), Some(45));
        assert_eq!(parse_hours(".5"), Some(30));
        assert_eq!(parse_hours("200"), Some(12_000));
        for bad in ["", "0", "0.001", "200.5", "-1", "abc", "1.2.3", "1e3", "."] {
            assert_eq!(parse_hours(bad), None, "{bad:?}");
        }
    }
}
