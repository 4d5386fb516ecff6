//! OpenAPI operations and schemas of the candidate exam API.

use serde_json::{Value, json};

use super::{Op, array, boolean, datetime, described, int, int_or_null, object, op, r, string};

pub(super) fn operations() -> Vec<Op> {
    vec![
        op(
            "get",
            "/my/exams",
            "listMyExams",
            "taking",
            "Sessions I may sit",
        )
        .describe(
            "Published online sessions whose audience includes the signed-in employee, \
                 from 30 days back. `state` is `upcoming`, `open` or `closed`; `result` is \
                 present only when the session's review policy shows scores.",
        )
        .ok("The sessions.", array(r("CandidateSession")))
        .errors(&[409]),
        op(
            "post",
            "/exam-sessions/{id}/attempts",
            "startAttempt",
            "taking",
            "Start or resume",
        )
        .describe(
            "Starts an attempt, drawing the paper from a recorded seed, or resumes the open \
                 attempt (one per candidate and session, enforced by the database). The view \
                 carries no key, correctness or score unless the review policy allows. 409 \
                 `session-not-open` outside the window, `attempts-exhausted`, `session-offline`; \
                 403 when the employee is not in the audience.",
        )
        .created("A new attempt.", r("AttemptView"), true)
        .ok("The open attempt, resumed.", r("AttemptView"))
        .errors(&[403, 404, 409]),
        op(
            "get",
            "/attempts/{id}",
            "getAttempt",
            "taking",
            "My attempt",
        )
        .describe(
            "The attempt with every acknowledged answer and `last_seq`; a reload or another \
                 device resumes from it. `now` is the server's clock; count down from \
                 `deadline - now`. Someone else's attempt is 403.",
        )
        .ok("The attempt.", r("AttemptView"))
        .errors(&[403, 404]),
        op(
            "put",
            "/attempts/{id}/answers/{position}",
            "saveAnswer",
            "taking",
            "Save one answer",
        )
        .describe(
            "Idempotent per `(attempt, position, seq)`: answered 200 only once the answer \
                 is durable; the same save again is 200 with `duplicate: true`. Refusals change \
                 nothing: 409 `attempt-expired` (after the deadline), `attempt-submitted`, \
                 `answer-stale` (a higher seq is stored), `answer-sequence-reused` (same seq, \
                 other answer); 422 `answer-no-such-question`, `answer-wrong-kind`, \
                 `answer-no-such-option`, `answer-too-many-choices`, `answer-too-long`, \
                 `answer-bad-sequence`; 403 for someone else's attempt.",
        )
        .body("SaveAnswer")
        .ok("Stored durably.", r("SaveAck"))
        .errors(&[400, 403, 404, 409, 422]),
        op(
            "post",
            "/attempts/{id}/submit",
            "submitAttempt",
            "taking",
            "Submit",
        )
        .describe(
            "Closes the attempt and grades objective questions; short answers go to the \
                 marking queue. Submitting again reports the attempt as it stands.",
        )
        .ok("Submitted.", r("Submitted"))
        .errors(&[403, 404]),
    ]
}

pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    let answer = json!({
        "description": "Exactly one of: `choice` (option indexes as written in the question, not \
            the shuffled labels; `[]` clears), `truth`, `text`.",
        "oneOf": [
            object(&["choice"], json!({ "choice": array(json!({ "type": "integer", "minimum": 0, "maximum": 7 })) })),
            object(&["truth"], json!({ "truth": boolean() })),
            object(&["text"], json!({ "text": json!({ "type": "string", "maxLength": 5000 }) })),
        ]
    });
    let result = json!({
        "oneOf": [
            { "type": "null" },
            object(&["attempt_id", "score", "max_score", "passed"], json!({
                "attempt_id": int(),
                "score": described(int(), "Hundredths of a point."),
                "max_score": described(int(), "Hundredths of a point."),
                "passed": boolean()
            }))
        ]
    });
    vec![
        ("Answer", answer),
        (
            "SaveAnswer",
            object(
                &["seq", "answer"],
                json!({
                    "seq": described(json!({ "type": "integer", "minimum": 1 }), "Client sequence number, increasing per attempt."),
                    "answer": r("Answer")
                }),
            ),
        ),
        (
            "SaveAck",
            object(
                &["position", "seq", "saved_at", "duplicate"],
                json!({
                    "position": int(),
                    "seq": int(),
                    "saved_at": datetime(),
                    "duplicate": described(boolean(), "This exact save was already stored.")
                }),
            ),
        ),
        (
            "Submitted",
            object(
                &["attempt_id", "status", "awaiting_marks"],
                json!({
                    "attempt_id": int(),
                    "status": json!({ "type": "string", "enum": ["open", "submitted", "graded"] }),
                    "awaiting_marks": described(int(), "Short answers waiting for markers.")
                }),
            ),
        ),
        (
            "CandidateSession",
            object(
                &[
                    "id",
                    "code",
                    "title",
                    "opens_at",
                    "closes_at",
                    "duration_minutes",
                    "state",
                    "attempts_allowed",
                    "attempts_used",
                    "open_attempt",
                    "result",
                ],
                json!({
                    "id": int(),
                    "code": string(),
                    "title": string(),
                    "opens_at": datetime(),
                    "closes_at": datetime(),
                    "duration_minutes": int(),
                    "state": json!({ "type": "string", "enum": ["upcoming", "open", "closed"] }),
                    "attempts_allowed": int(),
                    "attempts_used": int(),
                    "open_attempt": int_or_null(),
                    "result": result.clone()
                }),
            ),
        ),
        (
            "AttemptView",
            object(
                &[
                    "attempt_id",
                    "session_id",
                    "session_title",
                    "number",
                    "status",
                    "deadline",
                    "now",
                    "items",
                    "answers",
                    "last_seq",
                    "result",
                    "review",
                ],
                json!({
                    "attempt_id": int(),
                    "session_id": int(),
                    "session_title": string(),
                    "number": int(),
                    "status": json!({ "type": "string", "enum": ["open", "submitted", "graded"] }),
                    "deadline": datetime(),
                    "now": described(datetime(), "The server's clock."),
                    "items": array(object(&["position", "qtype", "stem", "points", "options"], json!({
                        "position": int(),
                        "qtype": json!({ "type": "string", "enum": ["single", "multiple", "true_false", "short"] }),
                        "stem": string(),
                        "points": described(int(), "Hundredths of a point."),
                        "options": array(object(&["index", "label", "text"], json!({
                            "index": described(int(), "The option's index in the question; a save names this."),
                            "label": described(string(), "The letter shown (by display order)."),
                            "text": string()
                        })))
                    }))),
                    "answers": array(object(&["position", "seq", "answer"], json!({
                        "position": int(), "seq": int(), "answer": r("Answer")
                    }))),
                    "last_seq": int(),
                    "result": result,
                    "review": json!({ "description": "Keys and explanations, only when the review policy shows them.", "type": ["array", "null"] })
                }),
            ),
        ),
    ]
}
