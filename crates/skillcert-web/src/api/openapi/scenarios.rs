//! OpenAPI operations and schemas of the scenario library.

use serde_json::{Value, json};
use skillcert_domain::practical::scenario::ScenarioKind;

use super::{
    CREATE, Op, READ_ONE, UPDATE, array, boolean, datetime, described, int, int_or_null, keys,
    object, op, page_of, r, string, string_or_null,
};

fn list_or_text(description: &str) -> Value {
    described(
        json!({ "type": ["string", "array", "null"], "items": string() }),
        description,
    )
}

pub(super) fn operations() -> Vec<Op> {
    let kinds = keys(ScenarioKind::ALL);
    vec![
        op("get", "/scenarios", "listScenarios", "scenarios", "Search the scenario library")
            .describe(
                "Needs the question-bank or the assessment-management permission (the cards \
                 carry the judges' notes). Values that do not parse are ignored rather than \
                 refused.",
            )
            .query("q", string(), "Text in the code or the title.")
            .query(
                "kind",
                json!({ "type": "string", "enum": kinds.clone() }),
                "Kind of card (Chinese names such as `角色扮演` are accepted too).",
            )
            .query("skill", string(), "A skill code (see `GET /skills`).")
            .query(
                "archived",
                json!({ "type": "string", "enum": ["false", "true", "all"], "default": "false" }),
                "`false`: cards in use; `true`: archived ones; `all`: both.",
            )
            .query(
                "sort",
                json!({ "type": "string", "enum": ["code", "title", "kind", "updated"], "default": "code" }),
                "Sort column.",
            )
            .query(
                "dir",
                json!({ "type": "string", "enum": ["asc", "desc"], "default": "asc" }),
                "Sort direction.",
            )
            .query("page", json!({ "type": "integer", "minimum": 1, "default": 1 }), "Page number.")
            .query(
                "per_page",
                json!({ "type": "integer", "minimum": 1, "maximum": 500, "default": 50 }),
                "Rows per page.",
            )
            .ok("One page of cards (their current versions).", r("ScenarioPage"))
            .errors(&[400, 403]),
        op("post", "/scenarios", "createScenario", "scenarios", "Add a scenario card")
            .describe(
                "Needs the question-bank permission. Saved as version 1. Every field problem \
                 is reported at once in a 422 `validation`, e.g. `customer_brief` `required` \
                 (a role play or case without a brief), `recording` `required` (a recorded \
                 call without its reference), `skills` `not-found`, `duration_minutes` \
                 `out-of-range`, `code` `duplicate`. Nothing is stored when anything is wrong.",
            )
            .body("ScenarioInput")
            .created("Created.", r("ScenarioDetail"), true)
            .errors(CREATE),
        op("get", "/scenarios/{id}", "getScenario", "scenarios", "One scenario card with its versions")
            .ok("The card, its current version and every version (newest first).", r("ScenarioDetail"))
            .errors(READ_ONE),
        op("put", "/scenarios/{id}", "updateScenario", "scenarios", "Change a scenario card")
            .describe(
                "Validated like a new card; `code` is ignored. A new version is added only when \
                 the card differs from its current version (an unchanged body changes nothing \
                 and is not audited); events keep the version they used.",
            )
            .body("ScenarioInput")
            .ok("The card, with its new version if something changed.", r("ScenarioDetail"))
            .errors(UPDATE),
        op(
            "get",
            "/scenarios/{id}/versions/{version}",
            "getScenarioVersion",
            "scenarios",
            "One version of a scenario card",
        )
        .describe("`version` is the version number (1, 2, …), not the version's id.")
        .ok("The version.", r("ScenarioVersion"))
        .errors(READ_ONE),
        op("post", "/scenarios/{id}/archive", "archiveScenario", "scenarios", "Archive or restore a scenario card")
            .describe(
                "Needs the question-bank permission. Archived cards are not offered to new \
                 events; their versions stay readable. Asking for the state the card is \
                 already in changes nothing.",
            )
            .body("ArchiveInput")
            .ok("The card.", r("ScenarioRow"))
            .errors(&[400, 403, 404]),
    ]
}

pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    let kinds = keys(ScenarioKind::ALL);
    let row_props = json!({
        "id": int(),
        "code": string(),
        "version": described(int(), "The current version."),
        "kind": { "type": "string", "enum": kinds.clone() },
        "title": string(),
        "archived": boolean(),
        "created_at": datetime(),
        "updated_at": datetime()
    });
    let row_required = [
        "id",
        "code",
        "version",
        "kind",
        "title",
        "archived",
        "created_at",
        "updated_at",
    ];
    vec![
        ("ScenarioRow", object(&row_required, row_props)),
        (
            "ScenarioListItem",
            json!({
                "allOf": [
                    r("ScenarioRow"),
                    object(&["skills"], json!({
                        "skills": described(array(string()), "Skill codes of the current version.")
                    }))
                ]
            }),
        ),
        ("ScenarioPage", page_of("ScenarioListItem")),
        (
            "Scenario",
            object(
                &[
                    "kind",
                    "title",
                    "customer_brief",
                    "judge_notes",
                    "expected_behaviours",
                    "skills",
                    "duration_minutes",
                    "recording",
                ],
                json!({
                    "kind": { "type": "string", "enum": kinds.clone() },
                    "title": string(),
                    "customer_brief": described(string(), "For the actor (or the case text); line breaks kept; empty only for a recorded call."),
                    "judge_notes": described(string(), "For the judges only; line breaks kept; may be empty."),
                    "expected_behaviours": described(array(string()), "At least one."),
                    "skills": described(array(string()), "Skill codes."),
                    "duration_minutes": described(int_or_null(), "1 to 240, or null when not timed."),
                    "recording": described(string_or_null(), "Reference of the recorded call.")
                }),
            ),
        ),
        (
            "ScenarioVersion",
            object(
                &[
                    "id",
                    "scenario_id",
                    "version",
                    "scenario",
                    "created_by",
                    "created_at",
                ],
                json!({
                    "id": described(int(), "Id of this version (events point at it)."),
                    "scenario_id": int(),
                    "version": int(),
                    "scenario": r("Scenario"),
                    "created_by": int_or_null(),
                    "created_at": datetime()
                }),
            ),
        ),
        (
            "ScenarioDetail",
            json!({
                "allOf": [
                    r("ScenarioRow"),
                    object(&["current", "history"], json!({
                        "current": r("ScenarioVersion"),
                        "history": described(array(r("ScenarioVersion")), "Every version, newest first.")
                    }))
                ]
            }),
        ),
        (
            "ScenarioInput",
            object(
                &["kind", "title", "expected_behaviours"],
                json!({
                    "code": described(string(), "Create only: letters, digits, `-`, `_`; empty for a generated code (`SC000123`)."),
                    "kind": { "type": "string", "enum": kinds, "description": "Also accepted as `type`, and as Chinese names (`角色扮演`, `案例分析`, `通话录音`)." },
                    "title": described(string(), "At most 128 characters."),
                    "customer_brief": described(string(), "The brief for the actor playing the customer (or the case text), at most 4000 characters, line breaks kept. Required except for a recorded call."),
                    "judge_notes": described(string(), "Notes only judges see, at most 4000 characters."),
                    "expected_behaviours": list_or_text("At least one and at most 30, as a list or one per line."),
                    "skills": list_or_text("At most 8 skill codes, as a list or separated by `;` (also accepted as `tags`)."),
                    "duration_minutes": described(json!({ "type": ["string", "integer", "null"] }), "1 to 240; empty when not timed."),
                    "recording": described(string(), "Reference of the recorded call (file name, archive number or link); required for `recorded_call`.")
                }),
            ),
        ),
    ]
}
