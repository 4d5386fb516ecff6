//! Training needs: the competency model, surveys, the needs report (issue 7).
//!
//! A training manager edits the competency model, prepares a survey, opens it (invitees
//! fixed, inbox messages sent); the employee answers and changes the answer; the
//! supervisor adds a rating; the report shows averages, gaps, topics and formats, as page,
//! XLSX and PDF, and drafts a plan. Then every bad input the issue names — a rating outside
//! 1–5, outside the window, not invited, … — with its message in both languages and nothing
//! changed, and who may see what.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use serde_json::json;
use skillcert_domain::training::survey::{normalize_topic, split_topics};
use skillcert_web::i18n::{Lang, t as tr};

use crate::helpers::*;
use crate::roles::{Route, api, page};

// ---------- the matrix hooks ----------

const SKILL_FORM: &[(&str, &str)] = &[("code", "Bad Code"), ("group", "x")];
const SKILL_JSON: &str = r#"{"code": "", "group": "x"}"#;
const SURVEY_FORM: &[(&str, &str)] = &[("code", ""), ("title", "")];
const SURVEY_JSON: &str = r#"{"code": "", "title": ""}"#;
const ANSWER_FORM: &[(&str, &str)] = &[("r.listening", "9")];
const ANSWER_JSON: &str = r#"{"ratings": {"listening": "9"}, "format": "online"}"#;
const RATE_JSON: &str = r#"{"ratings": {"listening": 9}}"#;

/// This area's routes in the role matrix (`roles.rs`), each with what it needs and an
/// invalid input, so an allowed role is refused by validation and a forbidden one by 403.
pub(crate) fn matrix_routes() -> Vec<Route> {
    use crate::roles::Input::*;
    use crate::roles::Need::*;
    vec![
        page("GET", "/skills", TrainingRead, None),
        page("GET", "/skills/new", TrainingManage, None),
        page("POST", "/skills/new", TrainingManage, Form(SKILL_FORM)),
        page("GET", "/skills/{code}", TrainingManage, None),
        page("POST", "/skills/{code}", TrainingManage, Form(SKILL_FORM)),
        page("GET", "/surveys", TrainingRead, None),
        page("GET", "/surveys/new", TrainingManage, None),
        page("POST", "/surveys/new", TrainingManage, Form(SURVEY_FORM)),
        page("GET", "/surveys/{id}", TrainingRead, None),
        page("GET", "/surveys/{id}/edit", TrainingManage, None),
        page(
            "POST",
            "/surveys/{id}/edit",
            TrainingManage,
            Form(SURVEY_FORM),
        ),
        page("POST", "/surveys/{id}/open", TrainingManage, Form(&[])),
        page("POST", "/surveys/{id}/close", TrainingManage, Form(&[])),
        page("GET", "/surveys/{id}/respond", SignedIn, None),
        page("POST", "/surveys/{id}/respond", SignedIn, Form(ANSWER_FORM)),
        page("GET", "/surveys/{id}/rate", TeamRate, None),
        page(
            "POST",
            "/surveys/{id}/rate/{employee_id}",
            TeamRate,
            Form(ANSWER_FORM),
        ),
        page("GET", "/surveys/{id}/report", TrainingRead, None),
        page("GET", "/surveys/{id}/report.xlsx", TrainingRead, None),
        page("GET", "/surveys/{id}/report.pdf", TrainingRead, None),
        page(
            "POST",
            "/surveys/{id}/draft-plan",
            TrainingManage,
            Form(&[]),
        ),
        page("GET", "/my-training/surveys", SignedIn, None),
        api("POST", "/skills", TrainingManage, Json(SKILL_JSON)),
        api("PUT", "/skills/{code}", TrainingManage, Json(SKILL_JSON)),
        api("GET", "/surveys", TrainingRead, None),
        api("POST", "/surveys", TrainingManage, Json(SURVEY_JSON)),
        api("GET", "/surveys/{id}", TrainingRead, None),
        api("PUT", "/surveys/{id}", TrainingManage, Json(SURVEY_JSON)),
        api("POST", "/surveys/{id}/open", TrainingManage, None),
        api("POST", "/surveys/{id}/close", TrainingManage, None),
        api("GET", "/me/surveys", SignedIn, None),
        api("GET", "/surveys/{id}/response", SignedIn, None),
        api("PUT", "/surveys/{id}/response", SignedIn, Json(ANSWER_JSON)),
        api("GET", "/surveys/{id}/ratings", TeamRate, None),
        api(
            "PUT",
            "/surveys/{id}/ratings/{employee_id}",
            TeamRate,
            Json(RATE_JSON),
        ),
        api("GET", "/surveys/{id}/report", TrainingRead, None),
        api("POST", "/surveys/{id}/draft-plan", TrainingManage, None),
    ]
}

/// The demo's surveys: `(closed last spring, open now)`.
async fn demo_surveys(t: &TestApp) -> (i64, i64) {
    let mut r = t.app.db.read().await.unwrap();
    let c = &mut r.conn();
    let past = skillcert_store::training::survey_by_code(c, "NS-2026-H1")
        .await
        .unwrap()
        .expect("the demo's closed survey");
    let now = skillcert_store::training::survey_by_code(c, "NS-2026-H2")
        .await
        .unwrap()
        .expect("the demo's open survey");
    assert_eq!(
        (past.status.as_str(), now.status.as_str()),
        ("closed", "open")
    );
    (past.id, now.id)
}

/// A draft survey (nobody asked, nothing to plan) made through the API.
async fn draft_survey(t: &TestApp, code: &str) -> i64 {
    let admin = t.api_login("admin").await;
    let r = t
        .post("/api/v1/surveys")
        .bearer(&admin)
        .json(&json!({
            "code": code, "title": "Matrix draft", "opens_on": "2026-11-23",
            "closes_on": "2026-12-10", "skills": ["listening", "empathy"]
        }))
        .send()
        .await;
    r.expect(StatusCode::CREATED);
    r.json()["survey"]["id"].as_i64().unwrap()
}

/// Records this area's matrix routes point at: `ids` maps a path prefix (`"/surveys/"`) or
/// a named placeholder (`"{code}"`) to the id to use. The open demo survey for reading and
/// answering; the closed one for closing (refused); a draft without answers for drafting a
/// plan (refused: nothing to plan) — so the matrix changes nothing.
pub(crate) async fn matrix_fixture(t: &TestApp, ids: &mut BTreeMap<&'static str, String>) {
    let (closed, open) = demo_surveys(t).await;
    let draft = draft_survey(t, "MATRIX-NS").await;
    ids.insert("/surveys/", open.to_string());
    ids.insert("{code}", "listening".to_string());
    for closing in ["/surveys/{id}/close", "/api/v1/surveys/{id}/close"] {
        ids.insert(closing, closed.to_string());
    }
    for planning in [
        "/surveys/{id}/draft-plan",
        "/api/v1/surveys/{id}/draft-plan",
    ] {
        ids.insert(planning, draft.to_string());
    }
}

/// This area's pages the English-page check (`i18n.rs`) loads as `admin`.
pub(crate) async fn english_pages(t: &TestApp) -> Vec<String> {
    let (closed, open) = demo_surveys(t).await;
    let mut v = vec![
        "/skills".to_string(),
        "/skills/new".to_string(),
        "/skills/listening".to_string(),
        "/surveys".to_string(),
        "/surveys?phase=closed".to_string(),
        "/surveys/new".to_string(),
        "/my-training/surveys".to_string(),
    ];
    for id in [closed, open] {
        for suffix in ["", "/edit", "/report", "/rate", "/respond"] {
            v.push(format!("/surveys/{id}{suffix}"));
        }
    }
    v
}

/// Data of this area that may show in Chinese on English pages (names, titles typed by
/// users), for the English-page check.
pub(crate) async fn data_strings(t: &TestApp) -> Vec<String> {
    let mut r = t.app.db.read().await.unwrap();
    let c = &mut r.conn();
    let mut v = Vec::new();
    for s in skillcert_store::training_more::needs::skill_rows(c)
        .await
        .unwrap()
    {
        v.push(s.name_zh);
    }
    let surveys = skillcert_store::training_more::needs::list_surveys(
        c,
        &skillcert_store::training_more::needs::PhaseQuery {
            per_page: 200,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    for s in surveys.items {
        v.push(s.title.clone());
        for row in skillcert_store::training::report_rows(c, s.id)
            .await
            .unwrap()
        {
            for topic in split_topics(&row.desired_content) {
                v.push(normalize_topic(topic));
                v.push(topic.to_string());
            }
            v.push(row.desired_content);
        }
    }
    v
}

// ---------- building blocks ----------

async fn page_of(t: &TestApp, s: &WebSession, path: &str, lang: &str) -> Resp {
    t.get(path).session(s).lang(lang).send().await
}

async fn post(
    t: &TestApp,
    s: &WebSession,
    path: &str,
    fields: &[(&str, &str)],
    lang: &str,
) -> Resp {
    let mut all = fields.to_vec();
    all.push(("_csrf", s.csrf.as_str()));
    t.post(path).session(s).lang(lang).form(&all).send().await
}

/// The message of a refusal code, HTML-escaped as the page prints it.
fn msg(lang: Lang, code: &str) -> String {
    escape(tr(lang, &format!("problem-{code}")))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

async fn employee_id(t: &TestApp, username: &str) -> i64 {
    let mut r = t.app.db.read().await.unwrap();
    skillcert_store::users::find_user_by_username(&mut r.conn(), username)
        .await
        .unwrap()
        .unwrap()
        .employee_id
        .unwrap()
}

async fn responses_of(t: &TestApp, survey: i64) -> Vec<skillcert_store::training::ReportRow> {
    let mut r = t.app.db.read().await.unwrap();
    skillcert_store::training::report_rows(&mut r.conn(), survey)
        .await
        .unwrap()
}

/// A full answer to the demo's skills, every rating `value`.
fn full_answer(value: &str) -> Vec<(String, String)> {
    let skills = [
        "listening",
        "empathy",
        "verbal-expression",
        "emotion-management",
        "complaint-process",
        "service-norms",
        "product-knowledge",
        "crm-operation",
        "fast-response",
        "polite-phrases",
    ];
    let mut v: Vec<(String, String)> = skills
        .iter()
        .map(|s| (format!("r.{s}"), value.to_string()))
        .collect();
    v.push(("desired_content".into(), "投诉处理技巧、情绪管理".into()));
    v.push(("format".into(), "offline".into()));
    v
}

fn pairs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
}

// ---------- the competency model ----------

#[tokio::test]
async fn the_competency_model_is_edited_with_clear_refusals() {
    let t = TestApp::new().await;
    let s = t.web_login("manager").await;
    let list = page_of(&t, &s, "/skills", "en").await;
    list.expect(StatusCode::OK);
    let html = list.text();
    assert!(html.contains("Active listening") && html.contains("倾听"));
    assert!(html.contains(&escape(tr(Lang::En, "needs-skills-fixed-codes"))));
    let zh = page_of(&t, &s, "/skills", "zh-CN").await.text();
    assert!(zh.contains(tr(Lang::ZhCn, "needs-group-etiquette")));

    let before = t.count("skills").await;
    let audit = t.count("audit_log").await;
    // Every problem at once, in both languages, nothing stored.
    for (lang, tag) in [(Lang::En, "en"), (Lang::ZhCn, "zh-CN")] {
        let r = post(
            &t,
            &s,
            "/skills/new",
            &[
                ("code", "Bad Code"),
                ("group", "other"),
                ("name_zh", ""),
                ("name_en", " "),
                ("position", "-3"),
            ],
            tag,
        )
        .await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        for code in [
            "skill-code-format",
            "skill-group-unknown",
            "skill-name-zh-missing",
            "skill-name-en-missing",
            "skill-position-invalid",
        ] {
            assert!(html.contains(&msg(lang, code)), "{tag} {code}");
        }
        assert!(html.contains("value=\"Bad Code\""), "the typed values stay");
    }
    let taken = post(
        &t,
        &s,
        "/skills/new",
        &[
            ("code", "listening"),
            ("group", "basic"),
            ("name_zh", "倾听"),
            ("name_en", "Listening"),
        ],
        "en",
    )
    .await;
    taken.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(taken.text().contains(&msg(Lang::En, "skill-code-taken")));
    assert_eq!(t.count("skills").await, before);
    assert_eq!(t.count("audit_log").await, audit);

    // A new skill goes last; renaming keeps its code.
    let r = post(
        &t,
        &s,
        "/skills/new",
        &[
            ("code", "script-writing"),
            ("group", "professional"),
            ("name_zh", "话术编写"),
            ("name_en", "Script writing"),
            ("position", ""),
        ],
        "en",
    )
    .await;
    assert_eq!(r.location().as_deref(), Some("/skills?done=skill"));
    assert_eq!(t.count("skills").await, before + 1);
    let r = post(
        &t,
        &s,
        "/skills/script-writing",
        &[
            ("code", "renamed"),
            ("group", "etiquette"),
            ("name_zh", "服务话术"),
            ("name_en", "Service scripts"),
            ("position", "30"),
        ],
        "en",
    )
    .await;
    assert!(r.status.is_redirection(), "{}", r.text());
    let admin = t.api_login("admin").await;
    let skills = t.get("/api/v1/skills").bearer(&admin).send().await.json();
    let row = skills
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "script-writing")
        .expect("the code stays");
    assert_eq!(row["name_en"], "Service scripts");
    assert!(
        skills
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["code"] != "renamed")
    );

    // The API: the same rules, 422 with problems; 201 with the position.
    let r = t
        .post("/api/v1/skills")
        .bearer(&admin)
        .lang("en")
        .json(&json!({"code": "x", "group": "basic", "name_zh": "甲", "name_en": ""}))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    let fields = r.json()["fields"].clone();
    assert!(
        fields
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "skill-code-format"
                && f["message"] == tr(Lang::En, "problem-skill-code-format"))
    );
    assert!(
        fields
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["field"] == "name_en")
    );
    let r = t
        .post("/api/v1/skills")
        .bearer(&admin)
        .json(&json!({"code": "hotline-etiquette", "group": "etiquette", "name_zh": "热线礼仪", "name_en": "Hotline etiquette", "position": "40"}))
        .send()
        .await;
    r.expect(StatusCode::CREATED);
    assert_eq!(r.json()["position"], 40);
    assert_eq!(r.json()["group"], "etiquette");
    let r = t
        .put("/api/v1/skills/no-such-skill")
        .bearer(&admin)
        .json(&json!({"group": "basic", "name_zh": "甲", "name_en": "A"}))
        .send()
        .await;
    r.expect(StatusCode::NOT_FOUND);
    // A supervisor reads the model but does not edit it.
    let sup = t.web_login("supervisor").await;
    page_of(&t, &sup, "/skills", "en")
        .await
        .expect(StatusCode::OK);
    page_of(&t, &sup, "/skills/new", "en")
        .await
        .expect(StatusCode::FORBIDDEN);
}

// ---------- the survey's life ----------

#[tokio::test]
async fn a_survey_is_prepared_opened_answered_rated_and_reported() {
    let t = TestApp::new().await;
    let m = t.web_login("manager").await;
    let csc01 = t.department_id("CSC-01").await;
    let agent = t.position_id("AGENT").await;

    // Prepare: a bad form keeps what was typed and says why.
    let r = post(
        &t,
        &m,
        "/surveys/new",
        &[
            ("code", "NS-TEST"),
            ("title", "Test survey"),
            ("opens_on", "2026-11-30"),
            ("closes_on", "2026-11-20"),
            ("skill", "listening"),
            ("target_listening", "6"),
        ],
        "en",
    )
    .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains(&msg(Lang::En, "survey-window-order")));
    assert!(r.text().contains(&msg(Lang::En, "survey-target-invalid")));
    let none = post(
        &t,
        &m,
        "/surveys/new",
        &[
            ("code", "NS-TEST"),
            ("title", "T"),
            ("opens_on", "2026-11-20"),
            ("closes_on", "2026-11-30"),
        ],
        "zh-CN",
    )
    .await;
    assert!(none.text().contains(&msg(Lang::ZhCn, "survey-no-skills")));
    assert!(t.count("needs_surveys").await == 2, "nothing stored");

    let dept = csc01.to_string();
    let pos = agent.to_string();
    let form = [
        ("code", "NS-TEST"),
        ("title", "Test survey"),
        ("opens_on", "2026-11-23"),
        ("closes_on", "2026-11-30"),
        ("skill", "listening"),
        ("target_listening", "4.5"),
        ("skill", "empathy"),
        ("target_empathy", ""),
        ("department", dept.as_str()),
        ("position", pos.as_str()),
    ];
    let r = post(&t, &m, "/surveys/new", &form, "en").await;
    let at = r.location().expect("created");
    let id: i64 = at
        .trim_start_matches("/surveys/")
        .trim_end_matches("?done=created")
        .parse()
        .unwrap();
    let show = page_of(&t, &m, &format!("/surveys/{id}"), "en")
        .await
        .text();
    assert!(show.contains(tr(Lang::En, "needs-phase-draft")));
    // A draft is edited; its respond page says it is not open; nobody is invited yet.
    let mut edited = form.to_vec();
    edited[1] = ("title", "Test survey (edited)");
    let r = post(&t, &m, &format!("/surveys/{id}/edit"), &edited, "en").await;
    assert!(r.status.is_redirection(), "{}", r.text());
    let e = t.web_login("employee").await;
    let sheet = page_of(&t, &e, &format!("/surveys/{id}/respond"), "en")
        .await
        .text();
    assert!(sheet.contains(&msg(Lang::En, "survey-not-invited")));

    // Open: the invitees are fixed and told in their inbox.
    let inbox = t.count("inbox_messages").await;
    let invitees_before = t.count("survey_invitees").await;
    let r = post(&t, &m, &format!("/surveys/{id}/open"), &[], "en").await;
    assert_eq!(r.location(), Some(format!("/surveys/{id}?done=opened")));
    let invited = t.count("survey_invitees").await;
    assert!(t.count("inbox_messages").await > inbox);
    let again = post(&t, &m, &format!("/surveys/{id}/open"), &[], "en").await;
    again.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text().contains(&msg(Lang::En, "survey-not-draft")));
    let r = post(&t, &m, &format!("/surveys/{id}/edit"), &edited, "zh-CN").await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains(&msg(Lang::ZhCn, "survey-not-draft")));
    assert_eq!(
        t.count("survey_invitees").await,
        invited,
        "opening twice invites nobody more"
    );

    // The employee (an agent of CSC-01) finds it and answers.
    let mine = page_of(&t, &e, "/my-training/surveys", "en").await.text();
    assert!(mine.contains("Test survey (edited)"));
    let inbox_page = page_of(&t, &e, "/inbox", "en").await.text();
    assert!(
        inbox_page.contains("Please answer the training needs survey"),
        "{inbox_page}"
    );
    let path = format!("/surveys/{id}/respond");
    let stored = t.count("survey_responses").await;
    // A rating outside 1–5: the message next to the skill, in both languages; nothing stored.
    for (lang, tag) in [(Lang::En, "en"), (Lang::ZhCn, "zh-CN")] {
        for bad in ["6", "0", "3.5", "x"] {
            let r = post(
                &t,
                &e,
                &path,
                &[
                    ("r.listening", bad),
                    ("r.empathy", "3"),
                    ("desired_content", "倾听"),
                    ("format", "online"),
                ],
                tag,
            )
            .await;
            r.expect(StatusCode::UNPROCESSABLE_ENTITY);
            assert!(
                r.text().contains(&msg(lang, "survey-rating-out-of-range")),
                "{tag} {bad}"
            );
        }
        let r = post(&t, &e, &path, &[("r.listening", "3")], tag).await;
        assert!(r.text().contains(&msg(lang, "survey-rating-missing")));
        assert!(r.text().contains(&msg(lang, "survey-format-missing")));
    }
    assert_eq!(t.count("survey_responses").await, stored);
    let r = post(
        &t,
        &e,
        &path,
        &[
            ("r.listening", "2"),
            ("r.empathy", "３"),
            ("desired_content", "投诉处理、情绪管理"),
            ("format", "offline"),
        ],
        "en",
    )
    .await;
    assert_eq!(
        r.location().as_deref(),
        Some("/my-training/surveys?done=answered")
    );
    // Changed while open: still one answer, the new ratings.
    let r = post(
        &t,
        &e,
        &path,
        &[
            ("r.listening", "3"),
            ("r.empathy", "3"),
            ("desired_content", "投诉处理"),
            ("format", "online"),
        ],
        "en",
    )
    .await;
    assert!(r.status.is_redirection());
    let rows = responses_of(&t, id).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].ratings, r#"{"empathy":3,"listening":3}"#);
    assert_eq!(rows[0].format, "online");

    // The supervisor rates the employee; a bad rating is refused with nothing stored.
    let sup = t.web_login("supervisor").await;
    let me = employee_id(&t, "employee").await;
    let ratings_before = t.count("survey_supervisor_ratings").await;
    let rate_page = page_of(&t, &sup, &format!("/surveys/{id}/rate"), "en").await;
    rate_page.expect(StatusCode::OK);
    assert!(
        rate_page
            .text()
            .contains(&format!("/surveys/{id}/rate/{me}"))
    );
    for (lang, tag) in [(Lang::En, "en"), (Lang::ZhCn, "zh-CN")] {
        let r = post(
            &t,
            &sup,
            &format!("/surveys/{id}/rate/{me}"),
            &[("r.listening", "7")],
            tag,
        )
        .await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains(&msg(lang, "survey-rating-out-of-range")));
        let r = post(
            &t,
            &sup,
            &format!("/surveys/{id}/rate/{me}"),
            &[("r.listening", "")],
            tag,
        )
        .await;
        assert!(r.text().contains(&msg(lang, "survey-nothing-rated")));
    }
    assert_eq!(t.count("survey_supervisor_ratings").await, ratings_before);
    let r = post(
        &t,
        &sup,
        &format!("/surveys/{id}/rate/{me}"),
        &[("r.listening", "2"), ("r.empathy", "")],
        "en",
    )
    .await;
    assert!(r.status.is_redirection(), "{}", r.text());
    // Someone outside the supervisor's departments: 403.
    let other = t.employee_in("BH-01").await;
    let r = post(
        &t,
        &sup,
        &format!("/surveys/{id}/rate/{}", other.id),
        &[("r.listening", "2")],
        "en",
    )
    .await;
    r.expect(StatusCode::FORBIDDEN);
    // Someone not invited (a CSC-01 non-agent is outside this survey's audience).
    let admin = t.api_login("admin").await;
    let mentor = employee_id(&t, "mentor").await;
    let r = t
        .put(&format!("/api/v1/surveys/{id}/ratings/{mentor}"))
        .bearer(&admin)
        .lang("en")
        .json(&json!({"ratings": {"listening": 3}}))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"][0]["code"], "survey-not-invited");

    // The report: self 3, supervisor 2 → basis 2.50 against 4.50, gap 2.00.
    let report = t
        .get(&format!("/api/v1/surveys/{id}/report"))
        .bearer(&admin)
        .send()
        .await;
    report.expect(StatusCode::OK);
    let j = report.json();
    let listening = j["analysis"]["skills"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["skill"] == "listening")
        .unwrap()
        .clone();
    assert_eq!(listening["self_average"], 300);
    assert_eq!(listening["supervisor_average"], 200);
    assert_eq!(listening["gap"], 200);
    assert_eq!(j["analysis"]["responses"], 1);
    assert_eq!(j["analysis"]["invited"], invited - invitees_before);
    assert_eq!(j["draft_topics"][0]["skill"], "listening");
    let html = page_of(&t, &m, &format!("/surveys/{id}/report"), "en").await;
    html.expect(StatusCode::OK);
    assert!(html.text().contains("2.00") && html.text().contains("投诉处理"));
    let xlsx = page_of(&t, &m, &format!("/surveys/{id}/report.xlsx"), "en").await;
    xlsx.expect(StatusCode::OK);
    assert!(xlsx.body.starts_with(b"PK"));
    let pdf = page_of(&t, &m, &format!("/surveys/{id}/report.pdf"), "zh-CN").await;
    pdf.expect(StatusCode::OK);
    assert!(pdf.body.starts_with(b"%PDF-"));

    // Draft a plan: redirected to the plan, which is a draft from this survey.
    let plans = t.count("training_plans").await;
    let r = post(&t, &m, &format!("/surveys/{id}/draft-plan"), &[], "en").await;
    let at = r.location().expect("redirect");
    assert!(at.starts_with("/training/plans/"), "{at}");
    assert_eq!(t.count("training_plans").await, plans + 1);
    let plan_id: i64 = at.trim_start_matches("/training/plans/").parse().unwrap();
    let plan = {
        let mut r = t.app.db.read().await.unwrap();
        skillcert_store::training::get_plan(&mut r.conn(), plan_id)
            .await
            .unwrap()
    };
    assert_eq!(
        (plan.status.as_str(), plan.source_survey_id),
        ("draft", Some(id))
    );
    assert_eq!(plan.code, "NS-TEST-PLAN");
    assert!(
        plan.stages.contains("投诉处理") || plan.stages.contains("倾听"),
        "{}",
        plan.stages
    );

    // After the last day: answers and ratings refused, with the reason, nothing changed.
    t.advance(chrono::Duration::days(8));
    // (Sessions lapse after 12 idle hours: sign in again.)
    let (e, sup, m) = (
        t.web_login("employee").await,
        t.web_login("supervisor").await,
        t.web_login("manager").await,
    );
    let before = responses_of(&t, id).await;
    for (lang, tag) in [(Lang::En, "en"), (Lang::ZhCn, "zh-CN")] {
        let r = post(
            &t,
            &e,
            &path,
            &[
                ("r.listening", "5"),
                ("r.empathy", "5"),
                ("format", "online"),
            ],
            tag,
        )
        .await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains(&msg(lang, "survey-closed")), "{tag}");
        let r = post(
            &t,
            &sup,
            &format!("/surveys/{id}/rate/{me}"),
            &[("r.listening", "5")],
            tag,
        )
        .await;
        assert!(r.text().contains(&msg(lang, "survey-closed")), "{tag}");
    }
    assert_eq!(responses_of(&t, id).await, before);
    // Closing by hand; closing again is refused.
    let r = post(&t, &m, &format!("/surveys/{id}/close"), &[], "en").await;
    assert!(r.status.is_redirection());
    let r = post(&t, &m, &format!("/surveys/{id}/close"), &[], "en").await;
    assert!(r.text().contains(&msg(Lang::En, "survey-already-closed")));
    let mine = page_of(&t, &e, "/my-training/surveys", "en").await.text();
    assert!(
        !mine.contains("Test survey (edited)"),
        "a closed survey leaves the list"
    );
}

#[tokio::test]
async fn answering_is_refused_when_not_invited_before_the_window_or_without_an_employee() {
    let t = TestApp::new().await;
    let (closed, open) = demo_surveys(&t).await;
    let stored = t.count("survey_responses").await;
    let audit = t.count("audit_log").await;
    // The judge (CSC-03) was not invited to this month's survey (CSC-01 and CSC-02).
    let judge = t.web_login("judge").await;
    let answer = full_answer("4");
    for (lang, tag) in [(Lang::En, "en"), (Lang::ZhCn, "zh-CN")] {
        let r = post(
            &t,
            &judge,
            &format!("/surveys/{open}/respond"),
            &pairs(&answer),
            tag,
        )
        .await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains(&msg(lang, "survey-not-invited")), "{tag}");
        let page = page_of(&t, &judge, &format!("/surveys/{open}/respond"), tag).await;
        page.expect(StatusCode::OK);
        assert!(page.text().contains(&msg(lang, "survey-not-invited")));
        // The admin has no employee record.
        let admin = t.web_login("admin").await;
        let r = post(
            &t,
            &admin,
            &format!("/surveys/{open}/respond"),
            &pairs(&answer),
            tag,
        )
        .await;
        assert!(r.text().contains(&msg(lang, "survey-not-employee")));
        // Last spring's survey is closed, even for someone who was invited.
        let e = t.web_login("employee").await;
        let r = post(
            &t,
            &e,
            &format!("/surveys/{closed}/respond"),
            &pairs(&answer),
            tag,
        )
        .await;
        assert!(r.text().contains(&msg(lang, "survey-closed")), "{tag}");
    }
    // Over the API: the same codes and messages.
    let token = t.api_login("judge").await;
    let r = t
        .put(&format!("/api/v1/surveys/{open}/response"))
        .bearer(&token)
        .lang("zh-CN")
        .json(&json!({"ratings": {"listening": "4"}, "format": "online"}))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"][0]["code"], "survey-not-invited");
    assert_eq!(
        r.json()["fields"][0]["message"],
        tr(Lang::ZhCn, "problem-survey-not-invited")
    );
    assert_eq!(t.count("survey_responses").await, stored);
    assert_eq!(t.count("audit_log").await, audit);

    // Before the window: a survey opened today for next week.
    let admin = t.api_login("admin").await;
    let r = t
        .post("/api/v1/surveys")
        .bearer(&admin)
        .json(&json!({
            "code": "NS-LATER", "title": "Later", "opens_on": "2026-12-01",
            "closes_on": "2026-12-10", "skills": ["listening"],
            "departments": [t.department_id("CSC-01").await]
        }))
        .send()
        .await;
    r.expect(StatusCode::CREATED);
    let later = r.json()["survey"]["id"].as_i64().unwrap();
    let r = t
        .post(&format!("/api/v1/surveys/{later}/open"))
        .bearer(&admin)
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert!(r.json()["invited"].as_u64().unwrap() > 10);
    let e = t.api_login("employee").await;
    for (lang, tag) in [(Lang::En, "en"), (Lang::ZhCn, "zh-CN")] {
        let r = t
            .put(&format!("/api/v1/surveys/{later}/response"))
            .bearer(&e)
            .lang(tag)
            .json(&json!({"ratings": {"listening": "4"}, "format": "online"}))
            .send()
            .await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["fields"][0]["code"], "survey-not-yet-open");
        assert_eq!(
            r.json()["fields"][0]["message"],
            tr(lang, "problem-survey-not-yet-open")
        );
    }
    let sheet = t
        .get(&format!("/api/v1/surveys/{later}/response"))
        .bearer(&e)
        .send()
        .await
        .json();
    assert_eq!(sheet["refusal"], "survey-not-yet-open");
    assert_eq!(t.count("survey_responses").await, stored);

    // The employee's own list shows both open surveys; the new one not yet answerable.
    let mine = t.get("/api/v1/me/surveys").bearer(&e).send().await.json();
    let ids: Vec<i64> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    assert!(ids.contains(&open) && ids.contains(&later) && !ids.contains(&closed));
    // Opening with an audience nobody is in, or a window already past: refused.
    let r = t
        .post("/api/v1/surveys")
        .bearer(&admin)
        .json(&json!({
            "code": "NS-PAST", "title": "Past", "opens_on": "2026-10-01",
            "closes_on": "2026-10-10", "skills": ["listening"]
        }))
        .send()
        .await;
    let past = r.json()["survey"]["id"].as_i64().unwrap();
    let invitees = t.count("survey_invitees").await;
    let r = t
        .post(&format!("/api/v1/surveys/{past}/open"))
        .bearer(&admin)
        .lang("en")
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"][0]["code"], "survey-window-past");
    assert_eq!(t.count("survey_invitees").await, invitees);
}

#[tokio::test]
async fn the_demo_report_is_scoped_and_complete() {
    let t = TestApp::new().await;
    let (closed, open) = demo_surveys(&t).await;
    let manager = t.api_login("manager").await;
    let full = t
        .get(&format!("/api/v1/surveys/{closed}/report"))
        .bearer(&manager)
        .send()
        .await
        .json();
    let a = &full["analysis"];
    let invited = a["invited"].as_i64().unwrap();
    let responses = a["responses"].as_i64().unwrap();
    assert!((100..=120).contains(&invited), "the call centre: {invited}");
    assert!(
        responses * 100 / invited >= 80,
        "most answered: {responses}/{invited}"
    );
    assert_eq!(a["departments"].as_array().unwrap().len(), 3);
    assert!(a["weakest"][0]["gap"].as_i64().unwrap() > 0);
    assert!(!a["top_topics"].as_array().unwrap().is_empty());
    assert!(
        a["skills"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["supervisor_count"].as_i64().unwrap() > 0)
    );
    // The supervisor sees CSC-01 only.
    let sup = t.api_login("supervisor").await;
    let scoped = t
        .get(&format!("/api/v1/surveys/{closed}/report"))
        .bearer(&sup)
        .send()
        .await
        .json();
    assert_eq!(scoped["scoped"], true);
    let depts = scoped["analysis"]["departments"].as_array().unwrap();
    assert_eq!(depts.len(), 1);
    assert_eq!(depts[0]["key"], t.department_id("CSC-01").await.to_string());
    assert!(scoped["analysis"]["responses"].as_i64().unwrap() < responses);
    let page = t.web_login("supervisor").await;
    let html = page_of(&t, &page, &format!("/surveys/{closed}/report"), "en")
        .await
        .text();
    assert!(html.contains(&escape(tr(Lang::En, "needs-report-scoped"))));
    assert!(
        !html.contains(&escape(tr(Lang::En, "needs-draft-plan"))),
        "no plan button for a supervisor"
    );
    // The supervisor cannot draft a plan; the lecturer reads; employees do not.
    let r = t
        .post(&format!("/api/v1/surveys/{closed}/draft-plan"))
        .bearer(&sup)
        .send()
        .await;
    r.expect(StatusCode::FORBIDDEN);
    let lecturer = t.api_login("lecturer").await;
    t.get(&format!("/api/v1/surveys/{open}/report"))
        .bearer(&lecturer)
        .send()
        .await
        .expect(StatusCode::OK);
    let e = t.api_login("employee").await;
    t.get(&format!("/api/v1/surveys/{open}/report"))
        .bearer(&e)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    // The list: search, phase filter and the response rate.
    let m = t.web_login("manager").await;
    let list = page_of(&t, &m, "/surveys?phase=closed", "en").await.text();
    assert!(list.contains("NS-2026-H1") && !list.contains("NS-2026-H2"));
    let list = page_of(&t, &m, "/surveys?q=h2", "en").await.text();
    assert!(list.contains("NS-2026-H2") && !list.contains("NS-2026-H1"));
    let api = t
        .get("/api/v1/surveys?phase=open")
        .bearer(&manager)
        .send()
        .await
        .json();
    assert_eq!(api["total"], 1);
    // The draft plan from the API answers with the plan's id.
    let r = t
        .post(&format!("/api/v1/surveys/{closed}/draft-plan"))
        .bearer(&manager)
        .send()
        .await;
    r.expect(StatusCode::CREATED);
    let plan = r.json()["plan_id"].as_i64().unwrap();
    assert_eq!(r.location(), Some(format!("/training/plans/{plan}")));
}

/// The needs report over 10,000 responses is one query and one pass (the benchmark times
/// the release build against 1 s; here a debug build only checks it stays far from slow).
#[tokio::test]
async fn ten_thousand_responses_make_a_report_quickly() {
    let t = TestApp::new().await;
    let (_, open) = demo_surveys(&t).await;
    let ids: Vec<i64> = {
        let mut r = t.app.db.read().await.unwrap();
        skillcert_store::org::all_employees(&mut r.conn())
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.id)
            .collect()
    };
    // Extra surveys answered by everyone until 10,000 responses exist for one survey is
    // not possible with 240 employees: instead write 10,000 responses across copies of
    // the employees' rows under one survey id through the store's bulk of one transaction.
    let mut tx = t.app.db.begin().await.unwrap();
    let c = &mut tx.conn();
    let dept = t.department_id("CSC-01").await;
    let mut employees = ids.clone();
    let mut n = 0;
    while employees.len() < 10_000 {
        let e = skillcert_store::org::insert_employee(
            c,
            &skillcert_domain::org::EmployeeDraft {
                employee_no: skillcert_domain::text::Code::parse(&format!("B{n:05}")).unwrap(),
                name: format!("Bench {n}"),
                department_id: dept,
                position_id: None,
                unit_id: None,
                supervisor_id: None,
                hire_date: chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
                status: skillcert_domain::org::EmployeeStatus::Active,
            },
            t.app.now(),
        )
        .await
        .unwrap();
        employees.push(e.id);
        n += 1;
    }
    for (i, e) in employees.iter().enumerate() {
        let ratings: BTreeMap<&str, usize> = [
            "listening",
            "empathy",
            "verbal-expression",
            "emotion-management",
            "complaint-process",
            "service-norms",
            "product-knowledge",
            "crm-operation",
            "fast-response",
            "polite-phrases",
        ]
        .iter()
        .enumerate()
        .map(|(j, s)| (*s, (i + j) % 5 + 1))
        .collect();
        skillcert_store::training::upsert_response(
            c,
            &skillcert_store::training::ResponseFields {
                survey_id: open,
                employee_id: *e,
                department_id: dept,
                position_id: None,
                ratings: serde_json::to_string(&ratings).unwrap(),
                desired_content: format!("主题{}、情绪管理", i % 40),
                format: ["online", "offline", "either"][i % 3].into(),
            },
            t.app.now(),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let manager = crate::exams::actor(&t, "manager").await;
    let started = std::time::Instant::now();
    let report = skillcert_app::training::needs::report(&t.app, &manager, open)
        .await
        .unwrap();
    let took = started.elapsed();
    assert!(report.analysis.responses >= 10_000);
    eprintln!(
        "needs report of {} responses: {took:?}",
        report.analysis.responses
    );
    assert!(took < std::time::Duration::from_secs(10), "{took:?}");
}
