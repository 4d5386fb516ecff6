//! OpenAPI operations and schemas of practical assessments: events, panels drawn by lot,
//! results, judge analytics, and the judges' score sheets.

use serde_json::{Value, json};

use super::{
    CREATE, Op, READ_ONE, UPDATE, array, boolean, datetime, described, int, int_or_null, object,
    op, page_of, r, string, string_or_null,
};

const EVENTS: &str = "assessments";
const SHEETS: &str = "judging";

pub(super) fn operations() -> Vec<Op> {
    let page = json!({ "type": "integer", "minimum": 1, "default": 1 });
    let per_page = json!({ "type": "integer", "minimum": 1, "maximum": 200, "default": 50 });
    vec![
        op(
            "get",
            "/events",
            "listAssessmentEvents",
            EVENTS,
            "Assessment events",
        )
        .describe(
            "Newest first (by date held), with counts of candidates, seats and submitted \
                 sheets. Needs `assessment_manage` or `assessment_results` (any scope).",
        )
        .query(
            "q",
            string(),
            "Part of the code or title (case-insensitive).",
        )
        .query(
            "status",
            json!({ "type": "string", "enum": ["planning", "scoring", "closed"] }),
            "Only events in this state.",
        )
        .query(
            "kind",
            json!({ "type": "string", "enum": ["assessment", "calibration"] }),
            "Only events of this kind.",
        )
        .query("page", page, "Page number.")
        .query("per_page", per_page, "Rows per page.")
        .ok("One page of events.", r("EventSummaryPage"))
        .errors(&[400, 403]),
        op(
            "post",
            "/events",
            "createAssessmentEvent",
            EVENTS,
            "Plan an event",
        )
        .describe(
            "Creates an event in `planning`. The rubric (`rubric_key`, optionally \
                 `rubric_version`) is frozen into the event. With `scheme_key` the trimming \
                 policy comes from the scheme's panel component (`component_key`, or its first \
                 panel component) and results feed that scheme; without it the event's own \
                 `min_marks`, `drop_highest`, `drop_lowest`, `trim` and `tolerance` apply. \
                 Pools list judges by employee number; a quota that no pool can fill is refused \
                 before any draw (422 with a `pools` problem such as `draw-quota-too-large`), \
                 as are inconsistent rules (`rules-min-above-panel`, \
                 `rules-drops-above-panel`, `rules-per-item-rubric`, …). Unknown rubric, \
                 scheme, component, chief (a username), scenario code or employee number: \
                 422 `validation` with the field (`not-found`). A duplicate `code` is 422 \
                 `duplicate` on `code`. Audited. Needs `assessment_manage`.",
        )
        .body("EventInput")
        .created("Created.", r("EventView"), true)
        .errors(CREATE),
        op(
            "get",
            "/events/{id}",
            "getAssessmentEvent",
            EVENTS,
            "One event",
        )
        .describe(
            "The event with its rules, chief judge, scenarios, candidates (or recordings) \
                 in order, pool members, declared conflicts, draws and seats. Needs \
                 `assessment_manage`, being the event's chief judge, or `assessment_results` \
                 (any scope).",
        )
        .ok("The event.", r("EventView"))
        .errors(READ_ONE),
        op(
            "put",
            "/events/{id}",
            "updateAssessmentEvent",
            EVENTS,
            "Change a planned event",
        )
        .describe(
            "Replaces every field, with the checks of creation. Only before the first \
                 draw: 409 `event-not-planning` otherwise. Audited with before and after. \
                 Needs `assessment_manage`.",
        )
        .body("EventInput")
        .ok("The changed event.", r("EventView"))
        .errors(UPDATE),
        op(
            "put",
            "/events/{id}/subjects",
            "setAssessmentSubjects",
            EVENTS,
            "Set the candidates",
        )
        .describe(
            "Replaces the candidates, in assessment order: `candidates` holds employee \
                 numbers (422 `not-found` or `duplicate` on `candidates`). For a calibration \
                 `recordings` holds one recording per line, `label | reference score` (the \
                 reference is optional). At most 500. Only while planning (409 \
                 `event-not-planning`). Audited. Needs `assessment_manage`.",
        )
        .body("SubjectsInput")
        .ok("The event.", r("EventView"))
        .errors(UPDATE),
        op(
            "post",
            "/events/{id}/conflicts",
            "addAssessmentConflict",
            EVENTS,
            "Declare a conflict",
        )
        .describe(
            "Keeps a judge (employee number) off a candidate's panel at the next draw, \
                 e.g. a mentor or a relative; supervisors, judges of the candidate's own window \
                 and the candidate themself are excluded automatically when the event's rules \
                 say so. `reason` is required (1–200 characters). 409 `event-closed`; a \
                 conflict declared twice is 422 `duplicate` on `judge`. Audited. Needs \
                 `assessment_manage`.",
        )
        .body("ConflictInput")
        .ok("The event.", r("EventView"))
        .errors(UPDATE),
        op(
            "delete",
            "/events/{id}/conflicts/{judge_id}/{subject_id}",
            "removeAssessmentConflict",
            EVENTS,
            "Withdraw a declared conflict",
        )
        .describe(
            "`judge_id` is the judge's employee id, `subject_id` the candidate's subject id \
             (both as in `conflicts` of the event). 404 when no such conflict is declared. \
             Audited. Needs `assessment_manage`.",
        )
        .ok("The event.", r("EventView"))
        .errors(READ_ONE),
        op(
            "put",
            "/event-subjects/{id}/inputs",
            "setAssessmentInputs",
            EVENTS,
            "Other components' scores",
        )
        .describe(
            "For an event that feeds a scheme: the scores of the scheme's other \
                 components for one candidate, e.g. `{\"attendance\": 100, \"inspection\": \
                 \"92.5\"}` for the S4 routine assessment (numbers or text; empty or null \
                 leaves a component unset). Replaces the candidate's inputs. A key that is not \
                 a non-panel component of the scheme is a 422 problem \
                 `input-unknown-component` on that key, a value that is not a score 0–100 with \
                 at most two decimals `input-bad-score`; an event without a scheme is 422 \
                 `not-allowed` on `inputs`. 409 `event-closed`. Audited. Needs \
                 `assessment_manage`.",
        )
        .raw_body(
            json!({ "required": true, "content": super::json_content(json!({
                "type": "object",
                "additionalProperties": { "type": ["number", "string", "null"] }
            })) }),
        )
        .ok("The candidate with the inputs stored.", r("EventSubject"))
        .errors(UPDATE),
        op(
            "post",
            "/events/{id}/seed",
            "publishAssessmentSeed",
            EVENTS,
            "Publish the next draw's seed",
        )
        .describe(
            "Generates a random seed and shows it on the event (`next_seed`) before any \
                 draw runs from it, so nobody can choose a convenient seed afterwards. \
                 Publishing again replaces an unused seed (audited either way). 409 \
                 `event-closed`, `event-calibration` (a calibration seats every judge, nothing \
                 is drawn). Needs `assessment_manage`.",
        )
        .ok("The event with `next_seed` set.", r("EventView"))
        .errors(READ_ONE_409),
        op(
            "post",
            "/events/{id}/draws",
            "drawAssessmentPanels",
            EVENTS,
            "Draw the panels",
        )
        .describe(
            "Draws every panel from the published seed and the pool lists as they are now \
                 (per event or per candidate, as the rules say), excluding conflicts; both \
                 inputs are stored with the outcome so anyone can replay the draw. The first \
                 draw opens scoring (`status` becomes `scoring`). A redraw replaces every panel, \
                 needs a `reason` (422 `validation` on `reason` when empty) and a freshly \
                 published seed, and is refused once any sheet is submitted (409 \
                 `event-sheets-submitted`); drafts of judges who lose their seat are deleted. \
                 409 `event-no-seed`, `event-no-subjects`, `event-closed`; a quota the eligible \
                 judges cannot fill is 422 with a `pools` problem (`draw-not-enough-eligible`, \
                 …). For a calibration nothing is drawn: every pool member is seated on every \
                 recording. Audited (`assessment_event.draw` / `.redraw`). Needs \
                 `assessment_manage`.",
        )
        .body("DrawInputBody")
        .ok("The event with its draws and seats.", r("EventView"))
        .errors(UPDATE),
        op(
            "get",
            "/events/{id}/draws/{number}",
            "replayAssessmentDraw",
            EVENTS,
            "Replay a draw",
        )
        .describe(
            "Runs draw `number` (1 for the first) again from its recorded seed and pool \
                 lists and compares the result with the recorded panels (`identical`). Same \
                 access as reading the event. 404 for an unknown number.",
        )
        .ok("The replay.", r("DrawReplay"))
        .errors(READ_ONE),
        op(
            "post",
            "/events/{id}/close",
            "closeAssessmentEvent",
            EVENTS,
            "Close scoring",
        )
        .describe(
            "No more sheets or corrections; results stay computable. 409 \
                 `event-not-scoring` unless the event is scoring. Audited. Needs \
                 `assessment_manage`.",
        )
        .ok("The closed event.", r("EventView"))
        .errors(READ_ONE_409),
        op(
            "get",
            "/events/{id}/results",
            "getAssessmentResults",
            EVENTS,
            "Results",
        )
        .describe(
            "Computed from the submitted sheets every time: per candidate every judge's \
                 total (`combined.marks`, each with `dropped` = `highest`/`lowest` when \
                 trimmed), per-item marks and spreads, the trimmed score, its standard error, \
                 the range of the kept marks, `held` when that range exceeds the tolerance \
                 (until the chief judge releases it), `insufficient` while fewer sheets than \
                 the policy's minimum are in; with a scheme, the scheme's `evaluation` (verdict, \
                 level, retake-ladder step for the `attempt`-th failure within a year) or the \
                 codes that keep it from evaluating (`evaluation_errors`, e.g. a missing \
                 component input). Corrections are listed with their reasons. Managers and the \
                 chief judge see every candidate; holders of `assessment_results` the \
                 candidates of their departments (403 without any).",
        )
        .ok("The results.", r("EventResults"))
        .errors(READ_ONE),
        op(
            "post",
            "/event-subjects/{id}/release",
            "releaseAssessmentResult",
            EVENTS,
            "Release a held result",
        )
        .describe(
            "The chief judge (or a manager) confirms a result held because the kept marks \
                 diverged beyond the tolerance; `note` (1–200 characters) is required. 409 \
                 `result-not-held` when the result is not held or already released; 403 for \
                 anyone else. Audited.",
        )
        .body("ReleaseInput")
        .no_content("Released.")
        .errors(UPDATE),
        op(
            "get",
            "/events/{id}/analytics",
            "getAssessmentAnalytics",
            EVENTS,
            "Judge analytics of an event",
        )
        .describe(
            "Each judge's leniency (mean of their total minus the mean of the other \
                 judges' totals for the same candidate), how often their mark was dropped, \
                 mean absolute deviation; item-level disagreement; ICC(1,1) and ICC(1,k) \
                 (one-way random effects) and Krippendorff's alpha (interval metric, missing \
                 marks allowed) over the candidates with two or more sheets (null with too \
                 little data). A calibration adds each recording's totals against its \
                 reference and each judge's deviation from it. Needs `assessment_manage`, \
                 `assessment_results` for the whole company, or being the chief judge.",
        )
        .ok("The analytics.", r("EventAnalytics"))
        .errors(READ_ONE),
        op(
            "get",
            "/judge-analytics",
            "getJudgeTrends",
            EVENTS,
            "Judges over a period",
        )
        .describe(
            "Every judge across the assessment events held in `[from, to]` (calibrations \
                 excluded): overall and event by event. The period may span at most three \
                 years and `to` may not precede `from` (422 `out-of-range` on `to`); a date \
                 that is not `YYYY-MM-DD` is 422 `bad-date`. Needs `assessment_manage` or \
                 `assessment_results` for the whole company.",
        )
        .query(
            "from",
            json!({ "type": "string", "format": "date" }),
            "First day; default a year before `to`.",
        )
        .query(
            "to",
            json!({ "type": "string", "format": "date" }),
            "Last day; default today.",
        )
        .ok("The trends.", r("JudgeTrends"))
        .errors(&[400, 403, 422]),
        op("get", "/my/panels", "listMyPanels", SHEETS, "My panels")
            .describe(
                "The signed-in judge's seats on events past planning, newest event first and \
                 candidates in order, each with the state of the judge's sheet (null = not \
                 started, `draft`, `submitted`). Needs `assessment_judge` and an account \
                 linked to an employee (409 `no-employee`).",
            )
            .ok("The seats.", array(r("MySeat")))
            .errors(&[403, 409]),
        op(
            "get",
            "/sheets/{subject_id}",
            "getScoreSheet",
            SHEETS,
            "My sheet for a candidate",
        )
        .describe(
            "The signed-in judge's sheet for the candidate (subject) `subject_id`, with \
                 the rubric to draw it. Other judges' totals (`others`) stay null while the \
                 panel is blind and not every judge has submitted, and always until this judge \
                 has submitted. A judge not seated on the candidate's panel gets 422 \
                 `sheet-not-seated`; an account without an employee 409 `no-employee`; 404 \
                 for an unknown subject. Needs `assessment_judge`.",
        )
        .ok("The sheet.", r("SheetView"))
        .errors(&[403, 404, 409, 422]),
        op(
            "put",
            "/sheets/{subject_id}",
            "saveScoreSheetDraft",
            SHEETS,
            "Save a draft",
        )
        .describe(
            "Saves the marks given so far; items may be missing. Every mark present must \
                 be one of the item's allowed values (the whole points its bands cover: the \
                 S4 item `answer-rings` allows only 0 and 2) or `\"na\"` where the item allows \
                 N/A. Refusals list every problem as 422 `rejected` with `fields` named \
                 `items.<key>` or `texts.<key>` (`sheet-value-not-allowed`, \
                 `sheet-na-not-allowed`, `sheet-unknown-item`, `sheet-unknown-text`, \
                 `sheet-text-too-long`) and save nothing. 409 `sheet-already-submitted`, \
                 `event-not-scoring`; 422 `sheet-not-seated`. Audited. Needs \
                 `assessment_judge` and a seat.",
        )
        .body("SheetMarks")
        .ok("The sheet as saved.", r("SheetView"))
        .errors(&[400, 403, 404, 409, 422]),
        op(
            "post",
            "/sheets/{subject_id}/submit",
            "submitScoreSheet",
            SHEETS,
            "Submit and lock",
        )
        .describe(
            "Scores and locks the sheet: every item must be marked (422 \
                 `sheet-missing-item` on `items.<key>`), required texts given \
                 (`sheet-text-required`), plus the checks of a draft. A second submission is \
                 409 `sheet-already-submitted` and changes nothing; afterwards only the chief \
                 judge can correct the sheet. Audited. Needs `assessment_judge` and a seat.",
        )
        .body("SheetMarks")
        .ok("The submitted sheet with its `score`.", r("SheetView"))
        .errors(&[400, 403, 404, 409, 422]),
        op(
            "post",
            "/score-sheets/{sheet_id}/corrections",
            "correctScoreSheet",
            SHEETS,
            "Correct a submitted sheet",
        )
        .describe(
            "Replaces the marks of a submitted sheet (`sheet_id` as in the results' \
             corrections and seats) with a complete, valid set, with a `reason` (1–200 \
             characters, 422 `validation` on `reason`). Only the event's chief judge or \
             holders of `assessment_manage` (403 for anyone else, the sheet's own judge \
             included). 409 `sheet-not-submitted`, `event-closed`; 422 `rejected` as for \
             submitting. The before and after marks are kept beside the sheet and in the \
             audit log; results are recomputed from the corrected marks.",
        )
        .body("CorrectionInput")
        .ok("The corrected sheet.", r("CorrectedSheet"))
        .errors(&[400, 403, 404, 409, 422]),
    ]
}

const READ_ONE_409: &[u16] = &[403, 404, 409];

fn hundredths(description: &str) -> Value {
    described(
        json!({ "type": "number" }),
        &format!("{description} Points out of 100 with up to two decimals."),
    )
}

fn hundredths_or_null(description: &str) -> Value {
    described(
        json!({ "type": ["number", "null"] }),
        &format!("{description} Points out of 100 with up to two decimals; null when unknown."),
    )
}

fn number_or_null(description: &str) -> Value {
    described(json!({ "type": ["number", "null"] }), description)
}

fn date() -> Value {
    json!({ "type": "string", "format": "date" })
}

fn status() -> Value {
    json!({ "type": "string", "enum": ["planning", "scoring", "closed"] })
}

fn kind() -> Value {
    json!({ "type": "string", "enum": ["assessment", "calibration"] })
}

fn sheet_status_or_null() -> Value {
    json!({ "type": ["string", "null"], "enum": ["draft", "submitted", null] })
}

fn drop_reason_or_null() -> Value {
    json!({ "type": ["string", "null"], "enum": ["highest", "lowest", null] })
}

fn policy() -> Value {
    object(
        &[
            "min_marks",
            "drop_highest",
            "drop_lowest",
            "trim",
            "divergence_tolerance",
        ],
        json!({
            "min_marks": described(int(), "Fewer submitted sheets give no result."),
            "drop_highest": int(),
            "drop_lowest": int(),
            "trim": { "type": "string", "enum": ["total", "per_item"] },
            "divergence_tolerance": hundredths_or_null("Range of kept marks above which a result is held.")
        }),
    )
}

fn event_row() -> (Vec<&'static str>, Value) {
    (
        vec![
            "id",
            "code",
            "title",
            "kind",
            "held_on",
            "place",
            "scheme_key",
            "component_key",
            "rubric_key",
            "rubric_version",
            "chief_user_id",
            "next_seed",
            "status",
            "created_at",
            "updated_at",
        ],
        json!({
            "id": int(),
            "code": string(),
            "title": string(),
            "kind": kind(),
            "held_on": date(),
            "place": string(),
            "scheme_key": described(string_or_null(), "The scheme the results feed."),
            "component_key": described(string_or_null(), "Its panel component."),
            "rubric_key": string(),
            "rubric_version": int(),
            "chief_user_id": int_or_null(),
            "next_seed": described(string_or_null(), "The published seed the next draw will use (16 hex digits)."),
            "status": status(),
            "created_at": datetime(),
            "updated_at": datetime()
        }),
    )
}

fn subject_row() -> Value {
    object(
        &[
            "id",
            "event_id",
            "position",
            "employee_id",
            "label",
            "inputs",
            "reference",
            "released_by",
            "release_note",
            "employee_no",
            "name",
            "department_id",
            "unit_id",
            "supervisor_id",
        ],
        json!({
            "id": described(int(), "The subject id: `subject_id` of sheets and seats."),
            "event_id": int(),
            "position": described(int(), "Order of assessment, from 1."),
            "employee_id": described(int_or_null(), "Null for a calibration recording."),
            "label": described(string(), "Employee number, or the recording's label."),
            "inputs": described(string(), "JSON text: component key → score of the scheme's other components."),
            "reference": described(int_or_null(), "Calibration: the reference score in hundredths of a point."),
            "released_by": described(int_or_null(), "User who released a held result."),
            "release_note": string_or_null(),
            "employee_no": string_or_null(),
            "name": string_or_null(),
            "department_id": int_or_null(),
            "unit_id": int_or_null(),
            "supervisor_id": int_or_null()
        }),
    )
}

fn seat_row() -> Value {
    object(
        &[
            "subject_id",
            "judge_id",
            "pool",
            "draw_id",
            "judge_no",
            "judge_name",
            "sheet_status",
        ],
        json!({
            "subject_id": int(),
            "judge_id": described(int(), "The judge's employee id."),
            "pool": string(),
            "draw_id": int(),
            "judge_no": string(),
            "judge_name": string(),
            "sheet_status": sheet_status_or_null()
        }),
    )
}

fn draw_input() -> Value {
    described(
        object(
            &["seed", "scope", "conflicts", "pools", "subjects"],
            json!({
                "seed": described(int(), "The seed as a number (the published text is its 16 hex digits)."),
                "scope": { "type": "string", "enum": ["event", "subject"] },
                "conflicts": object(&["supervisor", "mentor", "same_unit"], json!({
                    "supervisor": boolean(), "mentor": boolean(), "same_unit": boolean()
                })),
                "pools": array(object(&["key", "quota", "members"], json!({
                    "key": string(),
                    "quota": int(),
                    "members": array(object(&["id", "unit_id"], json!({ "id": int(), "unit_id": int_or_null() })))
                }))),
                "subjects": array(object(
                    &["id", "employee_id", "unit_id", "supervisor_id", "mentor_ids", "declared"],
                    json!({
                        "id": int(),
                        "employee_id": int(),
                        "unit_id": int_or_null(),
                        "supervisor_id": int_or_null(),
                        "mentor_ids": array(int()),
                        "declared": described(array(int()), "Judges excluded by a declared conflict.")
                    }),
                ))
            }),
        ),
        "Everything the draw was given; the algorithm is documented with \
         `skillcert_domain::practical::draw`.",
    )
}

fn draw_outcome() -> Value {
    object(
        &["panels", "excluded"],
        json!({
            "panels": array(object(&["subject", "seats"], json!({
                "subject": int(),
                "seats": array(object(&["judge", "pool"], json!({ "judge": int(), "pool": string() })))
            }))),
            "excluded": array(object(&["judge", "subject", "reason"], json!({
                "judge": int(),
                "subject": int(),
                "reason": { "type": "string", "enum": ["candidate", "supervisor", "mentor", "same_unit", "declared"] }
            })))
        }),
    )
}

fn judge_stat() -> Value {
    object(
        &[
            "judge",
            "n",
            "leniency",
            "dropped",
            "dropped_share",
            "mean_abs_deviation",
        ],
        json!({
            "judge": described(string(), "The judge's employee id, as text."),
            "n": described(int(), "Marks given."),
            "leniency": number_or_null("Mean of (own total − mean of the other judges' totals for the same candidate): positive is lenient."),
            "dropped": described(int(), "Marks trimmed."),
            "dropped_share": json!({ "type": "number" }),
            "mean_abs_deviation": number_or_null("Mean |own total − others' mean|.")
        }),
    )
}

pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    let (row_required, row) = event_row();
    let mut summary = row.clone();
    let mut view = row.clone();
    if let Some(o) = summary.as_object_mut() {
        for k in [
            "scheme_key",
            "component_key",
            "rubric_key",
            "rubric_version",
            "chief_user_id",
            "next_seed",
            "created_at",
            "updated_at",
        ] {
            o.remove(k);
        }
        o.insert(
            "subjects".into(),
            described(int(), "Candidates or recordings."),
        );
        o.insert(
            "seats".into(),
            described(int(), "Seats drawn (judge × candidate)."),
        );
        o.insert("submitted".into(), described(int(), "Sheets submitted."));
    }
    if let Some(o) = view.as_object_mut() {
        o.insert(
            "rules".into(),
            object(
                &["pools", "scope", "conflicts", "blind", "policy"],
                json!({
                    "pools": array(object(&["key", "labels", "quota"], json!({
                        "key": string(), "labels": r("Labels"), "quota": int()
                    }))),
                    "scope": { "type": "string", "enum": ["event", "subject"] },
                    "conflicts": object(&["supervisor", "mentor", "same_unit"], json!({
                        "supervisor": boolean(), "mentor": boolean(), "same_unit": boolean()
                    })),
                    "blind": described(boolean(), "Judges see each other's totals only once all have submitted."),
                    "policy": policy(),
                    "scheme_version": described(string(), "`preset` or the stored scheme version the event was planned with.")
                }),
            ),
        );
        o.insert("rubric_labels".into(), r("Labels"));
        o.insert(
            "rubric_max".into(),
            described(int(), "The rubric's maximum points."),
        );
        o.insert(
            "chief".into(),
            described(string_or_null(), "Username of the chief judge."),
        );
        o.insert("scenarios".into(), array(r("EventScenario")));
        o.insert("subjects".into(), array(r("EventSubject")));
        o.insert(
            "pools".into(),
            described(array(json!({ "type": "object", "required": ["pool", "employee_id", "employee_no"], "properties": {
                "pool": string(), "employee_id": int(), "employee_no": string(),
                "name": string(), "unit_id": int_or_null(),
                "user_id": described(int_or_null(), "The member's account; null when they cannot sign in to score.")
            } })), "Pool members."),
        );
        o.insert(
            "conflicts".into(),
            described(array(json!({ "type": "object", "required": ["judge_id", "subject_id", "reason"], "properties": {
                "judge_id": int(), "subject_id": int(), "reason": string(),
                "judge_no": string(), "judge_name": string()
            } })), "Conflicts declared by hand."),
        );
        o.insert(
            "draws".into(),
            array(json!({ "type": "object", "required": ["id", "event_id", "number", "seed", "reason", "drawn_by", "drawn_at"], "properties": {
                "id": int(),
                "event_id": int(),
                "number": described(int(), "1 for the first draw."),
                "seed": described(string(), "The seed the draw used (empty for a calibration)."),
                "reason": described(string_or_null(), "Why a redraw was made."),
                "drawn_by": int_or_null(),
                "drawn_at": datetime()
            } })),
        );
        o.insert("seats".into(), array(seat_row()));
    }
    let mut view_required = row_required.clone();
    view_required.extend([
        "rules",
        "rubric_labels",
        "rubric_max",
        "chief",
        "scenarios",
        "subjects",
        "pools",
        "conflicts",
        "draws",
        "seats",
    ]);
    let summary_required = [
        "id",
        "code",
        "title",
        "kind",
        "held_on",
        "place",
        "status",
        "subjects",
        "seats",
        "submitted",
    ];
    let text = |d: &str| described(string(), d);
    vec![
        ("EventRow", object(&row_required, row)),
        ("EventSummary", object(&summary_required, summary)),
        ("EventSummaryPage", page_of("EventSummary")),
        ("EventView", object(&view_required, view)),
        ("EventSubject", subject_row()),
        (
            "EventScenario",
            object(
                &[
                    "position",
                    "scenario_id",
                    "version_id",
                    "version",
                    "code",
                    "kind",
                    "title",
                ],
                json!({
                    "position": int(),
                    "scenario_id": int(),
                    "version_id": int(),
                    "version": described(int(), "The card version frozen into the event."),
                    "code": string(),
                    "kind": string(),
                    "title": string()
                }),
            ),
        ),
        (
            "EventInput",
            described(
                json!({ "type": "object", "required": ["code", "title", "held_on", "place", "rubric_key", "pools"], "properties": {
                    "code": text("Letters, digits, `-`, `_`, `.`; unique."),
                    "title": text("1–100 characters."),
                    "kind": { "type": "string", "enum": ["assessment", "calibration"], "default": "assessment" },
                    "held_on": text("`YYYY-MM-DD`."),
                    "place": text("1–100 characters."),
                    "scheme_key": text("The scheme the results feed (e.g. `s4-routine-assessment`), or empty."),
                    "component_key": text("Its panel component; empty picks the first."),
                    "rubric_key": text("e.g. `s4-call-scoring`."),
                    "rubric_version": text("Empty for the latest version."),
                    "chief": text("Username of the chief judge, or empty."),
                    "scope": { "type": "string", "enum": ["event", "subject"], "default": "event", "description": "One panel for the whole event, or one per candidate." },
                    "pools": described(array(object(&["key", "quota", "members"], json!({
                        "key": text("Lowercase letters, digits, `-`, `_`."),
                        "name_zh": text("Defaults to the key."),
                        "name_en": text("Defaults to the key."),
                        "quota": text("Judges drawn from this pool, 0–50, as text."),
                        "members": text("Employee numbers separated by spaces, commas, semicolons or new lines.")
                    }))), "1 to 4 pools; S4 draws 3 from `leadership` and 4 from `office`."),
                    "exclude_supervisor": { "type": ["boolean", "null"], "default": true },
                    "exclude_mentor": { "type": ["boolean", "null"], "default": true },
                    "exclude_same_unit": { "type": ["boolean", "null"], "default": true },
                    "blind": { "type": ["boolean", "null"], "default": true, "description": "Judges see each other's marks only after all have submitted." },
                    "min_marks": text("Without a scheme: fewest sheets for a result (default 1)."),
                    "drop_highest": text("Without a scheme: marks dropped from the top (default 0)."),
                    "drop_lowest": text("Without a scheme: marks dropped from the bottom (default 0)."),
                    "trim": { "type": "string", "enum": ["total", "per_item"], "default": "total" },
                    "tolerance": text("Without a scheme: range of kept marks above which a result is held; empty for none."),
                    "scenarios": text("Scenario codes in order, separated by spaces or commas.")
                } }),
                "Every field as typed (numbers as text, like the page's form). Missing fields \
                 are empty.",
            ),
        ),
        (
            "SubjectsInput",
            object(
                &[],
                json!({
                    "candidates": text("Employee numbers in assessment order (assessments)."),
                    "recordings": text("One recording per line, `label | reference score` (calibrations).")
                }),
            ),
        ),
        (
            "ConflictInput",
            object(
                &["judge", "subject_id", "reason"],
                json!({
                    "judge": text("The judge's employee number."),
                    "subject_id": int(),
                    "reason": text("1–200 characters.")
                }),
            ),
        ),
        (
            "DrawInputBody",
            object(
                &[],
                json!({ "reason": text("Required for a redraw (1–200 characters); ignored for the first draw.") }),
            ),
        ),
        (
            "ReleaseInput",
            object(&["note"], json!({ "note": text("1–200 characters.") })),
        ),
        (
            "DrawReplay",
            object(
                &[
                    "number",
                    "seed",
                    "input",
                    "recorded",
                    "replayed",
                    "identical",
                    "people",
                ],
                json!({
                    "number": int(),
                    "seed": string(),
                    "input": json!({ "oneOf": [draw_input(), { "type": "null" }] }),
                    "recorded": json!({ "oneOf": [draw_outcome(), { "type": "null" }] }),
                    "replayed": json!({ "oneOf": [draw_outcome(), { "type": "null" }] }),
                    "identical": described(boolean(), "The replay gives exactly the recorded panels."),
                    "people": described(
                        array(json!({ "type": "array", "prefixItems": [int(), string(), string()], "minItems": 3, "maxItems": 3 })),
                        "`[employee id, employee number, name]` of everyone in the input.",
                    )
                }),
            ),
        ),
        (
            "EventResults",
            object(
                &["event", "rules", "rows", "corrections"],
                json!({
                    "event": r("EventRow"),
                    "rules": described(json!({ "type": "object" }), "As `rules` of `EventView`."),
                    "rows": array(r("SubjectResult")),
                    "corrections": array(object(
                        &["id", "sheet_id", "subject_id", "judge_id", "corrected_by", "corrector", "reason", "before_marks", "after_marks", "corrected_at"],
                        json!({
                            "id": int(),
                            "sheet_id": int(),
                            "subject_id": int(),
                            "judge_id": int(),
                            "corrected_by": int_or_null(),
                            "corrector": described(string_or_null(), "Display name of the corrector."),
                            "reason": string(),
                            "before_marks": described(string(), "SheetMarks as JSON text."),
                            "after_marks": described(string(), "SheetMarks as JSON text."),
                            "corrected_at": datetime()
                        }),
                    ))
                }),
            ),
        ),
        (
            "SubjectResult",
            object(
                &[
                    "subject",
                    "seats",
                    "combined",
                    "evaluation",
                    "evaluation_errors",
                    "attempt",
                    "released",
                ],
                json!({
                    "subject": r("EventSubject"),
                    "seats": array(seat_row()),
                    "combined": r("PanelResult"),
                    "evaluation": described(
                        json!({ "type": ["object", "null"], "required": ["scheme_key", "scheme_version", "attempt", "decimals", "components", "status", "hold", "lines"] }),
                        "The scheme's evaluation (as `Evaluation` of `POST /schemes/{key}/evaluate`, \
                         without `explanation`): `status` is `{status: \"complete\", total, \
                         passed, level, consequence}` (the retake-ladder step) or \
                         `{status: \"incomplete\", …}`. Null without a scheme or when it \
                         cannot evaluate yet.",
                    ),
                    "evaluation_errors": described(array(string()), "Input error codes that keep the scheme from evaluating, e.g. a missing component."),
                    "attempt": described(int(), "Failures of this scheme in the year before the event, plus one: the ladder step a failure here takes."),
                    "released": described(boolean(), "A held result released by the chief judge.")
                }),
            ),
        ),
        (
            "PanelResult",
            object(
                &[
                    "trim",
                    "marks",
                    "items",
                    "score",
                    "standard_error",
                    "range",
                    "held",
                    "insufficient",
                    "sheets",
                    "min_sheets",
                ],
                json!({
                    "trim": { "type": "string", "enum": ["total", "per_item"] },
                    "marks": described(array(object(&["judge", "mark", "dropped"], json!({
                        "judge": described(int(), "The judge's employee id."),
                        "mark": hundredths("The judge's sheet total."),
                        "dropped": drop_reason_or_null()
                    }))), "Every submitted total, in panel order; with S4's rules 7 marks of which 2 are dropped."),
                    "items": array(object(&["key", "marks", "dropped", "mean", "spread"], json!({
                        "key": string(),
                        "marks": described(array(json!({ "type": "array", "prefixItems": [int(), int_or_null()] })), "`[judge, points]`; points null for N/A."),
                        "dropped": described(array(json!({ "type": "array", "prefixItems": [int(), { "type": "string", "enum": ["highest", "lowest"] }] })), "Per-item trimming only."),
                        "mean": described(int_or_null(), "Per-item trimming: trimmed mean in hundredths of a point."),
                        "spread": described(int_or_null(), "Highest minus lowest mark, in points.")
                    }))),
                    "score": hundredths_or_null("The trimmed mean; null while too few sheets are in."),
                    "standard_error": hundredths_or_null("Standard error of the kept marks."),
                    "range": hundredths_or_null("Range of the kept marks."),
                    "held": described(boolean(), "The range exceeds the tolerance: the chief judge must release the result."),
                    "insufficient": boolean(),
                    "sheets": int(),
                    "min_sheets": int()
                }),
            ),
        ),
        (
            "EventAnalytics",
            object(
                &[
                    "event",
                    "subjects",
                    "judges",
                    "icc",
                    "alpha_interval",
                    "items",
                    "calibration",
                ],
                json!({
                    "event": r("EventRow"),
                    "subjects": described(int(), "Candidates (or recordings) with at least two submitted sheets."),
                    "judges": array(object(
                        &["judge_id", "judge_no", "judge_name", "stat", "from_reference", "abs_from_reference"],
                        json!({
                            "judge_id": int(),
                            "judge_no": string(),
                            "judge_name": string(),
                            "stat": judge_stat(),
                            "from_reference": number_or_null("Calibration: mean of (own total − reference)."),
                            "abs_from_reference": number_or_null("Calibration: mean |own total − reference|.")
                        }),
                    )),
                    "icc": json!({ "oneOf": [object(&["icc1", "icck", "subjects", "k", "msb", "msw"], json!({
                        "icc1": described(json!({ "type": "number" }), "ICC(1,1): reliability of one judge's mark."),
                        "icck": described(json!({ "type": "number" }), "ICC(1,k): reliability of the mean of k marks."),
                        "subjects": int(),
                        "k": described(json!({ "type": "number" }), "Marks per subject (k0 when unbalanced)."),
                        "msb": json!({ "type": "number" }),
                        "msw": json!({ "type": "number" })
                    })), { "type": "null" }] }),
                    "alpha_interval": number_or_null("Krippendorff's alpha, interval metric."),
                    "items": array(object(&["key", "labels", "max", "disagreement"], json!({
                        "key": string(),
                        "labels": r("Labels"),
                        "max": int(),
                        "disagreement": object(&["item", "subjects", "mean_sd", "max_range"], json!({
                            "item": string(),
                            "subjects": int(),
                            "mean_sd": number_or_null("Mean SD of the judges' marks per candidate."),
                            "max_range": json!({ "type": "number" })
                        }))
                    }))),
                    "calibration": array(object(&["subject_id", "label", "reference", "totals", "panel_mean"], json!({
                        "subject_id": int(),
                        "label": string(),
                        "reference": hundredths_or_null("The reference score."),
                        "totals": described(array(json!({ "type": "array", "prefixItems": [int(), { "type": "number" }] })), "`[judge id, total]`."),
                        "panel_mean": number_or_null("Mean of the totals.")
                    })))
                }),
            ),
        ),
        (
            "JudgeTrends",
            object(
                &["from", "to", "events", "judges"],
                json!({
                    "from": date(),
                    "to": date(),
                    "events": described(int(), "Assessment events held in the period."),
                    "judges": array(object(&["judge_id", "judge_no", "judge_name", "overall", "events"], json!({
                        "judge_id": int(),
                        "judge_no": string(),
                        "judge_name": string(),
                        "overall": judge_stat(),
                        "events": array(object(&["event_id", "code", "held_on", "stat"], json!({
                            "event_id": int(),
                            "code": string(),
                            "held_on": date(),
                            "stat": judge_stat()
                        })))
                    })))
                }),
            ),
        ),
        (
            "MySeat",
            object(
                &[
                    "event_id",
                    "event_code",
                    "event_title",
                    "kind",
                    "held_on",
                    "place",
                    "status",
                    "subject_id",
                    "position",
                    "label",
                    "employee_no",
                    "name",
                    "sheet_status",
                ],
                json!({
                    "event_id": int(),
                    "event_code": string(),
                    "event_title": string(),
                    "kind": kind(),
                    "held_on": date(),
                    "place": string(),
                    "status": status(),
                    "subject_id": described(int(), "Open the sheet with `GET /sheets/{subject_id}`."),
                    "position": int(),
                    "label": string(),
                    "employee_no": string_or_null(),
                    "name": string_or_null(),
                    "sheet_status": sheet_status_or_null()
                }),
            ),
        ),
        (
            "SheetHead",
            object(
                &[
                    "event_id",
                    "event_code",
                    "event_title",
                    "kind",
                    "held_on",
                    "place",
                    "event_status",
                    "rubric_key",
                    "rubric_version",
                    "subject_id",
                    "position",
                    "label",
                    "employee_no",
                    "name",
                ],
                json!({
                    "event_id": int(),
                    "event_code": string(),
                    "event_title": string(),
                    "kind": kind(),
                    "held_on": date(),
                    "place": string(),
                    "event_status": status(),
                    "rubric_key": string(),
                    "rubric_version": int(),
                    "subject_id": int(),
                    "position": int(),
                    "label": string(),
                    "employee_no": string_or_null(),
                    "name": string_or_null()
                }),
            ),
        ),
        (
            "SheetView",
            object(
                &[
                    "head",
                    "status",
                    "marks",
                    "score",
                    "running_points",
                    "seated",
                    "submitted",
                    "others",
                    "calibration",
                    "scenarios",
                    "submitted_at",
                    "rubric",
                ],
                json!({
                    "head": r("SheetHead"),
                    "status": { "type": "string", "enum": ["new", "draft", "submitted"] },
                    "marks": r("SheetMarks"),
                    "score": json!({ "oneOf": [r("SheetScore"), { "type": "null" }], "description": "The full score once every item is marked validly (always after submission)." }),
                    "running_points": described(int(), "Points of the items marked so far."),
                    "seated": described(int(), "Judges on this candidate's panel."),
                    "submitted": described(int(), "Of them, sheets submitted."),
                    "others": described(
                        json!({ "type": ["array", "null"], "items": object(&["judge_id", "judge_no", "judge_name", "status", "total"], json!({
                            "judge_id": int(),
                            "judge_no": string(),
                            "judge_name": string(),
                            "status": sheet_status_or_null(),
                            "total": hundredths_or_null("Their submitted total.")
                        })) }),
                        "The other judges' totals; null until this judge has submitted, and while a blind panel has not all submitted.",
                    ),
                    "calibration": described(
                        json!({ "type": ["object", "null"], "required": ["mine", "reference", "others_mean", "from_reference", "from_others"], "properties": {
                            "mine": hundredths("This judge's total."),
                            "reference": hundredths_or_null("The recording's reference score."),
                            "others_mean": number_or_null("Mean of the other judges' totals (when visible)."),
                            "from_reference": number_or_null("mine − reference."),
                            "from_others": number_or_null("mine − others_mean.")
                        } }),
                        "Calibration events, after submitting.",
                    ),
                    "scenarios": array(r("EventScenario")),
                    "submitted_at": { "type": ["string", "null"], "format": "date-time" },
                    "rubric": described(
                        json!({ "type": "object" }),
                        "The event's rubric (as `rubric` of `RubricView`): each item's `bands` \
                         give its allowed marks (every whole point from `min` to `max`) with \
                         their descriptors; `allow_na` says whether `\"na\"` is accepted.",
                    )
                }),
            ),
        ),
        (
            "CorrectionInput",
            object(
                &["marks", "reason"],
                json!({
                    "marks": r("SheetMarks"),
                    "reason": text("1–200 characters.")
                }),
            ),
        ),
        (
            "CorrectedSheet",
            object(
                &["sheet", "head", "marks", "score", "judge_no", "judge_name"],
                json!({
                    "sheet": object(&["id", "subject_id", "judge_id", "status", "total", "submitted_at", "updated_at"], json!({
                        "id": int(),
                        "subject_id": int(),
                        "judge_id": int(),
                        "status": { "type": "string", "enum": ["submitted"] },
                        "total": described(int_or_null(), "Hundredths of a point."),
                        "submitted_at": { "type": ["string", "null"], "format": "date-time" },
                        "updated_at": datetime()
                    })),
                    "head": r("SheetHead"),
                    "marks": r("SheetMarks"),
                    "score": json!({ "oneOf": [r("SheetScore"), { "type": "null" }] }),
                    "judge_no": string(),
                    "judge_name": string()
                }),
            ),
        ),
    ]
}
