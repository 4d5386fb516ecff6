//! Planning an assessment event: date, place, scenarios, rubric (frozen into the event),
//! the scheme component it feeds, the pools of judges and their quotas, the candidates in
//! order (or, for a calibration, the recordings with their reference scores), conflicts
//! declared by hand, and the other components' scores typed in per candidate.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use skillcert_domain::access::Permission;
use skillcert_domain::org::{Checker, FieldError, FieldReason};
use skillcert_domain::practical::draw::{self, ConflictRules, DrawScope, Judge, Pool, PoolSpec};
use skillcert_domain::practical::rules::PanelRules;
use skillcert_domain::scheme::{Labels, PanelPolicy, Score, SourceKind, Trim};
use skillcert_domain::text::{Code, clean};
use skillcert_store::practical::{
    self as store, ConflictRow, DrawRow, EventFields, EventQuery, EventScenarioRow, EventSummary,
    NewSubject, PoolMemberRow, SeatRow, SubjectRow,
};
use skillcert_store::{Conn, Page, org};

use super::{Loaded, StoredRules, employee_numbers};
use crate::audit::{self, Author};
use crate::schemes::{self, Pick};
use crate::{Actor, App, AppError, AppResult, Problem};

pub const TITLE_MAX: usize = 100;
pub const PLACE_MAX: usize = 100;
pub const LABEL_MAX: usize = 100;
pub const REASON_MAX: usize = 200;
/// Pools an event may have (the form shows this many rows).
pub const POOLS_MAX: usize = 4;

/// One pool of judges as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PoolInput {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
    pub quota: String,
    /// Employee numbers of the members.
    pub members: String,
}

/// The event form or API body; every field as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EventInput {
    pub code: String,
    pub title: String,
    /// `assessment` or `calibration`.
    pub kind: String,
    /// `YYYY-MM-DD`.
    pub held_on: String,
    pub place: String,
    /// The scheme the result feeds, or empty.
    pub scheme_key: String,
    /// Its panel component; empty picks the scheme's first panel component.
    pub component_key: String,
    pub rubric_key: String,
    /// Empty for the latest version.
    pub rubric_version: String,
    /// Username of the chief judge, or empty.
    pub chief: String,
    /// `event` (one panel for everyone) or `subject` (a panel per candidate).
    pub scope: String,
    pub pools: Vec<PoolInput>,
    /// Conflicts excluded automatically; absent means yes.
    pub exclude_supervisor: Option<bool>,
    pub exclude_mentor: Option<bool>,
    pub exclude_same_unit: Option<bool>,
    /// Judges see each other's marks only after all have submitted; absent means yes.
    pub blind: Option<bool>,
    /// Trimming when no scheme gives it.
    pub min_marks: String,
    pub drop_highest: String,
    pub drop_lowest: String,
    /// `total` or `per_item`.
    pub trim: String,
    /// Range of kept marks above which a result is held; empty for none.
    pub tolerance: String,
    /// Scenario codes in order.
    pub scenarios: String,
}

/// An event as pages and the API show it.
#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    #[serde(flatten)]
    pub row: store::EventRow,
    pub rules: StoredRules,
    pub rubric_labels: Labels,
    pub rubric_max: u32,
    pub chief: Option<String>,
    pub scenarios: Vec<EventScenarioRow>,
    pub subjects: Vec<SubjectRow>,
    pub pools: Vec<PoolMemberRow>,
    pub conflicts: Vec<ConflictRow>,
    pub draws: Vec<DrawRow>,
    pub seats: Vec<SeatRow>,
}

impl EventView {
    /// Seats of one subject.
    pub fn seats_of(&self, subject_id: i64) -> impl Iterator<Item = &SeatRow> {
        self.seats
            .iter()
            .filter(move |s| s.subject_id == subject_id)
    }
}

fn number(ck: &mut Checker, field: &'static str, raw: &str, default: u32) -> Option<u32> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Some(default);
    }
    match raw.parse::<u32>() {
        Ok(n) if n <= 99 => Some(n),
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

/// The fields of an event after the checks that need no database.
struct Checked {
    code: String,
    title: String,
    kind: String,
    held_on: NaiveDate,
    place: String,
    scope: DrawScope,
    pools: Vec<(PoolSpec, Vec<String>)>,
    conflicts: ConflictRules,
    blind: bool,
    own_policy: Option<PanelPolicy>,
}

impl EventInput {
    fn check(&self) -> Result<Checked, Vec<FieldError>> {
        let mut ck = Checker::default();
        let code = ck.check("code", Code::parse(&self.code));
        let title = ck.check("title", clean(&self.title, TITLE_MAX));
        let kind = match self.kind.trim() {
            "" | "assessment" => Some("assessment".to_string()),
            "calibration" => Some("calibration".to_string()),
            _ => {
                ck.push("kind", FieldReason::NotAllowed);
                None
            }
        };
        let held_on = match NaiveDate::parse_from_str(self.held_on.trim(), "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                ck.push("held_on", FieldReason::BadDate);
                None
            }
        };
        let place = ck.check("place", clean(&self.place, PLACE_MAX));
        let scope = match self.scope.trim() {
            "" | "event" => Some(DrawScope::Event),
            "subject" => Some(DrawScope::Subject),
            _ => {
                ck.push("scope", FieldReason::NotAllowed);
                None
            }
        };
        let mut pools = Vec::new();
        let typed: Vec<&PoolInput> = self
            .pools
            .iter()
            .filter(|p| !(p.key.trim().is_empty() && p.members.trim().is_empty()))
            .collect();
        if typed.is_empty() {
            ck.push(
                "pools",
                FieldReason::Text(skillcert_domain::text::TextError::Empty),
            );
        }
        if typed.len() > POOLS_MAX {
            ck.push("pools", FieldReason::TooMany);
        }
        for p in typed {
            let key = p.key.trim().to_string();
            if !skillcert_domain::scheme::is_valid_key(&key) {
                ck.push("pools", FieldReason::NotAllowed);
            }
            let zh = clean(&p.name_zh, LABEL_MAX).unwrap_or_else(|_| key.clone());
            let en = clean(&p.name_en, LABEL_MAX).unwrap_or_else(|_| key.clone());
            let quota = match p.quota.trim().parse::<u32>() {
                Ok(q) if q <= 50 => q,
                Ok(_) => {
                    ck.push("pools", FieldReason::OutOfRange);
                    0
                }
                Err(_) => {
                    ck.push("pools", FieldReason::BadNumber);
                    0
                }
            };
            let members: Vec<String> = employee_numbers(&p.members)
                .into_iter()
                .map(str::to_string)
                .collect();
            pools.push((
                PoolSpec {
                    key,
                    labels: Labels::new(&zh, &en),
                    quota,
                },
                members,
            ));
        }
        let min = number(&mut ck, "min_marks", &self.min_marks, 1);
        let high = number(&mut ck, "drop_highest", &self.drop_highest, 0);
        let low = number(&mut ck, "drop_lowest", &self.drop_lowest, 0);
        let trim = match self.trim.trim() {
            "" | "total" => Some(Trim::Total),
            "per_item" => Some(Trim::PerItem),
            _ => {
                ck.push("trim", FieldReason::NotAllowed);
                None
            }
        };
        let tolerance = match self.tolerance.trim() {
            "" => Some(None),
            t => match Score::parse(t) {
                Ok(s) => Some(Some(s)),
                Err(_) => {
                    ck.push("tolerance", FieldReason::BadNumber);
                    None
                }
            },
        };
        let own_policy = match (min, high, low, trim, tolerance) {
            (Some(min), Some(high), Some(low), Some(trim), Some(tolerance)) => Some(PanelPolicy {
                min_marks: min.max(1),
                drop_highest: high,
                drop_lowest: low,
                trim,
                divergence_tolerance: tolerance,
            }),
            _ => None,
        };
        let value = match (code, title, kind, held_on, place, scope) {
            (Some(code), Some(title), Some(kind), Some(held_on), Some(place), Some(scope)) => {
                Some(Checked {
                    code: code.into(),
                    title,
                    kind,
                    held_on,
                    place,
                    scope,
                    pools,
                    conflicts: ConflictRules {
                        supervisor: self.exclude_supervisor.unwrap_or(true),
                        mentor: self.exclude_mentor.unwrap_or(true),
                        same_unit: self.exclude_same_unit.unwrap_or(true),
                    },
                    blind: self.blind.unwrap_or(true),
                    own_policy,
                })
            }
            _ => None,
        };
        ck.finish(value)
    }
}

/// Everything the planning form and the detail page need from the database.
struct Resolved {
    fields: EventFields,
    pools: Vec<(String, Vec<i64>)>,
    scenario_versions: Vec<i64>,
}

async fn resolve(
    app: &App,
    c: &mut Conn<'_>,
    input: &EventInput,
) -> AppResult<(Resolved, StoredRules)> {
    let f = input.check().map_err(AppError::Validation)?;
    let calibration = f.kind == "calibration";
    // The rubric, frozen into the event.
    let version = match input.rubric_version.trim() {
        "" => None,
        v => Some(
            v.parse::<u32>()
                .map_err(|_| AppError::field("rubric_version", FieldReason::BadNumber))?,
        ),
    };
    let rubric_key = input.rubric_key.trim();
    if rubric_key.is_empty() {
        return Err(AppError::field(
            "rubric_key",
            FieldReason::Text(skillcert_domain::text::TextError::Empty),
        ));
    }
    let rubric = match crate::rubrics::resolve(app, rubric_key, version).await {
        Ok(r) => r,
        Err(AppError::NotFound) => {
            return Err(AppError::field("rubric_key", FieldReason::NotFound));
        }
        Err(e) => return Err(e),
    };
    // The scheme and its panel component give the trimming policy.
    let (scheme_key, component_key, scheme_version, policy) = match input.scheme_key.trim() {
        "" => (None, None, None, f.own_policy.clone()),
        key => {
            let v = match schemes::load(c, key, Pick::Latest).await {
                Ok(v) => v,
                Err(AppError::NotFound) => {
                    return Err(AppError::field("scheme_key", FieldReason::NotFound));
                }
                Err(e) => return Err(e),
            };
            let wanted = input.component_key.trim();
            let comp = v
                .scheme
                .components()
                .iter()
                .find(|c| c.source == SourceKind::Panel && (wanted.is_empty() || c.key == wanted))
                .ok_or_else(|| AppError::field("component_key", FieldReason::NotFound))?;
            (
                Some(key.to_string()),
                Some(comp.key.clone()),
                Some(v.pick().as_param()),
                comp.panel.clone(),
            )
        }
    };
    let policy = policy.ok_or_else(|| AppError::field("min_marks", FieldReason::BadNumber))?;
    let rules = StoredRules {
        panel: PanelRules {
            pools: f.pools.iter().map(|(p, _)| p.clone()).collect(),
            scope: f.scope,
            conflicts: f.conflicts,
            blind: f.blind,
            policy,
        },
        scheme_version,
    };
    let problems: Vec<Problem> = rules
        .panel
        .check(&rubric.rubric, calibration)
        .iter()
        .map(|e| Problem::new("pools", e.code()))
        .collect();
    if !problems.is_empty() {
        return Err(AppError::Rejected(problems));
    }
    // Pool members by employee number; an impossible quota is refused before any draw.
    let mut pools = Vec::new();
    let mut domain_pools = Vec::new();
    for (spec, numbers) in &f.pools {
        let mut ids = Vec::new();
        let mut judges = Vec::new();
        for no in numbers {
            let e = org::find_employee_by_no(c, no)
                .await?
                .ok_or_else(|| AppError::field("pools", FieldReason::NotFound))?;
            if !ids.contains(&e.id) {
                ids.push(e.id);
                judges.push(Judge {
                    id: e.id,
                    unit_id: e.unit_id,
                });
            }
        }
        pools.push((spec.key.clone(), ids));
        domain_pools.push(Pool {
            key: spec.key.clone(),
            quota: spec.quota,
            members: judges,
        });
    }
    if !calibration && let Err(e) = draw::check_pools(&domain_pools) {
        return Err(AppError::Rejected(vec![super::draw::draw_problem(&e)]));
    }
    let chief_user_id = match input.chief.trim() {
        "" => None,
        name => Some(
            store::user_by_username(c, name)
                .await?
                .ok_or_else(|| AppError::field("chief", FieldReason::NotFound))?
                .0,
        ),
    };
    let mut scenario_versions = Vec::new();
    for code in employee_numbers(&input.scenarios) {
        let (id, _) = store::scenario_by_code(c, code)
            .await?
            .ok_or_else(|| AppError::field("scenarios", FieldReason::NotFound))?;
        if !scenario_versions.contains(&id) {
            scenario_versions.push(id);
        }
    }
    let fields = EventFields {
        code: f.code,
        title: f.title,
        kind: f.kind,
        held_on: f.held_on,
        place: f.place,
        scheme_key,
        component_key,
        rubric_key: rubric.key.clone(),
        rubric_version: i32::try_from(rubric.version).unwrap_or(i32::MAX),
        rubric: rubric.document.clone(),
        rules: serde_json::to_string(&rules).map_err(anyhow::Error::from)?,
        chief_user_id,
    };
    Ok((
        Resolved {
            fields,
            pools,
            scenario_versions,
        },
        rules,
    ))
}

pub async fn create(app: &App, actor: &Actor, input: &EventInput) -> AppResult<EventView> {
    actor.require(Permission::AssessmentManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let (r, _) = resolve(app, c, input).await?;
    let row = store::insert_event(c, &r.fields, app.now())
        .await
        .map_err(crate::error::on_conflict("code"))?;
    store::set_pool_members(c, row.id, &r.pools).await?;
    store::set_event_scenarios(c, row.id, &r.scenario_versions).await?;
    let view = load_view(c, row).await?;
    audit::created(
        app,
        c,
        &Author::from(actor),
        "assessment_event",
        view.row.id,
        &view,
    )
    .await?;
    tx.commit().await?;
    Ok(view)
}

/// Changes an event still being planned (before its first draw).
pub async fn update(app: &App, actor: &Actor, id: i64, input: &EventInput) -> AppResult<EventView> {
    actor.require(Permission::AssessmentManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let row = store::get_event(c, id).await?;
    let before = load_view(c, row).await?;
    if before.row.status != "planning" {
        return Err(AppError::Conflict("event-not-planning"));
    }
    let (r, _) = resolve(app, c, input).await?;
    let row = store::update_event(c, id, &r.fields, app.now())
        .await
        .map_err(crate::error::on_conflict("code"))?;
    store::set_pool_members(c, id, &r.pools).await?;
    store::set_event_scenarios(c, id, &r.scenario_versions).await?;
    let after = load_view(c, row).await?;
    audit::updated(
        app,
        c,
        &Author::from(actor),
        "assessment_event",
        id,
        &before,
        &after,
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub(crate) async fn load_view(c: &mut Conn<'_>, row: store::EventRow) -> AppResult<EventView> {
    let loaded = Loaded::decode(row)?;
    let id = loaded.row.id;
    let chief = match loaded.row.chief_user_id {
        Some(u) => store::username_of(c, u).await?,
        None => None,
    };
    Ok(EventView {
        rubric_labels: loaded.rubric.labels().clone(),
        rubric_max: loaded.rubric.max_points(),
        rules: loaded.rules,
        row: loaded.row,
        chief,
        scenarios: store::event_scenarios(c, id).await?,
        subjects: store::subjects(c, id).await?,
        pools: store::pool_members(c, id).await?,
        conflicts: store::conflicts(c, id).await?,
        draws: store::draws(c, id).await?,
        seats: store::seats(c, id).await?,
    })
}

/// An event for its planners, its chief judge and readers of results.
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<EventView> {
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let row = store::get_event(c, id).await?;
    let loaded = Loaded::decode(row.clone())?;
    super::results_scope(actor, &loaded)?;
    load_view(c, row).await
}

pub async fn list(app: &App, actor: &Actor, q: &EventQuery) -> AppResult<Page<EventSummary>> {
    if !actor.can(Permission::AssessmentManage) && !actor.can(Permission::AssessmentResults) {
        return Err(AppError::Forbidden);
    }
    let mut r = app.db.read().await?;
    Ok(store::list_events(&mut r.conn(), q).await?)
}

/// Candidates (employee numbers, in assessment order) or recordings (one per line,
/// `label | reference score`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SubjectsInput {
    pub candidates: String,
    pub recordings: String,
}

pub async fn set_subjects(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &SubjectsInput,
) -> AppResult<EventView> {
    actor.require(Permission::AssessmentManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let row = store::get_event(c, id).await?;
    let before = load_view(c, row).await?;
    if before.row.status != "planning" {
        return Err(AppError::Conflict("event-not-planning"));
    }
    let mut list = Vec::new();
    if before.row.kind == "calibration" {
        for line in input
            .recordings
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            let (label, reference) = match line.rsplit_once(['|', '｜']) {
                Some((l, r)) => (l.trim(), Some(r.trim())),
                None => (line, None),
            };
            let label = clean(label, LABEL_MAX)
                .map_err(|e| AppError::field("recordings", FieldReason::Text(e)))?;
            let reference = match reference.filter(|r| !r.is_empty()) {
                Some(r) => Some(
                    Score::parse(r)
                        .map_err(|_| AppError::field("recordings", FieldReason::BadNumber))?,
                ),
                None => None,
            };
            list.push(NewSubject {
                employee_id: None,
                label,
                reference: reference.map(|s| i32::try_from(s.hundredths()).unwrap_or(0)),
            });
        }
    } else {
        let mut seen = Vec::new();
        for no in employee_numbers(&input.candidates) {
            let e = org::find_employee_by_no(c, no)
                .await?
                .ok_or_else(|| AppError::field("candidates", FieldReason::NotFound))?;
            if seen.contains(&e.id) {
                return Err(AppError::field("candidates", FieldReason::Duplicate));
            }
            seen.push(e.id);
            list.push(NewSubject {
                employee_id: Some(e.id),
                label: e.employee_no.clone(),
                reference: None,
            });
        }
    }
    if list.len() > 500 {
        return Err(AppError::field("candidates", FieldReason::TooMany));
    }
    store::set_subjects(c, id, &list).await?;
    let row = store::get_event(c, id).await?;
    let after = load_view(c, row).await?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "assessment_event.subjects",
        "assessment_event",
        id,
        Some(&before.subjects),
        Some(&after.subjects),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// A conflict declared by hand: the judge will not sit on the candidate's panel.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ConflictInput {
    /// Employee number of the judge.
    pub judge: String,
    pub subject_id: i64,
    pub reason: String,
}

pub async fn add_conflict(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ConflictInput,
) -> AppResult<EventView> {
    actor.require(Permission::AssessmentManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let event = store::get_event(c, id).await?;
    if event.status == "closed" {
        return Err(AppError::Conflict("event-closed"));
    }
    let mut ck = Checker::default();
    let reason = ck.check("reason", clean(&input.reason, REASON_MAX));
    let judge = org::find_employee_by_no(c, input.judge.trim()).await?;
    if judge.is_none() {
        ck.push("judge", FieldReason::NotFound);
    }
    let subject = store::subject(c, input.subject_id).await.ok();
    if subject.as_ref().is_none_or(|s| s.event_id != id) {
        ck.push("subject_id", FieldReason::NotFound);
    }
    let (reason, judge) = ck.finish(reason.zip(judge)).map_err(AppError::Validation)?;
    store::add_conflict(c, id, judge.id, input.subject_id, &reason)
        .await
        .map_err(crate::error::on_conflict("judge"))?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "event_conflict.create",
        "event_conflict",
        format!("{id}:{}:{}", judge.id, input.subject_id),
        None::<&()>,
        Some(&serde_json::json!({
            "judge": judge.employee_no,
            "subject_id": input.subject_id,
            "reason": reason,
        })),
    )
    .await?;
    let row = store::get_event(c, id).await?;
    let view = load_view(c, row).await?;
    tx.commit().await?;
    Ok(view)
}

pub async fn remove_conflict(
    app: &App,
    actor: &Actor,
    id: i64,
    judge_id: i64,
    subject_id: i64,
) -> AppResult<EventView> {
    actor.require(Permission::AssessmentManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    if !store::remove_conflict(c, id, judge_id, subject_id).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        app,
        c,
        &Author::from(actor),
        "event_conflict.delete",
        "event_conflict",
        format!("{id}:{judge_id}:{subject_id}"),
        Some(&serde_json::json!({ "judge_id": judge_id, "subject_id": subject_id })),
        None::<&()>,
    )
    .await?;
    let row = store::get_event(c, id).await?;
    let view = load_view(c, row).await?;
    tx.commit().await?;
    Ok(view)
}

/// The scores of the scheme's other components for one candidate, e.g. attendance and
/// daily inspections, keyed by component.
pub async fn set_inputs(
    app: &App,
    actor: &Actor,
    subject_id: i64,
    values: &BTreeMap<String, String>,
) -> AppResult<SubjectRow> {
    actor.require(Permission::AssessmentManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let subject = store::subject(c, subject_id).await?;
    let event = Loaded::decode(store::get_event(c, subject.event_id).await?)?;
    if event.row.status == "closed" {
        return Err(AppError::Conflict("event-closed"));
    }
    let Some(key) = event.row.scheme_key.as_deref() else {
        return Err(AppError::field("inputs", FieldReason::NotAllowed));
    };
    let pick = event
        .rules
        .scheme_version
        .as_deref()
        .and_then(Pick::parse)
        .unwrap_or_default();
    let scheme = schemes::load(c, key, pick).await?.scheme;
    let mut clean_values = BTreeMap::new();
    let mut problems = Vec::new();
    for (k, v) in values {
        let comp = scheme
            .component(k)
            .filter(|c| c.source != SourceKind::Panel);
        if comp.is_none() {
            problems.push(Problem::new(k.clone(), "input-unknown-component"));
            continue;
        }
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        match Score::parse(v) {
            Ok(s) => {
                clean_values.insert(k.clone(), s);
            }
            Err(_) => problems.push(Problem::new(k.clone(), "input-bad-score")),
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Rejected(problems));
    }
    let json = serde_json::to_string(&clean_values).map_err(anyhow::Error::from)?;
    store::set_subject_inputs(c, subject_id, &json).await?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "event_subject.inputs",
        "event_subject",
        subject_id,
        Some(&subject.inputs),
        Some(&json),
    )
    .await?;
    let after = store::subject(c, subject_id).await?;
    tx.commit().await?;
    Ok(after)
}

/// Closes scoring: no more sheets or corrections. Results stay computable.
pub async fn close(app: &App, actor: &Actor, id: i64) -> AppResult<EventView> {
    actor.require(Permission::AssessmentManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let row = store::get_event(c, id).await?;
    if row.status != "scoring" {
        return Err(AppError::Conflict("event-not-scoring"));
    }
    store::set_status(c, id, "closed", app.now()).await?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "assessment_event.close",
        "assessment_event",
        id,
        Some(&serde_json::json!({ "status": row.status })),
        Some(&serde_json::json!({ "status": "closed" })),
    )
    .await?;
    let row = store::get_event(c, id).await?;
    let view = load_view(c, row).await?;
    tx.commit().await?;
    Ok(view)
}

/// The blank form: S4's pools and trimming, today's date.
pub fn defaults(app: &App) -> EventInput {
    let s4 = PanelRules::s4();
    EventInput {
        kind: "assessment".into(),
        held_on: app.today().format("%Y-%m-%d").to_string(),
        scheme_key: "s4-routine-assessment".into(),
        rubric_key: "s4-call-scoring".into(),
        scope: "event".into(),
        pools: s4
            .pools
            .iter()
            .map(|p| PoolInput {
                key: p.key.clone(),
                name_zh: p.labels.zh_cn.clone(),
                name_en: p.labels.en.clone(),
                quota: p.quota.to_string(),
                members: String::new(),
            })
            .collect(),
        min_marks: s4.policy.min_marks.to_string(),
        drop_highest: s4.policy.drop_highest.to_string(),
        drop_lowest: s4.policy.drop_lowest.to_string(),
        trim: "total".into(),
        ..EventInput::default()
    }
}

/// The form prefilled from a stored event, for editing.
pub fn input_of(view: &EventView) -> EventInput {
    let p = &view.rules.panel;
    let members = |key: &str| -> String {
        view.pools
            .iter()
            .filter(|m| m.pool == key)
            .map(|m| m.employee_no.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    EventInput {
        code: view.row.code.clone(),
        title: view.row.title.clone(),
        kind: view.row.kind.clone(),
        held_on: view.row.held_on.format("%Y-%m-%d").to_string(),
        place: view.row.place.clone(),
        scheme_key: view.row.scheme_key.clone().unwrap_or_default(),
        component_key: view.row.component_key.clone().unwrap_or_default(),
        rubric_key: view.row.rubric_key.clone(),
        rubric_version: view.row.rubric_version.to_string(),
        chief: view.chief.clone().unwrap_or_default(),
        scope: match p.scope {
            DrawScope::Event => "event".into(),
            DrawScope::Subject => "subject".into(),
        },
        pools: p
            .pools
            .iter()
            .map(|s| PoolInput {
                key: s.key.clone(),
                name_zh: s.labels.zh_cn.clone(),
                name_en: s.labels.en.clone(),
                quota: s.quota.to_string(),
                members: members(&s.key),
            })
            .collect(),
        exclude_supervisor: Some(p.conflicts.supervisor),
        exclude_mentor: Some(p.conflicts.mentor),
        exclude_same_unit: Some(p.conflicts.same_unit),
        blind: Some(p.blind),
        min_marks: p.policy.min_marks.to_string(),
        drop_highest: p.policy.drop_highest.to_string(),
        drop_lowest: p.policy.drop_lowest.to_string(),
        trim: match p.policy.trim {
            Trim::Total => "total".into(),
            Trim::PerItem => "per_item".into(),
        },
        tolerance: p
            .policy
            .divergence_tolerance
            .map(|t| t.to_string())
            .unwrap_or_default(),
        scenarios: view
            .scenarios
            .iter()
            .map(|s| s.code.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    }
}
