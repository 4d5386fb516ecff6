//! OpenAPI operations and schemas: Training records (issue 7 items 5–6): homework assignments,
//! submissions and marking; mentors, follow-ups and the overdue list; the daily component's
//! breakdown.

use serde_json::{Value, json};

use super::{
    Op, READ, READ_ONE, array, boolean, datetime, described, int, int_or_null, object, op, page_of,
    r, string, string_or_null,
};

const TAG: &str = "training-records";

fn date() -> Value {
    json!({ "type": "string", "format": "date" })
}

fn date_or_null() -> Value {
    json!({ "type": ["string", "null"], "format": "date" })
}

fn score_or_null() -> Value {
    json!({ "type": ["number", "null"], "minimum": 0, "maximum": 100 })
}

pub(super) fn operations() -> Vec<Op> {
    vec![
        op(
            "get",
            "/training-sessions/{id}/homework",
            "listSessionHomework",
            TAG,
            "A session's homework",
        )
        .describe(
            "The session's assignments by deadline with how many were handed in and marked. \
             `may_set` says whether the caller may set homework here (the session's lecturer \
             or a training manager). Readable with `training_read`, by the session's markers \
             and by the employees enrolled in it; others get 403.",
        )
        .ok("The session's homework.", r("SessionHomework"))
        .errors(READ_ONE),
        op(
            "post",
            "/training-sessions/{id}/homework",
            "createHomework",
            TAG,
            "Set a homework",
        )
        .describe(
            "By the session's lecturer (`training_teach`, only on sessions they lecture) or a \
             training manager. `title` (1–100 characters), `instructions` (up to 5,000), \
             `deadline` in China time (`2026-12-08T18:00`, `2026-12-08 18:00`, a bare day \
             meaning 23:59, or RFC 3339), `max_points` 1–1000, `late_policy` `accept` (taken \
             any time, flagged late), `penalty` (`penalty_per_day` percent of the maximum per \
             started day late, up to `max_late_days` days) or `strict` (nothing after the \
             deadline). Every problem is reported (422 `rejected`): `homework-title`, \
             `homework-instructions`, `homework-deadline`, `homework-max-points`, \
             `homework-late-policy`, `homework-penalty-rate`, `homework-late-days`, \
             `homework-session-cancelled`. Audited.",
        )
        .body("HomeworkInput")
        .created("Set; `Location` is the homework.", r("HomeworkView"), true)
        .errors(&[400, 403, 404, 422]),
        op("get", "/homework/{id}", "getHomework", TAG, "One homework")
            .describe(
                "For markers (`marker`: the session's lecturer or a training manager) every \
                 submission with its files; for an enrolled employee their own (`mine`) and \
                 whether they may hand in now (`may_submit`: enrolled, not marked yet). \
                 Readable with `training_read` too.",
            )
            .ok("The homework.", r("HomeworkView"))
            .errors(READ_ONE),
        op(
            "put",
            "/homework/{id}",
            "updateHomework",
            TAG,
            "Change a homework",
        )
        .describe(
            "The fields of `POST /training-sessions/{id}/homework`, checked the same way. \
                 Hand-ins already taken keep the lateness fixed when they were taken. Audited.",
        )
        .body("HomeworkInput")
        .ok("The changed homework.", r("HomeworkView"))
        .errors(&[400, 403, 404, 422]),
        op(
            "post",
            "/homework/{id}/submissions",
            "submitHomework",
            TAG,
            "Hand in a homework",
        )
        .describe(
            "`multipart/form-data`: a `text` field (up to 20,000 characters) and any number of \
             file fields (at most 5 files; PDF, PNG or JPEG recognised by content, 5 MB each). \
             Only employees enrolled in the session, for themselves (others 403). Handing in \
             again replaces the earlier hand-in until it is marked (`homework-already-marked`). \
             The deadline is checked first: under a `strict` policy nothing is taken after it \
             (422 `rejected`, `homework-deadline-passed` on `submitted_at`) and nothing is \
             stored; under `penalty` nothing after its last day (`homework-too-late`). Other \
             refusals: `homework-empty`, `homework-text-too-long`, \
             `homework-text-characters`, `homework-too-many-attachments`, \
             `attachment-type`, `attachment-too-large`, `attachment-empty` (on \
             `attachments`). Audited with each file's SHA-256.",
        )
        .raw_body(json!({
            "required": true,
            "content": { "multipart/form-data": { "schema": r("HomeworkSubmissionForm") } }
        }))
        .created("Taken; answers with the homework.", r("HomeworkView"), true)
        .errors(&[400, 403, 404, 422]),
        op(
            "post",
            "/homework-submissions/{id}/mark",
            "markHomework",
            TAG,
            "Mark a hand-in",
        )
        .describe(
            "By the session's lecturer or a training manager. `points` whole points from 0 to \
             the maximum (`homework-points-invalid`, `homework-points-out-of-range`), \
             `comment` optional (up to 2,000 characters). The final score (0–100, two \
             decimals) is the mark as a percentage minus the late penalty fixed at hand-in. \
             Marking again replaces the mark. The employee gets an inbox message \
             (`inbox-homework-marked`). Audited.",
        )
        .body("HomeworkMark")
        .ok("The marked hand-in.", r("HomeworkSubmission"))
        .errors(&[400, 403, 404, 422]),
        op(
            "get",
            "/homework-files/{id}",
            "getHomeworkFile",
            TAG,
            "A handed-in file",
        )
        .describe(
            "The file as a download, with the type read from its content at hand-in. Only \
             for the employee who handed it in and the session's markers; others get 403.",
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
            "/me/homework",
            "myHomework",
            TAG,
            "The caller's homework",
        )
        .describe(
            "Every homework of the sessions the signed-in employee is enrolled in, latest \
                 deadline first, with `status`: `open`, `overdue` (not handed in, still taken \
                 late), `closed` (not handed in and no longer taken), `submitted` or `marked`, \
                 and the final score once marked. Empty for users without an employee record.",
        )
        .ok("The caller's homework.", array(r("MyHomework")))
        .errors(&[]),
        op(
            "get",
            "/mentoring",
            "mentoringOverview",
            TAG,
            "A mentor's follow-ups",
        )
        .describe(
            "With `mentoring`: the caller's trainees, the follow-ups still to hold for each \
                 session a trainee attended in the last 180 days (due `days` days after the \
                 session ended, 1–60, 7 by default: `mentoring-follow-up-days`), which of \
                 them are overdue, and for training managers `company_overdue`, every missing \
                 follow-up past due in the company (sessions before the mentor took the \
                 trainee on are skipped).",
        )
        .query(
            "days",
            json!({ "type": "integer", "minimum": 1, "maximum": 60, "default": 7 }),
            "Days after a session within which its follow-up is due.",
        )
        .ok("The overview.", r("MentorPage"))
        .errors(&[403, 422]),
        op(
            "get",
            "/mentoring/assignments",
            "listMentorships",
            TAG,
            "Who mentors whom",
        )
        .describe("Every mentorship, 50 a page, by mentor then trainee. Needs `training_manage`.")
        .query(
            "page",
            json!({ "type": "integer", "minimum": 1, "default": 1 }),
            "Page number.",
        )
        .ok("One page of mentorships.", r("MentorshipPage"))
        .errors(READ),
        op(
            "post",
            "/mentoring/assignments",
            "assignMentor",
            TAG,
            "Assign a mentor",
        )
        .describe(
            "Makes `mentor_no` the mentor of `mentee_no` (employee numbers of staff who have \
             not left: `mentoring-employee-unknown`), replacing an earlier mentor; nobody \
             mentors themselves (`mentoring-self`). The mentor gets an inbox message. \
             Audited. Needs `training_manage`.",
        )
        .body("MentorAssignment")
        .ok("The mentorship.", r("Mentorship"))
        .errors(&[400, 403, 422]),
        op(
            "delete",
            "/mentoring/assignments/{id}",
            "removeMentor",
            TAG,
            "Remove a trainee's mentor",
        )
        .describe(
            "`id` is the trainee's employee id; 404 when they have no mentor. Their \
             follow-ups stay. Audited. Needs `training_manage`.",
        )
        .no_content("Removed.")
        .errors(READ_ONE),
        op(
            "get",
            "/mentoring/{employee_id}/follow-ups",
            "listFollowUps",
            TAG,
            "A trainee's follow-ups",
        )
        .describe(
            "For the trainee's mentor and training managers: the mentorship, every follow-up \
             (latest first) and the sessions the trainee attended. Another mentor gets 422 \
             `rejected` with `mentoring-not-mentee`; without `mentoring` 403.",
        )
        .ok("The follow-ups.", r("TraineeFollowUps"))
        .errors(&[403, 404, 422]),
        op(
            "post",
            "/mentoring/{employee_id}/follow-ups",
            "recordFollowUp",
            TAG,
            "Record a 1:1 follow-up",
        )
        .describe(
            "Only by the trainee's own mentor: anyone else (another mentor, a manager) is \
             refused first (422 `rejected`, `mentoring-not-mentee` on `mentee`) and nothing is \
             stored. `session_id` is a session the trainee attended or empty \
             (`mentoring-session-not-attended`), `held_on` a day not after today (empty: \
             today; `mentoring-held-on`, `mentoring-follow-up-future`), `notes` required up to \
             2,000 characters (`mentoring-notes-empty`, `mentoring-notes-too-long`), \
             `evaluation` optional 0–100 with two decimals at most \
             (`mentoring-evaluation-out-of-range`, `mentoring-evaluation-invalid`). The \
             latest evaluation feeds the `daily` component. Audited.",
        )
        .body("FollowUpInput")
        .created(
            "Recorded; answers with the trainee's follow-ups.",
            r("TraineeFollowUps"),
            true,
        )
        .errors(&[400, 403, 404, 422]),
    ]
}

pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    let session = object(
        &["id", "code", "topic", "starts_at", "ends_at", "status"],
        json!({
            "id": int(), "code": string(), "topic": string(), "level": string(),
            "starts_at": datetime(), "ends_at": datetime(), "status": string(),
            "lecturer_user_id": int_or_null()
        }),
    );
    let submission = object(
        &[
            "id",
            "assignment_id",
            "employee_id",
            "submitted_at",
            "lateness",
        ],
        json!({
            "id": int(), "assignment_id": int(), "employee_id": int(),
            "employee_no": string(), "name": string(), "department_id": int(),
            "department": string(), "text": string(),
            "lateness": described(string(), "JSON: `{\"kind\":\"on_time\"}` or `{\"kind\":\"late\",\"days\":2,\"penalty\":20}`."),
            "submitted_at": datetime(),
            "points": int_or_null(), "comment": string(),
            "final_score": described(int_or_null(), "Hundredths of 0–100 after the late penalty."),
            "marked_by": int_or_null(), "marked_at": json!({ "type": ["string", "null"], "format": "date-time" }),
            "files": int()
        }),
    );
    let file = object(
        &["id", "filename", "content_type", "size"],
        json!({
            "id": int(), "submission_id": int(), "filename": string(),
            "content_type": string(), "size": int(), "sha256": string(), "created_at": datetime()
        }),
    );
    let mut submission_view = submission.clone();
    if let Some(p) = submission_view
        .get_mut("properties")
        .and_then(Value::as_object_mut)
    {
        p.insert("lateness_days".into(), int());
        p.insert("files_list".into(), array(r("HomeworkFile")));
    }
    let slot = object(
        &["mentee_id", "session_id", "due", "status"],
        json!({
            "mentee_id": int(), "mentee_no": string(), "mentee_name": string(),
            "mentor_id": int_or_null(), "mentor_name": string_or_null(),
            "session_id": int(), "session_code": string(), "session_topic": string(),
            "due": date(), "held_on": date_or_null(),
            "status": { "type": "string", "enum": ["pending", "overdue", "done", "done_late"] },
            "days_overdue": int()
        }),
    );
    vec![
        (
            "HomeworkInput",
            object(
                &["title", "deadline", "max_points"],
                json!({
                    "title": string(), "instructions": string(),
                    "deadline": described(string(), "China time, e.g. `2026-12-08T18:00`."),
                    "max_points": described(string(), "1–1000, as text."),
                    "late_policy": { "type": "string", "enum": ["accept", "penalty", "strict"] },
                    "penalty_per_day": described(string(), "Percent per started day late (penalty)."),
                    "max_late_days": described(string(), "Started days late still taken (penalty).")
                }),
            ),
        ),
        (
            "HomeworkAssignment",
            object(
                &[
                    "id",
                    "session_id",
                    "title",
                    "deadline",
                    "max_points",
                    "late_policy",
                ],
                json!({
                    "id": int(), "session_id": int(), "title": string(),
                    "instructions": string(), "deadline": datetime(), "max_points": int(),
                    "late_policy": described(string(), "JSON of the late policy."),
                    "created_by": int_or_null(), "created_at": datetime(), "updated_at": datetime()
                }),
            ),
        ),
        ("HomeworkSubmission", submission),
        ("HomeworkSubmissionView", submission_view),
        ("HomeworkFile", file),
        ("TrainingSessionBrief", session),
        (
            "HomeworkView",
            object(
                &[
                    "assignment",
                    "session",
                    "late_policy",
                    "marker",
                    "may_submit",
                    "submissions",
                ],
                json!({
                    "assignment": r("HomeworkAssignment"),
                    "session": r("TrainingSessionBrief"),
                    "late_policy": described(json!({ "type": "object" }), "`{\"kind\":\"accept\"}`, `{\"kind\":\"strict\"}` or `{\"kind\":\"penalty\",\"per_day\":10,\"max_days\":3}`."),
                    "marker": boolean(), "may_submit": boolean(), "past_deadline": boolean(),
                    "submissions": array(r("HomeworkSubmissionView")),
                    "mine": { "oneOf": [r("HomeworkSubmissionView"), { "type": "null" }] }
                }),
            ),
        ),
        (
            "SessionHomework",
            object(
                &["session", "assignments", "may_set"],
                json!({
                    "session": r("TrainingSessionBrief"),
                    "assignments": array(object(
                        &["id", "title", "deadline"],
                        json!({
                            "id": int(), "session_id": int(), "title": string(),
                            "deadline": datetime(), "max_points": int(),
                            "late_policy": string(), "submitted": int(), "marked": int()
                        }),
                    )),
                    "may_set": boolean()
                }),
            ),
        ),
        (
            "HomeworkSubmissionForm",
            object(
                &[],
                json!({
                    "text": string(),
                    "file": { "type": "string", "format": "binary", "description": "Any number of file fields (any names), at most 5 files." }
                }),
            ),
        ),
        (
            "HomeworkMark",
            object(
                &["points"],
                json!({
                    "points": { "type": ["integer", "string"], "description": "Whole points, 0 to the maximum." },
                    "comment": string()
                }),
            ),
        ),
        (
            "MyHomework",
            object(
                &["id", "session_id", "title", "deadline", "status"],
                json!({
                    "id": int(), "session_id": int(), "session_code": string(),
                    "session_topic": string(), "title": string(), "deadline": datetime(),
                    "max_points": int(), "late_policy": string(),
                    "submission_id": int_or_null(), "points": int_or_null(),
                    "final_score": int_or_null(),
                    "final_score_text": string_or_null(),
                    "status": { "type": "string", "enum": ["open", "overdue", "closed", "submitted", "marked"] }
                }),
            ),
        ),
        (
            "Mentorship",
            object(
                &["mentee_id", "mentor_id", "since"],
                json!({
                    "mentee_id": int(), "mentee_no": string(), "mentee_name": string(),
                    "mentee_department_id": int(), "mentee_department": string(),
                    "mentor_id": int(), "mentor_no": string(), "mentor_name": string(),
                    "since": date(), "assigned_by": int_or_null()
                }),
            ),
        ),
        ("MentorshipPage", page_of("Mentorship")),
        (
            "MentorAssignment",
            object(
                &["mentee_no", "mentor_no"],
                json!({ "mentee_no": string(), "mentor_no": string() }),
            ),
        ),
        ("FollowUpSlot", slot),
        (
            "MentorPage",
            object(
                &["days", "mentees", "open", "overdue"],
                json!({
                    "days": int(),
                    "mentees": array(r("Mentorship")),
                    "open": array(r("FollowUpSlot")),
                    "overdue": array(r("FollowUpSlot")),
                    "company_overdue": { "oneOf": [array(r("FollowUpSlot")), { "type": "null" }] }
                }),
            ),
        ),
        (
            "FollowUp",
            object(
                &["id", "mentee_id", "mentor_id", "held_on", "notes"],
                json!({
                    "id": int(), "mentee_id": int(), "mentee_name": string(),
                    "mentor_id": int(), "mentor_name": string(),
                    "session_id": int_or_null(), "session_code": string_or_null(),
                    "session_topic": string_or_null(), "held_on": date(), "notes": string(),
                    "evaluation": described(int_or_null(), "Hundredths of 0–100."),
                    "recorded_by": int_or_null(), "created_at": datetime()
                }),
            ),
        ),
        (
            "FollowUpInput",
            object(
                &["notes"],
                json!({
                    "session_id": { "type": ["integer", "string", "null"] },
                    "held_on": described(string(), "`2026-12-06`; empty for today."),
                    "notes": string(),
                    "evaluation": { "type": ["number", "string", "null"], "description": "0–100, optional." }
                }),
            ),
        ),
        (
            "TraineeFollowUps",
            object(
                &["mentorship", "follow_ups", "sessions", "may_record"],
                json!({
                    "mentorship": r("Mentorship"),
                    "follow_ups": array(r("FollowUp")),
                    "sessions": array(object(
                        &["session_id", "code"],
                        json!({ "session_id": int(), "code": string(), "topic": string(), "ends_at": datetime() }),
                    )),
                    "may_record": boolean()
                }),
            ),
        ),
        (
            "TrainingPart",
            described(
                object(
                    &["component", "kind", "from", "to"],
                    json!({
                        "component": string(),
                        "kind": { "type": "string", "enum": ["attendance", "daily"] },
                        "from": date(), "to": date(),
                        "score": score_or_null(), "attendance": score_or_null(),
                        "homework": score_or_null(), "homework_count": int(),
                        "mentor": score_or_null(),
                        "weights": { "type": ["array", "null"], "items": string(), "description": "Sub-weights in percent: attendance, homework, mentor." },
                        "renormalised": boolean()
                    }),
                ),
                "How a training-fed component (round source `training …`) was reached for one \
                 candidate; `rows[].training` of the round results.",
            ),
        ),
    ]
}
