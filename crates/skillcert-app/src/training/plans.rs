//! Annual training plans with dated stages and per-topic plans (S1 template 2, S3).
//!
//! A plan is the year's frame: a code, a title and dated stages (e.g. "Q1 onboarding",
//! "Q2 advanced topics"). Its per-topic plans are its sessions (`training_sessions` with the
//! plan's id): each carries the topic, the measurable goal, dates, place or link, lecturer,
//! target group, outline, materials, assessment method, capacity and whether it is
//! mandatory. A plan is drafted (also from a needs analysis), published for everyone to see,
//! and archived at the end of the year; an archived plan no longer changes.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use skillcert_domain::access::Permission;
use skillcert_domain::org::{FieldError, FieldReason};
use skillcert_domain::text::clean;
use skillcert_store::training::{
    self as store, PlanFields, PlanQuery, PlanRow, PlanSummary, SessionQuery, SessionSummary,
};
use skillcert_store::{Conn, Page};

use crate::audit::{self, Author};
use crate::error::on_conflict;
use crate::{Actor, App, AppError, AppResult, Problem};

/// Refusal codes of this area; each has a locale key `problem-<code>`.
pub const ERROR_CODES: &[&str] = &[
    "plan-year-range",
    "plan-stage-order",
    "plan-stage-outside-year",
    "plan-stages-too-many",
    "plan-status-step",
    "plan-archived",
];

/// Inbox message kinds of this area; each is a locale key taking the params named in its text.
pub const INBOX_KINDS: &[&str] = &[];

/// Plan statuses as stored, in their order.
pub const STATUSES: [&str; 3] = ["draft", "published", "archived"];
pub const TITLE_MAX: usize = 100;
pub const STAGE_NAME_MAX: usize = 60;
pub const STAGES_MAX: usize = 12;

fn rejected(field: impl Into<String>, code: &'static str) -> AppError {
    AppError::Rejected(vec![Problem::new(field, code)])
}

/// One dated stage of the year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stage {
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// A stage as typed: dates as `YYYY-MM-DD` text.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StageInput {
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
}

/// A plan as typed on the form or sent to the API.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanInput {
    pub code: String,
    #[serde(deserialize_with = "super::sessions::lenient_text")]
    pub year: String,
    pub title: String,
    /// Stages with every field blank are ignored (empty form rows).
    pub stages: Vec<StageInput>,
    pub source_survey_id: Option<i64>,
}

/// A plan with its stages decoded and its topics (sessions).
#[derive(Debug, Clone, Serialize)]
pub struct PlanDetail {
    pub plan: PlanRow,
    pub stages: Vec<Stage>,
    /// The per-topic plans, by start.
    pub topics: Vec<SessionSummary>,
    /// Statuses the actor may move the plan to now.
    pub next_statuses: Vec<&'static str>,
    pub may_manage: bool,
}

/// Decodes the stored stages; a row written by another version that cannot be read shows as
/// no stages rather than failing the page.
pub fn decode_stages(raw: &str) -> Vec<Stage> {
    serde_json::from_str(raw).unwrap_or_default()
}

fn date(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok()
}

/// Checks the input: text and dates first (`validation`), then the rules (`rejected`).
fn validate(input: &PlanInput) -> AppResult<(PlanFields, Vec<Stage>)> {
    let mut errors = Vec::new();
    let code = match skillcert_domain::text::Code::parse(&input.code) {
        Ok(c) => c.as_str().to_string(),
        Err(e) => {
            errors.push(FieldError::new("code", e));
            String::new()
        }
    };
    let title = clean(&input.title, TITLE_MAX).unwrap_or_else(|e| {
        errors.push(FieldError::new("title", e));
        String::new()
    });
    let year = match input.year.trim().parse::<i32>() {
        Ok(y) => Some(y),
        Err(_) => {
            errors.push(FieldError::new("year", FieldReason::BadNumber));
            None
        }
    };
    let mut stages = Vec::new();
    let rows: Vec<&StageInput> = input
        .stages
        .iter()
        .filter(|s| {
            !(s.name.trim().is_empty()
                && s.starts_on.trim().is_empty()
                && s.ends_on.trim().is_empty())
        })
        .collect();
    for s in &rows {
        let name = clean(&s.name, STAGE_NAME_MAX);
        let (starts, ends) = (date(&s.starts_on), date(&s.ends_on));
        match (name, starts, ends) {
            (Ok(name), Some(starts_on), Some(ends_on)) => stages.push(Stage {
                name,
                starts_on,
                ends_on,
            }),
            (Err(e), _, _) => errors.push(FieldError::new("stages", e)),
            _ => errors.push(FieldError::new("stages", FieldReason::BadDate)),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let year = year.unwrap_or_default();
    let mut problems = Vec::new();
    if !(2000..=2100).contains(&year) {
        problems.push(Problem::new("year", "plan-year-range"));
    }
    if stages.len() > STAGES_MAX {
        problems.push(Problem::new("stages", "plan-stages-too-many"));
    }
    for (i, s) in stages.iter().enumerate() {
        if s.ends_on < s.starts_on {
            problems.push(Problem::new(format!("stages[{i}]"), "plan-stage-order"));
        } else if s.starts_on.year() != year || s.ends_on.year() != year {
            problems.push(Problem::new(
                format!("stages[{i}]"),
                "plan-stage-outside-year",
            ));
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Rejected(problems));
    }
    stages.sort_by_key(|s| (s.starts_on, s.ends_on));
    let fields = PlanFields {
        code,
        year,
        title,
        stages: serde_json::to_string(&stages).map_err(anyhow::Error::from)?,
        source_survey_id: input.source_survey_id,
    };
    Ok((fields, stages))
}

/// Creates a draft plan. Needs `TrainingManage`.
pub async fn create(app: &App, actor: &Actor, input: &PlanInput) -> AppResult<PlanRow> {
    actor.require(Permission::TrainingManage)?;
    let (fields, _) = validate(input)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    if store::plan_by_code(c, &fields.code).await?.is_some() {
        return Err(AppError::field("code", FieldReason::Duplicate));
    }
    let row = store::insert_plan(c, &fields, Some(actor.user_id), app.now())
        .await
        .map_err(on_conflict("code"))?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "training_plan.create",
        "training_plan",
        row.id,
        None::<&()>,
        Some(&row),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Rewrites a plan (not once archived). Needs `TrainingManage`.
pub async fn update(app: &App, actor: &Actor, id: i64, input: &PlanInput) -> AppResult<PlanRow> {
    actor.require(Permission::TrainingManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let before = store::get_plan(c, id).await?;
    let (fields, _) = validate(input)?;
    if before.status == "archived" {
        return Err(rejected("status", "plan-archived"));
    }
    if let Some(other) = store::plan_by_code(c, &fields.code).await?
        && other.id != id
    {
        return Err(AppError::field("code", FieldReason::Duplicate));
    }
    if !store::update_plan(c, id, &fields, app.now())
        .await
        .map_err(on_conflict("code"))?
    {
        return Err(rejected("status", "plan-archived"));
    }
    let after = store::get_plan(c, id).await?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "training_plan.update",
        "training_plan",
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The steps a plan may take from `status`: a draft is published, a published plan goes
/// back to draft (to rework it) or is archived; an archived plan stays.
pub fn next_statuses(status: &str) -> Vec<&'static str> {
    match status {
        "draft" => vec!["published", "archived"],
        "published" => vec!["draft", "archived"],
        _ => Vec::new(),
    }
}

/// Moves a plan to `to` along [`next_statuses`]. Needs `TrainingManage`.
pub async fn set_status(app: &App, actor: &Actor, id: i64, to: &str) -> AppResult<PlanRow> {
    actor.require(Permission::TrainingManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let before = store::get_plan(c, id).await?;
    let to = to.trim();
    let Some(to) = next_statuses(&before.status).into_iter().find(|s| *s == to) else {
        return Err(rejected("status", "plan-status-step"));
    };
    if !store::set_plan_status(c, id, &before.status, to, app.now()).await? {
        return Err(rejected("status", "plan-status-step"));
    }
    let after = store::get_plan(c, id).await?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "training_plan.status",
        "training_plan",
        id,
        Some(&serde_json::json!({"status": before.status})),
        Some(&serde_json::json!({"status": after.status})),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Every session of a plan, by start (a plan has dozens, not thousands).
pub(crate) async fn topics_of(c: &mut Conn<'_>, plan_id: i64) -> AppResult<Vec<SessionSummary>> {
    Ok(store::list_sessions(
        c,
        &SessionQuery {
            plan_id: Some(plan_id),
            page: 1,
            per_page: 500,
            ..SessionQuery::default()
        },
    )
    .await?
    .items)
}

/// A plan with its stages and topics. Needs `TrainingRead`.
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<PlanDetail> {
    actor.require(Permission::TrainingRead)?;
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let plan = store::get_plan(c, id).await?;
    let topics = topics_of(c, id).await?;
    let may_manage = actor.can(Permission::TrainingManage);
    Ok(PlanDetail {
        stages: decode_stages(&plan.stages),
        next_statuses: if may_manage {
            next_statuses(&plan.status)
        } else {
            Vec::new()
        },
        may_manage,
        topics,
        plan,
    })
}

/// Plans, newest year first. Needs `TrainingRead`.
pub async fn list(app: &App, actor: &Actor, q: &PlanQuery) -> AppResult<Page<PlanSummary>> {
    actor.require(Permission::TrainingRead)?;
    let mut r = app.db.read().await?;
    Ok(store::list_plans(&mut r.conn(), q).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> PlanInput {
        PlanInput {
            code: "PLAN-T".into(),
            year: "2026".into(),
            title: "年度培训计划".into(),
            stages: vec![
                StageInput {
                    name: "二季度".into(),
                    starts_on: "2026-04-01".into(),
                    ends_on: "2026-06-30".into(),
                },
                StageInput::default(),
                StageInput {
                    name: "一季度".into(),
                    starts_on: "2026-01-01".into(),
                    ends_on: "2026-03-31".into(),
                },
            ],
            source_survey_id: None,
        }
    }

    #[test]
    fn stages_are_checked_and_sorted() {
        let (fields, stages) = validate(&input()).unwrap();
        assert_eq!(fields.year, 2026);
        assert_eq!(stages.len(), 2, "the blank row is ignored");
        assert_eq!(stages[0].name, "一季度");
        assert_eq!(decode_stages(&fields.stages), stages);
    }

    #[test]
    fn bad_stages_are_refused_with_their_reason() {
        let mut i = input();
        i.stages[0].ends_on = "2026-03-01".into();
        let Err(AppError::Rejected(p)) = validate(&i) else {
            panic!("refused")
        };
        assert_eq!(p[0].code, "plan-stage-order");
        let mut i = input();
        i.stages[0].ends_on = "2027-01-05".into();
        let Err(AppError::Rejected(p)) = validate(&i) else {
            panic!("refused")
        };
        assert_eq!(p[0].code, "plan-stage-outside-year");
        let mut i = input();
        i.stages[0].starts_on = "April".into();
        assert!(matches!(validate(&i), Err(AppError::Validation(_))));
        let mut i = input();
        i.year = "1900".into();
        let Err(AppError::Rejected(p)) = validate(&i) else {
            panic!("refused")
        };
        assert!(p.iter().any(|p| p.code == "plan-year-range"));
    }

    #[test]
    fn status_steps() {
        assert_eq!(next_statuses("draft"), vec!["published", "archived"]);
        assert!(next_statuses("archived").is_empty());
    }
}
