//! Steps the browser tests share: the API client they prepare data with, signing in and out,
//! accepting confirmations, and today's date as the server reckons it.

use serde_json::{Value, json};

use crate::browser::Browser;
use crate::server::Server;

pub struct Api {
    pub http: reqwest::Client,
}

impl Api {
    pub async fn login(&self, s: &Server, user: &str) -> String {
        let v: Value = self
            .http
            .post(s.url("/api/v1/session"))
            .json(&json!({"username": user, "password": "skillcert-demo"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["token"].as_str().unwrap().to_string()
    }

    pub async fn get(&self, s: &Server, token: &str, path: &str) -> Value {
        let r = self
            .http
            .get(s.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "GET {path}: {}", r.status());
        r.json().await.unwrap()
    }

    pub async fn send(
        &self,
        s: &Server,
        token: &str,
        method: &str,
        path: &str,
        body: Value,
    ) -> Value {
        let r = self
            .http
            .request(method.parse().unwrap(), s.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// The employee number of the account's employee.
    pub async fn employee_no(&self, s: &Server, manager: &str, user: &str) -> (i64, String) {
        let token = self.login(s, user).await;
        let me = self.get(s, &token, "/api/v1/me").await;
        let id = me["employee_id"].as_i64().unwrap();
        let e = self
            .get(s, manager, &format!("/api/v1/employees/{id}"))
            .await;
        (id, e["employee_no"].as_str().unwrap().to_string())
    }
}

pub async fn sign_in(b: &mut Browser, s: &Server, user: &str, lang: &str) {
    b.goto(&s.url(&format!("/lang/{lang}?next=/login"))).await;
    b.fill("input[name=username]", user).await;
    b.fill("input[name=password]", "skillcert-demo").await;
    b.click("button[type=submit]").await;
    b.wait_for("header nav").await;
}

pub async fn sign_out(b: &mut Browser) {
    b.click("form[action='/logout'] button").await;
    b.wait_for("input[name=username]").await;
}

pub async fn confirm_all(b: &Browser) {
    b.execute("window.confirm = function () { return true; }; return null;")
        .await;
}

pub async fn path(b: &Browser) -> String {
    b.execute("return window.location.pathname;")
        .await
        .as_str()
        .unwrap()
        .to_string()
}

/// Today in China Standard Time, as the server reckons dates.
pub fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}
