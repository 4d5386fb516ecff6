//! OpenAPI operations and schemas of certification rounds: the plan, its steps (review,
//! reopen, publish, close), applications with attachments and decisions, results with
//! typed-in scores, and the consequences of failures.

use serde_json::{Value, json};

use super::{
    CREATE, Op, READ_ONE, UPDATE, array, boolean, datetime, described, int, int_or_null, object,
    op, page_of, r, string, string_or_null,
};

const TAG: &str = "certification";

fn date() -> Value {
    json!({ "type": "string", "format": "date" })
}

fn date_or_null() -> Value {
    json!({ "type": ["string", "null"], "format": "date" })
}

const STEP: &[u16] = &[403, 404, 422];

pub(super) fn operations() -> Vec<Op> {
    let page = json!({ "type": "integer", "minimum": 1, "default": 1 });
    let per_page = json!({ "type": "integer", "minimum": 1, "maximum": 200, "default": 50 });
    vec![
        op("get", "/rounds", "listRounds", TAG, "Certification rounds")
            .describe(
                "Newest first, with counts of applications, approved applications, results \
                 and passes. Needs `certification_manage` or `certification_results`.",
            )
            .query(
                "q",
                string(),
                "Part of the code or title (case-insensitive).",
            )
            .query(
                "status",
                json!({ "type": "string", "enum": ["open", "reviewed", "published", "closed"] }),
                "Only rounds in this state.",
            )
            .query("page", page, "Page number.")
            .query("per_page", per_page, "Rows per page.")
            .ok("One page of rounds.", r("RoundSummaryPage"))
            .errors(&[400, 403]),
        op("post", "/rounds", "createRound", TAG, "Open a round")
            .describe(
                "Freezes a scheme version into a new round in `open`. Only a scheme with \
                 levels (bands) and certificate rules can certify (`round-not-certifying` on \
                 `scheme`). `levels` are band keys separated by commas or spaces; `requires` \
                 holds `level:required` pairs (S1: `senior:intermediate`, \"intermediate or \
                 above before senior\"); `sources` maps a component key to an exam session code \
                 (exam components) or an event code (panel components), and for an \
                 attendance or daily component `training [FROM..TO] [A/H/M] [late=P]` computes \
                 it from training records (attendance rate; for daily also homework and the \
                 mentor's evaluation with sub-weights, default 30/40/30; `round-training-*` \
                 refusals): components without a source take scores typed in by the manager. \
                 Plan rules are refused as 422 \
                 `rejected` with problems such as `round-level-unknown`, \
                 `round-registration-order`, `round-assessment-order`, `round-appeal-window`, \
                 `round-source-unknown`, `round-source-kind`; unreadable dates or numbers and a \
                 duplicate `code` are 422 `validation`. An assessment period longer than S0's \
                 limit (basic 14 days, advanced 31 days) is accepted with \
                 `exceeds_time_limit: true` — a warning, not a refusal. Audited. Needs \
                 `certification_manage`.",
            )
            .body("RoundInput")
            .created("Created.", r("RoundDetail"), true)
            .errors(CREATE),
        op("get", "/rounds/{id}", "getRound", TAG, "One round")
            .describe(
                "The round with its frozen plan, the source of each component, whether the \
                 plan exceeds S0's time limit, whether registration is open today, and once \
                 published the end of the notice period and the last day of appeals. Any \
                 signed-in user may read it (employees apply to it).",
            )
            .ok("The round.", r("RoundDetail"))
            .errors(READ_ONE),
        op(
            "put",
            "/rounds/{id}",
            "updateRound",
            TAG,
            "Change an open round",
        )
        .describe(
            "Replaces title, plan and sources with the checks of creation; `code` and the \
                 scheme cannot change. Only while `open` (422 `rejected`, problem \
                 `round-not-open`). Audited with before and after. Needs \
                 `certification_manage`.",
        )
        .body("RoundInput")
        .ok("The changed round.", r("RoundDetail"))
        .errors(UPDATE),
        op(
            "post",
            "/rounds/{id}/review",
            "reviewRound",
            TAG,
            "Review (freeze) the results",
        )
        .describe(
            "Freezes the complete results of approved candidates as they are computed now \
                 (absent candidates get none) and moves the round to `reviewed`. Refused when \
                 the round is not `open` (`round-not-open`) or no result is complete \
                 (`round-no-results`). Audited. Needs `certification_manage`.",
        )
        .ok(
            "The round and the number of results frozen.",
            r("RoundAction"),
        )
        .errors(STEP),
        op(
            "post",
            "/rounds/{id}/reopen",
            "reopenRound",
            TAG,
            "Reopen a reviewed round",
        )
        .describe(
            "Drops the frozen results (nothing was published) and moves the round back to \
                 `open`. Only from `reviewed` (`round-not-reviewed`). Audited. Needs \
                 `certification_manage`.",
        )
        .ok("The round.", r("RoundAction"))
        .errors(STEP),
        op(
            "post",
            "/rounds/{id}/publish",
            "publishRound",
            TAG,
            "Publish the results",
        )
        .describe(
            "Publishes reviewed results today: the notice period (`notice_days`) and the \
                 appeal window (`appeal_days`) start; each failure records its retake \
                 ladder step (pay withheld, off-duty days, probation extension, HR procedure, \
                 earliest retake) and the employee's status changes accordingly (e.g. to \
                 `off_duty_training`); a pass returns the employee from earlier off-duty \
                 training; candidates are told in their inbox; certificates are issued now \
                 when the round says `issue_at: publication`. Only from `reviewed` \
                 (`round-not-reviewed`: a round cannot be published before review). Audited. \
                 Needs `certification_manage`.",
        )
        .ok(
            "The round with its notice and appeal dates.",
            r("RoundAction"),
        )
        .errors(STEP),
        op(
            "post",
            "/rounds/{id}/close",
            "closeRound",
            TAG,
            "Close a published round",
        )
        .describe(
            "Only after the appeal window (`round-appeal-window-open` until the day after \
                 `appeal_closes`) and with no appeal pending (`round-appeals-pending`); \
                 certificates are issued now unless they were at publication. The server's \
                 housekeeping closes due rounds too. Audited. Needs `certification_manage`.",
        )
        .ok(
            "The round and the number of certificates issued.",
            r("RoundAction"),
        )
        .errors(STEP),
        op(
            "get",
            "/rounds/{id}/applications",
            "listRoundApplications",
            TAG,
            "Applications of a round",
        )
        .describe(
            "Every application with the applicant's department and position, as S1 \
                 template 4 lists them (totals and verdicts are in `GET /rounds/{id}/results`). \
                 Needs `certification_manage`.",
        )
        .ok("The applications.", array(r("RoundApplication")))
        .errors(READ_ONE),
        op(
            "post",
            "/rounds/{id}/applications",
            "applyToRound",
            TAG,
            "Apply to a round",
        )
        .describe(
            "`multipart/form-data`. The signed-in employee applies for `level` within \
                 the registration window. Refusals are 422 `rejected` with every problem: \
                 `apply-outside-window`, `apply-level-not-offered`, `apply-new-hire-basic` \
                 (staff on probation apply for the lowest offered level only), \
                 `apply-prerequisite` (the level requires a current certificate of the same \
                 scheme at the required band or above), `apply-training-hours` and \
                 `apply-training-plan` on `training` (the round's training prerequisites: hours \
                 credited this year, plans completed; see the round plan's `training`), \
                 `apply-duplicate`, \
                 `apply-not-employee` (an account without an employee record); attachments \
                 `attachments[i]`: `attachment-kind`, `attachment-empty`, \
                 `attachment-too-large` (over 5 MB), `attachment-type` (only PDF, PNG and JPEG, \
                 read from the first bytes, not the name), `attachment-too-many` (over 4). A \
                 bad date or an over-long comment is 422 `validation`. With `employee_no` a \
                 manager (`certification_manage`) files an employee's paper form under the \
                 same rules. Nothing is stored when anything is refused. Audited.",
        )
        .raw_body(json!({
            "required": true,
            "content": { "multipart/form-data": { "schema": r("RoundApplicationForm") } }
        }))
        .created("Submitted.", r("RoundApplicationDetail"), true)
        .errors(&[400, 403, 404, 422]),
        op(
            "get",
            "/applications/{id}",
            "getApplication",
            TAG,
            "One application",
        )
        .describe(
            "The application with its attachments (metadata; the files are at \
                 `GET /applications/attachments/{id}`). The applicant and certification \
                 managers may read it; others get 403.",
        )
        .ok("The application.", r("RoundApplicationDetail"))
        .errors(READ_ONE),
        op(
            "post",
            "/applications/{id}/decision",
            "decideApplication",
            TAG,
            "Approve or reject an application",
        )
        .describe(
            "`approve` is required (422 `validation` on `approve` without it); `note` is \
                 optional, up to 500 characters. Only a `submitted` application \
                 (`apply-decided`). An approved applicant is put on the candidate list of the \
                 round's exam sessions; the employee is told in their inbox. Audited. Needs \
                 `certification_manage`.",
        )
        .body("RoundDecisionInput")
        .ok("The application.", r("RoundApplicationDetail"))
        .errors(&[400, 403, 404, 422]),
        op(
            "post",
            "/applications/{id}/withdraw",
            "withdrawApplication",
            TAG,
            "Withdraw one's application",
        )
        .describe(
            "Only the applicant (403 for anyone else), only while `submitted` \
                 (`apply-decided`). Audited.",
        )
        .ok("The application.", r("RoundApplicationDetail"))
        .errors(&[403, 404, 422]),
        op(
            "get",
            "/applications/attachments/{id}",
            "getApplicationAttachment",
            TAG,
            "An attachment's file",
        )
        .describe(
            "The file with the content type read from its first bytes at upload and a \
                 `Content-Disposition` carrying its name (UTF-8). The applicant and \
                 certification managers only.",
        )
        .ok_with(json!({
            "description": "The file.",
            "content": {
                "application/pdf": { "schema": { "type": "string", "format": "binary" } },
                "image/png": { "schema": { "type": "string", "format": "binary" } },
                "image/jpeg": { "schema": { "type": "string", "format": "binary" } }
            }
        }))
        .errors(READ_ONE),
        op(
            "get",
            "/rounds/{id}/results",
            "getRoundResults",
            TAG,
            "Results of a round",
        )
        .describe(
            "While `open`, computed live by the scheme engine from the exam sessions \
                 (best graded attempt scaled to 100), the panel (once its result is final) and \
                 typed-in scores, as soon as a candidate's inputs are complete; `missing` lists \
                 the components still without a score. From review on, the frozen results. \
                 Ranked by total (ties share a rank). Managers see everything; holders of \
                 `certification_results` see their departments once published (403 before).",
        )
        .ok("The results.", r("RoundResults"))
        .errors(READ_ONE),
        op(
            "put",
            "/rounds/{id}/scores/{employee_id}/{component}",
            "enterRoundScore",
            TAG,
            "Type in a score",
        )
        .describe(
            "`employee_id` is the candidate's employee id; `component` is a component key \
                 of the round's scheme (text, e.g. `daily`) without a source of its own \
                 (`score-not-manual`). The candidate's application must be approved \
                 (`score-not-candidate`); the score is 0–100 with at most two decimals \
                 (`score-out-of-range`). Replaces an earlier typed score. Only while `open` \
                 (`round-not-open`). Audited. Needs `certification_manage`.",
        )
        .body("RoundScoreInput")
        .ok("The candidate's line of the results.", r("RoundCandidate"))
        .errors(&[400, 403, 404, 422]),
        op(
            "get",
            "/consequences",
            "listConsequences",
            TAG,
            "Consequences of failures",
        )
        .describe(
            "What each published failure set in motion (seed-rules §4.5), newest first, \
                 in the caller's scope. skillcert records these; payroll and HR act on them. \
                 Needs `certification_manage` or `certification_results`.",
        )
        .query("round_id", int(), "Only those of one round.")
        .ok("The consequences.", array(r("RoundConsequence")))
        .errors(&[400, 403]),
        op(
            "post",
            "/consequences/{id}/return",
            "returnToDuty",
            TAG,
            "Return an employee to duty",
        )
        .describe(
            "Records that the off-duty training is over: the employee gets back the \
                 status they had before (audited as a status change). Only once, and only for \
                 a consequence that changed the status (`consequence-returned`). Needs \
                 `certification_manage`.",
        )
        .ok("The consequence.", r("RoundConsequence"))
        .errors(STEP),
    ]
}

pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    let status = json!({ "type": "string", "enum": ["open", "reviewed", "published", "closed"] });
    let app_status =
        json!({ "type": "string", "enum": ["submitted", "approved", "rejected", "withdrawn"] });
    vec![
        (
            "RoundInput",
            object(
                &[
                    "code",
                    "title",
                    "scheme_key",
                    "track",
                    "levels",
                    "registration_opens",
                    "registration_closes",
                    "assessment_starts",
                    "assessment_ends",
                    "notice_days",
                    "appeal_days",
                ],
                json!({
                    "code": described(string(), "Unique, e.g. `CERT-2026-D` (ignored when updating)."),
                    "title": described(string(), "1–100 characters."),
                    "scheme_key": described(string(), "e.g. `s1-certification` (ignored when updating)."),
                    "scheme_version": described(string(), "Empty for the latest version, `preset`, or a stored version number."),
                    "track": json!({ "type": "string", "enum": ["basic", "advanced"], "description": "Decides S0's time limit: basic 14 days, advanced 31 days." }),
                    "levels": described(string(), "Band keys offered, separated by commas or spaces."),
                    "requires": described(string(), "`level:required` pairs, e.g. `senior:intermediate`."),
                    "new_hires_basic_only": described(json!({ "type": ["boolean", "null"] }), "Staff on probation may apply for the lowest offered level only. Omitted or null counts as `true`, the S1 rule that new hires start at the basic level."),
                    "training_hours": described(string(), "Whole training hours an applicant must have credited in the year they apply (0–1000); empty for none. Over 1000: `round-training-hours-range`."),
                    "training_plans": described(string(), "Codes of training plans an applicant must have completed (every mandatory session attended), separated by commas or spaces; an unknown code is `round-training-plan-unknown` on `training_plans`."),
                    "registration_opens": date(),
                    "registration_closes": date(),
                    "assessment_starts": date(),
                    "assessment_ends": date(),
                    "notice_days": described(string(), "0–90, as text."),
                    "appeal_days": described(string(), "1–90, as text."),
                    "issue_at": json!({ "type": "string", "enum": ["appeal_close", "publication"], "default": "appeal_close" }),
                    "sources": described(json!({ "type": "object", "additionalProperties": string() }), "Component key → exam session code or event code; for an attendance or daily component `training` (optionally followed by a period `2026-09-01..2026-12-31`, daily sub-weights `30/40/30` and `late=50`) computes it from training records.")
                }),
            ),
        ),
        (
            "RoundSummary",
            object(
                &[
                    "id",
                    "code",
                    "title",
                    "scheme_key",
                    "status",
                    "applications",
                    "approved",
                    "results",
                    "passed",
                ],
                json!({
                    "id": int(),
                    "code": string(),
                    "title": string(),
                    "scheme_key": string(),
                    "status": status,
                    "published_on": date_or_null(),
                    "applications": int(),
                    "approved": int(),
                    "results": described(int(), "Current frozen results."),
                    "passed": int()
                }),
            ),
        ),
        ("RoundSummaryPage", page_of("RoundSummary")),
        (
            "Round",
            object(
                &[
                    "id",
                    "code",
                    "title",
                    "scheme_key",
                    "scheme_version",
                    "status",
                    "created_at",
                    "updated_at",
                ],
                json!({
                    "id": int(),
                    "code": string(),
                    "title": string(),
                    "scheme_key": string(),
                    "scheme_version": int(),
                    "status": status,
                    "reviewed_by": int_or_null(),
                    "published_on": date_or_null(),
                    "closed_on": date_or_null(),
                    "created_by": int_or_null(),
                    "created_at": datetime(),
                    "updated_at": datetime()
                }),
            ),
        ),
        (
            "RoundPlan",
            object(
                &[
                    "track",
                    "levels",
                    "requires",
                    "new_hires_basic_only",
                    "registration_opens",
                    "registration_closes",
                    "assessment_starts",
                    "assessment_ends",
                    "notice_days",
                    "appeal_days",
                    "issue_at",
                ],
                json!({
                    "track": json!({ "type": "string", "enum": ["basic", "advanced"] }),
                    "levels": array(string()),
                    "requires": described(json!({ "type": "object", "additionalProperties": string() }), "Level → the level (or above) an applicant must hold."),
                    "new_hires_basic_only": boolean(),
                    "registration_opens": date(),
                    "registration_closes": date(),
                    "assessment_starts": date(),
                    "assessment_ends": date(),
                    "notice_days": int(),
                    "appeal_days": int(),
                    "issue_at": json!({ "type": "string", "enum": ["appeal_close", "publication"] }),
                    "training": described(json!({
                        "type": "object",
                        "properties": {
                            "min_minutes": described(int(), "Training minutes credited in the year of the application."),
                            "completed_plans": described(array(string()), "Codes of plans whose mandatory sessions must all be attended.")
                        }
                    }), "Training prerequisites (issue 7); omitted when there are none.")
                }),
            ),
        ),
        (
            "RoundSource",
            object(
                &["component_key", "source", "weight_percent", "kind"],
                json!({
                    "component_key": string(),
                    "source": described(string(), "What the scheme says the component is: `exam`, `panel`, `attendance`, `daily`, `imported`."),
                    "weight_percent": string(),
                    "kind": json!({ "type": "string", "enum": ["exam", "event", "manual", "training"], "description": "Where this round takes the scores from; `training`: computed from training records (`code` holds the settings)." }),
                    "exam_session_id": int_or_null(),
                    "event_id": int_or_null(),
                    "code": string_or_null(),
                    "title": string_or_null()
                }),
            ),
        ),
        (
            "RoundDetail",
            object(
                &[
                    "round",
                    "plan",
                    "sources",
                    "exceeds_time_limit",
                    "registration_open",
                ],
                json!({
                    "round": r("Round"),
                    "plan": r("RoundPlan"),
                    "sources": array(r("RoundSource")),
                    "exceeds_time_limit": described(boolean(), "The assessment period is longer than S0's limit for the track (a warning)."),
                    "notice_ends": described(date_or_null(), "Last day of the public notice, once published."),
                    "appeal_closes": described(date_or_null(), "Last day on which appeals are accepted, once published."),
                    "registration_open": boolean()
                }),
            ),
        ),
        (
            "RoundAction",
            object(
                &["round"],
                json!({
                    "round": r("RoundDetail"),
                    "results": described(int(), "Results frozen (review)."),
                    "certificates": described(int(), "Certificates issued (close).")
                }),
            ),
        ),
        (
            "RoundApplication",
            object(
                &[
                    "id",
                    "round_id",
                    "employee_id",
                    "employee_no",
                    "name",
                    "department",
                    "department_id",
                    "employee_status",
                    "level_key",
                    "mentor_comment",
                    "status",
                    "decision_note",
                    "attachments",
                    "created_at",
                ],
                json!({
                    "id": int(),
                    "round_id": int(),
                    "employee_id": int(),
                    "employee_no": string(),
                    "name": string(),
                    "department": string(),
                    "department_id": int(),
                    "position": string_or_null(),
                    "employee_status": string(),
                    "level_key": described(string(), "The level applied for."),
                    "training_completed_on": date_or_null(),
                    "mentor_comment": string(),
                    "status": app_status,
                    "decided_by": int_or_null(),
                    "decided_at": json!({ "type": ["string", "null"], "format": "date-time" }),
                    "decision_note": string(),
                    "attachments": described(int(), "Number of files."),
                    "created_at": datetime()
                }),
            ),
        ),
        (
            "RoundAttachment",
            object(
                &[
                    "id",
                    "application_id",
                    "kind",
                    "filename",
                    "content_type",
                    "size",
                    "sha256",
                    "created_at",
                ],
                json!({
                    "id": int(),
                    "application_id": int(),
                    "kind": json!({ "type": "string", "enum": ["identity", "job_description"] }),
                    "filename": string(),
                    "content_type": json!({ "type": "string", "enum": ["application/pdf", "image/png", "image/jpeg"] }),
                    "size": int(),
                    "sha256": string(),
                    "created_at": datetime()
                }),
            ),
        ),
        (
            "RoundApplicationDetail",
            object(
                &["application", "attachments"],
                json!({
                    "application": r("RoundApplication"),
                    "attachments": array(r("RoundAttachment"))
                }),
            ),
        ),
        (
            "RoundApplicationForm",
            object(
                &["level"],
                json!({
                    "level": described(string(), "A band key the round offers."),
                    "training_completed_on": described(string(), "`YYYY-MM-DD`, or empty."),
                    "mentor_comment": described(string(), "Up to 500 characters."),
                    "employee_no": described(string(), "Managers only: file the form of this employee."),
                    "identity": json!({ "type": "string", "format": "binary", "description": "Identity proof: PDF, PNG or JPEG, at most 5 MB." }),
                    "job_description": json!({ "type": "string", "format": "binary", "description": "Job description: PDF, PNG or JPEG, at most 5 MB." })
                }),
            ),
        ),
        (
            "RoundDecisionInput",
            object(
                &["approve"],
                json!({ "approve": boolean(), "note": described(string(), "Optional, up to 500 characters.") }),
            ),
        ),
        (
            "RoundScoreInput",
            object(
                &["score"],
                json!({ "score": described(json!({ "type": ["string", "number"] }), "0–100, at most two decimals, e.g. `\"86.5\"`.") }),
            ),
        ),
        (
            "RoundStoredResult",
            object(
                &[
                    "id",
                    "round_id",
                    "employee_id",
                    "application_id",
                    "revision",
                    "attempt",
                    "total",
                    "passed",
                    "current",
                    "created_at",
                ],
                json!({
                    "id": int(),
                    "round_id": int(),
                    "employee_id": int(),
                    "employee_no": string(),
                    "name": string(),
                    "department": string(),
                    "department_id": int(),
                    "application_id": int(),
                    "revision": described(int(), "1, then one more per re-score after an appeal."),
                    "attempt": int(),
                    "total": described(int(), "Hundredths."),
                    "passed": boolean(),
                    "level_key": string_or_null(),
                    "awarded_level": string_or_null(),
                    "step_key": string_or_null(),
                    "current": boolean(),
                    "created_at": datetime()
                }),
            ),
        ),
        (
            "RoundCandidate",
            object(
                &["application", "inputs", "missing", "errors"],
                json!({
                    "application": r("RoundApplication"),
                    "inputs": described(json!({ "type": "object" }), "`{attempt, values}`: component key → score or panel marks."),
                    "missing": described(array(string()), "Components still without a score."),
                    "evaluation": described(json!({ "type": ["object", "null"] }), "The scheme engine's evaluation (`components`, `status` with `total`, `passed`, `level`, `consequence`, `lines`), once complete."),
                    "awarded": described(string_or_null(), "The level certified: the band reached, capped at the level applied for."),
                    "errors": described(array(string()), "Why complete inputs could not be evaluated (input error codes)."),
                    "rank": described(int_or_null(), "1-based; ties share a rank."),
                    "stored": json!({ "oneOf": [r("RoundStoredResult"), { "type": "null" }] }),
                    "training": described(array(r("TrainingPart")), "How the components fed by training records (source `training …`) were reached: attendance rate, homework mean, mentor evaluation and sub-weights; frozen with the result at review.")
                }),
            ),
        ),
        (
            "RoundResults",
            object(
                &["detail", "rows", "frozen"],
                json!({
                    "detail": r("RoundDetail"),
                    "rows": array(r("RoundCandidate")),
                    "frozen": described(boolean(), "Reviewed, published or closed: the stored results.")
                }),
            ),
        ),
        (
            "RoundConsequence",
            object(
                &[
                    "id",
                    "result_id",
                    "round_id",
                    "round_code",
                    "employee_id",
                    "employee_no",
                    "name",
                    "department",
                    "department_id",
                    "failure_number",
                    "step_key",
                    "withhold_pay_percent",
                    "off_duty_days",
                    "hr_procedure",
                    "retake_allowed",
                    "status_before",
                    "created_at",
                ],
                json!({
                    "id": int(),
                    "result_id": int(),
                    "round_id": int(),
                    "round_code": string(),
                    "employee_id": int(),
                    "employee_no": string(),
                    "name": string(),
                    "department": string(),
                    "department_id": int(),
                    "failure_number": described(int(), "1 for the first failure within the counting period."),
                    "step_key": string(),
                    "withhold_pay_percent": int(),
                    "off_duty_days": int(),
                    "off_duty_until": date_or_null(),
                    "probation_until": date_or_null(),
                    "hr_procedure": json!({ "type": "string", "enum": ["none", "transfer", "termination", "transfer_or_termination"] }),
                    "retake_allowed": boolean(),
                    "retake_from": date_or_null(),
                    "status_before": string(),
                    "status_now": described(string_or_null(), "The status the employee was moved to, e.g. `off_duty_training`."),
                    "returned_on": date_or_null(),
                    "created_at": datetime()
                }),
            ),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_tagged_certification() {
        let ops = operations();
        assert!(ops.len() >= 18);
        assert!(ops.iter().all(|o| o.tag == TAG));
    }
}
