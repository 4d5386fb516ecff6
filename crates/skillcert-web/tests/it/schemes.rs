//! Certification schemes: pages, editing as new versions, what-if and the API.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn the_list_and_the_view_show_presets_in_the_request_language() {
    let t = TestApp::new().await;
    let s = t.web_login("lecturer").await;
    let r = t.get("/schemes").lang("en").session(&s).send().await;
    r.expect(StatusCode::OK);
    let html = r.text();
    assert!(html.contains("s1-certification"), "{html}");
    assert!(html.contains("theory 40 / practical 40 / daily 20"));
    assert!(html.contains("s4-routine-assessment"));
    let r = t
        .get("/schemes/s4-routine-assessment")
        .lang("en")
        .session(&s)
        .send()
        .await;
    r.expect(StatusCode::OK);
    let html = r.text();
    assert!(html.contains("On-site assessment"));
    assert!(html.contains("per rubric item") || html.contains("on the total"));
    assert!(html.contains("10% of performance pay withheld"));
    assert!(html.contains("<pre>"));
    let r = t.get("/schemes/no-such").session(&s).send().await;
    r.expect(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn editing_a_preset_stores_version_1_and_errors_name_their_fields() {
    let t = TestApp::new().await;
    let s = t.web_login("manager").await;
    let src = skillcert_domain::scheme::presets::source("s1-certification").unwrap();
    let bad = src.replacen("weight = 40", "weight = 45", 1);
    let r = t
        .post("/schemes/s1-certification/edit")
        .lang("en")
        .session(&s)
        .form(&[
            ("_csrf", s.csrf.as_str()),
            ("base", "preset"),
            ("document", bad.as_str()),
        ])
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("the weights must add up to exactly 100%"));
    assert_eq!(t.count("schemes").await, 0);

    let good = src.replace("pass_line = 60", "pass_line = 65");
    let r = t
        .post("/schemes/s1-certification/edit")
        .session(&s)
        .form(&[
            ("_csrf", s.csrf.as_str()),
            ("base", "preset"),
            ("document", good.as_str()),
        ])
        .send()
        .await;
    assert_eq!(
        r.location().as_deref(),
        Some("/schemes/s1-certification?version=1")
    );
    let r = t
        .post("/schemes/s1-certification/edit")
        .session(&s)
        .form(&[
            ("_csrf", s.csrf.as_str()),
            ("base", "1"),
            (
                "document",
                good.replace("pass_line = 65", "pass_line = 70").as_str(),
            ),
        ])
        .send()
        .await;
    assert_eq!(
        r.location().as_deref(),
        Some("/schemes/s1-certification?version=2")
    );
    assert_eq!(t.count("schemes").await, 2);
    let r = t.get("/schemes/s1-certification").session(&s).send().await;
    r.expect(StatusCode::OK);
    assert!(r.text().contains("pass_line = 70"));

    // What-if: the default compares version 2 with version 1.
    let csv =
        b"employee_no,attempt,theory,practical,daily\nE1,1,68,68,68\nE2,1,90,90,90\nE3,1,x,1,1\n";
    let r = t
        .post(&format!(
            "/schemes/s1-certification/what-if?_csrf={}",
            s.csrf
        ))
        .lang("en")
        .session(&s)
        .multipart("inputs.csv", csv, &[])
        .send()
        .await;
    r.expect(StatusCode::OK);
    let html = r.text();
    assert!(
        html.contains("100.00%") && html.contains("50.00%"),
        "{html}"
    );
    assert!(html.contains("E1") && html.contains("is not a number"));

    // The audit log has both versions.
    let token = t.api_login("admin").await;
    let r = t
        .get("/api/v1/audit?entity=scheme")
        .bearer(&token)
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(r.json()["total"], 2);
}

#[tokio::test]
async fn the_api_lists_saves_and_evaluates() {
    let t = TestApp::new().await;
    let token = t.api_login("manager").await;
    let r = t.get("/api/v1/schemes").bearer(&token).send().await;
    r.expect(StatusCode::OK);
    assert_eq!(r.json().as_array().unwrap().len(), 4);

    let r = t
        .post("/api/v1/schemes/s2-skill-review/versions")
        .bearer(&token)
        .json(&json!({ "document": "key = \"s2\"\nversion = 1\n" }))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "invalid-scheme");

    let src = skillcert_domain::scheme::presets::source("s2-skill-review").unwrap();
    let r = t
        .post("/api/v1/schemes/s2-skill-review/versions")
        .bearer(&token)
        .json(&json!({ "document": src }))
        .send()
        .await;
    r.expect(StatusCode::CREATED);
    assert_eq!(r.json()["version"], 1);
    assert_eq!(r.json()["preset"], "s2-skill-review");

    let r = t
        .post("/api/v1/schemes/s1-certification/evaluate")
        .bearer(&token)
        .lang("en")
        .json(&json!({
            "attempt": 1,
            "values": { "theory": 80, "practical": [85], "daily": 82 },
            "version": "preset"
        }))
        .send()
        .await;
    r.expect(StatusCode::OK);
    let v = r.json();
    assert_eq!(v["status"]["status"], "complete");
    assert_eq!(v["status"]["level"], "senior");
    assert!(!v["explanation"].as_array().unwrap().is_empty());

    let r = t
        .post("/api/v1/schemes/s1-certification/evaluate")
        .bearer(&token)
        .json(&json!({ "values": { "nope": 1 } }))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "invalid-inputs");
    assert_eq!(r.json()["fields"][0]["field"], "nope");
}
