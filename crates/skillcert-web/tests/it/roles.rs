//! The role matrix: every registered route, for each demo role and for anonymous visitors.
//!
//! Pages and forms are fetched with GET; state changes are sent with a valid CSRF token and a
//! well-formed but invalid body, so that an allowed role is refused by validation (nothing
//! changes) while a forbidden role must be refused by authorization: 403, never 422.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use axum::http::StatusCode;

use crate::helpers::*;

/// What a route asks of the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user (dashboard, own account).
    SignedIn,
    OrgRead,
    OrgWrite,
    Import,
    Users,
    Audit,
    SchemeRead,
    SchemeManage,
    ExamManage,
    ExamMark,
    /// Exam sessions and results (a supervisor's limited to their departments).
    ExamResults,
    /// Item analysis: exam results for the whole company.
    ExamAnalysis,
    /// The candidate's own attempt (the matrix's attempt belongs to `employee`).
    OwnAttempt,
    QuestionBank,
    /// Scenario cards are read by those who write them, plan events or judge.
    ScenarioRead,
    /// Scenario cards are written by whoever writes questions.
    AssessmentManage,
    /// Score sheets (and pages only a seated judge reaches).
    AssessmentJudge,
    /// Practical results and judge analytics (a supervisor's limited to their departments).
    AssessmentResults,
    /// Judge analytics: practical results for the whole company.
    AssessmentAnalytics,
    /// A judge's own panels and sheets: the demo `judge` sits on every candidate of the
    /// demo's event in scoring; `admin` (no employee) and `manager` (no seat) hold
    /// `assessment_judge` and get the service's refusal (409 `no-employee`, 422
    /// `sheet-not-seated`) or an empty list, never 403.
    Seat,
    /// Rounds and their results (a supervisor's limited to their departments, and only once
    /// published), certificates and re-evaluation.
    CertResults,
    /// Planning rounds, deciding applications, publishing, revoking.
    CertManage,
    /// A record of the demo `employee` (application, appeal), which the certification
    /// managers may read too.
    OwnOrManager,
    /// Only the demo `employee`, whose record it is (withdrawing their application).
    Own,
    /// Planning training: skills, surveys, plans, sessions, external approval, rules.
    TrainingManage,
    /// Training plans, sessions, rosters, reports and compliance (a supervisor's limited to
    /// their departments).
    TrainingRead,
    /// Running a session one lectures (the matrix's session is the demo `lecturer`'s).
    TrainingTeach,
    /// A supervisor's rating in a needs survey.
    TeamRate,
    /// Follow-ups of one's own trainees (the matrix's trainee is the demo `mentor`'s).
    Mentoring,
}

/// Whether a demo account may do what `need` asks. The supervisor's read scope is CSC-01,
/// and every record the matrix opens lies there.
fn allowed(user: &str, need: Need) -> bool {
    match need {
        Need::Public | Need::SignedIn => true,
        Need::OrgRead => matches!(user, "admin" | "manager" | "supervisor"),
        Need::OrgWrite | Need::Import => matches!(user, "admin" | "manager"),
        Need::Users | Need::Audit => user == "admin",
        Need::SchemeRead => matches!(
            user,
            "admin" | "manager" | "lecturer" | "judge" | "supervisor"
        ),
        Need::SchemeManage => matches!(user, "admin" | "manager"),
        Need::ExamManage => matches!(user, "admin" | "manager"),
        Need::ExamMark => matches!(user, "admin" | "manager" | "lecturer" | "judge"),
        Need::ExamResults => matches!(user, "admin" | "manager" | "lecturer" | "supervisor"),
        Need::ExamAnalysis => matches!(user, "admin" | "manager" | "lecturer"),
        Need::QuestionBank => matches!(user, "admin" | "manager" | "lecturer"),
        Need::ScenarioRead => matches!(user, "admin" | "manager" | "lecturer" | "judge"),
        Need::OwnAttempt => user == "employee",
        Need::AssessmentManage => matches!(user, "admin" | "manager"),
        Need::AssessmentJudge => matches!(user, "admin" | "manager" | "judge"),
        Need::AssessmentResults => {
            matches!(user, "admin" | "manager" | "lecturer" | "supervisor")
        }
        Need::AssessmentAnalytics => matches!(user, "admin" | "manager" | "lecturer"),
        Need::Seat => user == "judge",
        Need::CertResults => matches!(user, "admin" | "manager" | "supervisor"),
        Need::CertManage => matches!(user, "admin" | "manager"),
        Need::OwnOrManager => matches!(user, "admin" | "manager" | "employee"),
        Need::Own => user == "employee",
        Need::TrainingManage => matches!(user, "admin" | "manager"),
        Need::TrainingRead => matches!(user, "admin" | "manager" | "supervisor" | "lecturer"),
        Need::TrainingTeach => matches!(user, "admin" | "manager" | "lecturer"),
        Need::TeamRate => matches!(user, "admin" | "manager" | "supervisor"),
        Need::Mentoring => matches!(user, "admin" | "manager" | "mentor"),
    }
}

/// How the request carries its (invalid) input.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Input {
    None,
    Form(&'static [(&'static str, &'static str)]),
    Json(&'static str),
    /// A multipart upload with an empty file; the CSRF token goes in the query.
    EmptyUpload,
    /// An empty raw body (file import through the API).
    EmptyRaw,
    /// The sign-in form with its pre-session token and unknown credentials.
    SignIn,
}

pub(crate) struct Route {
    method: &'static str,
    path: &'static str,
    api: bool,
    need: Need,
    input: Input,
    /// The request ends the session it is made with: use a fresh one.
    ends_session: bool,
}

pub(crate) const fn page(
    method: &'static str,
    path: &'static str,
    need: Need,
    input: Input,
) -> Route {
    Route {
        method,
        path,
        api: false,
        need,
        input,
        ends_session: false,
    }
}

pub(crate) const fn api(
    method: &'static str,
    path: &'static str,
    need: Need,
    input: Input,
) -> Route {
    Route {
        method,
        path,
        api: true,
        need,
        input,
        ends_session: false,
    }
}

const EMPLOYEE_FORM: &[(&str, &str)] = &[("employee_no", ""), ("name", ""), ("hire_date", "")];
const CODE_FORM: &[(&str, &str)] = &[("code", ""), ("name", "")];
const EMPLOYEE_JSON: &str = r#"{"employee_no": "", "name": "", "hire_date": ""}"#;
const CODE_JSON: &str = r#"{"code": "", "name": ""}"#;
const UNIT_JSON: &str = r#"{"code": "", "name": "", "kind": ""}"#;
const EXAM_FORM: &[(&str, &str)] = &[("code", ""), ("title", "")];
const EXAM_JSON: &str = r#"{"code": "", "title": ""}"#;
const QUESTION_FORM: &[(&str, &str)] = &[("qtype", ""), ("stem", "")];
const QUESTION_JSON: &str = r#"{"qtype": "", "stem": ""}"#;
const SCENARIO_FORM: &[(&str, &str)] = &[("kind", ""), ("title", "")];
const SCENARIO_JSON: &str = r#"{"kind": "", "title": ""}"#;
const ROUND_JSON: &str = r#"{"code": "", "title": ""}"#;
const REASON_FORM: &[(&str, &str)] = &[("reason", "")];
const PASSWORD_FORM: &[(&str, &str)] = &[
    ("current_password", ""),
    ("new_password", ""),
    ("confirm_password", ""),
];
const PASSWORD_JSON: &str =
    r#"{"current_password": "", "new_password": "", "confirm_password": ""}"#;

fn routes() -> Vec<Route> {
    use Input::*;
    use Need::*;
    let mut logout = page("POST", "/logout", SignedIn, Form(&[]));
    logout.ends_session = true;
    let mut api_logout = api("DELETE", "/session", SignedIn, None);
    api_logout.ends_session = true;
    vec![
        // ---------- pages ----------
        page("GET", "/", SignedIn, None),
        page("GET", "/login", Public, None),
        page("POST", "/login", Public, SignIn),
        logout,
        page("GET", "/lang/{tag}", Public, None),
        page("GET", "/account", SignedIn, None),
        page("POST", "/account/password", SignedIn, Form(PASSWORD_FORM)),
        page("GET", "/employees", OrgRead, None),
        page("GET", "/employees/new", OrgWrite, None),
        page("POST", "/employees/new", OrgWrite, Form(EMPLOYEE_FORM)),
        page("GET", "/employees/import", Import, None),
        page("POST", "/employees/import", Import, EmptyUpload),
        page("GET", "/employees/import/template.csv", Import, None),
        page("GET", "/employees/import/template.xlsx", Import, None),
        page("GET", "/employees/{id}", OrgRead, None),
        page("GET", "/employees/{id}/edit", OrgWrite, None),
        page(
            "POST",
            "/employees/{id}/edit",
            OrgWrite,
            Form(EMPLOYEE_FORM),
        ),
        page("GET", "/departments", OrgRead, None),
        page("GET", "/departments/new", OrgWrite, None),
        page("POST", "/departments/new", OrgWrite, Form(CODE_FORM)),
        page("GET", "/departments/{id}/edit", OrgWrite, None),
        page("POST", "/departments/{id}/edit", OrgWrite, Form(CODE_FORM)),
        page("GET", "/units", OrgRead, None),
        page("GET", "/units/new", OrgWrite, None),
        page("POST", "/units/new", OrgWrite, Form(CODE_FORM)),
        page("GET", "/units/{id}/edit", OrgWrite, None),
        page("POST", "/units/{id}/edit", OrgWrite, Form(CODE_FORM)),
        page("GET", "/positions", OrgRead, None),
        page("GET", "/positions/new", OrgWrite, None),
        page("POST", "/positions/new", OrgWrite, Form(CODE_FORM)),
        page("GET", "/positions/{id}/edit", OrgWrite, None),
        page("POST", "/positions/{id}/edit", OrgWrite, Form(CODE_FORM)),
        page("GET", "/users", Users, None),
        page("GET", "/users/new", Users, None),
        page("POST", "/users/new", Users, Form(&[("username", "")])),
        page("GET", "/users/{id}", Users, None),
        page("POST", "/users/{id}/grants", Users, Form(&[("role", "")])),
        page(
            "POST",
            "/users/{id}/grants/{grant_id}/delete",
            Users,
            Form(&[]),
        ),
        page(
            "POST",
            "/users/{id}/password",
            Users,
            Form(&[("password", "")]),
        ),
        page(
            "POST",
            "/users/{id}/active",
            Users,
            Form(&[("active", "maybe")]),
        ),
        page("GET", "/audit", Audit, None),
        page("GET", "/audit/verify", Audit, None),
        page("GET", "/schemes", SchemeRead, None),
        page("GET", "/schemes/{key}", SchemeRead, None),
        page("GET", "/schemes/{key}/edit", SchemeManage, None),
        page(
            "POST",
            "/schemes/{key}/edit",
            SchemeManage,
            Form(&[("base", ""), ("document", "")]),
        ),
        page("GET", "/schemes/{key}/what-if", SchemeRead, None),
        page("POST", "/schemes/{key}/what-if", SchemeRead, EmptyUpload),
        page("GET", "/rubrics", SchemeRead, None),
        page("GET", "/rubrics/{key}", SchemeRead, None),
        page("GET", "/rubrics/{key}/edit", SchemeManage, None),
        page(
            "POST",
            "/rubrics/{key}/edit",
            SchemeManage,
            Form(&[("document", "")]),
        ),
        page("GET", "/questions", QuestionBank, None),
        page("GET", "/questions/new", QuestionBank, None),
        page("POST", "/questions/new", QuestionBank, Form(QUESTION_FORM)),
        page("GET", "/questions/import", QuestionBank, None),
        page("POST", "/questions/import", QuestionBank, EmptyUpload),
        page("GET", "/questions/import/template.csv", QuestionBank, None),
        page("GET", "/questions/import/template.xlsx", QuestionBank, None),
        page("GET", "/questions/export.csv", QuestionBank, None),
        page("GET", "/questions/export.xlsx", QuestionBank, None),
        page("GET", "/questions/{id}", QuestionBank, None),
        page("GET", "/questions/{id}/edit", QuestionBank, None),
        page(
            "POST",
            "/questions/{id}/edit",
            QuestionBank,
            Form(QUESTION_FORM),
        ),
        page(
            "POST",
            "/questions/{id}/archive",
            QuestionBank,
            Form(&[("archived", "false")]),
        ),
        page("GET", "/papers", QuestionBank, None),
        page("GET", "/papers/new", QuestionBank, None),
        page("POST", "/papers/new", QuestionBank, Form(CODE_FORM)),
        page("GET", "/papers/{id}", QuestionBank, None),
        page("GET", "/papers/{id}/edit", QuestionBank, None),
        page("POST", "/papers/{id}/edit", QuestionBank, Form(CODE_FORM)),
        page("GET", "/papers/{id}/preview", QuestionBank, None),
        page("GET", "/scenarios", ScenarioRead, None),
        page("GET", "/scenarios/new", QuestionBank, None),
        page("POST", "/scenarios/new", QuestionBank, Form(SCENARIO_FORM)),
        page("GET", "/scenarios/{id}", ScenarioRead, None),
        page("GET", "/scenarios/{id}/brief", ScenarioRead, None),
        page("GET", "/scenarios/{id}/edit", QuestionBank, None),
        page(
            "POST",
            "/scenarios/{id}/edit",
            QuestionBank,
            Form(SCENARIO_FORM),
        ),
        page("GET", "/scenarios/{id}/archive", QuestionBank, None),
        page(
            "POST",
            "/scenarios/{id}/archive",
            QuestionBank,
            Form(&[("archived", "false")]),
        ),
        page("GET", "/exams", ExamResults, None),
        page("GET", "/exams/new", ExamManage, None),
        page("POST", "/exams/new", ExamManage, Form(EXAM_FORM)),
        page("GET", "/exams/{id}", ExamResults, None),
        page("GET", "/exams/{id}/edit", ExamManage, None),
        page("POST", "/exams/{id}/edit", ExamManage, Form(EXAM_FORM)),
        page("POST", "/exams/{id}/publish", ExamManage, Form(&[])),
        page(
            "POST",
            "/exams/{id}/status",
            ExamManage,
            Form(&[("status", "")]),
        ),
        page(
            "POST",
            "/exams/{id}/overrides",
            ExamManage,
            Form(&[("employee_no", "")]),
        ),
        page(
            "POST",
            "/exams/{id}/offline",
            ExamManage,
            Form(&[("rows", "")]),
        ),
        page(
            "POST",
            "/exams/{id}/offline/upload",
            ExamManage,
            EmptyUpload,
        ),
        page(
            "POST",
            "/exams/{id}/attempts/{attempt_id}/reopen",
            ExamManage,
            Form(&[("minutes", "")]),
        ),
        page(
            "POST",
            "/exams/{id}/attempts/{attempt_id}/close",
            ExamManage,
            Form(&[]),
        ),
        page("GET", "/exams/{id}/results.csv", ExamResults, None),
        page("GET", "/exams/{id}/results.xlsx", ExamResults, None),
        page("GET", "/exams/{id}/analysis", ExamAnalysis, None),
        page(
            "GET",
            "/exams/{id}/attempts/{attempt_id}",
            ExamResults,
            None,
        ),
        page("GET", "/exams/{id}/analysis.xlsx", ExamAnalysis, None),
        page("GET", "/marking", ExamMark, None),
        page(
            "POST",
            "/marking/{attempt_id}/{position}",
            ExamMark,
            Form(&[("score", "")]),
        ),
        page("GET", "/healthz", Public, None),
        page("GET", "/readyz", Public, None),
        page("GET", "/static/app.css", Public, None),
        page("GET", "/static/app.js", Public, None),
        page("GET", "/static/exam.js", Public, None),
        page("GET", "/static/sheet.js", Public, None),
        page("GET", "/judging", AssessmentJudge, None),
        page("GET", "/judging/{subject_id}", Seat, None),
        page(
            "POST",
            "/judging/{subject_id}",
            Seat,
            Form(&[("i.no-such-item", "1"), ("action", "draft")]),
        ),
        page(
            "GET",
            "/judging/sheets/{sheet_id}/correct",
            AssessmentManage,
            None,
        ),
        page(
            "POST",
            "/judging/sheets/{sheet_id}/correct",
            AssessmentManage,
            Form(&[("reason", "")]),
        ),
        // Practical assessment events (staff pages). Actions go to the demo's event in
        // scoring with invalid bodies; publishing a seed and closing go to its closed event.
        page("GET", "/events", AssessmentResults, None),
        page("GET", "/events/new", AssessmentManage, None),
        page(
            "POST",
            "/events/new",
            AssessmentManage,
            Form(&[("code", "")]),
        ),
        page("GET", "/events/{id}", AssessmentResults, None),
        page("GET", "/events/{id}/edit", AssessmentManage, None),
        page(
            "POST",
            "/events/{id}/edit",
            AssessmentManage,
            Form(&[("code", "")]),
        ),
        page(
            "POST",
            "/events/{id}/subjects",
            AssessmentManage,
            Form(&[("candidates", "")]),
        ),
        page(
            "POST",
            "/events/{id}/conflicts",
            AssessmentManage,
            Form(&[("judge", "")]),
        ),
        page(
            "POST",
            "/events/{id}/conflicts/delete",
            AssessmentManage,
            Form(&[("judge_id", "")]),
        ),
        page(
            "POST",
            "/events/{id}/inputs",
            AssessmentManage,
            Form(&[("subject_id", "")]),
        ),
        page("POST", "/events/{id}/seed", AssessmentManage, Form(&[])),
        page(
            "POST",
            "/events/{id}/draw",
            AssessmentManage,
            Form(&[("reason", "")]),
        ),
        page("POST", "/events/{id}/close", AssessmentManage, Form(&[])),
        page(
            "GET",
            "/events/{id}/draws/{number}",
            AssessmentResults,
            None,
        ),
        page("GET", "/events/{id}/results", AssessmentResults, None),
        page("GET", "/events/{id}/results.xlsx", AssessmentResults, None),
        page(
            "POST",
            "/events/{id}/release",
            AssessmentManage,
            Form(&[("subject_id", "")]),
        ),
        page("GET", "/events/{id}/analytics", AssessmentAnalytics, None),
        page("GET", "/judges/analytics", AssessmentAnalytics, None),
        // The candidate's pages. Starting is for anyone signed in (the service answers by
        // audience); the matrix starts a draft session, which nobody can, so nothing changes.
        page("GET", "/my-exams", SignedIn, None),
        page("POST", "/my-exams/{id}/start", SignedIn, Form(&[])),
        page("GET", "/my-exams/attempts/{id}", OwnAttempt, None),
        page(
            "POST",
            "/my-exams/attempts/{id}/save",
            OwnAttempt,
            Form(&[]),
        ),
        page(
            "POST",
            "/my-exams/attempts/{id}/submit",
            OwnAttempt,
            Form(&[]),
        ),
        // ---------- certification ----------
        // Rounds: the fixture's round is open (applications, scores and edits are refused by
        // validation); review, reopen, publish and close go to a closed round, which refuses
        // them, and results and reports to that closed round, which a supervisor may read.
        page("GET", "/rounds", CertResults, None),
        page("GET", "/rounds/new", CertManage, None),
        page("POST", "/rounds/new", CertManage, Form(EXAM_FORM)),
        page("GET", "/rounds/open", SignedIn, None),
        page("GET", "/rounds/{id}", SignedIn, None),
        page("GET", "/rounds/{id}/edit", CertManage, None),
        page("POST", "/rounds/{id}/edit", CertManage, Form(EXAM_FORM)),
        page("POST", "/rounds/{id}/review", CertManage, Form(&[])),
        page("POST", "/rounds/{id}/reopen", CertManage, Form(&[])),
        page("POST", "/rounds/{id}/publish", CertManage, Form(&[])),
        page("POST", "/rounds/{id}/close", CertManage, Form(&[])),
        page("GET", "/rounds/{id}/applications.xlsx", CertManage, None),
        page("GET", "/rounds/{id}/results", CertResults, None),
        page("GET", "/rounds/{id}/results.xlsx", CertResults, None),
        page(
            "POST",
            "/rounds/{id}/scores",
            CertManage,
            Form(&[("employee_id", ""), ("component", "")]),
        ),
        page(
            "POST",
            "/rounds/{id}/consequences/{consequence_id}/return",
            CertManage,
            Form(&[]),
        ),
        page("GET", "/rounds/{id}/apply", SignedIn, None),
        page(
            "POST",
            "/rounds/{id}/apply",
            SignedIn,
            Form(&[("level", "")]),
        ),
        page("GET", "/rounds/{id}/mine", SignedIn, None),
        page("GET", "/rounds/{id}/report", CertResults, None),
        page("GET", "/rounds/{id}/report.xlsx", CertResults, None),
        page("GET", "/rounds/{id}/report.pdf", CertResults, None),
        page("GET", "/applications/{id}", OwnOrManager, None),
        page(
            "POST",
            "/applications/{id}/decision",
            CertManage,
            Form(&[("decision", "")]),
        ),
        page("POST", "/applications/{id}/withdraw", Own, Form(&[])),
        page("GET", "/applications/attachments/{id}", OwnOrManager, None),
        // Appeals: the fixture's appeal is the demo employee's, pending; filing against their
        // result again is refused (one pending appeal per result), and for anyone else it is
        // not theirs (422, nothing changes).
        page("GET", "/my-certification", SignedIn, None),
        page("GET", "/results/{id}/appeal", Own, None),
        page("POST", "/results/{id}/appeal", SignedIn, Form(REASON_FORM)),
        page("GET", "/appeals", SignedIn, None),
        page("GET", "/appeals/{id}", OwnOrManager, None),
        page(
            "POST",
            "/appeals/{id}/decide",
            CertManage,
            Form(&[("decision", "")]),
        ),
        page("POST", "/appeals/{id}/panel", CertManage, Form(&[])),
        page("GET", "/inbox", SignedIn, None),
        page("POST", "/inbox/read", SignedIn, Form(&[])),
        page("POST", "/inbox/{id}/read", SignedIn, Form(&[])),
        // Certificates: one of CSC-01 that belongs to no demo account.
        page("GET", "/certificates", CertResults, None),
        page("GET", "/certificates.xlsx", CertResults, None),
        page("GET", "/certificates/{number}", CertResults, None),
        page("GET", "/certificates/{number}/print", CertResults, None),
        page(
            "POST",
            "/certificates/{number}/revoke",
            CertManage,
            Form(REASON_FORM),
        ),
        page("GET", "/reevaluation", CertResults, None),
        page("POST", "/reevaluation/sync", CertManage, Form(&[])),
        page("GET", "/verify", Public, None),
        page("GET", "/verify/{number}", Public, None),
        page("GET", "/status/{purpose}", Public, None),
        // ---------- API ----------
        api("GET", "/openapi.json", Public, None),
        api(
            "POST",
            "/session",
            Public,
            Json(r#"{"username": "nobody-in-the-matrix", "password": "x"}"#),
        ),
        api_logout,
        api("GET", "/me", SignedIn, None),
        api("POST", "/me/password", SignedIn, Json(PASSWORD_JSON)),
        api("GET", "/dashboard", SignedIn, None),
        api("GET", "/departments", OrgRead, None),
        api("POST", "/departments", OrgWrite, Json(CODE_JSON)),
        api("GET", "/departments/{id}", OrgRead, None),
        api("PUT", "/departments/{id}", OrgWrite, Json(CODE_JSON)),
        api("GET", "/units", OrgRead, None),
        api("POST", "/units", OrgWrite, Json(UNIT_JSON)),
        api("GET", "/units/{id}", OrgRead, None),
        api("PUT", "/units/{id}", OrgWrite, Json(UNIT_JSON)),
        api("GET", "/positions", OrgRead, None),
        api("POST", "/positions", OrgWrite, Json(CODE_JSON)),
        api("GET", "/positions/{id}", OrgRead, None),
        api("PUT", "/positions/{id}", OrgWrite, Json(CODE_JSON)),
        api("GET", "/employees", OrgRead, None),
        api("POST", "/employees", OrgWrite, Json(EMPLOYEE_JSON)),
        api("POST", "/employees/import", Import, EmptyRaw),
        api("GET", "/employees/import/template", Import, None),
        api("GET", "/employees/{id}", OrgRead, None),
        api("PUT", "/employees/{id}", OrgWrite, Json(EMPLOYEE_JSON)),
        api("GET", "/users", Users, None),
        api(
            "POST",
            "/users",
            Users,
            Json(r#"{"username": "", "display_name": "", "password": ""}"#),
        ),
        api("GET", "/users/{id}", Users, None),
        api("POST", "/users/{id}/grants", Users, Json(r#"{"role": ""}"#)),
        api("DELETE", "/users/{id}/grants/{grant_id}", Users, None),
        api(
            "POST",
            "/users/{id}/password",
            Users,
            Json(r#"{"password": ""}"#),
        ),
        api(
            "POST",
            "/users/{id}/active",
            Users,
            Json(r#"{"active": true}"#),
        ),
        api("GET", "/audit", Audit, None),
        api("GET", "/audit/verify", Audit, None),
        api("GET", "/schemes", SchemeRead, None),
        api("GET", "/schemes/{key}", SchemeRead, None),
        api(
            "POST",
            "/schemes/{key}/versions",
            SchemeManage,
            Json(r#"{"document": ""}"#),
        ),
        api(
            "POST",
            "/schemes/{key}/evaluate",
            SchemeRead,
            Json(r#"{"attempt": 0}"#),
        ),
        api("GET", "/rubrics", SchemeRead, None),
        api("GET", "/rubrics/{key}", SchemeRead, None),
        api(
            "POST",
            "/rubrics/{key}/versions",
            SchemeManage,
            Json(r#"{"document": ""}"#),
        ),
        api(
            "POST",
            "/rubrics/{key}/score",
            SchemeRead,
            Json(r#"{"items": {}}"#),
        ),
        api("GET", "/skills", QuestionBank, None),
        api("GET", "/questions", QuestionBank, None),
        api("POST", "/questions", QuestionBank, Json(QUESTION_JSON)),
        api("POST", "/questions/import", QuestionBank, EmptyRaw),
        api("GET", "/questions/import/template", QuestionBank, None),
        api("GET", "/questions/export", QuestionBank, None),
        api("GET", "/questions/{id}", QuestionBank, None),
        api("PUT", "/questions/{id}", QuestionBank, Json(QUESTION_JSON)),
        api(
            "POST",
            "/questions/{id}/archive",
            QuestionBank,
            Json(r#"{"archived": false}"#),
        ),
        api("GET", "/papers", QuestionBank, None),
        api("POST", "/papers", QuestionBank, Json(CODE_JSON)),
        api("GET", "/papers/{id}", QuestionBank, None),
        api("PUT", "/papers/{id}", QuestionBank, Json(CODE_JSON)),
        api("POST", "/papers/{id}/preview", QuestionBank, Json("{}")),
        // Scenario cards: read with the bank or assessment management (the same demo
        // accounts), written with the bank.
        api("GET", "/scenarios", ScenarioRead, None),
        api("POST", "/scenarios", QuestionBank, Json(SCENARIO_JSON)),
        api("GET", "/scenarios/{id}", ScenarioRead, None),
        api("PUT", "/scenarios/{id}", QuestionBank, Json(SCENARIO_JSON)),
        api(
            "GET",
            "/scenarios/{id}/versions/{version}",
            ScenarioRead,
            None,
        ),
        api(
            "POST",
            "/scenarios/{id}/archive",
            QuestionBank,
            Json(r#"{"archived": false}"#),
        ),
        api("GET", "/exam-sessions", ExamResults, None),
        api("POST", "/exam-sessions", ExamManage, Json(EXAM_JSON)),
        api("GET", "/exam-sessions/{id}", ExamResults, None),
        api("PUT", "/exam-sessions/{id}", ExamManage, Json(EXAM_JSON)),
        api("POST", "/exam-sessions/{id}/publish", ExamManage, None),
        api(
            "POST",
            "/exam-sessions/{id}/status",
            ExamManage,
            Json(r#"{"status": ""}"#),
        ),
        api(
            "POST",
            "/exam-sessions/{id}/overrides",
            ExamManage,
            Json(r#"{"employee_no": ""}"#),
        ),
        api(
            "POST",
            "/exam-sessions/{id}/offline-scores",
            ExamManage,
            Json(r#"{"rows": []}"#),
        ),
        api("GET", "/exam-sessions/{id}/results", ExamResults, None),
        api("GET", "/exam-sessions/{id}/analysis", ExamAnalysis, None),
        api(
            "GET",
            "/exam-sessions/{id}/attempts/{attempt_id}",
            ExamResults,
            None,
        ),
        api(
            "POST",
            "/attempts/{id}/reopen",
            ExamManage,
            Json(r#"{"minutes": 0}"#),
        ),
        api("POST", "/attempts/{id}/close", ExamManage, None),
        api("GET", "/my/exams", SignedIn, None),
        api("POST", "/exam-sessions/{id}/attempts", SignedIn, None),
        api("GET", "/attempts/{id}", OwnAttempt, None),
        api(
            "PUT",
            "/attempts/{id}/answers/{position}",
            OwnAttempt,
            Json(r#"{"seq": 0, "answer": {"text": ""}}"#),
        ),
        api("POST", "/attempts/{id}/submit", OwnAttempt, None),
        api("GET", "/marking", ExamMark, None),
        api(
            "POST",
            "/marking/{attempt_id}/{position}",
            ExamMark,
            Json(r#"{"score": ""}"#),
        ),
        api("GET", "/events", AssessmentResults, None),
        api("POST", "/events", AssessmentManage, Json(r#"{"code": ""}"#)),
        api("GET", "/events/{id}", AssessmentResults, None),
        api(
            "PUT",
            "/events/{id}",
            AssessmentManage,
            Json(r#"{"code": ""}"#),
        ),
        api(
            "PUT",
            "/events/{id}/subjects",
            AssessmentManage,
            Json(r#"{"candidates": ""}"#),
        ),
        api(
            "POST",
            "/events/{id}/conflicts",
            AssessmentManage,
            Json(r#"{"judge": ""}"#),
        ),
        api(
            "DELETE",
            "/events/{id}/conflicts/{judge_id}/{subject_id}",
            AssessmentManage,
            None,
        ),
        api(
            "PUT",
            "/event-subjects/{id}/inputs",
            AssessmentManage,
            Json(r#"{"no-such-component": "1"}"#),
        ),
        api("POST", "/events/{id}/seed", AssessmentManage, None),
        api(
            "POST",
            "/events/{id}/draws",
            AssessmentManage,
            Json(r#"{"reason": ""}"#),
        ),
        api(
            "GET",
            "/events/{id}/draws/{number}",
            AssessmentResults,
            None,
        ),
        api("POST", "/events/{id}/close", AssessmentManage, None),
        api("GET", "/events/{id}/results", AssessmentResults, None),
        api(
            "POST",
            "/event-subjects/{id}/release",
            AssessmentManage,
            Json(r#"{"note": ""}"#),
        ),
        api("GET", "/events/{id}/analytics", AssessmentAnalytics, None),
        api("GET", "/judge-analytics", AssessmentAnalytics, None),
        api("GET", "/my/panels", Seat, None),
        api("GET", "/sheets/{subject_id}", Seat, None),
        api(
            "PUT",
            "/sheets/{subject_id}",
            Seat,
            Json(r#"{"items": {"no-such-item": 1}}"#),
        ),
        api(
            "POST",
            "/sheets/{subject_id}/submit",
            Seat,
            Json(r#"{"items": {}}"#),
        ),
        api(
            "POST",
            "/score-sheets/{sheet_id}/corrections",
            AssessmentManage,
            Json(r#"{"reason": ""}"#),
        ),
        api("GET", "/rounds", CertResults, None),
        api("POST", "/rounds", CertManage, Json(ROUND_JSON)),
        api("GET", "/rounds/{id}", SignedIn, None),
        api("PUT", "/rounds/{id}", CertManage, Json(ROUND_JSON)),
        api("POST", "/rounds/{id}/review", CertManage, None),
        api("POST", "/rounds/{id}/reopen", CertManage, None),
        api("POST", "/rounds/{id}/publish", CertManage, None),
        api("POST", "/rounds/{id}/close", CertManage, None),
        api("GET", "/rounds/{id}/applications", CertManage, None),
        api(
            "POST",
            "/rounds/{id}/applications",
            SignedIn,
            Json(r#"{"level": ""}"#),
        ),
        api("GET", "/applications/{id}", OwnOrManager, None),
        api(
            "POST",
            "/applications/{id}/decision",
            CertManage,
            Json(r#"{"decision": ""}"#),
        ),
        api("POST", "/applications/{id}/withdraw", Own, None),
        api("GET", "/applications/attachments/{id}", OwnOrManager, None),
        api("GET", "/rounds/{id}/results", CertResults, None),
        api(
            "PUT",
            "/rounds/{id}/scores/{employee_id}/{component}",
            CertManage,
            Json(r#"{"score": ""}"#),
        ),
        api("GET", "/rounds/{id}/report", CertResults, None),
        api("GET", "/consequences", CertResults, None),
        api("POST", "/consequences/{id}/return", CertManage, None),
        api("GET", "/appeals", SignedIn, None),
        api(
            "POST",
            "/results/{id}/appeals",
            SignedIn,
            Json(r#"{"reason": ""}"#),
        ),
        api("GET", "/appeals/{id}", OwnOrManager, None),
        api(
            "POST",
            "/appeals/{id}/decision",
            CertManage,
            Json(r#"{"decision": ""}"#),
        ),
        api("POST", "/appeals/{id}/panel", CertManage, None),
        api("GET", "/inbox", SignedIn, None),
        api("POST", "/inbox/read", SignedIn, None),
        api("POST", "/inbox/{id}/read", SignedIn, None),
        api("GET", "/me/certification", SignedIn, None),
        api("GET", "/certificates", CertResults, None),
        api("GET", "/certificates/{number}", CertResults, None),
        api(
            "POST",
            "/certificates/{number}/revoke",
            CertManage,
            Json(r#"{"reason": ""}"#),
        ),
        api("GET", "/certificates/{number}/credential", Public, None),
        api("GET", "/verify/{number}", Public, None),
        api("GET", "/reevaluation/tasks", CertResults, None),
        api("POST", "/reevaluation/sync", CertManage, None),
    ]
    .into_iter()
    .chain(crate::training_needs::matrix_routes())
    .chain(crate::training_sessions::matrix_routes())
    .chain(crate::training_records::matrix_routes())
    .chain(crate::training_hours::matrix_routes())
    .collect()
}

impl Route {
    fn full_path(&self) -> String {
        if self.api {
            format!("/api/v1{}", self.path)
        } else {
            self.path.to_string()
        }
    }
}

/// `(METHOD, path)` of every page route registered in `src/lib.rs` and `src/html/*.rs`, read
/// from the `.route("…", get(…).post(…))` calls.
fn registered_page_routes() -> BTreeSet<(String, String)> {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = vec![src.join("lib.rs")];
    if let Ok(entries) = std::fs::read_dir(src.join("html")) {
        paths.extend(
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "rs")),
        );
    }
    let mut out = BTreeSet::new();
    for p in paths {
        let text = std::fs::read_to_string(&p).unwrap();
        let mut from = 0;
        while let Some(pos) = text[from..].find(".route(") {
            let start = from + pos + ".route(".len();
            from = start;
            let rest = text[start..].trim_start();
            let Some(rest) = rest.strip_prefix('"') else {
                continue;
            };
            let Some(end) = rest.find('"') else { continue };
            let path = &rest[..end];
            // The method router: up to the parenthesis that closes `.route(`.
            let mut depth = 1;
            let mut close = rest.len();
            for (i, c) in rest[end + 1..].char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            close = end + 1 + i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let methods = &rest[end + 1..close];
            for (name, method) in [
                ("get(", "GET"),
                ("post(", "POST"),
                ("put(", "PUT"),
                ("delete(", "DELETE"),
            ] {
                let mut f = 0;
                while let Some(q) = methods[f..].find(name) {
                    let at = f + q;
                    f = at + name.len();
                    let before = methods[..at].chars().next_back();
                    if before.is_none_or(|c| !(c.is_alphanumeric() || c == '_')) {
                        out.insert((method.to_string(), path.to_string()));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn the_matrix_covers_every_route() {
    let mine: BTreeSet<(String, String)> = routes()
        .iter()
        .map(|r| (r.method.to_string(), r.full_path()))
        .collect();
    assert_eq!(mine.len(), routes().len(), "a route is listed twice");
    let mut registered = registered_page_routes();
    assert!(registered.contains(&("GET".into(), "/employees/{id}".into())));
    registered.extend(skillcert_web::api::route_list());
    let untested: Vec<_> = registered.difference(&mine).collect();
    assert!(
        untested.is_empty(),
        "routes missing from the matrix: {untested:#?}"
    );
    let unknown: Vec<_> = mine.difference(&registered).collect();
    assert!(
        unknown.is_empty(),
        "matrix routes not registered: {unknown:#?}"
    );
    let documented: BTreeSet<(String, String)> = skillcert_web::api::openapi::documented_paths()
        .into_iter()
        .collect();
    let undocumented_in_matrix: Vec<_> = documented.difference(&mine).collect();
    assert!(
        undocumented_in_matrix.is_empty(),
        "documented API routes missing from the matrix: {undocumented_in_matrix:#?}"
    );
}

/// Ids the matrix's paths refer to; all of them inside CSC-01 where it matters.
struct Fixture {
    ids: BTreeMap<&'static str, String>,
}

impl Fixture {
    async fn new(t: &TestApp) -> Fixture {
        let mut ids = BTreeMap::new();
        // An employee of CSC-01 whom no demo account is linked to.
        let linked: Vec<i64> = {
            let mut r = t.app.db.read().await.unwrap();
            skillcert_store::users::list_users(&mut r.conn())
                .await
                .unwrap()
                .into_iter()
                .filter_map(|u| u.employee_id)
                .collect()
        };
        let csc01 = t.department_id("CSC-01").await;
        let employee = {
            let mut r = t.app.db.read().await.unwrap();
            skillcert_store::org::all_employees(&mut r.conn())
                .await
                .unwrap()
                .into_iter()
                .filter(|e| e.department_id == csc01 && !linked.contains(&e.id))
                .map(|e| e.id)
                .min()
                .unwrap()
        };
        let user = {
            let mut r = t.app.db.read().await.unwrap();
            skillcert_store::users::find_user_by_username(&mut r.conn(), "employee")
                .await
                .unwrap()
                .unwrap()
                .id
        };
        ids.insert("/employees/", employee.to_string());
        ids.insert("/departments/", csc01.to_string());
        ids.insert("/units/", t.unit_id("CSC-01-T1").await.to_string());
        ids.insert("/positions/", t.position_id("AGENT").await.to_string());
        ids.insert("/users/", user.to_string());
        // A question and a paper of the bank, made by an administrator.
        let admin = t.api_login("admin").await;
        let question = t
            .post("/api/v1/questions")
            .bearer(&admin)
            .json(&serde_json::json!({
                "code": "MATRIX-Q", "qtype": "true_false", "stem": "矩阵用题", "key": "T", "points": 2
            }))
            .send()
            .await
            .json();
        let paper = t
            .post("/api/v1/papers")
            .bearer(&admin)
            .json(&serde_json::json!({
                "code": "MATRIX-P", "title": "矩阵用卷", "total": 2, "parts": [{"question": "MATRIX-Q"}]
            }))
            .send()
            .await
            .json();
        ids.insert("/questions/", question["id"].to_string());
        ids.insert("/papers/", paper["id"].to_string());
        let scenario = t
            .post("/api/v1/scenarios")
            .bearer(&admin)
            .json(&serde_json::json!({
                "code": "MATRIX-SC", "kind": "role_play", "title": "矩阵用情景",
                "customer_brief": "说明", "expected_behaviours": "倾听"
            }))
            .send()
            .await
            .json();
        ids.insert("/scenarios/", scenario["id"].to_string());
        ids.insert("{version}", "1".to_string());
        // A published exam session of CSC-01 whose attempt (by `employee`) is graded.
        let exam = crate::exams::matrix_fixture(t).await;
        ids.insert("/exams/", exam.session_id.to_string());
        ids.insert("/exam-sessions/", exam.session_id.to_string());
        ids.insert("/attempts/", exam.attempt_id.to_string());
        ids.insert("{attempt_id}", exam.attempt_id.to_string());
        ids.insert("{position}", exam.position.to_string());
        let draft = {
            let mut tx = t.app.db.begin().await.unwrap();
            let s = skillcert_store::exams::insert_session(
                &mut tx.conn(),
                &skillcert_store::exams::SessionFields {
                    code: "MATRIX-DRAFT".into(),
                    title: "draft".into(),
                    paper_id: None,
                    mode: "online".into(),
                    opens_at_ms: 0,
                    closes_at_ms: i64::MAX / 2,
                    duration_minutes: 60,
                    attempts_allowed: 9,
                    pass_mark: 6000,
                    review: "never".into(),
                    double_marking: false,
                    divergence: 0,
                    audience: "departments".into(),
                },
                start_time(),
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            s.id
        };
        ids.insert("/my-exams/{id}/start", draft.to_string());
        ids.insert("/api/v1/exam-sessions/{id}/attempts", draft.to_string());
        // Practical assessments: the demo's event in scoring (the demo `judge` sits on
        // every candidate; the other judges have submitted), and its closed one, which
        // refuses a new seed and closing (409) so the matrix changes nothing.
        let practical = crate::judging::matrix_fixture(t).await;
        ids.entry("/events/")
            .or_insert_with(|| practical.event_id.to_string());
        ids.insert("/event-subjects/", practical.subject_id.to_string());
        ids.insert("{subject_id}", practical.subject_id.to_string());
        ids.insert("{sheet_id}", practical.sheet_id.to_string());
        ids.insert("{judge_id}", practical.judge_id.to_string());
        ids.insert("{number}", "1".to_string());
        for closing in [
            "/api/v1/events/{id}/seed",
            "/api/v1/events/{id}/close",
            "/events/{id}/seed",
            "/events/{id}/close",
        ] {
            ids.insert(closing, practical.closed_event_id.to_string());
        }
        certification_fixture(t, &mut ids, csc01).await;
        crate::training_needs::matrix_fixture(t, &mut ids).await;
        crate::training_sessions::matrix_fixture(t, &mut ids).await;
        crate::training_records::matrix_fixture(t, &mut ids).await;
        crate::training_hours::matrix_fixture(t, &mut ids).await;
        Fixture { ids }
    }

    fn path(&self, template: &str) -> String {
        // Routes with an id of their own (starting an attempt uses a draft session).
        if let Some(id) = self.ids.get(template) {
            return template.replacen("{id}", id, 1);
        }
        let certificate = &self.ids["certificate"];
        let mut p = template
            .replace(
                "/certificates/{number}",
                &format!("/certificates/{certificate}"),
            )
            .replace("/verify/{number}", &format!("/verify/{certificate}"))
            .replace("{purpose}", "revocation")
            .replace("{consequence_id}", "999999")
            .replace("{component}", "theory");
        p = p
            .replace("{tag}", "en")
            .replace("/rubrics/{key}", "/rubrics/s4-call-scoring")
            .replace("{key}", "s1-certification")
            .replace("{grant_id}", "999999");
        // Named placeholders (`{attempt_id}`, `{version}`, …) have an entry of their own.
        for (placeholder, v) in &self.ids {
            if placeholder.starts_with('{') {
                p = p.replace(placeholder, v);
            }
        }
        if let Some(at) = p.find("{id}") {
            let id = self
                .ids
                .iter()
                .find(|(prefix, _)| p[..at].ends_with(*prefix))
                .map(|(_, id)| id.clone())
                .unwrap_or_else(|| panic!("no id for {template}"));
            p = p.replacen("{id}", &id, 1);
        }
        p
    }
}

/// Certification records for the matrix: the demo's open round, its closed first round for
/// the bodyless actions (which it refuses) and the results a supervisor may read, the demo
/// employee's application (with an attachment) and pending appeal, and a certificate of
/// CSC-01 held by nobody with an account.
async fn certification_fixture(t: &TestApp, ids: &mut BTreeMap<&'static str, String>, csc01: i64) {
    use skillcert_store::certification as cert;
    let mut tx = t.app.db.begin().await.unwrap();
    let mut c = tx.conn();
    let open = cert::round_by_code(&mut c, "CERT-2026-C")
        .await
        .unwrap()
        .unwrap();
    let closed = cert::round_by_code(&mut c, "CERT-2025-A")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (open.status.as_str(), closed.status.as_str()),
        ("open", "closed")
    );
    ids.insert("/rounds/", open.id.to_string());
    for closing in [
        "/rounds/{id}/review",
        "/rounds/{id}/reopen",
        "/rounds/{id}/publish",
        "/rounds/{id}/close",
        "/rounds/{id}/results",
        "/rounds/{id}/results.xlsx",
        "/rounds/{id}/report",
        "/rounds/{id}/report.xlsx",
        "/rounds/{id}/report.pdf",
        "/api/v1/rounds/{id}/review",
        "/api/v1/rounds/{id}/reopen",
        "/api/v1/rounds/{id}/publish",
        "/api/v1/rounds/{id}/close",
        "/api/v1/rounds/{id}/results",
        "/api/v1/rounds/{id}/report",
    ] {
        ids.insert(closing, closed.id.to_string());
    }
    let employee = skillcert_store::users::find_user_by_username(&mut c, "employee")
        .await
        .unwrap()
        .unwrap()
        .employee_id
        .unwrap();
    let application = cert::applications_of_employee(&mut c, employee)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.status == "approved")
        .expect("the demo employee has an approved application");
    let pdf = b"%PDF-1.4 matrix";
    let attachment = cert::insert_attachment(
        &mut c,
        &cert::NewAttachment {
            application_id: application.id,
            kind: "identity",
            filename: "id.pdf",
            content_type: "application/pdf",
            sha256: "0",
            data: pdf,
        },
        start_time(),
    )
    .await
    .unwrap();
    ids.insert("/applications/", application.id.to_string());
    ids.insert("/attachments/", attachment.to_string());
    let appeal = cert::appeals_of_employee(&mut c, employee)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.status == "pending")
        .expect("the demo employee's appeal is pending");
    ids.insert("/appeals/", appeal.id.to_string());
    ids.insert("/results/", appeal.result_id.to_string());
    // Opening a panel for an appeal that does not exist: refused after authorization.
    ids.insert("/appeals/{id}/panel", "999999".to_string());
    ids.insert("/api/v1/appeals/{id}/panel", "999999".to_string());
    ids.insert("/inbox/", "999999".to_string());
    ids.insert("/consequences/", "999999".to_string());
    ids.insert("{employee_id}", employee.to_string());
    let linked: Vec<i64> = skillcert_store::users::list_users(&mut c)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|u| u.employee_id)
        .collect();
    let certificates = cert::list_certificates(
        &mut c,
        &cert::CertificateQuery {
            today: chrono::Utc::now().date_naive(),
            search: None,
            status: Some("valid".into()),
            department_ids: Some(vec![csc01]),
            round_id: None,
            page: 1,
            per_page: 0,
        },
    )
    .await
    .unwrap();
    let number = certificates
        .items
        .into_iter()
        .find(|c| !linked.contains(&c.employee_id))
        .expect("a valid certificate in CSC-01")
        .number;
    ids.insert("certificate", number);
    tx.commit().await.unwrap();
}

/// How a role signs in for the matrix.
struct Caller {
    name: &'static str,
    web: Option<WebSession>,
    token: Option<String>,
}

async fn send(t: &TestApp, fx: &Fixture, route: &Route, who: &Caller) -> Resp {
    let mut path = fx.path(&route.full_path());
    let (web, token) = if route.ends_session && who.web.is_some() {
        (
            Some(t.web_login(who.name).await),
            Some(t.api_login(who.name).await),
        )
    } else {
        (who.web.clone(), who.token.clone())
    };
    if matches!(route.input, Input::EmptyUpload)
        && let Some(s) = &web
    {
        path = format!("{path}?_csrf={}", s.csrf);
    }
    let method = route.method.parse().unwrap();
    let mut c = t.call(method, &path);
    if route.api {
        if let Some(tok) = &token {
            c = c.bearer(tok);
        }
    } else if let Some(s) = &web {
        c = c.session(s);
    }
    let csrf = web.as_ref().map(|s| s.csrf.clone()).unwrap_or_default();
    match route.input {
        Input::None => {}
        Input::Form(fields) => {
            let mut all: Vec<(&str, &str)> = fields.to_vec();
            all.push(("_csrf", csrf.as_str()));
            c = c.form(&all);
        }
        Input::Json(body) => c = c.raw("application/json", body.as_bytes().to_vec()),
        Input::EmptyUpload => c = c.multipart("empty.csv", b"", &[]),
        Input::EmptyRaw => c = c.raw("text/csv", Vec::new()),
        Input::SignIn => {
            let pre = t.pre_csrf().await;
            c = c.cookie("sc_csrf", &pre).form(&[
                ("_csrf", pre.as_str()),
                ("username", "nobody-in-the-matrix"),
                ("password", "x"),
            ]);
        }
    }
    c.send().await
}

/// What went wrong for one cell of the matrix, if anything.
fn judge(route: &Route, who: &str, r: &Resp) -> Option<String> {
    let s = r.status;
    let to_login =
        s.is_redirection() && r.location().is_some_and(|l| l.starts_with("/login?next="));
    let cell = format!(
        "{who:<10} {} {}: {} {}",
        route.method,
        route.full_path(),
        s.as_u16(),
        r.location().unwrap_or_default()
    );
    if s.is_server_error() {
        return Some(format!("{cell} (server error)"));
    }
    let read = route.method == "GET";
    if route.need == Need::Seat && matches!(who, "admin" | "manager") {
        // Holders of assessment_judge without a seat (or an employee): the service's
        // refusal or an empty list, never an authorization failure.
        let ok = !matches!(s, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) && !to_login;
        return (!ok).then(|| format!("{cell} (want the service's answer, not 403)"));
    }
    if route.need == Need::Public {
        let ok = s != StatusCode::FORBIDDEN && !to_login;
        return (!ok).then(|| format!("{cell} (public route refused)"));
    }
    if who == "anonymous" {
        let ok = if route.api {
            s == StatusCode::UNAUTHORIZED
        } else {
            to_login
        };
        let want = if route.api {
            "401"
        } else {
            "redirect to /login?next="
        };
        return (!ok).then(|| format!("{cell} (want {want})"));
    }
    if allowed(who, route.need) {
        let ok = if read {
            s.is_success() || (s.is_redirection() && !to_login)
        } else {
            // The body was invalid: validation may refuse it, authorization must not.
            !matches!(s, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) && !to_login
        };
        (!ok).then(|| format!("{cell} (want allowed)"))
    } else {
        (s != StatusCode::FORBIDDEN).then(|| format!("{cell} (want 403)"))
    }
}

#[tokio::test]
async fn every_role_on_every_route() {
    let t = TestApp::new().await;
    let fx = Fixture::new(&t).await;
    let mut callers = vec![Caller {
        name: "anonymous",
        web: None,
        token: None,
    }];
    for name in DEMO_USERS {
        callers.push(Caller {
            name,
            web: Some(t.web_login(name).await),
            token: Some(t.api_login(name).await),
        });
    }
    let employees = t.count("employees").await;
    let departments = t.count("departments").await;
    let units = t.count("units").await;
    let positions = t.count("positions").await;
    let users = t.count("users").await;
    let grants = t.count("grants").await;
    let questions = t.count("questions").await;
    let question_versions = t.count("question_versions").await;
    let papers = t.count("papers").await;
    let scenarios = t.count("scenarios").await;
    let scenario_versions = t.count("scenario_versions").await;

    let exam_tables = [
        "exam_sessions",
        "exam_attempts",
        "exam_answers",
        "exam_marks",
        "exam_overrides",
    ];
    let mut exam_counts = Vec::new();
    for table in exam_tables {
        exam_counts.push(t.count(table).await);
    }
    let mut problems = Vec::new();
    let mut cells = 0;
    for route in routes() {
        for who in &callers {
            let r = send(&t, &fx, &route, who).await;
            cells += 1;
            if let Some(p) = judge(&route, who.name, &r) {
                problems.push(p);
            }
        }
    }
    assert!(cells > 500, "{cells} cells");
    assert!(
        problems.is_empty(),
        "{} of {cells} cells wrong:\n{}",
        problems.len(),
        problems.join("\n")
    );
    // Invalid bodies changed nothing.
    assert_eq!(t.count("employees").await, employees);
    assert_eq!(t.count("departments").await, departments);
    assert_eq!(t.count("units").await, units);
    assert_eq!(t.count("positions").await, positions);
    assert_eq!(t.count("users").await, users);
    assert_eq!(t.count("grants").await, grants);
    assert_eq!(t.count("questions").await, questions);
    assert_eq!(t.count("question_versions").await, question_versions);
    assert_eq!(t.count("papers").await, papers);
    assert_eq!(t.count("scenarios").await, scenarios);
    assert_eq!(t.count("scenario_versions").await, scenario_versions);
    for (table, before) in exam_tables.iter().zip(&exam_counts) {
        assert_eq!(t.count(table).await, *before, "{table}");
    }
    let session = fx.ids["/exams/"].parse::<i64>().unwrap();
    let still: (String, String) = {
        let mut r = t.app.db.read().await.unwrap();
        let c = &mut r.conn();
        let s = skillcert_store::exams::get_session(c, session)
            .await
            .unwrap();
        let a = fx.ids["/attempts/"].parse::<i64>().unwrap();
        let a = skillcert_store::exams::get_attempt(c, a).await.unwrap();
        (s.status, a.status)
    };
    assert_eq!(still, ("published".into(), "graded".into()));
    assert_eq!(t.count("schemes").await, 0, "no scheme version was saved");
    assert_eq!(t.count("rubrics").await, 0, "no rubric version was saved");
}

/// A forbidden role gets 403 — or, for a body that cannot even be parsed, our own 400 — and
/// never a success or a framework's plain-text answer.
#[tokio::test]
async fn forbidden_roles_get_403_or_our_400_whatever_the_body() {
    let t = TestApp::new().await;
    let fx = Fixture::new(&t).await;
    // route → what came back instead of 403, with who got it.
    let mut problems: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for name in ["lecturer", "employee", "supervisor"] {
        let who = Caller {
            name,
            web: Some(t.web_login(name).await),
            token: Some(t.api_login(name).await),
        };
        for route in routes() {
            if route.method == "GET" || allowed(name, route.need) {
                continue;
            }
            for body in ["", "not json at all", "{}"] {
                let mut path = fx.path(&route.full_path());
                let s = who.web.as_ref().unwrap();
                let mut c = if route.api {
                    t.call(route.method.parse().unwrap(), &path)
                        .bearer(who.token.as_ref().unwrap())
                        .raw("application/json", body.as_bytes().to_vec())
                } else {
                    path = format!("{path}?_csrf={}", s.csrf);
                    t.call(route.method.parse().unwrap(), &path).session(s).raw(
                        "application/x-www-form-urlencoded",
                        body.as_bytes().to_vec(),
                    )
                };
                c = c.header("x-csrf-token", &s.csrf);
                let r = c.send().await;
                // A body that cannot be parsed may be refused before authorization (400), as
                // long as the refusal is ours: localized JSON for the API, our error page for
                // pages — never success, never a framework's plain text.
                let ours = if route.api {
                    serde_json::from_slice::<serde_json::Value>(&r.body).is_ok_and(|v| {
                        matches!(
                            v["code"].as_str(),
                            Some("bad-json" | "bad-body" | "bad-query" | "bad-form" | "bad-upload")
                        )
                    })
                } else {
                    r.text().contains("error-page")
                };
                let acceptable = r.status == StatusCode::FORBIDDEN
                    || (r.status == StatusCode::BAD_REQUEST && ours);
                if !acceptable {
                    let what = match serde_json::from_slice::<serde_json::Value>(&r.body) {
                        Ok(v) => format!("{} {}", r.status.as_u16(), v["code"]),
                        Err(_) => format!(
                            "{} {:?}",
                            r.status.as_u16(),
                            r.text().chars().take(50).collect::<String>()
                        ),
                    };
                    problems
                        .entry(format!("{} {}", route.method, route.full_path()))
                        .or_default()
                        .insert(format!("{what} ({name})"));
                }
            }
        }
    }
    let lines: Vec<String> = problems
        .iter()
        .map(|(route, what)| {
            format!(
                "{route}: {}",
                what.iter().cloned().collect::<Vec<_>>().join("; ")
            )
        })
        .collect();
    assert!(
        lines.is_empty(),
        "{} routes answer a forbidden role's malformed body with something else than 403 or our own 400:\n{}",
        lines.len(),
        lines.join("\n")
    );
}

#[tokio::test]
async fn a_supervisor_reads_only_inside_their_department() {
    let t = TestApp::new().await;
    let token = t.api_login("supervisor").await;
    let csc01 = t.department_id("CSC-01").await;
    let r = t.get("/api/v1/departments").bearer(&token).send().await;
    r.expect(StatusCode::OK);
    let ids: Vec<i64> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![csc01]);
    let r = t.get("/api/v1/units").bearer(&token).send().await;
    r.expect(StatusCode::OK);
    let units = r.json();
    let units = units.as_array().unwrap();
    assert!(!units.is_empty());
    assert!(
        units
            .iter()
            .all(|u| u["department_id"].as_i64() == Some(csc01))
    );

    let bh01 = t.department_id("BH-01").await;
    let window = t.unit_id("BH-01-W1").await;
    for path in [
        format!("/api/v1/departments/{bh01}"),
        format!("/api/v1/units/{window}"),
    ] {
        let r = t.get(&path).bearer(&token).send().await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    let s = t.web_login("supervisor").await;
    for path in [
        format!("/departments/{bh01}/edit"),
        format!("/units/{window}/edit"),
        format!("/departments/{csc01}/edit"),
    ] {
        let r = t.get(&path).session(&s).send().await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    let page = t.get("/units").session(&s).send().await;
    page.expect(StatusCode::OK);
    assert!(!page.text().contains("BH-01-W1"));
    assert!(page.text().contains("CSC-01-T1"));
}
