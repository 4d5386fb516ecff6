//! A candidate sits an exam in Chromium: answers are saved as they are chosen; an answer
//! chosen while the network is down stays in the browser and is saved after a reload.

use serde_json::{Value, json};

use crate::browser::Browser;
use crate::server::Server;

async fn stored_answers(s: &Server, attempt: &str) -> usize {
    let http = reqwest::Client::new();
    let login: Value = http
        .post(s.url("/api/v1/session"))
        .json(&json!({"username": "employee", "password": "skillcert-demo"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap();
    let v: Value = http
        .get(s.url(&format!("/api/v1/attempts/{attempt}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["answers"].as_array().map(Vec::len).unwrap_or(0)
}

#[tokio::test]
async fn a_candidate_sits_an_exam_and_no_answer_is_lost() {
    let Some(mut b) = Browser::start().await else {
        eprintln!("skipped: chromedriver is not installed (scripts/test.sh installs it as root)");
        return;
    };
    let s = Server::start().await;
    b.goto(&s.url("/lang/en?next=/login")).await;
    b.fill("input[name=username]", "employee").await;
    b.fill("input[name=password]", "skillcert-demo").await;
    b.click("button[type=submit]").await;
    b.wait_for("header nav").await;
    b.goto(&s.url("/lang/zh-CN?next=/my-exams")).await;
    b.wait_for("table.grid").await;
    b.screenshot("my-exams").await;
    b.execute("window.confirm = function () { return true; }; return null;")
        .await;
    b.click("form[action$='/start'] button").await;
    b.wait_for("fieldset.question").await;
    let url = b.execute("return window.location.pathname;").await;
    let attempt = url
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(b.count("fieldset.question").await, 10);

    // Three answers, each saved as it is chosen.
    for pos in 0..3 {
        b.click(&format!("#q{pos} label.option input")).await;
    }
    b.wait_until(
        "return Object.keys(JSON.parse(localStorage.getItem(document.getElementById('exam') \
         ? 'skillcert-attempt-' + JSON.parse(document.getElementById('exam').dataset.boot).attempt : '') \
         || '{\"pending\":{}}').pending).length === 0;",
    )
    .await;
    assert_eq!(stored_answers(&s, &attempt).await, 3);
    assert_eq!(b.text("#save-status").await, "答案已全部保存");
    assert_eq!(b.count(".qmap a.answered").await, 3);

    // The network fails: the fourth answer stays in the browser, the page says so.
    b.execute("window.fetch = function () { return Promise.reject(new TypeError('offline')); }; return null;")
        .await;
    b.click("#q3 label.option input").await;
    b.wait_until("return document.getElementById('save-status').classList.contains('failed');")
        .await;
    b.screenshot("exam-offline").await;
    assert_eq!(stored_answers(&s, &attempt).await, 3);

    // A reload (the connection is back) resumes the attempt and sends what was kept.
    b.goto(&s.url(&format!("/my-exams/attempts/{attempt}")))
        .await;
    b.wait_for("fieldset.question").await;
    b.wait_until("return document.getElementById('save-status').textContent === '答案已全部保存';")
        .await;
    for _ in 0..50 {
        if stored_answers(&s, &attempt).await == 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(stored_answers(&s, &attempt).await, 4);
    assert_eq!(b.count(".qmap a.answered").await, 4);
    b.screenshot("exam-page").await;

    b.execute("window.confirm = function () { return true; }; return null;")
        .await;
    b.click("#submit-form button").await;
    b.wait_for("section.result").await;
    b.screenshot("exam-result").await;
    b.quit().await;
}
