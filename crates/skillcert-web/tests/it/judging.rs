//! The judges' side of practical assessments: the panels page, the score sheet (without
//! JavaScript: plain form posts), the chief judge's correction; and the practical API end
//! to end — an S4 event planned by the manager, 7 judges drawn 3 : 4 from a published
//! seed, every judge scoring through the API, bad input refused without changing anything,
//! and the trimmed result with two dropped marks and the scheme's verdict.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

/// Every item of the S4 sheet with a mark of the given strength (0..=3 steps below max).
fn s4_marks(step: u32) -> Value {
    // (key, marks from best to worst) — allowed values of the S4 rubric.
    let items: [(&str, [u32; 4]); 10] = [
        ("answer-rings", [2, 2, 2, 0]),
        ("opening-phrase", [2, 2, 1, 1]),
        ("closing-phrase", [2, 2, 1, 1]),
        ("hang-up-after", [2, 2, 2, 2]),
        ("speech-clarity", [2, 2, 2, 1]),
        ("attitude", [10, 9, 8, 7]),
        ("proactive-service", [5, 5, 4, 4]),
        ("pronunciation-pace", [5, 4, 4, 3]),
        ("listening", [10, 9, 8, 8]),
        ("verbal-expression", [15, 14, 13, 12]),
    ];
    let mut m = serde_json::Map::new();
    for (k, v) in items {
        m.insert(k.into(), json!(v[step as usize]));
    }
    m.insert("business-knowledge".into(), json!(15 - step));
    m.insert("problem-handling".into(), json!(30 - 2 * step));
    json!({ "items": m, "texts": { "overall-evaluation": "good" } })
}

/// Username of every account linked to an employee.
async fn usernames(t: &TestApp) -> BTreeMap<i64, String> {
    let mut r = t.app.db.read().await.unwrap();
    skillcert_store::users::list_users(&mut r.conn())
        .await
        .unwrap()
        .into_iter()
        .filter_map(|u| Some((u.employee_id?, u.username)))
        .collect()
}

/// The demo's event of today, in scoring, where the demo `judge` has not scored yet.
async fn q4(t: &TestApp, token: &str) -> Value {
    let list = t
        .get("/api/v1/events?q=s4-onsite-q4")
        .bearer(token)
        .send()
        .await;
    list.expect(StatusCode::OK);
    let id = list.json()["items"][0]["id"].as_i64().unwrap();
    let r = t
        .get(&format!("/api/v1/events/{id}"))
        .bearer(token)
        .send()
        .await;
    r.expect(StatusCode::OK);
    r.json()
}

async fn sheet_id(t: &TestApp, subject: i64, judge: i64) -> i64 {
    let mut r = t.app.db.read().await.unwrap();
    skillcert_store::practical::sheet(&mut r.conn(), subject, judge)
        .await
        .unwrap()
        .unwrap()
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

// ---------- the API, end to end ----------

#[tokio::test]
async fn an_s4_assessment_runs_end_to_end_through_the_api() {
    let t = TestApp::new().await;
    let manager = t.api_login("manager").await;
    let demo = q4(&t, &manager).await;
    // Pool members whose accounts hold the judge role: the demo's pools also hold the
    // employees behind the `manager`, `lecturer` and `supervisor` accounts.
    let names = usernames(&t).await;
    let members = |pool: &str| -> Vec<String> {
        demo["pools"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["pool"] == pool)
            .filter(|m| {
                let e = m["employee_id"].as_i64().unwrap();
                names
                    .get(&e)
                    .is_some_and(|u| u == "judge" || !DEMO_USERS.contains(&u.as_str()))
            })
            .map(|m| m["employee_no"].as_str().unwrap().to_string())
            .collect()
    };
    let (leadership, office) = (members("leadership"), members("office"));
    assert!(leadership.len() >= 3 && office.len() >= 4);
    let candidates: Vec<String> = demo["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .map(|s| s["employee_no"].as_str().unwrap().to_string())
        .collect();

    // Planning: an impossible quota is refused and creates nothing.
    let events_before = t.count("assessment_events").await;
    let mut input = json!({
        "code": "S4-API-1",
        "title": "API test",
        "held_on": "2026-11-23",
        "place": "Room 1",
        "scheme_key": "s4-routine-assessment",
        "rubric_key": "s4-call-scoring",
        "pools": [
            { "key": "leadership", "name_zh": "领导小组", "name_en": "Leadership group", "quota": "3", "members": leadership.join(" ") },
            { "key": "office", "name_zh": "领导小组办公室", "name_en": "Office", "quota": "40", "members": office.join(",") }
        ]
    });
    let r = t
        .post("/api/v1/events")
        .bearer(&manager)
        .json(&input)
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    // The problem names the pool whose quota cannot be met.
    assert_eq!(
        r.json()["fields"][0]["field"],
        "pools.office",
        "{}",
        r.text()
    );
    assert_eq!(t.count("assessment_events").await, events_before);
    input["pools"][1]["quota"] = json!("4");
    let r = t
        .post("/api/v1/events")
        .bearer(&manager)
        .json(&input)
        .send()
        .await;
    r.expect(StatusCode::CREATED);
    let event = r.json();
    let id = event["id"].as_i64().unwrap();
    assert_eq!(r.location().unwrap(), format!("/api/v1/events/{id}"));
    assert_eq!(event["status"], "planning");
    assert_eq!(event["rubric_max"], 100);

    let r = t
        .put(&format!("/api/v1/events/{id}/subjects"))
        .bearer(&manager)
        .json(&json!({ "candidates": candidates.join("\n") }))
        .send()
        .await;
    r.expect(StatusCode::OK);
    let subjects: Vec<i64> = r.json()["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert_eq!(subjects.len(), 2);
    let first = subjects[0];
    for s in &subjects {
        let r = t
            .put(&format!("/api/v1/event-subjects/{s}/inputs"))
            .bearer(&manager)
            .json(&json!({ "attendance": 100, "inspection": "95" }))
            .send()
            .await;
        r.expect(StatusCode::OK);
    }
    let r = t
        .put(&format!("/api/v1/event-subjects/{first}/inputs"))
        .bearer(&manager)
        .json(&json!({ "nonsense": 1 }))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"][0]["code"], "input-unknown-component");

    // The draw needs a published seed first.
    let r = t
        .post(&format!("/api/v1/events/{id}/draws"))
        .bearer(&manager)
        .json(&json!({ "reason": "" }))
        .send()
        .await;
    r.expect(StatusCode::CONFLICT);
    assert_eq!(r.code(), "event-no-seed");
    let r = t
        .post(&format!("/api/v1/events/{id}/seed"))
        .bearer(&manager)
        .send()
        .await;
    r.expect(StatusCode::OK);
    let seed = r.json()["next_seed"].as_str().unwrap().to_string();
    let r = t
        .post(&format!("/api/v1/events/{id}/draws"))
        .bearer(&manager)
        .json(&json!({}))
        .send()
        .await;
    r.expect(StatusCode::OK);
    let drawn = r.json();
    assert_eq!(drawn["status"], "scoring");
    assert_eq!(drawn["draws"][0]["seed"], seed.as_str());
    let seats: Vec<&Value> = drawn["seats"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["subject_id"] == first)
        .collect();
    assert_eq!(seats.len(), 7);
    let from = |pool: &str| seats.iter().filter(|s| s["pool"] == pool).count();
    assert_eq!((from("leadership"), from("office")), (3, 4));
    let r = t
        .get(&format!("/api/v1/events/{id}/draws/1"))
        .bearer(&manager)
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(r.json()["identical"], true);
    assert_eq!(r.json()["seed"], seed.as_str());

    // Tokens of the seated judges, and of a pool member left out.
    let seated: Vec<i64> = seats
        .iter()
        .map(|s| s["judge_id"].as_i64().unwrap())
        .collect();
    let mut judges = Vec::new();
    for j in &seated {
        let name = names.get(j).expect("every pool member has an account");
        judges.push((*j, t.api_login(name).await));
    }
    let outsider = drawn["pools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["employee_id"].as_i64().unwrap())
        .find(|e| !seated.contains(e))
        .expect("11 pool members, 7 seats");
    let outsider = t.api_login(&names[&outsider]).await;

    // Panels list the candidates in order.
    let r = t.get("/api/v1/my/panels").bearer(&judges[0].1).send().await;
    r.expect(StatusCode::OK);
    let panels = r.json();
    let mine: Vec<&Value> = panels
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["event_id"] == id)
        .collect();
    assert_eq!(mine.len(), 2);
    assert_eq!(mine[0]["subject_id"], first);
    assert_eq!(mine[0]["sheet_status"], Value::Null);

    let sheet_url = format!("/api/v1/sheets/{first}");
    let sheets_before = t.count("score_sheets").await;

    // A mark outside the item's allowed values: 1 for "answer within three rings" (0 or 2).
    let r = t
        .put(&sheet_url)
        .bearer(&judges[0].1)
        .json(&json!({ "items": { "answer-rings": 1, "opening-phrase": 2 } }))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.json();
    assert_eq!(body["fields"][0]["field"], "items.answer-rings");
    assert_eq!(body["fields"][0]["code"], "sheet-value-not-allowed");
    assert_eq!(body["fields"].as_array().unwrap().len(), 1);
    assert_eq!(
        t.count("score_sheets").await,
        sheets_before,
        "nothing saved"
    );
    let r = t.get(&sheet_url).bearer(&judges[0].1).send().await;
    r.expect(StatusCode::OK);
    assert_eq!(r.json()["status"], "new");
    assert_eq!(r.json()["rubric"]["key"], "s4-call-scoring");
    assert!(r.json()["others"].is_null());

    // A candidate not on the judge's panel.
    for call in [
        t.get(&sheet_url).bearer(&outsider),
        t.put(&sheet_url)
            .bearer(&outsider)
            .json(&json!({ "items": { "answer-rings": 2 } })),
        t.post(&format!("{sheet_url}/submit"))
            .bearer(&outsider)
            .json(&s4_marks(0)),
    ] {
        let r = call.send().await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.code(), "sheet-not-seated");
    }
    assert_eq!(t.count("score_sheets").await, sheets_before);

    // A draft, then an incomplete submission refused item by item.
    let r = t
        .put(&sheet_url)
        .bearer(&judges[0].1)
        .json(&json!({ "items": { "answer-rings": 2, "opening-phrase": "na" } }))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"][0]["code"], "sheet-na-not-allowed");
    let r = t
        .put(&sheet_url)
        .bearer(&judges[0].1)
        .json(&json!({ "items": { "answer-rings": 2 } }))
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(r.json()["status"], "draft");
    assert_eq!(r.json()["running_points"], 2);
    let r = t
        .post(&format!("{sheet_url}/submit"))
        .bearer(&judges[0].1)
        .json(&json!({ "items": { "answer-rings": 2 } }))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.json()["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["field"] == "items.problem-handling" && f["code"] == "sheet-missing-item")
    );

    // Every judge submits: seven different totals.
    for (i, (_, token)) in judges.iter().enumerate() {
        let step = u32::try_from(i % 4).unwrap();
        let mut marks = s4_marks(step);
        if i >= 4 {
            marks["items"]["problem-handling"] = json!(20 - i);
        }
        let r = t
            .post(&format!("{sheet_url}/submit"))
            .bearer(token)
            .json(&marks)
            .send()
            .await;
        r.expect(StatusCode::OK);
        assert_eq!(r.json()["status"], "submitted");
        assert!(r.json()["score"]["total"].is_number());
    }
    // Everyone is in: the panel is no longer blind.
    let r = t.get(&sheet_url).bearer(&judges[0].1).send().await;
    assert_eq!(r.json()["others"].as_array().unwrap().len(), 6);

    // A second submission is refused and changes nothing.
    let before = t.get(&sheet_url).bearer(&judges[1].1).send().await.json();
    let r = t
        .post(&format!("{sheet_url}/submit"))
        .bearer(&judges[1].1)
        .json(&s4_marks(3))
        .send()
        .await;
    r.expect(StatusCode::CONFLICT);
    assert_eq!(r.code(), "sheet-already-submitted");
    let r = t
        .put(&sheet_url)
        .bearer(&judges[1].1)
        .json(&json!({ "items": { "answer-rings": 0 } }))
        .send()
        .await;
    assert_eq!(r.code(), "sheet-already-submitted");
    let after = t.get(&sheet_url).bearer(&judges[1].1).send().await.json();
    assert_eq!(before["marks"], after["marks"]);
    assert_eq!(before["score"], after["score"]);

    // Corrections: not by a judge who is not the chief; by the manager with a reason.
    let sheet = sheet_id(&t, first, judges[1].0).await;
    let url = format!("/api/v1/score-sheets/{sheet}/corrections");
    let r = t
        .post(&url)
        .bearer(&judges[2].1)
        .json(&json!({ "marks": s4_marks(1), "reason": "typo" }))
        .send()
        .await;
    r.expect(StatusCode::FORBIDDEN);
    let r = t
        .post(&url)
        .bearer(&judges[1].1)
        .json(&json!({ "marks": s4_marks(1), "reason": "my own" }))
        .send()
        .await;
    r.expect(StatusCode::FORBIDDEN);
    let r = t
        .post(&url)
        .bearer(&manager)
        .json(&json!({ "marks": s4_marks(1), "reason": "" }))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"][0]["field"], "reason");
    let r = t
        .post(&url)
        .bearer(&manager)
        .json(&json!({ "marks": s4_marks(0), "reason": "Marks copied from the wrong candidate" }))
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(r.json()["sheet"]["id"], sheet);
    assert_eq!(r.json()["marks"]["items"]["problem-handling"], 30);

    // Results: 7 marks, the highest and the lowest dropped, and the scheme's verdict.
    let r = t
        .get(&format!("/api/v1/events/{id}/results"))
        .bearer(&manager)
        .send()
        .await;
    r.expect(StatusCode::OK);
    let res = r.json();
    let row = &res["rows"][0];
    assert_eq!(row["subject"]["id"], first);
    let marks = row["combined"]["marks"].as_array().unwrap();
    assert_eq!(marks.len(), 7);
    let dropped: Vec<&str> = marks.iter().filter_map(|m| m["dropped"].as_str()).collect();
    assert_eq!(dropped.len(), 2, "{row}");
    assert!(dropped.contains(&"highest") && dropped.contains(&"lowest"));
    assert!(row["combined"]["score"].is_number());
    assert!(row["evaluation"].is_object(), "{row}");
    assert!(row["evaluation_errors"].as_array().unwrap().is_empty());
    let verdict = &row["evaluation"]["status"];
    assert_eq!(verdict["status"], "complete", "{verdict}");
    assert!(verdict["passed"].is_boolean(), "{verdict}");
    assert!(verdict["total"].is_number(), "{verdict}");
    assert_eq!(res["corrections"].as_array().unwrap().len(), 1);
    // The second candidate has no sheets yet: no result.
    assert_eq!(res["rows"][1]["combined"]["insufficient"], true);

    let r = t
        .get(&format!("/api/v1/events/{id}/analytics"))
        .bearer(&manager)
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(r.json()["judges"].as_array().unwrap().len(), 7);
    let r = t
        .get("/api/v1/judge-analytics?from=2026-01-01&to=2026-12-31")
        .bearer(&manager)
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert!(r.json()["events"].as_i64().unwrap() >= 1);
    let r = t
        .get("/api/v1/judge-analytics?from=2026-13-01")
        .bearer(&manager)
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);

    // A held result cannot be released when it is not held.
    let r = t
        .post(&format!("/api/v1/event-subjects/{first}/release"))
        .bearer(&manager)
        .json(&json!({ "note": "ok" }))
        .send()
        .await;
    r.expect(StatusCode::CONFLICT);
    assert_eq!(r.code(), "result-not-held");

    // Closing ends scoring.
    let r = t
        .post(&format!("/api/v1/events/{id}/close"))
        .bearer(&manager)
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(r.json()["status"], "closed");
    let r = t
        .put(&format!("/api/v1/sheets/{}", subjects[1]))
        .bearer(&judges[0].1)
        .json(&json!({ "items": { "answer-rings": 2 } }))
        .send()
        .await;
    r.expect(StatusCode::CONFLICT);
    assert_eq!(r.code(), "event-not-scoring");
}

#[tokio::test]
async fn judges_without_a_seat_or_an_employee_get_clear_refusals() {
    let t = TestApp::new().await;
    let admin = t.api_login("admin").await;
    let demo = q4(&t, &admin).await;
    let subject = demo["subjects"][0]["id"].as_i64().unwrap();
    // The administrator holds every permission but is no employee.
    let r = t.get("/api/v1/my/panels").bearer(&admin).send().await;
    r.expect(StatusCode::CONFLICT);
    assert_eq!(r.code(), "no-employee");
    assert!(!r.json()["message"].as_str().unwrap().is_empty());
    // The manager is an employee but sits on no panel.
    let manager = t.api_login("manager").await;
    let r = t
        .get(&format!("/api/v1/sheets/{subject}"))
        .bearer(&manager)
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "sheet-not-seated");
    let r = t.get("/api/v1/sheets/999999").bearer(&manager).send().await;
    r.expect(StatusCode::NOT_FOUND);
    // An employee without the judge role.
    let employee = t.api_login("employee").await;
    let r = t
        .get(&format!("/api/v1/sheets/{subject}"))
        .bearer(&employee)
        .send()
        .await;
    r.expect(StatusCode::FORBIDDEN);
    // Malformed marks are our 400.
    let judge = t.api_login("judge").await;
    let r = t
        .put(&format!("/api/v1/sheets/{subject}"))
        .bearer(&judge)
        .json(&json!({ "items": { "answer-rings": "two" } }))
        .send()
        .await;
    r.expect(StatusCode::BAD_REQUEST);
    assert_eq!(r.code(), "bad-json");
}

// ---------- pages ----------

#[tokio::test]
async fn the_judge_sees_their_panels_with_the_next_candidate_highlighted() {
    let t = TestApp::new().await;
    let s = t.web_login("judge").await;
    let r = t.get("/judging").lang("en").session(&s).send().await;
    r.expect(StatusCode::OK);
    let page = r.text();
    assert!(page.contains("S4-ONSITE-Q4"), "{page}");
    assert!(page.contains("class=\"seat state-new next\""), "{page}");
    assert!(page.contains("Not started"));
    assert_eq!(
        page.matches(" next\"").count(),
        1,
        "one next candidate per open event"
    );
    // The administrator has no employee record: a notice, not an error page.
    let a = t.web_login("admin").await;
    let r = t.get("/judging").lang("en").session(&a).send().await;
    r.expect(StatusCode::OK);
    assert!(r.text().contains("not linked to an employee"));
    // Without the role: 403.
    let e = t.web_login("employee").await;
    let r = t.get("/judging").session(&e).send().await;
    r.expect(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_sheet_works_without_javascript() {
    let t = TestApp::new().await;
    let s = t.web_login("judge").await;
    let admin = t.api_login("admin").await;
    let demo = q4(&t, &admin).await;
    let subject = demo["subjects"][0]["id"].as_i64().unwrap();
    let url = format!("/judging/{subject}");

    let r = t.get(&url).lang("en").session(&s).send().await;
    r.expect(StatusCode::OK);
    let page = r.text();
    // Radio buttons per allowed value, grouped by band with the descriptor in English.
    assert!(
        page.contains(r#"name="i.answer-rings" value="2""#),
        "{page}"
    );
    assert!(page.contains(r#"name="i.answer-rings" value="0""#));
    assert!(!page.contains(r#"name="i.answer-rings" value="1""#));
    assert!(page.contains("Answered within the required time"));
    assert!(page.contains(r#"name="i.attitude" value="9""#));
    assert!(page.contains("name=\"t.main-problems\""));
    assert!(page.contains("/static/sheet.js"));
    assert!(page.contains("data-asks=\"1\""));
    let zh = t.get(&url).lang("zh-CN").session(&s).send().await.text();
    assert!(zh.contains("在规定时间内接听电话"));

    // A draft: redirected back, the mark kept and the running total computed.
    let r = t
        .post(&url)
        .session(&s)
        .form(&[
            ("_csrf", s.csrf.as_str()),
            ("i.answer-rings", "2"),
            ("i.attitude", "9"),
            ("t.main-problems", "说话太快"),
            ("action", "draft"),
        ])
        .send()
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.location().unwrap(), format!("{url}?done=draft"));
    let page = t
        .get(&format!("{url}?done=draft"))
        .lang("en")
        .session(&s)
        .send()
        .await
        .text();
    assert!(
        page.contains(r#"name="i.answer-rings" value="2" checked"#),
        "{page}"
    );
    assert!(page.contains(r#"<b id="running-total">11</b>"#), "{page}");
    assert!(page.contains("说话太快"));
    assert!(page.contains("Draft saved."));

    // A value the item does not allow: shown next to the item, the other marks kept.
    let r = t
        .post(&url)
        .lang("en")
        .session(&s)
        .form(&[
            ("_csrf", s.csrf.as_str()),
            ("i.answer-rings", "1"),
            ("i.opening-phrase", "1"),
            ("action", "draft"),
        ])
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text();
    let at = page.find("id=\"item-answer-rings\"").unwrap();
    let item = &page[at..at + 1500];
    assert!(
        item.contains("has-error") || page[..at].ends_with("has-error\" "),
        "{item}"
    );
    assert!(item.contains("field-error"), "{item}");
    assert!(
        item.contains("&#34;1&#34;"),
        "the refused mark is named: {item}"
    );
    assert!(page.contains(r#"name="i.opening-phrase" value="1" checked"#));
    let stored = t
        .get(&format!("/api/v1/sheets/{subject}"))
        .bearer(&t.api_login("judge").await)
        .send()
        .await
        .json();
    assert_eq!(stored["marks"]["items"]["answer-rings"], 2, "nothing saved");

    // Submit without JavaScript: first a confirmation listing the unmarked items.
    let mut full: Vec<(String, String)> = s4_marks(1)["items"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (format!("i.{k}"), v.to_string()))
        .collect();
    full.retain(|(k, _)| k != "i.problem-handling");
    full.push(("_csrf".into(), s.csrf.clone()));
    full.push(("action".into(), "submit".into()));
    let pairs: Vec<(&str, &str)> = full.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = t
        .post(&url)
        .lang("en")
        .session(&s)
        .form(&pairs)
        .send()
        .await;
    r.expect(StatusCode::OK);
    let page = r.text();
    assert!(page.contains("id=\"confirm\""), "{page}");
    assert!(page.contains("locked"));
    assert!(
        page.contains("Handling the problem"),
        "unmarked item listed"
    );
    assert!(page.contains(r#"name="action" value="confirm""#));
    assert_eq!(stored["status"], "draft");
    // Confirming an incomplete sheet: refused next to the missing item.
    let mut confirm: Vec<(&str, &str)> = pairs.clone();
    confirm.retain(|(k, _)| *k != "action");
    confirm.push(("action", "confirm"));
    let r = t
        .post(&url)
        .lang("en")
        .session(&s)
        .form(&confirm)
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text();
    let at = page.find("id=\"item-problem-handling\"").unwrap();
    assert!(page[at..at + 400].contains("field-error"));
    // Complete and confirmed: submitted and locked, with the panel's totals (everyone is in).
    confirm.push(("i.problem-handling", "25"));
    let r = t
        .post(&url)
        .lang("en")
        .session(&s)
        .form(&confirm)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = t
        .get(&format!("{url}?done=submitted"))
        .lang("en")
        .session(&s)
        .send()
        .await
        .text();
    assert!(page.contains("Sheet submitted and locked."));
    assert!(!page.contains("type=\"radio\""), "read-only once submitted");
    assert!(page.contains("id=\"sheet-total\""));
    assert!(page.contains("id=\"others\""), "{page}");
    // A second submission through the page: the service's refusal.
    let r = t
        .post(&url)
        .lang("en")
        .session(&s)
        .form(&confirm)
        .send()
        .await;
    r.expect(StatusCode::CONFLICT);
    assert!(r.text().contains("already submitted"));
}

#[tokio::test]
async fn a_judge_not_seated_gets_a_clear_refusal_page() {
    let t = TestApp::new().await;
    let admin = t.api_login("admin").await;
    let demo = q4(&t, &admin).await;
    let subject = demo["subjects"][0]["id"].as_i64().unwrap();
    let m = t.web_login("manager").await;
    let r = t
        .get(&format!("/judging/{subject}"))
        .lang("en")
        .session(&m)
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text().contains("You do not sit on this candidate"),
        "{}",
        r.text()
    );
    let r = t
        .post(&format!("/judging/{subject}"))
        .lang("en")
        .session(&m)
        .form(&[
            ("_csrf", m.csrf.as_str()),
            ("i.answer-rings", "2"),
            ("action", "draft"),
        ])
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    let r = t.get("/judging/not-a-number").session(&m).send().await;
    r.expect(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_chief_judge_corrects_a_submitted_sheet_with_a_reason() {
    let t = TestApp::new().await;
    let admin = t.api_login("admin").await;
    let demo = q4(&t, &admin).await;
    let subject = demo["subjects"][0]["id"].as_i64().unwrap();
    let judge_me = employee_id_of(&t, "judge").await;
    // Another judge's submitted sheet on the same candidate.
    let other = demo["seats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["subject_id"] == subject && s["judge_id"] != judge_me)
        .unwrap()["judge_id"]
        .as_i64()
        .unwrap();
    let sheet = sheet_id(&t, subject, other).await;
    let url = format!("/judging/sheets/{sheet}/correct");

    // A judge who is not the chief may not.
    let j = t.web_login("judge").await;
    t.get(&url)
        .session(&j)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);

    let m = t.web_login("manager").await;
    let r = t.get(&url).lang("en").session(&m).send().await;
    r.expect(StatusCode::OK);
    let page = r.text();
    assert!(page.contains("name=\"reason\""));
    assert!(
        page.contains(" checked>"),
        "prefilled with the sheet's marks"
    );
    assert!(page.contains(&format!("/events/{}", demo["id"])));

    let mut form: Vec<(String, String)> = s4_marks(2)["items"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (format!("i.{k}"), v.to_string()))
        .collect();
    form.push(("_csrf".into(), m.csrf.clone()));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let corrections = t.count("sheet_corrections").await;
    // Without a reason: refused, marks kept.
    let r = t
        .post(&url)
        .lang("en")
        .session(&m)
        .form(&pairs)
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .contains(r#"name="i.problem-handling" value="26" checked"#)
    );
    assert_eq!(t.count("sheet_corrections").await, corrections);
    let mut with_reason = pairs.clone();
    with_reason.push(("reason", "Marks entered for the wrong candidate"));
    let r = t
        .post(&url)
        .lang("en")
        .session(&m)
        .form(&with_reason)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(t.count("sheet_corrections").await, corrections + 1);
    let page = t
        .get(&format!("{url}?done=corrected"))
        .lang("en")
        .session(&m)
        .send()
        .await
        .text();
    assert!(page.contains("Sheet corrected."));
    assert!(page.contains(r#"name="i.problem-handling" value="26" checked"#));
}

#[tokio::test]
async fn the_sheet_script_is_served() {
    let t = TestApp::new().await;
    let r = t.get("/static/sheet.js").send().await;
    r.expect(StatusCode::OK);
    assert!(r.text().contains("running-total"));
}

/// Ids of the demo's practical assessments for the role matrix.
pub struct MatrixFixture {
    /// The event in scoring.
    pub event_id: i64,
    /// The closed event (a new seed or closing again is refused).
    pub closed_event_id: i64,
    /// The first candidate of the event in scoring; the demo `judge` sits on their panel.
    pub subject_id: i64,
    /// A submitted sheet of another judge on that candidate.
    pub sheet_id: i64,
    /// That judge (employee id).
    pub judge_id: i64,
}

pub async fn matrix_fixture(t: &TestApp) -> MatrixFixture {
    let mut r = t.app.db.read().await.unwrap();
    let c = &mut r.conn();
    let events = skillcert_store::practical::list_events(
        c,
        &skillcert_store::practical::EventQuery {
            page: 1,
            per_page: 200,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .items;
    let by_code = |code: &str| events.iter().find(|e| e.code == code).unwrap().id;
    let (event_id, closed_event_id) = (by_code("S4-ONSITE-Q4"), by_code("S4-ONSITE-Q3"));
    let subject_id = skillcert_store::practical::subjects(c, event_id)
        .await
        .unwrap()[0]
        .id;
    let sheet = skillcert_store::practical::sheets_of_subject(c, subject_id)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.status == "submitted")
        .unwrap();
    MatrixFixture {
        event_id,
        closed_event_id,
        subject_id,
        sheet_id: sheet.id,
        judge_id: sheet.judge_id,
    }
}

/// The demo's events read, scored and analysed on every backend (PostgreSQL too when
/// `SKILLCERT_TEST_PG_URL` is set): lists, panels, the conditional upsert of sheets, replay,
/// results and analytics.
#[tokio::test]
async fn the_demo_events_work_on_every_backend() {
    for t in TestApp::all().await {
        let manager = t.api_login("manager").await;
        let list = t.get("/api/v1/events").bearer(&manager).send().await;
        list.expect(StatusCode::OK);
        let items = list.json()["items"].as_array().unwrap().clone();
        assert_eq!(items.len(), 3, "{items:?}");
        let id_of = |code: &str| {
            items
                .iter()
                .find(|e| e["code"] == code)
                .and_then(|e| e["id"].as_i64())
                .unwrap()
        };
        let q3 = id_of("S4-ONSITE-Q3");
        let q4 = id_of("S4-ONSITE-Q4");
        let r = t
            .get(&format!("/api/v1/events/{q3}/draws/1"))
            .bearer(&manager)
            .send()
            .await;
        r.expect(StatusCode::OK);
        assert_eq!(r.json()["identical"], true);
        let r = t
            .get(&format!("/api/v1/events/{q3}/results"))
            .bearer(&manager)
            .send()
            .await;
        r.expect(StatusCode::OK);
        let rows = r.json()["rows"].as_array().unwrap().clone();
        assert_eq!(rows.len(), 8);
        for row in &rows {
            assert!(row["combined"]["score"].is_string() || row["combined"]["score"].is_number());
            assert!(!row["evaluation"].is_null(), "{row}");
        }
        // A failure last quarter makes this quarter's result the candidate's second attempt
        // within the year, so the ladder takes its second step.
        let failed_q3: Vec<Value> = rows
            .iter()
            .filter(|row| row["evaluation"]["status"]["passed"] == false)
            .map(|row| row["subject"]["employee_id"].clone())
            .collect();
        let r = t
            .get(&format!("/api/v1/events/{q4}/results"))
            .bearer(&manager)
            .send()
            .await;
        r.expect(StatusCode::OK);
        let q4_rows = r.json()["rows"].as_array().unwrap().clone();
        for row in &q4_rows {
            let expected = 1 + u64::from(failed_q3.contains(&row["subject"]["employee_id"]));
            assert_eq!(row["attempt"], expected, "{row}");
        }
        assert!(
            q4_rows.iter().any(|row| row["attempt"] == 2),
            "the demo repeats a candidate who failed last quarter"
        );
        let r = t
            .get(&format!("/api/v1/events/{q3}/analytics"))
            .bearer(&manager)
            .send()
            .await;
        r.expect(StatusCode::OK);
        assert!(r.json()["icc"]["icc1"].is_number(), "{}", r.text());

        // The demo judge scores the first candidate of today's event, once.
        let judge = t.api_login("judge").await;
        let panels = t.get("/api/v1/my/panels").bearer(&judge).send().await;
        panels.expect(StatusCode::OK);
        let seat = panels
            .json()
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["event_id"] == q4)
            .cloned()
            .unwrap();
        let subject = seat["subject_id"].as_i64().unwrap();
        let rubric = skillcert_domain::practical::rubric::Rubric::parse_toml(
            skillcert_domain::practical::rubric::preset("s4-call-scoring").unwrap(),
        )
        .unwrap();
        let mut items_json = serde_json::Map::new();
        for item in rubric.items() {
            let v = *item.allowed_values().last().unwrap();
            items_json.insert(item.key.clone(), json!(v));
        }
        let marks = json!({ "items": items_json, "texts": {} });
        t.put(&format!("/api/v1/sheets/{subject}"))
            .bearer(&judge)
            .json(&marks)
            .send()
            .await
            .expect(StatusCode::OK);
        t.post(&format!("/api/v1/sheets/{subject}/submit"))
            .bearer(&judge)
            .json(&marks)
            .send()
            .await
            .expect(StatusCode::OK);
        t.post(&format!("/api/v1/sheets/{subject}/submit"))
            .bearer(&judge)
            .json(&marks)
            .send()
            .await
            .expect(StatusCode::CONFLICT);
        let r = t
            .get(&format!("/api/v1/events/{q4}/results"))
            .bearer(&manager)
            .send()
            .await;
        r.expect(StatusCode::OK);
        let row = r.json()["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["subject"]["id"] == subject)
            .cloned()
            .unwrap();
        let marks = row["combined"]["marks"].as_array().unwrap();
        assert_eq!(marks.len(), 7);
        assert_eq!(marks.iter().filter(|m| !m["dropped"].is_null()).count(), 2);
        let r = t
            .get("/api/v1/judge-analytics")
            .bearer(&manager)
            .send()
            .await;
        r.expect(StatusCode::OK);
    }
}
