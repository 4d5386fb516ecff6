//! OpenAPI operations and schemas of appeals, the inbox and the employee's certification.

use serde_json::{Value, json};

use super::{
    Op, READ, READ_ONE, array, boolean, datetime, described, int, int_or_null, object, op, r,
    string, string_or_null,
};

const TAG: &str = "certification";

pub(super) fn operations() -> Vec<Op> {
    vec![
        op("get", "/appeals", "listAppeals", TAG, "Appeals")
            .describe(
                "With `appeal_review`: every pending appeal, oldest first (the reviewers' \
                 queue). Without it: the caller's own appeals, newest first; a user without an \
                 employee record gets 403.",
            )
            .ok("The appeals.", array(r("Appeal")))
            .errors(READ),
        op(
            "post",
            "/results/{id}/appeals",
            "fileAppeal",
            TAG,
            "Appeal one's own result",
        )
        .describe(
            "`id` is a result id (`result_id` of `GET /me/certification`). Only the employee \
             whose current result it is may appeal (422 `rejected` with problem \
             `appeal-not-yours` on `result`), only while the round is published and the \
             appeal window is open (`appeal-window-closed`), and only once at a time \
             (`appeal-pending`). `component` is a component key of the round's scheme or empty \
             for the whole result (`appeal-component-unknown`); `item` names a rubric item or \
             question (optional, up to 100 characters); `reason` is required, up to 1000 \
             characters (`appeal-reason-missing`). Certificates issued from the result are \
             suspended while the appeal is pending. Audited.",
        )
        .body("AppealFiling")
        .created("Filed.", r("AppealView"), true)
        .errors(&[400, 404, 422]),
        op("get", "/appeals/{id}", "getAppeal", TAG, "One appeal")
            .describe(
                "The appeal with every revision of the result: `before` is the result appealed, \
                 `after` the new revision once re-scored. `may_decide` says whether the caller \
                 may decide it now: they hold `appeal_review` and took no part in the original \
                 scoring (`involved`: marker of the exam, judge or chief judge of the panel, \
                 whoever typed a score in, or the appellant). The appellant, reviewers and \
                 certification managers may read it; others get 403.",
            )
            .ok("The appeal.", r("AppealView"))
            .errors(READ_ONE),
        op(
            "post",
            "/appeals/{id}/decision",
            "decideAppeal",
            TAG,
            "Decide an appeal",
        )
        .describe(
            "`decision` is `uphold` (the result stands; its certificates are reinstated) or \
             `rescore`: `scores` maps component keys to the new value: a re-marked exam score \
             (`\"86.5\"` or `86.5`), or for a panel component the marks of a new panel drawn by \
             the same rules (`\"85, 88, 90\"` or `[85, 88, 90]`), trimmed as the scheme says; \
             components left out keep their score. A re-score adds a revision of the result; \
             when the outcome changes the certificates are revoked and a new one issued. \
             `note` is required (`appeal-reason-missing`). Refusals (422 `rejected`): \
             `appeal-reviewer-involved`, `appeal-rescore-empty`, `score-out-of-range` on \
             `scores.<key>`, `appeal-decided`, `appeal-panel-pending` (a new panel was \
             opened with `POST /appeals/{id}/panel` and its result is not final yet, and no \
             marks were typed for the component), and the scheme's input codes (e.g. \
             `too-few-marks`). Once the new panel's result is final, leaving its component \
             out of `scores` takes that panel's marks. The employee gets an inbox message. Audited. Needs \
             `appeal_review`.",
        )
        .body("AppealDecision")
        .ok("The decided appeal.", r("AppealView"))
        .errors(&[400, 403, 404, 422]),
        op(
            "post",
            "/appeals/{id}/panel",
            "openAppealPanel",
            TAG,
            "Open a new panel for a re-score",
        )
        .describe(
            "For an appeal against a panel component whose marks come from a practical \
             event: creates a copy of that event (same rubric, pools, quotas and trimming) for \
             this candidate only, with the original judges declared as conflicts, and links \
             it to the appeal (`appeal.rescore_event_id`). Its seed is then published and the \
             panel drawn as for any event; once its result is final, a `rescore` decision \
             that leaves this component out of `scores` takes the new panel's marks \
             (`appeal-panel-pending` until then). Refusals (422 `rejected`): \
             `appeal-no-panel` (the component is typed in or not a panel), \
             `appeal-panel-open`, `appeal-decided`, `appeal-reviewer-involved`. Audited. Needs \
             `appeal_review` and `assessment_manage`.",
        )
        .created(
            "Opened; `Location` is the new event.",
            r("AppealView"),
            true,
        )
        .errors(&[403, 404, 422]),
        op("get", "/inbox", "listInbox", TAG, "The caller's messages")
            .describe(
                "Newest first, 50 a page, with `unread` counting every unread message. `kind` \
                 is a translation key and `params_map` its arguments; `text` is the message in \
                 the request's language.",
            )
            .query(
                "page",
                json!({ "type": "integer", "minimum": 1, "default": 1 }),
                "Page number.",
            )
            .ok("One page of messages.", r("InboxPage"))
            .errors(&[400]),
        op(
            "post",
            "/inbox/read",
            "readAllInbox",
            TAG,
            "Mark every message read",
        )
        .describe("Marks every unread message of the caller read. Not audited.")
        .ok("How many were marked.", r("InboxMarked")),
        op(
            "post",
            "/inbox/{id}/read",
            "readInboxMessage",
            TAG,
            "Mark one message read",
        )
        .describe(
            "Marks one of the caller's messages read; an id of another user's message (or one \
             already read) marks nothing (`marked` 0). Not audited.",
        )
        .ok("How many were marked.", r("InboxMarked"))
        .errors(&[404]),
        op(
            "get",
            "/me/certification",
            "getMyCertification",
            TAG,
            "The caller's certification",
        )
        .describe(
            "What the page `/my-certification` shows: the caller's applications, published \
             results (with `appeal_open` while an appeal may be filed), appeals and \
             certificates, and the rounds taking applications. For a user without an \
             employee record `linked` is false and the lists are empty.",
        )
        .ok("The caller's certification.", r("MyCertification")),
    ]
}

fn date() -> Value {
    json!({ "type": "string", "format": "date" })
}

fn date_or_null() -> Value {
    json!({ "type": ["string", "null"], "format": "date" })
}

pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    let appeal_status = json!({ "type": "string", "enum": ["pending", "upheld", "rescored"] });
    vec![
        (
            "Appeal",
            object(
                &[
                    "id",
                    "result_id",
                    "round_id",
                    "round_code",
                    "employee_id",
                    "status",
                    "reason",
                    "created_at",
                ],
                json!({
                    "id": int(),
                    "result_id": described(int(), "The result appealed."),
                    "round_id": int(),
                    "round_code": string(),
                    "employee_id": int(),
                    "employee_no": string(),
                    "name": described(string(), "The employee's name."),
                    "component_key": described(string_or_null(), "The component appealed; null for the whole result."),
                    "item": described(string_or_null(), "A rubric item or question named by the employee."),
                    "reason": string(),
                    "status": appeal_status,
                    "reviewer_user_id": int_or_null(),
                    "reviewer": described(string_or_null(), "The reviewer's display name."),
                    "decision_note": string(),
                    "new_result_id": described(int_or_null(), "The revision a re-score created."),
                    "rescore_event_id": described(int_or_null(), "The new panel's event, once opened (`POST /appeals/{id}/panel`)."),
                    "created_at": datetime(),
                    "decided_at": { "type": ["string", "null"], "format": "date-time" }
                }),
            ),
        ),
        (
            "AppealFiling",
            object(
                &["reason"],
                json!({
                    "component": described(string(), "A component key of the round's scheme; empty or absent for the whole result."),
                    "item": described(string(), "Optional: a rubric item or exam question, up to 100 characters."),
                    "reason": described(string(), "Required, up to 1000 characters.")
                }),
            ),
        ),
        (
            "AppealDecision",
            object(
                &["decision", "note"],
                json!({
                    "decision": { "type": "string", "enum": ["uphold", "rescore"] },
                    "note": described(string(), "The reasons, required, up to 1000 characters; the employee reads it."),
                    "scores": {
                        "type": "object",
                        "description": "For `rescore`: component key → new score (text or number), or for a panel component the new panel's marks (text separated by commas, or a list).",
                        "additionalProperties": {
                            "oneOf": [
                                { "type": "string" },
                                { "type": "number" },
                                { "type": "array", "items": { "type": ["number", "string"] } }
                            ]
                        }
                    }
                }),
            ),
        ),
        (
            "AppealComponentScore",
            object(
                &["key", "name", "source", "weight_percent", "input"],
                json!({
                    "key": string(),
                    "name": described(string(), "In the request's language."),
                    "source": { "type": "string", "enum": ["exam", "panel", "attendance", "daily", "imported"] },
                    "weight_percent": string(),
                    "score": described(string_or_null(), "The component score as counted, rounded to the scheme's decimals."),
                    "input": described(string(), "What was entered: a score, or the panel's marks separated by commas.")
                }),
            ),
        ),
        (
            "AppealRevision",
            object(
                &[
                    "result_id",
                    "revision",
                    "current",
                    "created_at",
                    "total",
                    "passed",
                    "components",
                ],
                json!({
                    "result_id": int(),
                    "revision": described(int(), "1 for the published result; each re-score adds one."),
                    "current": boolean(),
                    "created_at": datetime(),
                    "total": described(string(), "The rounded total, e.g. `72.80`."),
                    "passed": boolean(),
                    "level_key": string_or_null(),
                    "level": described(string_or_null(), "The band reached, in the request's language."),
                    "awarded_level": string_or_null(),
                    "awarded": described(string_or_null(), "The level certified (capped at the level applied for), in the request's language."),
                    "components": array(r("AppealComponentScore"))
                }),
            ),
        ),
        (
            "AppealView",
            object(
                &["appeal", "round_title", "history", "may_decide", "involved"],
                json!({
                    "appeal": r("Appeal"),
                    "round_title": string(),
                    "component": described(string_or_null(), "The component appealed, in the request's language."),
                    "appeal_closes": date_or_null(),
                    "before": { "oneOf": [r("AppealRevision"), { "type": "null" }], "description": "The result appealed." },
                    "after": { "oneOf": [r("AppealRevision"), { "type": "null" }], "description": "The revision after a re-score." },
                    "history": described(array(r("AppealRevision")), "Every revision, oldest first."),
                    "may_decide": boolean(),
                    "involved": described(boolean(), "The caller took part in the original scoring or is the appellant."),
                    "panel_source": described(boolean(), "The appealed component takes its marks from a practical event, so a new panel can be opened.")
                }),
            ),
        ),
        (
            "InboxMessage",
            object(
                &[
                    "id",
                    "kind",
                    "params",
                    "params_map",
                    "link",
                    "created_at",
                    "text",
                ],
                json!({
                    "id": int(),
                    "user_id": int(),
                    "kind": described(string(), "A translation key, e.g. `inbox-result-published`."),
                    "params": described(string(), "The arguments as stored (JSON text)."),
                    "params_map": { "type": "object", "description": "The arguments." },
                    "link": described(string(), "A path of this site the message is about."),
                    "created_at": datetime(),
                    "read_at": { "type": ["string", "null"], "format": "date-time" },
                    "text": described(string(), "The message in the request's language.")
                }),
            ),
        ),
        (
            "InboxPage",
            object(
                &["items", "total", "page", "per_page", "unread"],
                json!({
                    "items": array(r("InboxMessage")),
                    "total": described(int(), "Messages in all pages."),
                    "page": int(),
                    "per_page": int(),
                    "unread": described(int(), "Unread messages in all pages.")
                }),
            ),
        ),
        (
            "InboxMarked",
            object(
                &["marked", "unread"],
                json!({
                    "marked": described(int(), "Messages marked read by this call."),
                    "unread": described(int(), "Unread messages left.")
                }),
            ),
        ),
        (
            "MyApplication",
            object(
                &[
                    "id",
                    "round_id",
                    "round_code",
                    "round_title",
                    "round_status",
                    "level_key",
                    "level",
                    "status",
                ],
                json!({
                    "id": int(),
                    "round_id": int(),
                    "round_code": string(),
                    "round_title": string(),
                    "round_status": { "type": "string", "enum": ["open", "reviewed", "published", "closed"] },
                    "level_key": string(),
                    "level": described(string(), "The level applied for, in the request's language."),
                    "status": { "type": "string", "enum": ["submitted", "approved", "rejected", "withdrawn"] },
                    "training_completed_on": date_or_null(),
                    "mentor_comment": string(),
                    "decision_note": string(),
                    "created_at": datetime()
                }),
            ),
        ),
        (
            "MyResult",
            object(
                &[
                    "round_id",
                    "round_code",
                    "round_title",
                    "appeal_open",
                    "result_id",
                    "revision",
                    "total",
                    "passed",
                    "components",
                ],
                json!({
                    "round_id": int(),
                    "round_code": string(),
                    "round_title": string(),
                    "published_on": date_or_null(),
                    "appeal_closes": described(date_or_null(), "The last day an appeal is accepted."),
                    "appeal_open": described(boolean(), "An appeal may be filed today (`POST /results/{result_id}/appeals`)."),
                    "pending_appeal": described(int_or_null(), "The pending appeal against this result."),
                    "result_id": int(),
                    "revision": int(),
                    "current": boolean(),
                    "created_at": datetime(),
                    "total": string(),
                    "passed": boolean(),
                    "level_key": string_or_null(),
                    "level": string_or_null(),
                    "awarded_level": string_or_null(),
                    "awarded": string_or_null(),
                    "components": array(r("AppealComponentScore"))
                }),
            ),
        ),
        (
            "MyAppeal",
            object(
                &[
                    "id",
                    "result_id",
                    "round_id",
                    "status",
                    "reason",
                    "created_at",
                ],
                json!({
                    "id": int(),
                    "result_id": int(),
                    "round_id": int(),
                    "round_code": string(),
                    "component_key": string_or_null(),
                    "component": described(string_or_null(), "The component appealed, in the request's language; null for the whole result."),
                    "item": string_or_null(),
                    "reason": string(),
                    "status": { "type": "string", "enum": ["pending", "upheld", "rescored"] },
                    "decision_note": string(),
                    "new_result_id": int_or_null(),
                    "rescore_event_id": int_or_null(),
                    "created_at": datetime(),
                    "decided_at": { "type": ["string", "null"], "format": "date-time" }
                }),
            ),
        ),
        (
            "MyCertificate",
            object(
                &[
                    "number",
                    "level_key",
                    "level_name",
                    "status",
                    "issued_on",
                    "valid_until",
                ],
                json!({
                    "number": string(),
                    "scheme_key": string(),
                    "round_id": int_or_null(),
                    "level_key": string(),
                    "level_name": described(string(), "In the request's language."),
                    "status": { "type": "string", "enum": ["valid", "expiring", "expired", "suspended", "revoked", "superseded"] },
                    "issued_on": date(),
                    "valid_until": date(),
                    "reevaluation_due": date(),
                    "awarded_on": date(),
                    "suspended": boolean(),
                    "revoked_reason": string_or_null(),
                    "superseded_by_number": string_or_null()
                }),
            ),
        ),
        (
            "MyOpenRound",
            object(
                &["id", "code", "title", "registration_closes", "levels"],
                json!({
                    "id": int(),
                    "code": string(),
                    "title": string(),
                    "registration_closes": date(),
                    "levels": described(array(string()), "The levels offered, in the request's language.")
                }),
            ),
        ),
        (
            "MyCertification",
            object(
                &[
                    "linked",
                    "applications",
                    "results",
                    "appeals",
                    "certificates",
                    "open_rounds",
                ],
                json!({
                    "linked": described(boolean(), "Whether the account is linked to an employee record."),
                    "applications": array(r("MyApplication")),
                    "results": described(array(r("MyResult")), "Published results, newest first."),
                    "appeals": array(r("MyAppeal")),
                    "certificates": array(r("MyCertificate")),
                    "open_rounds": array(r("MyOpenRound"))
                }),
            ),
        ),
    ]
}
