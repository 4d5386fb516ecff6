//! Homework, mentoring and the daily component (issue 7): a lecturer sets homework on a
//! session, an enrolled employee hands it in with a file, the lecturer marks it and the
//! employee is told; the mentor records a follow-up and sees the overdue ones; a round whose
//! `daily` component takes its score from training records shows the breakdown on the
//! results page and the employee's result. Every bad input the issue names (homework after
//! the deadline under a strict policy, a follow-up for someone not mentored) gets a clear
//! message in both languages and changes nothing.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use serde_json::json;
use skillcert_app::certification::applications::{self, ApplicationInput};
use skillcert_app::certification::results;
use skillcert_app::certification::rounds::{self, RoundInput};

use crate::exams::actor;
use crate::helpers::*;
use crate::roles::{Input, Need, Route, api, page};

const PDF: &[u8] = b"%PDF-1.4\n% homework\n";

async fn session_id(t: &TestApp, code: &str) -> i64 {
    let mut r = t.app.db.read().await.unwrap();
    skillcert_store::training::session_by_code(&mut r.conn(), code)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("session {code}"))
        .id
}

/// The first homework of a session.
async fn homework_of(t: &TestApp, code: &str) -> i64 {
    let s = session_id(t, code).await;
    let mut r = t.app.db.read().await.unwrap();
    skillcert_store::training_records::assignments_of_session(&mut r.conn(), s)
        .await
        .unwrap()
        .first()
        .unwrap_or_else(|| panic!("homework of {code}"))
        .id
}

async fn employee_id_of(t: &TestApp, username: &str) -> i64 {
    let mut r = t.app.db.read().await.unwrap();
    skillcert_store::users::find_user_by_username(&mut r.conn(), username)
        .await
        .unwrap()
        .unwrap()
        .employee_id
        .unwrap()
}

async fn post(t: &TestApp, s: &WebSession, lang: &str, path: &str, f: &[(&str, &str)]) -> Resp {
    let mut all = f.to_vec();
    all.push(("_csrf", s.csrf.as_str()));
    t.post(path).session(s).lang(lang).form(&all).send().await
}

/// A hand-in through the page: a text and one file (`multipart/form-data`).
async fn hand_in(
    t: &TestApp,
    s: &WebSession,
    lang: &str,
    id: i64,
    text: &str,
    file: &[u8],
) -> Resp {
    t.post(&format!("/homework/{id}/submit?_csrf={}", s.csrf))
        .session(s)
        .lang(lang)
        .multipart("答案.pdf", file, &[("text", text)])
        .send()
        .await
}

// ---------- homework ----------

#[tokio::test]
async fn a_lecturer_sets_homework_an_employee_hands_in_and_is_marked() {
    let t = TestApp::new().await;
    let today = session_id(&t, "TRS-2026-TODAY").await;
    let lecturer = t.web_login("lecturer").await;
    let employee = t.web_login("employee").await;

    // Set on the lecturer's own session, with a penalty policy.
    let page = t
        .get(&format!("/training-sessions/{today}/homework"))
        .session(&lecturer)
        .lang("en")
        .send()
        .await;
    page.expect(StatusCode::OK);
    assert!(
        page.text().contains("Set homework"),
        "the lecturer may set homework"
    );
    let r = post(
        &t,
        &lecturer,
        "en",
        &format!("/training-sessions/{today}/homework"),
        &[
            ("title", "改写开场白"),
            ("instructions", "按三步法改写"),
            ("deadline", "2026-11-25T18:00"),
            ("max_points", "20"),
            ("late_policy", "penalty"),
            ("penalty_per_day", "10"),
            ("max_late_days", "3"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let loc = r.location().unwrap();
    let id: i64 = loc
        .trim_start_matches("/homework/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();

    // The employee sees it, hands in a text and a PDF.
    let mine = t
        .get("/my-training/homework")
        .session(&employee)
        .lang("en")
        .send()
        .await;
    mine.expect(StatusCode::OK);
    assert!(mine.text().contains("改写开场白") && mine.text().contains("Open"));
    let r = hand_in(&t, &employee, "en", id, "您好，请问有什么可以帮您？", PDF).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let file_id = {
        let mut rd = t.app.db.read().await.unwrap();
        let e = employee_id_of(&t, "employee").await;
        let s = skillcert_store::training_records::submission_of(&mut rd.conn(), id, e)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(s.files, 1);
        skillcert_store::training_records::submission_files(&mut rd.conn(), s.id)
            .await
            .unwrap()[0]
            .id
    };
    // The file: for the employee and the lecturer, not for a colleague.
    for (who, want) in [
        (&employee, StatusCode::OK),
        (&lecturer, StatusCode::OK),
        (&t.web_login("mentor").await, StatusCode::FORBIDDEN),
    ] {
        let r = t
            .get(&format!("/homework/files/{file_id}"))
            .session(who)
            .send()
            .await;
        assert_eq!(r.status, want);
        if want == StatusCode::OK {
            assert_eq!(r.body, PDF);
        }
    }

    // Marked by the lecturer: out of range first (nothing changes), then 17 of 20.
    let submission = {
        let mut rd = t.app.db.read().await.unwrap();
        let e = employee_id_of(&t, "employee").await;
        skillcert_store::training_records::submission_of(&mut rd.conn(), id, e)
            .await
            .unwrap()
            .unwrap()
            .id
    };
    let r = post(
        &t,
        &lecturer,
        "en",
        &format!("/homework/submissions/{submission}/mark"),
        &[("points", "21"), ("comment", "")],
    )
    .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("between 0 and the maximum"));
    let r = post(
        &t,
        &lecturer,
        "en",
        &format!("/homework/submissions/{submission}/mark"),
        &[("points", "17"), ("comment", "复述到位")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let view = t
        .get(&format!("/api/v1/homework/{id}"))
        .bearer(&t.api_login("employee").await)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(view["mine"]["points"], 17);
    assert_eq!(view["mine"]["final_score"], 8500);
    assert_eq!(
        view["submissions"],
        json!([]),
        "employees see only their own"
    );
    // The employee's inbox, in both languages.
    let inbox = t
        .get("/api/v1/inbox")
        .bearer(&t.api_login("employee").await)
        .lang("en")
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let texts: Vec<&str> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["text"].as_str())
        .collect();
    assert!(
        texts
            .iter()
            .any(|x| x.contains("改写开场白") && x.contains("17 of 20 points, score 85")),
        "{texts:?}"
    );
    // Marked: the hand-in can no longer be replaced.
    let r = hand_in(&t, &employee, "en", id, "再交一次", PDF).await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("has been marked"), "{}", r.text());
}

#[tokio::test]
async fn a_strict_homework_refuses_a_late_hand_in_and_stores_nothing() {
    let t = TestApp::new().await;
    // The demo's homework of today's session is strict and due in a week.
    let id = homework_of(&t, "TRS-2026-TODAY").await;
    t.advance(chrono::Duration::days(8));
    let employee = t.web_login("employee").await;
    let before = (
        t.count("homework_submissions").await,
        t.count("homework_files").await,
        t.count("audit_log").await,
    );
    for (lang, message) in [
        (
            "en",
            "The deadline has passed and this homework accepts no late hand-ins",
        ),
        ("zh-CN", "已过截止时间，该作业不接受迟交"),
    ] {
        let r = hand_in(&t, &employee, lang, id, "迟交的作业", PDF).await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains(message), "{lang}: {}", r.text());
    }
    let r = t
        .post(&format!("/api/v1/homework/{id}/submissions"))
        .bearer(&t.api_login("employee").await)
        .lang("en")
        .multipart("a.pdf", PDF, &[("text", "迟交")])
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["fields"][0]["code"],
        "homework-deadline-passed",
        "{}",
        r.text()
    );
    let after = (
        t.count("homework_submissions").await,
        t.count("homework_files").await,
        t.count("audit_log").await,
    );
    assert_eq!(before, after, "nothing was stored");
    let mine = t
        .get("/api/v1/me/homework")
        .bearer(&t.api_login("employee").await)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let row = mine
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == id)
        .unwrap();
    assert_eq!(row["status"], "closed");
}

#[tokio::test]
async fn homework_forms_refuse_bad_input_clearly() {
    let t = TestApp::new().await;
    let today = session_id(&t, "TRS-2026-TODAY").await;
    let past = session_id(&t, "TRS-2026-02").await;
    let token = t.api_login("lecturer").await;
    let before = t.count("homework_assignments").await;
    let r = t
        .post(&format!("/api/v1/training-sessions/{today}/homework"))
        .bearer(&token)
        .lang("en")
        .json(&json!({
            "title": "", "deadline": "soon", "max_points": "0",
            "late_policy": "penalty", "penalty_per_day": "0", "max_late_days": "3"
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
            "homework-title",
            "homework-deadline",
            "homework-max-points",
            "homework-penalty-rate"
        ]
    );
    // Not their session (an external lecturer's): 403.
    t.post(&format!("/api/v1/training-sessions/{past}/homework"))
        .bearer(&token)
        .json(&json!({"title": "x", "deadline": "2026-12-01", "max_points": "10"}))
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    assert_eq!(t.count("homework_assignments").await, before);
    // An empty hand-in and a file that is not a PDF or an image.
    let id = homework_of(&t, "TRS-2026-TODAY").await;
    let employee = t.web_login("employee").await;
    let r = hand_in(&t, &employee, "zh-CN", id, " ", b"").await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    let r = hand_in(&t, &employee, "en", id, "见附件", b"PK\x03\x04 not a pdf").await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("Only PDF, PNG and JPEG"), "{}", r.text());
    assert_eq!(t.count("homework_submissions").await, 1, "only the demo's");
}

// ---------- mentoring ----------

#[tokio::test]
async fn a_follow_up_for_someone_not_mentored_is_refused_and_changes_nothing() {
    let t = TestApp::new().await;
    let mentor = t.web_login("mentor").await;
    let stranger = employee_id_of(&t, "supervisor").await;
    let before = (
        t.count("mentor_follow_ups").await,
        t.count("audit_log").await,
    );
    for (lang, message) in [
        ("en", "This employee is not your trainee"),
        ("zh-CN", "该员工不是您带教的学员"),
    ] {
        let r = post(
            &t,
            &mentor,
            lang,
            &format!("/mentoring/{stranger}/follow-ups"),
            &[("notes", "聊了聊"), ("evaluation", "80")],
        )
        .await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains(message), "{lang}: {}", r.text());
    }
    let r = t
        .post(&format!("/api/v1/mentoring/{stranger}/follow-ups"))
        .bearer(&t.api_login("mentor").await)
        .lang("en")
        .json(&json!({"notes": "聊了聊", "evaluation": 80}))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"][0]["code"], "mentoring-not-mentee");
    // A manager is not the trainee's mentor either.
    let trainee = employee_id_of(&t, "employee").await;
    let r = t
        .post(&format!("/api/v1/mentoring/{trainee}/follow-ups"))
        .bearer(&t.api_login("manager").await)
        .json(&json!({"notes": "代记"}))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"][0]["code"], "mentoring-not-mentee");
    // Reading another mentor's trainee: refused too.
    t.get(&format!("/mentoring/{stranger}/follow-ups"))
        .session(&mentor)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    assert_eq!(
        (
            t.count("mentor_follow_ups").await,
            t.count("audit_log").await
        ),
        before
    );
}

#[tokio::test]
async fn the_mentor_records_follow_ups_and_sees_what_is_overdue() {
    let t = TestApp::new().await;
    let mentor = t.web_login("mentor").await;
    let page = t.get("/mentoring").session(&mentor).lang("en").send().await;
    page.expect(StatusCode::OK);
    let html = page.text();
    assert!(
        html.contains("My trainees") && html.contains("Overdue: 1"),
        "{html}"
    );
    // The period is data: a bad one is refused, 30 days makes nothing overdue.
    let r = t
        .get("/mentoring?days=0")
        .session(&mentor)
        .lang("en")
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("from 1 to 60 days"));
    let r = t
        .get("/mentoring?days=30")
        .session(&mentor)
        .lang("en")
        .send()
        .await;
    assert!(r.text().contains("Overdue: 0"), "{}", r.text());
    // The overdue trainee's follow-up, with an evaluation.
    let token = t.api_login("mentor").await;
    let overview = t
        .get("/api/v1/mentoring")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let late = &overview["overdue"][0];
    let (trainee, session) = (
        late["mentee_id"].as_i64().unwrap(),
        late["session_id"].clone(),
    );
    let before = t.count("mentor_follow_ups").await;
    let r = post(
        &t,
        &mentor,
        "en",
        &format!("/mentoring/{trainee}/follow-ups"),
        &[
            ("session_id", &session.to_string()),
            ("held_on", ""),
            ("notes", "复盘迟到原因，约定提前十分钟到场。"),
            ("evaluation", "75.5"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(t.count("mentor_follow_ups").await, before + 1);
    let overview = t
        .get("/api/v1/mentoring")
        .bearer(&token)
        .send()
        .await
        .json();
    assert_eq!(overview["overdue"], json!([]));
    assert_eq!(
        overview["company_overdue"],
        json!(null),
        "only for managers"
    );
    // Bad notes and evaluation: clear messages, nothing stored.
    let r = post(
        &t,
        &mentor,
        "en",
        &format!("/mentoring/{trainee}/follow-ups"),
        &[("notes", " "), ("evaluation", "120")],
    )
    .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(t.count("mentor_follow_ups").await, before + 1);
    // A manager sees the company-wide list (now empty) and the assignments.
    let manager = t.web_login("manager").await;
    let r = t
        .get("/mentoring")
        .session(&manager)
        .lang("en")
        .send()
        .await;
    assert!(
        r.text().contains("No follow-up is overdue."),
        "{}",
        r.text()
    );
    let r = t
        .get("/mentoring/assignments")
        .session(&manager)
        .lang("en")
        .send()
        .await;
    r.expect(StatusCode::OK);
    let r = post(
        &t,
        &manager,
        "en",
        "/mentoring/assignments",
        &[("mentee_no", "NOPE-1"), ("mentor_no", "NOPE-2")],
    )
    .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .contains("No current employee has this employee number")
    );
}

#[tokio::test]
async fn the_mentor_is_told_once_when_a_follow_up_falls_due() {
    let t = TestApp::new().await;
    let today = session_id(&t, "TRS-2026-TODAY").await;
    let trainee = employee_id_of(&t, "employee").await;
    {
        let mut tx = t.app.db.begin().await.unwrap();
        skillcert_store::training::set_mark(
            &mut tx.conn(),
            today,
            trainee,
            "present",
            "lecturer",
            None,
            start_time(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let mentoring = skillcert_app::training::mentoring::remind_due;
    assert_eq!(
        mentoring(&t.app).await.unwrap(),
        0,
        "the session has not ended"
    );
    t.advance(chrono::Duration::hours(4));
    assert_eq!(mentoring(&t.app).await.unwrap(), 1);
    assert_eq!(mentoring(&t.app).await.unwrap(), 0, "told once");
    let inbox = t
        .get("/api/v1/inbox")
        .bearer(&t.api_login("mentor").await)
        .lang("en")
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let first = &inbox["items"][0];
    assert_eq!(first["kind"], "inbox-follow-up-due");
    assert!(
        first["text"]
            .as_str()
            .unwrap()
            .contains("after session TRS-2026-TODAY is due by 2026-11-30"),
        "{first}"
    );
}

// ---------- the daily component ----------

#[tokio::test]
async fn the_daily_component_comes_from_training_records_with_its_breakdown() {
    for t in TestApp::all().await {
        daily_component_on(&t).await;
    }
}

async fn daily_component_on(t: &TestApp) {
    let manager = actor(t, "manager").await;
    let employee = actor(t, "employee").await;
    let mentor = actor(t, "mentor").await;
    let scheme = skillcert_domain::scheme::presets::get("s1-certification").unwrap();
    let mut input = RoundInput::defaults(&t.app, &scheme);
    input.code = "CERT-DAILY".into();
    input.title = "日常表现取自培训记录".into();
    input.scheme_version = "preset".into();

    // Bad settings: refused with the component's field, nothing created.
    let before = t.count("cert_rounds").await;
    for (key, raw, code) in [
        ("daily", "training 30/40/40", "round-training-weights"),
        (
            "daily",
            "training 2026-12-01..2026-11-01",
            "round-training-period",
        ),
        ("daily", "training soon", "round-training-syntax"),
    ] {
        let mut bad = input.clone();
        bad.sources = BTreeMap::from([(key.to_string(), raw.to_string())]);
        match rounds::create(&t.app, &manager, &bad).await {
            Err(skillcert_app::AppError::Rejected(ps)) => {
                assert_eq!(ps[0].code, code);
                assert_eq!(ps[0].field, format!("sources.{key}"));
            }
            other => panic!("{raw}: {other:?}"),
        }
    }
    let r = t
        .post("/api/v1/rounds")
        .bearer(&t.api_login("manager").await)
        .lang("en")
        .json(&json!({
            "code": "CERT-BAD", "title": "x", "scheme_key": "s1-certification",
            "scheme_version": "preset", "track": "advanced", "levels": "junior",
            "registration_opens": "2026-11-23", "registration_closes": "2026-11-30",
            "assessment_starts": "2026-12-01", "assessment_ends": "2026-12-10",
            "notice_days": "7", "appeal_days": "7",
            "sources": {"theory": "training"}
        }))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["fields"][0]["code"],
        "round-training-kind",
        "{}",
        r.text()
    );
    assert!(
        r.text()
            .contains("Only attendance and daily performance components")
    );
    assert_eq!(t.count("cert_rounds").await, before);

    input.sources = BTreeMap::from([("daily".to_string(), "training".to_string())]);
    let round = rounds::create(&t.app, &manager, &input).await.unwrap();
    for (who, scores) in [(&employee, ["70", "80"]), (&mentor, ["90", "90"])] {
        let a = applications::apply(
            &t.app,
            who,
            round.id,
            &ApplicationInput {
                level: "intermediate".into(),
                training_completed_on: String::new(),
                mentor_comment: String::new(),
            },
            &[],
        )
        .await
        .unwrap();
        applications::decide(&t.app, &manager, a, true, "")
            .await
            .unwrap();
        let e = who.employee_id.unwrap();
        for (component, score) in ["theory", "practical"].iter().zip(scores) {
            results::enter_score(&t.app, &manager, round.id, e, component, score)
                .await
                .unwrap();
        }
    }
    // The daily component is not typed in any more.
    let e = employee.employee_id.unwrap();
    match results::enter_score(&t.app, &manager, round.id, e, "daily", "50").await {
        Err(skillcert_app::AppError::Rejected(ps)) => assert_eq!(ps[0].code, "score-not-manual"),
        other => panic!("{other:?}"),
    }
    // Live: the employee attended TRS-2026-01 (100), their homework was marked 17/20 (85)
    // and their mentor evaluated 82: 30 + 34 + 24.6 = 88.6.
    let res = t
        .get(&format!("/api/v1/rounds/{}/results", round.id))
        .bearer(&t.api_login("manager").await)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let row = |id: i64| {
        res["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["application"]["employee_id"] == id)
            .unwrap()
            .clone()
    };
    let mine = row(e);
    let part = &mine["training"][0];
    assert_eq!(part["component"], "daily");
    assert_eq!(part["attendance"], json!(100));
    assert_eq!(part["homework"], json!(85));
    assert_eq!(part["mentor"], json!(82));
    assert_eq!(part["score"], json!(88.6));
    assert_eq!(part["weights"], json!(["30", "40", "30"]));
    assert_eq!(mine["inputs"]["values"]["daily"], json!(88.6), "{mine}");
    // The mentor has attendance only: the rest is left out and reweighted.
    let theirs = row(mentor.employee_id.unwrap());
    assert_eq!(theirs["training"][0]["score"], json!(100));
    assert_eq!(theirs["training"][0]["renormalised"], json!(true));
    // The results page shows the breakdown.
    let manager_web = t.web_login("manager").await;
    let page = t
        .get(&format!("/rounds/{}/results", round.id))
        .session(&manager_web)
        .lang("en")
        .send()
        .await;
    page.expect(StatusCode::OK);
    assert!(
        page.text()
            .contains("Attendance 100 · homework 85 (1) · mentor 82 · weights 30/40/30"),
        "{}",
        page.text()
    );
    // The employee sees theirs live before the review.
    let employee_web = t.web_login("employee").await;
    let own = t
        .get(&format!("/rounds/{}/mine", round.id))
        .session(&employee_web)
        .lang("en")
        .send()
        .await;
    own.expect(StatusCode::OK);
    assert!(
        own.text().contains("So far, from training records")
            && own.text().contains("Daily performance: 88.6"),
        "{}",
        own.text()
    );
    // Frozen at review, shown on the employee's result once published.
    results::review(&t.app, &manager, round.id).await.unwrap();
    results::publish(&t.app, &manager, round.id).await.unwrap();
    let own = t
        .get(&format!("/rounds/{}/mine", round.id))
        .session(&t.web_login("employee").await)
        .lang("zh-CN")
        .send()
        .await;
    own.expect(StatusCode::OK);
    assert!(
        own.text()
            .contains("出勤 100 · 作业 85（1 份）· 导师评价 82 · 权重 30/40/30"),
        "{}",
        own.text()
    );
    // The round's form shows the setting back.
    let edit = rounds::input_of(&rounds::detail(&t.app, &manager, round.id).await.unwrap());
    assert_eq!(
        edit.sources.get("daily").map(String::as_str),
        Some("training")
    );
}

// ---------- the role matrix and the English pages ----------

const HOMEWORK_FORM: &[(&str, &str)] = &[("title", ""), ("deadline", ""), ("max_points", "")];
const MARK_FORM: &[(&str, &str)] = &[("points", ""), ("comment", "")];
const ASSIGN_FORM: &[(&str, &str)] = &[("mentee_no", ""), ("mentor_no", "")];
const FOLLOW_UP_FORM: &[(&str, &str)] = &[("notes", ""), ("evaluation", "")];

/// This area's routes in the role matrix (`roles.rs`), each with what it needs and an
/// invalid input, so an allowed role is refused by validation and a forbidden one by 403.
pub(crate) fn matrix_routes() -> Vec<Route> {
    use Input::*;
    use Need::*;
    vec![
        page(
            "GET",
            "/training-sessions/{id}/homework",
            TrainingRead,
            None,
        ),
        page(
            "POST",
            "/training-sessions/{id}/homework",
            TrainingTeach,
            Form(HOMEWORK_FORM),
        ),
        page("GET", "/homework/{id}", TrainingRead, None),
        page("GET", "/homework/{id}/edit", TrainingTeach, None),
        page(
            "POST",
            "/homework/{id}/edit",
            TrainingTeach,
            Form(HOMEWORK_FORM),
        ),
        // Handing in: the demo `employee` is enrolled in today's session, nobody else with
        // an account is.
        page("GET", "/homework/{id}/submit", Own, None),
        page("POST", "/homework/{id}/submit", Own, EmptyUpload),
        page(
            "POST",
            "/homework/submissions/{id}/mark",
            TrainingTeach,
            Form(MARK_FORM),
        ),
        // A file handed in by someone without an account: only the session's markers.
        page("GET", "/homework/files/{id}", TrainingTeach, None),
        page("GET", "/my-training/homework", SignedIn, None),
        page("GET", "/mentoring", Mentoring, None),
        page("GET", "/mentoring/assignments", TrainingManage, None),
        page(
            "POST",
            "/mentoring/assignments",
            TrainingManage,
            Form(ASSIGN_FORM),
        ),
        // Nobody without a mentor is found: 404, nothing removed.
        page(
            "POST",
            "/mentoring/assignments/{id}/remove",
            TrainingManage,
            Form(&[]),
        ),
        page(
            "GET",
            "/mentoring/{employee_id}/follow-ups",
            Mentoring,
            None,
        ),
        page(
            "POST",
            "/mentoring/{employee_id}/follow-ups",
            Mentoring,
            Form(FOLLOW_UP_FORM),
        ),
        api(
            "GET",
            "/training-sessions/{id}/homework",
            TrainingRead,
            None,
        ),
        api(
            "POST",
            "/training-sessions/{id}/homework",
            TrainingTeach,
            Json("{}"),
        ),
        api("GET", "/homework/{id}", TrainingRead, None),
        api("PUT", "/homework/{id}", TrainingTeach, Json("{}")),
        api("POST", "/homework/{id}/submissions", Own, EmptyUpload),
        api(
            "POST",
            "/homework-submissions/{id}/mark",
            TrainingTeach,
            Json("{}"),
        ),
        api("GET", "/homework-files/{id}", TrainingTeach, None),
        api("GET", "/me/homework", SignedIn, None),
        api("GET", "/mentoring", Mentoring, None),
        api("GET", "/mentoring/assignments", TrainingManage, None),
        api("POST", "/mentoring/assignments", TrainingManage, Json("{}")),
        api(
            "DELETE",
            "/mentoring/assignments/{id}",
            TrainingManage,
            None,
        ),
        api(
            "GET",
            "/mentoring/{employee_id}/follow-ups",
            Mentoring,
            None,
        ),
        api(
            "POST",
            "/mentoring/{employee_id}/follow-ups",
            Mentoring,
            Json("{}"),
        ),
    ]
}

/// Records this area's matrix routes point at: `ids` maps a path prefix (`"/surveys/"`) or
/// a named placeholder (`"{code}"`) to the id to use.
///
/// A homework on the sessions area's matrix session (the demo `lecturer`'s, nobody with an
/// account enrolled) with a hand-in and a file of the employee enrolled there; the demo's
/// homework of today's session (the demo `employee` enrolled) for handing in. The mentee
/// (`{employee_id}`) is the demo `employee`, the demo `mentor`'s trainee.
pub(crate) async fn matrix_fixture(t: &TestApp, ids: &mut BTreeMap<&'static str, String>) {
    use skillcert_store::training_records as store;
    let session = {
        let mut r = t.app.db.read().await.unwrap();
        skillcert_store::training::session_by_code(&mut r.conn(), "MATRIX-TRS")
            .await
            .unwrap()
            .expect("the sessions area's matrix session")
    };
    let enrolled = {
        let mut r = t.app.db.read().await.unwrap();
        skillcert_store::training::enrolled(&mut r.conn(), session.id)
            .await
            .unwrap()[0]
            .employee_id
    };
    let mut tx = t.app.db.begin().await.unwrap();
    let c = &mut tx.conn();
    let a = store::insert_assignment(
        c,
        session.id,
        &store::AssignmentFields {
            title: "矩阵用作业".into(),
            instructions: String::new(),
            deadline: start_time() + chrono::Duration::days(3),
            max_points: 10,
            late_policy: r#"{"kind":"accept"}"#.into(),
            rubric_key: None,
        },
        None,
        start_time(),
    )
    .await
    .unwrap();
    let s = store::insert_submission(
        c,
        &store::NewSubmission {
            assignment_id: a.id,
            employee_id: enrolled,
            text: "矩阵".into(),
            lateness: r#"{"kind":"on_time"}"#.into(),
        },
        &[store::NewHomeworkFile {
            filename: "m.pdf",
            content_type: "application/pdf",
            sha256: "0",
            data: PDF,
        }],
        start_time(),
    )
    .await
    .unwrap();
    let file = store::submission_files(c, s).await.unwrap()[0].id;
    tx.commit().await.unwrap();
    let today = homework_of(t, "TRS-2026-TODAY").await;
    for (path, id) in [
        ("/training-sessions/{id}/homework", session.id),
        ("/api/v1/training-sessions/{id}/homework", session.id),
        ("/homework/{id}", a.id),
        ("/homework/{id}/edit", a.id),
        ("/api/v1/homework/{id}", a.id),
        ("/homework/{id}/submit", today),
        ("/api/v1/homework/{id}/submissions", today),
        ("/homework/submissions/{id}/mark", s),
        ("/api/v1/homework-submissions/{id}/mark", s),
        ("/homework/files/{id}", file),
        ("/api/v1/homework-files/{id}", file),
        ("/mentoring/assignments/{id}/remove", 999_999),
        ("/api/v1/mentoring/assignments/{id}", 999_999),
    ] {
        ids.insert(path, id.to_string());
    }
}

/// This area's pages the English-page check (`i18n.rs`) loads as `admin`.
pub(crate) async fn english_pages(t: &TestApp) -> Vec<String> {
    let past = session_id(t, "TRS-2026-01").await;
    let marked = homework_of(t, "TRS-2026-01").await;
    let open = homework_of(t, "TRS-2026-TODAY").await;
    let trainee = employee_id_of(t, "employee").await;
    vec![
        format!("/training-sessions/{past}/homework"),
        format!("/homework/{marked}"),
        format!("/homework/{marked}/edit"),
        format!("/homework/{open}"),
        "/my-training/homework".into(),
        "/mentoring".into(),
        "/mentoring?days=3".into(),
        "/mentoring/assignments".into(),
        format!("/mentoring/{trainee}/follow-ups"),
    ]
}

/// Data of this area that may show in Chinese on English pages (names, titles typed by
/// users), for the English-page check.
pub(crate) async fn data_strings(t: &TestApp) -> Vec<String> {
    use skillcert_store::training_records as store;
    let mut r = t.app.db.read().await.unwrap();
    let c = &mut r.conn();
    let mut v = Vec::new();
    for code in ["TRS-2026-01", "TRS-2026-TODAY"] {
        let Some(s) = skillcert_store::training::session_by_code(c, code)
            .await
            .unwrap()
        else {
            continue;
        };
        v.push(s.topic.clone());
        for a in store::assignments_of_session(c, s.id).await.unwrap() {
            v.push(a.title.clone());
            v.push(a.instructions.clone());
            for sub in store::submissions_of_assignment(c, a.id, None)
                .await
                .unwrap()
            {
                v.push(sub.text.clone());
                v.push(sub.comment.clone());
                for f in store::submission_files(c, sub.id).await.unwrap() {
                    v.push(f.filename);
                }
            }
        }
    }
    let trainee = skillcert_store::users::find_user_by_username(c, "employee")
        .await
        .unwrap()
        .and_then(|u| u.employee_id);
    if let Some(e) = trainee {
        for f in store::follow_ups_of_mentee(c, e).await.unwrap() {
            v.push(f.notes);
        }
    }
    v.retain(|s| !s.is_empty());
    v
}

#[tokio::test]
async fn the_follow_up_period_is_the_company_rule_unless_a_view_asks_for_another() {
    let t = TestApp::new().await;
    let mentor = t.api_login("mentor").await;
    let days = |v: serde_json::Value| v["days"].as_i64().unwrap();
    let overview = t.get("/api/v1/mentoring").bearer(&mentor).send().await;
    assert_eq!(
        days(overview.expect(StatusCode::OK).json()),
        7,
        "S1's 7 days"
    );
    // The training manager makes it 30 days: the mentor's page follows, nothing is overdue.
    let manager = t.api_login("manager").await;
    t.put("/api/v1/compliance/rules")
        .bearer(&manager)
        .json(&json!({"document": "follow_up_days = 30"}))
        .send()
        .await
        .expect(StatusCode::OK);
    let overview = t
        .get("/api/v1/mentoring")
        .bearer(&mentor)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(days(overview.clone()), 30);
    let html = t
        .get("/mentoring")
        .session(&t.web_login("mentor").await)
        .lang("en")
        .send()
        .await
        .text();
    assert!(html.contains("Overdue: 0"), "{html}");
    // A view may still ask for its own period; a rule out of range is refused, unsaved.
    let mine = t
        .get("/api/v1/mentoring?days=5")
        .bearer(&mentor)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(days(mine), 5);
    let r = t
        .put("/api/v1/compliance/rules")
        .bearer(&manager)
        .lang("en")
        .json(&json!({"document": "follow_up_days = 90"}))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("1 to 60 days"), "{}", r.text());
    let overview = t
        .get("/api/v1/mentoring")
        .bearer(&mentor)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(days(overview), 30);
}
