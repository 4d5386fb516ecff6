//! The scenario library end to end: cards through the API and the pages, versions only on
//! change, search and filters, archiving behind a confirmation, validation that names the
//! fields and stores nothing, and who may see any of it.

use axum::http::StatusCode;
use serde_json::{Value, json};
use skillcert_web::i18n::{Lang, t as tr};

use crate::helpers::*;

fn role_play(code: &str, title: &str) -> Value {
    json!({
        "code": code,
        "kind": "role_play",
        "title": title,
        "customer_brief": "您是一位老客户。\n账单多扣了 30 元，您很着急。",
        "judge_notes": "看考生是否先致歉再核实。",
        "expected_behaviours": ["倾听并复述问题", "致歉", "给出处理时限"],
        "skills": ["listening", "empathy"],
        "duration_minutes": 15
    })
}

async fn create(t: &TestApp, token: &str, body: Value) -> Value {
    let r = t
        .post("/api/v1/scenarios")
        .bearer(token)
        .json(&body)
        .send()
        .await;
    r.expect(StatusCode::CREATED);
    r.json()
}

/// Field errors of a 422 as `(field, code)`.
fn fields(r: &Resp) -> Vec<(String, String)> {
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

async fn audit_total(t: &TestApp, query: &str) -> Value {
    let admin = t.api_login("admin").await;
    let r = t
        .get(&format!("/api/v1/audit?{query}"))
        .bearer(&admin)
        .send()
        .await;
    r.expect(StatusCode::OK);
    r.json()["total"].clone()
}

#[tokio::test]
async fn a_card_is_created_read_and_versioned_through_the_api() {
    for t in TestApp::all().await {
        let token = t.api_login("lecturer").await;
        let r = t
            .post("/api/v1/scenarios")
            .bearer(&token)
            .json(&role_play("API-RP1", "账单多扣费投诉"))
            .send()
            .await;
        r.expect(StatusCode::CREATED);
        let d = r.json();
        let id = d["id"].as_i64().unwrap();
        assert_eq!(
            r.location().unwrap(),
            format!("/api/v1/scenarios/{id}"),
            "Location names the card"
        );
        assert_eq!(d["code"], "API-RP1");
        assert_eq!(d["version"], 1);
        assert_eq!(d["kind"], "role_play");
        let card = &d["current"]["scenario"];
        assert_eq!(
            card["customer_brief"],
            "您是一位老客户。\n账单多扣了 30 元，您很着急。"
        );
        assert_eq!(card["expected_behaviours"].as_array().unwrap().len(), 3);
        assert_eq!(card["skills"], json!(["listening", "empathy"]));
        assert_eq!(card["duration_minutes"], 15);
        assert_eq!(card["recording"], Value::Null);
        assert_eq!(d["history"].as_array().unwrap().len(), 1);
        let v1_id = d["current"]["id"].as_i64().unwrap();
        assert_eq!(
            audit_total(
                &t,
                &format!("entity=scenario&entity_id={id}&action=scenario.create")
            )
            .await,
            1
        );

        // A generated code, lists as text, Chinese kind names.
        let g = create(
            &t,
            &token,
            json!({
                "type": "案例分析",
                "title": "丢件案例",
                "customer_brief": "包裹三天未到。",
                "expected_behaviours": "查询物流\n说明时限",
                "tags": "complaint-process;listening",
                "duration_minutes": "20"
            }),
        )
        .await;
        assert!(
            g["code"].as_str().unwrap().starts_with("SC"),
            "{}",
            g["code"]
        );
        assert_eq!(g["kind"], "case");
        assert_eq!(
            g["current"]["scenario"]["skills"],
            json!(["complaint-process", "listening"])
        );

        // The same content again adds no version and records nothing.
        let mut same = role_play("ignored", "账单多扣费投诉");
        same["customer_brief"] = json!("您是一位老客户。\r\n账单多扣了 30 元，您很着急。  ");
        let r = t
            .put(&format!("/api/v1/scenarios/{id}"))
            .bearer(&token)
            .json(&same)
            .send()
            .await;
        r.expect(StatusCode::OK);
        assert_eq!(r.json()["version"], 1, "nothing changed");
        assert_eq!(r.json()["code"], "API-RP1", "the code never changes");
        assert_eq!(
            audit_total(&t, &format!("entity=scenario&entity_id={id}")).await,
            1
        );

        // A change adds version 2; version 1 stays as it was.
        let mut changed = role_play("", "账单多扣费投诉（加难）");
        changed["judge_notes"] = json!("客户会第二次打断。");
        let r = t
            .put(&format!("/api/v1/scenarios/{id}"))
            .bearer(&token)
            .json(&changed)
            .send()
            .await;
        r.expect(StatusCode::OK);
        let d2 = r.json();
        assert_eq!(d2["version"], 2);
        assert_eq!(d2["title"], "账单多扣费投诉（加难）");
        assert_eq!(d2["history"].as_array().unwrap().len(), 2);
        assert_eq!(d2["history"][1]["id"], v1_id);
        assert_eq!(
            audit_total(
                &t,
                &format!("entity=scenario&entity_id={id}&action=scenario.update")
            )
            .await,
            1
        );
        let v1 = t
            .get(&format!("/api/v1/scenarios/{id}/versions/1"))
            .bearer(&token)
            .send()
            .await;
        v1.expect(StatusCode::OK);
        assert_eq!(v1.json()["id"], v1_id);
        assert_eq!(v1.json()["scenario"]["title"], "账单多扣费投诉");
        assert_eq!(
            v1.json()["scenario"]["judge_notes"],
            "看考生是否先致歉再核实。"
        );
        t.get(&format!("/api/v1/scenarios/{id}/versions/3"))
            .bearer(&token)
            .send()
            .await
            .expect(StatusCode::NOT_FOUND);
        t.get("/api/v1/scenarios/999999")
            .bearer(&token)
            .send()
            .await
            .expect(StatusCode::NOT_FOUND);

        // The lead's events read versions by id.
        let v = skillcert_app::scenarios::version_by_id(&t.app, v1_id)
            .await
            .unwrap();
        assert_eq!(v.scenario.title, "账单多扣费投诉");
        let current = skillcert_app::scenarios::current_version_id(&t.app, id)
            .await
            .unwrap();
        assert_eq!(json!(current), d2["current"]["id"]);
    }
}

#[tokio::test]
async fn invalid_cards_name_their_fields_and_store_nothing() {
    let t = TestApp::new().await;
    let token = t.api_login("lecturer").await;
    let before = (
        t.count("scenarios").await,
        t.count("scenario_versions").await,
    );
    let r = t
        .post("/api/v1/scenarios")
        .bearer(&token)
        .json(&json!({
            "code": "bad code!",
            "kind": "drama",
            "title": "",
            "expected_behaviours": [],
            "skills": ["listening", "flying"],
            "duration_minutes": 0
        }))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "validation");
    let got = fields(&r);
    for want in [
        ("code", "bad-characters"),
        ("kind", "not-allowed"),
        ("title", "required"),
        ("expected_behaviours", "required"),
        ("skills", "not-found"),
        ("duration_minutes", "out-of-range"),
    ] {
        assert!(
            got.contains(&(want.0.to_string(), want.1.to_string())),
            "{want:?} in {got:?}"
        );
    }
    // A role play needs a brief; a recorded call needs its recording.
    let mut body = role_play("", "无说明");
    body["customer_brief"] = json!("  ");
    let r = t
        .post("/api/v1/scenarios")
        .bearer(&token)
        .json(&body)
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&r), [("customer_brief".into(), "required".into())]);
    body["kind"] = json!("recorded_call");
    let r = t
        .post("/api/v1/scenarios")
        .bearer(&token)
        .json(&body)
        .send()
        .await;
    assert_eq!(fields(&r), [("recording".into(), "required".into())]);
    assert_eq!(
        (
            t.count("scenarios").await,
            t.count("scenario_versions").await
        ),
        before
    );

    // A taken code; an edit that is invalid keeps the card as it was.
    let d = create(&t, &token, role_play("DUP-1", "原题")).await;
    let r = t
        .post("/api/v1/scenarios")
        .bearer(&token)
        .json(&role_play("DUP-1", "重复"))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&r), [("code".into(), "duplicate".into())]);
    let r = t
        .put(&format!("/api/v1/scenarios/{}", d["id"]))
        .bearer(&token)
        .json(&json!({"kind": "case", "title": "x", "expected_behaviours": ""}))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fields(&r),
        [
            ("customer_brief".into(), "required".into()),
            ("expected_behaviours".into(), "required".into())
        ]
    );
    assert_eq!(t.count("scenario_versions").await, before.1 + 1);
    // Malformed JSON is our 400.
    let r = t
        .post("/api/v1/scenarios")
        .bearer(&token)
        .raw("application/json", b"{".to_vec())
        .send()
        .await;
    r.expect(StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_list_searches_filters_sorts_and_pages() {
    let t = TestApp::new().await;
    let token = t.api_login("lecturer").await;
    let mut ids = Vec::new();
    for i in 0..7 {
        let body = match i % 3 {
            0 => json!({
                "code": format!("FLT-{i}"), "kind": "role_play", "title": format!("Zebra 角色 {i}"),
                "customer_brief": "b", "expected_behaviours": "x", "skills": "empathy"
            }),
            1 => json!({
                "code": format!("FLT-{i}"), "kind": "case", "title": format!("Zebra 案例 {i}"),
                "customer_brief": "b", "expected_behaviours": "x", "skills": "listening"
            }),
            _ => json!({
                "code": format!("FLT-{i}"), "kind": "recorded_call", "title": format!("Zebra 录音 {i}"),
                "recording": "REC-1", "expected_behaviours": "x"
            }),
        };
        ids.push(create(&t, &token, body).await["id"].as_i64().unwrap());
    }
    let list = async |query: &str| {
        let r = t
            .get(&format!("/api/v1/scenarios?q=zebra&{query}"))
            .bearer(&token)
            .send()
            .await;
        r.expect(StatusCode::OK);
        r.json()
    };
    let codes = |v: &Value| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["code"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(list("").await["total"], 7);
    assert_eq!(list("kind=case").await["total"], 2);
    assert_eq!(
        list(&format!("kind={}", urlencode("角色扮演"))).await["total"],
        3
    );
    assert_eq!(list("skill=empathy").await["total"], 3);
    assert_eq!(
        list("skill=empathy").await["items"][0]["skills"],
        json!(["empathy"])
    );
    let r = t
        .get(&format!("/api/v1/scenarios?q={}", urlencode("ZEBRA 录音")))
        .bearer(&token)
        .send()
        .await
        .json();
    assert_eq!(r["total"], 2);
    assert_eq!(
        codes(&list("sort=code&dir=desc&per_page=3&page=1").await),
        ["FLT-6", "FLT-5", "FLT-4"]
    );
    let p3 = list("sort=code&per_page=3&page=3").await;
    assert_eq!(codes(&p3), ["FLT-6"]);
    assert_eq!(p3["page"], 3);
    assert_eq!(
        list("sort=nonsense&kind=nonsense").await["total"],
        7,
        "ignored"
    );

    // Archiving hides the card from the default list, through the API.
    let r = t
        .post(&format!("/api/v1/scenarios/{}/archive", ids[0]))
        .bearer(&token)
        .json(&json!({"archived": true}))
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(r.json()["archived"], true);
    assert_eq!(r.json()["version"], 1, "archiving adds no version");
    assert_eq!(list("").await["total"], 6);
    assert_eq!(list("archived=true").await["total"], 1);
    assert_eq!(list("archived=all").await["total"], 7);
    // Archiving again changes nothing and is not recorded twice.
    t.post(&format!("/api/v1/scenarios/{}/archive", ids[0]))
        .bearer(&token)
        .json(&json!({"archived": true}))
        .send()
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        audit_total(
            &t,
            &format!(
                "entity=scenario&entity_id={}&action=scenario.archive",
                ids[0]
            )
        )
        .await,
        1
    );
    let r = t
        .post(&format!("/api/v1/scenarios/{}/archive", ids[0]))
        .bearer(&token)
        .json(&json!({"archived": false}))
        .send()
        .await;
    assert_eq!(r.json()["archived"], false);
    assert_eq!(
        audit_total(
            &t,
            &format!(
                "entity=scenario&entity_id={}&action=scenario.restore",
                ids[0]
            )
        )
        .await,
        1
    );
    // The list page: sortable headers, filters kept, empty state.
    let s = t.web_login("lecturer").await;
    let page = t
        .get("/scenarios?q=zebra&kind=case&sort=title&dir=asc")
        .session(&s)
        .send()
        .await;
    page.expect(StatusCode::OK);
    let html = page.text();
    assert!(html.contains("Zebra 案例 1") && html.contains("Zebra 案例 4"));
    assert!(!html.contains("Zebra 角色 0"));
    let flipped = html
        .replace("&#38;", "&")
        .replace("&amp;", "&")
        .contains("/scenarios?q=zebra&kind=case&sort=title&dir=desc");
    assert!(flipped, "the active column flips its direction: {html}");
    let empty = t.get("/scenarios?q=no-such-card").session(&s).send().await;
    empty.expect(StatusCode::OK);
    assert!(
        empty
            .text()
            .contains(tr(Lang::ZhCn, "scenarios-empty-filtered"))
    );
}

#[tokio::test]
async fn the_pages_create_show_edit_print_and_archive() {
    let t = TestApp::new().await;
    // The demo ships a few cards of its own.
    let cards_before = t.count("scenarios").await;
    let versions_before = t.count("scenario_versions").await;
    let s = t.web_login("lecturer").await;
    let form = t.get("/scenarios/new").session(&s).send().await;
    form.expect(StatusCode::OK);
    assert!(form.text().contains("name=\"_csrf\""));
    assert!(
        form.text().contains("value=\"listening\""),
        "skills to tick"
    );

    // Errors are shown next to their fields and the input is kept.
    let r = t
        .post("/scenarios/new")
        .session(&s)
        .form(&[
            ("_csrf", s.csrf.as_str()),
            ("code", "WEB-RP"),
            ("kind", "role_play"),
            ("title", "页面角色扮演"),
            ("customer_brief", ""),
            ("expected_behaviours", "倾听"),
            ("duration_minutes", "abc"),
        ])
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("value=\"页面角色扮演\""), "input kept");
    assert!(html.contains("value=\"WEB-RP\""), "code kept");
    assert_eq!(html.matches("class=\"field-error\"").count(), 2, "{html}");
    assert_eq!(t.count("scenarios").await, cards_before);

    let r = t
        .post("/scenarios/new")
        .session(&s)
        .form(&[
            ("_csrf", s.csrf.as_str()),
            ("code", "WEB-RP"),
            ("kind", "role_play"),
            ("title", "页面角色扮演"),
            ("customer_brief", "第一段说明。\r\n第二段说明。"),
            ("judge_notes", "评委请注意语气。"),
            ("expected_behaviours", "倾听\r\n致歉\r\n"),
            ("skills", "listening"),
            ("skills", "empathy"),
            ("duration_minutes", "12"),
        ])
        .send()
        .await;
    assert!(r.status.is_redirection(), "{}", r.text());
    let at = r.location().unwrap();
    assert!(at.ends_with("?done=created"), "{at}");
    let id: i64 = at
        .trim_start_matches("/scenarios/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let page = t.get(&at).session(&s).send().await;
    page.expect(StatusCode::OK);
    let html = page.text();
    assert!(html.contains(tr(Lang::ZhCn, "scenarios-done-created")));
    assert!(
        html.contains("第一段说明。\n第二段说明。"),
        "line breaks kept"
    );
    assert!(html.contains("评委请注意语气。"));
    assert!(html.contains("<li>倾听</li>") && html.contains("<li>致歉</li>"));
    assert!(html.contains("倾听, 同理心"), "skills by name");
    assert!(html.contains(tr(Lang::ZhCn, "scenarios-kind-role_play")));
    // In English, skills are shown by their English names.
    let en = t
        .get(&format!("/scenarios/{id}"))
        .lang("en")
        .session(&s)
        .send()
        .await;
    assert!(en.text().contains("Role play"));
    assert!(en.text().contains("Active listening, Empathy"));

    // The printable brief has the brief and not the judges' notes.
    let brief = t
        .get(&format!("/scenarios/{id}/brief"))
        .session(&s)
        .send()
        .await;
    brief.expect(StatusCode::OK);
    assert!(brief.text().contains("第二段说明。"));
    assert!(!brief.text().contains("评委请注意语气。"));

    // The edit form is filled in; saving it unchanged adds nothing.
    let edit = t
        .get(&format!("/scenarios/{id}/edit"))
        .session(&s)
        .send()
        .await;
    edit.expect(StatusCode::OK);
    assert!(edit.text().contains("第一段说明。\n第二段说明。"));
    assert!(
        edit.text()
            .contains(&tr(Lang::ZhCn, "scenarios-edit-note").replace("{n}", "2"))
    );
    let same = [
        ("_csrf", s.csrf.as_str()),
        ("kind", "role_play"),
        ("title", "页面角色扮演"),
        ("customer_brief", "第一段说明。\n第二段说明。"),
        ("judge_notes", "评委请注意语气。"),
        ("expected_behaviours", "倾听\n致歉"),
        ("skills", "listening"),
        ("skills", "empathy"),
        ("duration_minutes", "12"),
    ];
    let r = t
        .post(&format!("/scenarios/{id}/edit"))
        .session(&s)
        .form(&same)
        .send()
        .await;
    assert_eq!(
        r.location().unwrap(),
        format!("/scenarios/{id}?done=unchanged")
    );
    assert_eq!(t.count("scenario_versions").await, versions_before + 1);
    // An invalid edit shows the errors and keeps the input.
    let mut bad = same.to_vec();
    bad[2] = ("title", "");
    bad[4] = ("judge_notes", "新的提示");
    let r = t
        .post(&format!("/scenarios/{id}/edit"))
        .session(&s)
        .form(&bad)
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("新的提示"));
    assert!(r.text().contains("class=\"field-error\""));
    assert_eq!(t.count("scenario_versions").await, versions_before + 1);
    // A real change adds version 2; version 1 stays reachable.
    let mut changed = same.to_vec();
    changed[2] = ("title", "页面角色扮演（二）");
    let r = t
        .post(&format!("/scenarios/{id}/edit"))
        .session(&s)
        .form(&changed)
        .send()
        .await;
    assert_eq!(r.location().unwrap(), format!("/scenarios/{id}?done=saved"));
    let page = t.get(&format!("/scenarios/{id}")).session(&s).send().await;
    assert!(page.text().contains("页面角色扮演（二）"));
    assert!(page.text().contains(&format!("/scenarios/{id}?version=1")));
    let old = t
        .get(&format!("/scenarios/{id}?version=1"))
        .session(&s)
        .send()
        .await;
    old.expect(StatusCode::OK);
    assert!(
        old.text().contains(
            &tr(Lang::ZhCn, "scenarios-old-version")
                .replace("{n}", "1")
                .replace("{current}", "2")
        )
    );
    t.get(&format!("/scenarios/{id}?version=9"))
        .session(&s)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);

    // Archiving asks first, on a page of its own.
    let confirm = t
        .get(&format!("/scenarios/{id}/archive"))
        .session(&s)
        .send()
        .await;
    confirm.expect(StatusCode::OK);
    assert!(
        confirm
            .text()
            .contains(tr(Lang::ZhCn, "scenarios-archive-confirm"))
    );
    assert!(confirm.text().contains("name=\"archived\" value=\"true\""));
    let r = t
        .post(&format!("/scenarios/{id}/archive"))
        .session(&s)
        .form(&[("_csrf", s.csrf.as_str()), ("archived", "true")])
        .send()
        .await;
    assert_eq!(
        r.location().unwrap(),
        format!("/scenarios/{id}?done=archived")
    );
    let page = t.get(&r.location().unwrap()).session(&s).send().await;
    assert!(
        page.text()
            .contains(tr(Lang::ZhCn, "scenarios-archived-note"))
    );
    let confirm = t
        .get(&format!("/scenarios/{id}/archive"))
        .session(&s)
        .send()
        .await;
    assert!(confirm.text().contains("name=\"archived\" value=\"false\""));
    let r = t
        .post(&format!("/scenarios/{id}/archive"))
        .session(&s)
        .form(&[("_csrf", s.csrf.as_str()), ("archived", "maybe")])
        .send()
        .await;
    r.expect(StatusCode::BAD_REQUEST);
    // Without the CSRF token nothing happens.
    let r = t
        .post(&format!("/scenarios/{id}/archive"))
        .session(&s)
        .form(&[("archived", "false")])
        .send()
        .await;
    assert!(!r.status.is_success() && !r.status.is_redirection());
    assert_eq!(
        audit_total(&t, &format!("entity=scenario&entity_id={id}")).await,
        3,
        "create, update, archive"
    );
}

#[tokio::test]
async fn who_may_read_and_write_cards() {
    let t = TestApp::new().await;
    let lecturer = t.api_login("lecturer").await;
    let versions_before = t.count("scenario_versions").await;
    let d = create(&t, &lecturer, role_play("PERM-1", "权限测试")).await;
    let id = d["id"].as_i64().unwrap();
    // Managers plan events (and hold the bank too) and judges read the cards of their
    // panels; the others see nothing.
    for who in ["admin", "manager", "judge"] {
        let token = t.api_login(who).await;
        t.get(&format!("/api/v1/scenarios/{id}"))
            .bearer(&token)
            .send()
            .await
            .expect(StatusCode::OK);
    }
    let judge = t.api_login("judge").await;
    t.put(&format!("/api/v1/scenarios/{id}"))
        .bearer(&judge)
        .json(&role_play("", "改"))
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    for who in ["supervisor", "mentor", "employee"] {
        let token = t.api_login(who).await;
        for path in [
            "/api/v1/scenarios".to_string(),
            format!("/api/v1/scenarios/{id}"),
            format!("/api/v1/scenarios/{id}/versions/1"),
        ] {
            t.get(&path)
                .bearer(&token)
                .send()
                .await
                .expect(StatusCode::FORBIDDEN);
        }
        t.put(&format!("/api/v1/scenarios/{id}"))
            .bearer(&token)
            .json(&role_play("", "改"))
            .send()
            .await
            .expect(StatusCode::FORBIDDEN);
        let s = t.web_login(who).await;
        t.get(&format!("/scenarios/{id}"))
            .session(&s)
            .send()
            .await
            .expect(StatusCode::FORBIDDEN);
    }
    t.get("/api/v1/scenarios")
        .send()
        .await
        .expect(StatusCode::UNAUTHORIZED);
    assert_eq!(t.count("scenario_versions").await, versions_before + 1);
}

#[tokio::test]
async fn english_pages_hold_no_chinese_but_the_switch() {
    let t = TestApp::new().await;
    let token = t.api_login("lecturer").await;
    let d = create(
        &t,
        &token,
        json!({
            "code": "EN-1", "kind": "recorded_call", "title": "Angry caller",
            "recording": "REC-7", "judge_notes": "Watch the tone.",
            "expected_behaviours": ["Apologise"], "skills": ["listening"], "duration_minutes": 5
        }),
    )
    .await;
    let id = d["id"].as_i64().unwrap();
    let s = t.web_login("lecturer").await;
    // The signed-in user's name is data, in whatever language it was typed.
    let me = t.get("/api/v1/me").bearer(&token).send().await.json();
    let name = me["display_name"].as_str().unwrap_or_default().to_string();
    let is_cjk = |c: char| matches!(c, '\u{3001}'..='\u{303f}' | '\u{4e00}'..='\u{9fff}' | '\u{ff01}'..='\u{ffef}');
    for path in [
        "/scenarios?q=EN-1".to_string(),
        "/scenarios?q=nothing-matches".to_string(),
        "/scenarios/new".to_string(),
        format!("/scenarios/{id}"),
        format!("/scenarios/{id}/edit"),
        format!("/scenarios/{id}/archive"),
        format!("/scenarios/{id}/brief"),
    ] {
        let r = t.get(&path).lang("en").session(&s).send().await;
        r.expect(StatusCode::OK);
        let html = r.text().replace(">中文<", "><").replace(&name, "");
        assert!(html.contains("<html lang=\"en\""), "{path}");
        if let Some(at) = html.find(is_cjk) {
            let from = html[..at]
                .char_indices()
                .rev()
                .nth(40)
                .map_or(0, |(i, _)| i);
            panic!("{path}: Chinese in English: …{}…", &html[from..at + 3]);
        }
    }
}

#[tokio::test]
async fn every_route_is_documented_with_the_fields_it_returns() {
    let t = TestApp::new().await;
    let doc = t.get("/api/v1/openapi.json").send().await.json();
    for (method, path) in [
        ("get", "/api/v1/scenarios"),
        ("post", "/api/v1/scenarios"),
        ("get", "/api/v1/scenarios/{id}"),
        ("put", "/api/v1/scenarios/{id}"),
        ("get", "/api/v1/scenarios/{id}/versions/{version}"),
        ("post", "/api/v1/scenarios/{id}/archive"),
    ] {
        let op = &doc["paths"][path][method];
        assert!(op["operationId"].is_string(), "{method} {path}");
        assert!(op["responses"]["403"].is_object(), "{method} {path}");
    }
    let schemas = &doc["components"]["schemas"];
    let token = t.api_login("lecturer").await;
    let d = create(&t, &token, role_play("DOC-1", "文档")).await;
    let required = |name: &str| -> Vec<String> {
        schemas[name]["required"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}"))
            .iter()
            .map(|k| k.as_str().unwrap().to_string())
            .collect()
    };
    for k in required("ScenarioRow") {
        assert!(d.get(&k).is_some(), "ScenarioRow.{k}");
    }
    for k in required("ScenarioVersion") {
        assert!(d["current"].get(&k).is_some(), "ScenarioVersion.{k}");
    }
    for k in required("Scenario") {
        assert!(d["current"]["scenario"].get(&k).is_some(), "Scenario.{k}");
    }
    let list = t
        .get("/api/v1/scenarios?q=DOC-1")
        .bearer(&token)
        .send()
        .await
        .json();
    assert!(list["items"][0]["skills"].is_array());
}
