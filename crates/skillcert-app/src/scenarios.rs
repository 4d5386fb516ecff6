//! The scenario library: role-play, case and recorded-call cards kept as immutable versions
//! (an edit that changes something adds a version, so an assessment event keeps showing the
//! card its candidates faced), with archiving and skill tags.
//!
//! Cards are read with [`Permission::QuestionBank`] or [`Permission::AssessmentManage`]
//! (whoever plans events picks cards) and written with [`Permission::QuestionBank`] only:
//! the judges' notes are as confidential as an answer key.

use std::collections::HashSet;

use serde::Serialize;
use skillcert_domain::access::Permission;
use skillcert_domain::exam::skills::Skill;
use skillcert_domain::org::{FieldError, FieldReason};
use skillcert_domain::practical::scenario::{Scenario, ScenarioInput};
use skillcert_domain::text::Code;
use skillcert_store::questions as question_store;
use skillcert_store::scenarios::{self as store, ScenarioQuery, ScenarioRow, ScenarioVersion};
use skillcert_store::{Conn, Page};

use crate::audit::{self, Author};
use crate::error::on_conflict;
use crate::{Actor, App, AppError, AppResult};

/// A card with its current version and every version, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioDetail {
    #[serde(flatten)]
    pub row: ScenarioRow,
    pub current: ScenarioVersion,
    /// Every version, newest first (the current one included).
    pub history: Vec<ScenarioVersion>,
}

/// A card as listed, with the skill codes of its current version.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioListItem {
    #[serde(flatten)]
    pub row: ScenarioRow,
    pub skills: Vec<String>,
}

/// What the audit log records of a card version.
#[derive(Debug, Serialize)]
struct ScenarioAudit<'a> {
    code: &'a str,
    version: i32,
    scenario: &'a Scenario,
}

/// Fails with `Forbidden` unless the actor may read cards. Judges read them too: the
/// judges' notes and expected behaviours are written for them.
fn require_read(actor: &Actor) -> AppResult<()> {
    if actor.can(Permission::QuestionBank)
        || actor.can(Permission::AssessmentManage)
        || actor.can(Permission::AssessmentJudge)
    {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Whether the actor may write cards (pages use it to hide buttons).
pub fn can_write(actor: &Actor) -> bool {
    actor.can(Permission::QuestionBank)
}

/// The competency model the cards are tagged from.
pub async fn list_skills(app: &App, actor: &Actor) -> AppResult<Vec<Skill>> {
    require_read(actor)?;
    let mut r = app.db.read().await?;
    Ok(question_store::skills(&mut r.conn()).await?)
}

/// One page of the library.
pub async fn list_scenarios(
    app: &App,
    actor: &Actor,
    q: &ScenarioQuery,
) -> AppResult<Page<ScenarioListItem>> {
    require_read(actor)?;
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    let page = store::list(&mut c, q).await?;
    let ids: Vec<i64> = page.items.iter().map(|s| s.id).collect();
    let mut skills = store::tags(&mut c, &ids).await?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|row| ScenarioListItem {
                skills: skills.remove(&row.id).unwrap_or_default(),
                row,
            })
            .collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    })
}

async fn detail(c: &mut Conn<'_>, id: i64) -> AppResult<ScenarioDetail> {
    let row = store::get(c, id).await?;
    let current = store::current(c, id).await?;
    let history = store::history(c, id).await?;
    Ok(ScenarioDetail {
        row,
        current,
        history,
    })
}

/// A card with its current version and its history.
pub async fn get_scenario(app: &App, actor: &Actor, id: i64) -> AppResult<ScenarioDetail> {
    require_read(actor)?;
    let mut r = app.db.read().await?;
    detail(&mut r.conn(), id).await
}

/// Version number `version` of card `id`.
pub async fn get_version(
    app: &App,
    actor: &Actor,
    id: i64,
    version: i32,
) -> AppResult<ScenarioVersion> {
    require_read(actor)?;
    let mut r = app.db.read().await?;
    Ok(store::version(&mut r.conn(), id, version).await?)
}

/// The version with this id, for events that recorded it. No permission check: the caller
/// has already decided the actor may see the event that points at it.
pub async fn version_by_id(app: &App, version_id: i64) -> AppResult<ScenarioVersion> {
    let mut r = app.db.read().await?;
    Ok(store::version_by_id(&mut r.conn(), version_id).await?)
}

/// The id of the current version of card `scenario_id`, which an event records when it
/// takes the card.
pub async fn current_version_id(app: &App, scenario_id: i64) -> AppResult<i64> {
    let mut r = app.db.read().await?;
    Ok(store::current_version_id(&mut r.conn(), scenario_id).await?)
}

async fn skill_codes(c: &mut Conn<'_>) -> AppResult<HashSet<String>> {
    Ok(question_store::skills(c)
        .await?
        .into_iter()
        .map(|s| s.code)
        .collect())
}

/// Adds a card as version 1. `code` is the given code, or `None` (or blank) for a generated
/// one (`SC000123`).
pub async fn create_scenario(
    app: &App,
    actor: &Actor,
    code: Option<&str>,
    input: &ScenarioInput,
) -> AppResult<ScenarioDetail> {
    actor.require(Permission::QuestionBank)?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let skills = skill_codes(&mut c).await?;
    let mut errors: Vec<FieldError> = Vec::new();
    let code = match code.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => match Code::parse(raw) {
            Ok(code) => {
                if store::code_exists(&mut c, code.as_str()).await? {
                    errors.push(FieldError::new("code", FieldReason::Duplicate));
                }
                Some(code.as_str().to_string())
            }
            Err(e) => {
                errors.push(FieldError::new("code", e));
                None
            }
        },
    };
    let scenario = match input.validate(&|s| skills.contains(s)) {
        Ok(s) => Some(s),
        Err(es) => {
            errors.extend(es);
            None
        }
    };
    let Some(scenario) = scenario.filter(|_| errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let code = match code {
        Some(code) => code,
        None => store::next_code(&mut c).await?,
    };
    let (id, _) = store::insert(&mut c, &code, &scenario, Some(actor.user_id), app.now())
        .await
        .map_err(on_conflict("code"))?;
    let after = ScenarioAudit {
        code: &code,
        version: 1,
        scenario: &scenario,
    };
    audit::created(app, &mut c, &Author::from(actor), "scenario", id, &after).await?;
    let d = detail(&mut c, id).await?;
    tx.commit().await?;
    Ok(d)
}

/// Saves `input` as the next version of card `id` when it differs from the current one;
/// returns the card and whether a version was added. Saving an unchanged form adds nothing
/// and records nothing, so the history lists real changes only.
pub async fn update_scenario(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ScenarioInput,
) -> AppResult<(ScenarioDetail, bool)> {
    actor.require(Permission::QuestionBank)?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let before_row = store::get(&mut c, id).await?;
    let before = store::current(&mut c, id).await?;
    let skills = skill_codes(&mut c).await?;
    let scenario = input.validate(&|s| skills.contains(s))?;
    if scenario == before.scenario {
        let d = detail(&mut c, id).await?;
        return Ok((d, false));
    }
    let after_row =
        store::add_version(&mut c, id, &scenario, Some(actor.user_id), app.now()).await?;
    audit::updated(
        app,
        &mut c,
        &Author::from(actor),
        "scenario",
        id,
        &ScenarioAudit {
            code: &before_row.code,
            version: before.version,
            scenario: &before.scenario,
        },
        &ScenarioAudit {
            code: &after_row.code,
            version: after_row.version,
            scenario: &scenario,
        },
    )
    .await?;
    let d = detail(&mut c, id).await?;
    tx.commit().await?;
    Ok((d, true))
}

/// Archives (`true`) or restores (`false`) a card. Archived cards keep their versions and
/// stay readable (past events point at them) but are not offered to new events.
pub async fn set_archived(
    app: &App,
    actor: &Actor,
    id: i64,
    archived: bool,
) -> AppResult<ScenarioRow> {
    actor.require(Permission::QuestionBank)?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let before = store::get(&mut c, id).await?;
    if before.archived == archived {
        return Ok(before);
    }
    store::set_archived(&mut c, id, archived, app.now()).await?;
    let after = store::get(&mut c, id).await?;
    let action = if archived {
        "scenario.archive"
    } else {
        "scenario.restore"
    };
    audit::record(
        app,
        &mut c,
        &Author::from(actor),
        action,
        "scenario",
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
