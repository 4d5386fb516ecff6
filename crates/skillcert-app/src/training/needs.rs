//! The needs-analysis report of a survey (S1: "training needs analysis report") and the
//! draft plan made from its top needs.
//!
//! The report reads every response of the survey in one query (`store::training::
//! report_rows`) and feeds them one at a time to the domain's `NeedsAccumulator` (the
//! one-pass form of `survey::analyse`): no second pass, no per-row query, so 10,000
//! responses take well under a second. A reader scoped to some departments (a supervisor)
//! sees only the responses given from those departments, and the response rate over the
//! invitees working there.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, Months, NaiveDate};
use serde::Serialize;
use skillcert_domain::access::Permission;
use skillcert_domain::training::survey::{
    AnalysisConfig, DraftTopic, GroupLabel, NeedsAccumulator, NeedsAnalysis, NeedsResponse,
    PreferredFormat, Rating, draft_plan_topics_named,
};
use skillcert_store::training::{self as store, PlanFields, ReportRow};
use skillcert_store::training_more::needs::{self as more, SkillRow};

use super::surveys::{self, Survey};
use crate::audit::{self, Author};
use crate::{Actor, App, AppError, AppResult, Problem};

/// Refusal codes of this area; each has a locale key `problem-<code>`.
pub const ERROR_CODES: &[&str] = &["needs-nothing-to-plan"];

/// Inbox message kinds of this area; each is a locale key taking the params named in its text.
pub const INBOX_KINDS: &[&str] = &[];

/// How many needs a draft plan takes.
pub const DRAFT_TOPICS: usize = 5;

/// The report of one survey as the reader may see it.
#[derive(Debug, Clone, Serialize)]
pub struct NeedsReport {
    pub survey: Survey,
    pub analysis: NeedsAnalysis,
    /// The competency model, for the skills' names.
    pub skills: Vec<SkillRow>,
    /// The reader sees only some departments.
    pub scoped: bool,
}

impl NeedsReport {
    pub fn skill(&self, code: &str) -> Option<&SkillRow> {
        self.skills.iter().find(|s| s.code == code)
    }
}

/// Key of a respondent without a position.
pub const NO_POSITION: &str = "none";

fn ratings(json: &str, id: i64) -> AppResult<BTreeMap<String, Rating>> {
    serde_json::from_str(json)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("survey response {id} ratings: {e}")))
}

/// One stored response as the analysis reads it.
fn response(row: ReportRow) -> AppResult<NeedsResponse> {
    let format = PreferredFormat::parse(&row.format).ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!(
            "survey response {} format {}",
            row.response_id,
            row.format
        ))
    })?;
    let supervisor_ratings = match &row.supervisor_ratings {
        Some(j) => ratings(j, row.response_id)?,
        None => BTreeMap::new(),
    };
    Ok(NeedsResponse {
        department: GroupLabel {
            key: row.department_id.to_string(),
            name: row.department_name,
        },
        position: GroupLabel {
            key: row
                .position_id
                .map_or_else(|| NO_POSITION.to_string(), |p| p.to_string()),
            name: row.position_name.unwrap_or_default(),
        },
        self_ratings: ratings(&row.ratings, row.response_id)?,
        supervisor_ratings,
        topics: vec![row.desired_content],
        format,
    })
}

fn config(survey: &Survey) -> AnalysisConfig {
    AnalysisConfig {
        targets: survey.target_levels.clone(),
        ..AnalysisConfig::default()
    }
}

/// The needs-analysis report of `survey_id` as `actor` may see it (`TrainingRead`; a
/// supervisor's limited to their departments). Also the benchmark's entry point.
pub async fn report(app: &App, actor: &Actor, survey_id: i64) -> AppResult<NeedsReport> {
    let scope = actor.department_filter(Permission::TrainingRead)?;
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let survey = surveys::load(c, survey_id, app.today()).await?;
    let rows = store::report_rows(c, survey_id).await?;
    let invited = more::invitee_count(c, survey_id, scope.as_deref()).await?;
    let skills = more::skill_rows(c).await?;
    drop(r);
    let mut acc = NeedsAccumulator::new(config(&survey));
    for row in rows {
        if let Some(ds) = &scope
            && !ds.contains(&row.department_id)
        {
            continue;
        }
        acc.add(&response(row)?);
    }
    // A draft has asked nobody yet; a survey written without the opening mark (bulk
    // generators) still has its invitees.
    let invited = (survey.phase != "draft" || invited > 0)
        .then(|| u32::try_from(invited).unwrap_or(u32::MAX));
    Ok(NeedsReport {
        analysis: acc.finish(invited),
        survey,
        skills,
        scoped: scope.is_some(),
    })
}

/// The draft topics the report suggests: the largest gaps, matched to what people asked
/// for by the skills' names in both languages.
pub fn draft_topics(report: &NeedsReport, n: usize) -> Vec<DraftTopic> {
    let names: BTreeMap<String, Vec<String>> = report
        .skills
        .iter()
        .map(|s| (s.code.clone(), vec![s.name_zh.clone(), s.name_en.clone()]))
        .collect();
    draft_plan_topics_named(&report.analysis, &names, n)
}

/// A dated stage of the draft plan: one per topic, a month each from next month on.
#[derive(Debug, Clone, Serialize)]
struct Stage {
    name: String,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
}

fn stages(topics: &[DraftTopic], today: NaiveDate) -> Vec<Stage> {
    let first = today
        .with_day(1)
        .and_then(|d| d.checked_add_months(Months::new(1)))
        .unwrap_or(today);
    topics
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let starts_on = first
                .checked_add_months(Months::new(u32::try_from(i).unwrap_or(0)))
                .unwrap_or(first);
            let ends_on = starts_on
                .checked_add_months(Months::new(1))
                .map_or(starts_on, |d| d - Duration::days(1));
            let groups: Vec<&str> = t.target_group.iter().map(|g| g.name.as_str()).collect();
            let mut name = t.title.clone();
            if !groups.is_empty() {
                name = format!("{name}（{}）", groups.join("、"));
            }
            Stage {
                name,
                starts_on,
                ends_on,
            }
        })
        .collect()
}

/// Turns the survey's top needs (over every response, whatever the reader's scope) into a
/// draft plan for this year: one dated stage per topic, named after what people asked for
/// and the departments that need it most. Refused when no skill falls short of its target.
/// Audited with the topics. Returns the plan's id.
pub async fn draft_plan(app: &App, actor: &Actor, survey_id: i64) -> AppResult<i64> {
    actor.require(Permission::TrainingManage)?;
    let report = report(app, actor, survey_id).await?;
    let topics = draft_topics(&report, DRAFT_TOPICS);
    if topics.is_empty() {
        return Err(AppError::Rejected(vec![Problem::new(
            "survey",
            "needs-nothing-to-plan",
        )]));
    }
    let today = app.today();
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let base = format!("{}-PLAN", report.survey.row.code);
    let mut code = base.clone();
    let mut n = 2;
    while more::plan_code_taken(c, &code).await? {
        code = format!("{base}-{n}");
        n += 1;
    }
    let stages = stages(&topics, today);
    let fields = PlanFields {
        code,
        year: today.year(),
        title: format!("{} · 培训计划（草案）", report.survey.row.title),
        stages: serde_json::to_string(&stages).map_err(|e| AppError::Internal(e.into()))?,
        source_survey_id: Some(survey_id),
    };
    let plan = store::insert_plan(c, &fields, Some(actor.user_id), app.now()).await?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "plan.draft_from_survey",
        "plan",
        plan.id,
        None::<&()>,
        Some(&serde_json::json!({"plan": &plan, "survey_id": survey_id, "topics": topics})),
    )
    .await?;
    tx.commit().await?;
    Ok(plan.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use skillcert_domain::training::survey::GroupGap;

    #[test]
    fn stages_run_a_month_each_from_next_month() {
        let topic = |title: &str, groups: &[&str]| DraftTopic {
            skill: "listening".into(),
            gap: 50,
            title: title.into(),
            topic: None,
            target_group: groups
                .iter()
                .map(|g| GroupGap {
                    key: (*g).into(),
                    name: (*g).into(),
                    gap: 10,
                })
                .collect(),
            format: PreferredFormat::Either,
        };
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let s = stages(
            &[topic("倾听", &["一部", "二部"]), topic("投诉", &[])],
            today,
        );
        assert_eq!(s[0].name, "倾听（一部、二部）");
        assert_eq!(s[0].starts_on.to_string(), "2026-12-01");
        assert_eq!(s[0].ends_on.to_string(), "2026-12-31");
        assert_eq!(s[1].name, "投诉");
        assert_eq!(s[1].starts_on.to_string(), "2027-01-01");
        assert_eq!(s[1].ends_on.to_string(), "2027-01-31");
    }
}
