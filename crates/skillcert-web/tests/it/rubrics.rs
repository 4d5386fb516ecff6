//! The rubric library: pages in both languages, editing as new versions, the score API and
//! permissions.

use axum::http::StatusCode;
use serde_json::{Value, json};
use skillcert_domain::practical::rubric;

use crate::helpers::*;

fn preset() -> &'static str {
    rubric::preset("s4-call-scoring").unwrap()
}

/// Every item of the S4 preset at its maximum.
fn full_marks() -> Value {
    let r = rubric::Rubric::parse_toml(preset()).unwrap();
    let items: serde_json::Map<String, Value> = r
        .items()
        .map(|it| (it.key.clone(), json!(it.max)))
        .collect();
    json!({ "items": items })
}

#[tokio::test]
async fn the_list_and_the_view_show_the_preset_in_both_languages() {
    let t = TestApp::new().await;
    let s = t.web_login("judge").await;
    let r = t.get("/rubrics").lang("en").session(&s).send().await;
    r.expect(StatusCode::OK);
    let html = r.text();
    assert!(html.contains("s4-call-scoring"), "{html}");
    assert!(html.contains("Call-scoring rubric"));
    assert!(html.contains("<td>100</td>") && html.contains("<td>7</td>"));

    let r = t.get("/rubrics").lang("zh-CN").session(&s).send().await;
    r.expect(StatusCode::OK);
    assert!(r.text().contains("考核评分细则"));

    let r = t
        .get("/rubrics/s4-call-scoring")
        .lang("en")
        .session(&s)
        .send()
        .await;
    r.expect(StatusCode::OK);
    let html = r.text();
    assert!(html.contains("Answer within three rings"), "{html}");
    assert!(html.contains("Did not answer within the required time"));
    assert!(
        html.contains("<td>0, 2</td>"),
        "allowed marks of the rings item"
    );
    assert!(html.contains("<td>1, 2</td>"), "allowed marks of clarity");
    assert!(html.contains("<strong>21–30</strong>"));
    assert!(
        html.contains("Fast response"),
        "skill names from the competency model"
    );
    assert!(html.contains("Main problems of this agent"));
    assert!(html.contains("30 points"));
    // A judge reads the rules but cannot edit them.
    assert!(!html.contains("/rubrics/s4-call-scoring/edit"));

    let r = t
        .get("/rubrics/s4-call-scoring")
        .lang("zh-CN")
        .session(&s)
        .send()
        .await;
    r.expect(StatusCode::OK);
    let html = r.text();
    assert!(html.contains("三声内接听") && html.contains("未在规定时间内接听电话"));
    assert!(html.contains("快速响应"));
    assert!(html.contains("该坐席存在的主要问题"));

    let r = t
        .get("/rubrics/s4-call-scoring.toml")
        .session(&s)
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(r.text(), preset());

    t.get("/rubrics/no-such")
        .session(&s)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    t.get("/rubrics/s4-call-scoring?version=x")
        .session(&s)
        .send()
        .await
        .expect(StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn editing_the_preset_stores_version_1_and_bad_documents_store_nothing() {
    let t = TestApp::new().await;
    let s = t.web_login("manager").await;
    let r = t
        .get("/rubrics/s4-call-scoring/edit")
        .session(&s)
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert!(r.text().contains("[[sections.items.bands]]"));

    // Two problems at once: a band past the item's maximum, and an unknown skill.
    let bad = preset()
        .replacen("min = 2\nmax = 2", "min = 2\nmax = 3", 1)
        .replacen("skill = \"listening\"", "skill = \"telepathy\"", 1);
    let r = t
        .post("/rubrics/s4-call-scoring/edit")
        .lang("en")
        .session(&s)
        .form(&[("_csrf", s.csrf.as_str()), ("document", bad.as_str())])
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("sections[1].items[1].bands[2].max"), "{html}");
    assert!(html.contains("a band must lie between 0 and the item"));
    assert!(html.contains("telepathy"), "the text is kept");
    assert_eq!(t.count("rubrics").await, 0);

    let bad = preset().replacen("skill = \"listening\"", "skill = \"telepathy\"", 1);
    let r = t
        .post("/rubrics/s4-call-scoring/edit")
        .lang("zh-CN")
        .session(&s)
        .form(&[("_csrf", s.csrf.as_str()), ("document", bad.as_str())])
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("sections[4].items[1].skill"), "{html}");
    assert!(html.contains("不是能力模型中的技能代码"));
    assert_eq!(t.count("rubrics").await, 0);

    let good = preset().replace("Opening phrase", "Greeting");
    let r = t
        .post("/rubrics/s4-call-scoring/edit")
        .session(&s)
        .form(&[("_csrf", s.csrf.as_str()), ("document", good.as_str())])
        .send()
        .await;
    assert_eq!(
        r.location().as_deref(),
        Some("/rubrics/s4-call-scoring?version=1")
    );
    let r = t
        .post("/rubrics/s4-call-scoring/edit")
        .session(&s)
        .form(&[
            ("_csrf", s.csrf.as_str()),
            ("document", good.replace("Greeting", "Opening").as_str()),
        ])
        .send()
        .await;
    assert_eq!(
        r.location().as_deref(),
        Some("/rubrics/s4-call-scoring?version=2")
    );
    assert_eq!(t.count("rubrics").await, 2);

    let r = t
        .get("/rubrics/s4-call-scoring?version=1")
        .lang("en")
        .session(&s)
        .send()
        .await;
    r.expect(StatusCode::OK);
    let html = r.text();
    assert!(html.contains("Greeting"));
    assert!(html.contains("?version=2") && html.contains("?version=preset"));
    let r = t
        .get("/rubrics/s4-call-scoring?version=preset")
        .lang("en")
        .session(&s)
        .send()
        .await;
    assert!(r.text().contains("Opening phrase"));

    // The latest version is what resolve() hands to assessments.
    let v = skillcert_app::rubrics::resolve(&t.app, "s4-call-scoring", None)
        .await
        .unwrap();
    assert_eq!(v.version, 2);
    assert!(v.document.contains("version = 2"));
    let v1 = skillcert_app::rubrics::resolve(&t.app, "s4-call-scoring", Some(1))
        .await
        .unwrap();
    assert!(v1.document.contains("Greeting"));

    // Both versions are audited, and the first records the preset.
    let token = t.api_login("admin").await;
    let r = t
        .get("/api/v1/audit?entity=rubric")
        .bearer(&token)
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(r.json()["total"], 2);
    let r = t
        .get("/api/v1/rubrics/s4-call-scoring?version=1")
        .bearer(&token)
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(r.json()["origin"], "stored");
    assert_eq!(r.json()["versions"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn the_api_lists_saves_and_scores() {
    let t = TestApp::new().await;
    let token = t.api_login("manager").await;
    let r = t.get("/api/v1/rubrics").bearer(&token).send().await;
    r.expect(StatusCode::OK);
    let list = r.json();
    assert_eq!(list[0]["key"], "s4-call-scoring");
    assert_eq!(list[0]["max_points"], 100);
    assert_eq!(list[0]["origin"], "preset");

    let r = t
        .get("/api/v1/rubrics/s4-call-scoring")
        .bearer(&token)
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(
        r.json()["rubric"]["sections"][0]["items"][0]["key"],
        "answer-rings"
    );

    let r = t
        .post("/api/v1/rubrics/s4-call-scoring/versions")
        .bearer(&token)
        .json(&json!({ "document": "key = \"s4-call-scoring\"\nversion = 1\n" }))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "rejected");
    assert_eq!(r.json()["fields"][0]["field"], "document");
    let other = preset().replacen("key = \"s4-call-scoring\"", "key = \"other\"", 1);
    let r = t
        .post("/api/v1/rubrics/s4-call-scoring/versions")
        .bearer(&token)
        .json(&json!({ "document": other }))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"][0]["field"], "key");
    assert_eq!(t.count("rubrics").await, 0);

    let r = t
        .post("/api/v1/rubrics/s4-call-scoring/versions")
        .bearer(&token)
        .json(&json!({ "document": preset() }))
        .send()
        .await;
    r.expect(StatusCode::CREATED);
    assert_eq!(r.json()["version"], 1);
    assert_eq!(r.json()["preset"], "s4-call-scoring");

    let mut marks = full_marks();
    marks["items"]["attitude"] = json!(8);
    marks["items"]["answer-rings"] = json!(0);
    marks["texts"] = json!({ "main-problems": "接听不及时" });
    let r = t
        .post("/api/v1/rubrics/s4-call-scoring/score")
        .bearer(&token)
        .json(&marks)
        .send()
        .await;
    r.expect(StatusCode::OK);
    let v = r.json();
    assert_eq!(v["total"], 96);
    assert_eq!(v["earned"], 9600);
    assert_eq!(v["applicable_max"], 100);
    assert_eq!(v["sections"][0]["earned"], 800);

    marks["items"]["answer-rings"] = json!(1);
    marks["items"]["speech-clarity"] = json!("na");
    let r = t
        .post("/api/v1/rubrics/s4-call-scoring/score?version=preset")
        .bearer(&token)
        .json(&marks)
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "rejected");
    let fields = r.json()["fields"].clone();
    assert_eq!(fields[0]["field"], "items.answer-rings");
    assert_eq!(fields[0]["code"], "sheet-value-not-allowed");
    assert_eq!(fields[1]["field"], "items.speech-clarity");
    assert_eq!(fields[1]["code"], "sheet-na-not-allowed");
}

#[tokio::test]
async fn reading_needs_scheme_read_and_saving_scheme_manage() {
    let t = TestApp::new().await;
    let employee = t.api_login("employee").await;
    t.get("/api/v1/rubrics")
        .bearer(&employee)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    let judge = t.api_login("judge").await;
    t.get("/api/v1/rubrics/s4-call-scoring")
        .bearer(&judge)
        .send()
        .await
        .expect(StatusCode::OK);
    t.post("/api/v1/rubrics/s4-call-scoring/score")
        .bearer(&judge)
        .json(&full_marks())
        .send()
        .await
        .expect(StatusCode::OK);
    t.post("/api/v1/rubrics/s4-call-scoring/versions")
        .bearer(&judge)
        .json(&json!({ "document": preset() }))
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    let s = t.web_login("lecturer").await;
    t.get("/rubrics/s4-call-scoring/edit")
        .session(&s)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    assert_eq!(t.count("rubrics").await, 0);
}
