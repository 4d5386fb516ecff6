//! Training hours, external training and compliance (issue 7).

use std::collections::BTreeMap;

use axum::http::StatusCode;
use skillcert_store::{Conn, on};

use crate::helpers::*;
use crate::roles::{Input, Need, Route, api, page};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n";

/// This area's routes in the role matrix (`roles.rs`), each with what it needs and an
/// invalid input, so an allowed role is refused by validation and a forbidden one by 403.
pub(crate) fn matrix_routes() -> Vec<Route> {
    use Input::*;
    use Need::*;
    vec![
        page("GET", "/my-training/hours", SignedIn, None),
        page("POST", "/my-training/hours/external", SignedIn, EmptyUpload),
        page("GET", "/external-trainings", TrainingManage, None),
        page("GET", "/external-trainings/{id}/proof", OwnOrManager, None),
        page(
            "POST",
            "/external-trainings/{id}/decide",
            TrainingManage,
            Form(&[("decision", "maybe")]),
        ),
        page("GET", "/compliance", TrainingRead, None),
        page("GET", "/compliance.xlsx", TrainingRead, None),
        page(
            "POST",
            "/compliance/remind",
            TrainingManage,
            Form(&[("year", "1999")]),
        ),
        page("GET", "/compliance/rules", TrainingRead, None),
        page(
            "POST",
            "/compliance/rules",
            TrainingManage,
            Form(&[("document", "min_minutes_per_year = 0")]),
        ),
        api("GET", "/my-training/hours", SignedIn, None),
        api(
            "POST",
            "/my-training/external-trainings",
            SignedIn,
            EmptyUpload,
        ),
        api("GET", "/external-trainings", TrainingManage, None),
        api("GET", "/external-trainings/{id}", OwnOrManager, None),
        api("GET", "/external-trainings/{id}/proof", OwnOrManager, None),
        api(
            "POST",
            "/external-trainings/{id}/decision",
            TrainingManage,
            Json(r#"{"approve": null}"#),
        ),
        api("GET", "/compliance", TrainingRead, None),
        api(
            "POST",
            "/compliance/reminders",
            TrainingManage,
            Json(r#"{"year": 1999}"#),
        ),
        api("GET", "/compliance/rules", TrainingRead, None),
        api(
            "PUT",
            "/compliance/rules",
            TrainingManage,
            Json(r#"{"document": "min_minutes_per_year = 0"}"#),
        ),
    ]
}

/// The demo `employee`'s pending external training.
async fn pending_external(t: &TestApp) -> i64 {
    let mut r = t.app.db.read().await.unwrap();
    let c = &mut r.conn();
    on!(c, |c| sqlx::query_scalar(
        "SELECT x.id FROM external_trainings x JOIN users u ON u.employee_id = x.employee_id \
         WHERE u.username = 'employee' AND x.status = 'pending' ORDER BY x.id LIMIT 1"
    )
    .fetch_one(&mut *c)
    .await)
    .unwrap()
}

/// Records this area's matrix routes point at: `ids` maps a path prefix (`"/surveys/"`) or
/// a named placeholder (`"{code}"`) to the id to use.
pub(crate) async fn matrix_fixture(t: &TestApp, ids: &mut BTreeMap<&'static str, String>) {
    ids.insert(
        "/external-trainings/",
        pending_external(t).await.to_string(),
    );
}

/// This area's pages the English-page check (`i18n.rs`) loads as `admin`.
pub(crate) async fn english_pages(t: &TestApp) -> Vec<String> {
    let id = pending_external(t).await;
    vec![
        "/my-training/hours".into(),
        "/external-trainings".into(),
        "/external-trainings?status=approved".into(),
        format!("/external-trainings?employee_no=E10001&status=pending&x={id}"),
        "/compliance".into(),
        "/compliance?year=2025".into(),
        "/compliance/rules".into(),
    ]
}

/// Data of this area that may show in Chinese on English pages (names, titles typed by
/// users), for the English-page check.
pub(crate) async fn data_strings(t: &TestApp) -> Vec<String> {
    let mut r = t.app.db.read().await.unwrap();
    let c = &mut r.conn();
    let rows: Vec<(String, String, String, String)> = on!(c, |c| sqlx::query_as(
        "SELECT title, provider, decision_note, proof_filename FROM external_trainings"
    )
    .fetch_all(&mut *c)
    .await)
    .unwrap();
    let mut v = Vec::new();
    for (a, b, n, f) in rows {
        v.extend([a, b, n, f]);
    }
    let topics: Vec<String> = on!(c, |c| sqlx::query_scalar(
        "SELECT topic FROM training_sessions"
    )
    .fetch_all(&mut *c)
    .await)
    .unwrap();
    v.extend(topics);
    v.retain(|s| !s.is_empty());
    v
}

async fn scalar(t: &TestApp, sql: &'static str, bind: &str) -> i64 {
    let mut r = t.app.db.read().await.unwrap();
    let c: &mut Conn<'_> = &mut r.conn();
    on!(c, |c| sqlx::query_scalar(sql)
        .bind(bind)
        .fetch_one(&mut *c)
        .await)
    .unwrap()
}

async fn externals(t: &TestApp) -> i64 {
    t.count("external_trainings").await
}

/// The yearly minutes of the demo `employee` in 2026.
async fn employee_minutes(t: &TestApp) -> i64 {
    scalar(
        t,
        "SELECT COALESCE(SUM(y.minutes), 0) FROM training_hours_yearly y \
         JOIN users u ON u.employee_id = y.employee_id WHERE u.username = $1 AND y.year = 2026",
        "employee",
    )
    .await
}

async fn record(t: &TestApp, s: &WebSession, file: &str, bytes: &[u8], hours: &str) -> Resp {
    t.post(&format!("/my-training/hours/external?_csrf={}", s.csrf))
        .session(s)
        .lang("en")
        .multipart(
            file,
            bytes,
            &[
                ("title", "Complaint handling workshop"),
                ("provider", "City consumer association"),
                ("held_on", "2026-11-20"),
                ("hours", hours),
                ("level", "advanced"),
            ],
        )
        .send()
        .await
}

#[tokio::test]
async fn external_training_is_recorded_decided_once_and_credited() {
    let t = TestApp::new().await;
    let s = t.web_login("employee").await;
    let before = externals(&t).await;
    let minutes = employee_minutes(&t).await;
    let r = record(&t, &s, "certificate.pdf", PDF, "1.5").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(externals(&t).await, before + 1);
    let id = scalar(
        &t,
        "SELECT MAX(id) FROM external_trainings WHERE title = $1",
        "Complaint handling workshop",
    )
    .await;
    let mine = t
        .get("/my-training/hours")
        .session(&s)
        .lang("en")
        .send()
        .await;
    mine.expect(StatusCode::OK);
    assert!(mine.text().contains("Complaint handling workshop"));
    assert!(mine.text().contains("Pending"));

    // The manager's queue shows it; approving credits 90 minutes and tells the employee.
    let m = t.web_login("manager").await;
    let q = t
        .get("/external-trainings?status=pending")
        .session(&m)
        .lang("en")
        .send()
        .await;
    q.expect(StatusCode::OK);
    assert!(q.text().contains("Complaint handling workshop"));
    let r = t
        .post(&format!("/external-trainings/{id}/decide"))
        .session(&m)
        .form(&[
            ("_csrf", m.csrf.as_str()),
            ("decision", "approve"),
            ("note", "ok"),
        ])
        .send()
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(employee_minutes(&t).await, minutes + 90);
    let told = scalar(
        &t,
        "SELECT COUNT(*) FROM inbox_messages m JOIN users u ON u.id = m.user_id \
         WHERE u.username = $1 AND m.kind = 'inbox-external-decided'",
        "employee",
    )
    .await;
    assert!(told >= 1);

    // A second decision: a clear message, nothing changed.
    let r = t
        .post(&format!("/external-trainings/{id}/decide"))
        .session(&m)
        .lang("en")
        .form(&[("_csrf", m.csrf.as_str()), ("decision", "reject")])
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("already been decided"), "{}", r.text());
    let token = t.api_login("manager").await;
    let r = t
        .post(&format!("/api/v1/external-trainings/{id}/decision"))
        .bearer(&token)
        .json(&serde_json::json!({"approve": false, "note": "again"}))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"][0]["code"], "external-decided");
    let x = t
        .get(&format!("/api/v1/external-trainings/{id}"))
        .bearer(&token)
        .send()
        .await;
    x.expect(StatusCode::OK);
    assert_eq!(x.json()["status"], "approved");
    assert_eq!(x.json()["decision_note"], "ok");
    assert_eq!(employee_minutes(&t).await, minutes + 90, "credited once");

    // The employee's ledger over the API counts it; the proof is theirs to see.
    let et = t.api_login("employee").await;
    let l = t
        .get("/api/v1/my-training/hours?year=2026")
        .bearer(&et)
        .send()
        .await;
    l.expect(StatusCode::OK);
    assert!(
        l.json()["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["external_id"] == id)
    );
    let p = t
        .get(&format!("/external-trainings/{id}/proof"))
        .session(&s)
        .send()
        .await;
    p.expect(StatusCode::OK);
    assert_eq!(p.body, PDF);
    // Another employee may not.
    let other = t.web_login("mentor").await;
    let p = t
        .get(&format!("/external-trainings/{id}/proof"))
        .session(&other)
        .send()
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_bad_proof_or_bad_fields_are_refused_and_nothing_is_stored() {
    let t = TestApp::new().await;
    let s = t.web_login("employee").await;
    let before = externals(&t).await;
    let audits = t.count("audit_log").await;

    let r = record(&t, &s, "notes.txt", b"just text, no proof", "2").await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("PDF, PNG"), "{}", r.text());

    let big = {
        let mut b = PDF.to_vec();
        b.resize(5 * 1024 * 1024 + 1, b' ');
        b
    };
    let r = record(&t, &s, "big.pdf", &big, "2").await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("5 MB"), "{}", r.text());

    let r = record(&t, &s, "ok.pdf", PDF, "-3").await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("Enter the hours"), "{}", r.text());

    // Over the API: every problem at once, with its field.
    let token = t.api_login("employee").await;
    let r = t
        .post("/api/v1/my-training/external-trainings")
        .bearer(&token)
        .multipart(
            "x.exe",
            b"MZ\x90\x00",
            &[
                ("title", ""),
                ("held_on", "2099-01-01"),
                ("hours", "0"),
                ("level", "expert"),
            ],
        )
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    let codes: Vec<String> = r.json()["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    for want in [
        "external-title",
        "external-provider",
        "external-held-on-future",
        "external-hours",
        "external-level",
        "attachment-type",
    ] {
        assert!(codes.iter().any(|c| c == want), "{want} not in {codes:?}");
    }
    assert_eq!(externals(&t).await, before, "nothing stored");
    assert_eq!(t.count("audit_log").await, audits, "nothing audited");

    // A good one over the API is created.
    let r = t
        .post("/api/v1/my-training/external-trainings")
        .bearer(&token)
        .multipart(
            "proof.pdf",
            PDF,
            &[
                ("title", "First aid"),
                ("provider", "Red Cross"),
                ("held_on", "2026-10-01"),
                ("hours", "4"),
            ],
        )
        .send()
        .await;
    r.expect(StatusCode::CREATED);
    assert_eq!(r.json()["status"], "pending");
    assert_eq!(r.json()["minutes"], 240);
    assert_eq!(r.json()["level"], "other");
}

#[tokio::test]
async fn bad_rules_are_refused_and_versions_are_kept() {
    let t = TestApp::new().await;
    let token = t.api_login("manager").await;
    let rules = t
        .get("/api/v1/compliance/rules")
        .bearer(&token)
        .send()
        .await;
    rules.expect(StatusCode::OK);
    assert_eq!(rules.json()["version"], 1, "the demo saved the S2 defaults");
    assert_eq!(rules.json()["rules"]["min_minutes_per_year"], 480);
    let versions = t.count("compliance_rules").await;

    let r = t
        .put("/api/v1/compliance/rules")
        .bearer(&token)
        .json(&serde_json::json!({
            "document": "min_minutes_per_year = 0\nnew_hire_basic_days = 99\n"
        }))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    let codes: Vec<String> = r.json()["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        codes,
        [
            "compliance-min-minutes-range",
            "compliance-basic-days-range"
        ]
    );
    let r = t
        .put("/api/v1/compliance/rules")
        .bearer(&token)
        .json(&serde_json::json!({"document": "min_minutes_per_year = \n"}))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"][0]["code"], "compliance-syntax");

    // The page shows the refusal in words and keeps what was typed.
    let m = t.web_login("manager").await;
    let r = t
        .post("/compliance/rules")
        .session(&m)
        .lang("en")
        .form(&[("_csrf", m.csrf.as_str()), ("document", "surprise = 1")])
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("not valid TOML"), "{}", r.text());
    assert!(r.text().contains("surprise = 1"));
    assert_eq!(t.count("compliance_rules").await, versions, "nothing saved");

    // A good document is a new version and applies.
    let r = t
        .post("/compliance/rules")
        .session(&m)
        .form(&[
            ("_csrf", m.csrf.as_str()),
            ("document", "min_minutes_per_year = 600\n"),
        ])
        .send()
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let rules = t
        .get("/api/v1/compliance/rules")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(rules.json()["version"], 2);
    assert_eq!(rules.json()["rules"]["min_minutes_per_year"], 600);
    assert_eq!(
        rules.json()["rules"]["new_hire_basic_days"],
        3,
        "defaults fill the rest"
    );
    let page = t
        .get("/compliance/rules")
        .session(&m)
        .lang("en")
        .send()
        .await;
    assert!(page.text().contains("Version 2 applies"));
    assert!(page.text().contains("At least 10 hours"));
}

#[tokio::test]
async fn the_compliance_page_lists_who_falls_short_and_exports_it() {
    let t = TestApp::new().await;
    let m = t.web_login("manager").await;
    let page = t
        .get("/compliance?year=2026")
        .session(&m)
        .lang("en")
        .send()
        .await;
    page.expect(StatusCode::OK);
    let html = page.text();
    assert!(html.contains("Who falls short"));
    assert!(html.contains("Departments"));

    let token = t.api_login("manager").await;
    let all = t
        .get("/api/v1/compliance?year=2026&per_page=5")
        .bearer(&token)
        .send()
        .await;
    all.expect(StatusCode::OK);
    let j = all.json();
    let headcount = j["company"]["headcount"].as_u64().unwrap();
    let short = j["people"]["total"].as_u64().unwrap();
    assert!(headcount > 0 && short > 0, "{j}");
    assert_eq!(
        j["people"]["items"].as_array().unwrap().len(),
        5,
        "paginated"
    );
    assert_eq!(j["rules"]["min_minutes_per_year"], 480);
    let departments = j["departments"].as_array().unwrap();
    assert!(departments.iter().any(|d| d["short"].as_u64().unwrap() > 0));
    let sum: u64 = departments
        .iter()
        .map(|d| d["headcount"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, headcount, "departments add up to the company");

    // A supervisor sees only their departments.
    let st = t.api_login("supervisor").await;
    let sup = t
        .get("/api/v1/compliance?year=2026")
        .bearer(&st)
        .send()
        .await;
    sup.expect(StatusCode::OK);
    let sj = sup.json();
    assert!(sj["company"]["headcount"].as_u64().unwrap() < headcount);
    let mine: Vec<i64> = sj["departments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["department_id"].as_i64().unwrap())
        .collect();
    let outside = departments
        .iter()
        .map(|d| d["department_id"].as_i64().unwrap())
        .find(|d| !mine.contains(d))
        .expect("a department outside the supervisor's scope");
    let r = t
        .get(&format!(
            "/api/v1/compliance?year=2026&department_id={outside}"
        ))
        .bearer(&st)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // One department's page.
    let one = mine[0];
    let r = t
        .get(&format!("/api/v1/compliance?year=2026&department_id={one}"))
        .bearer(&token)
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(r.json()["departments"].as_array().unwrap().len(), 1);

    // A year outside the calendar is refused clearly.
    let r = t
        .get("/api/v1/compliance?year=1800")
        .bearer(&token)
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["fields"][0]["code"],
        "compliance-year-out-of-range"
    );

    // The export: every person short, the departments and the company.
    let x = t
        .get("/compliance.xlsx?year=2026")
        .session(&m)
        .lang("en")
        .send()
        .await;
    x.expect(StatusCode::OK);
    let table = skillcert_reports::read_table(&x.body, skillcert_reports::FileKind::Xlsx).unwrap();
    assert_eq!(table.headers[0], "Employee no.");
    assert_eq!(table.rows.len() as u64, short);
}

async fn reminders(t: &TestApp) -> i64 {
    scalar(
        t,
        "SELECT COUNT(*) FROM inbox_messages WHERE kind LIKE $1",
        "inbox-training-hours-reminder%",
    )
    .await
}

#[tokio::test]
async fn reminders_go_once_per_person_and_year_within_the_lead() {
    let t = TestApp::new().await;
    let m = t.web_login("manager").await;
    // 23 November is within S2's 60 days before the year ends.
    let r = t
        .post("/compliance/remind")
        .session(&m)
        .form(&[("_csrf", m.csrf.as_str()), ("year", "2026")])
        .send()
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let sent = reminders(&t).await;
    assert!(sent > 0);
    let employee_got = scalar(
        &t,
        "SELECT COUNT(*) FROM inbox_messages m JOIN users u ON u.id = m.user_id \
         WHERE u.username = $1 AND m.kind = 'inbox-training-hours-reminder'",
        "employee",
    )
    .await;
    assert_eq!(employee_got, 1);
    let inbox = t
        .get("/inbox")
        .session(&t.web_login("employee").await)
        .lang("en")
        .send()
        .await;
    assert!(
        inbox.text().contains("training hours required in 2026"),
        "{}",
        inbox.text()
    );

    // Again, and the hourly housekeeping: nobody is reminded twice.
    let token = t.api_login("manager").await;
    let r = t
        .post("/api/v1/compliance/reminders")
        .bearer(&token)
        .json(&serde_json::json!({"year": 2026}))
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(r.json()["reminded"], 0);
    assert_eq!(
        skillcert_app::training::compliance::remind_due(&t.app)
            .await
            .unwrap(),
        0
    );
    assert_eq!(reminders(&t).await, sent);

    // Next year's reminders are not due yet: a clear refusal, nothing sent.
    let r = t
        .post("/compliance/remind")
        .session(&m)
        .lang("en")
        .form(&[("_csrf", m.csrf.as_str()), ("year", "2027")])
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text().contains("within the reminder period"),
        "{}",
        r.text()
    );
    assert_eq!(reminders(&t).await, sent);
}

#[tokio::test]
async fn the_housekeeping_reminds_only_within_the_lead() {
    let t = TestApp::new().await;
    // Back to June: outside the window, nothing is sent.
    t.advance(chrono::Duration::days(-160));
    assert_eq!(
        skillcert_app::training::compliance::remind_due(&t.app)
            .await
            .unwrap(),
        0
    );
    assert_eq!(reminders(&t).await, 0);
    t.advance(chrono::Duration::days(160));
    let n = skillcert_app::training::compliance::remind_due(&t.app)
        .await
        .unwrap();
    assert!(n > 0);
    assert_eq!(
        skillcert_app::training::compliance::remind_due(&t.app)
            .await
            .unwrap(),
        0,
        "once per person and year"
    );
}

#[tokio::test]
async fn a_new_hire_created_over_the_api_is_enrolled_for_onboarding() {
    let t = TestApp::new().await;
    // An upcoming basic session, written directly.
    let start = t.app.now() + chrono::Duration::days(3);
    let session_id: i64 = {
        let mut tx = t.app.db.begin().await.unwrap();
        let c = &mut tx.conn();
        let id = on!(c, |c| sqlx::query_scalar(
            "INSERT INTO training_sessions (code, topic, level, skills, goal, starts_at, \
             ends_at, minutes, place, online_link, lecturer_external, target_group, outline, \
             materials, assessment_method, capacity, mandatory, open_lead_minutes, \
             late_after_minutes, checkin_secret, status, search, created_at, updated_at) \
             VALUES ('NB-IT', 'Basics', 'basic', '[]', '', $1, $2, 480, '', '', '', '', '', '', \
             '', NULL, TRUE, 15, 10, '00', 'planned', 'nb-it', $1, $1) RETURNING id"
        )
        .bind(start)
        .bind(start + chrono::Duration::hours(8))
        .fetch_one(&mut *c)
        .await)
        .unwrap();
        tx.commit().await.unwrap();
        id
    };
    let token = t.api_login("manager").await;
    let department = t.department_id("CSC-01").await;
    let r = t
        .post("/api/v1/employees")
        .bearer(&token)
        .json(&serde_json::json!({
            "employee_no": "N77001", "name": "New hire", "department_id": department,
            "hire_date": "2026-11-23", "status": "probation"
        }))
        .send()
        .await;
    assert!(r.status.is_success(), "{} {}", r.status, r.text());
    let via = scalar(
        &t,
        "SELECT COUNT(*) FROM session_enrolments x JOIN employees e ON e.id = x.employee_id \
         WHERE e.employee_no = $1 AND x.via = 'onboarding'",
        "N77001",
    )
    .await;
    assert_eq!(via, 1, "enrolled on session {session_id}");
}

#[tokio::test]
async fn a_round_form_edits_training_prerequisites_and_applicants_are_checked() {
    let t = TestApp::new().await;
    let m = t.web_login("manager").await;
    let token = t.api_login("manager").await;
    let round_id = {
        let mut r = t.app.db.read().await.unwrap();
        skillcert_store::certification::rounds_in(&mut r.conn(), "open")
            .await
            .unwrap()[0]
            .id
    };
    let edit = t
        .get(&format!("/rounds/{round_id}/edit"))
        .session(&m)
        .lang("en")
        .send()
        .await;
    edit.expect(StatusCode::OK);
    assert!(edit.text().contains("name=\"training_hours\""));
    assert!(edit.text().contains("name=\"training_plans\""));

    let actor = {
        let mut r = t.app.db.read().await.unwrap();
        let u = skillcert_store::users::find_user_by_username(&mut r.conn(), "manager")
            .await
            .unwrap()
            .unwrap();
        skillcert_app::Actor {
            user_id: u.id,
            username: u.username,
            display_name: u.display_name,
            employee_id: u.employee_id,
            locale: None,
            session_id: 0,
            csrf_token: String::new(),
            grants: vec![skillcert_domain::access::Grant {
                role: skillcert_domain::access::Role::Admin,
                department_id: None,
            }],
            tree: Vec::new(),
        }
    };
    let detail = skillcert_app::certification::rounds::detail(&t.app, &actor, round_id)
        .await
        .unwrap();
    let level = detail.plan.levels[0].clone();
    let mut input = skillcert_app::certification::rounds::input_of(&detail);
    input.training_plans = "NO-SUCH".into();
    let r = t
        .put(&format!("/api/v1/rounds/{round_id}"))
        .bearer(&token)
        .json(&serde_json::to_value(&input).unwrap())
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"][0]["code"], "round-training-plan-unknown");
    input.training_hours = "10".into();
    input.training_plans = "PLAN-2026".into();
    let r = t
        .put(&format!("/api/v1/rounds/{round_id}"))
        .bearer(&token)
        .json(&serde_json::to_value(&input).unwrap())
        .send()
        .await;
    r.expect(StatusCode::OK);

    let show = t
        .get(&format!("/rounds/{round_id}"))
        .session(&m)
        .lang("en")
        .send()
        .await;
    assert!(
        show.text()
            .contains("At least 10 training hours credited this year."),
        "{}",
        show.text()
    );
    assert!(show.text().contains("Completed plans: PLAN-2026."));
    let edit = t
        .get(&format!("/rounds/{round_id}/edit"))
        .session(&m)
        .send()
        .await;
    assert!(edit.text().contains("name=\"training_hours\" value=\"10\""));

    // The demo employee has credited fewer than 10 hours this year.
    let et = t.api_login("employee").await;
    let r = t
        .post(&format!("/api/v1/rounds/{round_id}/applications"))
        .bearer(&et)
        .raw(
            "multipart/form-data; boundary=xhoursx",
            format!(
                "--xhoursx\r\nContent-Disposition: form-data; name=\"level\"\r\n\r\n{level}\r\n--xhoursx--\r\n"
            )
            .into_bytes(),
        )
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    let fields = r.json()["fields"].as_array().unwrap().clone();
    assert!(
        fields
            .iter()
            .any(|f| f["code"] == "apply-training-hours" && f["field"] == "training"),
        "{fields:?}"
    );
}
