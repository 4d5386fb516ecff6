//! OpenAPI operations and schemas of the questions API: the bank, skills and papers.

use serde_json::{Value, json};
use skillcert_domain::exam::question::QuestionType;

use super::{
    CREATE, Op, READ, READ_ONE, UPDATE, array, boolean, datetime, described, int, int_or_null,
    keys, object, op, page_of, r, string, string_or_null,
};
use crate::api::org::{CSV_MIME, XLSX_MIME};

fn number() -> Value {
    json!({ "type": "number" })
}

fn text_or_number(description: &str) -> Value {
    described(json!({ "type": ["string", "number"] }), description)
}

fn file_download() -> Value {
    json!({
        "description": "The file, as an attachment.",
        "headers": {
            "Content-Disposition": { "description": "`attachment; filename=...`", "schema": string() }
        },
        "content": {
            "text/csv; charset=utf-8": { "schema": { "type": "string", "contentMediaType": CSV_MIME } },
            XLSX_MIME: { "schema": { "contentMediaType": XLSX_MIME } }
        }
    })
}

pub(super) fn operations() -> Vec<Op> {
    let page = json!({ "type": "integer", "minimum": 1, "default": 1 });
    let per_page = json!({ "type": "integer", "minimum": 1, "maximum": 500, "default": 50 });
    let types = keys(QuestionType::ALL);
    let filters = |o: Op| {
        o.query("q", string(), "Text in the code or the question.")
            .query(
                "type",
                json!({ "type": "string", "enum": types.clone() }),
                "Question type (Chinese names such as `单选` are accepted too).",
            )
            .query("tag", string(), "A skill code (see `GET /skills`).")
            .query(
                "difficulty",
                json!({ "type": "integer", "minimum": 1, "maximum": 5 }),
                "Difficulty level.",
            )
            .query(
                "archived",
                json!({ "type": "string", "enum": ["false", "true", "all"], "default": "false" }),
                "`false`: questions in use; `true`: archived ones; `all`: both.",
            )
            .query(
                "sort",
                json!({
                    "type": "string",
                    "enum": ["code", "type", "difficulty", "points", "updated"],
                    "default": "code"
                }),
                "Sort column.",
            )
            .query(
                "dir",
                json!({ "type": "string", "enum": ["asc", "desc"], "default": "asc" }),
                "Sort direction.",
            )
    };
    vec![
        op("get", "/skills", "listSkills", "questions", "The competency model")
            .describe("The skills questions and rules may be tagged with, in their defined order.")
            .ok("Every skill.", array(r("Skill")))
            .errors(READ),
        filters(op("get", "/questions", "listQuestions", "questions", "Search the question bank"))
            .describe(
                "Needs the question-bank permission (questions carry their keys). Values that \
                 do not parse are ignored rather than refused.",
            )
            .query("page", page, "Page number.")
            .query("per_page", per_page, "Rows per page.")
            .ok("One page of questions (their current versions).", r("QuestionPage"))
            .errors(&[400, 403]),
        op("post", "/questions", "createQuestion", "questions", "Add a question")
            .describe(
                "Saved as version 1. Every field problem is reported at once: e.g. `key` \
                 `required`, `key-out-of-range` (a key naming an option not given), `key-count` \
                 (a single choice with several keys), `options` `option-count`.",
            )
            .body("QuestionInput")
            .created("Created.", r("QuestionDetail"), true)
            .errors(CREATE),
        op("post", "/questions/import", "importQuestions", "questions", "Import questions from a file")
            .describe(
                "One question per row (CSV in UTF-8, or XLSX; Chinese or English headers as in \
                 the template). Send the file as `multipart/form-data` (field `file`, optional \
                 field `dry_run`) or as the body itself. Every row is checked before anything is \
                 written: if any row is bad nothing changes and the answer is 422 \
                 `import-rejected` with the report in `import`, one issue per bad row and \
                 column. A row whose `code` exists updates that question as a new version, \
                 unless nothing changed; a row without a code gets a generated one.",
            )
            .query("dry_run", json!({ "type": "boolean", "default": false }), "Only check and report what would change.")
            .header(
                "X-File-Name",
                "For a raw body: the file's name, recorded in the audit log; else `upload.csv` \
                 or `upload.xlsx` by `Content-Type`.",
            )
            .raw_body(json!({
                "required": true,
                "content": {
                    "multipart/form-data": {
                        "schema": object(&["file"], json!({
                            "file": { "type": "string", "contentMediaType": "application/octet-stream" },
                            "dry_run": described(string(), "Present and not `false`/`0`: only check.")
                        }))
                    },
                    CSV_MIME: { "schema": { "type": "string", "contentMediaType": CSV_MIME } },
                    XLSX_MIME: { "schema": { "contentMediaType": XLSX_MIME } }
                }
            }))
            .ok("What was imported (or, with `dry_run`, what would be).", r("QuestionImportReport"))
            .errors(&[400, 403, 422]),
        op("get", "/questions/import/template", "getQuestionTemplate", "questions", "Question import template")
            .describe("Column headers and one example row of each question type.")
            .query("format", json!({ "type": "string", "enum": ["csv", "xlsx"], "default": "csv" }), "File format.")
            .query(
                "lang",
                json!({ "type": "string", "enum": ["zh-CN", "en"] }),
                "Language of the headers and examples; the request's language when absent.",
            )
            .ok_with(file_download())
            .errors(&[400, 403]),
        filters(op("get", "/questions/export", "exportQuestions", "questions", "Export questions"))
            .describe(
                "Every question matching the filters (all pages) at its current version, in the \
                 import format: the file imports again unchanged.",
            )
            .query("format", json!({ "type": "string", "enum": ["csv", "xlsx"], "default": "csv" }), "File format.")
            .ok_with(file_download())
            .errors(&[400, 403]),
        op("get", "/questions/{id}", "getQuestion", "questions", "One question with its versions")
            .ok("The question, its current version and every version (newest first).", r("QuestionDetail"))
            .errors(READ_ONE),
        op("put", "/questions/{id}", "updateQuestion", "questions", "Change a question")
            .describe(
                "Always saves a new version; earlier versions stay readable and attempts keep \
                 the version their candidate saw. `code` is ignored.",
            )
            .body("QuestionInput")
            .ok("The question with its new version.", r("QuestionDetail"))
            .errors(UPDATE),
        op("post", "/questions/{id}/archive", "archiveQuestion", "questions", "Archive or restore a question")
            .describe("Archived questions are not drawn into papers; their versions stay readable.")
            .body("ArchiveInput")
            .ok("The question.", r("QuestionRow"))
            .errors(&[400, 403, 404]),
        op("get", "/papers", "listPapers", "papers", "Papers")
            .query("archived", json!({ "type": "boolean", "default": false }), "Include archived papers.")
            .ok("Every paper, newest first.", array(r("Paper")))
            .errors(&[400, 403]),
        op("post", "/papers", "createPaper", "papers", "Create a paper")
            .describe(
                "The paper is checked against the bank: fixed questions must exist and be in \
                 use, every rule must find enough questions, and the parts must add up to the \
                 declared total. A refusal is 422 `validation` whose `fields` name the part \
                 (`parts[2]`, counting from 0) or the field (`total`, `parts[0].question`) with \
                 a message such as \"the parts add up to 98 points, but the paper declares 100\".",
            )
            .body("PaperInput")
            .created("Created.", r("PaperDetail"), true)
            .errors(CREATE),
        op("get", "/papers/{id}", "getPaper", "papers", "One paper with its check")
            .ok("The paper, its parts, their sum and whether today's bank can draw it.", r("PaperDetail"))
            .errors(READ_ONE),
        op("put", "/papers/{id}", "updatePaper", "papers", "Change a paper")
            .describe("Checked like a new paper; `code` is ignored. Sessions already published keep the paper as it was.")
            .body("PaperInput")
            .ok("The changed paper.", r("PaperDetail"))
            .errors(UPDATE),
        op("post", "/papers/{id}/preview", "previewPaper", "papers", "Draw a paper once")
            .describe(
                "Draws the paper from today's bank as one candidate would get it (questions, \
                 options in their drawn order, points, keys). The body is optional; the same \
                 seed gives the same draw. A paper that cannot be drawn is 422 `validation`.",
            )
            .raw_body(json!({
                "required": false,
                "content": { "application/json": { "schema": r("PreviewInput") } }
            }))
            .ok("The drawn paper.", r("Preview"))
            .errors(&[400, 403, 404, 422]),
    ]
}

pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    let types = keys(QuestionType::ALL);
    let question = object(
        &[
            "stem",
            "body",
            "points",
            "tags",
            "difficulty",
            "explanation",
        ],
        json!({
            "stem": string(),
            "body": described(
                json!({ "type": "object", "required": ["type"] }),
                "By `type`: `single` `{options, key}` (key an index from 0), `multiple` \
                 `{options, key: [indexes]}`, `true_false` `{key: bool}`, `short` \
                 `{key_points, model_answer}`.",
            ),
            "points": number(),
            "tags": array(string()),
            "difficulty": json!({ "type": "integer", "minimum": 1, "maximum": 5 }),
            "explanation": string_or_null()
        }),
    );
    let row_props = json!({
        "id": int(),
        "code": string(),
        "version": described(int(), "The current version."),
        "qtype": { "type": "string", "enum": types.clone() },
        "difficulty": int(),
        "points": described(int(), "Default points in hundredths."),
        "stem": string(),
        "archived": boolean(),
        "created_at": datetime(),
        "updated_at": datetime()
    });
    let row_required = [
        "id",
        "code",
        "version",
        "qtype",
        "difficulty",
        "points",
        "stem",
        "archived",
        "created_at",
        "updated_at",
    ];
    vec![
        (
            "Skill",
            object(
                &["code", "group", "name_zh", "name_en"],
                json!({
                    "code": string(),
                    "group": { "type": "string", "enum": ["basic", "professional", "etiquette"] },
                    "name_zh": string(),
                    "name_en": string()
                }),
            ),
        ),
        ("QuestionRow", object(&row_required, row_props.clone())),
        ("QuestionPage", page_of("QuestionRow")),
        ("Question", question),
        (
            "QuestionVersion",
            object(
                &[
                    "id",
                    "question_id",
                    "version",
                    "question",
                    "created_by",
                    "created_at",
                ],
                json!({
                    "id": described(int(), "Id of this version (attempts point at it)."),
                    "question_id": int(),
                    "version": int(),
                    "question": r("Question"),
                    "created_by": int_or_null(),
                    "created_at": datetime()
                }),
            ),
        ),
        (
            "QuestionDetail",
            json!({
                "allOf": [
                    r("QuestionRow"),
                    object(&["current", "history"], json!({
                        "current": r("QuestionVersion"),
                        "history": described(array(r("QuestionVersion")), "Every version, newest first.")
                    }))
                ]
            }),
        ),
        (
            "QuestionInput",
            object(
                &["qtype", "stem"],
                json!({
                    "code": described(string(), "Create only: letters, digits, `-`, `_`; empty for a generated code (`Q000123`)."),
                    "qtype": { "type": "string", "enum": types, "description": "Also accepted as `type`, and as Chinese names (`单选`, `多选`, `判断`, `简答`)." },
                    "stem": string(),
                    "options": described(array(string()), "Choice questions: 2 to 8 options (A–H) without gaps; none for the other types."),
                    "key": text_or_number("`A`, `ACD` or `A,C`; `T`/`F` (or `true`/`false`, `对`/`错`); empty for short answers."),
                    "points": text_or_number("More than 0, at most 2 decimals; empty means 1."),
                    "tags": described(json!({ "type": ["string", "array"], "items": string() }), "Skill codes, as a list or separated by `;`."),
                    "difficulty": text_or_number("1 to 5; empty means 3."),
                    "explanation": string(),
                    "key_points": described(json!({ "type": ["string", "array"], "items": string() }), "Short answers: the points a marker looks for, as a list or one per line."),
                    "model_answer": string()
                }),
            ),
        ),
        (
            "ArchiveInput",
            object(
                &["archived"],
                json!({ "archived": described(boolean(), "`true` archives, `false` restores.") }),
            ),
        ),
        (
            "QuestionImportReport",
            object(
                &[
                    "rows",
                    "created",
                    "updated",
                    "unchanged",
                    "issues",
                    "dry_run",
                ],
                json!({
                    "rows": described(int(), "Data rows in the file."),
                    "created": described(array(string()), "Codes of the new questions."),
                    "updated": array(object(
                        &["line", "code", "version", "changes"],
                        json!({
                            "line": int(),
                            "code": string(),
                            "version": described(int(), "The version the import adds."),
                            "changes": array(r("FieldChange"))
                        }),
                    )),
                    "unchanged": int(),
                    "issues": described(array(r("RowIssue")), "Empty on success; a refused file is a 422 whose `import` lists them."),
                    "dry_run": boolean()
                }),
            ),
        ),
        (
            "PartInput",
            object(
                &[],
                json!({
                    "kind": { "type": "string", "enum": ["fixed", "rule", ""], "description": "Empty: `fixed` when `question` is given, else `rule`." },
                    "question": described(string(), "Fixed: the question's code."),
                    "qtype": described(string(), "Rule: the type drawn."),
                    "tag": described(string(), "Rule, optional: a skill code the drawn questions carry."),
                    "difficulty": text_or_number("Rule, optional: 1 to 5."),
                    "count": text_or_number("Rule: how many questions are drawn."),
                    "points": text_or_number("Points of each question (decimals allowed); for a fixed question empty means its own points.")
                }),
            ),
        ),
        (
            "PaperInput",
            object(
                &["code", "title", "parts"],
                json!({
                    "code": described(string(), "Create only: letters, digits, `-`, `_`."),
                    "title": string(),
                    "total": text_or_number("The declared total in points; empty means 100."),
                    "policy": { "type": "string", "enum": ["all_or_nothing", "partial"], "default": "all_or_nothing", "description": "How multiple-choice answers score." },
                    "shuffle_questions": boolean(),
                    "shuffle_options": boolean(),
                    "archived": boolean(),
                    "parts": described(array(r("PartInput")), "In order; with shuffling off, candidates see fixed questions in this order.")
                }),
            ),
        ),
        (
            "Paper",
            object(
                &[
                    "id",
                    "code",
                    "title",
                    "spec",
                    "archived",
                    "created_at",
                    "updated_at",
                ],
                json!({
                    "id": int(),
                    "code": string(),
                    "title": string(),
                    "spec": described(
                        json!({ "type": "object" }),
                        "As stored: `{total, policy, shuffle_questions, shuffle_options, parts}` with \
                         points in hundredths and fixed questions by id.",
                    ),
                    "archived": boolean(),
                    "created_at": datetime(),
                    "updated_at": datetime()
                }),
            ),
        ),
        (
            "PartView",
            object(
                &["kind", "count", "points", "subtotal"],
                json!({
                    "kind": { "type": "string", "enum": ["fixed", "rule"] },
                    "question_id": int_or_null(),
                    "question_code": string_or_null(),
                    "question_stem": string_or_null(),
                    "qtype": { "type": ["string", "null"] },
                    "tag": string_or_null(),
                    "difficulty": int_or_null(),
                    "count": int(),
                    "points": described(number(), "Points of each question."),
                    "subtotal": number()
                }),
            ),
        ),
        (
            "PaperIssue",
            object(
                &["field", "code", "args"],
                json!({
                    "field": string(),
                    "code": string(),
                    "args": json!({ "type": "object", "additionalProperties": string() })
                }),
            ),
        ),
        (
            "PaperDetail",
            json!({
                "allOf": [
                    r("Paper"),
                    object(&["parts", "items", "declared_total", "sum", "problems"], json!({
                        "parts": array(r("PartView")),
                        "items": described(int(), "Questions on each drawn paper."),
                        "declared_total": number(),
                        "sum": described(number(), "What the parts add up to."),
                        "problems": described(array(r("PaperIssue")), "Why today's bank cannot draw the paper; empty when it can.")
                    }))
                ]
            }),
        ),
        (
            "PreviewInput",
            object(
                &[],
                json!({ "seed": described(int(), "Draw this seed again; random when absent.") }),
            ),
        ),
        (
            "Preview",
            object(
                &["paper_id", "code", "title", "seed", "total", "items"],
                json!({
                    "paper_id": int(),
                    "code": string(),
                    "title": string(),
                    "seed": int(),
                    "total": number(),
                    "items": array(object(
                        &["position", "question_id", "version_id", "version", "code", "qtype", "stem", "points", "options", "key", "key_points"],
                        json!({
                            "position": described(int(), "From 1."),
                            "question_id": int(),
                            "version_id": int(),
                            "version": int(),
                            "code": string(),
                            "qtype": string(),
                            "stem": string(),
                            "points": number(),
                            "options": array(object(
                                &["letter", "original", "text", "correct"],
                                json!({
                                    "letter": described(string(), "As shown to the candidate."),
                                    "original": described(string(), "As stored in the bank."),
                                    "text": string(),
                                    "correct": boolean()
                                }),
                            )),
                            "key": described(string(), "In the letters shown; `T`/`F` for true/false."),
                            "key_points": array(string())
                        }),
                    ))
                }),
            ),
        ),
    ]
}
