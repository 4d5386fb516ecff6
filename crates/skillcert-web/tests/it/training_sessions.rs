//! Training plans, sessions, enrolment and attendance (issue 7).

use std::collections::BTreeMap;

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::roles::{Input, Need, Route, api, page};

/// This area's routes in the role matrix (`roles.rs`), each with what it needs and an
/// invalid input, so an allowed role is refused by validation and a forbidden one by 403.
pub(crate) fn matrix_routes() -> Vec<Route> {
    use Input::*;
    use Need::*;
    const PLAN_FORM: &[(&str, &str)] = &[("code", ""), ("title", "")];
    const SESSION_FORM: &[(&str, &str)] = &[("code", ""), ("topic", "")];
    const SESSION_JSON: &str = r#"{"code": "", "topic": ""}"#;
    vec![
        page("GET", "/training", TrainingRead, None),
        page("GET", "/training/plans", TrainingRead, None),
        page("GET", "/training/plans/new", TrainingManage, None),
        page(
            "POST",
            "/training/plans/new",
            TrainingManage,
            Form(PLAN_FORM),
        ),
        page("GET", "/training/plans/{id}", TrainingRead, None),
        page("GET", "/training/plans/{id}/edit", TrainingManage, None),
        page(
            "POST",
            "/training/plans/{id}/edit",
            TrainingManage,
            Form(PLAN_FORM),
        ),
        page(
            "POST",
            "/training/plans/{id}/status",
            TrainingManage,
            Form(&[("status", "")]),
        ),
        page("GET", "/training/calendar", TrainingRead, None),
        page("GET", "/training-sessions", TrainingRead, None),
        page("GET", "/training-sessions/new", TrainingManage, None),
        page(
            "POST",
            "/training-sessions/new",
            TrainingManage,
            Form(SESSION_FORM),
        ),
        page("GET", "/training-sessions/{id}", TrainingRead, None),
        page("GET", "/training-sessions/{id}/edit", TrainingManage, None),
        page(
            "POST",
            "/training-sessions/{id}/edit",
            TrainingManage,
            Form(SESSION_FORM),
        ),
        page(
            "GET",
            "/training-sessions/{id}/cancel",
            TrainingManage,
            None,
        ),
        page(
            "POST",
            "/training-sessions/{id}/cancel",
            TrainingManage,
            Form(&[]),
        ),
        page(
            "POST",
            "/training-sessions/{id}/enrol",
            TrainingManage,
            Form(&[("employee_nos", "")]),
        ),
        page(
            "POST",
            "/training-sessions/{id}/unenrol",
            TrainingManage,
            Form(&[("employee_id", "")]),
        ),
        page(
            "POST",
            "/training-sessions/{id}/attendance",
            TrainingTeach,
            Form(&[("rest", "")]),
        ),
        page("GET", "/training-sessions/{id}/code", TrainingTeach, None),
        page("GET", "/training-sessions/{id}/ics", TrainingRead, None),
        page("GET", "/my-training", SignedIn, None),
        page("GET", "/check-in", SignedIn, None),
        page(
            "POST",
            "/check-in",
            SignedIn,
            Form(&[("session", ""), ("code", "")]),
        ),
        api("GET", "/training-plans", TrainingRead, None),
        api(
            "POST",
            "/training-plans",
            TrainingManage,
            Json(r#"{"code": "", "title": ""}"#),
        ),
        api("GET", "/training-plans/{id}", TrainingRead, None),
        api(
            "PUT",
            "/training-plans/{id}",
            TrainingManage,
            Json(r#"{"code": "", "title": ""}"#),
        ),
        api(
            "POST",
            "/training-plans/{id}/status",
            TrainingManage,
            Json(r#"{"status": ""}"#),
        ),
        api("GET", "/training-calendar", TrainingRead, None),
        api("GET", "/training-sessions", TrainingRead, None),
        api(
            "POST",
            "/training-sessions",
            TrainingManage,
            Json(SESSION_JSON),
        ),
        api("GET", "/training-sessions/{id}", TrainingRead, None),
        api(
            "PUT",
            "/training-sessions/{id}",
            TrainingManage,
            Json(SESSION_JSON),
        ),
        api(
            "POST",
            "/training-sessions/{id}/cancel",
            TrainingManage,
            None,
        ),
        api("GET", "/training-sessions/{id}/ics", TrainingRead, None),
        api(
            "GET",
            "/training-sessions/{id}/enrolments",
            TrainingRead,
            None,
        ),
        api(
            "POST",
            "/training-sessions/{id}/enrolments",
            TrainingManage,
            Json(r#"{"employee_nos": ""}"#),
        ),
        api(
            "DELETE",
            "/training-sessions/{id}/enrolments/{employee_id}",
            TrainingManage,
            None,
        ),
        api(
            "GET",
            "/training-sessions/{id}/attendance",
            TrainingRead,
            None,
        ),
        api(
            "POST",
            "/training-sessions/{id}/attendance",
            TrainingTeach,
            Json(r#"{"rest": ""}"#),
        ),
        api(
            "PUT",
            "/training-sessions/{id}/attendance/{employee_id}",
            TrainingTeach,
            Json(r#"{"mark": ""}"#),
        ),
        api("GET", "/training-sessions/{id}/code", TrainingTeach, None),
        api("POST", "/check-in", SignedIn, Json(r#"{"code": ""}"#)),
        api("GET", "/me/training", SignedIn, None),
    ]
}

/// A session in CSC-01 running now (09:30–12:00 in Beijing on the test day), lectured by the
/// demo `lecturer`, with one place taken by a CSC-01 employee without an account; and a
/// cancelled one for the cancel routes, which refuse to cancel it again.
async fn matrix_session(t: &TestApp, employee_no: &str) -> (i64, i64) {
    let manager = t.api_login("manager").await;
    let make = |code: &str| {
        json!({
            "code": code, "topic": "矩阵用课程", "level": "basic",
            "starts_at": "2026-11-23T09:30", "ends_at": "2026-11-23T12:00",
            "lecturer": "lecturer", "capacity": 1, "place": "矩阵培训室"
        })
    };
    let r = t
        .post("/api/v1/training-sessions")
        .bearer(&manager)
        .json(&make("MATRIX-TRS"))
        .send()
        .await;
    r.expect(StatusCode::CREATED);
    let id = r.json()["session"]["id"].as_i64().unwrap();
    t.post(&format!("/api/v1/training-sessions/{id}/enrolments"))
        .bearer(&manager)
        .json(&json!({ "employee_nos": employee_no }))
        .send()
        .await
        .expect(StatusCode::OK);
    let r = t
        .post("/api/v1/training-sessions")
        .bearer(&manager)
        .json(&make("MATRIX-TRS-X"))
        .send()
        .await;
    r.expect(StatusCode::CREATED);
    let cancelled = r.json()["session"]["id"].as_i64().unwrap();
    t.post(&format!("/api/v1/training-sessions/{cancelled}/cancel"))
        .bearer(&manager)
        .send()
        .await
        .expect(StatusCode::OK);
    (id, cancelled)
}

/// Records this area's matrix routes point at: `ids` maps a path prefix (`"/surveys/"`) or
/// a named placeholder (`"{code}"`) to the id to use.
pub(crate) async fn matrix_fixture(t: &TestApp, ids: &mut BTreeMap<&'static str, String>) {
    let employee_id: i64 = ids["/employees/"].parse().unwrap();
    let no = {
        let mut r = t.app.db.read().await.unwrap();
        skillcert_store::org::get_employee(&mut r.conn(), employee_id)
            .await
            .unwrap()
            .employee_no
    };
    let (session, cancelled) = matrix_session(t, &no).await;
    let plan = plan_id(t, "PLAN-2026").await;
    ids.insert("/training-sessions/", session.to_string());
    ids.insert("/training/plans/", plan.to_string());
    ids.insert("/training-plans/", plan.to_string());
    for path in [
        "/training-sessions/{id}/cancel",
        "/api/v1/training-sessions/{id}/cancel",
    ] {
        ids.insert(path, cancelled.to_string());
    }
}

/// This area's pages the English-page check (`i18n.rs`) loads as `admin`.
pub(crate) async fn english_pages(t: &TestApp) -> Vec<String> {
    let plan = plan_id(t, "PLAN-2026").await;
    let today = session_id(t, "TRS-2026-TODAY").await;
    let past = session_id(t, "TRS-2026-01").await;
    vec![
        "/training".into(),
        "/training/plans".into(),
        "/training/plans/new".into(),
        format!("/training/plans/{plan}"),
        format!("/training/plans/{plan}/edit"),
        "/training/calendar".into(),
        "/training/calendar?month=2026-11".into(),
        "/training-sessions".into(),
        "/training-sessions/new".into(),
        format!("/training-sessions/new?plan={plan}"),
        format!("/training-sessions/{today}"),
        format!("/training-sessions/{past}"),
        format!("/training-sessions/{today}/edit"),
        format!("/training-sessions/{today}/cancel"),
        format!("/training-sessions/{today}/code"),
        "/my-training".into(),
        "/check-in".into(),
    ]
}

/// Data of this area that may show in Chinese on English pages (names, titles typed by
/// users), for the English-page check.
pub(crate) async fn data_strings(t: &TestApp) -> Vec<String> {
    use skillcert_store::training as store;
    let mut r = t.app.db.read().await.unwrap();
    let c = &mut r.conn();
    let mut v = Vec::new();
    let plans = store::list_plans(
        c,
        &store::PlanQuery {
            page: 1,
            per_page: 500,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    for p in plans.items {
        let row = store::get_plan(c, p.id).await.unwrap();
        v.push(row.title.clone());
        let stages: Vec<Value> = serde_json::from_str(&row.stages).unwrap_or_default();
        v.extend(
            stages
                .iter()
                .filter_map(|s| s["name"].as_str().map(str::to_string)),
        );
        v.push(format!("{} {}", row.code, row.title));
    }
    let sessions = store::list_sessions(
        c,
        &store::SessionQuery {
            page: 1,
            per_page: 500,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    for s in sessions.items {
        let row = store::get_session(c, s.id).await.unwrap();
        for text in [
            &row.topic,
            &row.goal,
            &row.place,
            &row.online_link,
            &row.lecturer_external,
            &row.target_group,
            &row.outline,
            &row.materials,
            &row.assessment_method,
        ] {
            if !text.is_empty() {
                v.push(text.clone());
                // As the audit page shows it, inside the row's JSON.
                let json = serde_json::to_string(text).unwrap();
                v.push(json.trim_matches('"').to_string());
            }
        }
        v.push(format!("{} {}", row.code, row.topic));
        for e in store::enrolled(c, s.id).await.unwrap() {
            v.push(e.name);
            v.push(e.department);
            v.extend(e.position);
        }
    }
    for u in skillcert_store::users::list_users(c).await.unwrap() {
        v.push(u.display_name);
    }
    for d in skillcert_store::org::list_departments(c).await.unwrap() {
        v.push(format!("{} {}", d.code, d.name));
        v.push(d.name);
    }
    for p in skillcert_store::org::list_positions(c).await.unwrap() {
        v.push(format!("{} {}", p.code, p.name));
        v.push(p.name);
    }
    v
}

async fn plan_id(t: &TestApp, code: &str) -> i64 {
    let mut r = t.app.db.read().await.unwrap();
    skillcert_store::training::plan_by_code(&mut r.conn(), code)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("demo plan {code}"))
        .id
}

async fn session_id(t: &TestApp, code: &str) -> i64 {
    let mut r = t.app.db.read().await.unwrap();
    skillcert_store::training::session_by_code(&mut r.conn(), code)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("demo session {code}"))
        .id
}

async fn employee_of(t: &TestApp, username: &str) -> i64 {
    let mut r = t.app.db.read().await.unwrap();
    skillcert_store::users::find_user_by_username(&mut r.conn(), username)
        .await
        .unwrap()
        .unwrap()
        .employee_id
        .unwrap()
}

async fn mark_of(t: &TestApp, session: i64, employee: i64) -> Option<String> {
    let mut r = t.app.db.read().await.unwrap();
    skillcert_store::training::get_mark(&mut r.conn(), session, employee)
        .await
        .unwrap()
        .map(|m| m.mark)
}

async fn enrolled_count(t: &TestApp, session: i64) -> usize {
    let mut r = t.app.db.read().await.unwrap();
    skillcert_store::training::enrolled(&mut r.conn(), session)
        .await
        .unwrap()
        .len()
}

async fn credited(t: &TestApp, session: i64, employee: i64) -> usize {
    let mut r = t.app.db.read().await.unwrap();
    skillcert_store::training_records::ledger_of_employee(&mut r.conn(), employee, 2026)
        .await
        .unwrap()
        .into_iter()
        .filter(|l| l.session_id == Some(session))
        .count()
}

/// The first problem code of a refused API call.
fn problem(r: &Resp) -> String {
    r.json()["fields"][0]["code"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn current_code(t: &TestApp, token: &str, session: i64) -> Option<String> {
    let r = t
        .get(&format!("/api/v1/training-sessions/{session}/code"))
        .bearer(token)
        .send()
        .await;
    r.expect(StatusCode::OK);
    r.json()["code"].as_str().map(str::to_string)
}

#[tokio::test]
async fn the_demo_has_the_plan_and_its_sessions() {
    let t = TestApp::new().await;
    let token = t.api_login("manager").await;
    let plan = plan_id(&t, "PLAN-2026").await;
    let r = t
        .get(&format!("/api/v1/training-plans/{plan}"))
        .bearer(&token)
        .send()
        .await;
    r.expect(StatusCode::OK);
    let d = r.json();
    assert_eq!(d["plan"]["status"], "published");
    assert_eq!(d["stages"].as_array().unwrap().len(), 4);
    let codes: Vec<&str> = d["topics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["code"].as_str())
        .collect();
    for code in [
        "TRS-2026-01",
        "TRS-2026-02",
        "TRS-2026-TODAY",
        "TRS-2026-NEXT",
    ] {
        assert!(codes.contains(&code), "{code} in {codes:?}");
    }
    let employee = employee_of(&t, "employee").await;
    let past = session_id(&t, "TRS-2026-01").await;
    assert_eq!(
        mark_of(&t, past, employee).await.as_deref(),
        Some("present")
    );
    assert_eq!(
        credited(&t, past, employee).await,
        1,
        "present credits hours"
    );
    let today = session_id(&t, "TRS-2026-TODAY").await;
    assert_eq!(mark_of(&t, today, employee).await, None);
    let lecturer = t.api_login("lecturer").await;
    let r = t
        .get(&format!("/api/v1/training-sessions/{today}"))
        .bearer(&lecturer)
        .send()
        .await;
    r.expect(StatusCode::OK);
    let s = r.json();
    assert_eq!(s["check_in_open"], true, "today's session runs now");
    assert_eq!(s["may_teach"], true, "the demo lecturer lectures it");
    let next = session_id(&t, "TRS-2026-NEXT").await;
    let r = t
        .get(&format!("/api/v1/training-sessions/{next}"))
        .bearer(&token)
        .send()
        .await;
    assert!(r.json()["places_left"].as_i64().unwrap() > 0);
    // The employee heard about their sessions in the inbox.
    let me = t.api_login("employee").await;
    let inbox = t.get("/api/v1/inbox").bearer(&me).send().await;
    assert!(
        inbox.text().contains("inbox-training-enrolled"),
        "{}",
        inbox.text()
    );
}

/// The browser flow of the issue: the lecturer opens the session and shows the code, the
/// employee checks in with it; present credits the hours, and the roster shows the mark.
#[tokio::test]
async fn a_lecturer_shows_the_code_and_an_employee_checks_in() {
    let t = TestApp::new().await;
    let today = session_id(&t, "TRS-2026-TODAY").await;
    let employee = employee_of(&t, "employee").await;
    let lecturer = t.web_login("lecturer").await;
    let page = t
        .get(&format!("/training-sessions/{today}"))
        .session(&lecturer)
        .send()
        .await;
    page.expect(StatusCode::OK);
    assert!(
        page.text()
            .contains(&format!("/training-sessions/{today}/code"))
    );
    let screen = t
        .get(&format!("/training-sessions/{today}/code"))
        .session(&lecturer)
        .send()
        .await;
    screen.expect(StatusCode::OK);
    assert!(screen.headers.get("refresh").is_some(), "reloads by itself");
    let token = t.api_login("lecturer").await;
    let code = current_code(&t, &token, today).await.expect("a code now");
    let html = screen.text();
    assert!(html.contains(&code), "the code is shown big");
    assert!(html.contains("<svg"), "and as a QR code");
    assert!(
        html.contains(&format!("check-in?session={today}&#38;code={code}")),
        "the QR's address is shown"
    );

    let me = t.web_login("employee").await;
    let mine = t.get("/my-training").session(&me).send().await;
    mine.expect(StatusCode::OK);
    assert!(
        mine.text().contains("name=\"code\""),
        "a code box on the running session"
    );
    // The QR's address opens a confirmation with the code filled in.
    let confirm = t
        .get(&format!("/check-in?session={today}&code={code}"))
        .session(&me)
        .send()
        .await;
    confirm.expect(StatusCode::OK);
    assert!(confirm.text().contains(&code));
    assert_eq!(
        mark_of(&t, today, employee).await,
        None,
        "a GET changes nothing"
    );
    let r = t
        .post("/check-in")
        .session(&me)
        .form(&[
            ("_csrf", me.csrf.as_str()),
            ("session", &today.to_string()),
            ("code", &code),
        ])
        .send()
        .await;
    assert_eq!(
        r.location().as_deref(),
        Some("/my-training?done=checked-in-late"),
        "an hour after the start is late"
    );
    assert_eq!(mark_of(&t, today, employee).await.as_deref(), Some("late"));
    assert_eq!(credited(&t, today, employee).await, 1);
    // The lecturer's mark wins over the self check-in, and a second check-in changes nothing.
    let r = t
        .put(&format!(
            "/api/v1/training-sessions/{today}/attendance/{employee}"
        ))
        .bearer(&token)
        .json(&json!({ "mark": "present" }))
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(r.json()[0]["mark_source"], "lecturer");
    let emp_token = t.api_login("employee").await;
    let r = t
        .post("/api/v1/check-in")
        .bearer(&emp_token)
        .json(&json!({ "session_id": today, "code": code }))
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(
        r.json(),
        json!({"outcome": "lecturer_mark_kept", "mark": "present"})
    );
    assert_eq!(credited(&t, today, employee).await, 1, "credited once");
    // Absent takes the hours back.
    t.put(&format!(
        "/api/v1/training-sessions/{today}/attendance/{employee}"
    ))
    .bearer(&token)
    .json(&json!({ "mark": "absent" }))
    .send()
    .await
    .expect(StatusCode::OK);
    assert_eq!(credited(&t, today, employee).await, 0);
    let roster = t
        .get(&format!("/training-sessions/{today}"))
        .session(&lecturer)
        .send()
        .await;
    assert!(roster.text().contains("缺勤"));
}

/// The code changes every minute under a fixed clock; the previous minute's code is still
/// accepted, older ones are expired and refused with nothing changed, in both languages.
#[tokio::test]
async fn check_in_codes_rotate_and_expire() {
    let t = TestApp::new().await;
    let today = session_id(&t, "TRS-2026-TODAY").await;
    let employee = employee_of(&t, "employee").await;
    let lecturer = t.api_login("lecturer").await;
    let me = t.api_login("employee").await;
    let first = current_code(&t, &lecturer, today).await.unwrap();
    let r = t
        .get(&format!("/api/v1/training-sessions/{today}/code"))
        .bearer(&lecturer)
        .send()
        .await;
    let left = r.json()["seconds_left"].as_i64().unwrap();
    assert!((1..=60).contains(&left));
    t.advance(chrono::Duration::seconds(left));
    let second = current_code(&t, &lecturer, today).await.unwrap();
    assert_ne!(first, second, "a new minute, a new code");
    t.advance(chrono::Duration::minutes(2));
    for (lang, words) in [("en", "expired"), ("zh-CN", "已过期")] {
        let r = t
            .post("/api/v1/check-in")
            .bearer(&me)
            .lang(lang)
            .json(&json!({ "session_id": today, "code": first }))
            .send()
            .await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem(&r), "checkin-code-expired");
        assert!(r.text().contains(words), "{}", r.text());
    }
    let s = t.web_login("employee").await;
    let r = t
        .post("/check-in")
        .session(&s)
        .lang("en")
        .form(&[
            ("_csrf", s.csrf.as_str()),
            ("session", &today.to_string()),
            ("code", &first),
        ])
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("This check-in code has expired"));
    assert_eq!(mark_of(&t, today, employee).await, None, "nothing changed");
    assert_eq!(credited(&t, today, employee).await, 0);
    // A wrong code.
    let r = t
        .post("/api/v1/check-in")
        .bearer(&me)
        .json(&json!({ "session_id": today, "code": "12345x" }))
        .send()
        .await;
    assert_eq!(problem(&r), "checkin-code-format");
    // The previous minute's code is accepted (grace).
    let now = current_code(&t, &lecturer, today).await.unwrap();
    t.advance(chrono::Duration::seconds(60));
    let r = t
        .post("/api/v1/check-in")
        .bearer(&me)
        .json(&json!({ "session_id": today, "code": now }))
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(r.json()["outcome"], "recorded");
}

/// Outside the session (before check-in opens, after the end) and for a session one is not
/// enrolled in: a clear refusal, nothing changed.
#[tokio::test]
async fn check_in_outside_the_session_is_refused() {
    let t = TestApp::new().await;
    let me = t.api_login("employee").await;
    let employee = employee_of(&t, "employee").await;
    let next = session_id(&t, "TRS-2026-NEXT").await;
    let manager = t.api_login("manager").await;
    assert_eq!(
        current_code(&t, &manager, next).await,
        None,
        "no code before it opens"
    );
    for (lang, words) in [
        (
            "en",
            "Check-in is possible only from shortly before the start",
        ),
        ("zh-CN", "只能在课程开始前不久至课程结束之间签到"),
    ] {
        let r = t
            .post("/api/v1/check-in")
            .bearer(&me)
            .lang(lang)
            .json(&json!({ "session_id": next, "code": "123456" }))
            .send()
            .await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem(&r), "checkin-outside-session");
        assert!(r.text().contains(words), "{}", r.text());
    }
    assert_eq!(mark_of(&t, next, employee).await, None);
    // After the end of today's session, even its last code is refused.
    let today = session_id(&t, "TRS-2026-TODAY").await;
    let lecturer = t.api_login("lecturer").await;
    t.advance(chrono::Duration::minutes(179));
    let last = current_code(&t, &lecturer, today)
        .await
        .expect("still open");
    t.advance(chrono::Duration::minutes(2));
    assert_eq!(current_code(&t, &lecturer, today).await, None);
    let r = t
        .post("/api/v1/check-in")
        .bearer(&me)
        .json(&json!({ "session_id": today, "code": last }))
        .send()
        .await;
    assert_eq!(problem(&r), "checkin-outside-session");
    assert_eq!(mark_of(&t, today, employee).await, None);
    // Not enrolled.
    let other = session_id(&t, "TRS-2026-02").await;
    let r = t
        .post("/api/v1/check-in")
        .bearer(&me)
        .json(&json!({ "session_id": other, "code": "123456" }))
        .send()
        .await;
    assert_eq!(problem(&r), "checkin-not-enrolled");
}

/// Enrolling over the capacity or twice: a clear message, nobody enrolled (on SQLite and,
/// when enabled, PostgreSQL).
#[tokio::test]
async fn enrolment_never_exceeds_the_capacity_nor_repeats() {
    for t in TestApp::all().await {
        enrolment_on(&t).await;
    }
}

async fn enrolment_on(t: &TestApp) {
    let manager = t.api_login("manager").await;
    let r = t
        .post("/api/v1/training-sessions")
        .bearer(&manager)
        .json(&json!({
            "code": "CAP-2", "topic": "容量测试", "starts_at": "2026-12-01T09:00",
            "ends_at": "2026-12-01T11:00", "lecturer_external": "外部讲师", "capacity": "2"
        }))
        .send()
        .await;
    r.expect(StatusCode::CREATED);
    let id = r.json()["session"]["id"].as_i64().unwrap();
    let a = t.employee_in("CSC-01").await;
    let r = t
        .post(&format!("/api/v1/training-sessions/{id}/enrolments"))
        .bearer(&manager)
        .json(&json!({ "employee_nos": a.employee_no }))
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(r.json()["enrolled"], 1);
    assert_eq!(r.json()["places_left"], 1);
    let messages = t.count("inbox_messages").await;
    // Twice.
    for (lang, words) in [("en", "Already enrolled"), ("zh-CN", "已报名")] {
        let r = t
            .post(&format!("/api/v1/training-sessions/{id}/enrolments"))
            .bearer(&manager)
            .lang(lang)
            .json(&json!({ "employee_nos": a.employee_no }))
            .send()
            .await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem(&r), "enrol-twice");
        assert!(r.text().contains(words), "{}", r.text());
    }
    // A whole department does not fit in the one place left.
    let dept = t.department_id("CSC-01").await;
    for (lang, words) in [
        ("en", "capacity cannot be exceeded"),
        ("zh-CN", "人数上限不能突破"),
    ] {
        let r = t
            .post(&format!("/api/v1/training-sessions/{id}/enrolments"))
            .bearer(&manager)
            .lang(lang)
            .json(&json!({ "department_id": dept }))
            .send()
            .await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem(&r), "enrol-over-capacity");
        assert!(r.text().contains(words), "{}", r.text());
    }
    assert_eq!(enrolled_count(t, id).await, 1, "nothing changed");
    assert_eq!(t.count("inbox_messages").await, messages, "nobody notified");
    // The page says so too, next to the form.
    let s = t.web_login("manager").await;
    let r = t
        .post(&format!("/training-sessions/{id}/enrol"))
        .session(&s)
        .lang("en")
        .form(&[
            ("_csrf", s.csrf.as_str()),
            ("employee_nos", ""),
            ("department_id", &dept.to_string()),
            ("position_id", ""),
        ])
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("Not enough places left"));
    assert_eq!(enrolled_count(t, id).await, 1);
    // One more person fits; then the session is full.
    let b = t.employee_in("CSC-02").await;
    let r = t
        .post(&format!("/training-sessions/{id}/enrol"))
        .session(&s)
        .form(&[("_csrf", s.csrf.as_str()), ("employee_nos", &b.employee_no)])
        .send()
        .await;
    assert_eq!(
        r.location().as_deref(),
        Some(format!("/training-sessions/{id}?done=enrolled#roster").as_str())
    );
    let c = t.employee_in("CSC-03").await;
    let r = t
        .post(&format!("/api/v1/training-sessions/{id}/enrolments"))
        .bearer(&manager)
        .json(&json!({ "employee_nos": c.employee_no }))
        .send()
        .await;
    assert_eq!(problem(&r), "enrol-over-capacity");
    assert_eq!(enrolled_count(t, id).await, 2);
    // Unknown people are refused as a whole.
    let r = t
        .post(&format!("/api/v1/training-sessions/{id}/enrolments"))
        .bearer(&manager)
        .json(&json!({ "employee_nos": "NO-SUCH-1" }))
        .send()
        .await;
    assert_eq!(problem(&r), "enrol-unknown-employee");
}

/// A manager plans the year: a draft plan shown well, a topic added from it, published; a
/// refused plan keeps what was typed.
#[tokio::test]
async fn plans_are_drafted_shown_and_published() {
    let t = TestApp::new().await;
    let s = t.web_login("manager").await;
    let r = t
        .post("/training/plans/new")
        .session(&s)
        .lang("en")
        .form(&[
            ("_csrf", s.csrf.as_str()),
            ("code", "PLAN-2027"),
            ("year", "2027"),
            ("title", "2027 年度计划"),
            ("stage_name", "第一季度"),
            ("stage_starts", "2027-03-01"),
            ("stage_ends", "2027-01-31"),
        ])
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("A stage ends before it starts"));
    assert!(r.text().contains("2027 年度计划"), "the values typed stay");
    let plans = t.count("training_plans").await;
    let r = t
        .post("/training/plans/new")
        .session(&s)
        .form(&[
            ("_csrf", s.csrf.as_str()),
            ("code", "PLAN-2027"),
            ("year", "2027"),
            ("title", "2027 年度计划"),
            ("stage_name", "第一季度"),
            ("stage_starts", "2027-01-01"),
            ("stage_ends", "2027-03-31"),
            ("stage_name", ""),
            ("stage_starts", ""),
            ("stage_ends", ""),
        ])
        .send()
        .await;
    assert_eq!(t.count("training_plans").await, plans + 1);
    let at = r.location().unwrap();
    assert!(at.ends_with("?done=plan-created"), "{at}");
    let page = t.get(&at).session(&s).lang("en").send().await;
    page.expect(StatusCode::OK);
    let html = page.text();
    assert!(html.contains("Draft") && html.contains("第一季度"));
    assert!(html.contains("No topic yet"));
    let id: i64 = at
        .trim_start_matches("/training/plans/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(html.contains(&format!("/training-sessions/new?plan={id}")));
    // A topic from the plan.
    let r = t
        .post("/training-sessions/new")
        .session(&s)
        .form(&[
            ("_csrf", s.csrf.as_str()),
            ("plan_id", &id.to_string()),
            ("code", "TRS-2027-01"),
            ("topic", "新员工入职培训"),
            ("level", "basic"),
            ("goal", "新员工培训后满意度 ≥ 4.5 / 5"),
            ("starts_at", "2027-01-10T09:00"),
            ("ends_at", "2027-01-10T17:00"),
            ("place", "培训室"),
            ("lecturer", "lecturer"),
            ("capacity", "30"),
            ("mandatory", "on"),
            ("open_lead_minutes", "15"),
            ("late_after_minutes", "10"),
        ])
        .send()
        .await;
    let session_at = r.location().expect("created");
    assert!(session_at.contains("done=session-created"), "{session_at}");
    let page = t
        .get(&format!("/training/plans/{id}"))
        .session(&s)
        .send()
        .await;
    assert!(page.text().contains("新员工入职培训"));
    // Publish.
    let r = t
        .post(&format!("/training/plans/{id}/status"))
        .session(&s)
        .form(&[("_csrf", s.csrf.as_str()), ("status", "published")])
        .send()
        .await;
    assert!(r.status.is_redirection());
    let token = t.api_login("manager").await;
    let d = t
        .get(&format!("/api/v1/training-plans/{id}"))
        .bearer(&token)
        .send()
        .await
        .json();
    assert_eq!(d["plan"]["status"], "published");
    assert_eq!(d["topics"][0]["code"], "TRS-2027-01");
    // A step the plan cannot take.
    let r = t
        .post(&format!("/api/v1/training-plans/{id}/status"))
        .bearer(&token)
        .json(&json!({ "status": "published" }))
        .send()
        .await;
    assert_eq!(problem(&r), "plan-status-step");
}

/// Changing a session tells those enrolled; cancelling asks first (a page of its own) and
/// tells them too; the .ics follows RFC 5545.
#[tokio::test]
async fn sessions_change_cancel_and_export() {
    let t = TestApp::new().await;
    let next = session_id(&t, "TRS-2026-NEXT").await;
    let s = t.web_login("manager").await;
    let token = t.api_login("manager").await;
    let ics = t
        .get(&format!("/training-sessions/{next}/ics"))
        .session(&s)
        .send()
        .await;
    ics.expect(StatusCode::OK);
    assert!(
        ics.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let text = ics.text();
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(text.contains(&format!("UID:training-session-{next}@")));
    assert!(text.contains("DTSTART:2026120"), "{text}");
    assert!(
        text.split('\n').all(|l| l.ends_with('\r') || l.is_empty()),
        "every line ends with CRLF"
    );
    assert!(text.contains("STATUS:CONFIRMED"));
    // The employee enrolled may download it too; someone else may not.
    let me = t.web_login("employee").await;
    t.get(&format!("/training-sessions/{next}/ics"))
        .session(&me)
        .send()
        .await
        .expect(StatusCode::OK);
    let judge = t.web_login("judge").await;
    t.get(&format!("/training-sessions/{next}/ics"))
        .session(&judge)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);

    let d = t
        .get(&format!("/api/v1/training-sessions/{next}"))
        .bearer(&token)
        .send()
        .await
        .json();
    let mut body = d["session"].clone();
    body["lecturer"] = json!("lecturer");
    body["starts_at"] = json!("2026-12-08T09:00");
    body["ends_at"] = json!("2026-12-08T12:00");
    body["place"] = json!("总部培训中心 305 室");
    body["skills"] = json!("");
    let messages = t.count("inbox_messages").await;
    let r = t
        .put(&format!("/api/v1/training-sessions/{next}"))
        .bearer(&token)
        .json(&body)
        .send()
        .await;
    r.expect(StatusCode::OK);
    // Only those enrolled who have an account can read a notice: the demo employee here.
    assert_eq!(t.count("inbox_messages").await, messages + 1);
    let inbox = t
        .get("/api/v1/inbox")
        .bearer(&t.api_login("employee").await)
        .send()
        .await;
    assert!(inbox.text().contains("inbox-training-changed"));
    assert!(inbox.text().contains("总部培训中心 305 室"));
    // Cancelling: the confirmation page first.
    let confirm = t
        .get(&format!("/training-sessions/{next}/cancel"))
        .session(&s)
        .send()
        .await;
    confirm.expect(StatusCode::OK);
    assert!(confirm.text().contains("data-confirm"));
    let r = t
        .post(&format!("/training-sessions/{next}/cancel"))
        .session(&s)
        .form(&[("_csrf", s.csrf.as_str())])
        .send()
        .await;
    assert!(r.location().unwrap().contains("done=session-cancelled"));
    let inbox = t
        .get("/api/v1/inbox")
        .bearer(&t.api_login("employee").await)
        .send()
        .await;
    assert!(inbox.text().contains("inbox-training-cancelled"));
    let text = t
        .get(&format!("/api/v1/training-sessions/{next}/ics"))
        .bearer(&token)
        .send()
        .await
        .text();
    assert!(text.contains("STATUS:CANCELLED"));
    // Cancelled twice: refused.
    let r = t
        .post(&format!("/api/v1/training-sessions/{next}/cancel"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(problem(&r), "session-cancelled");
}

/// A lecturer runs only their own sessions; a supervisor reads but does not mark.
#[tokio::test]
async fn lecturers_run_only_their_own_sessions() {
    let t = TestApp::new().await;
    let manager = t.api_login("manager").await;
    let r = t
        .post("/api/v1/training-sessions")
        .bearer(&manager)
        .json(&json!({
            "code": "OTHER-1", "topic": "他人课程", "starts_at": "2026-11-23T09:00",
            "ends_at": "2026-11-23T12:00", "lecturer": "manager"
        }))
        .send()
        .await;
    r.expect(StatusCode::CREATED);
    let id = r.json()["session"]["id"].as_i64().unwrap();
    let lecturer = t.api_login("lecturer").await;
    t.get(&format!("/api/v1/training-sessions/{id}/code"))
        .bearer(&lecturer)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    t.post(&format!("/api/v1/training-sessions/{id}/attendance"))
        .bearer(&lecturer)
        .json(&json!({ "rest": "absent" }))
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    let supervisor = t.api_login("supervisor").await;
    t.get(&format!("/api/v1/training-sessions/{id}"))
        .bearer(&supervisor)
        .send()
        .await
        .expect(StatusCode::OK);
    let today = session_id(&t, "TRS-2026-TODAY").await;
    t.get(&format!("/api/v1/training-sessions/{today}/code"))
        .bearer(&supervisor)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    // Bulk: everyone else absent, only those unmarked.
    let r = t
        .post(&format!("/api/v1/training-sessions/{today}/attendance"))
        .bearer(&lecturer)
        .json(&json!({ "rest": "absent" }))
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(
        r.json()["changed"].as_i64().unwrap(),
        enrolled_count(&t, today).await as i64
    );
    let employee = employee_of(&t, "employee").await;
    assert_eq!(
        mark_of(&t, today, employee).await.as_deref(),
        Some("absent")
    );
}

#[tokio::test]
async fn the_calendar_shows_the_month() {
    let t = TestApp::new().await;
    let s = t.web_login("lecturer").await;
    let r = t
        .get("/training/calendar?month=2026-11")
        .session(&s)
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert!(r.text().contains("来电倾听与需求确认"));
    let r = t
        .get("/training/calendar?month=2026-13")
        .session(&s)
        .lang("en")
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("YYYY-MM"));
    let token = t.api_login("lecturer").await;
    let r = t
        .get("/api/v1/training-calendar?month=2026-11")
        .bearer(&token)
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert!(
        r.json()
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["code"] == "TRS-2026-TODAY")
    );
    let r = t
        .get("/training-sessions?q=TRS-2026&when=upcoming")
        .session(&s)
        .send()
        .await;
    assert!(r.text().contains("TRS-2026-NEXT") && !r.text().contains("TRS-2026-01<"));
}

#[test]
fn dynamic_keys_exist_in_both_languages() {
    use skillcert_web::i18n::{Lang, has};
    for k in skillcert_web::html::training_sessions::dynamic_keys() {
        for lang in [Lang::En, Lang::ZhCn] {
            assert!(has(lang, &k), "{k} missing in {lang:?}");
        }
    }
}
