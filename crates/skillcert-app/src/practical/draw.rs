//! Drawing panels by lot. The seed is published first (shown on the event page and in
//! the audit log), then the draw runs from that seed and the pool lists as they are at
//! that moment; both are stored with the outcome, so anyone can replay the draw — on the
//! replay page, or by hand from the algorithm in
//! [`skillcert_domain::practical::draw`]. A redraw needs a reason and a newly published
//! seed, and is refused once a judge has submitted a sheet.

use rand::RngCore;
use rand::rngs::OsRng;
use serde::Serialize;
use skillcert_domain::access::Permission;
use skillcert_domain::org::FieldReason;
use skillcert_domain::practical::draw::{
    self, DrawError, DrawInput, DrawOutcome, Judge, Pool, Subject, parse_seed, seed_text,
};
use skillcert_domain::text::clean;
use skillcert_store::Conn;
use skillcert_store::practical::{self as store, NewDraw};

use super::Loaded;
use super::events::{EventView, REASON_MAX, load_view};
use crate::audit::{self, Author};
use crate::{Actor, App, AppError, AppResult, Problem};

/// A draw refusal as a problem whose field names the pool (and candidate) concerned.
pub(crate) fn draw_problem(e: &DrawError) -> Problem {
    let field = match e {
        DrawError::ZeroQuota { pool }
        | DrawError::DuplicatePool { pool }
        | DrawError::QuotaExceedsPool { pool, .. } => format!("pools.{pool}"),
        DrawError::NotEnoughEligible {
            pool,
            subject: Some(s),
            ..
        } => format!("pools.{pool}.subjects.{s}"),
        DrawError::NotEnoughEligible { pool, .. } => format!("pools.{pool}"),
        _ => "pools".to_string(),
    };
    Problem::new(field, e.code())
}

/// Publishes a fresh seed for the next draw. Anyone watching the event page sees it before
/// the draw happens, so nobody can pick a convenient seed afterwards.
pub async fn publish_seed(app: &App, actor: &Actor, id: i64) -> AppResult<EventView> {
    actor.require(Permission::AssessmentManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let row = store::get_event(c, id).await?;
    if row.status == "closed" {
        return Err(AppError::Conflict("event-closed"));
    }
    if row.kind == "calibration" {
        return Err(AppError::Conflict("event-calibration"));
    }
    let seed = seed_text(OsRng.next_u64());
    store::set_next_seed(c, id, Some(&seed), app.now()).await?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "assessment_event.seed",
        "assessment_event",
        id,
        row.next_seed.as_ref(),
        Some(&seed),
    )
    .await?;
    let row = store::get_event(c, id).await?;
    let view = load_view(c, row).await?;
    tx.commit().await?;
    Ok(view)
}

/// What the domain draw is given, built from the event as it is now.
async fn draw_input(c: &mut Conn<'_>, event: &Loaded, seed: u64) -> AppResult<DrawInput> {
    let id = event.row.id;
    let members = store::pool_members(c, id).await?;
    let declared = store::conflicts(c, id).await?;
    let pools = event
        .rules
        .panel
        .pools
        .iter()
        .map(|p| Pool {
            key: p.key.clone(),
            quota: p.quota,
            members: members
                .iter()
                .filter(|m| m.pool == p.key)
                .map(|m| Judge {
                    id: m.employee_id,
                    unit_id: m.unit_id,
                })
                .collect(),
        })
        .collect();
    let subjects = store::subjects(c, id)
        .await?
        .into_iter()
        .filter_map(|s| {
            Some(Subject {
                id: s.id,
                employee_id: s.employee_id?,
                unit_id: s.unit_id,
                supervisor_id: s.supervisor_id,
                // Mentors are recorded with training (issue 7); until then a mentor is
                // excluded by declaring the conflict.
                mentor_ids: Vec::new(),
                declared: declared
                    .iter()
                    .filter(|d| d.subject_id == s.id)
                    .map(|d| d.judge_id)
                    .collect(),
            })
        })
        .collect();
    Ok(DrawInput {
        seed,
        scope: event.rules.panel.scope,
        conflicts: event.rules.panel.conflicts,
        pools,
        subjects,
    })
}

/// Draws the panels from the published seed. The first draw opens scoring; a redraw
/// (with a reason) replaces every panel while no sheet is submitted.
pub async fn run(app: &App, actor: &Actor, id: i64, reason: &str) -> AppResult<EventView> {
    actor.require(Permission::AssessmentManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let event = Loaded::decode(store::get_event(c, id).await?)?;
    if event.row.status == "closed" {
        return Err(AppError::Conflict("event-closed"));
    }
    let previous = store::draws(c, id).await?;
    let redraw = !previous.is_empty();
    let reason = if redraw {
        Some(
            clean(reason, REASON_MAX)
                .map_err(|e| AppError::field("reason", FieldReason::Text(e)))?,
        )
    } else {
        None
    };
    let subjects = store::subjects(c, id).await?;
    if subjects.is_empty() {
        return Err(AppError::Conflict("event-no-subjects"));
    }
    let sheets = store::sheets_of_event(c, id).await?;
    if sheets.iter().any(|s| s.status == "submitted") {
        return Err(AppError::Conflict("event-sheets-submitted"));
    }
    let number = previous.last().map_or(1, |d| d.number + 1);
    let (input, outcome) = if event.is_calibration() {
        // Every judge scores every recording: nothing to draw.
        (None, None)
    } else {
        let seed_text = event
            .row
            .next_seed
            .clone()
            .ok_or(AppError::Conflict("event-no-seed"))?;
        let seed = parse_seed(&seed_text).ok_or(AppError::Conflict("event-no-seed"))?;
        let input = draw_input(c, &event, seed).await?;
        let outcome = draw::draw(&input).map_err(|e| AppError::Rejected(vec![draw_problem(&e)]))?;
        (Some(input), Some(outcome))
    };
    let seed = event.row.next_seed.clone().unwrap_or_default();
    let input_json = serde_json::to_string(&input).map_err(anyhow::Error::from)?;
    let outcome_json = serde_json::to_string(&outcome).map_err(anyhow::Error::from)?;
    let seats: Vec<(i64, i64, String)> = outcome
        .iter()
        .flat_map(|o| {
            o.panels.iter().flat_map(|p| {
                p.seats
                    .iter()
                    .map(move |s| (p.subject, s.judge, s.pool.clone()))
            })
        })
        .collect();
    // Drafts of judges who lose their seat go with it.
    let draw_id = store::record_draw(
        c,
        &NewDraw {
            event_id: id,
            number,
            seed: &seed,
            input: &input_json,
            outcome: &outcome_json,
            reason: reason.as_deref(),
            drawn_by: Some(actor.user_id),
        },
        &seats,
        app.now(),
    )
    .await?;
    if event.is_calibration() {
        store::seat_everyone(c, id, draw_id).await?;
    }
    store::delete_unseated_drafts(c, id).await?;
    store::set_next_seed(c, id, None, app.now()).await?;
    if event.row.status == "planning" {
        store::set_status(c, id, "scoring", app.now()).await?;
    }
    audit::record(
        app,
        c,
        &Author::from(actor),
        if redraw {
            "assessment_event.redraw"
        } else {
            "assessment_event.draw"
        },
        "assessment_event",
        id,
        None::<&()>,
        Some(&serde_json::json!({
            "number": number,
            "seed": seed,
            "reason": reason,
            "panels": outcome.as_ref().map(|o| &o.panels),
        })),
    )
    .await?;
    let row = store::get_event(c, id).await?;
    let view = load_view(c, row).await?;
    tx.commit().await?;
    Ok(view)
}

/// A stored draw run again from its recorded seed and pools.
#[derive(Debug, Clone, Serialize)]
pub struct Replay {
    pub number: i32,
    pub seed: String,
    pub input: Option<DrawInput>,
    pub recorded: Option<DrawOutcome>,
    pub replayed: Option<DrawOutcome>,
    /// The replay gives exactly the recorded panels.
    pub identical: bool,
    /// Employee numbers and names of everyone in the input, for reading the panels.
    pub people: Vec<(i64, String, String)>,
}

pub async fn replay(app: &App, actor: &Actor, id: i64, number: i32) -> AppResult<Replay> {
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let event = Loaded::decode(store::get_event(c, id).await?)?;
    super::results_scope(actor, &event)?;
    let d = store::draws(c, id)
        .await?
        .into_iter()
        .find(|d| d.number == number)
        .ok_or(AppError::NotFound)?;
    let input: Option<DrawInput> =
        serde_json::from_str(&d.input).map_err(|e| anyhow::anyhow!("draw {} input: {e}", d.id))?;
    let recorded: Option<DrawOutcome> = serde_json::from_str(&d.outcome)
        .map_err(|e| anyhow::anyhow!("draw {} outcome: {e}", d.id))?;
    let replayed = input.as_ref().and_then(|i| draw::draw(i).ok());
    let mut ids: Vec<i64> = input
        .iter()
        .flat_map(|i| {
            i.pools
                .iter()
                .flat_map(|p| p.members.iter().map(|m| m.id))
                .chain(i.subjects.iter().map(|s| s.employee_id))
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let people = store::employee_names(c, &ids).await?;
    Ok(Replay {
        number: d.number,
        seed: d.seed,
        identical: replayed == recorded,
        input,
        recorded,
        replayed,
        people,
    })
}
