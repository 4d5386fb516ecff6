//! OpenAPI operations and schemas of the rubric library.

use serde_json::{Value, json};

use super::{
    Op, READ, array, boolean, datetime, described, int, int_or_null, object, op, r, string,
    string_or_null,
};

fn version_query(o: Op) -> Op {
    o.query(
        "version",
        string(),
        "`latest` (default: the latest stored version, else the preset), `preset`, or a \
         version number.",
    )
}

pub(super) fn operations() -> Vec<Op> {
    vec![
        op(
            "get",
            "/rubrics",
            "listRubrics",
            "schemes",
            "Scoring rubrics",
        )
        .describe(
            "Every rubric key at its latest version: the presets (or their stored edits), \
                 then the other stored keys. Needs the `scheme_read` permission.",
        )
        .ok("The rubrics.", array(r("RubricSummary")))
        .errors(READ),
        version_query(op(
            "get",
            "/rubrics/{key}",
            "getRubric",
            "schemes",
            "One rubric version",
        ))
        .describe("The key of a rubric, e.g. `s4-call-scoring`.")
        .ok(
            "The version with its TOML source and the key's history.",
            r("RubricView"),
        )
        .errors(&[400, 403, 404]),
        op(
            "post",
            "/rubrics/{key}/versions",
            "createRubricVersion",
            "schemes",
            "Save a new rubric version",
        )
        .describe(
            "Validates the TOML document and stores it as the next version of `key` \
                 (highest stored + 1; editing a preset stores version 1, recording the preset). \
                 The document must name `key` and tag items only with known skill codes. \
                 Every problem is reported at once as 422 `rejected`, one entry per problem in \
                 `fields` with its field path (`sections[2].items[1].bands[3].max`) and a code \
                 such as `rubric-bands-overlap`, `rubric-key-mismatch` or \
                 `rubric-unknown-skill`; nothing is stored. Needs `scheme_manage`.",
        )
        .body("RubricVersionInput")
        .created("Stored.", r("StoredRubric"), true)
        .errors(&[400, 403, 409, 422]),
        version_query(op(
            "post",
            "/rubrics/{key}/score",
            "scoreRubricSheet",
            "schemes",
            "Score one sheet",
        ))
        .describe(
            "Nothing is written. Every item must be marked with an allowed value (the whole \
                 points its bands cover) or `\"na\"` where allowed; required texts must be \
                 given. A refused sheet is 422 `rejected` with every problem in `fields`: \
                 `items.<key>` or `texts.<key>` with a code among `sheet-missing-item`, \
                 `sheet-unknown-item`, `sheet-value-not-allowed`, `sheet-na-not-allowed`, \
                 `sheet-text-required`, `sheet-text-too-long`, `sheet-unknown-text`.",
        )
        .body("SheetMarks")
        .ok("The score.", r("SheetScore"))
        .errors(&[400, 403, 404, 422]),
    ]
}

fn labels() -> Value {
    r("Labels")
}

fn origin() -> Value {
    json!({ "type": "string", "enum": ["preset", "stored"] })
}

fn effect_or_null() -> Value {
    json!({ "type": ["string", "null"], "enum": ["zero_section", "zero_total", "cap_section", "cap_total", null] })
}

pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        (
            "RubricSummary",
            object(
                &[
                    "key",
                    "version",
                    "origin",
                    "labels",
                    "sections",
                    "max_points",
                    "stored_versions",
                    "has_preset",
                ],
                json!({
                    "key": string(),
                    "version": int(),
                    "origin": origin(),
                    "labels": labels(),
                    "sections": described(int(), "Number of sections."),
                    "max_points": described(int(), "The sum of every item's maximum."),
                    "stored_versions": int(),
                    "has_preset": boolean()
                }),
            ),
        ),
        (
            "RubricView",
            object(
                &[
                    "key",
                    "version",
                    "origin",
                    "document",
                    "rubric",
                    "max_points",
                    "versions",
                ],
                json!({
                    "key": string(),
                    "version": int(),
                    "origin": origin(),
                    "document": described(string(), "The TOML source."),
                    "rubric": described(
                        json!({ "type": "object" }),
                        "The validated rubric as data, in the shape of the TOML document: \
                         `key`, `version`, `labels`, `not_applicable` (`remove` or \
                         `count_as_met`), `sections` (each with `items`, each with `max`, \
                         `allow_na`, `skill`, `critical`, `bands` of `{min, max, labels}`), \
                         `free_text`.",
                    ),
                    "max_points": int(),
                    "versions": array(object(&["origin", "version", "param"], json!({
                        "origin": origin(),
                        "version": int(),
                        "param": described(string(), "`preset` or the version number, as `?version=` takes it."),
                        "created_at": { "type": ["string", "null"], "format": "date-time" },
                        "created_by": int_or_null()
                    })))
                }),
            ),
        ),
        (
            "RubricVersionInput",
            object(
                &["document"],
                json!({ "document": described(string(), "The rubric as TOML.") }),
            ),
        ),
        (
            "StoredRubric",
            object(
                &[
                    "id",
                    "key",
                    "version",
                    "document",
                    "preset",
                    "created_by",
                    "created_at",
                ],
                json!({
                    "id": int(),
                    "key": string(),
                    "version": int(),
                    "document": described(string(), "The TOML source as stored (its `version` line rewritten)."),
                    "preset": described(string_or_null(), "The preset this key started from."),
                    "created_by": int_or_null(),
                    "created_at": datetime()
                }),
            ),
        ),
        (
            "SheetMarks",
            json!({
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "items": described(
                        json!({ "type": "object", "additionalProperties": { "oneOf": [
                            { "type": "integer", "minimum": 0 },
                            { "type": "string", "enum": ["na"] }
                        ] } }),
                        "Item key → whole points, or `\"na\"`.",
                    ),
                    "texts": described(
                        json!({ "type": "object", "additionalProperties": string() }),
                        "Free-text key → text.",
                    )
                }
            }),
        ),
        (
            "SheetScore",
            object(
                &[
                    "earned",
                    "applicable_max",
                    "total",
                    "sections",
                    "items",
                    "critical_failures",
                    "total_capped",
                ],
                json!({
                    "earned": described(int(), "Hundredths of a point, after critical effects."),
                    "applicable_max": described(int(), "Points, after N/A items are removed."),
                    "total": described(json!({ "type": "number" }), "Out of 100, half-up to hundredths."),
                    "sections": array(object(&["key", "earned", "max", "capped"], json!({
                        "key": string(),
                        "earned": described(int(), "Hundredths of a point."),
                        "max": described(int(), "Points, after N/A removal."),
                        "capped": effect_or_null()
                    }))),
                    "items": array(object(&["key", "value", "band", "critical_failed"], json!({
                        "key": string(),
                        "value": described(int_or_null(), "Hundredths of a point; null for N/A."),
                        "band": described(int_or_null(), "Index (from 0) of the band the mark falls in."),
                        "critical_failed": boolean()
                    }))),
                    "critical_failures": array(string()),
                    "total_capped": effect_or_null()
                }),
            ),
        ),
    ]
}
