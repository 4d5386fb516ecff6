//! Training needs surveys (S1 template 1): campaigns for chosen departments (with their
//! sub-departments) and positions within a window of days; answering them (every skill
//! rated 1–5, wanted content, preferred format) and the supervisor's own ratings.
//!
//! A survey is a *draft* while it is being prepared (it can be edited), *open* once a
//! training manager opens it — its invitees are then fixed, the response rate's
//! denominator, and each is told in the inbox — and *closed* when closed by hand. Answers
//! are taken while it is open and today lies in its window; an answer can be changed until
//! then. The rules of an answer are `domain::training::survey`'s.
//!
//! The store's survey status knows only `open` and `closed`; opening is recorded in the
//! audience JSON (`opened_at`, see `store::training_more::needs`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use skillcert_domain::access::Permission;
use skillcert_domain::org::parse_date;
use skillcert_domain::text::{Code, clean};
use skillcert_domain::training::survey::{
    self as rules, RatingLevel, RawAnswer, RawSupervisorRating, SurveyError, SurveyWindow,
};
use skillcert_store::training::{
    self as store, ResponseFields, ResponseRow, SurveyFields, SurveyRow, SurveySummary,
};
use skillcert_store::training_more::needs::{
    self as more, MySurveyRow, PhaseQuery, RateLine, RateQuery,
};
use skillcert_store::{Conn, Page, org};

use crate::audit::{self, Author};
use crate::{Actor, App, AppError, AppResult, Problem};

/// Refusal codes of this area; each has a locale key `problem-<code>`.
pub const ERROR_CODES: &[&str] = &[
    // the domain's (`SurveyError::code`)
    "survey-no-skills",
    "survey-rating-out-of-range",
    "survey-rating-missing",
    "survey-skill-unknown",
    "survey-content-too-long",
    "survey-content-bad-characters",
    "survey-format-missing",
    "survey-format-unknown",
    "survey-nothing-rated",
    "survey-window-order",
    "survey-closed",
    // this service's
    "survey-code-invalid",
    "survey-code-taken",
    "survey-title-invalid",
    "survey-date-invalid",
    "survey-target-invalid",
    "survey-department-unknown",
    "survey-position-unknown",
    "survey-not-draft",
    "survey-window-past",
    "survey-no-invitees",
    "survey-already-closed",
    "survey-not-yet-open",
    "survey-not-invited",
    "survey-not-employee",
    "survey-rate-self",
];

/// Inbox message kinds of this area; each is a locale key taking the params named in its text.
pub const INBOX_KINDS: &[&str] = &["inbox-survey-opened"];

pub const TITLE_MAX: usize = 100;

/// Where a survey stands.
pub const PHASES: [&str; 3] = ["draft", "open", "closed"];

/// Who a survey asks, and since when its invitees are fixed (stored as the audience JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audience {
    #[serde(default)]
    pub departments: Vec<i64>,
    #[serde(default)]
    pub positions: Vec<i64>,
    /// Set when the survey is opened; `None` while it is a draft.
    #[serde(default)]
    pub opened_at: Option<DateTime<Utc>>,
}

/// The survey form or API body, every field as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SurveyInput {
    pub code: String,
    pub title: String,
    /// `YYYY-MM-DD`, first day answers are taken.
    pub opens_on: String,
    /// `YYYY-MM-DD`, last day answers are taken.
    pub closes_on: String,
    /// Skill codes asked, in the order of the competency model.
    pub skills: Vec<String>,
    /// Skill code → target level (`4`, `4.5`); a skill without one gets 4.00.
    pub targets: BTreeMap<String, String>,
    /// Department ids (with their sub-departments); empty for every department.
    pub departments: Vec<i64>,
    /// Position ids; empty for every position.
    pub positions: Vec<i64>,
}

/// A survey decoded: its skills, targets and audience, and where it stands today.
#[derive(Debug, Clone, Serialize)]
pub struct Survey {
    #[serde(flatten)]
    pub row: SurveyRow,
    /// The skill codes asked, in the competency model's order.
    pub skill_list: Vec<String>,
    /// Skill code → target level in hundredths.
    pub target_levels: BTreeMap<String, RatingLevel>,
    pub audience_detail: Audience,
    /// `draft`, `open` or `closed`.
    pub phase: &'static str,
    /// Answers are taken today.
    pub accepting: bool,
}

impl Survey {
    pub fn decode(row: SurveyRow, today: NaiveDate) -> AppResult<Survey> {
        let corrupt = |what: &str, e: serde_json::Error| {
            AppError::Internal(anyhow::anyhow!("survey {} {what}: {e}", row.id))
        };
        let skill_codes: Vec<String> =
            serde_json::from_str(&row.skills).map_err(|e| corrupt("skills", e))?;
        let target_levels: BTreeMap<String, RatingLevel> =
            serde_json::from_str(&row.targets).map_err(|e| corrupt("targets", e))?;
        let audience: Audience =
            serde_json::from_str(&row.audience).map_err(|e| corrupt("audience", e))?;
        let phase = if row.status == "closed" {
            "closed"
        } else if audience.opened_at.is_some() {
            "open"
        } else {
            "draft"
        };
        let accepting = phase == "open" && row.opens_on <= today && today <= row.closes_on;
        Ok(Survey {
            skill_list: skill_codes,
            target_levels,
            audience_detail: audience,
            phase,
            accepting,
            row,
        })
    }

    pub fn skills(&self) -> Vec<&str> {
        self.skill_list.iter().map(String::as_str).collect()
    }

    pub fn target(&self, skill: &str) -> RatingLevel {
        self.target_levels
            .get(skill)
            .copied()
            .unwrap_or(RatingLevel::DEFAULT_TARGET)
    }

    /// Refuses an answer or rating unless the survey takes them today: a draft or a survey
    /// whose window has not begun is `survey-not-yet-open`, a closed one or one past its
    /// last day `survey-closed`.
    pub fn check_accepting(&self, today: NaiveDate) -> AppResult<()> {
        let code = match self.phase {
            "closed" => "survey-closed",
            "draft" => "survey-not-yet-open",
            _ if today < self.row.opens_on => "survey-not-yet-open",
            _ if today > self.row.closes_on => "survey-closed",
            _ => return Ok(()),
        };
        Err(AppError::Rejected(vec![Problem::new("survey", code)]))
    }
}

pub(crate) async fn load(c: &mut Conn<'_>, id: i64, today: NaiveDate) -> AppResult<Survey> {
    Survey::decode(store::get_survey(c, id).await?, today)
}

fn reject(problems: Vec<Problem>) -> AppError {
    AppError::Rejected(problems)
}

fn domain_problem(e: &SurveyError) -> Problem {
    Problem::new(e.field(), e.code())
}

/// Checks the form against the competency model and the organisation.
async fn read_input(c: &mut Conn<'_>, input: &SurveyInput) -> AppResult<(SurveyFields, Audience)> {
    let mut problems = Vec::new();
    let code = Code::parse(&input.code).ok();
    if code.is_none() {
        problems.push(Problem::new("code", "survey-code-invalid"));
    }
    let title = clean(&input.title, TITLE_MAX).ok();
    if title.is_none() {
        problems.push(Problem::new("title", "survey-title-invalid"));
    }
    let opens = parse_date(&input.opens_on).ok();
    if opens.is_none() {
        problems.push(Problem::new("opens_on", "survey-date-invalid"));
    }
    let closes = parse_date(&input.closes_on).ok();
    if closes.is_none() {
        problems.push(Problem::new("closes_on", "survey-date-invalid"));
    }
    if let (Some(o), Some(cl)) = (opens, closes)
        && let Err(e) = SurveyWindow::new(o, cl)
    {
        problems.push(domain_problem(&e));
    }
    let model = more::skill_rows(c).await?;
    let wanted: BTreeSet<&str> = input.skills.iter().map(|s| s.trim()).collect();
    for s in &wanted {
        if !model.iter().any(|m| m.code == *s) {
            problems.push(Problem::new(format!("skills.{s}"), "survey-skill-unknown"));
        }
    }
    // In the model's order, so every form and report lists them the same way.
    let skills: Vec<String> = model
        .iter()
        .filter(|m| wanted.contains(m.code.as_str()))
        .map(|m| m.code.clone())
        .collect();
    if skills.is_empty() {
        problems.push(domain_problem(&SurveyError::NoSkills));
    }
    let mut targets = BTreeMap::new();
    for s in &skills {
        let raw = input.targets.get(s).map(|t| t.trim()).unwrap_or("");
        let level = if raw.is_empty() {
            Some(RatingLevel::DEFAULT_TARGET)
        } else {
            RatingLevel::parse(raw)
        };
        match level {
            Some(l) => {
                targets.insert(s.clone(), l);
            }
            None => problems.push(Problem::new(
                format!("targets.{s}"),
                "survey-target-invalid",
            )),
        }
    }
    let departments: BTreeSet<i64> = input.departments.iter().copied().collect();
    if !departments.is_empty() {
        let known: BTreeSet<i64> = org::list_departments(c)
            .await?
            .iter()
            .map(|d| d.id)
            .collect();
        if !departments.is_subset(&known) {
            problems.push(Problem::new("departments", "survey-department-unknown"));
        }
    }
    let positions: BTreeSet<i64> = input.positions.iter().copied().collect();
    if !positions.is_empty() {
        let known: BTreeSet<i64> = org::list_positions(c).await?.iter().map(|p| p.id).collect();
        if !positions.is_subset(&known) {
            problems.push(Problem::new("positions", "survey-position-unknown"));
        }
    }
    let (Some(code), Some(title), Some(opens_on), Some(closes_on)) = (code, title, opens, closes)
    else {
        return Err(reject(problems));
    };
    if !problems.is_empty() {
        return Err(reject(problems));
    }
    let audience = Audience {
        departments: departments.into_iter().collect(),
        positions: positions.into_iter().collect(),
        opened_at: None,
    };
    Ok((
        SurveyFields {
            code: code.as_str().to_string(),
            title,
            opens_on,
            closes_on,
            skills: json_text(&skills)?,
            targets: json_text(&targets)?,
            audience: json_text(&audience)?,
        },
        audience,
    ))
}

/// The text of a stored JSON column.
fn json_text<T: Serialize>(v: &T) -> AppResult<String> {
    serde_json::to_string(v).map_err(|e| AppError::Internal(e.into()))
}

/// Creates a draft survey. Audited.
pub async fn create(app: &App, actor: &Actor, input: &SurveyInput) -> AppResult<SurveyRow> {
    actor.require(Permission::TrainingManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let (fields, _) = read_input(c, input).await?;
    if store::survey_by_code(c, &fields.code).await?.is_some() {
        return Err(reject(vec![Problem::new("code", "survey-code-taken")]));
    }
    let row = store::insert_survey(c, &fields, Some(actor.user_id), app.now())
        .await
        .map_err(|e| match e {
            skillcert_store::StoreError::Conflict { .. } => {
                reject(vec![Problem::new("code", "survey-code-taken")])
            }
            other => other.into(),
        })?;
    audit::created(app, c, &Author::from(actor), "survey", row.id, &row).await?;
    tx.commit().await?;
    Ok(row)
}

/// Rewrites a draft survey; once opened its questions and audience are fixed.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &SurveyInput,
) -> AppResult<SurveyRow> {
    actor.require(Permission::TrainingManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let before = load(c, id, app.today()).await?;
    if before.phase != "draft" {
        return Err(reject(vec![Problem::new("survey", "survey-not-draft")]));
    }
    let (fields, _) = read_input(c, input).await?;
    if let Some(other) = store::survey_by_code(c, &fields.code).await?
        && other.id != id
    {
        return Err(reject(vec![Problem::new("code", "survey-code-taken")]));
    }
    if !store::update_survey(c, id, &fields, app.now()).await? {
        return Err(reject(vec![Problem::new("survey", "survey-not-draft")]));
    }
    let row = store::get_survey(c, id).await?;
    audit::updated(
        app,
        c,
        &Author::from(actor),
        "survey",
        id,
        &before.row,
        &row,
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Opens a draft: fixes the invitees (everyone not left in the audience today) and tells
/// each of them in the inbox. Refused when the window has already ended or the audience
/// covers nobody. Returns the number invited. Audited.
pub async fn open(app: &App, actor: &Actor, id: i64) -> AppResult<u64> {
    actor.require(Permission::TrainingManage)?;
    let today = app.today();
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let s = load(c, id, today).await?;
    if s.phase != "draft" {
        return Err(reject(vec![Problem::new("survey", "survey-not-draft")]));
    }
    if s.row.closes_on < today {
        return Err(reject(vec![Problem::new(
            "closes_on",
            "survey-window-past",
        )]));
    }
    let a = &s.audience_detail;
    let invited = store::invite_audience(c, id, &a.departments, &a.positions).await?;
    if invited == 0 {
        // Dropping the transaction leaves nothing behind.
        return Err(reject(vec![Problem::new("audience", "survey-no-invitees")]));
    }
    let mut audience = a.clone();
    audience.opened_at = Some(app.now());
    let fields = SurveyFields {
        code: s.row.code.clone(),
        title: s.row.title.clone(),
        opens_on: s.row.opens_on,
        closes_on: s.row.closes_on,
        skills: s.row.skills.clone(),
        targets: s.row.targets.clone(),
        audience: json_text(&audience)?,
    };
    if !store::update_survey(c, id, &fields, app.now()).await? {
        return Err(reject(vec![Problem::new("survey", "survey-not-draft")]));
    }
    let params = serde_json::json!({
        "title": s.row.title,
        "opens": s.row.opens_on.to_string(),
        "closes": s.row.closes_on.to_string(),
    });
    more::notify_invitees(
        c,
        id,
        "inbox-survey-opened",
        &params.to_string(),
        &format!("/surveys/{id}/respond"),
        app.now(),
    )
    .await?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "survey.open",
        "survey",
        id,
        Some(&serde_json::json!({"phase": "draft"})),
        Some(&serde_json::json!({"phase": "open", "invited": invited, "opened_at": audience.opened_at})),
    )
    .await?;
    tx.commit().await?;
    Ok(invited)
}

/// Closes a survey (a draft is closed without ever being asked). Answers are no longer
/// taken; the report stays. Audited.
pub async fn close(app: &App, actor: &Actor, id: i64) -> AppResult<()> {
    actor.require(Permission::TrainingManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let s = load(c, id, app.today()).await?;
    if s.phase == "closed" || !store::set_survey_status(c, id, "open", "closed", app.now()).await? {
        return Err(reject(vec![Problem::new(
            "survey",
            "survey-already-closed",
        )]));
    }
    audit::record(
        app,
        c,
        &Author::from(actor),
        "survey.close",
        "survey",
        id,
        Some(&serde_json::json!({"phase": s.phase})),
        Some(&serde_json::json!({"phase": "closed"})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Surveys, newest first, by phase and search. Everyone who may read training sees the
/// list; counts are company-wide.
pub async fn list(app: &App, actor: &Actor, q: &PhaseQuery) -> AppResult<Page<SurveySummary>> {
    actor.require(Permission::TrainingRead)?;
    let mut q = q.clone();
    q.phase = q.phase.filter(|p| PHASES.contains(&p.as_str()));
    let mut r = app.db.read().await?;
    Ok(more::list_surveys(&mut r.conn(), &q).await?)
}

/// One survey with its counts (invitees and responses within the reader's scope).
#[derive(Debug, Clone, Serialize)]
pub struct SurveyDetail {
    pub survey: Survey,
    pub invitees: i64,
    pub responses: i64,
    /// Responses per invitee in basis points; `None` before anyone was invited.
    pub response_rate: Option<i64>,
}

pub async fn detail(app: &App, actor: &Actor, id: i64) -> AppResult<SurveyDetail> {
    let scope = actor.department_filter(Permission::TrainingRead)?;
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let survey = load(c, id, app.today()).await?;
    let invitees = more::invitee_count(c, id, scope.as_deref()).await?;
    let responses = more::response_count(c, id, scope.as_deref()).await?;
    Ok(SurveyDetail {
        response_rate: (invitees > 0).then(|| (responses * 10_000 + invitees / 2) / invitees),
        survey,
        invitees,
        responses,
    })
}

/// A survey of the employee's own list.
#[derive(Debug, Clone, Serialize)]
pub struct MySurvey {
    #[serde(flatten)]
    pub row: MySurveyRow,
    /// Answers are taken today.
    pub accepting: bool,
}

/// The open surveys the signed-in employee was invited to; empty without an employee.
pub async fn mine(app: &App, actor: &Actor) -> AppResult<Vec<MySurvey>> {
    let Some(employee) = actor.employee_id else {
        return Ok(Vec::new());
    };
    let today = app.today();
    let mut r = app.db.read().await?;
    Ok(more::open_surveys_of(&mut r.conn(), employee)
        .await?
        .into_iter()
        .map(|row| MySurvey {
            accepting: row.opens_on <= today && today <= row.closes_on,
            row,
        })
        .collect())
}

/// What the answer page shows: the survey, the answer given so far, and why the signed-in
/// user cannot answer, if they cannot.
#[derive(Debug, Clone, Serialize)]
pub struct AnswerSheet {
    pub survey: Survey,
    pub answer: Option<ResponseRow>,
    /// The refusal code an answer would get now (`survey-not-invited`, `survey-closed`, …).
    pub refusal: Option<&'static str>,
}

/// The answer sheet of `survey_id` for the signed-in user.
pub async fn sheet(app: &App, actor: &Actor, survey_id: i64) -> AppResult<AnswerSheet> {
    let today = app.today();
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let survey = load(c, survey_id, today).await?;
    let (answer, refusal) = match actor.employee_id {
        None => (None, Some("survey-not-employee")),
        Some(e) => {
            let invited = store::is_invited(c, survey_id, e).await?;
            let answer = if invited {
                store::response_of(c, survey_id, e).await?
            } else {
                None
            };
            let refusal = if !invited {
                Some("survey-not-invited")
            } else {
                match survey.check_accepting(today) {
                    Err(AppError::Rejected(p)) => p.first().map(|p| p.code),
                    _ => None,
                }
            };
            (answer, refusal)
        }
    };
    Ok(AnswerSheet {
        survey,
        answer,
        refusal,
    })
}

/// Stores (or replaces) the signed-in employee's answer. Refused with nothing stored when
/// they were not invited, the survey does not take answers today, or a field is wrong
/// (every field's problem at once). Audited.
pub async fn answer(app: &App, actor: &Actor, survey_id: i64, raw: &RawAnswer) -> AppResult<i64> {
    let Some(employee_id) = actor.employee_id else {
        return Err(reject(vec![Problem::new("survey", "survey-not-employee")]));
    };
    let today = app.today();
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let survey = load(c, survey_id, today).await?;
    if !store::is_invited(c, survey_id, employee_id).await? {
        return Err(reject(vec![Problem::new("survey", "survey-not-invited")]));
    }
    survey.check_accepting(today)?;
    let answer = rules::validate_answer(&survey.skills(), raw)
        .map_err(|es| reject(es.iter().map(domain_problem).collect()))?;
    let employee = org::get_employee(c, employee_id).await?;
    let before = store::response_of(c, survey_id, employee_id).await?;
    let fields = ResponseFields {
        survey_id,
        employee_id,
        department_id: employee.department_id,
        position_id: employee.position_id,
        ratings: json_text(&answer.ratings)?,
        desired_content: answer.desired_content.clone(),
        format: answer.format.key().to_string(),
    };
    let Some(id) = store::upsert_response(c, &fields, app.now()).await? else {
        return Err(reject(vec![Problem::new("survey", "survey-closed")]));
    };
    audit::record(
        app,
        c,
        &Author::from(actor),
        if before.is_some() { "survey.answer.update" } else { "survey.answer" },
        "survey_response",
        id,
        before.as_ref(),
        Some(&serde_json::json!({"survey_id": survey_id, "employee_id": employee_id, "answer": answer})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The supervisor's rating page: the invitees in the rater's scope, with what they rated.
#[derive(Debug, Clone, Serialize)]
pub struct RateSheet {
    pub survey: Survey,
    pub people: Page<RateLine>,
}

pub async fn rate_sheet(
    app: &App,
    actor: &Actor,
    survey_id: i64,
    q: &RateQuery,
) -> AppResult<RateSheet> {
    let scope = actor.department_filter(Permission::TeamRate)?;
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let survey = load(c, survey_id, app.today()).await?;
    let people = more::rate_lines(c, survey_id, scope.as_deref(), q).await?;
    Ok(RateSheet { survey, people })
}

/// Stores (or replaces) a supervisor's rating of one invitee: blank boxes are "not seen",
/// at least one skill must be rated, every rating 1–5. Only for invitees in the rater's
/// scope, not for oneself, and while the survey takes answers. Audited.
pub async fn rate(
    app: &App,
    actor: &Actor,
    survey_id: i64,
    employee_id: i64,
    raw: &RawSupervisorRating,
) -> AppResult<()> {
    actor.require(Permission::TeamRate)?;
    let today = app.today();
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let survey = load(c, survey_id, today).await?;
    let employee = org::get_employee(c, employee_id).await?;
    actor.require_in(Permission::TeamRate, employee.department_id)?;
    if !store::is_invited(c, survey_id, employee_id).await? {
        return Err(reject(vec![Problem::new("employee", "survey-not-invited")]));
    }
    if actor.employee_id == Some(employee_id) {
        return Err(reject(vec![Problem::new("employee", "survey-rate-self")]));
    }
    survey.check_accepting(today)?;
    let rating = rules::validate_supervisor_rating(&survey.skills(), raw)
        .map_err(|es| reject(es.iter().map(domain_problem).collect()))?;
    let before = store::supervisor_rating_of(c, survey_id, employee_id).await?;
    let text = json_text(&rating.ratings)?;
    store::upsert_supervisor_rating(c, survey_id, employee_id, actor.user_id, &text, app.now())
        .await?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "survey.rate",
        "survey_rating",
        format!("{survey_id}/{employee_id}"),
        before.as_ref(),
        Some(&serde_json::json!({"survey_id": survey_id, "employee_id": employee_id, "ratings": rating.ratings})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
