//! OpenAPI operation and schemas of a round's assessment evaluation report (S1).

use serde_json::{Value, json};

use super::{
    Op, READ_ONE, array, described, int, int_or_null, object, op, r, string, string_or_null,
};

const TAG: &str = "certification";

fn number() -> Value {
    json!({ "type": "number" })
}

fn number_or_null() -> Value {
    json!({ "type": ["number", "null"] })
}

fn map_of(values: Value) -> Value {
    json!({ "type": "object", "additionalProperties": values })
}

pub(super) fn operations() -> Vec<Op> {
    vec![
        op(
            "get",
            "/rounds/{id}/report",
            "getRoundEvaluationReport",
            TAG,
            "The assessment evaluation report of a round",
        )
        .describe(
            "S1's assessment evaluation report: each component's mean, minimum and maximum \
             over the candidates with complete results; the round's results with the ranking \
             (`results.rows[].rank`, ties share a rank); every skill and every rubric item \
             with its share of the points available, weakest first (exam questions pooled by \
             their skill tags, the panel's submitted marks by rubric item and by the item's \
             skill); per department the candidates, passes, mean total, module means and its \
             weakest skills and items (below 60%, at most three each); per person the same \
             and the judges' own notes from their sheets. Scores typed in by hand give no \
             detail per skill, so `skills` and `items` are empty for such rounds. The same \
             content is on the page `/rounds/{id}/report` and in its `.xlsx` and `.pdf` \
             downloads. Needs what the round's results need: `certification_manage`, or \
             `certification_results` once the results are published (limited to its \
             departments); 403 otherwise, 404 for an unknown round.",
        )
        .ok("The report.", r("RoundEvaluationReport"))
        .errors(READ_ONE),
    ]
}

pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    let shares = |d: &str| described(array(r("ReportShare")), d);
    vec![
        (
            "RoundEvaluationReport",
            object(
                &[
                    "results",
                    "modules",
                    "departments",
                    "skills",
                    "items",
                    "people",
                    "skill_names",
                    "item_names",
                ],
                json!({
                    "results": described(
                        json!({ "type": "object" }),
                        "The round's results as the results view gives them: `detail` (the \
                         round, its plan and sources), `rows` (one per approved candidate with \
                         inputs, missing components, the scheme's evaluation, the level \
                         awarded and the rank) and `frozen`."
                    ),
                    "modules": array(r("ReportModule")),
                    "departments": described(
                        array(r("ReportDepartment")),
                        "Departments of the candidates with complete results."
                    ),
                    "skills": shares("Every skill code, weakest first (ties by key)."),
                    "items": shares("Every rubric item key, weakest first (ties by key)."),
                    "people": described(
                        array(r("ReportPerson")),
                        "Candidates with complete results, in ranking order."
                    ),
                    "skill_names": described(map_of(r("Labels")), "Skill code → names."),
                    "item_names": described(map_of(r("Labels")), "Rubric item key → names.")
                }),
            ),
        ),
        (
            "ReportModule",
            object(
                &["key", "labels", "weight_percent", "n", "mean", "min", "max"],
                json!({
                    "key": described(string(), "The scheme component."),
                    "labels": r("Labels"),
                    "weight_percent": int(),
                    "n": described(int(), "Candidates with a score for it."),
                    "mean": number_or_null(),
                    "min": number_or_null(),
                    "max": number_or_null()
                }),
            ),
        ),
        (
            "ReportShare",
            object(
                &["key", "got", "max", "share", "n"],
                json!({
                    "key": described(string(), "A skill code or a rubric item key."),
                    "got": described(number(), "Points scored."),
                    "max": described(number(), "Points available."),
                    "share": described(number(), "`got / max`, 0–1; below 0.6 is weak."),
                    "n": described(int(), "Observations: questions answered or marks given.")
                }),
            ),
        ),
        (
            "ReportDepartment",
            object(
                &[
                    "department_id",
                    "department",
                    "candidates",
                    "passed",
                    "mean_total",
                    "modules",
                    "weak_skills",
                    "weak_items",
                ],
                json!({
                    "department_id": int(),
                    "department": string(),
                    "candidates": int(),
                    "passed": int(),
                    "mean_total": number_or_null(),
                    "modules": described(map_of(number()), "Component key → mean."),
                    "weak_skills": shares("At most three below 60%, weakest first."),
                    "weak_items": shares("At most three below 60%, weakest first.")
                }),
            ),
        ),
        (
            "ReportPerson",
            object(
                &[
                    "employee_id",
                    "employee_no",
                    "name",
                    "department",
                    "rank",
                    "total",
                    "weak_skills",
                    "weak_items",
                    "judges_notes",
                ],
                json!({
                    "employee_id": int(),
                    "employee_no": string(),
                    "name": string(),
                    "department": string(),
                    "rank": int_or_null(),
                    "total": described(string_or_null(), "With the scheme's two decimals."),
                    "weak_skills": shares("At most three below 60%, weakest first."),
                    "weak_items": shares("At most three below 60%, weakest first."),
                    "judges_notes": described(
                        array(string()),
                        "The judges' improvement suggestions and main problems from their sheets."
                    )
                }),
            ),
        ),
    ]
}
