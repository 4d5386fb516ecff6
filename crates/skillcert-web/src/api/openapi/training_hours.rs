//! OpenAPI operations and schemas: Training hours (issue 7 items 7–8): the ledger, external
//! training with proof and its approval, the compliance page with reminders, and the
//! compliance rules.

use serde_json::{Value, json};

use super::Op;
use super::{
    READ_ONE, array, boolean, datetime, described, int, int_or_null, object, op, page_of, r, string,
};

const TAG: &str = "training-hours";

fn date() -> Value {
    json!({ "type": "string", "format": "date" })
}

fn level() -> Value {
    json!({ "type": "string", "enum": ["basic", "advanced", "other"] })
}

fn status() -> Value {
    json!({ "type": "string", "enum": ["pending", "approved", "rejected"] })
}

pub(super) fn operations() -> Vec<Op> {
    let year = json!({ "type": "integer", "minimum": 2000, "maximum": 2100 });
    let page = json!({ "type": "integer", "minimum": 1, "default": 1 });
    vec![
        op(
            "get",
            "/my-training/hours",
            "getMyTrainingHours",
            TAG,
            "My training-hour ledger",
        )
        .describe(
            "The signed-in employee's ledger of a calendar year (attended sessions and \
                 approved external training, in whole minutes), its total, the minimum of the \
                 compliance rules in force, and their external trainings of the year (and any \
                 still pending). An account without an employee record gets an empty ledger \
                 with `employee_id` null. A year outside 2000–2100 is 422 with \
                 `compliance-year-out-of-range`.",
        )
        .query(
            "year",
            year.clone(),
            "The calendar year; this year (China time) when omitted.",
        )
        .ok("The ledger.", r("TrainingLedger"))
        .errors(&[422]),
        op(
            "post",
            "/my-training/external-trainings",
            "recordExternalTraining",
            TAG,
            "Record external training with proof",
        )
        .describe(
            "`multipart/form-data`. The signed-in employee records a training taken outside, \
             with its proof as the `file` field; it stays `pending` (not credited) until the \
             training manager decides. Refusals are 422 `rejected` with every problem: \
             `external-title`, `external-provider` (1–120 characters), `external-held-on` \
             (`YYYY-MM-DD`, from 2000), `external-held-on-future`, `external-hours` (a number \
             of hours with up to two decimals, 1 minute to 200 hours), `external-level`, \
             `external-proof-missing`, `attachment-empty`, `attachment-too-large` (over 5 \
             MB), `attachment-type` (only PDF, PNG and JPEG, read from the first bytes), \
             `external-not-employee` (an account without an employee record). Nothing is \
             stored when anything is refused. Audited.",
        )
        .raw_body(json!({
            "required": true,
            "content": { "multipart/form-data": { "schema": r("ExternalTrainingForm") } }
        }))
        .created("Recorded, pending.", r("ExternalTraining"), true)
        .errors(&[400, 403, 422]),
        op(
            "get",
            "/external-trainings",
            "listExternalTrainings",
            TAG,
            "The approval queue",
        )
        .describe(
            "External trainings newest first, with filters. Needs `training_manage`. An \
                 unknown status is 422 with `external-status`; an unknown employee number \
                 gives an empty page.",
        )
        .query("status", status(), "Only trainings in this state.")
        .query("employee_no", string(), "Only this employee's trainings.")
        .query("page", page, "Page number.")
        .query(
            "per_page",
            json!({ "type": "integer", "minimum": 1, "maximum": 200, "default": 50 }),
            "Rows per page.",
        )
        .ok("One page.", r("ExternalTrainingPage"))
        .errors(&[403, 422]),
        op(
            "get",
            "/external-trainings/{id}",
            "getExternalTraining",
            TAG,
            "One external training",
        )
        .describe("For its employee and holders of `training_manage`; others get 403.")
        .ok("The external training.", r("ExternalTraining"))
        .errors(READ_ONE),
        op(
            "get",
            "/external-trainings/{id}/proof",
            "getExternalTrainingProof",
            TAG,
            "The proof file",
        )
        .describe(
            "The proof as uploaded (PDF, PNG or JPEG), served inline with its sniffed \
                 content type. For its employee and holders of `training_manage`.",
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
            "post",
            "/external-trainings/{id}/decision",
            "decideExternalTraining",
            TAG,
            "Approve or reject external training",
        )
        .describe(
            "Once: approval credits the minutes to the employee's ledger in the year of the \
             training (same transaction); the employee gets an inbox message either way. A \
             second decision is 422 with `external-decided` and changes nothing; a missing \
             `approve` is 422 with `external-decision`; a note over 500 characters \
             `external-note`. Audited. Needs `training_manage`.",
        )
        .body("ExternalDecisionRequest")
        .ok("The decided training.", r("ExternalTraining"))
        .errors(&[400, 403, 404, 422]),
        op(
            "get",
            "/compliance",
            "getCompliance",
            TAG,
            "Training-hour compliance of a year",
        )
        .describe(
            "Who falls short of the yearly minimum, or is a new hire of the year without \
                 their basic days (paginated), every department's headcount, compliant count, \
                 rate (basis points) and average, and the company's advanced topic trainings \
                 organised against the rules. One read of the yearly totals and one pass: \
                 100,000 employees answer in well under a second. A new hire's basic minutes \
                 of the hire year count as taken before duty; one still on probation is \
                 `in_training`. Needs `training_read`; a supervisor sees their departments \
                 only (another department is 403).",
        )
        .query(
            "year",
            year.clone(),
            "The calendar year; this year when omitted.",
        )
        .query("department_id", int(), "Only this department.")
        .query(
            "page",
            json!({ "type": "integer", "minimum": 1, "default": 1 }),
            "Page of the people short.",
        )
        .query(
            "per_page",
            json!({ "type": "integer", "minimum": 1, "maximum": 500, "default": 50 }),
            "People per page.",
        )
        .ok("The compliance page.", r("CompliancePage"))
        .errors(&[403, 422]),
        op(
            "post",
            "/compliance/reminders",
            "sendComplianceReminders",
            TAG,
            "Send reminders now",
        )
        .describe(
            "Within the reminder lead before 31 December (S2: from 1 November), every \
                 employee short of the yearly minimum and their supervisor get an inbox \
                 reminder, once per person and year (those reminded before are skipped; the \
                 server also does this hourly). Outside the window: 422 with \
                 `compliance-reminders-closed`. Audited. Needs `training_manage`.",
        )
        .body("ComplianceRemindRequest")
        .ok("How many were reminded now.", r("ComplianceReminded"))
        .errors(&[400, 403, 422]),
        op(
            "get",
            "/compliance/rules",
            "getComplianceRules",
            TAG,
            "The compliance rules",
        )
        .describe(
            "The rules in force: the newest saved version, or the shipped S2 defaults \
                 (`version` null). Needs `training_read`.",
        )
        .ok("The rules.", r("ComplianceRulesView"))
        .errors(&[403]),
        op(
            "put",
            "/compliance/rules",
            "saveComplianceRules",
            TAG,
            "Save the compliance rules",
        )
        .describe(
            "A new version from a TOML document; earlier versions are kept and the \
                 newest applies. Missing fields take the S2 values. Every problem at once, 422 \
                 `rejected`: `compliance-syntax` (not TOML, or an unknown field), \
                 `compliance-min-minutes-range` (1–60000), `compliance-basic-days-range` \
                 (1–60), `compliance-basic-day-minutes-range` (1–720), \
                 `compliance-advanced-topics-range` (1–52), `compliance-reminder-lead-range` \
                 (1–183), `compliance-follow-up-days-range` (1–60); nothing is saved then. Audited. Needs `training_manage`.",
        )
        .body("ComplianceRulesRequest")
        .ok("The rules now in force.", r("ComplianceRulesView"))
        .errors(&[400, 403, 422]),
    ]
}

pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    let external = object(
        &[
            "id",
            "employee_id",
            "employee_no",
            "name",
            "department_id",
            "department",
            "title",
            "provider",
            "held_on",
            "minutes",
            "level",
            "proof_filename",
            "proof_content_type",
            "proof_size",
            "status",
            "decision_note",
            "created_at",
        ],
        json!({
            "id": int(),
            "employee_id": int(),
            "employee_no": string(),
            "name": string(),
            "department_id": int(),
            "department": string(),
            "title": string(),
            "provider": string(),
            "held_on": date(),
            "minutes": described(int(), "The proven duration in whole minutes."),
            "level": level(),
            "proof_filename": string(),
            "proof_content_type": string(),
            "proof_size": described(int(), "Bytes."),
            "status": status(),
            "decided_by": int_or_null(),
            "decided_at": json!({ "type": ["string", "null"], "format": "date-time" }),
            "decision_note": string(),
            "created_by": int_or_null(),
            "created_at": datetime(),
        }),
    );
    let entry = object(
        &[
            "id",
            "employee_id",
            "year",
            "held_on",
            "minutes",
            "level",
            "topic",
            "created_at",
        ],
        json!({
            "id": int(),
            "employee_id": int(),
            "year": int(),
            "held_on": date(),
            "minutes": int(),
            "level": level(),
            "session_id": described(int_or_null(), "Set for an attended session."),
            "external_id": described(int_or_null(), "Set for approved external training."),
            "topic": string(),
            "created_at": datetime(),
        }),
    );
    let ledger = object(
        &[
            "employee_id",
            "year",
            "entries",
            "total_minutes",
            "required_minutes",
            "external",
        ],
        json!({
            "employee_id": int_or_null(),
            "year": int(),
            "entries": array(r("TrainingLedgerEntry")),
            "total_minutes": int(),
            "required_minutes": described(int(), "The yearly minimum of the rules in force."),
            "external": array(r("ExternalTraining")),
        }),
    );
    let form = object(
        &["title", "provider", "held_on", "hours", "file"],
        json!({
            "title": string(),
            "provider": string(),
            "held_on": date(),
            "hours": described(string(), "Hours with up to two decimals, e.g. `4` or `1.5`."),
            "level": described(level(), "Omitted: `other`."),
            "file": { "type": "string", "format": "binary", "description": "The proof: PDF, PNG or JPEG, at most 5 MB." },
        }),
    );
    let decision = object(
        &["approve"],
        json!({ "approve": boolean(), "note": described(string(), "Optional, at most 500 characters.") }),
    );
    let rules = object(
        &[
            "min_minutes_per_year",
            "new_hire_basic_days",
            "basic_day_minutes",
            "advanced_topics_per_year",
            "reminder_lead_days",
            "follow_up_days",
        ],
        json!({
            "min_minutes_per_year": described(int(), "S2: 480 (8 hours)."),
            "new_hire_basic_days": described(int(), "S2: 3."),
            "basic_day_minutes": described(int(), "Minutes of a basic training day; S2: 480."),
            "advanced_topics_per_year": described(int(), "S2: 2."),
            "reminder_lead_days": described(int(), "Days before 31 December; S2: 60."),
            "follow_up_days": described(int(), "Days after a training within which the mentor's 1:1 follow-up is due (1–60); S1: 7."),
        }),
    );
    let rules_view = object(
        &["version", "rules", "document"],
        json!({
            "version": described(int_or_null(), "Null while the shipped S2 defaults apply."),
            "rules": r("ComplianceRules"),
            "document": described(string(), "The TOML in force."),
        }),
    );
    let new_hire = object(
        &[
            "hired_on",
            "basic_minutes",
            "required_minutes",
            "missing_minutes",
            "outcome",
        ],
        json!({
            "hired_on": date(),
            "on_duty_from": json!({ "type": ["string", "null"], "format": "date" }),
            "basic_minutes": int(),
            "required_minutes": int(),
            "missing_minutes": int(),
            "outcome": { "type": "string", "enum": ["completed_before_duty", "on_duty_without_basic", "ready_for_duty", "in_training"] },
        }),
    );
    let person = object(
        &[
            "employee_id",
            "employee_no",
            "name",
            "department_id",
            "department",
            "status",
            "hire_date",
            "credited_minutes",
            "required_minutes",
            "shortfall_minutes",
            "hours_short",
            "basic_short",
        ],
        json!({
            "employee_id": int(),
            "employee_no": string(),
            "name": string(),
            "department_id": int(),
            "department": string(),
            "status": string(),
            "hire_date": date(),
            "credited_minutes": int(),
            "required_minutes": int(),
            "shortfall_minutes": int(),
            "hours_short": described(boolean(), "Short of the yearly minimum."),
            "new_hire": { "oneOf": [r("ComplianceNewHire"), { "type": "null" }] },
            "basic_short": described(boolean(), "A new hire of the year whose basic days are not complete."),
        }),
    );
    let department = object(
        &[
            "department_id",
            "department",
            "headcount",
            "compliant",
            "short",
            "compliant_share_bp",
            "average_minutes",
            "new_hires_short",
        ],
        json!({
            "department_id": int(),
            "department": string(),
            "headcount": int(),
            "compliant": int(),
            "short": int(),
            "compliant_share_bp": described(int(), "Basis points, rounded down (10000 = everyone)."),
            "average_minutes": int(),
            "new_hires_short": int(),
        }),
    );
    let company = object(
        &[
            "headcount",
            "compliant",
            "compliant_share_bp",
            "total_minutes",
            "average_minutes",
            "advanced_topics",
            "advanced_topics_required",
            "advanced_topics_met",
            "new_hires",
            "new_hires_without_basic",
        ],
        json!({
            "headcount": int(),
            "compliant": int(),
            "compliant_share_bp": int(),
            "total_minutes": int(),
            "average_minutes": int(),
            "advanced_topics": described(array(json!({})), "Distinct advanced topics organised in the year: `{\"topic\": name}` or `{\"session\": id}`."),
            "advanced_topics_required": int(),
            "advanced_topics_met": boolean(),
            "new_hires": int(),
            "new_hires_without_basic": int(),
        }),
    );
    let page = object(
        &[
            "year",
            "rules",
            "company",
            "departments",
            "department_choices",
            "people",
            "remind_from",
            "reminders_open",
        ],
        json!({
            "year": int(),
            "rules": r("ComplianceRules"),
            "rules_version": int_or_null(),
            "department_id": int_or_null(),
            "company": r("ComplianceCompany"),
            "departments": array(r("ComplianceDepartment")),
            "department_choices": described(array(json!({ "type": "array", "prefixItems": [int(), string()] })), "`[id, name]` of the departments in scope."),
            "people": page_of("CompliancePerson"),
            "remind_from": described(date(), "First day of the reminder window."),
            "reminders_open": boolean(),
        }),
    );
    vec![
        ("ExternalTraining", external),
        ("ExternalTrainingPage", page_of("ExternalTraining")),
        ("ExternalTrainingForm", form),
        ("ExternalDecisionRequest", decision),
        ("TrainingLedgerEntry", entry),
        ("TrainingLedger", ledger),
        ("ComplianceRules", rules),
        ("ComplianceRulesView", rules_view),
        (
            "ComplianceRulesRequest",
            object(
                &["document"],
                json!({ "document": described(string(), "The rules as TOML.") }),
            ),
        ),
        (
            "ComplianceRemindRequest",
            object(
                &[],
                json!({ "year": described(int_or_null(), "This year when omitted.") }),
            ),
        ),
        (
            "ComplianceReminded",
            object(
                &["reminded"],
                json!({ "year": int_or_null(), "reminded": int() }),
            ),
        ),
        ("ComplianceNewHire", new_hire),
        ("CompliancePerson", person),
        ("ComplianceDepartment", department),
        ("ComplianceCompany", company),
        ("CompliancePage", page),
    ]
}
