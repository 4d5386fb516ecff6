//! S1's *assessment evaluation report* of a round: module (component) scores, ranking, weak
//! skills (exam questions by skill tag, rubric items by their skill) and weak rubric items,
//! with improvement suggestions per person and per department.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use skillcert_domain::certification::report::{Observation, Share, shares, weakest};
use skillcert_domain::practical::rubric::{ItemMark, SheetMarks};
use skillcert_domain::scheme::{Evaluation, Labels};
use skillcert_store::Conn;
use skillcert_store::certification as store;

use super::Round;
use super::results::{CandidateResult, RoundResults, results};
use crate::{Actor, App, AppResult};

/// How many weak skills or items a suggestion names.
pub const SUGGEST: usize = 3;

/// One component's scores over the candidates shown.
#[derive(Debug, Clone, Serialize)]
pub struct ModuleStat {
    pub key: String,
    pub labels: Labels,
    pub weight_percent: u32,
    pub n: usize,
    pub mean: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DepartmentStat {
    pub department_id: i64,
    pub department: String,
    pub candidates: usize,
    pub passed: usize,
    pub mean_total: Option<f64>,
    /// Component key → mean.
    pub modules: BTreeMap<String, f64>,
    pub weak_skills: Vec<Share>,
    pub weak_items: Vec<Share>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonAdvice {
    pub employee_id: i64,
    pub employee_no: String,
    pub name: String,
    pub department: String,
    pub rank: Option<usize>,
    pub total: Option<String>,
    pub weak_skills: Vec<Share>,
    pub weak_items: Vec<Share>,
    /// The judges' own "improvement suggestions" and "main problems" from the sheets.
    pub judges_notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvaluationReport {
    pub results: RoundResults,
    pub modules: Vec<ModuleStat>,
    pub departments: Vec<DepartmentStat>,
    /// Every skill, weakest first.
    pub skills: Vec<Share>,
    /// Every rubric item, weakest first.
    pub items: Vec<Share>,
    pub people: Vec<PersonAdvice>,
    /// Skill code → names; rubric item key → names.
    pub skill_names: BTreeMap<String, Labels>,
    pub item_names: BTreeMap<String, Labels>,
}

fn score_of(e: &Evaluation, key: &str) -> Option<f64> {
    e.component(key)
        .and_then(|c| c.score)
        .map(|s| f64::from(s.hundredths()) / 100.0)
}

fn stats(values: &[f64]) -> (Option<f64>, Option<f64>, Option<f64>) {
    if values.is_empty() {
        return (None, None, None);
    }
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (Some(mean), Some(min), Some(max))
}

/// Observations from the exam (questions by skill tag) and the panel (rubric items, by
/// item and by skill), plus the judges' notes per candidate.
struct Evidence {
    skills: Vec<Observation>,
    items: Vec<Observation>,
    notes: BTreeMap<i64, Vec<String>>,
    item_names: BTreeMap<String, Labels>,
}

async fn evidence(
    app: &App,
    c: &mut Conn<'_>,
    round: &Round,
    people: &BTreeMap<i64, i64>,
) -> AppResult<Evidence> {
    let mut ev = Evidence {
        skills: Vec::new(),
        items: Vec::new(),
        notes: BTreeMap::new(),
        item_names: BTreeMap::new(),
    };
    let mut tags: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for (q, skill) in store::question_skills(c).await? {
        tags.entry(q).or_default().push(skill);
    }
    for s in store::sources(c, round.row.id).await? {
        if let Some(session) = s.exam_session_id {
            for (attempt_id, position, score, _) in
                skillcert_store::exams::graded_items(c, session).await?
            {
                let paper = app.exams.attempt(c, attempt_id).await?;
                let Some(&department) = people.get(&paper.employee_id) else {
                    continue;
                };
                let Some(item) = usize::try_from(position)
                    .ok()
                    .and_then(|p| paper.items.get(p))
                else {
                    continue;
                };
                for skill in tags.get(&item.question_id).into_iter().flatten() {
                    ev.skills.push(Observation {
                        candidate: paper.employee_id,
                        department,
                        key: skill.clone(),
                        got: f64::from(score) / 100.0,
                        max: f64::from(item.points) / 100.0,
                    });
                }
            }
        }
        if let Some(event) = s.event_id {
            let loaded = crate::practical::Loaded::decode(
                skillcert_store::practical::get_event(c, event).await?,
            )?;
            for item in loaded.rubric.items() {
                ev.item_names.insert(item.key.clone(), item.labels.clone());
            }
            let subjects = skillcert_store::practical::subjects(c, event).await?;
            for sheet in skillcert_store::practical::sheets_of_event(c, event).await? {
                if sheet.status != "submitted" {
                    continue;
                }
                let Some(employee) = subjects
                    .iter()
                    .find(|x| x.id == sheet.subject_id)
                    .and_then(|x| x.employee_id)
                else {
                    continue;
                };
                let Some(&department) = people.get(&employee) else {
                    continue;
                };
                let Ok(marks) = serde_json::from_str::<SheetMarks>(&sheet.marks) else {
                    continue;
                };
                for (key, mark) in &marks.items {
                    let (Some(item), ItemMark::Points(p)) = (loaded.rubric.item(key), mark) else {
                        continue;
                    };
                    let o = Observation {
                        candidate: employee,
                        department,
                        key: key.clone(),
                        got: f64::from(*p),
                        max: f64::from(item.max),
                    };
                    if let Some(skill) = &item.skill {
                        ev.skills.push(Observation {
                            key: skill.clone(),
                            ..o.clone()
                        });
                    }
                    ev.items.push(o);
                }
                for key in ["improvement-suggestions", "main-problems"] {
                    if let Some(text) = marks.texts.get(key).filter(|t| !t.trim().is_empty()) {
                        ev.notes.entry(employee).or_default().push(text.clone());
                    }
                }
            }
        }
    }
    Ok(ev)
}

/// The report of a round, for those who may see its results.
pub async fn evaluation_report(
    app: &App,
    actor: &Actor,
    round_id: i64,
) -> AppResult<EvaluationReport> {
    let results = results(app, actor, round_id).await?;
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let round = Round::decode(store::get_round(c, round_id).await?)?;
    let rows: Vec<&CandidateResult> = results
        .rows
        .iter()
        .filter(|r| r.evaluation.is_some())
        .collect();
    let people: BTreeMap<i64, i64> = results
        .rows
        .iter()
        .map(|r| (r.application.employee_id, r.application.department_id))
        .collect();
    let ev = evidence(app, c, &round, &people).await?;

    let modules = round
        .scheme
        .components()
        .iter()
        .map(|comp| {
            let values: Vec<f64> = rows
                .iter()
                .filter_map(|r| r.evaluation.as_ref().and_then(|e| score_of(e, &comp.key)))
                .collect();
            let (mean, min, max) = stats(&values);
            ModuleStat {
                key: comp.key.clone(),
                labels: comp.labels.clone(),
                weight_percent: comp.weight.basis_points() / 100,
                n: values.len(),
                mean,
                min,
                max,
            }
        })
        .collect();

    let mut departments = Vec::new();
    let ids: BTreeSet<i64> = rows.iter().map(|r| r.application.department_id).collect();
    for id in ids {
        let mine: Vec<&&CandidateResult> = rows
            .iter()
            .filter(|r| r.application.department_id == id)
            .collect();
        let totals: Vec<f64> = mine
            .iter()
            .filter_map(|r| r.evaluation.as_ref().and_then(Evaluation::total))
            .map(|t| f64::from(t.hundredths()) / 100.0)
            .collect();
        let mut module_means = BTreeMap::new();
        for comp in round.scheme.components() {
            let values: Vec<f64> = mine
                .iter()
                .filter_map(|r| r.evaluation.as_ref().and_then(|e| score_of(e, &comp.key)))
                .collect();
            if let (Some(mean), _, _) = stats(&values) {
                module_means.insert(comp.key.clone(), mean);
            }
        }
        departments.push(DepartmentStat {
            department_id: id,
            department: mine
                .first()
                .map(|r| r.application.department.clone())
                .unwrap_or_default(),
            candidates: mine.len(),
            passed: mine
                .iter()
                .filter(|r| r.evaluation.as_ref().and_then(Evaluation::passed) == Some(true))
                .count(),
            mean_total: stats(&totals).0,
            modules: module_means,
            weak_skills: weakest(&shares(&ev.skills, |o| o.department == id), SUGGEST),
            weak_items: weakest(&shares(&ev.items, |o| o.department == id), SUGGEST),
        });
    }

    let people_advice = results
        .rows
        .iter()
        .filter(|r| r.evaluation.is_some())
        .map(|r| {
            let me = r.application.employee_id;
            PersonAdvice {
                employee_id: me,
                employee_no: r.application.employee_no.clone(),
                name: r.application.name.clone(),
                department: r.application.department.clone(),
                rank: r.rank,
                total: r
                    .evaluation
                    .as_ref()
                    .and_then(Evaluation::total)
                    .map(|t| t.fixed(2)),
                weak_skills: weakest(&shares(&ev.skills, |o| o.candidate == me), SUGGEST),
                weak_items: weakest(&shares(&ev.items, |o| o.candidate == me), SUGGEST),
                judges_notes: ev.notes.get(&me).cloned().unwrap_or_default(),
            }
        })
        .collect();

    let skill_names = skillcert_store::questions::skills(c)
        .await?
        .into_iter()
        .map(|s| (s.code.clone(), Labels::new(&s.name_zh, &s.name_en)))
        .collect();
    Ok(EvaluationReport {
        modules,
        departments,
        skills: shares(&ev.skills, |_| true),
        items: shares(&ev.items, |_| true),
        people: people_advice,
        skill_names,
        item_names: ev.item_names,
        results,
    })
}
