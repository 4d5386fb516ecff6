//! The candidate's exam: starting and resuming, idempotent saves that are durable when
//! acknowledged, every bad save refused without a change, the deadline, submission and what
//! the candidate may see. The demo has a session open now (`PRACTICE-2026`, 10 questions,
//! 3 attempts, score shown once graded) and a closed one.

use axum::http::StatusCode;
use serde_json::{Value, json};
use skillcert_domain::exam::answer::Answer;
use skillcert_domain::exam::paper::DrawnItem;
use skillcert_domain::exam::question::Body;

use crate::helpers::*;

async fn practice_session(t: &TestApp, token: &str) -> i64 {
    let r = t.get("/api/v1/my/exams").bearer(token).send().await;
    r.expect(StatusCode::OK);
    let list = r.json();
    let s = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "PRACTICE-2026")
        .unwrap_or_else(|| panic!("practice session listed: {list}"));
    assert_eq!(s["state"], "open");
    s["id"].as_i64().unwrap()
}

async fn start(t: &TestApp, token: &str, session: i64) -> (StatusCode, Value) {
    let r = t
        .post(&format!("/api/v1/exam-sessions/{session}/attempts"))
        .bearer(token)
        .send()
        .await;
    let status = r.status;
    (status, r.json())
}

/// An answer that fits the item's type.
fn some_answer(item: &Value) -> Value {
    match item["qtype"].as_str() {
        Some("true_false") => json!({"truth": true}),
        Some("short") => json!({"text": "先致歉"}),
        _ => json!({"choice": [item["options"][0]["index"]]}),
    }
}

fn save_body(seq: i64, answer: Value) -> Value {
    json!({ "seq": seq, "answer": answer })
}

async fn save(
    t: &TestApp,
    token: &str,
    attempt: i64,
    pos: i64,
    body: Value,
) -> (StatusCode, Value) {
    let r = t
        .put(&format!("/api/v1/attempts/{attempt}/answers/{pos}"))
        .bearer(token)
        .json(&body)
        .send()
        .await;
    let status = r.status;
    let v = if r.body.is_empty() {
        Value::Null
    } else {
        r.json()
    };
    (status, v)
}

/// The right answer to every item of an attempt, read from the database (the test is the
/// only place that may look at keys).
async fn keys(t: &TestApp, attempt: i64) -> Vec<Answer> {
    let mut r = t.app.db.read().await.unwrap();
    let c = &mut r.conn();
    let a = skillcert_store::exams::get_attempt(c, attempt)
        .await
        .unwrap();
    let items: Vec<DrawnItem> = serde_json::from_str(&a.paper).unwrap();
    let ids: Vec<i64> = items.iter().map(|i| i.version_id).collect();
    let versions = skillcert_store::questions::versions(c, &ids).await.unwrap();
    items
        .iter()
        .map(|i| {
            let v = versions.iter().find(|v| v.id == i.version_id).unwrap();
            match &v.question.body {
                Body::Single { key, .. } => Answer::Choice(vec![*key]),
                Body::Multiple { key, .. } => Answer::Choice(key.clone()),
                Body::TrueFalse { key } => Answer::Truth(*key),
                Body::Short { .. } => Answer::Text("要点".into()),
            }
        })
        .collect()
}

fn no_secrets(v: &Value) {
    let text = v.to_string();
    for word in [
        "\"key\"",
        "\"correct\"",
        "\"score\"",
        "key_points",
        "explanation",
        "\"seed\"",
    ] {
        assert!(!text.contains(word), "{word} leaked: {text}");
    }
}

#[tokio::test]
async fn start_resume_save_and_submit_on_every_backend() {
    for t in TestApp::all().await {
        let token = t.api_login("employee").await;
        let session = practice_session(&t, &token).await;
        let (status, v) = start(&t, &token, session).await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        let attempt = v["attempt_id"].as_i64().unwrap();
        assert_eq!(v["items"].as_array().unwrap().len(), 10);
        assert_eq!(v["status"], "open");
        assert!(v["result"].is_null() && v["review"].is_null());
        no_secrets(&v["items"]);
        // Options are shown in a shuffled order but named by their index in the question.
        let choice = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["qtype"] == "single")
            .unwrap();
        let labels: Vec<&str> = choice["options"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["label"].as_str().unwrap())
            .collect();
        assert_eq!(labels, ["A", "B", "C", "D"]);

        // Starting again resumes the same attempt.
        let (status, again) = start(&t, &token, session).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(again["attempt_id"].as_i64(), Some(attempt));

        let keys = keys(&t, attempt).await;
        let mut seq = 0;
        for (pos, k) in keys.iter().enumerate() {
            seq += 1;
            let (s, ack) = save(
                &t,
                &token,
                attempt,
                pos as i64,
                save_body(seq, serde_json::to_value(k).unwrap()),
            )
            .await;
            assert_eq!(s, StatusCode::OK, "{ack}");
            assert_eq!(ack["duplicate"], false);
        }
        // A retried save is acknowledged again without a change.
        let (s, ack) = save(
            &t,
            &token,
            attempt,
            9,
            save_body(seq, serde_json::to_value(&keys[9]).unwrap()),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(ack["duplicate"], true);

        // Another device resumes with every acknowledged answer.
        let r = t
            .get(&format!("/api/v1/attempts/{attempt}"))
            .bearer(&token)
            .send()
            .await;
        r.expect(StatusCode::OK);
        let view = r.json();
        assert_eq!(view["answers"].as_array().unwrap().len(), 10);
        assert_eq!(view["last_seq"].as_i64(), Some(seq));

        let r = t
            .post(&format!("/api/v1/attempts/{attempt}/submit"))
            .bearer(&token)
            .send()
            .await;
        r.expect(StatusCode::OK);
        assert_eq!(r.json()["status"], "graded");
        // Submitting twice reports the same.
        let r = t
            .post(&format!("/api/v1/attempts/{attempt}/submit"))
            .bearer(&token)
            .send()
            .await;
        r.expect(StatusCode::OK);

        // This session shows the score once graded: all correct.
        let r = t
            .get(&format!("/api/v1/attempts/{attempt}"))
            .bearer(&token)
            .send()
            .await;
        let view = r.json();
        assert_eq!(view["result"]["score"].as_i64(), Some(10_000), "{view}");
        assert_eq!(view["result"]["passed"], true);
        assert!(view["review"].is_null(), "no key before the policy allows");

        // Reviewers see the exact paper the candidate saw, with the answers and the key.
        let manager = t.api_login("manager").await;
        let r = t
            .get(&format!(
                "/api/v1/exam-sessions/{session}/attempts/{attempt}"
            ))
            .bearer(&manager)
            .send()
            .await;
        r.expect(StatusCode::OK);
        let d = r.json();
        assert_eq!(d["items"].as_array().unwrap().len(), 10);
        for it in d["items"].as_array().unwrap() {
            assert_eq!(it["score"].as_i64(), Some(1000), "{it}");
            for o in it["options"].as_array().unwrap() {
                assert_eq!(o["keyed"], o["chosen"], "{it}");
            }
        }
        let stored_seed = {
            let mut r = t.app.db.read().await.unwrap();
            skillcert_store::exams::get_attempt(&mut r.conn(), attempt)
                .await
                .unwrap()
                .seed
        };
        assert_eq!(d["seed"], (stored_seed as u64).to_string());
        let s = t.web_login("manager").await;
        let page = t
            .get(&format!("/exams/{session}/attempts/{attempt}"))
            .lang("en")
            .session(&s)
            .send()
            .await;
        page.expect(StatusCode::OK);
        assert!(
            page.text()
                .contains("The paper exactly as the candidate saw it")
        );
        // The candidate cannot open the reviewers' view.
        let r = t
            .get(&format!(
                "/api/v1/exam-sessions/{session}/attempts/{attempt}"
            ))
            .bearer(&token)
            .send()
            .await;
        r.expect(StatusCode::FORBIDDEN);

        // After submission a save is refused and nothing changes.
        let (s, e) = save(
            &t,
            &token,
            attempt,
            0,
            save_body(seq + 1, serde_json::to_value(&keys[0]).unwrap()),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT);
        assert_eq!(e["code"], "attempt-submitted");
        let stored = t.count("exam_answers").await;
        assert!(stored > 0);
    }
}

#[tokio::test]
async fn bad_saves_are_refused_with_a_clear_code_and_change_nothing() {
    let t = TestApp::new().await;
    let token = t.api_login("employee").await;
    let session = practice_session(&t, &token).await;
    let (_, v) = start(&t, &token, session).await;
    let attempt = v["attempt_id"].as_i64().unwrap();
    let single = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .position(|i| i["qtype"] == "single")
        .unwrap() as i64;
    let (s, _) = save(
        &t,
        &token,
        attempt,
        single,
        save_body(5, json!({"choice": [0]})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let before = t.count("exam_answers").await;

    let cases: Vec<(i64, Value, StatusCode, &str)> = vec![
        (
            single,
            save_body(5, json!({"choice": [1]})),
            StatusCode::CONFLICT,
            "answer-sequence-reused",
        ),
        (
            single,
            save_body(4, json!({"choice": [1]})),
            StatusCode::CONFLICT,
            "answer-stale",
        ),
        (
            single,
            save_body(6, json!({"truth": true})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "answer-wrong-kind",
        ),
        (
            single,
            save_body(6, json!({"choice": [7]})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "answer-no-such-option",
        ),
        (
            single,
            save_body(6, json!({"choice": [0, 1]})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "answer-too-many-choices",
        ),
        (
            single,
            save_body(0, json!({"choice": [1]})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "answer-bad-sequence",
        ),
        (
            99,
            save_body(6, json!({"choice": [1]})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "answer-no-such-question",
        ),
        (
            single,
            json!({"seq": 6, "answer": {"choice": "A"}}),
            StatusCode::BAD_REQUEST,
            "bad-json",
        ),
        (
            single,
            json!({"seq": 6}),
            StatusCode::BAD_REQUEST,
            "bad-json",
        ),
    ];
    for (pos, body, want, code) in cases {
        let (s, e) = save(&t, &token, attempt, pos, body.clone()).await;
        assert_eq!(s, want, "{body}: {e}");
        assert_eq!(e["code"], code, "{body}: {e}");
        assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // Someone else's attempt: forbidden, nothing written.
    let other = t.api_login("mentor").await;
    let (s, e) = save(
        &t,
        &other,
        attempt,
        single,
        save_body(9, json!({"choice": [1]})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    let r = t
        .get(&format!("/api/v1/attempts/{attempt}"))
        .bearer(&other)
        .send()
        .await;
    r.expect(StatusCode::FORBIDDEN);
    assert_eq!(t.count("exam_answers").await, before);
    // The stored answer is still the acknowledged one.
    let r = t
        .get(&format!("/api/v1/attempts/{attempt}"))
        .bearer(&token)
        .send()
        .await;
    let view = r.json();
    assert_eq!(view["answers"][0]["answer"], json!({"choice": [0]}));
    assert_eq!(view["answers"][0]["seq"], 5);
}

#[tokio::test]
async fn the_server_closes_an_attempt_at_its_deadline_and_refuses_late_saves() {
    for t in TestApp::all().await {
        let token = t.api_login("employee").await;
        let session = practice_session(&t, &token).await;
        let (_, v) = start(&t, &token, session).await;
        let attempt = v["attempt_id"].as_i64().unwrap();
        let (a0, a1) = (some_answer(&v["items"][0]), some_answer(&v["items"][1]));
        let (s, _) = save(&t, &token, attempt, 0, save_body(1, a0.clone())).await;
        assert_eq!(s, StatusCode::OK);
        t.advance(chrono::Duration::minutes(61));
        let (s, e) = save(&t, &token, attempt, 1, save_body(2, a1)).await;
        assert_eq!(s, StatusCode::CONFLICT);
        assert_eq!(e["code"], "attempt-expired");
        // A retry of a save acknowledged in time is still acknowledged.
        let (s, _) = save(&t, &token, attempt, 0, save_body(1, a0)).await;
        assert_eq!(s, StatusCode::OK);
        let closed = skillcert_app::exams::attempts::close_expired(&t.app)
            .await
            .unwrap();
        assert_eq!(closed, 1);
        let r = t
            .get(&format!("/api/v1/attempts/{attempt}"))
            .bearer(&token)
            .send()
            .await;
        let view = r.json();
        assert_eq!(view["status"], "graded", "{view}");
        let mut r = t.app.db.read().await.unwrap();
        let a = skillcert_store::exams::get_attempt(&mut r.conn(), attempt)
            .await
            .unwrap();
        assert_eq!(a.closed_by.as_deref(), Some("deadline"));
        // Nothing left to close.
        assert_eq!(
            skillcert_app::exams::attempts::close_expired(&t.app)
                .await
                .unwrap(),
            0
        );
    }
}

#[tokio::test]
async fn concurrent_starts_open_one_attempt_and_concurrent_saves_are_all_stored() {
    for t in TestApp::all().await {
        let token = t.api_login("employee").await;
        let session = practice_session(&t, &token).await;
        let starts = (0..16).map(|_| start(&t, &token, session));
        let results = futures_join(starts).await;
        let ids: Vec<i64> = results
            .iter()
            .map(|(_, v)| v["attempt_id"].as_i64().unwrap())
            .collect();
        assert!(ids.iter().all(|i| *i == ids[0]), "{ids:?}");
        assert_eq!(
            results
                .iter()
                .filter(|(s, _)| *s == StatusCode::CREATED)
                .count(),
            1
        );
        let attempt = ids[0];
        let items = results[0].1["items"].clone();
        let saves = (0..10i64).flat_map(|pos| {
            let t = &t;
            let token = &token;
            let answer = some_answer(&items[pos as usize]);
            (1..=5i64).map(move |k| {
                save(
                    t,
                    token,
                    attempt,
                    pos,
                    save_body(pos * 10 + k, answer.clone()),
                )
            })
        });
        let acks = futures_join(saves).await;
        // Out-of-order arrivals may be refused as stale; everything acknowledged is stored.
        let mut best = [0i64; 10];
        for (s, v) in &acks {
            if *s == StatusCode::OK {
                let pos = v["position"].as_i64().unwrap() as usize;
                best[pos] = best[pos].max(v["seq"].as_i64().unwrap());
            } else {
                assert_eq!(v["code"], "answer-stale", "{v}");
            }
        }
        let r = t
            .get(&format!("/api/v1/attempts/{attempt}"))
            .bearer(&token)
            .send()
            .await;
        let view = r.json();
        for a in view["answers"].as_array().unwrap() {
            let pos = a["position"].as_i64().unwrap() as usize;
            assert!(a["seq"].as_i64().unwrap() >= best[pos]);
        }
        assert_eq!(view["answers"].as_array().unwrap().len(), 10);
    }
}

async fn futures_join<F: std::future::Future>(fs: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut set = Vec::new();
    for f in fs {
        set.push(f);
    }
    let mut out = Vec::with_capacity(set.len());
    // Poll them together: each runs until it awaits the writer, so they share batches.
    let joined = join_all(set);
    out.extend(joined.await);
    out
}

/// A minimal `join_all` (no extra dependency): polls every future until all are ready.
async fn join_all<F: std::future::Future>(fs: Vec<F>) -> Vec<F::Output> {
    use std::pin::Pin;
    use std::task::Poll;
    let mut fs: Vec<Pin<Box<F>>> = fs.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = fs.iter().map(|_| None).collect();
    std::future::poll_fn(move |cx| {
        let mut pending = false;
        for (i, f) in fs.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    Poll::Ready(v) => out[i] = Some(v),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(out.iter_mut().map(|o| o.take().unwrap()).collect())
        }
    })
    .await
}

#[tokio::test]
async fn attempts_are_limited_and_an_employee_outside_the_audience_is_refused() {
    let t = TestApp::new().await;
    let token = t.api_login("employee").await;
    let session = practice_session(&t, &token).await;
    for _ in 0..3 {
        let (s, v) = start(&t, &token, session).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let id = v["attempt_id"].as_i64().unwrap();
        t.post(&format!("/api/v1/attempts/{id}/submit"))
            .bearer(&token)
            .send()
            .await
            .expect(StatusCode::OK);
    }
    let (s, v) = start(&t, &token, session).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(v["code"], "attempts-exhausted");
    // An account without an employee record cannot sit exams.
    let admin = t.api_login("admin").await;
    let (s, v) = start(&t, &admin, session).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "no-employee");
    // The closed session no longer starts.
    let r = t.get("/api/v1/my/exams").bearer(&token).send().await;
    let closed = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "THEORY-2026-Q3")
        .cloned()
        .unwrap();
    assert_eq!(closed["state"], "closed");
    let (s, v) = start(&t, &token, closed["id"].as_i64().unwrap()).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "session-not-open");
}

#[tokio::test]
async fn the_exam_page_works_with_and_without_script() {
    let t = TestApp::new().await;
    let s = t.web_login("employee").await;
    let r = t.get("/my-exams").lang("zh-CN").session(&s).send().await;
    r.expect(StatusCode::OK);
    let html = r.text();
    assert!(html.contains("服务规范练习"), "{html}");
    assert!(html.contains("开始考试"));
    let session = {
        let token = t.api_login("employee").await;
        practice_session(&t, &token).await
    };
    let r = t
        .post(&format!("/my-exams/{session}/start"))
        .session(&s)
        .form(&[("_csrf", s.csrf.as_str())])
        .send()
        .await;
    assert!(r.status.is_redirection(), "{}", r.text());
    let page = r.location().unwrap();
    let attempt: i64 = page.rsplit('/').next().unwrap().parse().unwrap();
    let r = t.get(&page).lang("en").session(&s).send().await;
    r.expect(StatusCode::OK);
    let html = r.text();
    assert!(html.contains("Time left") && html.contains("/static/exam.js"));
    assert!(html.contains("All answers saved"));
    assert!(!html.contains("key_points") && !html.contains("Key:"));
    // Without script: the whole form is saved at once.
    let keys = keys(&t, attempt).await;
    let mut fields: Vec<(String, String)> = vec![("_csrf".into(), s.csrf.clone())];
    for (pos, k) in keys.iter().enumerate() {
        match k {
            Answer::Choice(c) => {
                for i in c {
                    fields.push((format!("q{pos}"), i.to_string()));
                }
            }
            Answer::Truth(b) => fields.push((format!("q{pos}"), b.to_string())),
            Answer::Text(x) => fields.push((format!("q{pos}"), x.clone())),
        }
    }
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let r = t
        .post(&format!("{page}/save"))
        .lang("en")
        .session(&s)
        .form(&pairs)
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert!(r.text().contains("Your answers have been saved."));
    let r = t
        .post(&format!("{page}/submit"))
        .session(&s)
        .form(&[("_csrf", s.csrf.as_str())])
        .send()
        .await;
    assert!(r.status.is_redirection());
    let r = t.get(&page).lang("en").session(&s).send().await;
    let html = r.text();
    assert!(html.contains("Passed"), "{html}");
    assert!(html.contains("100 / 100"));
    // The JSON API agrees.
    let token = t.api_login("employee").await;
    let r = t
        .get(&format!("/api/v1/attempts/{attempt}"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(r.json()["result"]["score"], 10_000);
}
