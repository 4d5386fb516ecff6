//! Appeals, the inbox and the employee's certification page (issue 6): a round of
//! `s1-certification` with typed-in scores is run to publication through the services; the
//! employee appeals within the window, an uninvolved reviewer re-scores (or upholds), the
//! employee sees before and after, certificates are suspended and then replaced or
//! reinstated; every refusal the issue names (after the deadline, someone else's result, a
//! reviewer who typed the original scores, an empty re-score, deciding twice) gets a clear
//! message and changes nothing; every step is in the audit log; inbox messages are readable
//! in both languages and read per user.

use axum::http::StatusCode;
use serde_json::{Value, json};
use skillcert_app::Actor;
use skillcert_app::certification::applications::{self, ApplicationInput};
use skillcert_app::certification::results;
use skillcert_app::certification::rounds::{self, RoundInput};
use skillcert_web::i18n::{Lang, has};

use crate::exams::actor;
use crate::helpers::*;

// ---------- building blocks ----------

/// A published round and the results of its two candidates.
pub struct Published {
    pub round_id: i64,
    /// The demo `employee`'s result: 62 / 58 / 66 → 61.2, junior (applied intermediate).
    pub employee_result: i64,
    /// The demo `mentor`'s result: 90 / 88 / 92 → 89.6, intermediate (applied intermediate).
    pub mentor_result: i64,
}

/// Opens a round of `s1-certification` whose components are all typed in (no exam session
/// or event as a source), lets the demo `employee` and `mentor` apply for the intermediate
/// level, approves them, types their scores in as the training manager, reviews and
/// publishes. `issue_at` is `publication` or `appeal_close`.
pub async fn published_round(t: &TestApp, code: &str, issue_at: &str) -> Published {
    let manager = actor(t, "manager").await;
    let employee = actor(t, "employee").await;
    let mentor = actor(t, "mentor").await;
    let scheme = skillcert_domain::scheme::presets::get("s1-certification").unwrap();
    let mut input = RoundInput::defaults(&t.app, &scheme);
    input.code = code.into();
    input.title = format!("{code} 客服专员认证");
    input.scheme_version = "preset".into();
    input.issue_at = issue_at.into();
    let round = rounds::create(&t.app, &manager, &input).await.unwrap();
    let candidates: [(&Actor, [&str; 3]); 2] = [
        (&employee, ["62", "58", "66"]),
        (&mentor, ["90", "88", "92"]),
    ];
    for (who, scores) in candidates {
        let application = applications::apply(
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
        applications::decide(&t.app, &manager, application, true, "")
            .await
            .unwrap();
        let e = who.employee_id.unwrap();
        for (component, score) in ["theory", "practical", "daily"].iter().zip(scores) {
            results::enter_score(&t.app, &manager, round.id, e, component, score)
                .await
                .unwrap();
        }
    }
    results::review(&t.app, &manager, round.id).await.unwrap();
    results::publish(&t.app, &manager, round.id).await.unwrap();
    let current = {
        let mut r = t.app.db.read().await.unwrap();
        skillcert_store::certification::current_results(&mut r.conn(), round.id)
            .await
            .unwrap()
    };
    let of = |a: &Actor| {
        current
            .iter()
            .find(|r| Some(r.employee_id) == a.employee_id)
            .unwrap()
            .id
    };
    Published {
        round_id: round.id,
        employee_result: of(&employee),
        mentor_result: of(&mentor),
    }
}

async fn page(t: &TestApp, s: &WebSession, path: &str) -> Resp {
    t.get(path).session(s).lang("en").send().await
}

async fn post(t: &TestApp, s: &WebSession, path: &str, fields: &[(&str, &str)]) -> Resp {
    let mut all = fields.to_vec();
    all.push(("_csrf", s.csrf.as_str()));
    t.post(path).session(s).lang("en").form(&all).send().await
}

/// The certificates of `user` issued in `round_id`: `(number, status)`, oldest first.
async fn certificates_in(t: &TestApp, token: &str, round_id: i64) -> Vec<(String, String)> {
    let me = t
        .get("/api/v1/me/certification")
        .bearer(token)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let mut v: Vec<(i64, String, String)> = me["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["round_id"] == json!(round_id))
        .map(|c| {
            (
                c["id"].as_i64().unwrap(),
                c["number"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v.into_iter().map(|(_, n, s)| (n, s)).collect()
}

/// Actions of the audit log about one entity, oldest first.
async fn audit_actions(t: &TestApp, admin: &str, entity: &str, id: &str) -> Vec<String> {
    let page = t
        .get(&format!(
            "/api/v1/audit?entity={entity}&entity_id={}&per_page=200",
            urlencode(id)
        ))
        .bearer(admin)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let mut v: Vec<(i64, String)> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["seq"].as_i64().unwrap(),
                r["action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v.into_iter().map(|(_, a)| a).collect()
}

fn problem_codes(r: &Resp) -> Vec<String> {
    r.json()["fields"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .map(|f| f["code"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Everything an appeal, a decision or a refusal could have changed.
async fn snapshot(t: &TestApp) -> (i64, i64, i64, i64) {
    (
        t.count("appeals").await,
        t.count("round_results").await,
        t.count("certificates").await,
        t.count("audit_log").await,
    )
}

// ---------- the whole appeal, in the browser ----------

#[tokio::test]
async fn an_appeal_is_rescored_by_an_uninvolved_reviewer_and_the_employee_sees_before_and_after() {
    let t = TestApp::new().await;
    let p = published_round(&t, "APPEAL-A", "publication").await;
    let employee = t.web_login("employee").await;
    let employee_api = t.api_login("employee").await;
    let admin_api = t.api_login("admin").await;

    // Published: the employee's page shows the result, its components, the level and the
    // appeal button; the certificate issued at publication is valid.
    let mine = page(&t, &employee, "/my-certification")
        .await
        .expect(StatusCode::OK)
        .text();
    assert!(mine.contains("APPEAL-A"), "{mine}");
    assert!(mine.contains("61.20"), "the total: {mine}");
    assert!(mine.contains("Junior customer service specialist"));
    assert!(mine.contains(&format!("/results/{}/appeal", p.employee_result)));
    assert!(mine.contains(&format!("/rounds/{}/mine", p.round_id)));
    let certs = certificates_in(&t, &employee_api, p.round_id).await;
    assert_eq!(certs.len(), 1, "{certs:?}");
    assert_eq!(certs[0].1, "valid");
    let first_number = certs[0].0.clone();

    // The form shows the result being appealed.
    let form = page(
        &t,
        &employee,
        &format!("/results/{}/appeal", p.employee_result),
    )
    .await
    .expect(StatusCode::OK)
    .text();
    assert!(form.contains("Practical assessment") && form.contains("61.20"));
    assert!(form.contains("name=\"reason\""));

    // Without a reason: refused next to the field, nothing filed.
    let before = snapshot(&t).await;
    let r = post(
        &t,
        &employee,
        &format!("/results/{}/appeal", p.employee_result),
        &[("component", "practical"), ("item", ""), ("reason", "  ")],
    )
    .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("A reason is required"), "{}", r.text());
    assert_eq!(snapshot(&t).await, before);

    // Filed: to the appeal's page, the certificate is suspended.
    let r = post(
        &t,
        &employee,
        &format!("/results/{}/appeal", p.employee_result),
        &[
            ("component", "practical"),
            ("item", "Problem solving"),
            (
                "reason",
                "The call dropped during the role play; problem solving was marked too low.",
            ),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let location = r.location().unwrap();
    assert!(location.starts_with("/appeals/"), "{location}");
    let appeal_id: i64 = location
        .trim_start_matches("/appeals/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let shown = page(&t, &employee, &location)
        .await
        .expect(StatusCode::OK)
        .text();
    assert!(shown.contains("Your appeal has been filed"));
    assert!(shown.contains("Pending") && shown.contains("The call dropped"));
    assert!(
        !shown.contains("name=\"decision\""),
        "no decision form for the employee"
    );
    let certs = certificates_in(&t, &employee_api, p.round_id).await;
    assert_eq!(certs, vec![(first_number.clone(), "suspended".to_string())]);

    // A second appeal while one is pending is refused.
    let before = snapshot(&t).await;
    let r = t
        .post(&format!("/api/v1/results/{}/appeals", p.employee_result))
        .bearer(&employee_api)
        .json(&json!({"reason": "again"}))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem_codes(&r), vec!["appeal-pending"]);
    assert_eq!(snapshot(&t).await, before);

    // The manager typed the scores in: involved, so the page explains and has no form, and
    // a decision is refused.
    let manager = t.web_login("manager").await;
    let as_manager = page(&t, &manager, &format!("/appeals/{appeal_id}"))
        .await
        .expect(StatusCode::OK)
        .text();
    assert!(as_manager.contains("You took part in the original scoring"));
    assert!(!as_manager.contains("name=\"decision\""));
    let before = snapshot(&t).await;
    let r = post(
        &t,
        &manager,
        &format!("/appeals/{appeal_id}/decide"),
        &[
            ("decision", "rescore"),
            ("note", "Re-scored."),
            ("score_practical", "85, 88, 90, 86, 87, 89, 84"),
        ],
    )
    .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .contains("You took part in the original scoring of this result, so you cannot"),
        "{}",
        r.text()
    );
    assert_eq!(snapshot(&t).await, before);

    // The administrator typed nothing in: the queue lists the appeal and the form is there.
    let admin = t.web_login("admin").await;
    let queue = page(&t, &admin, "/appeals")
        .await
        .expect(StatusCode::OK)
        .text();
    assert!(queue.contains(&format!("/appeals/{appeal_id}")), "{queue}");
    assert!(queue.contains("The call dropped"));
    let form = page(&t, &admin, &format!("/appeals/{appeal_id}"))
        .await
        .expect(StatusCode::OK)
        .text();
    assert!(form.contains("name=\"decision\"") && form.contains("name=\"score_practical\""));
    assert!(form.contains("a new panel is drawn by the same rules"));
    assert!(form.contains("data-confirm"));

    // The practical component was typed in (no event behind it): no new panel can be
    // opened; the employee may not try at all.
    let before = snapshot(&t).await;
    let r = post(&t, &admin, &format!("/appeals/{appeal_id}/panel"), &[]).await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text().contains("no new panel can be opened"),
        "{}",
        r.text()
    );
    let r = t
        .post(&format!("/api/v1/appeals/{appeal_id}/panel"))
        .bearer(&admin_api)
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem_codes(&r), vec!["appeal-no-panel"]);
    t.post(&format!("/api/v1/appeals/{appeal_id}/panel"))
        .bearer(&employee_api)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    assert_eq!(snapshot(&t).await, before);
    assert!(
        !form.contains("/panel\""),
        "no new-panel button for a typed-in component"
    );

    // Re-score with nothing typed, a note missing, or a bad mark: refused, nothing changes.
    let before = snapshot(&t).await;
    let r = post(
        &t,
        &admin,
        &format!("/appeals/{appeal_id}/decide"),
        &[
            ("decision", "rescore"),
            ("note", "New panel."),
            ("score_practical", ""),
        ],
    )
    .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("a re-score needs at least one new score"));
    let r = post(
        &t,
        &admin,
        &format!("/appeals/{appeal_id}/decide"),
        &[
            ("decision", "rescore"),
            ("note", "New panel."),
            ("score_practical", "85, 88, 190"),
        ],
    )
    .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("Not a score"), "{}", r.text());
    assert!(r.text().contains("85, 88, 190"), "the typed marks stay");
    let r = post(
        &t,
        &admin,
        &format!("/appeals/{appeal_id}/decide"),
        &[
            ("decision", "rescore"),
            ("note", ""),
            ("score_practical", "85, 88"),
        ],
    )
    .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("A reason is required"));
    let r = t
        .post(&format!("/api/v1/appeals/{appeal_id}/decision"))
        .bearer(&admin_api)
        .json(&json!({"decision": "rescore", "note": "x", "scores": {}}))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem_codes(&r), vec!["appeal-rescore-empty"]);
    let r = t
        .post(&format!("/api/v1/appeals/{appeal_id}/decision"))
        .bearer(&admin_api)
        .json(&json!({"decision": "rescore", "note": "x", "scores": {"practical": "abc"}}))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem_codes(&r), vec!["score-out-of-range"]);
    assert_eq!(snapshot(&t).await, before);

    // The new panel's marks: 87 on average, total 72.80, intermediate.
    let r = post(
        &t,
        &admin,
        &format!("/appeals/{appeal_id}/decide"),
        &[
            ("decision", "rescore"),
            (
                "note",
                "A new panel of seven judges drawn by the same rules re-assessed the role play.",
            ),
            ("score_practical", "85, 88, 90, 86, 87, 89, 84"),
            ("score_theory", ""),
            ("score_daily", ""),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(
        r.location().as_deref(),
        Some(format!("/appeals/{appeal_id}?done=decided").as_str())
    );

    // The employee sees before and after side by side.
    let shown = page(&t, &employee, &format!("/appeals/{appeal_id}"))
        .await
        .expect(StatusCode::OK)
        .text();
    assert!(shown.contains("Before (revision 1)") && shown.contains("After (revision 2)"));
    assert!(
        shown.contains("61.20") && shown.contains("72.80"),
        "{shown}"
    );
    assert!(shown.contains("58.00") && shown.contains("87.00"));
    assert!(shown.contains("85, 88, 90, 86, 87, 89, 84"));
    assert!(shown.contains("appeals-changed"));
    assert!(shown.contains("Junior customer service specialist"));
    assert!(shown.contains("Intermediate customer service specialist"));
    assert!(shown.contains("Re-scored") && shown.contains("re-assessed the role play"));
    let view = t
        .get(&format!("/api/v1/appeals/{appeal_id}"))
        .bearer(&employee_api)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(view["before"]["total"], "61.20");
    assert_eq!(view["after"]["total"], "72.80");
    assert_eq!(view["before"]["awarded_level"], "junior");
    assert_eq!(view["after"]["awarded_level"], "intermediate");
    assert_eq!(view["history"].as_array().unwrap().len(), 2);
    assert_eq!(view["appeal"]["status"], "rescored");

    // The outcome changed: the old certificate is revoked and a new one issued.
    let certs = certificates_in(&t, &employee_api, p.round_id).await;
    assert_eq!(certs.len(), 2, "{certs:?}");
    assert_eq!(certs[0], (first_number.clone(), "revoked".to_string()));
    assert_eq!(certs[1].1, "valid");
    let second_number = certs[1].0.clone();

    // The page now shows the current revision (which may itself be appealed while the
    // window is open) and the appeal's status.
    let mine = page(&t, &employee, "/my-certification")
        .await
        .expect(StatusCode::OK)
        .text();
    assert!(mine.contains("72.80") && mine.contains("revision 2"));
    assert!(mine.contains("Re-scored"));

    // Deciding twice is refused, on the page and through the API.
    let before = snapshot(&t).await;
    let r = post(
        &t,
        &admin,
        &format!("/appeals/{appeal_id}/decide"),
        &[("decision", "uphold"), ("note", "Again.")],
    )
    .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("This appeal has already been decided"));
    let r = t
        .post(&format!("/api/v1/appeals/{appeal_id}/decision"))
        .bearer(&admin_api)
        .json(&json!({"decision": "uphold", "note": "Again."}))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem_codes(&r), vec!["appeal-decided"]);
    assert_eq!(snapshot(&t).await, before);

    // Every step is in the audit log.
    let appeal_log = audit_actions(&t, &admin_api, "appeal", &appeal_id.to_string()).await;
    assert_eq!(appeal_log, vec!["appeal.file", "appeal.decide"]);
    let first_log = audit_actions(&t, &admin_api, "certificate", &first_number).await;
    assert_eq!(
        first_log,
        vec![
            "certificate.issue",
            "certificate.suspend",
            "certificate.revoke"
        ]
    );
    let second_log = audit_actions(&t, &admin_api, "certificate", &second_number).await;
    assert_eq!(second_log, vec!["certificate.issue"]);

    // The employee was told, in their inbox.
    let inbox = t
        .get("/api/v1/inbox")
        .bearer(&employee_api)
        .lang("en")
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let decided = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "inbox-appeal-decided")
        .unwrap();
    assert_eq!(
        decided["text"],
        "Your appeal on round APPEAL-A has been decided: re-scored."
    );
    assert_eq!(decided["link"], format!("/appeals/{appeal_id}"));

    // After the deadline (published today, 7 days to appeal), the mentor's appeal is too
    // late: the page says so and the API refuses.
    t.advance(chrono::Duration::days(8));
    let mentor = t.web_login("mentor").await;
    let form = page(&t, &mentor, &format!("/results/{}/appeal", p.mentor_result))
        .await
        .expect(StatusCode::OK)
        .text();
    assert!(form.contains("The appeal window for this result is closed"));
    assert!(!form.contains("name=\"reason\""));
    let before = snapshot(&t).await;
    let r = post(
        &t,
        &mentor,
        &format!("/results/{}/appeal", p.mentor_result),
        &[("component", ""), ("item", ""), ("reason", "Too low.")],
    )
    .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .contains("The appeal window for this result is closed")
    );
    let mentor_api = t.api_login("mentor").await;
    let r = t
        .post(&format!("/api/v1/results/{}/appeals", p.mentor_result))
        .bearer(&mentor_api)
        .json(&json!({"reason": "Too low."}))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem_codes(&r), vec!["appeal-window-closed"]);
    assert_eq!(snapshot(&t).await, before);
    let mine = page(&t, &mentor, "/my-certification")
        .await
        .expect(StatusCode::OK)
        .text();
    assert!(mine.contains("The appeal window closed on"));
    assert!(!mine.contains(&format!("/results/{}/appeal", p.mentor_result)));
}

// ---------- upheld, on both databases ----------

#[tokio::test]
async fn an_upheld_appeal_reinstates_the_certificate_on_every_database() {
    for t in TestApp::all().await {
        let p = published_round(&t, "APPEAL-B", "publication").await;
        let mentor = t.api_login("mentor").await;
        let employee = t.api_login("employee").await;
        let admin = t.api_login("admin").await;
        let number = certificates_in(&t, &mentor, p.round_id).await[0].0.clone();

        // Someone else's result: refused, nothing filed.
        let before = snapshot(&t).await;
        let r = t
            .post(&format!("/api/v1/results/{}/appeals", p.mentor_result))
            .bearer(&employee)
            .json(&json!({"reason": "Not mine to appeal."}))
            .send()
            .await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem_codes(&r), vec!["appeal-not-yours"]);
        let web = t.web_login("employee").await;
        let form = t
            .get(&format!("/results/{}/appeal", p.mentor_result))
            .session(&web)
            .lang("en")
            .send()
            .await;
        form.expect(StatusCode::FORBIDDEN);
        assert!(
            form.text()
                .contains("You can only appeal your own current result")
        );
        assert!(
            !form.text().contains("89.60"),
            "another's result is not shown"
        );
        assert_eq!(snapshot(&t).await, before);

        // The mentor appeals the whole result through the API.
        let r = t
            .post(&format!("/api/v1/results/{}/appeals", p.mentor_result))
            .bearer(&mentor)
            .json(&json!({"component": "", "reason": "I expected the senior level."}))
            .send()
            .await;
        r.expect(StatusCode::CREATED);
        let view = r.json();
        let id = view["appeal"]["id"].as_i64().unwrap();
        assert_eq!(r.location().unwrap(), format!("/api/v1/appeals/{id}"));
        assert_eq!(view["appeal"]["status"], "pending");
        assert_eq!(view["before"]["total"], "89.60");
        assert!(view["after"].is_null());
        assert_eq!(view["involved"], true, "the appellant is involved");
        assert_eq!(view["may_decide"], false);
        assert_eq!(
            certificates_in(&t, &mentor, p.round_id).await,
            vec![(number.clone(), "suspended".to_string())]
        );

        // The employee may not read it, nor decide; the queue is the reviewers'.
        t.get(&format!("/api/v1/appeals/{id}"))
            .bearer(&employee)
            .send()
            .await
            .expect(StatusCode::FORBIDDEN);
        let r = t
            .post(&format!("/api/v1/appeals/{id}/decision"))
            .bearer(&employee)
            .json(&json!({"decision": "uphold", "note": "no"}))
            .send()
            .await;
        r.expect(StatusCode::FORBIDDEN);
        let own = t
            .get("/api/v1/appeals")
            .bearer(&employee)
            .send()
            .await
            .expect(StatusCode::OK)
            .json();
        assert!(
            own.as_array()
                .unwrap()
                .iter()
                .all(|a| a["employee_id"] != view["appeal"]["employee_id"]),
            "an employee sees only their own appeals"
        );
        let queue = t
            .get("/api/v1/appeals")
            .bearer(&admin)
            .send()
            .await
            .expect(StatusCode::OK)
            .json();
        assert!(queue.as_array().unwrap().iter().any(|a| a["id"] == id));
        let as_admin = t
            .get(&format!("/api/v1/appeals/{id}"))
            .bearer(&admin)
            .send()
            .await
            .expect(StatusCode::OK)
            .json();
        assert_eq!(as_admin["may_decide"], true);
        assert_eq!(as_admin["involved"], false);

        // Upheld: the certificate is reinstated, the result unchanged.
        let results_before = t.count("round_results").await;
        let decided = t
            .post(&format!("/api/v1/appeals/{id}/decision"))
            .bearer(&admin)
            .lang("zh-CN")
            .json(
                &json!({"decision": "uphold", "note": "经复核，原评分符合评分标准，维持原成绩。"}),
            )
            .send()
            .await
            .expect(StatusCode::OK)
            .json();
        assert_eq!(decided["appeal"]["status"], "upheld");
        assert!(decided["after"].is_null());
        assert_eq!(decided["component"], Value::Null);
        assert_eq!(t.count("round_results").await, results_before);
        assert_eq!(
            certificates_in(&t, &mentor, p.round_id).await,
            vec![(number.clone(), "valid".to_string())]
        );
        let log = audit_actions(&t, &admin, "certificate", &number).await;
        assert_eq!(
            log,
            vec![
                "certificate.issue",
                "certificate.suspend",
                "certificate.reinstate"
            ]
        );
        let log = audit_actions(&t, &admin, "appeal", &id.to_string()).await;
        assert_eq!(log, vec!["appeal.file", "appeal.decide"]);

        // The mentor's page in Chinese shows the decision.
        let web = t.web_login("mentor").await;
        let shown = t
            .get(&format!("/appeals/{id}"))
            .session(&web)
            .lang("zh-CN")
            .send()
            .await
            .expect(StatusCode::OK)
            .text();
        assert!(shown.contains("维持原成绩") && shown.contains("89.60"));
        assert!(shown.contains("经复核，原评分符合评分标准"));
    }
}

// ---------- the inbox ----------

#[tokio::test]
async fn inbox_messages_are_readable_in_both_languages_and_read_per_user() {
    let t = TestApp::new().await;
    let employee = t.api_login("employee").await;
    let mentor = t.api_login("mentor").await;
    let start = t
        .get("/api/v1/inbox")
        .bearer(&employee)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let before = start["total"].as_i64().unwrap();
    let p = published_round(&t, "INBOX-A", "publication").await;

    // Approval, publication and the certificate: three new messages, newest first.
    let en = t
        .get("/api/v1/inbox")
        .bearer(&employee)
        .lang("en")
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(en["total"].as_i64().unwrap(), before + 3);
    let items = en["items"].as_array().unwrap();
    let kinds: Vec<&str> = items[..3]
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec![
            "inbox-certificate-issued",
            "inbox-result-published",
            "inbox-application-decided"
        ]
    );
    let closes = (t.app.today() + chrono::Duration::days(7)).to_string();
    assert_eq!(
        items[1]["text"],
        format!(
            "The results of INBOX-A 客服专员认证 (INBOX-A) have been published. You may appeal until {closes}."
        )
    );
    assert_eq!(items[1]["link"], format!("/rounds/{}/mine", p.round_id));
    assert!(
        items[2]["text"]
            .as_str()
            .unwrap()
            .ends_with("has been approved.")
    );
    assert!(
        items[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("Certificate CS")
    );
    let zh = t
        .get("/api/v1/inbox")
        .bearer(&employee)
        .lang("zh-CN")
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let zh_items = zh["items"].as_array().unwrap();
    assert_eq!(
        zh_items[1]["text"],
        format!(
            "INBOX-A 客服专员认证（INBOX-A）的成绩已公布。如有异议，可于 {closes}（含当日）前提出申诉。"
        )
    );
    assert!(
        zh_items[2]["text"]
            .as_str()
            .unwrap()
            .ends_with("审核结果：已批准。")
    );
    // Every message of the demo renders in both languages, none as a bare key.
    for m in items.iter().chain(zh_items) {
        let text = m["text"].as_str().unwrap();
        assert!(!text.contains('{') && !text.contains("⟦"), "{text}");
        assert!(!text.starts_with("inbox-"), "{text}");
    }
    for k in skillcert_app::certification::inbox::KINDS
        .iter()
        .copied()
        .chain(skillcert_app::training::inbox_kinds())
    {
        for l in Lang::ALL {
            assert!(has(l, k), "{k} in {}", l.tag());
        }
    }

    // The page: unread in bold, a badge on the navigation.
    let web = t.web_login("employee").await;
    let unread = en["unread"].as_i64().unwrap();
    assert!(unread >= 3);
    let html = t
        .get("/inbox")
        .session(&web)
        .lang("en")
        .send()
        .await
        .expect(StatusCode::OK)
        .text();
    assert!(html.contains("appeals-unread"));
    assert!(html.contains("have been published"));
    assert!(
        html.contains(&format!(
            "class=\"appeals-nav-badge\" title=\"{unread} unread\">{unread}<"
        )),
        "{html}"
    );

    // Another user cannot mark the employee's message read.
    let published_id = items[1]["id"].as_i64().unwrap();
    let r = t
        .post(&format!("/api/v1/inbox/{published_id}/read"))
        .bearer(&mentor)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(r["marked"], 0);
    let again = t.get("/api/v1/inbox").bearer(&employee).send().await.json();
    assert_eq!(again["unread"].as_i64().unwrap(), unread);

    // Opening a message marks it read and follows its link.
    let r = t
        .post(&format!("/inbox/{published_id}/read"))
        .session(&web)
        .form(&[("_csrf", web.csrf.as_str()), ("page", "1")])
        .send()
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.location().unwrap(),
        format!("/rounds/{}/mine", p.round_id)
    );
    let after = t.get("/api/v1/inbox").bearer(&employee).send().await.json();
    assert_eq!(after["unread"].as_i64().unwrap(), unread - 1);
    let read = after["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == published_id)
        .unwrap();
    assert!(read["read_at"].is_string());

    // The mentor's own messages are untouched by the employee's reading.
    let mentor_unread = t.get("/api/v1/inbox").bearer(&mentor).send().await.json()["unread"]
        .as_i64()
        .unwrap();
    assert!(mentor_unread >= 3);

    // Mark all: none unread, no badge; the mentor's stay unread.
    let r = t
        .post("/inbox/read")
        .session(&web)
        .form(&[("_csrf", web.csrf.as_str())])
        .send()
        .await;
    assert_eq!(r.location().as_deref(), Some("/inbox?done=read-all"));
    let html = t
        .get("/inbox?done=read-all")
        .session(&web)
        .lang("en")
        .send()
        .await
        .expect(StatusCode::OK)
        .text();
    assert!(html.contains("All messages marked as read"));
    assert!(!html.contains("appeals-nav-badge"));
    assert!(!html.contains("appeals-unread"));
    let mentor_after = t.get("/api/v1/inbox").bearer(&mentor).send().await.json()["unread"]
        .as_i64()
        .unwrap();
    assert_eq!(mentor_after, mentor_unread);
    let r = t
        .post("/api/v1/inbox/read")
        .bearer(&mentor)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(r["marked"].as_i64().unwrap(), mentor_unread);
    assert_eq!(r["unread"], 0);

    // A CSRF-less form post is refused and marks nothing.
    let r = t
        .post(&format!("/inbox/{}/read", items[0]["id"]))
        .session(&web)
        .form(&[("page", "1")])
        .send()
        .await;
    r.expect(StatusCode::FORBIDDEN);
}

// ---------- who sees what ----------

#[tokio::test]
async fn the_certification_page_and_the_queue_follow_who_is_asking() {
    let t = TestApp::new().await;

    // No employee record: the page explains, the API says so.
    let admin = t.web_login("admin").await;
    let html = page(&t, &admin, "/my-certification")
        .await
        .expect(StatusCode::OK)
        .text();
    assert!(html.contains("not linked to an employee record"));
    let admin_api = t.api_login("admin").await;
    let me = t
        .get("/api/v1/me/certification")
        .bearer(&admin_api)
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    assert_eq!(me["linked"], false);
    assert!(me["results"].as_array().unwrap().is_empty());
    // The demo's round taking applications is listed for everyone.
    assert!(
        me["open_rounds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["code"] == "CERT-2026-C")
    );

    // The demo employee has a pending appeal (CERT-2026-B) and a suspended certificate.
    let employee = t.web_login("employee").await;
    let html = page(&t, &employee, "/my-certification")
        .await
        .expect(StatusCode::OK)
        .text();
    assert!(html.contains("CERT-2026-B") && html.contains("Appeal pending"));
    assert!(html.contains("cert-status-suspended"));
    assert!(html.contains("CERT-2026-C"), "the open round");
    // Not a reviewer: /appeals lists their own.
    let html = page(&t, &employee, "/appeals")
        .await
        .expect(StatusCode::OK)
        .text();
    assert!(html.contains("My appeals") && html.contains("CERT-2026-B"));
    assert!(!html.contains("Appeals to review"));

    // The supervisor (no appeal review) sees no queue either: their own appeals, none.
    let supervisor = t.web_login("supervisor").await;
    let html = page(&t, &supervisor, "/appeals")
        .await
        .expect(StatusCode::OK)
        .text();
    assert!(html.contains("You have not filed any appeals"));
    assert!(!html.contains("CERT-2026-B"));
    // …and cannot open the employee's appeal.
    let employee_api = t.api_login("employee").await;
    let own = t
        .get("/api/v1/appeals")
        .bearer(&employee_api)
        .send()
        .await
        .json();
    let demo_appeal = own[0]["id"].as_i64().unwrap();
    page(&t, &supervisor, &format!("/appeals/{demo_appeal}"))
        .await
        .expect(StatusCode::FORBIDDEN);
    let r = post(
        &t,
        &supervisor,
        &format!("/appeals/{demo_appeal}/decide"),
        &[("decision", "uphold"), ("note", "x")],
    )
    .await;
    r.expect(StatusCode::FORBIDDEN);

    // The administrator (a reviewer without an employee record) sees the queue with the
    // waiting time; the navigation offers it.
    let html = page(&t, &admin, "/appeals")
        .await
        .expect(StatusCode::OK)
        .text();
    assert!(html.contains("Appeals to review"));
    assert!(html.contains(&format!("/appeals/{demo_appeal}")));
    assert!(html.contains("1 d"), "filed yesterday: {html}");
    assert!(html.contains("href=\"/appeals\""));
    // An unknown appeal is 404.
    page(&t, &admin, "/appeals/999999")
        .await
        .expect(StatusCode::NOT_FOUND);
    t.get("/api/v1/appeals/999999")
        .bearer(&admin_api)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);

    // The Chinese pages read naturally.
    let html = t
        .get("/my-certification")
        .session(&employee)
        .lang("zh-CN")
        .send()
        .await
        .expect(StatusCode::OK)
        .text();
    assert!(html.contains("我的成绩") && html.contains("申诉处理中"));
    let html = t
        .get("/inbox")
        .session(&employee)
        .lang("zh-CN")
        .send()
        .await
        .expect(StatusCode::OK)
        .text();
    assert!(html.contains("的成绩已公布"), "{html}");
}

// ---------- the API is documented ----------

#[test]
fn every_appeal_and_inbox_route_is_routed_and_documented() {
    let routes = skillcert_web::api::route_list();
    let doc = skillcert_web::api::openapi::document();
    for (method, path) in [
        ("GET", "/api/v1/appeals"),
        ("POST", "/api/v1/results/{id}/appeals"),
        ("GET", "/api/v1/appeals/{id}"),
        ("POST", "/api/v1/appeals/{id}/decision"),
        ("POST", "/api/v1/appeals/{id}/panel"),
        ("GET", "/api/v1/inbox"),
        ("POST", "/api/v1/inbox/read"),
        ("POST", "/api/v1/inbox/{id}/read"),
        ("GET", "/api/v1/me/certification"),
    ] {
        assert!(
            routes.contains(&(method.to_string(), path.to_string())),
            "{method} {path} is routed"
        );
        let op = &doc["paths"][path][method.to_lowercase()];
        assert_eq!(op["tags"][0], "certification", "{method} {path}");
        assert!(op["responses"]["401"].is_object(), "{method} {path}");
    }
    for name in [
        "AppealView",
        "AppealRevision",
        "InboxPage",
        "MyCertification",
    ] {
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "schema {name}"
        );
    }
}
