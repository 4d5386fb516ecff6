//! OpenAPI operations and schemas of the staff side of exams: sessions, overrides, offline
//! scores, results, item analysis, closing and reopening attempts, marking.

use serde_json::{Value, json};
use skillcert_domain::exam::analysis::Flag;
use skillcert_domain::exam::attempt::ReviewPolicy;

use super::{
    CREATE, Op, READ, READ_ONE, UPDATE, array, boolean, datetime, described, int, int_or_null,
    keys, object, op, page_of, r, string, string_or_null,
};

const TAG: &str = "exams";
const MARKING: &str = "marking";

pub(super) fn operations() -> Vec<Op> {
    let page = json!({ "type": "integer", "minimum": 1, "default": 1 });
    let per_page = json!({ "type": "integer", "minimum": 1, "maximum": 500, "default": 50 });
    vec![
        op("get", "/exam-sessions", "listExamSessions", TAG, "Exam sessions")
            .describe("Newest opening first. Needs `exam_results` (any scope).")
            .query(
                "status",
                json!({ "type": "string", "enum": ["draft", "published", "cancelled"] }),
                "Only sessions in this state; other values are ignored.",
            )
            .query("page", page.clone(), "Page number.")
            .query("per_page", per_page.clone(), "Rows per page.")
            .ok("One page of sessions.", r("ExamSessionPage"))
            .errors(READ),
        op("post", "/exam-sessions", "createExamSession", TAG, "Plan a session")
            .describe(
                "Creates a draft. Times are typed in China Standard Time (`2026-11-24 09:00`, \
                 with `T` or `/` also accepted) or given as RFC 3339. `closes_at` must be after \
                 `opens_at`; an online session needs a paper; the audience is departments (and \
                 everything below them) or a list of employee numbers, each of which must \
                 exist. Needs `exam_manage`.",
            )
            .body("ExamSessionInput")
            .created("Created.", r("ExamSession"), true)
            .errors(CREATE),
        op("get", "/exam-sessions/{id}", "getExamSession", TAG, "One session")
            .describe("With its audience and counts of open, submitted and graded attempts.")
            .ok("The session.", r("ExamSession"))
            .errors(READ_ONE),
        op("put", "/exam-sessions/{id}", "updateExamSession", TAG, "Change a draft")
            .describe("Only drafts change (409 `session-not-draft` otherwise).")
            .body("ExamSessionInput")
            .ok("The changed session.", r("ExamSession"))
            .errors(UPDATE),
        op("post", "/exam-sessions/{id}/publish", "publishExamSession", TAG, "Publish")
            .describe(
                "Checks the paper against the bank as it is now (a paper whose parts do not \
                 add up to its total, or whose rules cannot draw, is 422 with a `paper_id` \
                 field error) and freezes the paper and the questions it may draw into the \
                 session. 409 `session-not-draft` when not a draft.",
            )
            .ok("The published session.", r("ExamSession"))
            .errors(&[403, 404, 409, 422]),
        op("post", "/exam-sessions/{id}/status", "setExamSessionStatus", TAG, "Back to draft, or cancel")
            .describe(
                "`draft` returns a published session to draft while nobody has started (409 \
                 `session-has-attempts` otherwise); `cancelled` is refused while attempts are \
                 open (409 `attempt-open`). Audited.",
            )
            .body("ExamStatusInput")
            .ok("The session.", r("ExamSession"))
            .errors(&[400, 403, 404, 409, 422]),
        op("post", "/exam-sessions/{id}/overrides", "setExamOverride", TAG, "Extra time or attempts for one candidate")
            .describe(
                "Replaces the candidate's override; an open attempt's deadline moves with the \
                 extra time. Audited with before and after (`exam_override.set`). The employee \
                 must lie in the caller's `exam_manage` scope.",
            )
            .body("ExamOverrideInput")
            .ok("The override now in force.", r("ExamOverride"))
            .errors(&[400, 403, 404, 422]),
        op("post", "/exam-sessions/{id}/offline-scores", "recordOfflineScores", TAG, "Record paper-exam scores")
            .describe(
                "For published offline sessions (409 `session-not-offline`, \
                 `session-not-published`). Every row is checked first and nothing is recorded \
                 unless all are good: field errors name the row, e.g. `rows[2].employee_no` \
                 (`not-found`, `duplicate`) or `rows[0].score` (`bad-number`). Each row \
                 becomes a graded attempt closed `offline`.",
            )
            .body("OfflineScores")
            .ok("How many rows were recorded.", r("OfflineRecorded"))
            .errors(&[400, 403, 404, 409, 422]),
        op(
            "get",
            "/exam-sessions/{id}/attempts/{attempt_id}",
            "getExamAttemptDetail",
            TAG,
            "One attempt as drawn",
        )
        .describe(
            "The paper exactly as the candidate saw it (question versions, order, option order \
             with the letters shown; `seed` as text), the answers, the key, item scores and \
             markers' marks. Needs `exam_results` covering the candidate's department.",
        )
        .ok(
            "The attempt.",
            json!({ "type": "object", "required": ["attempt", "seed", "employee_no", "name", "session_id", "items"] }),
        )
        .errors(&[403, 404]),
        op("get", "/exam-sessions/{id}/results", "listExamResults", TAG, "Results")
            .describe(
                "Every attempt of the candidates in the caller's `exam_results` scope (a \
                 supervisor sees their departments only).",
            )
            .query("q", string(), "Part of an employee number or name.")
            .query(
                "status",
                json!({ "type": "string", "enum": ["open", "submitted", "graded"] }),
                "Attempt status.",
            )
            .query(
                "result",
                json!({ "type": "string", "enum": ["passed", "failed"] }),
                "Passed or failed only.",
            )
            .query(
                "sort",
                json!({ "type": "string", "enum": ["employee_no", "name", "status", "score", "submitted"], "default": "employee_no" }),
                "Sort column; attempts without a value come last.",
            )
            .query("dir", json!({ "type": "string", "enum": ["asc", "desc"] }), "Sort direction.")
            .query("page", page, "Page number.")
            .query("per_page", per_page, "Rows per page.")
            .ok("One page of results.", r("ExamResultPage"))
            .errors(READ_ONE),
        op("get", "/exam-sessions/{id}/analysis", "getExamAnalysis", TAG, "Item analysis")
            .describe(
                "Over every graded attempt: facility, item-rest correlation, 27 % \
                 discrimination and option frequencies per question, and the test's alpha \
                 (KR-20 when every item is scored 0 or full), mean, SD and SEM. `analysis` is \
                 null while nothing is graded. Needs `exam_results` for the whole company \
                 (a department's subset would mislead): 403 for department-limited viewers.",
            )
            .ok("The analysis.", r("ExamAnalysis"))
            .errors(READ_ONE),
        op("post", "/attempts/{id}/reopen", "reopenAttempt", TAG, "Reopen a closed attempt")
            .describe(
                "For `minutes` (1–600) from now, e.g. after a power cut; its grading is \
                 discarded, the answers saved so far stay. 409 `attempt-not-closed` for an \
                 open attempt, `attempt-open` when the candidate has another open attempt. \
                 Audited.",
            )
            .body("ReopenInput")
            .no_content("Reopened.")
            .errors(&[400, 403, 404, 409, 422]),
        op("post", "/attempts/{id}/close", "closeAttempt", TAG, "Close an attempt now")
            .describe(
                "Closes an open attempt as if submitted (e.g. the candidate left the room) and \
                 grades it; recorded as closed by staff and audited. An attempt already closed \
                 is reported as it stands.",
            )
            .ok("The attempt as closed.", r("Submitted"))
            .errors(READ_ONE),
        op("get", "/marking", "listMarkingTasks", MARKING, "Short answers to mark")
            .describe(
                "Oldest first, without the ones the caller already marked. The candidate is \
                 not named. With double marking the second marker does not see the first mark; \
                 a third marker (`round` 3, after two marks diverged) sees both. Needs \
                 `exam_mark`.",
            )
            .query("session_id", int(), "Only this session.")
            .query(
                "limit",
                json!({ "type": "integer", "minimum": 1, "maximum": 200, "default": 20 }),
                "At most this many tasks.",
            )
            .ok("The tasks.", array(r("MarkingTask")))
            .errors(&[400, 403]),
        op("post", "/marking/{attempt_id}/{position}", "markAnswer", MARKING, "Mark one short answer")
            .describe(
                "`position` is the 0-based place of the question in the attempt. A marker marks \
                 an answer once (409 `already-marked`); a mark above the question's points is \
                 422 `mark-above-points`; an answer not waiting for marks is 409 \
                 `not-awaiting-marks`. When the last answer of an attempt is final the attempt \
                 is graded (`attempt_score`).",
            )
            .body("MarkInput")
            .ok("Where the answer stands.", r("MarkOutcome"))
            .errors(&[400, 403, 404, 409, 422]),
    ]
}

fn hundredths(description: &str) -> Value {
    described(int(), &format!("{description} In hundredths of a point."))
}

pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    let reviews = keys(ReviewPolicy::ALL.iter().map(|r| r.key()));
    let flags = keys(Flag::ALL.iter().map(|f| f.key()));
    let session_row = json!({
        "id": int(),
        "code": string(),
        "title": string(),
        "paper_id": int_or_null(),
        "mode": { "type": "string", "enum": ["online", "offline"] },
        "opens_at_ms": described(int(), "Unix milliseconds."),
        "closes_at_ms": described(int(), "Unix milliseconds."),
        "duration_minutes": int(),
        "attempts_allowed": int(),
        "pass_mark": hundredths("The pass line."),
        "review": { "type": "string", "enum": reviews.clone() },
        "double_marking": boolean(),
        "divergence": hundredths("How far two markers may differ before a third marks."),
        "audience": { "type": "string", "enum": ["departments", "list"] },
        "status": { "type": "string", "enum": ["draft", "published", "cancelled"] },
        "created_at": datetime(),
        "updated_at": datetime()
    });
    let row_required = [
        "id",
        "code",
        "title",
        "paper_id",
        "mode",
        "opens_at_ms",
        "closes_at_ms",
        "duration_minutes",
        "attempts_allowed",
        "pass_mark",
        "review",
        "double_marking",
        "divergence",
        "audience",
        "status",
        "created_at",
        "updated_at",
    ];
    let mut session = session_row.clone();
    if let Some(o) = session.as_object_mut() {
        o.insert("opens_at".into(), datetime());
        o.insert("closes_at".into(), datetime());
        o.insert(
            "departments".into(),
            described(
                array(int()),
                "Audience departments (with everything below them).",
            ),
        );
        o.insert(
            "candidates".into(),
            described(array(string()), "Employee numbers of a list audience."),
        );
        o.insert("attempts_open".into(), int());
        o.insert("attempts_submitted".into(), int());
        o.insert("attempts_graded".into(), int());
    }
    let mut session_required: Vec<&str> = row_required.to_vec();
    session_required.extend([
        "opens_at",
        "closes_at",
        "departments",
        "candidates",
        "attempts_open",
        "attempts_submitted",
        "attempts_graded",
    ]);
    vec![
        ("ExamSessionRow", object(&row_required, session_row)),
        ("ExamSessionPage", page_of("ExamSessionRow")),
        ("ExamSession", object(&session_required, session)),
        (
            "ExamSessionInput",
            object(
                &["code", "title", "opens_at", "closes_at", "duration_minutes"],
                json!({
                    "code": described(string(), "Letters, digits, `-`, `_`, `.`; unique."),
                    "title": string(),
                    "paper_id": described(int_or_null(), "Required for online sessions; ignored offline."),
                    "mode": { "type": "string", "enum": ["online", "offline"], "default": "online" },
                    "opens_at": described(string(), "`2026-11-24 09:00` in China Standard Time, or RFC 3339."),
                    "closes_at": described(string(), "After `opens_at`; no attempt runs past it."),
                    "duration_minutes": described(string(), "1 to 1440, as text or number text."),
                    "attempts_allowed": described(string(), "1 to 20; empty means 1."),
                    "pass_mark": described(string(), "Points, e.g. `60` or `72.5`; empty means 60."),
                    "review": { "type": "string", "enum": reviews, "description": "When candidates see their score and the key; empty means `score_after_close`." },
                    "double_marking": boolean(),
                    "divergence": described(string(), "Points; empty means 5."),
                    "audience": { "type": "string", "enum": ["departments", "list"], "default": "departments" },
                    "departments": array(int()),
                    "candidates": described(string(), "Employee numbers separated by spaces, commas or new lines.")
                }),
            ),
        ),
        (
            "ExamStatusInput",
            object(
                &["status"],
                json!({ "status": { "type": "string", "enum": ["draft", "cancelled"] } }),
            ),
        ),
        (
            "ExamOverrideInput",
            object(
                &["employee_no"],
                json!({
                    "employee_no": string(),
                    "extra_minutes": { "type": "integer", "minimum": 0, "maximum": 600, "default": 0 },
                    "extra_attempts": { "type": "integer", "minimum": 0, "maximum": 10, "default": 0 }
                }),
            ),
        ),
        (
            "ExamOverride",
            object(
                &["extra_minutes", "extra_attempts"],
                json!({ "extra_minutes": int(), "extra_attempts": int() }),
            ),
        ),
        (
            "OfflineScores",
            object(
                &["rows"],
                json!({
                    "rows": array(object(
                        &["employee_no", "score"],
                        json!({
                            "employee_no": string(),
                            "score": described(string(), "Points from 0 to 100, e.g. `85` or `72.5`.")
                        }),
                    ))
                }),
            ),
        ),
        (
            "OfflineRecorded",
            object(&["recorded"], json!({ "recorded": int() })),
        ),
        (
            "ExamResult",
            object(
                &[
                    "attempt_id",
                    "employee_id",
                    "employee_no",
                    "name",
                    "department_id",
                    "number",
                    "status",
                    "started_at_ms",
                    "submitted_at_ms",
                    "closed_by",
                    "max_score",
                    "score",
                    "passed",
                ],
                json!({
                    "attempt_id": int(),
                    "employee_id": int(),
                    "employee_no": string(),
                    "name": string(),
                    "department_id": int(),
                    "number": described(int(), "The candidate's attempt number (1, 2, …)."),
                    "status": { "type": "string", "enum": ["open", "submitted", "graded"] },
                    "started_at_ms": described(int(), "Unix milliseconds."),
                    "submitted_at_ms": described(int_or_null(), "Unix milliseconds."),
                    "closed_by": { "type": ["string", "null"], "enum": ["candidate", "deadline", "staff", "offline", null] },
                    "max_score": hundredths(""),
                    "score": described(int_or_null(), "Hundredths of a point; null until graded."),
                    "passed": { "type": ["boolean", "null"] }
                }),
            ),
        ),
        ("ExamResultPage", page_of("ExamResult")),
        (
            "ExamAnalysis",
            object(
                &["session_id", "analysis", "codes"],
                json!({
                    "session_id": int(),
                    "analysis": { "oneOf": [{ "type": "null" }, r("ItemAnalysis")] },
                    "codes": described(
                        json!({ "type": "object", "additionalProperties": int() }),
                        "Question code → question id, for links."
                    )
                }),
            ),
        ),
        (
            "ItemAnalysis",
            object(
                &["candidates", "alpha", "kr20", "mean", "sd", "sem", "items"],
                json!({
                    "candidates": int(),
                    "alpha": described(json!({ "type": ["number", "null"] }), "Cronbach's alpha (KR-20 when `kr20`); null when undefined."),
                    "kr20": described(boolean(), "Every item was scored 0 or full."),
                    "mean": described(json!({ "type": "number" }), "Mean total, in points."),
                    "sd": json!({ "type": ["number", "null"] }),
                    "sem": described(json!({ "type": ["number", "null"] }), "Standard error of measurement."),
                    "items": array(r("ItemStats"))
                }),
            ),
        ),
        (
            "ItemStats",
            object(
                &[
                    "question",
                    "n",
                    "max",
                    "mean",
                    "facility",
                    "item_rest_r",
                    "discrimination",
                    "options",
                    "flags",
                ],
                json!({
                    "question": described(string(), "The question code."),
                    "n": int(),
                    "max": json!({ "type": "number" }),
                    "mean": json!({ "type": "number" }),
                    "facility": described(json!({ "type": "number" }), "Mean score / max, 0 to 1; higher is easier."),
                    "item_rest_r": json!({ "type": ["number", "null"] }),
                    "discrimination": described(json!({ "type": ["number", "null"] }), "Upper-lower 27 % index."),
                    "options": array(object(
                        &["choice", "count", "share"],
                        json!({ "choice": string(), "count": int(), "share": json!({ "type": "number" }) }),
                    )),
                    "flags": array(json!({ "type": "string", "enum": flags }))
                }),
            ),
        ),
        (
            "ReopenInput",
            object(
                &["minutes"],
                json!({ "minutes": { "type": "integer", "minimum": 1, "maximum": 600 } }),
            ),
        ),
        (
            "MarkingTask",
            object(
                &[
                    "attempt_id",
                    "position",
                    "session_id",
                    "stem",
                    "key_points",
                    "model_answer",
                    "answer",
                    "points",
                    "round",
                    "earlier",
                ],
                json!({
                    "attempt_id": int(),
                    "position": int(),
                    "session_id": int(),
                    "stem": string(),
                    "key_points": array(string()),
                    "model_answer": string_or_null(),
                    "answer": string(),
                    "points": hundredths("What the question is worth."),
                    "round": described(int(), "1, 2 or 3: which marking this would be."),
                    "earlier": described(array(object(
                        &["round", "marker_user_id", "score", "comment", "marked_at"],
                        json!({
                            "round": int(),
                            "marker_user_id": int(),
                            "score": hundredths(""),
                            "comment": string_or_null(),
                            "marked_at": datetime()
                        }),
                    )), "Earlier marks, for the third marker only.")
                }),
            ),
        ),
        (
            "MarkInput",
            object(
                &["score"],
                json!({
                    "score": described(string(), "Points, e.g. `18.5`; at most the question's points."),
                    "comment": string()
                }),
            ),
        ),
        (
            "MarkOutcome",
            object(
                &["final_score", "needs_round", "attempt_score"],
                json!({
                    "final_score": described(int_or_null(), "Hundredths, when the answer's mark is final."),
                    "needs_round": described(int_or_null(), "2 or 3 when another marker is needed."),
                    "attempt_score": described(int_or_null(), "Hundredths, when this mark completed the attempt's grading.")
                }),
            ),
        ),
    ]
}
