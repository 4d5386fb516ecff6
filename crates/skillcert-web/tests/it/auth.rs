//! Signing in and out, throttling, session expiry, password change, CSRF.

use axum::http::StatusCode;
use chrono::Duration;
use serde_json::json;
use skillcert_domain::demo::DEMO_PASSWORD;
use skillcert_web::i18n::{Lang, t as tr, tf};

use crate::helpers::*;

fn has_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[tokio::test]
async fn login_through_the_api_and_the_form() {
    let t = TestApp::new().await;
    let token = t.api_login("admin").await;
    let me = t.get("/api/v1/me").bearer(&token).send().await;
    me.expect(StatusCode::OK);
    assert_eq!(me.json()["username"], "admin");

    let s = t.web_login("manager").await;
    assert!(!s.csrf.is_empty());
    let home = t.get("/").session(&s).send().await;
    home.expect(StatusCode::OK);
    // A signed-in visit to the sign-in page goes on to `next`.
    let again = t.get("/login?next=/employees").session(&s).send().await;
    assert!(again.status.is_redirection());
    assert_eq!(again.location().as_deref(), Some("/employees"));
}

#[tokio::test]
async fn sign_in_does_not_redirect_off_site() {
    let t = TestApp::new().await;
    let pre = t.pre_csrf().await;
    for next in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let r = t
            .post("/login")
            .cookie("sc_csrf", &pre)
            .form(&[
                ("_csrf", pre.as_str()),
                ("username", "admin"),
                ("password", DEMO_PASSWORD),
                ("next", next),
            ])
            .send()
            .await;
        assert!(r.status.is_redirection(), "{next}: {}", r.status);
        assert_eq!(r.location().as_deref(), Some("/"), "{next}");
    }
}

#[tokio::test]
async fn wrong_password_is_401_with_a_localized_message() {
    let t = TestApp::new().await;
    for (tag, lang) in [("zh-CN,zh;q=0.9", Lang::ZhCn), ("en-US,en;q=0.9", Lang::En)] {
        for user in ["admin", "nobody-by-this-name"] {
            let r = t
                .post("/api/v1/session")
                .lang(tag)
                .json(&json!({"username": user, "password": "wrong-password"}))
                .send()
                .await;
            r.expect(StatusCode::UNAUTHORIZED);
            let body = r.json();
            assert_eq!(body["code"], "bad-credentials");
            assert_eq!(body["message"], tr(lang, "error-bad-credentials"));
        }
    }
    let en = t
        .post("/api/v1/session")
        .lang("en")
        .json(&json!({"username": "admin", "password": "x"}))
        .send()
        .await;
    assert!(!has_chinese(&en.json()["message"].to_string()));
    let zh = t
        .post("/api/v1/session")
        .lang("zh-CN")
        .json(&json!({"username": "admin", "password": "x"}))
        .send()
        .await;
    assert!(has_chinese(&zh.json()["message"].to_string()));

    // The form says the same on the page, with 401.
    let pre = t.pre_csrf().await;
    for (tag, lang) in [("zh-CN", Lang::ZhCn), ("en", Lang::En)] {
        let r = t
            .post("/login")
            .lang(tag)
            .cookie("sc_csrf", &pre)
            .form(&[
                ("_csrf", pre.as_str()),
                ("username", "lecturer"),
                ("password", "wrong-password"),
            ])
            .send()
            .await;
        r.expect(StatusCode::UNAUTHORIZED);
        assert!(r.cookie("sc_session").is_none());
        assert!(
            r.text().contains(tr(lang, "error-bad-credentials")),
            "{}",
            r.text()
        );
    }
}

#[tokio::test]
async fn five_failures_throttle_the_account_until_the_window_passes() {
    for t in TestApp::all().await {
        let attempt = |password: &'static str, tag: &'static str| {
            t.post("/api/v1/session")
                .lang(tag)
                .json(&json!({"username": "judge", "password": password}))
                .send()
        };
        for _ in 0..5 {
            attempt("wrong-password", "en")
                .await
                .expect(StatusCode::UNAUTHORIZED);
        }
        // The sixth attempt is refused even with the right password.
        let r = attempt(DEMO_PASSWORD, "en").await;
        r.expect(StatusCode::TOO_MANY_REQUESTS);
        let body = r.json();
        assert_eq!(body["code"], "throttled");
        let msg = body["message"].as_str().unwrap();
        assert_eq!(msg, tf(Lang::En, "error-throttled", &[("minutes", "15")]));
        assert!(msg.contains("15 minutes"), "{msg}");
        let zh = attempt(DEMO_PASSWORD, "zh-CN").await;
        zh.expect(StatusCode::TOO_MANY_REQUESTS);
        let zh_msg = zh.json()["message"].as_str().unwrap().to_string();
        assert!(zh_msg.contains("15") && zh_msg.contains("分钟"), "{zh_msg}");

        // The sign-in form is throttled too; other accounts are not.
        let r = t.web_login_response("judge", DEMO_PASSWORD).await;
        r.expect(StatusCode::TOO_MANY_REQUESTS);
        assert!(r.cookie("sc_session").is_none());
        t.api_login("mentor").await;

        // Ten minutes on, five are left.
        t.advance(Duration::minutes(10));
        let r = attempt(DEMO_PASSWORD, "en").await;
        r.expect(StatusCode::TOO_MANY_REQUESTS);
        assert!(r.json()["message"].as_str().unwrap().contains("5 minutes"));

        t.advance(Duration::minutes(6));
        let r = attempt(DEMO_PASSWORD, "en").await;
        r.expect(StatusCode::OK);
        assert!(r.json()["token"].as_str().is_some());
    }
}

#[tokio::test]
async fn a_success_resets_the_failure_count() {
    let t = TestApp::new().await;
    let attempt = |password: &'static str| {
        t.post("/api/v1/session")
            .json(&json!({"username": "mentor", "password": password}))
            .send()
    };
    for _ in 0..4 {
        attempt("wrong-password")
            .await
            .expect(StatusCode::UNAUTHORIZED);
    }
    attempt(DEMO_PASSWORD).await.expect(StatusCode::OK);
    for _ in 0..4 {
        attempt("wrong-password")
            .await
            .expect(StatusCode::UNAUTHORIZED);
    }
    attempt(DEMO_PASSWORD).await.expect(StatusCode::OK);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let t = TestApp::new().await;
    let token = t.api_login("admin").await;
    t.delete("/api/v1/session")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::NO_CONTENT);
    let r = t.get("/api/v1/me").bearer(&token).send().await;
    r.expect(StatusCode::UNAUTHORIZED);
    assert_eq!(r.code(), "unauthenticated");

    let s = t.web_login("admin").await;
    let r = t
        .post("/logout")
        .session(&s)
        .form(&[("_csrf", s.csrf.as_str())])
        .send()
        .await;
    assert!(r.status.is_redirection(), "{}", r.status);
    assert_eq!(r.location().as_deref(), Some("/login"));
    assert_eq!(r.cookie("sc_session").as_deref(), Some(""));
    let after = t.get("/").session(&s).send().await;
    assert!(after.status.is_redirection());
    assert_eq!(after.location().as_deref(), Some("/login?next=/"));
}

#[tokio::test]
async fn idle_sessions_expire_and_used_ones_slide() {
    for t in TestApp::all().await {
        let idle = t.app.config.session_idle;
        let s = t.web_login("admin").await;
        let token = t.api_login("admin").await;
        let used = t.web_login("manager").await;

        // Used within the idle time, a session lives on.
        t.advance(idle - Duration::minutes(30));
        t.get("/")
            .session(&used)
            .send()
            .await
            .expect(StatusCode::OK);
        t.advance(Duration::minutes(31));
        t.get("/")
            .session(&used)
            .send()
            .await
            .expect(StatusCode::OK);

        // Unused, it has expired: pages send to sign-in with the way back, the API says 401.
        let page = t
            .get("/employees?q=%E7%8E%8B&page=2")
            .session(&s)
            .send()
            .await;
        assert!(page.status.is_redirection(), "{}", page.status);
        assert_eq!(
            page.location().as_deref(),
            Some("/login?next=/employees%3Fq%3D%25E7%258E%258B%26page%3D2")
        );
        let api = t.get("/api/v1/me").bearer(&token).send().await;
        api.expect(StatusCode::UNAUTHORIZED);
        assert_eq!(api.code(), "unauthenticated");
        assert!(api.headers.get("www-authenticate").is_some());
        // A cookie-authenticated API call after expiry is 401 as well, not a redirect.
        let api = t.get("/api/v1/me").session(&s).send().await;
        api.expect(StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn a_password_change_ends_the_other_sessions() {
    for t in TestApp::all().await {
        let here = t.api_login("lecturer").await;
        let other_api = t.api_login("lecturer").await;
        let other_web = t.web_login("lecturer").await;
        let someone_else = t.api_login("judge").await;

        let r = t
            .post("/api/v1/me/password")
            .bearer(&here)
            .json(&json!({
                "current_password": DEMO_PASSWORD,
                "new_password": "a-new-secret-1",
                "confirm_password": "a-new-secret-1",
            }))
            .send()
            .await;
        r.expect(StatusCode::NO_CONTENT);

        t.get("/api/v1/me")
            .bearer(&here)
            .send()
            .await
            .expect(StatusCode::OK);
        t.get("/api/v1/me")
            .bearer(&other_api)
            .send()
            .await
            .expect(StatusCode::UNAUTHORIZED);
        let page = t.get("/account").session(&other_web).send().await;
        assert!(page.status.is_redirection());
        t.get("/api/v1/me")
            .bearer(&someone_else)
            .send()
            .await
            .expect(StatusCode::OK);

        let old = t
            .post("/api/v1/session")
            .json(&json!({"username": "lecturer", "password": DEMO_PASSWORD}))
            .send()
            .await;
        old.expect(StatusCode::UNAUTHORIZED);
        t.post("/api/v1/session")
            .json(&json!({"username": "lecturer", "password": "a-new-secret-1"}))
            .send()
            .await
            .expect(StatusCode::OK);
    }
}

#[tokio::test]
async fn a_password_change_through_the_form() {
    let t = TestApp::new().await;
    let s = t.web_login("mentor").await;
    let other = t.api_login("mentor").await;
    // A wrong current password is a form error and changes nothing.
    let r = t
        .post("/account/password")
        .lang("en")
        .session(&s)
        .form(&[
            ("_csrf", s.csrf.as_str()),
            ("current_password", "not-it-at-all"),
            ("new_password", "another-secret"),
            ("confirm_password", "another-secret"),
        ])
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains(tr(Lang::En, "field-wrong-password")));
    t.get("/api/v1/me")
        .bearer(&other)
        .send()
        .await
        .expect(StatusCode::OK);

    let r = t
        .post("/account/password")
        .session(&s)
        .form(&[
            ("_csrf", s.csrf.as_str()),
            ("current_password", DEMO_PASSWORD),
            ("new_password", "another-secret"),
            ("confirm_password", "another-secret"),
        ])
        .send()
        .await;
    assert!(
        r.status.is_success() || r.status.is_redirection(),
        "{}",
        r.status
    );
    t.get("/api/v1/me")
        .bearer(&other)
        .send()
        .await
        .expect(StatusCode::UNAUTHORIZED);
    t.get("/account")
        .session(&s)
        .send()
        .await
        .expect(StatusCode::OK);
}

#[tokio::test]
async fn cookie_posts_without_the_csrf_token_are_refused() {
    let t = TestApp::new().await;
    let s = t.web_login("admin").await;
    let csc01 = t.department_id("CSC-01").await;
    let employees = t.count("employees").await;
    let audits = t.count("audit_log").await;
    let body = json!({
        "employee_no": "CSRF001",
        "name": "跨站",
        "department_id": csc01,
        "hire_date": "2024-03-01",
    });

    // API with the session cookie: no token, a wrong token.
    for token in [None, Some("0000"), Some("")] {
        let mut c = t.post("/api/v1/employees").session(&s).json(&body);
        if let Some(tok) = token {
            c = c.header("x-csrf-token", tok);
        }
        let r = c.send().await;
        r.expect(StatusCode::FORBIDDEN);
        assert_eq!(r.code(), "csrf", "{token:?}");
    }
    // Pages: a form without `_csrf`, and one with another session's token.
    let form = [
        ("employee_no", "CSRF002"),
        ("name", "跨站"),
        ("department_id", "1"),
        ("hire_date", "2024-03-01"),
    ];
    let r = t
        .post("/employees/new")
        .session(&s)
        .form(&form)
        .send()
        .await;
    r.expect(StatusCode::FORBIDDEN);
    let other = t.web_login("manager").await;
    let mut with_other = form.to_vec();
    with_other.push(("_csrf", other.csrf.as_str()));
    t.post("/employees/new")
        .session(&s)
        .form(&with_other)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    // Signing out is a state change too.
    t.post("/logout")
        .session(&s)
        .form(&[])
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    t.get("/").session(&s).send().await.expect(StatusCode::OK);

    assert_eq!(t.count("employees").await, employees);
    assert_eq!(t.count("audit_log").await, audits);

    // With the token it works; a bearer token needs none.
    t.post("/api/v1/employees")
        .session_csrf(&s)
        .json(&body)
        .send()
        .await
        .expect(StatusCode::CREATED);
    let token = t.api_login("admin").await;
    let mut body2 = body.clone();
    body2["employee_no"] = json!("CSRF003");
    t.post("/api/v1/employees")
        .bearer(&token)
        .json(&body2)
        .send()
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(t.count("employees").await, employees + 2);
}

#[tokio::test]
async fn the_sign_in_form_needs_its_pre_session_token() {
    let t = TestApp::new().await;
    let sessions = t.count("sessions").await;
    let pre = t.pre_csrf().await;
    let creds = [("username", "admin"), ("password", DEMO_PASSWORD)];
    // No cookie and no field; a field without the cookie; a cookie without the field; a mismatch.
    let cases: Vec<(Option<&str>, Option<&str>)> = vec![
        (None, None),
        (None, Some(pre.as_str())),
        (Some(pre.as_str()), None),
        (Some(pre.as_str()), Some("forged-token")),
        (Some(""), Some("")),
    ];
    for (cookie, field) in cases {
        let mut form = creds.to_vec();
        if let Some(f) = field {
            form.push(("_csrf", f));
        }
        let mut c = t.post("/login");
        if let Some(v) = cookie {
            c = c.cookie("sc_csrf", v);
        }
        let r = c.form(&form).send().await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{cookie:?} {field:?}");
        assert!(r.cookie("sc_session").is_none());
    }
    assert_eq!(t.count("sessions").await, sessions);
}
