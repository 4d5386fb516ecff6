//! End-to-end: the real binary, started the way the README says (`serve --demo`), checked over
//! HTTP and in Debian's headless Chromium through WebDriver.
#![allow(clippy::unwrap_used)]

mod browser;
mod certification;
mod evaluate;
mod exam;
mod exam_analyze;
mod flow;
mod panel_analyze;
mod practical;
mod server;
mod training;

use serde_json::{Value, json};

use server::Server;

const USERS: [&str; 7] = [
    "admin",
    "manager",
    "lecturer",
    "judge",
    "supervisor",
    "mentor",
    "employee",
];

#[tokio::test]
async fn demo_logins_work_over_the_api() {
    let s = Server::start().await;
    let http = reqwest::Client::new();
    assert_eq!(
        http.get(s.url("/healthz")).send().await.unwrap().status(),
        200
    );
    assert_eq!(
        http.get(s.url("/readyz")).send().await.unwrap().status(),
        200
    );
    for u in USERS {
        let r = http
            .post(s.url("/api/v1/session"))
            .json(&json!({"username": u, "password": "skillcert-demo"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "login of {u}");
        let body: Value = r.json().await.unwrap();
        let token = body["token"].as_str().unwrap().to_string();
        let me: Value = http
            .get(s.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me["username"], u);
    }
}

#[tokio::test]
async fn a_second_demo_start_does_not_load_the_demo_again() {
    let s = Server::start().await;
    let dir = s.data_dir().to_path_buf();
    drop(s);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_skillcert"))
        .arg("--data-dir")
        .arg(&dir)
        .arg("demo")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("already holds data"), "{text}");
    let verify = std::process::Command::new(env!("CARGO_BIN_EXE_skillcert"))
        .arg("--data-dir")
        .arg(&dir)
        .args(["audit", "verify"])
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    let backup = dir.join("copy.db");
    let b = std::process::Command::new(env!("CARGO_BIN_EXE_skillcert"))
        .arg("--data-dir")
        .arg(&dir)
        .arg("backup")
        .arg(&backup)
        .output()
        .unwrap();
    assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
    assert!(std::fs::metadata(&backup).unwrap().len() > 10_000);
}

#[tokio::test]
async fn a_person_signs_in_with_a_demo_login_in_chromium() {
    let Some(mut b) = browser::Browser::start().await else {
        eprintln!(
            "skipped: /usr/bin/chromedriver is not installed (scripts/test.sh installs it as root)"
        );
        return;
    };
    let s = Server::start().await;
    b.goto(&s.url("/lang/zh-CN?next=/login")).await;
    b.screenshot("login").await;
    b.fill("input[name=username]", "admin").await;
    b.fill("input[name=password]", "skillcert-demo").await;
    b.click("button[type=submit]").await;
    b.wait_for("section.tiles").await;
    let h1 = b.text("h1").await;
    assert_eq!(h1, "概览", "dashboard heading after sign-in");
    b.screenshot("dashboard").await;
    b.goto(&s.url("/employees?status=active")).await;
    let rows = b.count("table.grid tbody tr").await;
    assert!(rows >= 20, "employee rows: {rows}");
    b.screenshot("employees").await;
    b.goto(&s.url("/employees/import")).await;
    b.screenshot("import").await;
    // A file with two bad rows is refused as a whole, row and column named.
    let bad = s.data_dir().join("bad.csv");
    std::fs::write(
        &bad,
        "工号,姓名,部门,入职日期,状态\nN0001,新员工,CSC-01,2024-02-30,在岗\nN0002,另一人,NOPE,2024-03-01,在岗\n",
    )
    .unwrap();
    b.fill("input[name=file]", bad.to_str().unwrap()).await;
    b.click("form.stack button[type=submit]").await;
    b.wait_for("table.issues").await;
    b.screenshot("import-errors").await;
    assert_eq!(b.count("table.issues tbody tr").await, 2);
    for (path, name) in [
        ("/departments", "departments"),
        ("/users", "users"),
        ("/audit", "audit"),
        ("/audit/verify", "audit-verify"),
        ("/schemes", "schemes"),
        ("/schemes/s1-certification", "scheme-s1"),
        ("/questions", "questions"),
        ("/questions/35", "question-short"),
        ("/questions/import", "questions-import"),
        ("/papers", "papers"),
        ("/papers/1", "paper-s1"),
        ("/papers/1/preview", "paper-preview"),
        ("/exams", "exams"),
        ("/exams/2", "exam-session"),
        ("/exams/2/analysis", "exam-analysis"),
        ("/marking", "marking"),
    ] {
        b.goto(&s.url(path)).await;
        b.screenshot(name).await;
    }
    b.goto(&s.url("/lang/en?next=/employees/1")).await;
    assert_eq!(b.text("dt").await, "Employee No.");
    b.screenshot("employee-en").await;
    // An unknown address gets the friendly error page, in the chosen language.
    b.goto(&s.url("/no-such-page")).await;
    assert!(b.text("h1").await.contains("404"));
    b.quit().await;
}
