//! The staff side of theory exams through the API and the pages: planning and publishing
//! sessions, overrides, offline scores, closing and reopening attempts, marking, results and
//! item analysis, and who may do what.

use axum::http::StatusCode;
use serde_json::{Value, json};
use skillcert_app::Actor;
use skillcert_app::exams::attempts::{self, ItemView};
use skillcert_domain::demo::DEMO_PASSWORD;
use skillcert_domain::exam::answer::{Answer, MultiplePolicy};
use skillcert_domain::exam::paper::{PaperSpec, Part};
use skillcert_domain::exam::question::{Body, Difficulty, Question, QuestionType};
use skillcert_domain::scheme::Score;
use skillcert_web::i18n::{Lang, has, t as tr};

use crate::helpers::*;

// ---------- building blocks ----------

/// A signed-in actor for a demo (or test) account, as the services see it.
pub async fn actor(t: &TestApp, username: &str) -> Actor {
    let token = t.api_login(username).await;
    skillcert_app::auth::authenticate(&t.app, &token)
        .await
        .expect("the fresh token authenticates")
}

/// Single-choice questions (key `A`, 20 points each) and, with `short`, one short answer of
/// 20 points, in a paper declaring `total` hundredths. Returns the paper's id.
pub async fn paper(t: &TestApp, code: &str, singles: usize, short: bool, total: u32) -> i64 {
    let now = t.app.now();
    let mut tx = t.app.db.begin().await.unwrap();
    let c = &mut tx.conn();
    let mut parts = Vec::new();
    for i in 0..singles {
        let q = Question {
            stem: format!("{code} single {i}: which is right?"),
            body: Body::Single {
                options: vec!["right".into(), "wrong".into(), "also wrong".into()],
                key: 0,
            },
            points: Score::points(20),
            tags: Vec::new(),
            difficulty: Difficulty::DEFAULT,
            explanation: None,
        };
        let (id, _) = skillcert_store::questions::insert(c, &format!("{code}-S{i}"), &q, None, now)
            .await
            .unwrap();
        parts.push(Part::Fixed {
            question_id: id,
            points: None,
        });
    }
    if short {
        let q = Question {
            stem: format!("{code} short: how do you greet a caller?"),
            body: Body::Short {
                key_points: vec!["greets by name".into(), "offers help".into()],
                model_answer: Some("Good morning, this is Li; how may I help?".into()),
            },
            points: Score::points(20),
            tags: Vec::new(),
            difficulty: Difficulty::DEFAULT,
            explanation: None,
        };
        let (id, _) = skillcert_store::questions::insert(c, &format!("{code}-SA"), &q, None, now)
            .await
            .unwrap();
        parts.push(Part::Fixed {
            question_id: id,
            points: None,
        });
    }
    let spec = PaperSpec {
        total,
        policy: MultiplePolicy::AllOrNothing,
        shuffle_questions: false,
        shuffle_options: false,
        parts,
    };
    let p = skillcert_store::papers::insert(c, code, &format!("Paper {code}"), &spec, now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    p.id
}

/// A session open today 09:00–18:00 (the tests start at 10:00) for `departments`.
pub fn session_body(code: &str, paper_id: Option<i64>, departments: &[i64]) -> Value {
    json!({
        "code": code,
        "title": format!("Exam {code}"),
        "paper_id": paper_id,
        "mode": "online",
        "opens_at": "2026-11-23 09:00",
        "closes_at": "2026-11-23 18:00",
        "duration_minutes": "60",
        "attempts_allowed": "1",
        "pass_mark": "60",
        "review": "score_when_graded",
        "audience": "departments",
        "departments": departments,
    })
}

/// Creates a session through the API; returns its id.
pub async fn create(t: &TestApp, token: &str, body: &Value) -> i64 {
    let r = t
        .post("/api/v1/exam-sessions")
        .bearer(token)
        .json(body)
        .send()
        .await;
    r.expect(StatusCode::CREATED);
    r.json()["id"].as_i64().unwrap()
}

pub async fn publish(t: &TestApp, token: &str, id: i64) -> Resp {
    t.post(&format!("/api/v1/exam-sessions/{id}/publish"))
        .bearer(token)
        .send()
        .await
}

/// A published online session for CSC-01 with `singles` single-choice questions and,
/// with `short`, one short answer (100 points in all).
pub async fn published(t: &TestApp, token: &str, code: &str, short: bool, double: bool) -> i64 {
    let singles = if short { 4 } else { 5 };
    let paper_id = paper(t, code, singles, short, 10_000).await;
    let mut body = session_body(code, Some(paper_id), &[t.department_id("CSC-01").await]);
    if double {
        body["double_marking"] = json!(true);
        body["divergence"] = json!("5");
    }
    let id = create(t, token, &body).await;
    publish(t, token, id).await.expect(StatusCode::OK);
    id
}

/// Sits an exam: single choices right for the positions in `right` (others wrong), the
/// short answer written; submits. Returns the attempt id.
pub async fn sit(t: &TestApp, who: &Actor, session_id: i64, right: &[i32]) -> i64 {
    let (view, _) = attempts::start(&t.app, who, session_id).await.unwrap();
    for (seq, item) in (1..).zip(view.items.iter()) {
        let answer = answer_for(item, right.contains(&item.position));
        attempts::save(&t.app, who, view.attempt_id, item.position, seq, answer)
            .await
            .unwrap();
    }
    attempts::submit(&t.app, who, view.attempt_id)
        .await
        .unwrap();
    view.attempt_id
}

fn answer_for(item: &ItemView, right: bool) -> Answer {
    match item.qtype {
        QuestionType::Short => Answer::Text("Good morning, how may I help you?".into()),
        _ => Answer::Choice(vec![if right { 0 } else { 1 }]),
    }
}

/// An employee of `department` with a user account of their own (password: the demo one).
pub async fn candidate(t: &TestApp, admin: &str, department: &str, nth: usize) -> Actor {
    let linked: Vec<i64> = {
        let mut r = t.app.db.read().await.unwrap();
        skillcert_store::users::list_users(&mut r.conn())
            .await
            .unwrap()
            .into_iter()
            .filter_map(|u| u.employee_id)
            .collect()
    };
    let d = t.department_id(department).await;
    let e = {
        let mut r = t.app.db.read().await.unwrap();
        let mut all: Vec<_> = skillcert_store::org::all_employees(&mut r.conn())
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.department_id == d && !linked.contains(&e.id))
            .collect();
        all.sort_by_key(|e| e.id);
        all.swap_remove(nth.min(all.len() - 1))
    };
    let username = format!("cand-{}", e.employee_no.to_lowercase());
    let r = t
        .post("/api/v1/users")
        .bearer(admin)
        .json(&json!({
            "username": username,
            "display_name": "",
            "password": DEMO_PASSWORD,
            "employee_no": e.employee_no,
        }))
        .send()
        .await;
    r.expect(StatusCode::CREATED);
    actor(t, &username).await
}

/// The short answer's position in a paper made by [`paper`] with `short`: the last.
const SHORT_POSITION: i32 = 4;

/// What the role matrix opens: a published session for CSC-01 whose only attempt (by the
/// demo `employee`) is graded, its short answer marked.
pub struct MatrixIds {
    pub session_id: i64,
    pub attempt_id: i64,
    pub position: i32,
}

pub async fn matrix_fixture(t: &TestApp) -> MatrixIds {
    let admin = t.api_login("admin").await;
    let session_id = published(t, &admin, "MATRIX-1", true, false).await;
    let employee = actor(t, "employee").await;
    let attempt_id = sit(t, &employee, session_id, &[0, 1, 2, 3]).await;
    let marker = actor(t, "admin").await;
    skillcert_app::exams::marking::mark(
        &t.app,
        &marker,
        attempt_id,
        SHORT_POSITION,
        &skillcert_app::exams::marking::MarkInput {
            score: "10".into(),
            comment: String::new(),
        },
    )
    .await
    .unwrap();
    MatrixIds {
        session_id,
        attempt_id,
        position: SHORT_POSITION,
    }
}

fn field_codes(r: &Resp) -> Vec<(String, String)> {
    r.json()["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn has_field(r: &Resp, field: &str, code: &str) -> bool {
    field_codes(r).iter().any(|(f, c)| f == field && c == code)
}

async fn results(t: &TestApp, token: &str, id: i64, query: &str) -> Value {
    let r = t
        .get(&format!("/api/v1/exam-sessions/{id}/results{query}"))
        .bearer(token)
        .send()
        .await;
    r.expect(StatusCode::OK);
    r.json()
}

// ---------- sessions ----------

#[tokio::test]
async fn a_session_is_planned_published_and_listed() {
    for t in TestApp::all().await {
        let token = t.api_login("manager").await;
        let paper_id = paper(&t, "PLAN", 5, false, 10_000).await;
        let csc01 = t.department_id("CSC-01").await;
        let r = t
            .post("/api/v1/exam-sessions")
            .bearer(&token)
            .json(&session_body("PLAN-1", Some(paper_id), &[csc01]))
            .send()
            .await;
        r.expect(StatusCode::CREATED);
        let s = r.json();
        let id = s["id"].as_i64().unwrap();
        assert_eq!(
            r.location().as_deref(),
            Some(format!("/api/v1/exam-sessions/{id}").as_str())
        );
        assert_eq!(s["status"], "draft");
        assert_eq!(s["departments"], json!([csc01]));
        assert_eq!(s["pass_mark"], 6000);
        // 09:00 in Beijing is 01:00 UTC.
        assert_eq!(s["opens_at"], "2026-11-23T01:00:00Z");

        let r = t
            .put(&format!("/api/v1/exam-sessions/{id}"))
            .bearer(&token)
            .json(&json!({
                "code": "PLAN-1", "title": "Renamed", "paper_id": paper_id,
                "opens_at": "2026-11-23T09:00", "closes_at": "2026/11/23 18:00",
                "duration_minutes": "45", "pass_mark": "72.5",
                "audience": "departments", "departments": [csc01]
            }))
            .send()
            .await;
        r.expect(StatusCode::OK);
        assert_eq!(r.json()["title"], "Renamed");
        assert_eq!(r.json()["pass_mark"], 7250);

        let r = publish(&t, &token, id).await;
        r.expect(StatusCode::OK);
        assert_eq!(r.json()["status"], "published");
        // Published sessions no longer change.
        let r = t
            .put(&format!("/api/v1/exam-sessions/{id}"))
            .bearer(&token)
            .json(&session_body("PLAN-1", Some(paper_id), &[csc01]))
            .send()
            .await;
        r.expect(StatusCode::CONFLICT);
        assert_eq!(r.code(), "session-not-draft");
        publish(&t, &token, id).await.expect(StatusCode::CONFLICT);

        let list = t
            .get("/api/v1/exam-sessions?status=published&per_page=500")
            .bearer(&token)
            .send()
            .await;
        list.expect(StatusCode::OK);
        let list = list.json();
        let items = list["items"].as_array().unwrap();
        assert!(items.iter().any(|s| s["code"] == "PLAN-1"));
        assert!(items.iter().all(|s| s["status"] == "published"));
        let drafts = t
            .get("/api/v1/exam-sessions?status=draft")
            .bearer(&token)
            .send()
            .await
            .json();
        assert!(
            drafts["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["code"] != "PLAN-1")
        );
        let one = t
            .get(&format!("/api/v1/exam-sessions/{id}"))
            .bearer(&token)
            .send()
            .await;
        one.expect(StatusCode::OK);
        assert_eq!(one.json()["attempts_open"], 0);
    }
}

#[tokio::test]
async fn the_session_pages_plan_and_publish() {
    let t = TestApp::new().await;
    let s = t.web_login("manager").await;
    let paper_id = paper(&t, "WEB", 5, false, 10_000).await.to_string();
    let csc01 = t.department_id("CSC-01").await.to_string();
    let list = t.get("/exams").lang("en").session(&s).send().await;
    list.expect(StatusCode::OK);
    assert!(list.text().contains("href=\"/exams/new\""));
    let form = t.get("/exams/new").lang("en").session(&s).send().await;
    form.expect(StatusCode::OK);
    assert!(form.text().contains("type=\"datetime-local\""));
    assert!(form.text().contains(&format!("value=\"{paper_id}\"")));
    assert!(
        form.text()
            .contains(tr(Lang::En, "exam-review-full_after_close"))
    );

    // A refused form keeps what was typed and says why, field by field.
    let r = t
        .post("/exams/new")
        .lang("en")
        .session(&s)
        .form(&[
            ("_csrf", s.csrf.as_str()),
            ("code", "WEB-1"),
            ("title", "Web exam"),
            ("mode", "online"),
            ("paper_id", ""),
            ("opens_at", "2026-11-23T15:00"),
            ("closes_at", "2026-11-23T09:00"),
            ("duration_minutes", "60"),
            ("audience", "departments"),
            ("departments", &csc01),
        ])
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("value=\"Web exam\""));
    assert!(r.text().contains("field-error"));
    assert!(r.text().contains("value=\"2026-11-23T15:00\""));

    let r = t
        .post("/exams/new")
        .session(&s)
        .form(&[
            ("_csrf", s.csrf.as_str()),
            ("code", "WEB-1"),
            ("title", "Web exam"),
            ("mode", "online"),
            ("paper_id", &paper_id),
            ("opens_at", "2026-11-23T09:00"),
            ("closes_at", "2026-11-23T18:00"),
            ("duration_minutes", "60"),
            ("review", "full_after_close"),
            ("double_marking", "on"),
            ("divergence", "3"),
            ("audience", "departments"),
            ("departments", &csc01),
        ])
        .send()
        .await;
    assert!(r.status.is_redirection(), "{}", r.text());
    let to = r.location().unwrap();
    assert!(to.ends_with("?done=created"), "{to}");
    let id: i64 = to["/exams/".len()..to.find('?').unwrap()].parse().unwrap();
    let page = t.get(&to).lang("en").session(&s).send().await;
    page.expect(StatusCode::OK);
    let html = page.text();
    assert!(html.contains(tr(Lang::En, "exam-done-created")));
    assert!(html.contains("Web exam"));
    assert!(html.contains(tr(Lang::En, "exam-review-full_after_close")));
    assert!(html.contains(&format!("action=\"/exams/{id}/publish\"")));
    assert!(html.contains("data-confirm"));

    let edit = t.get(&format!("/exams/{id}/edit")).session(&s).send().await;
    edit.expect(StatusCode::OK);
    assert!(edit.text().contains("value=\"2026-11-23T09:00\""));
    assert!(edit.text().contains(" checked"));

    let r = t
        .post(&format!("/exams/{id}/publish"))
        .session(&s)
        .form(&[("_csrf", s.csrf.as_str())])
        .send()
        .await;
    assert_eq!(
        r.location().as_deref(),
        Some(format!("/exams/{id}?done=published").as_str())
    );
    let list = t.get("/exams?status=published").session(&s).send().await;
    list.expect(StatusCode::OK);
    assert!(list.text().contains(&format!("href=\"/exams/{id}\"")));
    let none = t
        .get("/exams?status=cancelled")
        .lang("en")
        .session(&s)
        .send()
        .await;
    assert!(none.text().contains(tr(Lang::En, "exam-empty-filtered")));
}

#[tokio::test]
async fn invalid_sessions_are_refused_field_by_field() {
    let t = TestApp::new().await;
    let token = t.api_login("admin").await;
    let paper_id = paper(&t, "BAD", 5, false, 10_000).await;
    let csc01 = t.department_id("CSC-01").await;
    let before = t.count("exam_sessions").await;
    let mut body = session_body("BAD-1", Some(paper_id), &[csc01]);
    body["opens_at"] = json!("2026-11-23 18:00");
    body["closes_at"] = json!("2026-11-23 09:00");
    let r = t
        .post("/api/v1/exam-sessions")
        .bearer(&token)
        .json(&body)
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(has_field(&r, "closes_at", "out-of-range"), "{}", r.text());

    let body = session_body("BAD-2", None, &[csc01]);
    let r = t
        .post("/api/v1/exam-sessions")
        .bearer(&token)
        .json(&body)
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(has_field(&r, "paper_id", "required"), "{}", r.text());

    // Offline sessions need no paper.
    let mut body = session_body("OFF-1", None, &[csc01]);
    body["mode"] = json!("offline");
    create(&t, &token, &body).await;

    let mut body = session_body("BAD-3", Some(paper_id), &[]);
    body["audience"] = json!("list");
    body["candidates"] = json!("NO-SUCH-EMPLOYEE");
    let r = t
        .post("/api/v1/exam-sessions")
        .bearer(&token)
        .json(&body)
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(has_field(&r, "candidates", "not-found"), "{}", r.text());

    let r = t
        .post("/api/v1/exam-sessions")
        .bearer(&token)
        .json(&session_body("BAD-4", Some(paper_id), &[]))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(has_field(&r, "departments", "required"), "{}", r.text());

    let mut body = session_body("BAD 5", Some(paper_id), &[csc01]);
    body["duration_minutes"] = json!("a while");
    body["review"] = json!("whenever");
    let r = t
        .post("/api/v1/exam-sessions")
        .bearer(&token)
        .json(&body)
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        has_field(&r, "duration_minutes", "bad-number"),
        "{}",
        r.text()
    );
    assert!(has_field(&r, "review", "not-allowed"), "{}", r.text());
    assert!(field_codes(&r).iter().any(|(f, _)| f == "code"));

    // A list audience of known employees is fine; the same code twice is not.
    let e = t.employee_in("CSC-02").await;
    let mut body = session_body("LIST-1", Some(paper_id), &[]);
    body["audience"] = json!("list");
    body["candidates"] = json!(format!("{}, {}\n", e.employee_no, e.employee_no));
    let id = create(&t, &token, &body).await;
    let v = t
        .get(&format!("/api/v1/exam-sessions/{id}"))
        .bearer(&token)
        .send()
        .await
        .json();
    assert_eq!(v["candidates"], json!([e.employee_no]));
    let r = t
        .post("/api/v1/exam-sessions")
        .bearer(&token)
        .json(&body)
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(has_field(&r, "code", "duplicate"), "{}", r.text());

    assert_eq!(t.count("exam_sessions").await, before + 2);
}

#[tokio::test]
async fn publishing_refuses_a_paper_that_does_not_add_up() {
    let t = TestApp::new().await;
    let token = t.api_login("admin").await;
    // Five questions of 20 points, declared as 90.
    let paper_id = paper(&t, "ODD", 5, false, 9_000).await;
    let id = create(
        &t,
        &token,
        &session_body("ODD-1", Some(paper_id), &[t.department_id("CSC-01").await]),
    )
    .await;
    let r = publish(&t, &token, id).await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "paper-total-mismatch", "{}", r.text());
    let v = t
        .get(&format!("/api/v1/exam-sessions/{id}"))
        .bearer(&token)
        .send()
        .await
        .json();
    assert_eq!(v["status"], "draft");

    // The page says why, in the reader's language.
    let s = t.web_login("admin").await;
    let page = t
        .get(&format!("/exams/{id}"))
        .lang("en")
        .session(&s)
        .send()
        .await;
    page.expect(StatusCode::OK);
    assert!(
        page.text()
            .contains("The parts add up to 100 points but the paper declares 90.")
    );
    let r = t
        .post(&format!("/exams/{id}/publish"))
        .lang("zh-CN")
        .session(&s)
        .form(&[("_csrf", s.csrf.as_str())])
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains(tr(Lang::ZhCn, "exam-publish-refused")));
    assert!(
        r.text()
            .contains("各部分合计 100 分，与试卷总分 90 分不符。")
    );
}

#[tokio::test]
async fn back_to_draft_only_before_anyone_starts() {
    let t = TestApp::new().await;
    let token = t.api_login("manager").await;
    let id = published(&t, &token, "DRAFT", false, false).await;
    let status = |s: &'static str| json!({ "status": s });
    let r = t
        .post(&format!("/api/v1/exam-sessions/{id}/status"))
        .bearer(&token)
        .json(&status("draft"))
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(r.json()["status"], "draft");
    publish(&t, &token, id).await.expect(StatusCode::OK);

    let employee = actor(&t, "employee").await;
    attempts::start(&t.app, &employee, id).await.unwrap();
    let r = t
        .post(&format!("/api/v1/exam-sessions/{id}/status"))
        .bearer(&token)
        .json(&status("draft"))
        .send()
        .await;
    r.expect(StatusCode::CONFLICT);
    assert_eq!(r.code(), "session-has-attempts");
    let r = t
        .post(&format!("/api/v1/exam-sessions/{id}/status"))
        .bearer(&token)
        .json(&status("cancelled"))
        .send()
        .await;
    r.expect(StatusCode::CONFLICT);
    assert_eq!(r.code(), "attempt-open");
    let r = t
        .post(&format!("/api/v1/exam-sessions/{id}/status"))
        .bearer(&token)
        .json(&status("published"))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(has_field(&r, "status", "not-allowed"));

    // The page shows the refusal in words.
    let s = t.web_login("manager").await;
    let r = t
        .post(&format!("/exams/{id}/status"))
        .lang("en")
        .session(&s)
        .form(&[("_csrf", s.csrf.as_str()), ("status", "draft")])
        .send()
        .await;
    r.expect(StatusCode::CONFLICT);
    assert!(
        r.text()
            .contains(tr(Lang::En, "error-session-has-attempts"))
    );
    let page = t.get(&format!("/exams/{id}")).session(&s).send().await;
    assert!(
        page.text().contains("/close\""),
        "an open attempt can be closed"
    );
}

// ---------- overrides, closing, reopening ----------

#[tokio::test]
async fn overrides_are_applied_and_audited() {
    let t = TestApp::new().await;
    let token = t.api_login("manager").await;
    let id = published(&t, &token, "OVR", false, false).await;
    let employee = actor(&t, "employee").await;
    let no = {
        let mut r = t.app.db.read().await.unwrap();
        skillcert_store::org::get_employee(&mut r.conn(), employee.employee_id.unwrap())
            .await
            .unwrap()
            .employee_no
    };
    let (view, _) = attempts::start(&t.app, &employee, id).await.unwrap();
    let r = t
        .post(&format!("/api/v1/exam-sessions/{id}/overrides"))
        .bearer(&token)
        .json(&json!({ "employee_no": no, "extra_minutes": 15, "extra_attempts": 1 }))
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(
        r.json(),
        json!({ "extra_minutes": 15, "extra_attempts": 1 })
    );
    // The open attempt's deadline moved: 60 + 15 minutes after it started.
    let after = attempts::view(&t.app, &employee, view.attempt_id)
        .await
        .unwrap();
    assert_eq!(
        after.deadline - view.deadline,
        chrono::Duration::minutes(15)
    );

    let audit = t
        .get("/api/v1/audit?action=exam_override.set")
        .bearer(&t.api_login("admin").await)
        .send()
        .await;
    audit.expect(StatusCode::OK);
    let audit = audit.json();
    assert_eq!(audit["total"], 1, "{audit}");
    let rec = &audit["items"][0];
    assert_eq!(rec["actor"], "manager");
    assert!(rec["after_json"].as_str().unwrap().contains("15"));
    assert!(rec["entity_id"].as_str().unwrap().ends_with(&no));

    let r = t
        .post(&format!("/api/v1/exam-sessions/{id}/overrides"))
        .bearer(&token)
        .json(&json!({ "employee_no": "NOBODY", "extra_minutes": 5 }))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(has_field(&r, "employee_no", "not-found"));
    let r = t
        .post(&format!("/api/v1/exam-sessions/{id}/overrides"))
        .bearer(&token)
        .json(&json!({ "employee_no": no, "extra_minutes": 9999 }))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(has_field(&r, "extra_minutes", "out-of-range"));

    // Through the page: the list of overrides shows the candidate.
    let s = t.web_login("manager").await;
    let r = t
        .post(&format!("/exams/{id}/overrides"))
        .session(&s)
        .form(&[
            ("_csrf", s.csrf.as_str()),
            ("employee_no", &no),
            ("extra_minutes", "20"),
            ("extra_attempts", ""),
        ])
        .send()
        .await;
    assert_eq!(
        r.location().as_deref(),
        Some(format!("/exams/{id}?done=override").as_str())
    );
    let page = t
        .get(&format!("/exams/{id}?done=override"))
        .lang("en")
        .session(&s)
        .send()
        .await;
    assert!(page.text().contains(tr(Lang::En, "exam-done-override")));
    assert!(page.text().contains(&format!("<td>{no}</td>")));
    let r = t
        .post(&format!("/exams/{id}/overrides"))
        .lang("en")
        .session(&s)
        .form(&[
            ("_csrf", s.csrf.as_str()),
            ("employee_no", &no),
            ("extra_minutes", "lots"),
        ])
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("value=\"lots\""));
}

#[tokio::test]
async fn staff_close_and_reopen_attempts() {
    let t = TestApp::new().await;
    let token = t.api_login("admin").await;
    let id = published(&t, &token, "CLOSE", false, false).await;
    let employee = actor(&t, "employee").await;
    let (view, _) = attempts::start(&t.app, &employee, id).await.unwrap();
    let a = view.attempt_id;

    let r = t
        .post(&format!("/api/v1/attempts/{a}/reopen"))
        .bearer(&token)
        .json(&json!({ "minutes": 30 }))
        .send()
        .await;
    r.expect(StatusCode::CONFLICT);
    assert_eq!(r.code(), "attempt-not-closed");

    let r = t
        .post(&format!("/api/v1/attempts/{a}/close"))
        .bearer(&token)
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(r.json()["status"], "graded");
    let rows = results(&t, &token, id, "").await;
    assert_eq!(rows["items"][0]["closed_by"], "staff");
    assert_eq!(rows["items"][0]["score"], 0);
    assert_eq!(rows["items"][0]["passed"], false);

    let r = t
        .post(&format!("/api/v1/attempts/{a}/reopen"))
        .bearer(&token)
        .json(&json!({ "minutes": 0 }))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(has_field(&r, "minutes", "out-of-range"));
    let r = t
        .post(&format!("/api/v1/attempts/{a}/reopen"))
        .bearer(&token)
        .json(&json!({ "minutes": 30 }))
        .send()
        .await;
    r.expect(StatusCode::NO_CONTENT);
    let again = attempts::view(&t.app, &employee, a).await.unwrap();
    assert_eq!(again.deadline - t.app.now(), chrono::Duration::minutes(30));
    let audit = t
        .get("/api/v1/audit?action=exam_attempt.reopen")
        .bearer(&token)
        .send()
        .await
        .json();
    assert_eq!(audit["total"], 1);

    // Through the page: close now, then reopen from the results table.
    let s = t.web_login("admin").await;
    let page = t.get(&format!("/exams/{id}")).session(&s).send().await;
    assert!(
        page.text()
            .contains(&format!("/exams/{id}/attempts/{a}/close"))
    );
    let r = t
        .post(&format!("/exams/{id}/attempts/{a}/close"))
        .session(&s)
        .form(&[("_csrf", s.csrf.as_str())])
        .send()
        .await;
    assert_eq!(
        r.location().as_deref(),
        Some(format!("/exams/{id}?done=closed").as_str())
    );
    let page = t.get(&format!("/exams/{id}")).session(&s).send().await;
    assert!(
        page.text()
            .contains(&format!("/exams/{id}/attempts/{a}/reopen"))
    );
    let r = t
        .post(&format!("/exams/{id}/attempts/{a}/reopen"))
        .lang("en")
        .session(&s)
        .form(&[("_csrf", s.csrf.as_str()), ("minutes", "soon")])
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains(tr(Lang::En, "field-bad-number")));
    let r = t
        .post(&format!("/exams/{id}/attempts/{a}/reopen"))
        .session(&s)
        .form(&[("_csrf", s.csrf.as_str()), ("minutes", "10")])
        .send()
        .await;
    assert_eq!(
        r.location().as_deref(),
        Some(format!("/exams/{id}?done=reopened").as_str())
    );
}

// ---------- offline scores and results ----------

#[tokio::test]
async fn offline_scores_are_recorded_and_appear_in_results() {
    for t in TestApp::all().await {
        let token = t.api_login("manager").await;
        let mut body = session_body(
            "PAPER-EXAM",
            None,
            &[
                t.department_id("CSC-01").await,
                t.department_id("CSC-02").await,
            ],
        );
        body["mode"] = json!("offline");
        let id = create(&t, &token, &body).await;
        let a = t.employee_in("CSC-01").await;
        let b = t.employee_in("CSC-02").await;
        let rows = json!({ "rows": [
            { "employee_no": a.employee_no, "score": "85" },
            { "employee_no": b.employee_no, "score": "59.5" },
        ]});
        let url = format!("/api/v1/exam-sessions/{id}/offline-scores");
        let attempts = t.count("exam_attempts").await;
        let r = t.post(&url).bearer(&token).json(&rows).send().await;
        r.expect(StatusCode::CONFLICT);
        assert_eq!(r.code(), "session-not-published");
        publish(&t, &token, id).await.expect(StatusCode::OK);

        let bad = json!({ "rows": [
            { "employee_no": a.employee_no, "score": "85" },
            { "employee_no": "NOBODY", "score": "101" },
            { "employee_no": a.employee_no, "score": "70" },
        ]});
        let r = t.post(&url).bearer(&token).json(&bad).send().await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            has_field(&r, "rows[1].employee_no", "not-found"),
            "{}",
            r.text()
        );
        assert!(has_field(&r, "rows[1].score", "bad-number"), "{}", r.text());
        assert!(
            has_field(&r, "rows[2].employee_no", "duplicate"),
            "{}",
            r.text()
        );
        assert_eq!(t.count("exam_attempts").await, attempts, "nothing recorded");

        // Someone outside the session's departments is not a candidate.
        let outsider = t.employee_in("CSC-03").await;
        let r = t
            .post(&url)
            .bearer(&token)
            .json(&json!({ "rows": [{ "employee_no": outsider.employee_no, "score": "90" }] }))
            .send()
            .await;
        r.expect(StatusCode::CONFLICT);
        assert_eq!(r.code(), "not-a-candidate");
        assert_eq!(t.count("exam_attempts").await, attempts, "nothing recorded");

        let r = t.post(&url).bearer(&token).json(&rows).send().await;
        r.expect(StatusCode::OK);
        assert_eq!(r.json()["recorded"], 2);
        // A corrected score replaces the earlier one instead of adding an attempt.
        let fix = json!({ "rows": [{ "employee_no": a.employee_no, "score": "86" }] });
        let r = t.post(&url).bearer(&token).json(&fix).send().await;
        r.expect(StatusCode::OK);
        assert_eq!(t.count("exam_attempts").await, attempts + 2);
        let r = t.post(&url).bearer(&token).json(&rows).send().await;
        r.expect(StatusCode::OK);

        let list = results(&t, &token, id, "?sort=score&dir=desc").await;
        assert_eq!(list["total"], 2);
        let first = &list["items"][0];
        assert_eq!(first["employee_no"], json!(a.employee_no));
        assert_eq!(first["score"], 8500);
        assert_eq!(first["passed"], true);
        assert_eq!(first["closed_by"], "offline");
        assert_eq!(first["status"], "graded");
        assert_eq!(list["items"][1]["score"], 5950);
        assert_eq!(list["items"][1]["passed"], false);
        let failed = results(&t, &token, id, "?result=failed").await;
        assert_eq!(failed["total"], 1);
        let found = results(&t, &token, id, &format!("?q={}", a.employee_no)).await;
        assert_eq!(found["total"], 1);
    }
}

#[tokio::test]
async fn offline_scores_through_the_page_and_a_file() {
    let t = TestApp::new().await;
    let token = t.api_login("admin").await;
    let mut body = session_body(
        "PAPER-WEB",
        None,
        &[
            t.department_id("CSC-01").await,
            t.department_id("CSC-03").await,
        ],
    );
    body["mode"] = json!("offline");
    let id = create(&t, &token, &body).await;
    publish(&t, &token, id).await.expect(StatusCode::OK);
    let a = t.employee_in("CSC-01").await;
    let b = t.employee_in("CSC-03").await;
    let s = t.web_login("admin").await;
    let page = t.get(&format!("/exams/{id}")).session(&s).send().await;
    assert!(
        page.text()
            .contains(&format!("action=\"/exams/{id}/offline\""))
    );

    let attempts = t.count("exam_attempts").await;
    let text = format!("工号,成绩\n{},88\nNOBODY,70\n", a.employee_no);
    let r = t
        .post(&format!("/exams/{id}/offline"))
        .lang("en")
        .session(&s)
        .form(&[("_csrf", s.csrf.as_str()), ("rows", &text)])
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("Line 3"), "{}", r.text());
    assert!(r.text().contains("NOBODY"));
    assert_eq!(t.count("exam_attempts").await, attempts);

    let text = format!("{},88\n", a.employee_no);
    let r = t
        .post(&format!("/exams/{id}/offline"))
        .session(&s)
        .form(&[("_csrf", s.csrf.as_str()), ("rows", &text)])
        .send()
        .await;
    assert_eq!(
        r.location().as_deref(),
        Some(format!("/exams/{id}?done=offline&n=1").as_str())
    );
    let csv = csv_bytes(&[&["工号", "成绩"], &[&b.employee_no, "61"]]);
    let r = t
        .post(&format!("/exams/{id}/offline/upload?_csrf={}", s.csrf))
        .session(&s)
        .multipart("scores.csv", &csv, &[])
        .send()
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.text());
    let page = t
        .get(&format!("/exams/{id}?done=offline&n=1"))
        .lang("en")
        .session(&s)
        .send()
        .await;
    assert!(page.text().contains("1 scores were recorded."));
    assert!(page.text().contains(&b.employee_no));
    assert!(page.text().contains("88 / 100"));

    let csv = t
        .get(&format!("/exams/{id}/results.csv"))
        .lang("en")
        .session(&s)
        .send()
        .await;
    csv.expect(StatusCode::OK);
    let text = csv.text();
    assert!(text.starts_with('\u{feff}'));
    assert!(text.contains("Employee no.,Name,Attempt"));
    assert!(text.contains(&format!("{},", a.employee_no)));
    assert!(text.contains(",88,100,Passed"));
    let xlsx = t
        .get(&format!("/exams/{id}/results.xlsx"))
        .session(&s)
        .send()
        .await;
    xlsx.expect(StatusCode::OK);
    assert!(xlsx.body.starts_with(b"PK"));
}

// ---------- marking ----------

#[tokio::test]
async fn single_marking_grades_the_attempt() {
    for t in TestApp::all().await {
        let token = t.api_login("manager").await;
        let id = published(&t, &token, "MARK", true, false).await;
        let employee = actor(&t, "employee").await;
        let a = sit(&t, &employee, id, &[0, 1, 2, 3]).await;
        let rows = results(&t, &token, id, "").await;
        assert_eq!(rows["items"][0]["status"], "submitted");
        assert_eq!(rows["items"][0]["score"], Value::Null);

        let lecturer = t.api_login("lecturer").await;
        let q = t
            .get(&format!("/api/v1/marking?session_id={id}"))
            .bearer(&lecturer)
            .send()
            .await;
        q.expect(StatusCode::OK);
        let q = q.json();
        assert_eq!(q.as_array().unwrap().len(), 1, "{q}");
        let task = &q[0];
        assert_eq!(task["attempt_id"], a);
        assert_eq!(task["position"], SHORT_POSITION);
        assert_eq!(task["round"], 1);
        assert_eq!(task["points"], 2000);
        assert_eq!(task["key_points"], json!(["greets by name", "offers help"]));
        assert_eq!(task["answer"], "Good morning, how may I help you?");
        assert!(task.get("employee_id").is_none(), "markers do not see who");

        let url = format!("/api/v1/marking/{a}/{SHORT_POSITION}");
        let r = t
            .post(&url)
            .bearer(&lecturer)
            .json(&json!({ "score": "20.5" }))
            .send()
            .await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.code(), "mark-above-points");
        let r = t
            .post(&url)
            .bearer(&lecturer)
            .json(&json!({ "score": "lots" }))
            .send()
            .await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(has_field(&r, "score", "bad-number"));
        let r = t
            .post(&url)
            .bearer(&lecturer)
            .json(&json!({ "score": "15", "comment": "Friendly, but no name." }))
            .send()
            .await;
        r.expect(StatusCode::OK);
        assert_eq!(
            r.json(),
            json!({ "final_score": 1500, "needs_round": null, "attempt_score": 9500 })
        );
        let rows = results(&t, &token, id, "").await;
        assert_eq!(rows["items"][0]["status"], "graded");
        assert_eq!(rows["items"][0]["score"], 9500);
        assert_eq!(rows["items"][0]["passed"], true);
        // Marked already: nothing is waiting any more.
        let r = t
            .post(&url)
            .bearer(&t.api_login("judge").await)
            .json(&json!({ "score": "10" }))
            .send()
            .await;
        r.expect(StatusCode::CONFLICT);
        assert_eq!(r.code(), "not-awaiting-marks");
        let q = t
            .get(&format!("/api/v1/marking?session_id={id}"))
            .bearer(&lecturer)
            .send()
            .await
            .json();
        assert_eq!(q, json!([]));
    }
}

#[tokio::test]
async fn divergent_double_marks_call_a_third_marker() {
    let t = TestApp::new().await;
    let token = t.api_login("admin").await;
    let id = published(&t, &token, "DOUBLE", true, true).await;
    let employee = actor(&t, "employee").await;
    let a = sit(&t, &employee, id, &[0, 1]).await;
    let url = format!("/api/v1/marking/{a}/{SHORT_POSITION}");
    let lecturer = t.api_login("lecturer").await;
    let judge = t.api_login("judge").await;

    let r = t
        .post(&url)
        .bearer(&lecturer)
        .json(&json!({ "score": "18" }))
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(r.json()["needs_round"], 2);
    // The same marker cannot mark it twice, and no longer sees it.
    let r = t
        .post(&url)
        .bearer(&lecturer)
        .json(&json!({ "score": "18" }))
        .send()
        .await;
    r.expect(StatusCode::CONFLICT);
    assert_eq!(r.code(), "already-marked");
    let q = t
        .get(&format!("/api/v1/marking?session_id={id}"))
        .bearer(&lecturer)
        .send()
        .await
        .json();
    assert_eq!(q, json!([]));
    // The second marker marks independently: the first mark is hidden.
    let q = t
        .get(&format!("/api/v1/marking?session_id={id}"))
        .bearer(&judge)
        .send()
        .await
        .json();
    assert_eq!(q[0]["round"], 2);
    assert_eq!(q[0]["earlier"], json!([]));
    let r = t
        .post(&url)
        .bearer(&judge)
        .json(&json!({ "score": "5" }))
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(r.json()["needs_round"], 3);
    assert_eq!(r.json()["final_score"], Value::Null);

    // The third marker sees both marks, on the page too.
    let q = t
        .get(&format!("/api/v1/marking?session_id={id}"))
        .bearer(&token)
        .send()
        .await
        .json();
    assert_eq!(q[0]["round"], 3);
    assert_eq!(q[0]["earlier"].as_array().unwrap().len(), 2);
    let s = t.web_login("admin").await;
    let page = t
        .get(&format!("/marking?session={id}"))
        .lang("en")
        .session(&s)
        .send()
        .await;
    page.expect(StatusCode::OK);
    let html = page.text();
    assert!(html.contains(tr(Lang::En, "exam-marking-earlier")));
    assert!(html.contains("greets by name"));
    assert!(html.contains(&format!("action=\"/marking/{a}/{SHORT_POSITION}\"")));
    // A mark above the points is refused on the page, with the value kept.
    let r = t
        .post(&format!("/marking/{a}/{SHORT_POSITION}"))
        .lang("en")
        .session(&s)
        .form(&[("_csrf", s.csrf.as_str()), ("score", "25"), ("session", "")])
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains(tr(Lang::En, "error-mark-above-points")));
    assert!(r.text().contains("value=\"25\""));
    let r = t
        .post(&format!("/marking/{a}/{SHORT_POSITION}"))
        .session(&s)
        .form(&[
            ("_csrf", s.csrf.as_str()),
            ("score", "16"),
            ("comment", "Closer to the first mark."),
            ("session", &id.to_string()),
        ])
        .send()
        .await;
    assert_eq!(
        r.location().as_deref(),
        Some(format!("/marking?done=marked&outcome=graded&session={id}").as_str())
    );
    let page = t
        .get(&r.location().unwrap())
        .lang("en")
        .session(&s)
        .send()
        .await;
    assert!(page.text().contains(tr(Lang::En, "exam-marked-graded")));
    assert!(page.text().contains(tr(Lang::En, "exam-marking-empty")));
    // 18 and 5 diverge; 16 is nearer 18: the mark is their mean, 17.
    let rows = results(&t, &token, id, "").await;
    assert_eq!(rows["items"][0]["score"], 2 * 2000 + 1700);
    let audit = t
        .get("/api/v1/audit?action=exam_mark.create")
        .bearer(&token)
        .send()
        .await
        .json();
    assert_eq!(audit["total"], 3);
}

// ---------- analysis ----------

#[tokio::test]
async fn item_analysis_of_graded_attempts() {
    let t = TestApp::new().await;
    let token = t.api_login("admin").await;
    let id = published(&t, &token, "ANA", false, false).await;
    let url = format!("/api/v1/exam-sessions/{id}/analysis");
    let r = t.get(&url).bearer(&token).send().await;
    r.expect(StatusCode::OK);
    assert_eq!(r.json()["analysis"], Value::Null);
    let s = t.web_login("lecturer").await;
    let page = t
        .get(&format!("/exams/{id}/analysis"))
        .lang("en")
        .session(&s)
        .send()
        .await;
    page.expect(StatusCode::OK);
    assert!(page.text().contains(tr(Lang::En, "exam-analysis-empty")));
    t.get(&format!("/exams/{id}/analysis.xlsx"))
        .session(&s)
        .send()
        .await
        .expect(StatusCode::CONFLICT);

    // Five candidates of falling strength; question 4 is answered right only by the weakest.
    let patterns: [&[i32]; 5] = [&[0, 1, 2, 3], &[0, 1, 2], &[0, 1], &[0], &[4]];
    let mut who = vec![actor(&t, "employee").await];
    for n in 0..4 {
        who.push(candidate(&t, &token, "CSC-01", n).await);
    }
    for (w, right) in who.iter().zip(patterns) {
        sit(&t, w, id, right).await;
    }
    let r = t.get(&url).bearer(&token).send().await;
    r.expect(StatusCode::OK);
    let v = r.json();
    let a = &v["analysis"];
    assert_eq!(a["candidates"], 5);
    assert_eq!(a["kr20"], true);
    let items = a["items"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    let first = &items[0];
    assert_eq!(first["question"], "ANA-S0");
    assert_eq!(first["n"], 5);
    assert!((first["facility"].as_f64().unwrap() - 0.8).abs() < 1e-9);
    assert_eq!(first["options"][0]["choice"], "A");
    assert_eq!(first["options"][0]["count"], 4);
    let last = items.iter().find(|i| i["question"] == "ANA-S4").unwrap();
    assert!(
        last["flags"]
            .as_array()
            .unwrap()
            .contains(&json!("negative_discrimination")),
        "{last}"
    );
    let qid = v["codes"]["ANA-S0"].as_i64().unwrap();

    let page = t
        .get(&format!("/exams/{id}/analysis"))
        .lang("en")
        .session(&s)
        .send()
        .await;
    page.expect(StatusCode::OK);
    let html = page.text();
    assert!(html.contains(&format!("href=\"/questions/{qid}\"")));
    assert!(html.contains(tr(Lang::En, "exam-analysis-kr20")));
    assert!(html.contains(tr(Lang::En, "exam-flag-negative_discrimination")));
    assert!(html.contains(tr(Lang::En, "exam-flag-negative_discrimination-help")));
    assert!(html.contains("0.80"));
    let xlsx = t
        .get(&format!("/exams/{id}/analysis.xlsx"))
        .session(&s)
        .send()
        .await;
    xlsx.expect(StatusCode::OK);
    assert!(xlsx.body.starts_with(b"PK"));
    assert!(
        xlsx.headers["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
}

// ---------- who may do what ----------

#[tokio::test]
async fn employees_are_refused_and_supervisors_see_their_departments_only() {
    let t = TestApp::new().await;
    let admin = t.api_login("admin").await;
    let paper_id = paper(&t, "SCOPE", 5, false, 10_000).await;
    let csc01 = t.department_id("CSC-01").await;
    let csc02 = t.department_id("CSC-02").await;
    let id = create(
        &t,
        &admin,
        &session_body("SCOPE-1", Some(paper_id), &[csc01, csc02]),
    )
    .await;
    publish(&t, &admin, id).await.expect(StatusCode::OK);
    sit(&t, &actor(&t, "employee").await, id, &[0, 1, 2]).await;
    let other = candidate(&t, &admin, "CSC-02", 0).await;
    sit(&t, &other, id, &[0]).await;
    assert_eq!(results(&t, &admin, id, "").await["total"], 2);

    let employee = t.api_login("employee").await;
    for (method, path, body) in [
        ("GET", "/api/v1/exam-sessions".to_string(), None),
        ("GET", format!("/api/v1/exam-sessions/{id}"), None),
        ("GET", format!("/api/v1/exam-sessions/{id}/results"), None),
        ("GET", format!("/api/v1/exam-sessions/{id}/analysis"), None),
        ("GET", "/api/v1/marking".to_string(), None),
        (
            "POST",
            "/api/v1/exam-sessions".to_string(),
            Some(session_body("SCOPE-2", Some(paper_id), &[csc01])),
        ),
        ("POST", format!("/api/v1/exam-sessions/{id}/publish"), None),
        (
            "POST",
            format!("/api/v1/exam-sessions/{id}/overrides"),
            Some(json!({ "employee_no": "X", "extra_minutes": 5 })),
        ),
    ] {
        let mut c = t.call(method.parse().unwrap(), &path).bearer(&employee);
        if let Some(b) = &body {
            c = c.json(b);
        }
        let r = c.send().await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{method} {path}: {}",
            r.text()
        );
    }
    let s = t.web_login("employee").await;
    for path in [
        "/exams".to_string(),
        format!("/exams/{id}"),
        "/marking".to_string(),
    ] {
        let r = t.get(&path).session(&s).send().await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    let home = t.get("/").lang("en").session(&s).send().await;
    assert!(!home.text().contains("href=\"/exams\""));

    // The supervisor of CSC-01 sees CSC-01's results only, and no analysis.
    let sup = t.api_login("supervisor").await;
    let rows = results(&t, &sup, id, "").await;
    assert_eq!(rows["total"], 1);
    assert_eq!(rows["items"][0]["department_id"], csc01);
    let r = t
        .get(&format!("/api/v1/exam-sessions/{id}/analysis"))
        .bearer(&sup)
        .send()
        .await;
    r.expect(StatusCode::FORBIDDEN);
    let s = t.web_login("supervisor").await;
    let page = t
        .get(&format!("/exams/{id}"))
        .lang("en")
        .session(&s)
        .send()
        .await;
    page.expect(StatusCode::OK);
    let other_no = {
        let mut r = t.app.db.read().await.unwrap();
        skillcert_store::org::get_employee(&mut r.conn(), other.employee_id.unwrap())
            .await
            .unwrap()
            .employee_no
    };
    assert!(!page.text().contains(&other_no));
    assert!(!page.text().contains(&format!("/exams/{id}/analysis\"")));
    assert!(
        !page.text().contains("method=\"post\" action=\"/exams/"),
        "no actions for a viewer"
    );
    let csv = t
        .get(&format!("/exams/{id}/results.csv"))
        .session(&s)
        .send()
        .await
        .text();
    assert!(!csv.contains(&other_no));
    assert_eq!(csv.lines().count(), 2, "header and one row");
    // Markers mark, but do not see results.
    let judge = t.api_login("judge").await;
    t.get(&format!("/api/v1/exam-sessions/{id}/results"))
        .bearer(&judge)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    t.get("/api/v1/marking")
        .bearer(&judge)
        .send()
        .await
        .expect(StatusCode::OK);
}

// ---------- languages ----------

#[test]
fn every_built_key_exists_in_both_languages() {
    let mut missing = Vec::new();
    for k in skillcert_web::html::exams::dynamic_keys() {
        for l in Lang::ALL {
            if !has(l, &k) {
                missing.push(format!("{} {k}", l.tag()));
            }
        }
    }
    assert!(missing.is_empty(), "missing keys: {missing:#?}");
}

fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3001}'..='\u{303f}'
        | '\u{3400}'..='\u{4dbf}'
        | '\u{4e00}'..='\u{9fff}'
        | '\u{ff01}'..='\u{ffef}')
}

#[tokio::test]
async fn english_exam_pages_hold_no_chinese_but_data() {
    let t = TestApp::new().await;
    let token = t.api_login("admin").await;
    let id = published(&t, &token, "EN", true, false).await;
    sit(&t, &actor(&t, "employee").await, id, &[0, 2]).await;
    let mut data: Vec<String> = {
        let mut r = t.app.db.read().await.unwrap();
        let mut c = r.conn();
        let mut v: Vec<String> = skillcert_store::org::list_departments(&mut c)
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.name)
            .collect();
        v.extend(
            skillcert_store::org::all_employees(&mut c)
                .await
                .unwrap()
                .into_iter()
                .map(|e| e.name),
        );
        let sessions = skillcert_store::exams::list_sessions(&mut c, None, 1, 500)
            .await
            .unwrap();
        v.extend(sessions.items.into_iter().map(|s| s.title));
        // The bank's text, which also makes up the demo's short answers.
        for (_, version) in skillcert_store::questions::export(&mut c, &Default::default())
            .await
            .unwrap()
        {
            let q = version.question;
            v.push(q.stem.clone());
            v.extend(q.body.options().iter().cloned());
            if let skillcert_domain::exam::question::Body::Short { key_points, .. } = &q.body {
                v.extend(key_points.iter().cloned());
            }
        }
        v.extend(
            skillcert_store::papers::list(&mut c, true)
                .await
                .unwrap()
                .into_iter()
                .map(|p| p.title),
        );
        v.extend(
            skillcert_store::users::list_users(&mut c)
                .await
                .unwrap()
                .into_iter()
                .map(|u| u.display_name),
        );
        v
    };
    data.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
    let s = t.web_login("admin").await;
    for path in [
        "/exams".to_string(),
        "/exams/new".to_string(),
        format!("/exams/{id}"),
        format!("/exams/{id}/edit"),
        format!("/exams/{id}/analysis"),
        "/marking".to_string(),
    ] {
        let r = t.get(&path).lang("en").session(&s).send().await;
        r.expect(StatusCode::OK);
        let mut html = r.text().replace(">中文<", "><");
        for d in &data {
            html = html.replace(d.as_str(), "");
        }
        if let Some(at) = html.find(is_cjk) {
            let start = html[..at]
                .char_indices()
                .rev()
                .nth(40)
                .map_or(0, |(i, _)| i);
            let end = html[at..]
                .char_indices()
                .nth(10)
                .map_or(html.len(), |(i, _)| at + i);
            panic!(
                "{path}: Chinese on an English page: …{}…",
                &html[start..end]
            );
        }
    }
}
