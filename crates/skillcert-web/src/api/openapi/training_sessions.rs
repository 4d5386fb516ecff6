//! OpenAPI operations and schemas: Training plans and sessions (issue 7 items 3–4): annual plans with stages and topics, sessions with enrolment, the calendar, .ics export, the roster with attendance marking, the lecturer's check-in code and the employee's self check-in.

use serde_json::{Value, json};

use super::{
    CREATE, Op, READ, READ_ONE, UPDATE, array, boolean, datetime, described, int, int_or_null,
    object, op, page_of, r, string, string_or_null,
};

const TAG: &str = "training-sessions";

const STEP: &[u16] = &[400, 403, 404, 422];

fn date() -> Value {
    json!({ "type": "string", "format": "date" })
}

fn text_or_number(description: &str) -> Value {
    described(json!({ "type": ["string", "integer"] }), description)
}

pub(super) fn operations() -> Vec<Op> {
    let page = json!({ "type": "integer", "minimum": 1, "default": 1 });
    let per_page = json!({ "type": "integer", "minimum": 1, "maximum": 200, "default": 50 });
    vec![
        op(
            "get",
            "/training-plans",
            "listTrainingPlans",
            TAG,
            "Training plans",
        )
        .describe(
            "Annual plans, newest year first, with their number of topics (sessions). \
                 Needs `training_read`.",
        )
        .query(
            "q",
            string(),
            "Part of the code or title (case-insensitive).",
        )
        .query("year", int(), "Only plans of this year.")
        .query(
            "status",
            json!({ "type": "string", "enum": ["draft", "published", "archived"] }),
            "Only plans in this state.",
        )
        .query("page", page.clone(), "Page number.")
        .query("per_page", per_page.clone(), "Rows per page.")
        .ok("One page of plans.", r("TrsPlanSummaryPage"))
        .errors(&[400, 403]),
        op(
            "post",
            "/training-plans",
            "createTrainingPlan",
            TAG,
            "Draft a plan",
        )
        .describe(
            "Creates a `draft` annual plan (S1 template 2) with dated stages. Text, numbers \
                 and dates that cannot be read and a taken `code` are 422 `validation`; the rules \
                 are 422 `rejected` with problems `plan-year-range` (2000–2100), \
                 `plan-stage-order` (a stage ends before it starts), `plan-stage-outside-year`, \
                 `plan-stages-too-many` (over 12). Stages with every field blank are ignored. \
                 The per-topic plans are sessions created with the plan's id. Audited. Needs \
                 `training_manage`.",
        )
        .body("TrsPlanInput")
        .created("Created.", r("TrsPlanDetail"), true)
        .errors(CREATE),
        op(
            "get",
            "/training-plans/{id}",
            "getTrainingPlan",
            TAG,
            "One plan",
        )
        .describe(
            "The plan with its stages, its topics (sessions, by start) and the statuses the \
                 caller may move it to. Needs `training_read`.",
        )
        .ok("The plan.", r("TrsPlanDetail"))
        .errors(READ_ONE),
        op(
            "put",
            "/training-plans/{id}",
            "updateTrainingPlan",
            TAG,
            "Change a plan",
        )
        .describe(
            "Replaces code, year, title and stages with the checks of creation; refused \
                 once archived (`plan-archived`). Audited with before and after. Needs \
                 `training_manage`.",
        )
        .body("TrsPlanInput")
        .ok("The changed plan.", r("TrsPlanDetail"))
        .errors(UPDATE),
        op(
            "post",
            "/training-plans/{id}/status",
            "setTrainingPlanStatus",
            TAG,
            "Publish, rework or archive a plan",
        )
        .describe(
            "`{\"status\": \"published\"}`: draft → published or archived; published → draft \
                 or archived; archived stays (`plan-status-step` otherwise). Audited. Needs \
                 `training_manage`.",
        )
        .body("TrsStatusInput")
        .ok("The plan.", r("TrsPlanDetail"))
        .errors(STEP),
        op(
            "get",
            "/training-calendar",
            "trainingCalendar",
            TAG,
            "Sessions of a month",
        )
        .describe(
            "Every session starting in the month (China time), cancelled ones included, by \
                 start; without `month` the current one. An unreadable month is 422 `rejected` \
                 (`calendar-month`). Needs `training_read`.",
        )
        .query("month", string(), "`YYYY-MM`.")
        .ok("The month's sessions.", array(r("TrsSessionSummary")))
        .errors(&[400, 403, 422]),
        op(
            "get",
            "/training-sessions",
            "listTrainingSessions",
            TAG,
            "Training sessions",
        )
        .describe(
            "By start, with counts of those enrolled and those who attended (present or \
                 late). Needs `training_read`.",
        )
        .query(
            "q",
            string(),
            "Part of the code or topic (case-insensitive).",
        )
        .query("plan_id", int(), "Only topics of this plan.")
        .query(
            "from",
            datetime(),
            "Sessions starting at or after (RFC 3339).",
        )
        .query("to", datetime(), "Sessions starting before (RFC 3339).")
        .query(
            "lecturer_user_id",
            int(),
            "Only sessions this user lectures.",
        )
        .query("page", page, "Page number.")
        .query("per_page", per_page, "Rows per page.")
        .ok("One page of sessions.", r("TrsSessionSummaryPage"))
        .errors(&[400, 403]),
        op(
            "post",
            "/training-sessions",
            "createTrainingSession",
            TAG,
            "Schedule a session",
        )
        .describe(
            "A session alone or as a topic of a plan (`plan_id`). Times are China time \
                 (`2026-11-23T09:00`) or RFC 3339 with an offset; numbers may be sent as text. \
                 A fresh secret for the rotating check-in codes is generated. Unreadable fields \
                 and a taken `code` are 422 `validation`; rules are 422 `rejected`: \
                 `session-level-unknown`, `attendance-window-order` (ends before it starts), \
                 `attendance-open-lead-range`, `attendance-late-after-range` (0–240 minutes), \
                 `session-minutes-range` (1–720), `session-capacity-range` (1–10000), \
                 `session-plan-unknown`, `session-plan-archived`, `session-lecturer-unknown` \
                 (no active user of that name), `session-lecturer-missing` (neither an internal \
                 nor an external lecturer). Audited. Needs `training_manage`.",
        )
        .body("TrsSessionInput")
        .created("Created.", r("TrsSessionDetail"), true)
        .errors(CREATE),
        op(
            "get",
            "/training-sessions/{id}",
            "getTrainingSession",
            TAG,
            "One session",
        )
        .describe(
            "The session with its plan, lecturer, places left, whether check-in is open and \
                 the roster (a supervisor sees the people of their departments). Readers need \
                 `training_read`; an employee enrolled in it sees it without the roster.",
        )
        .ok("The session.", r("TrsSessionDetail"))
        .errors(READ_ONE),
        op(
            "put",
            "/training-sessions/{id}",
            "updateTrainingSession",
            TAG,
            "Change a session",
        )
        .describe(
            "Replaces the session with the checks of creation; refused when cancelled \
                 (`session-cancelled`) or when the capacity would fall below those enrolled \
                 (`session-capacity-below-enrolled`). Everyone enrolled gets an inbox notice \
                 when time, place or materials change. Audited. Needs `training_manage`.",
        )
        .body("TrsSessionInput")
        .ok("The changed session.", r("TrsSessionDetail"))
        .errors(UPDATE),
        op(
            "post",
            "/training-sessions/{id}/cancel",
            "cancelTrainingSession",
            TAG,
            "Cancel a session",
        )
        .describe(
            "Cancels a planned session (`session-cancelled` when it already is) and tells \
                 everyone enrolled in their inbox. Audited. Needs `training_manage`.",
        )
        .ok("The cancelled session.", r("TrsSessionDetail"))
        .errors(STEP),
        op(
            "get",
            "/training-sessions/{id}/ics",
            "trainingSessionIcs",
            TAG,
            "The session as iCalendar",
        )
        .describe(
            "`text/calendar` (RFC 5545): CRLF lines folded at 75 octets, escaped text, UTC \
                 times, a stable `UID` and a `SEQUENCE` that grows with each change; \
                 `STATUS:CANCELLED` once cancelled. For readers and for those enrolled.",
        )
        .ok_with(json!({
            "description": "The calendar file.",
            "content": { "text/calendar": { "schema": string() } }
        }))
        .errors(READ_ONE),
        op(
            "get",
            "/training-sessions/{id}/enrolments",
            "listTrainingEnrolments",
            TAG,
            "Who is enrolled",
        )
        .describe(
            "The list by employee number with how each came (`person`, `department`, \
                 `position`, `retake`, `onboarding`) and their mark. Needs `training_read`.",
        )
        .ok("The enrolled.", array(r("TrsEnrolled")))
        .errors(READ_ONE),
        op(
            "post",
            "/training-sessions/{id}/enrolments",
            "enrolInTrainingSession",
            TAG,
            "Enrol people",
        )
        .describe(
            "By person (`employee_nos`), department (with its sub-departments) and/or \
                 position. The capacity is never exceeded: a request whose new people do not \
                 all fit is refused whole (`enrol-over-capacity`), as is one naming someone \
                 already enrolled (`enrol-twice`), an unknown employee \
                 (`enrol-unknown-employee`), someone who has left (`enrol-employee-left`), \
                 nobody (`enrol-nobody`), a cancelled session (`session-cancelled`) or one that \
                 has ended (`enrol-session-over`) — 422 `rejected`, nothing changed. People of \
                 a department or position already on the list are skipped and counted. Each \
                 newly enrolled employee gets an inbox notice with time, place and materials. \
                 Audited. Needs `training_manage`.",
        )
        .body("TrsEnrolInput")
        .ok("What was done.", r("TrsEnrolReport"))
        .errors(STEP),
        op(
            "delete",
            "/training-sessions/{id}/enrolments/{employee_id}",
            "unenrolFromTrainingSession",
            TAG,
            "Take someone off the list",
        )
        .describe(
            "Refused when the person is not enrolled (`enrol-not-enrolled`) or already has a \
                 mark (`enrol-has-mark`: the sign-in sheet is a record). Audited. Needs \
                 `training_manage`.",
        )
        .no_content("Taken off.")
        .errors(STEP),
        op(
            "get",
            "/training-sessions/{id}/attendance",
            "trainingAttendance",
            TAG,
            "The sign-in sheet",
        )
        .describe(
            "Everyone enrolled with their mark (`present`, `late`, `excused`, `absent` or \
                 none) and its source (`lecturer` or `self_check_in`). Needs `training_read`.",
        )
        .ok("The sheet.", array(r("TrsEnrolled")))
        .errors(READ_ONE),
        op(
            "post",
            "/training-sessions/{id}/attendance",
            "markTrainingAttendance",
            TAG,
            "Mark many at once",
        )
        .describe(
            "Marks per employee id and/or one mark for everyone else (`rest`, by default only \
                 those without a mark). The lecturer's mark replaces a self check-in. Present \
                 or late credits the session's minutes to the employee's training hours in the \
                 same transaction (any other mark takes them back). Refused: \
                 `attendance-mark-unknown`, `attendance-not-enrolled`, \
                 `attendance-nothing-to-mark`, `attendance-session-cancelled`, \
                 `attendance-not-started` (before check-in opens, except `excused`). Audited. \
                 Needs `training_teach` for this session: its lecturer, or a training manager.",
        )
        .body("TrsBulkInput")
        .ok("How many marks changed.", r("TrsMarked"))
        .errors(STEP),
        op(
            "put",
            "/training-sessions/{id}/attendance/{employee_id}",
            "markTrainingAttendee",
            TAG,
            "Mark one person",
        )
        .describe(
            "`{\"mark\": \"late\"}` with the rules of the bulk marking. Needs `training_teach` \
                 for this session.",
        )
        .body("TrsMarkInput")
        .ok("The person's line of the sheet.", array(r("TrsEnrolled")))
        .errors(STEP),
        op(
            "get",
            "/training-sessions/{id}/code",
            "trainingCheckInCode",
            TAG,
            "The current check-in code",
        )
        .describe(
            "Six digits, HMAC of the session and the Unix minute under the session's secret: \
                 it changes every minute (`seconds_left`) and is shown only while check-in is \
                 open (from `opens_at` to the end); `code` is null otherwise. Needs \
                 `training_teach` for this session.",
        )
        .ok("The screen.", r("TrsCodeScreen"))
        .errors(READ_ONE),
        op(
            "post",
            "/check-in",
            "trainingCheckIn",
            TAG,
            "Check in with a code",
        )
        .describe(
            "The signed-in employee checks in to a session they are enrolled in with the code \
                 on the lecturer's screen (the current or the previous minute's; spaces and \
                 full-width digits are fine). Refused with nothing changed (422 `rejected`): \
                 `checkin-session-missing`, `checkin-no-employee`, `checkin-not-enrolled`, \
                 `attendance-session-cancelled`, `checkin-outside-session` (before check-in opens \
                 or after the end), `checkin-code-format`, `checkin-code-expired` (an older code), \
                 `checkin-code-wrong`. Late after the session's threshold. A lecturer's mark wins \
                 (`lecturer_mark_kept`) and a first check-in stands (`already_checked_in`). \
                 Audited; present or late credits the hours.",
        )
        .body("TrsCheckInInput")
        .ok("What the check-in did.", r("TrsCheckInOutcome"))
        .errors(&[400, 404, 422]),
        op("get", "/me/training", "myTraining", TAG, "My training")
            .describe(
                "The signed-in employee's sessions from a year back to a year ahead: upcoming \
                 (with `can_check_in` while check-in is open and they have no mark) and past, \
                 with their marks. Empty for an account without an employee record.",
            )
            .ok("Their sessions.", r("TrsMyTraining"))
            .errors(READ),
    ]
}

pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    let stage = object(
        &["name", "starts_on", "ends_on"],
        json!({ "name": described(string(), "Up to 60 characters."), "starts_on": date(), "ends_on": date() }),
    );
    let session_summary = object(
        &[
            "id",
            "code",
            "topic",
            "level",
            "starts_at",
            "ends_at",
            "minutes",
            "status",
            "enrolled",
            "attended",
        ],
        json!({
            "id": int(),
            "plan_id": int_or_null(),
            "code": string(),
            "topic": string(),
            "level": json!({ "type": "string", "enum": ["basic", "advanced", "other"] }),
            "starts_at": datetime(),
            "ends_at": datetime(),
            "minutes": described(int(), "Training minutes credited to each attendee."),
            "place": string(),
            "lecturer_user_id": int_or_null(),
            "lecturer_external": string(),
            "capacity": described(int_or_null(), "Null: no limit."),
            "mandatory": boolean(),
            "status": json!({ "type": "string", "enum": ["planned", "cancelled"] }),
            "enrolled": int(),
            "attended": described(int(), "Marked present or late.")
        }),
    );
    let session_row = object(
        &[
            "id",
            "code",
            "topic",
            "level",
            "starts_at",
            "ends_at",
            "status",
        ],
        json!({
            "id": int(), "plan_id": int_or_null(), "code": string(), "topic": string(),
            "level": string(), "skills": described(string(), "JSON array of skill codes."),
            "goal": string(), "starts_at": datetime(), "ends_at": datetime(), "minutes": int(),
            "place": string(), "online_link": string(), "lecturer_user_id": int_or_null(),
            "lecturer_external": string(), "target_group": string(), "outline": string(),
            "materials": string(), "assessment_method": string(), "capacity": int_or_null(),
            "mandatory": boolean(), "open_lead_minutes": int(), "late_after_minutes": int(),
            "status": string(), "created_by": int_or_null(), "created_at": datetime(),
            "updated_at": datetime()
        }),
    );
    let my_session = object(
        &[
            "session_id",
            "code",
            "topic",
            "starts_at",
            "ends_at",
            "status",
            "can_check_in",
        ],
        json!({
            "session_id": int(), "code": string(), "topic": string(), "level": string(),
            "starts_at": datetime(), "ends_at": datetime(), "minutes": int(),
            "place": string(), "online_link": string(), "mandatory": boolean(),
            "status": string(), "via": string(), "mark": string_or_null(),
            "can_check_in": boolean(), "running": boolean(), "ended": boolean(),
            "materials": string(), "lecturer": string()
        }),
    );
    vec![
        (
            "TrsPlanInput",
            object(
                &["code", "year", "title"],
                json!({
                    "code": described(string(), "Letters, digits, `-`, `_`; at most 32."),
                    "year": text_or_number("The plan's year, 2000–2100."),
                    "title": described(string(), "Up to 100 characters."),
                    "stages": array(object(&[], json!({ "name": string(), "starts_on": described(string(), "`YYYY-MM-DD`."), "ends_on": described(string(), "`YYYY-MM-DD`.") }))),
                    "source_survey_id": described(int_or_null(), "The needs survey the plan was drafted from.")
                }),
            ),
        ),
        (
            "TrsPlanSummary",
            object(
                &[
                    "id",
                    "code",
                    "year",
                    "title",
                    "status",
                    "sessions",
                    "updated_at",
                ],
                json!({
                    "id": int(), "code": string(), "year": int(), "title": string(),
                    "status": json!({ "type": "string", "enum": ["draft", "published", "archived"] }),
                    "source_survey_id": int_or_null(),
                    "sessions": described(int(), "Topics (sessions) of the plan."),
                    "updated_at": datetime()
                }),
            ),
        ),
        ("TrsPlanSummaryPage", page_of("TrsPlanSummary")),
        (
            "TrsPlanDetail",
            object(
                &["plan", "stages", "topics", "next_statuses", "may_manage"],
                json!({
                    "plan": object(&["id", "code", "year", "title", "status"], json!({
                        "id": int(), "code": string(), "year": int(), "title": string(),
                        "stages": described(string(), "The stages as stored (JSON)."),
                        "status": string(), "source_survey_id": int_or_null(),
                        "created_by": int_or_null(), "created_at": datetime(), "updated_at": datetime()
                    })),
                    "stages": array(stage),
                    "topics": array(r("TrsSessionSummary")),
                    "next_statuses": array(string()),
                    "may_manage": boolean()
                }),
            ),
        ),
        (
            "TrsStatusInput",
            object(
                &["status"],
                json!({ "status": json!({ "type": "string", "enum": ["draft", "published", "archived"] }) }),
            ),
        ),
        ("TrsSessionSummary", session_summary),
        ("TrsSessionSummaryPage", page_of("TrsSessionSummary")),
        (
            "TrsSessionInput",
            object(
                &["code", "topic", "starts_at", "ends_at"],
                json!({
                    "plan_id": described(int_or_null(), "The plan this session is a topic of."),
                    "code": string(),
                    "topic": described(string(), "Up to 100 characters."),
                    "level": json!({ "type": "string", "enum": ["basic", "advanced", "other"] }),
                    "skills": described(string(), "Skill codes separated by commas or spaces."),
                    "goal": described(string(), "The measurable goal, e.g. \"satisfaction of new hires ≥ 4.5 / 5\"."),
                    "starts_at": described(string(), "China time `YYYY-MM-DDTHH:MM`, or RFC 3339."),
                    "ends_at": described(string(), "As `starts_at`."),
                    "minutes": text_or_number("Minutes credited; blank: the session's length."),
                    "place": string(),
                    "online_link": string(),
                    "lecturer": described(string(), "Username of an internal lecturer."),
                    "lecturer_external": described(string(), "Name of an external lecturer."),
                    "target_group": string(),
                    "outline": string(),
                    "materials": string(),
                    "assessment_method": string(),
                    "capacity": text_or_number("Blank: no limit."),
                    "mandatory": boolean(),
                    "open_lead_minutes": text_or_number("Check-in opens this long before the start (default 15)."),
                    "late_after_minutes": text_or_number("Check-ins later than this after the start are late (default 10).")
                }),
            ),
        ),
        (
            "TrsSessionDetail",
            object(
                &[
                    "session",
                    "lecturer",
                    "roster",
                    "enrolled",
                    "check_in_open",
                    "ended",
                ],
                json!({
                    "session": session_row,
                    "skills": array(string()),
                    "plan_code": string_or_null(),
                    "plan_title": string_or_null(),
                    "lecturer": object(&["name"], json!({ "user_id": int_or_null(), "username": string_or_null(), "name": string() })),
                    "roster": array(r("TrsEnrolled")),
                    "enrolled": int(),
                    "places_left": int_or_null(),
                    "check_in_open": boolean(),
                    "ended": boolean(),
                    "may_manage": boolean(),
                    "may_teach": boolean(),
                    "own_mark": described(json!({ "type": ["string", "null"] }), "The caller's mark when enrolled (null inside when unmarked); absent or null when not enrolled.")
                }),
            ),
        ),
        (
            "TrsEnrolled",
            object(
                &["employee_id", "employee_no", "name", "department", "via"],
                json!({
                    "employee_id": int(), "employee_no": string(), "name": string(),
                    "department_id": int(), "department": string(), "position": string_or_null(),
                    "employee_status": string(),
                    "via": json!({ "type": "string", "enum": ["person", "department", "position", "retake", "onboarding"] }),
                    "enrolled_by": int_or_null(), "enrolled_at": datetime(),
                    "mark": json!({ "type": ["string", "null"], "enum": ["present", "late", "excused", "absent", null] }),
                    "mark_source": json!({ "type": ["string", "null"], "enum": ["lecturer", "self_check_in", null] })
                }),
            ),
        ),
        (
            "TrsEnrolInput",
            object(
                &[],
                json!({
                    "employee_nos": described(string(), "Employee numbers separated by commas, spaces or lines."),
                    "department_id": int_or_null(),
                    "position_id": int_or_null()
                }),
            ),
        ),
        (
            "TrsEnrolReport",
            object(
                &["enrolled", "skipped_already"],
                json!({ "enrolled": int(), "skipped_already": int(), "places_left": int_or_null() }),
            ),
        ),
        (
            "TrsBulkInput",
            object(
                &[],
                json!({
                    "marks": described(json!({ "type": "object", "additionalProperties": string() }), "Employee id → `present`, `late`, `excused` or `absent`."),
                    "rest": described(string(), "A mark for everyone else on the list."),
                    "only_unmarked": described(boolean(), "With `rest`: only those without a mark (default true).")
                }),
            ),
        ),
        (
            "TrsMarkInput",
            object(
                &["mark"],
                json!({ "mark": json!({ "type": "string", "enum": ["present", "late", "excused", "absent"] }) }),
            ),
        ),
        (
            "TrsMarked",
            object(&["changed"], json!({ "changed": int() })),
        ),
        (
            "TrsCodeScreen",
            object(
                &["session_id", "code", "seconds_left", "check_in_open"],
                json!({
                    "session_id": int(), "code_text": string(), "topic": string(),
                    "code": described(string_or_null(), "Six digits while check-in is open."),
                    "seconds_left": described(int(), "1–60: until the code changes."),
                    "check_in_open": boolean(), "opens_at": datetime(), "ends_at": datetime(),
                    "enrolled": int(), "checked_in": int()
                }),
            ),
        ),
        (
            "TrsCheckInInput",
            object(
                &["session_id", "code"],
                json!({ "session_id": int(), "code": described(string(), "Six digits.") }),
            ),
        ),
        (
            "TrsCheckInOutcome",
            object(
                &["outcome", "mark"],
                json!({
                    "outcome": json!({ "type": "string", "enum": ["recorded", "already_checked_in", "lecturer_mark_kept"] }),
                    "mark": json!({ "type": "string", "enum": ["present", "late", "excused", "absent"] })
                }),
            ),
        ),
        (
            "TrsMyTraining",
            object(
                &["upcoming", "past"],
                json!({
                    "employee_id": int_or_null(),
                    "upcoming": array(my_session.clone()),
                    "past": array(my_session)
                }),
            ),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_tagged_training_sessions() {
        let ops = operations();
        assert!(ops.len() >= 21);
        assert!(ops.iter().all(|o| o.tag == TAG));
    }
}
