//! OpenAPI operations and schemas: Training needs (issue 7 items 1–2): the competency
//! model's writes, needs surveys (draft, open, closed), answering them, the supervisor's
//! rating, and the needs-analysis report with its one-click draft plan.

use serde_json::{Value, json};

use super::{
    CREATE, Op, READ, READ_ONE, UPDATE, array, boolean, datetime, described, int, int_or_null,
    object, op, page_of, r, string, string_or_null,
};

const TAG: &str = "training-needs";

const STEP: &[u16] = &[403, 404, 422];

fn date() -> Value {
    json!({ "type": "string", "format": "date" })
}

fn level() -> Value {
    described(
        json!({ "type": "integer", "minimum": 100, "maximum": 500 }),
        "A level of the 1–5 scale in hundredths (347 = 3.47).",
    )
}

fn level_or_null() -> Value {
    described(
        json!({ "type": ["integer", "null"], "minimum": 100, "maximum": 500 }),
        "A level of the 1–5 scale in hundredths; null when nobody rated.",
    )
}

pub(super) fn operations() -> Vec<Op> {
    let page = json!({ "type": "integer", "minimum": 1, "default": 1 });
    let per_page = json!({ "type": "integer", "minimum": 1, "maximum": 200, "default": 50 });
    vec![
        op(
            "post",
            "/skills",
            "createSkill",
            TAG,
            "Add a skill to the competency model",
        )
        .describe(
            "Adds a skill. `code`: a lower-case letter, then lower-case letters, digits, \
                 `-` or `_`, 2–40 characters (`skill-code-format`), not taken \
                 (`skill-code-taken`); `group`: `basic`, `professional` or `etiquette` \
                 (`skill-group-unknown`); `name_zh` and `name_en` both required \
                 (`skill-name-zh-missing`, `skill-name-en-missing`, at most 60 characters); \
                 `position` 0–9999 or blank for last (`skill-position-invalid`). Refusals are \
                 422 `rejected` with every problem at once. Codes are never renamed or \
                 deleted: questions, rubrics and surveys refer to them. Audited. Needs \
                 `training_manage`.",
        )
        .body("SkillInput")
        .created("Created.", r("CompetencySkill"), true)
        .errors(CREATE),
        op(
            "put",
            "/skills/{code}",
            "updateSkill",
            TAG,
            "Rename, regroup or move a skill",
        )
        .describe(
            "Replaces group, names and position with the checks of creation; the code \
                 in the path stays (a `code` in the body is ignored). Audited with before and \
                 after. Needs `training_manage`.",
        )
        .body("SkillInput")
        .ok("The skill.", r("CompetencySkill"))
        .errors(UPDATE),
        op(
            "get",
            "/surveys",
            "listSurveys",
            TAG,
            "Training needs surveys",
        )
        .describe(
            "Newest first, with the number invited (fixed when the survey opened) and \
                 the number of answers. Needs `training_read`.",
        )
        .query(
            "q",
            string(),
            "Part of the code or title (case-insensitive).",
        )
        .query(
            "phase",
            json!({ "type": "string", "enum": ["draft", "open", "closed"] }),
            "Only surveys in this phase.",
        )
        .query("page", page.clone(), "Page number.")
        .query("per_page", per_page.clone(), "Rows per page.")
        .ok("One page of surveys.", r("SurveySummaryPage"))
        .errors(&[400, 403]),
        op(
            "post",
            "/surveys",
            "createSurvey",
            TAG,
            "Prepare a needs survey (draft)",
        )
        .describe(
            "A draft survey (S1 template 1) asking the chosen skills of the competency \
                 model (`survey-skill-unknown`, `survey-no-skills`), each with a target level \
                 (`4`, `4.5`; blank is 4.00; `survey-target-invalid`), for the chosen \
                 departments (with their sub-departments) and positions (empty lists: \
                 everyone; `survey-department-unknown`, `survey-position-unknown`), answered \
                 between `opens_on` and `closes_on` inclusive (`survey-window-order`, \
                 `survey-date-invalid`). Other refusals: `survey-code-invalid`, \
                 `survey-code-taken`, `survey-title-invalid`. All 422 `rejected`. Audited. \
                 Needs `training_manage`.",
        )
        .body("SurveyInput")
        .created("Created.", r("SurveyDetail"), true)
        .errors(CREATE),
        op("get", "/surveys/{id}", "getSurvey", TAG, "One survey")
            .describe(
                "The survey with its phase (`draft`, `open`, `closed`), whether it takes \
                 answers today, and invitees, answers and response rate (basis points) — a \
                 supervisor's counted in their departments only. Needs `training_read`.",
            )
            .ok("The survey.", r("SurveyDetail"))
            .errors(READ_ONE),
        op(
            "put",
            "/surveys/{id}",
            "updateSurvey",
            TAG,
            "Change a draft survey",
        )
        .describe(
            "Replaces every field with the checks of creation. Only while a draft \
                 (`survey-not-draft`): once opened, questions and audience are fixed. \
                 Audited with before and after. Needs `training_manage`.",
        )
        .body("SurveyInput")
        .ok("The survey.", r("SurveyDetail"))
        .errors(UPDATE),
        op(
            "post",
            "/surveys/{id}/open",
            "openSurvey",
            TAG,
            "Open a draft survey",
        )
        .describe(
            "Fixes the invitees — everyone not left who works in the audience today, \
                 the response rate's denominator — and tells each in the inbox. Refused for \
                 a survey that is not a draft (`survey-not-draft`), whose window has ended \
                 (`survey-window-past`) or whose audience covers nobody \
                 (`survey-no-invitees`). Audited. Needs `training_manage`.",
        )
        .ok("The survey and how many were invited.", r("SurveyOpened"))
        .errors(STEP),
        op(
            "post",
            "/surveys/{id}/close",
            "closeSurvey",
            TAG,
            "Close a survey",
        )
        .describe(
            "No more answers or ratings; the report stays. A draft can be closed \
                 without being asked. Refused when already closed (`survey-already-closed`). \
                 Audited. Needs `training_manage`.",
        )
        .ok("The survey.", r("SurveyDetail"))
        .errors(STEP),
        op("get", "/me/surveys", "mySurveys", TAG, "My open surveys")
            .describe(
                "The opened, not closed surveys the signed-in employee was invited to, \
                 closing soonest first, with whether they answered and whether answers are \
                 taken today. Empty for a user without an employee record.",
            )
            .ok("The surveys.", array(r("MySurvey")))
            .errors(READ),
        op(
            "get",
            "/surveys/{id}/response",
            "getSurveyResponse",
            TAG,
            "My answer sheet",
        )
        .describe(
            "The survey, the signed-in employee's answer so far (or null), and the code \
                 an answer would be refused with now (`survey-not-invited`, \
                 `survey-not-yet-open`, `survey-closed`, `survey-not-employee`) or null. Any \
                 signed-in user.",
        )
        .ok("The answer sheet.", r("SurveyAnswerSheet"))
        .errors(READ_ONE),
        op(
            "put",
            "/surveys/{id}/response",
            "answerSurvey",
            TAG,
            "Answer (or change my answer)",
        )
        .describe(
            "Stores the signed-in employee's answer, replacing an earlier one, while the \
                 survey is open and today lies in its window. Every skill asked rated with a \
                 whole number 1–5 (`survey-rating-out-of-range`, `survey-rating-missing`, \
                 `survey-skill-unknown` on `ratings.<skill>`); `desired_content` at most 500 \
                 characters (`survey-content-too-long`); `format` `online`, `offline` or \
                 `either` (`survey-format-missing`, `survey-format-unknown`). Refused when \
                 not invited (`survey-not-invited`), outside the window (`survey-not-yet-open`, \
                 `survey-closed`) or without an employee record (`survey-not-employee`). All \
                 422 `rejected`; nothing is stored. Audited. Any signed-in user.",
        )
        .body("SurveyAnswer")
        .ok("The answer sheet.", r("SurveyAnswerSheet"))
        .errors(UPDATE),
        op(
            "get",
            "/surveys/{id}/ratings",
            "surveyRatingSheet",
            TAG,
            "The invitees I may rate",
        )
        .describe(
            "The survey's invitees in the rater's departments (everyone for a company-wide \
                 grant), by employee number, with whether they answered and the supervisor \
                 ratings given so far. Needs `team_rate`.",
        )
        .query("q", string(), "Part of the employee number or name.")
        .query("page", page.clone(), "Page number.")
        .query("per_page", per_page.clone(), "Rows per page.")
        .ok("The invitees.", r("SurveyRateSheet"))
        .errors(&[400, 403, 404]),
        op(
            "put",
            "/surveys/{id}/ratings/{employee_id}",
            "rateInSurvey",
            TAG,
            "A supervisor's rating of one invitee",
        )
        .describe(
            "Stores (or replaces) the supervisor's own rating of an invitee: skill → 1–5; \
                 blank or absent skills are not rated, at least one must be \
                 (`survey-nothing-rated`), each whole 1–5 (`survey-rating-out-of-range`). \
                 Only for invitees (`survey-not-invited`) in the rater's departments (403), \
                 not oneself (`survey-rate-self`), while the survey takes answers \
                 (`survey-not-yet-open`, `survey-closed`). Audited. Needs `team_rate`.",
        )
        .body("SurveyRating")
        .ok("The invitee's line.", r("SurveyRateSheet"))
        .errors(UPDATE),
        op(
            "get",
            "/surveys/{id}/report",
            "surveyNeedsReport",
            TAG,
            "The needs-analysis report",
        )
        .describe(
            "S1's training needs analysis, computed in one pass over every answer: \
                 average self and supervisor rating per skill overall, by department and by \
                 position (as they stood when answering), the gap to each skill's target \
                 (measured on the mean of the self and supervisor averages when supervisors \
                 rated), the weakest skills, the most requested topics, the format split and \
                 the response rate (basis points), plus the draft topics a plan would take. A \
                 supervisor sees only answers from their departments. Needs `training_read`.",
        )
        .ok("The report.", r("NeedsReport"))
        .errors(READ_ONE),
        op(
            "post",
            "/surveys/{id}/draft-plan",
            "draftPlanFromSurvey",
            TAG,
            "Turn the top needs into a draft plan",
        )
        .describe(
            "Creates a draft training plan for this year from the five largest needs (over \
                 every answer): one dated stage per topic, a month each from next month, named \
                 after what people asked for and the departments that need it most; its code \
                 is the survey's with `-PLAN`. Refused when no skill falls short of its target \
                 (`needs-nothing-to-plan`). Audited. Needs `training_manage`.",
        )
        .created("The plan's id.", r("DraftPlan"), true)
        .errors(STEP),
    ]
}

pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    let skill_need = object(
        &["skill", "target", "self_count", "basis", "gap"],
        json!({
            "skill": string(),
            "target": level(),
            "self_count": int(),
            "self_average": level_or_null(),
            "supervisor_count": int(),
            "supervisor_average": level_or_null(),
            "basis": level(),
            "gap": described(int(), "target − basis in hundredths; positive when short.")
        }),
    );
    let formats = object(
        &["online", "offline", "either"],
        json!({
            "online": int(), "offline": int(), "either": int(),
            "online_share": described(int(), "Basis points."),
            "offline_share": int(), "either_share": int()
        }),
    );
    let group = object(
        &["key", "name", "responses", "skills", "formats"],
        json!({
            "key": described(string(), "Department or position id; `none` without a position."),
            "name": string(),
            "responses": int(),
            "skills": array(r("NeedsSkill")),
            "formats": r("NeedsFormats")
        }),
    );
    vec![
        (
            "CompetencySkill",
            object(
                &["code", "group", "name_zh", "name_en", "position"],
                json!({
                    "code": string(),
                    "group": { "type": "string", "enum": ["basic", "professional", "etiquette"] },
                    "name_zh": string(),
                    "name_en": string(),
                    "position": int()
                }),
            ),
        ),
        (
            "SkillInput",
            object(
                &["group", "name_zh", "name_en"],
                json!({
                    "code": described(string(), "Only read when creating."),
                    "group": { "type": "string", "enum": ["basic", "professional", "etiquette"] },
                    "name_zh": string(),
                    "name_en": string(),
                    "position": described(string(), "0–9999; blank puts the skill last.")
                }),
            ),
        ),
        (
            "SurveyInput",
            object(
                &["code", "title", "opens_on", "closes_on", "skills"],
                json!({
                    "code": string(),
                    "title": string(),
                    "opens_on": date(),
                    "closes_on": date(),
                    "skills": array(string()),
                    "targets": {
                        "type": "object",
                        "additionalProperties": { "type": "string" },
                        "description": "Skill code → target level such as `4.5`; 4.00 when absent."
                    },
                    "departments": described(array(int()), "Department ids (with sub-departments); empty: all."),
                    "positions": described(array(int()), "Position ids; empty: all.")
                }),
            ),
        ),
        (
            "SurveySummary",
            object(
                &[
                    "id",
                    "code",
                    "title",
                    "opens_on",
                    "closes_on",
                    "status",
                    "invitees",
                    "responses",
                ],
                json!({
                    "id": int(), "code": string(), "title": string(),
                    "opens_on": date(), "closes_on": date(),
                    "status": described(string(), "`open` (draft or opened) or `closed`; see the survey's `phase`."),
                    "invitees": int(), "responses": int()
                }),
            ),
        ),
        ("SurveySummaryPage", page_of("SurveySummary")),
        (
            "Survey",
            object(
                &[
                    "id",
                    "code",
                    "title",
                    "opens_on",
                    "closes_on",
                    "skill_list",
                    "target_levels",
                    "phase",
                    "accepting",
                ],
                json!({
                    "id": int(), "code": string(), "title": string(),
                    "opens_on": date(), "closes_on": date(),
                    "status": string(),
                    "skill_list": array(string()),
                    "target_levels": { "type": "object", "additionalProperties": level() },
                    "audience_detail": object(&[], json!({
                        "departments": array(int()),
                        "positions": array(int()),
                        "opened_at": { "type": ["string", "null"], "format": "date-time" }
                    })),
                    "phase": { "type": "string", "enum": ["draft", "open", "closed"] },
                    "accepting": described(boolean(), "Answers are taken today."),
                    "created_at": datetime(),
                    "updated_at": datetime()
                }),
            ),
        ),
        (
            "SurveyDetail",
            object(
                &["survey", "invitees", "responses"],
                json!({
                    "survey": r("Survey"),
                    "invitees": int(),
                    "responses": int(),
                    "response_rate": described(int_or_null(), "Basis points; null before anyone was invited.")
                }),
            ),
        ),
        (
            "SurveyOpened",
            object(
                &["survey", "invited"],
                json!({ "survey": r("SurveyDetail"), "invited": int() }),
            ),
        ),
        (
            "MySurvey",
            object(
                &["id", "code", "title", "opens_on", "closes_on", "accepting"],
                json!({
                    "id": int(), "code": string(), "title": string(),
                    "opens_on": date(), "closes_on": date(),
                    "answered_at": { "type": ["string", "null"], "format": "date-time" },
                    "accepting": boolean()
                }),
            ),
        ),
        (
            "SurveyAnswer",
            object(
                &["ratings", "format"],
                json!({
                    "ratings": {
                        "type": "object",
                        "additionalProperties": { "type": "string" },
                        "description": "Skill code → `\"1\"`…`\"5\"` for every skill asked."
                    },
                    "desired_content": described(string(), "Topics wanted, separated by commas, 、 or lines."),
                    "format": { "type": "string", "enum": ["online", "offline", "either"] }
                }),
            ),
        ),
        (
            "SurveyAnswerSheet",
            object(
                &["survey"],
                json!({
                    "survey": r("Survey"),
                    "answer": {
                        "type": ["object", "null"],
                        "properties": {
                            "id": int(), "ratings": described(string(), "JSON of skill → rating."),
                            "desired_content": string(), "format": string(),
                            "submitted_at": datetime(), "updated_at": datetime()
                        }
                    },
                    "refusal": described(string_or_null(), "Why an answer would be refused now.")
                }),
            ),
        ),
        (
            "SurveyRating",
            object(
                &["ratings"],
                json!({
                    "ratings": {
                        "type": "object",
                        "additionalProperties": { "type": ["string", "integer", "null"] },
                        "description": "Skill code → 1–5; blank or absent: not rated."
                    }
                }),
            ),
        ),
        (
            "SurveyRateLine",
            object(
                &[
                    "employee_id",
                    "employee_no",
                    "name",
                    "department_id",
                    "answered",
                ],
                json!({
                    "employee_id": int(), "employee_no": string(), "name": string(),
                    "department_id": int(), "department_name": string(),
                    "position_name": string_or_null(),
                    "answered": boolean(),
                    "ratings": described(string_or_null(), "JSON of the supervisor ratings so far.")
                }),
            ),
        ),
        (
            "SurveyRateSheet",
            object(
                &["survey", "people"],
                json!({ "survey": r("Survey"), "people": page_of("SurveyRateLine") }),
            ),
        ),
        ("NeedsSkill", skill_need),
        ("NeedsFormats", formats),
        ("NeedsGroup", group),
        (
            "NeedsReport",
            object(
                &["survey", "analysis", "skills", "scoped", "draft_topics"],
                json!({
                    "survey": r("Survey"),
                    "analysis": object(
                        &["responses", "skills", "departments", "positions", "weakest", "top_topics", "formats"],
                        json!({
                            "invited": int_or_null(),
                            "responses": int(),
                            "response_rate": described(int_or_null(), "Basis points."),
                            "skills": array(r("NeedsSkill")),
                            "departments": array(r("NeedsGroup")),
                            "positions": array(r("NeedsGroup")),
                            "weakest": array(r("NeedsSkill")),
                            "top_topics": array(object(&["topic", "count"], json!({ "topic": string(), "count": int() }))),
                            "formats": r("NeedsFormats")
                        }),
                    ),
                    "skills": array(r("CompetencySkill")),
                    "scoped": described(boolean(), "Only the reader's departments are counted."),
                    "draft_topics": array(object(
                        &["skill", "gap", "title"],
                        json!({
                            "skill": string(), "gap": int(), "title": string(),
                            "topic": string_or_null(),
                            "target_group": array(object(&["key", "name", "gap"], json!({ "key": string(), "name": string(), "gap": int() }))),
                            "format": string()
                        }),
                    ))
                }),
            ),
        ),
        (
            "DraftPlan",
            object(
                &["plan_id", "location"],
                json!({ "plan_id": int(), "location": described(string(), "The plan's page.") }),
            ),
        ),
    ]
}
