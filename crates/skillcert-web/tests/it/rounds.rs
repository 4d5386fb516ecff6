//! Certification rounds end to end: a training manager plans a round (scheme first, typed-in
//! sources), an employee applies with a PDF, the manager approves, types the scores in,
//! sees rank and verdict, reviews and publishes; a failure records its consequence and moves
//! the employee to off-duty training, and back. The same over the JSON API, on SQLite and
//! PostgreSQL. Then every refusal the issue names, with its message and nothing changed, and
//! who may see what.

use axum::http::StatusCode;
use skillcert_app::schemes::{self, Pick};
use skillcert_app::users::UserInput;
use skillcert_domain::access::Role;
use skillcert_domain::demo::{DEMO_PASSWORD, DemoOrg};
use skillcert_domain::org::EmployeeStatus;
use skillcert_domain::scheme::presets;
use skillcert_web::i18n::{Lang, has};

use crate::exams::actor;
use crate::helpers::*;

// ---------- building blocks ----------

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01";

/// A `multipart/form-data` body with text fields and files `(field, file name, bytes)`.
fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----skillcert-rounds-boundary-x7Q2";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (field, name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; \
                 filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn page(t: &TestApp, s: &WebSession, path: &str) -> Resp {
    t.get(path).session(s).lang("en").send().await
}

async fn post(t: &TestApp, s: &WebSession, path: &str, fields: &[(&str, &str)]) -> Resp {
    let mut all = fields.to_vec();
    all.push(("_csrf", s.csrf.as_str()));
    t.post(path).session(s).lang("en").form(&all).send().await
}

/// Posts the application form as the page does (multipart, CSRF token in the query).
async fn apply_web(
    t: &TestApp,
    s: &WebSession,
    round: i64,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> Resp {
    let (ct, body) = multipart(fields, files);
    t.post(&format!("/rounds/{round}/apply?_csrf={}", s.csrf))
        .session(s)
        .lang("en")
        .raw(&ct, body)
        .send()
        .await
}

fn id_from(location: &str, prefix: &str) -> i64 {
    location
        .strip_prefix(prefix)
        .and_then(|r| r.split(['?', '/', '#']).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no id in {location}"))
}

fn demo_org(t: &TestApp) -> DemoOrg {
    skillcert_domain::demo::generate(42, t.app.today())
}

/// Active agents of the demo that the demo's own rounds leave alone (they use the first
/// sixteen), and who are no demo account's employee.
fn spare_agents(t: &TestApp, n: usize) -> Vec<String> {
    let org = demo_org(t);
    let accounts: Vec<String> = org
        .accounts
        .iter()
        .filter_map(|a| a.employee_no.clone())
        .collect();
    let v: Vec<String> = org
        .employees
        .iter()
        .filter(|e| {
            matches!(e.position_code.as_str(), "AGENT" | "SENIOR-AGENT")
                && e.status == EmployeeStatus::Active
                && !accounts.contains(&e.employee_no)
        })
        .skip(20)
        .take(n)
        .map(|e| e.employee_no.clone())
        .collect();
    assert_eq!(v.len(), n, "the demo has enough agents");
    v
}

/// S1 as a new stored scheme whose failure sends the employee to 10 days of off-duty
/// training (S4's routine ladder): the presets with levels (only S1) have no off-duty step.
async fn off_duty_scheme(t: &TestApp) -> &'static str {
    let source = presets::source("s1-certification").expect("S1 preset");
    let head = source
        .split("# S1 extends")
        .next()
        .expect("the ladder comment");
    let doc = format!(
        "{}\n[[ladder]]\nkey = \"off_duty_10d\"\nlabels = {{ zh-CN = \"扣除10%绩效工资，待岗培训10天\", en = \"10% of performance pay withheld, 10 days off-duty training\" }}\nwithhold_pay_percent = 10\noff_duty_days = 10\nretake_allowed = true\n",
        head.replace("key = \"s1-certification\"", "key = \"s1-offduty\"")
    );
    let manager = actor(t, "manager").await;
    schemes::save_version(&t.app, &manager, "s1-certification", Pick::Preset, &doc)
        .await
        .expect("the off-duty scheme is stored");
    "s1-offduty"
}

/// The round form as posted: S1's three levels (senior needs intermediate), every
/// component typed in, registration from today for a week.
fn round_form<'a>(
    csrf: &'a str,
    code: &'a str,
    scheme: &'a str,
    version: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("_csrf", csrf),
        ("code", code),
        ("title", "2026 年 12 月客服专员认证（测试）"),
        ("scheme_key", scheme),
        ("scheme_version", version),
        ("track", "basic"),
        ("level", "junior"),
        ("level", "intermediate"),
        ("level", "senior"),
        ("requires_junior", ""),
        ("requires_intermediate", ""),
        ("requires_senior", "intermediate"),
        ("new_hires_basic_only", "on"),
        ("registration_opens", "2026-11-23"),
        ("registration_closes", "2026-11-30"),
        ("assessment_starts", "2026-12-01"),
        // 20 days: more than S0's 14 days for basic certification.
        ("assessment_ends", "2026-12-20"),
        ("notice_days", "5"),
        ("appeal_days", "7"),
        ("issue_at", "appeal_close"),
        ("source_theory", ""),
        ("source_practical", ""),
    ]
}

/// A round over the API, open for applications from `opens` for a week; returns its id.
async fn api_round(t: &TestApp, token: &str, code: &str, levels: &str, opens: &str) -> i64 {
    let day = chrono::NaiveDate::parse_from_str(opens, "%Y-%m-%d").unwrap();
    let r = t
        .post("/api/v1/rounds")
        .bearer(token)
        .json(&serde_json::json!({
            "code": code,
            "title": "认证批次（接口测试）",
            "scheme_key": "s1-certification",
            "scheme_version": "preset",
            "track": "advanced",
            "levels": levels,
            "requires": "senior:intermediate",
            "new_hires_basic_only": true,
            "registration_opens": opens,
            "registration_closes": (day + chrono::Duration::days(7)).to_string(),
            "assessment_starts": (day + chrono::Duration::days(8)).to_string(),
            "assessment_ends": (day + chrono::Duration::days(20)).to_string(),
            "notice_days": "5",
            "appeal_days": "7",
            "issue_at": "appeal_close",
            "sources": {}
        }))
        .send()
        .await;
    r.expect(StatusCode::CREATED);
    r.json()["round"]["id"].as_i64().unwrap()
}

async fn status_of(t: &TestApp, no: &str) -> String {
    t.employee(no).await.unwrap().status
}

async fn round_status(t: &TestApp, id: i64) -> String {
    let mut r = t.app.db.read().await.unwrap();
    skillcert_app::store::certification::get_round(&mut r.conn(), id)
        .await
        .unwrap()
        .status
}

// ---------- the manager's flow through the pages ----------

#[tokio::test]
async fn a_round_from_plan_to_publication_through_the_pages() {
    for t in TestApp::all().await {
        manager_flow(&t).await;
    }
}

async fn manager_flow(t: &TestApp) {
    let scheme = off_duty_scheme(t).await;
    let m = t.web_login("manager").await;
    let e = t.web_login("employee").await;
    let other = spare_agents(t, 1).remove(0);

    // The list, and the scheme asked first.
    let list = page(t, &m, "/rounds").await;
    list.expect(StatusCode::OK);
    assert!(list.text().contains("CERT-2026-C"), "the demo's open round");
    assert!(list.text().contains("/rounds/new"), "a manager may create");
    let choose = page(t, &m, "/rounds/new").await;
    choose.expect(StatusCode::OK);
    let html = choose.text();
    assert!(html.contains("/rounds/new?scheme=s1-certification&amp;version=preset"));
    assert!(html.contains("/rounds/new?scheme=s1-offduty&amp;version=1"));
    assert!(
        html.contains("No levels or certificate rules: cannot certify"),
        "S4 schemes cannot certify"
    );
    let form = page(t, &m, "/rounds/new?scheme=s1-offduty&version=1").await;
    form.expect(StatusCode::OK);
    let html = form.text();
    assert!(
        html.contains("value=\"2026-11-23\""),
        "pre-filled: registration opens today"
    );
    assert!(html.contains("name=\"level\" value=\"senior\""));
    assert!(
        html.contains("name=\"source_theory\""),
        "the exam component takes a session"
    );
    assert!(
        html.contains("Typed in by the manager"),
        "the daily component is typed in"
    );
    assert!(
        html.contains("within 2 weeks (14 days)"),
        "S0's limit is explained"
    );

    // Created with typed-in sources; the plan exceeds S0's limit: a warning, not a refusal.
    let before = t.count("cert_rounds").await;
    let r = post(
        t,
        &m,
        "/rounds/new",
        &round_form(&m.csrf, "CERT-T-01", scheme, "1")[1..],
    )
    .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.text());
    let location = r.location().unwrap();
    assert!(location.ends_with("?done=created"), "{location}");
    let round = id_from(&location, "/rounds/");
    assert_eq!(t.count("cert_rounds").await, before + 1);
    let show = page(t, &m, &location).await;
    show.expect(StatusCode::OK);
    let html = show.text();
    assert!(html.contains("The round is open."));
    assert!(
        html.contains("the assessment period lasts 20 days, longer than S0&#39;s limit of 14 days"),
        "the warning is visible"
    );
    assert!(
        html.contains("/rounds/") && html.contains("/review"),
        "next step: review"
    );
    assert!(html.contains("requires Intermediate customer service specialist or above"));

    // Edited while open: a wrong date comes back at its field, a good change is saved.
    let edit = page(t, &m, &format!("/rounds/{round}/edit")).await;
    edit.expect(StatusCode::OK);
    assert!(edit.text().contains("value=\"CERT-T-01\" readonly"));
    let mut form = round_form(&m.csrf, "CERT-T-01", scheme, "1");
    form.retain(|f| f.0 != "title" && f.0 != "assessment_starts");
    form.push(("title", "2026 年 12 月客服专员认证（已调整）"));
    form.push(("assessment_starts", "2026-12-21"));
    let r = t
        .post(&format!("/rounds/{round}/edit"))
        .session(&m)
        .lang("en")
        .form(&form)
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("The assessment ends before it starts."));
    assert!(
        r.text().contains("value=\"2026-12-21\""),
        "the typed date stays"
    );
    form.retain(|f| f.0 != "assessment_starts");
    form.push(("assessment_starts", "2026-12-01"));
    let r = t
        .post(&format!("/rounds/{round}/edit"))
        .session(&m)
        .lang("en")
        .form(&form)
        .send()
        .await;
    assert_eq!(
        r.location().as_deref(),
        Some(format!("/rounds/{round}?done=saved").as_str()),
        "{}",
        r.text()
    );
    assert!(
        page(t, &m, &format!("/rounds/{round}"))
            .await
            .text()
            .contains("（已调整）")
    );

    // The employee finds the round, applies with a PDF and a PNG.
    let open = page(t, &e, "/rounds/open").await;
    open.expect(StatusCode::OK);
    assert!(open.text().contains("CERT-T-01"));
    assert!(open.text().contains(&format!("/rounds/{round}/apply")));
    page(t, &e, &format!("/rounds/{round}/apply"))
        .await
        .expect(StatusCode::OK);
    let r = apply_web(
        t,
        &e,
        round,
        &[
            ("level", "intermediate"),
            ("training_completed_on", "2026-11-20"),
            ("mentor_comment", "学习认真，建议参加中级认证。"),
        ],
        &[
            ("identity", "身份证.pdf", PDF),
            ("job_description", "jd.png", PNG),
        ],
    )
    .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.text());
    assert_eq!(
        r.location().as_deref(),
        Some(format!("/rounds/{round}/mine?done=applied").as_str())
    );
    let mine = page(t, &e, &format!("/rounds/{round}/mine")).await;
    mine.expect(StatusCode::OK);
    assert!(mine.text().contains("Submitted"));
    assert!(mine.text().contains("身份证.pdf"));
    assert!(mine.text().contains("Withdraw the application"));

    // A second candidate's paper form, filed by the manager over the API.
    let token = t.api_login("manager").await;
    let (ct, body) = multipart(&[("level", "junior"), ("employee_no", other.as_str())], &[]);
    let r = t
        .post(&format!("/api/v1/rounds/{round}/applications"))
        .bearer(&token)
        .raw(&ct, body)
        .send()
        .await;
    r.expect(StatusCode::CREATED);

    // The manager sees both, where they stand, and the attachments.
    let show = page(t, &m, &format!("/rounds/{round}")).await;
    let html = show.text();
    assert!(
        html.contains("学习认真，建议参加中级认证。"),
        "mentor comment"
    );
    assert!(html.contains("2026-11-20"), "training completion date");
    assert!(html.contains("2 attachment(s)"));
    let apps = t
        .get(&format!("/api/v1/rounds/{round}/applications"))
        .bearer(&token)
        .send()
        .await;
    apps.expect(StatusCode::OK);
    let apps = apps.json();
    let mine_app = apps
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["attachments"] == 2)
        .unwrap()
        .clone();
    let other_app = apps
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["employee_no"] == other.as_str())
        .unwrap()
        .clone();
    let app_id = mine_app["id"].as_i64().unwrap();
    let detail = page(t, &m, &format!("/applications/{app_id}")).await;
    detail.expect(StatusCode::OK);
    let html = detail.text();
    assert!(html.contains("application/pdf") && html.contains("image/png"));
    let att = html
        .split("/applications/attachments/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let file = page(t, &m, &format!("/applications/attachments/{att}")).await;
    file.expect(StatusCode::OK);
    assert_eq!(file.body, PDF, "the PDF as uploaded");
    assert_eq!(file.headers.get("content-type").unwrap(), "application/pdf");
    let cd = file
        .headers
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cd.contains("filename*=UTF-8''%E8%BA%AB%E4%BB%BD%E8%AF%81.pdf"),
        "{cd}"
    );
    assert_eq!(
        file.headers.get("x-content-type-options").unwrap(),
        "nosniff"
    );

    // Both approved (one with a note).
    let r = post(
        t,
        &m,
        &format!("/applications/{app_id}/decision"),
        &[("decision", "approve"), ("note", "材料齐全")],
    )
    .await;
    assert!(r.status.is_redirection(), "{}", r.text());
    let r = post(
        t,
        &m,
        &format!("/applications/{}/decision", other_app["id"]),
        &[("decision", "approve"), ("note", "")],
    )
    .await;
    assert!(r.status.is_redirection(), "{}", r.text());

    // Scores typed in on the results page.
    let employee_id = mine_app["employee_id"].as_i64().unwrap().to_string();
    let other_id = other_app["employee_id"].as_i64().unwrap().to_string();
    let results = page(t, &m, &format!("/rounds/{round}/results")).await;
    results.expect(StatusCode::OK);
    assert!(
        results
            .text()
            .contains(&format!("form=\"score-{employee_id}\""))
    );
    let scores_before = t.count("round_scores").await;
    for (who, scores) in [
        (employee_id.as_str(), ["88", "85", "90"]),
        (other_id.as_str(), ["40", "50", "55"]),
    ] {
        let r = post(
            t,
            &m,
            &format!("/rounds/{round}/scores"),
            &[
                ("employee_id", who),
                ("c_theory", scores[0]),
                ("c_practical", scores[1]),
                ("c_daily", scores[2]),
            ],
        )
        .await;
        assert!(r.status.is_redirection(), "{} {}", r.status, r.text());
    }
    assert_eq!(t.count("round_scores").await, scores_before + 6);

    // Rank and verdict: 88×40% + 85×40% + 90×20% = 87.2, senior reached, intermediate
    // awarded (the level applied for); 40×40% + 50×40% + 55×20% = 47, failed.
    let api = t
        .get(&format!("/api/v1/rounds/{round}/results"))
        .bearer(&token)
        .send()
        .await;
    api.expect(StatusCode::OK);
    let rows = api.json()["rows"].as_array().unwrap().clone();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["application"]["id"], app_id);
    assert_eq!(rows[0]["rank"], 1);
    assert_eq!(rows[0]["awarded"], "intermediate");
    assert_eq!(rows[0]["evaluation"]["status"]["passed"], true);
    assert_eq!(rows[1]["rank"], 2);
    assert_eq!(rows[1]["evaluation"]["status"]["passed"], false);
    let results = page(t, &m, &format!("/rounds/{round}/results")).await;
    let html = results.text();
    assert!(
        html.contains("87.2") && html.contains(">47<"),
        "totals shown"
    );
    assert!(
        html.contains("Senior customer service specialist"),
        "level reached"
    );
    let filtered = page(t, &m, &format!("/rounds/{round}/results?verdict=failed")).await;
    assert!(filtered.text().contains("1 of 2 candidates"));
    assert!(!filtered.text().contains("87.2"));
    for path in [
        format!("/rounds/{round}/results.xlsx"),
        format!("/rounds/{round}/applications.xlsx"),
    ] {
        let x = page(t, &m, &path).await;
        x.expect(StatusCode::OK);
        assert_eq!(
            x.headers.get("content-type").unwrap(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert!(x.body.starts_with(b"PK"), "{path} is a workbook");
    }

    // Publishing before review is refused and changes nothing.
    let r = post(t, &m, &format!("/rounds/{round}/publish"), &[]).await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .contains("The results must be reviewed (frozen) first.")
    );
    assert_eq!(round_status(t, round).await, "open");
    let consequences_before = t.count("consequences").await;

    // Review, then publish: the failure's consequence, and the status change.
    let r = post(t, &m, &format!("/rounds/{round}/review"), &[]).await;
    assert!(r.status.is_redirection(), "{}", r.text());
    assert_eq!(round_status(t, round).await, "reviewed");
    let show = page(t, &m, &format!("/rounds/{round}?done=reviewed")).await;
    assert!(
        show.text().contains("appeals accepted until 2026-11-30"),
        "the dates before publishing"
    );
    let r = post(t, &m, &format!("/rounds/{round}/publish"), &[]).await;
    assert!(r.status.is_redirection(), "{}", r.text());
    assert_eq!(round_status(t, round).await, "published");
    assert_eq!(status_of(t, &other).await, "off_duty_training");
    assert_eq!(t.count("consequences").await, consequences_before + 1);
    let results = page(t, &m, &format!("/rounds/{round}/results")).await;
    let html = results.text();
    assert!(html.contains("Public notice until") && html.contains("2026-11-28"));
    assert!(html.contains("Appeals accepted until") && html.contains("2026-11-30"));
    assert!(
        html.contains("10 days off-duty training"),
        "the ladder step"
    );
    assert!(html.contains("10 days, until 2026-12-02"));
    assert!(html.contains("Return to duty"));

    // The employee sees their result, the deadline and where to appeal.
    let mine = page(t, &e, &format!("/rounds/{round}/mine")).await;
    let html = mine.text();
    assert!(html.contains("Total score 87.2"));
    assert!(html.contains("Intermediate customer service specialist"));
    assert!(html.contains("Appeals accepted until"));
    assert!(html.contains("/appeal\""), "the appeal link");

    // Back to duty.
    let k = t
        .get(&format!("/api/v1/consequences?round_id={round}"))
        .bearer(&token)
        .send()
        .await;
    k.expect(StatusCode::OK);
    let k = k.json();
    assert_eq!(k.as_array().unwrap().len(), 1);
    assert_eq!(k[0]["status_now"], "off_duty_training");
    assert_eq!(k[0]["withhold_pay_percent"], 10);
    let r = post(
        t,
        &m,
        &format!("/rounds/{round}/consequences/{}/return", k[0]["id"]),
        &[],
    )
    .await;
    assert!(r.status.is_redirection(), "{}", r.text());
    assert_eq!(status_of(t, &other).await, "active");
    // Only once.
    let r = post(
        t,
        &m,
        &format!("/rounds/{round}/consequences/{}/return", k[0]["id"]),
        &[],
    )
    .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("already back on duty"));
}

// ---------- the same over the API ----------

#[tokio::test]
async fn the_api_runs_a_round_and_documents_it() {
    for t in TestApp::all().await {
        api_flow(&t).await;
    }
}

async fn api_flow(t: &TestApp) {
    let token = t.api_login("manager").await;
    let etoken = t.api_login("employee").await;
    let round = api_round(
        t,
        &token,
        "CERT-API-01",
        "junior, intermediate, senior",
        "2026-11-23",
    )
    .await;

    let got = t
        .get(&format!("/api/v1/rounds/{round}"))
        .bearer(&etoken)
        .send()
        .await;
    got.expect(StatusCode::OK);
    let got = got.json();
    assert_eq!(
        got["plan"]["levels"],
        serde_json::json!(["junior", "intermediate", "senior"])
    );
    assert_eq!(got["plan"]["requires"]["senior"], "intermediate");
    assert_eq!(got["registration_open"], true);
    assert_eq!(got["exceeds_time_limit"], false, "13 days of advanced");
    assert_eq!(got["sources"][2]["kind"], "manual");

    let list = t
        .get("/api/v1/rounds?q=cert-api&status=open")
        .bearer(&token)
        .send()
        .await;
    list.expect(StatusCode::OK);
    assert_eq!(list.json()["total"], 1);

    // A change while open; a plan exceeding the limit is only flagged.
    let mut body = serde_json::json!({
        "title": "认证批次（接口测试，已调整）",
        "track": "basic",
        "levels": "junior, intermediate, senior",
        "requires": "senior:intermediate",
        "new_hires_basic_only": true,
        "registration_opens": "2026-11-23",
        "registration_closes": "2026-11-30",
        "assessment_starts": "2026-12-01",
        "assessment_ends": "2026-12-20",
        "notice_days": "5",
        "appeal_days": "7",
    });
    let r = t
        .put(&format!("/api/v1/rounds/{round}"))
        .bearer(&token)
        .json(&body)
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(r.json()["exceeds_time_limit"], true);
    assert_eq!(r.json()["round"]["title"], "认证批次（接口测试，已调整）");

    // The employee applies (multipart with a PDF).
    let (ct, mp) = multipart(
        &[("level", "junior"), ("training_completed_on", "2026-11-21")],
        &[("identity", "id.pdf", PDF)],
    );
    let r = t
        .post(&format!("/api/v1/rounds/{round}/applications"))
        .bearer(&etoken)
        .raw(&ct, mp)
        .send()
        .await;
    r.expect(StatusCode::CREATED);
    let a = r.json();
    let app_id = a["application"]["id"].as_i64().unwrap();
    assert_eq!(a["attachments"][0]["content_type"], "application/pdf");
    assert_eq!(a["attachments"][0]["kind"], "identity");
    let att = a["attachments"][0]["id"].as_i64().unwrap();
    let f = t
        .get(&format!("/api/v1/applications/attachments/{att}"))
        .bearer(&etoken)
        .send()
        .await;
    f.expect(StatusCode::OK);
    assert_eq!(f.body, PDF);

    // A decision needs `approve`.
    let r = t
        .post(&format!("/api/v1/applications/{app_id}/decision"))
        .bearer(&token)
        .json(&serde_json::json!({"note": "?"}))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"][0]["field"], "approve");
    let r = t
        .post(&format!("/api/v1/applications/{app_id}/decision"))
        .bearer(&token)
        .json(&serde_json::json!({"approve": true, "note": "同意"}))
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(r.json()["application"]["status"], "approved");
    assert_eq!(r.json()["application"]["decision_note"], "同意");

    // Scores, by number or text.
    let employee_id = a["application"]["employee_id"].as_i64().unwrap();
    for (component, score) in [
        ("theory", serde_json::json!("72.5")),
        ("practical", serde_json::json!(70)),
        ("daily", serde_json::json!("80")),
    ] {
        let r = t
            .put(&format!(
                "/api/v1/rounds/{round}/scores/{employee_id}/{component}"
            ))
            .bearer(&token)
            .json(&serde_json::json!({ "score": score }))
            .send()
            .await;
        r.expect(StatusCode::OK);
    }
    let r = t
        .get(&format!("/api/v1/rounds/{round}/results"))
        .bearer(&token)
        .send()
        .await;
    let row = &r.json()["rows"][0];
    // 72.5×40% + 70×40% + 80×20% = 73
    assert_eq!(row["evaluation"]["status"]["total"], 73);
    assert_eq!(row["awarded"], "junior", "capped at the level applied for");
    assert_eq!(row["missing"], serde_json::json!([]));

    // Review → publish → close after the appeal window, issuing the certificate.
    let r = t
        .post(&format!("/api/v1/rounds/{round}/review"))
        .bearer(&token)
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(r.json()["results"], 1);
    assert_eq!(r.json()["round"]["round"]["status"], "reviewed");
    // Reopened to correct a score, then reviewed again.
    let frozen = t.count("round_results").await;
    let r = t
        .post(&format!("/api/v1/rounds/{round}/reopen"))
        .bearer(&token)
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(r.json()["round"]["round"]["status"], "open");
    assert_eq!(
        t.count("round_results").await,
        frozen - 1,
        "frozen results dropped"
    );
    let r = t
        .put(&format!(
            "/api/v1/rounds/{round}/scores/{employee_id}/daily"
        ))
        .bearer(&token)
        .json(&serde_json::json!({ "score": "85" }))
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(r.json()["evaluation"]["status"]["total"], 74);
    let r = t
        .post(&format!("/api/v1/rounds/{round}/review"))
        .bearer(&token)
        .send()
        .await;
    r.expect(StatusCode::OK);
    // Once reviewed, the plan is fixed.
    body["title"] = "再改".into();
    let r = t
        .put(&format!("/api/v1/rounds/{round}"))
        .bearer(&token)
        .json(&body)
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"][0]["code"], "round-not-open");
    let r = t
        .post(&format!("/api/v1/rounds/{round}/publish"))
        .bearer(&token)
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(r.json()["round"]["appeal_closes"], "2026-11-30");
    assert_eq!(r.json()["round"]["notice_ends"], "2026-11-28");
    let r = t
        .post(&format!("/api/v1/rounds/{round}/close"))
        .bearer(&token)
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"][0]["code"], "round-appeal-window-open");
    t.advance(chrono::Duration::days(8));
    let token = t.api_login("manager").await;
    let r = t
        .post(&format!("/api/v1/rounds/{round}/close"))
        .bearer(&token)
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(r.json()["certificates"], 1);
    assert_eq!(r.json()["round"]["round"]["status"], "closed");

    // Every route of this area is in the OpenAPI document, tagged.
    let doc = t.get("/api/v1/openapi.json").send().await.json();
    for (path, method) in [
        ("/api/v1/rounds", "post"),
        ("/api/v1/rounds/{id}/applications", "post"),
        (
            "/api/v1/rounds/{id}/scores/{employee_id}/{component}",
            "put",
        ),
        ("/api/v1/consequences/{id}/return", "post"),
    ] {
        assert_eq!(
            doc["paths"][path][method]["tags"][0], "certification",
            "{method} {path}"
        );
    }
}

// ---------- refusals ----------

/// A user for an employee on probation (a new hire), with the employee role.
async fn new_hire_user(t: &TestApp) -> String {
    let org = demo_org(t);
    let hire = org
        .employees
        .iter()
        .find(|e| e.status == EmployeeStatus::Probation && e.position_code == "AGENT")
        .expect("the demo has new hires");
    let admin = actor(t, "admin").await;
    skillcert_app::users::create(
        &t.app,
        &admin,
        &UserInput {
            username: "newhire".into(),
            display_name: hire.name.clone(),
            password: DEMO_PASSWORD.into(),
            employee_no: hire.employee_no.clone(),
            role: Role::Employee.key().into(),
            department_id: None,
        },
    )
    .await
    .expect("user for the new hire")
    .username
}

#[tokio::test]
async fn applications_that_break_the_rules_are_refused_and_change_nothing() {
    let t = TestApp::new().await;
    let token = t.api_login("manager").await;
    let round = api_round(
        &t,
        &token,
        "CERT-BAD-01",
        "junior intermediate senior",
        "2026-11-23",
    )
    .await;
    let later = api_round(
        &t,
        &token,
        "CERT-BAD-02",
        "junior intermediate",
        "2026-12-10",
    )
    .await;
    let only_junior = api_round(&t, &token, "CERT-BAD-03", "junior", "2026-11-23").await;
    let e = t.web_login("employee").await;
    let apps = t.count("round_applications").await;
    let files = t.count("application_attachments").await;

    let refused = |r: &Resp, message: &str| {
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(
            r.text().contains(message),
            "expected «{message}» in {}",
            r.text()
        );
    };

    // Outside the registration window.
    let r = apply_web(&t, &e, later, &[("level", "junior")], &[]).await;
    refused(&r, "Registration for this round is not open today.");
    // Without the prerequisite: senior needs a current intermediate certificate (the demo
    // employee's is suspended by their pending appeal).
    let r = apply_web(&t, &e, round, &[("level", "senior")], &[]).await;
    refused(
        &r,
        "This level requires a current certificate of the prerequisite level or above",
    );
    // A level the round does not offer.
    let r = apply_web(&t, &e, only_junior, &[("level", "intermediate")], &[]).await;
    refused(&r, "This level is not offered in this round.");
    // A new hire above the basic level.
    let hire = t.web_login(&new_hire_user(&t).await).await;
    let r = apply_web(&t, &hire, round, &[("level", "intermediate")], &[]).await;
    refused(
        &r,
        "Staff on probation apply for the lowest offered level first.",
    );
    // Files: not a PDF/PNG/JPEG (by content, whatever the name), too large.
    let r = apply_web(
        &t,
        &e,
        round,
        &[("level", "junior")],
        &[("identity", "id.pdf", b"MZ\x90\x00 not a pdf")],
    )
    .await;
    refused(&r, "Only PDF, PNG and JPEG files are accepted");
    assert!(r.text().contains("choose the files again"));
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(5 * 1024 * 1024 + 1, b' ');
    let r = apply_web(
        &t,
        &e,
        round,
        &[("level", "junior")],
        &[("job_description", "jd.pdf", &big)],
    )
    .await;
    refused(&r, "The file is larger than 5 MB.");
    // Over the API the same refusal names its problem.
    let etoken = t.api_login("employee").await;
    let (ct, body) = multipart(&[("level", "junior")], &[("photo", "me.png", PNG)]);
    let r = t
        .post(&format!("/api/v1/rounds/{round}/applications"))
        .bearer(&etoken)
        .raw(&ct, body)
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"][0]["code"], "attachment-kind");
    assert_eq!(t.count("round_applications").await, apps, "nothing stored");
    assert_eq!(t.count("application_attachments").await, files);

    // Accepted once, then a duplicate.
    let r = apply_web(
        &t,
        &e,
        round,
        &[("level", "junior")],
        &[("identity", "a.pdf", PDF)],
    )
    .await;
    assert!(r.status.is_redirection(), "{}", r.text());
    let r = apply_web(&t, &e, round, &[("level", "junior")], &[]).await;
    refused(&r, "You have already applied to this round.");
    assert_eq!(t.count("round_applications").await, apps + 1);
    assert_eq!(t.count("application_attachments").await, files + 1);

    // The form keeps what was typed.
    let r = apply_web(
        &t,
        &e,
        only_junior,
        &[
            ("level", "junior"),
            ("mentor_comment", "x".repeat(501).as_str()),
        ],
        &[],
    )
    .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains(&"x".repeat(501)));
}

#[tokio::test]
async fn plans_scores_and_steps_out_of_order_are_refused() {
    let t = TestApp::new().await;
    let m = t.web_login("manager").await;
    let token = t.api_login("manager").await;
    let rounds = t.count("cert_rounds").await;

    // A plan with its dates in the wrong order: the form again, the errors at the fields.
    let mut form = round_form(&m.csrf, "CERT-BAD-PLAN", "s1-certification", "preset");
    for f in form.iter_mut() {
        if f.0 == "registration_closes" {
            f.1 = "2026-11-01";
        }
        if f.0 == "appeal_days" {
            f.1 = "0";
        }
    }
    let r = t
        .post("/rounds/new")
        .session(&m)
        .lang("en")
        .form(&form)
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("Registration closes before it opens."));
    assert!(html.contains("The appeal window must be at least one day."));
    assert!(
        html.contains("value=\"CERT-BAD-PLAN\""),
        "what was typed is kept"
    );
    // A source that does not exist, and a scheme that cannot certify.
    let mut form = round_form(&m.csrf, "CERT-BAD-SRC", "s1-certification", "preset");
    for f in form.iter_mut() {
        if f.0 == "source_theory" {
            f.1 = "NO-SUCH-EXAM";
        }
    }
    let r = t
        .post("/rounds/new")
        .session(&m)
        .lang("en")
        .form(&form)
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("No exam session or event has this code."));
    let r = page(
        &t,
        &m,
        "/rounds/new?scheme=s4-etiquette-exam&version=preset",
    )
    .await;
    assert!(r.text().contains("cannot certify"));
    let form = round_form(&m.csrf, "CERT-BAD-S4", "s4-etiquette-exam", "preset");
    let r = t
        .post("/rounds/new")
        .session(&m)
        .lang("en")
        .form(&form)
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("cannot certify: choose another scheme"));
    assert_eq!(t.count("cert_rounds").await, rounds, "nothing created");

    // Scores out of range or for a component with a source; publishing before review.
    let round = api_round(
        &t,
        &token,
        "CERT-BAD-SC",
        "junior intermediate senior",
        "2026-11-23",
    )
    .await;
    let etoken = t.api_login("employee").await;
    let (ct, body) = multipart(&[("level", "junior")], &[]);
    let r = t
        .post(&format!("/api/v1/rounds/{round}/applications"))
        .bearer(&etoken)
        .raw(&ct, body)
        .send()
        .await;
    r.expect(StatusCode::CREATED);
    let app_id = r.json()["application"]["id"].as_i64().unwrap();
    let employee_id = r.json()["application"]["employee_id"].as_i64().unwrap();
    // Not yet approved: not a candidate.
    let r = t
        .put(&format!(
            "/api/v1/rounds/{round}/scores/{employee_id}/daily"
        ))
        .bearer(&token)
        .json(&serde_json::json!({"score": "80"}))
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"][0]["code"], "score-not-candidate");
    t.post(&format!("/api/v1/applications/{app_id}/decision"))
        .bearer(&token)
        .json(&serde_json::json!({"approve": true}))
        .send()
        .await
        .expect(StatusCode::OK);
    let scores = t.count("round_scores").await;
    for bad in ["120", "-1", "86.555", "abc"] {
        let r = t
            .put(&format!(
                "/api/v1/rounds/{round}/scores/{employee_id}/daily"
            ))
            .bearer(&token)
            .json(&serde_json::json!({"score": bad}))
            .send()
            .await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["fields"][0]["code"], "score-out-of-range", "{bad}");
    }
    // The page checks every value first: one bad score saves none of the line.
    let id = employee_id.to_string();
    let r = post(
        &t,
        &m,
        &format!("/rounds/{round}/scores"),
        &[("employee_id", &id), ("c_theory", "75"), ("c_daily", "101")],
    )
    .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("Not a score"), "{}", r.text());
    assert!(r.text().contains("value=\"101\""), "the typed value stays");
    assert_eq!(t.count("round_scores").await, scores, "nothing saved");
    // Publishing before review; reviewing without complete results.
    let r = t
        .post(&format!("/api/v1/rounds/{round}/publish"))
        .bearer(&token)
        .send()
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"][0]["code"], "round-not-reviewed");
    let results = t.count("round_results").await;
    let r = post(&t, &m, &format!("/rounds/{round}/review"), &[]).await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("No candidate has complete results yet"));
    assert_eq!(round_status(&t, round).await, "open");
    assert_eq!(t.count("round_results").await, results);

    // A decided application cannot be decided again, nor withdrawn.
    let r = post(
        &t,
        &m,
        &format!("/applications/{app_id}/decision"),
        &[("decision", "reject")],
    )
    .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("already been decided or withdrawn"));
    // A form without a decision, or scores without a candidate: refused on the page.
    let r = post(
        &t,
        &m,
        &format!("/applications/{app_id}/decision"),
        &[("note", "?")],
    )
    .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("Decision: "), "{}", r.text());
    let r = post(
        &t,
        &m,
        &format!("/rounds/{round}/scores"),
        &[("c_daily", "80")],
    )
    .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .contains("This employee is not an approved candidate of the round.")
    );
    assert_eq!(t.count("round_scores").await, scores, "nothing saved");
    let e = t.web_login("employee").await;
    let r = post(&t, &e, &format!("/applications/{app_id}/withdraw"), &[]).await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("already been decided or withdrawn"));
}

#[tokio::test]
async fn an_employee_withdraws_a_submitted_application() {
    let t = TestApp::new().await;
    let token = t.api_login("manager").await;
    let round = api_round(
        &t,
        &token,
        "CERT-WD-01",
        "junior intermediate",
        "2026-11-23",
    )
    .await;
    let e = t.web_login("employee").await;
    let r = apply_web(&t, &e, round, &[("level", "junior")], &[]).await;
    assert!(r.status.is_redirection());
    let mine = page(&t, &e, &format!("/rounds/{round}/mine")).await;
    let html = mine.text();
    let app_id = html
        .split("/applications/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap()
        .to_string();
    let r = post(&t, &e, &format!("/applications/{app_id}/withdraw"), &[]).await;
    assert_eq!(
        r.location().as_deref(),
        Some(format!("/rounds/{round}/mine?done=withdrawn").as_str())
    );
    let mine = page(&t, &e, &format!("/rounds/{round}/mine?done=withdrawn")).await;
    assert!(mine.text().contains("Your application was withdrawn."));
    assert!(mine.text().contains("Withdrawn"));
    // Changing one's mind inside the window: the same application is submitted again.
    let r = apply_web(&t, &e, round, &[("level", "intermediate")], &[]).await;
    assert!(r.status.is_redirection(), "{}", r.text());
    let mine = page(&t, &e, &format!("/rounds/{round}/mine")).await;
    assert!(!mine.text().contains("Withdrawn"));
    assert!(mine.text().contains(&format!("/applications/{app_id}")));
    // A second application while one stands is refused.
    let r = apply_web(&t, &e, round, &[("level", "junior")], &[]).await;
    assert!(!r.status.is_redirection());
}

// ---------- who may see what ----------

#[tokio::test]
async fn only_managers_run_rounds_and_employees_see_only_their_own() {
    let t = TestApp::new().await;
    let token = t.api_login("manager").await;
    let round = api_round(
        &t,
        &token,
        "CERT-PERM-01",
        "junior intermediate senior",
        "2026-11-23",
    )
    .await;
    // The mentor applies (with a file); the employee must not see it.
    let mentor = t.web_login("mentor").await;
    let r = apply_web(
        &t,
        &mentor,
        round,
        &[("level", "junior")],
        &[("identity", "mentor-id.pdf", PDF)],
    )
    .await;
    assert!(r.status.is_redirection(), "{}", r.text());
    let apps = t
        .get(&format!("/api/v1/rounds/{round}/applications"))
        .bearer(&token)
        .send()
        .await
        .json();
    let app_id = apps[0]["id"].as_i64().unwrap();
    let detail = t
        .get(&format!("/api/v1/applications/{app_id}"))
        .bearer(&token)
        .send()
        .await
        .json();
    let att = detail["attachments"][0]["id"].as_i64().unwrap();

    let e = t.web_login("employee").await;
    for path in [
        "/rounds".to_string(),
        "/rounds/new".to_string(),
        format!("/rounds/{round}/edit"),
        format!("/rounds/{round}/results"),
        format!("/rounds/{round}/results.xlsx"),
        format!("/rounds/{round}/applications.xlsx"),
        format!("/applications/{app_id}"),
        format!("/applications/attachments/{att}"),
    ] {
        page(&t, &e, &path).await.expect(StatusCode::FORBIDDEN);
    }
    for path in [
        format!("/rounds/{round}/review"),
        format!("/rounds/{round}/publish"),
        format!("/rounds/{round}/reopen"),
        format!("/rounds/{round}/close"),
        format!("/rounds/{round}/edit"),
        format!("/rounds/{round}/scores"),
        format!("/applications/{app_id}/decision"),
        format!("/applications/{app_id}/withdraw"),
        "/rounds/new".to_string(),
    ] {
        post(
            &t,
            &e,
            &path,
            &[("decision", "approve"), ("employee_id", "1")],
        )
        .await
        .expect(StatusCode::FORBIDDEN);
    }
    let etoken = t.api_login("employee").await;
    for (method, path) in [
        ("GET", "/api/v1/rounds".to_string()),
        ("GET", format!("/api/v1/rounds/{round}/applications")),
        ("GET", format!("/api/v1/applications/{app_id}")),
        ("GET", format!("/api/v1/applications/attachments/{att}")),
        ("GET", format!("/api/v1/rounds/{round}/results")),
        ("GET", "/api/v1/consequences".to_string()),
        ("POST", format!("/api/v1/rounds/{round}/review")),
        ("POST", format!("/api/v1/applications/{app_id}/withdraw")),
    ] {
        let r = t
            .call(method.parse().unwrap(), &path)
            .bearer(&etoken)
            .send()
            .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{method} {path}: {}",
            r.text()
        );
    }
    for (path, body) in [
        (
            format!("/api/v1/applications/{app_id}/decision"),
            serde_json::json!({"approve": true}),
        ),
        ("/api/v1/rounds".to_string(), serde_json::json!({})),
    ] {
        let r = t.post(&path).bearer(&etoken).json(&body).send().await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    let r = t
        .put(&format!("/api/v1/rounds/{round}/scores/1/daily"))
        .bearer(&etoken)
        .json(&serde_json::json!({"score": "1"}))
        .send()
        .await;
    r.expect(StatusCode::FORBIDDEN);
    let r = t
        .put(&format!("/api/v1/rounds/{round}"))
        .bearer(&etoken)
        .json(&serde_json::json!({}))
        .send()
        .await;
    r.expect(StatusCode::FORBIDDEN);
    // Nothing changed by any of it.
    let status = t
        .get(&format!("/api/v1/applications/{app_id}"))
        .bearer(&token)
        .send()
        .await
        .json()["application"]["status"]
        .clone();
    assert_eq!(status, "submitted");

    // The employee may read the round itself (to apply) and their own pages.
    page(&t, &e, &format!("/rounds/{round}"))
        .await
        .expect(StatusCode::OK);
    page(&t, &e, &format!("/rounds/{round}/mine"))
        .await
        .expect(StatusCode::OK);
    page(&t, &e, "/rounds/open").await.expect(StatusCode::OK);
    // The mentor reads their own application and file.
    page(&t, &mentor, &format!("/applications/{app_id}"))
        .await
        .expect(StatusCode::OK);
    page(&t, &mentor, &format!("/applications/attachments/{att}"))
        .await
        .expect(StatusCode::OK);

    // A supervisor sees the list but not the manager's pages, and no results before
    // publication.
    let s = t.web_login("supervisor").await;
    page(&t, &s, "/rounds").await.expect(StatusCode::OK);
    page(&t, &s, "/rounds/new")
        .await
        .expect(StatusCode::FORBIDDEN);
    page(&t, &s, &format!("/rounds/{round}/results"))
        .await
        .expect(StatusCode::FORBIDDEN);
    let html = page(&t, &s, &format!("/rounds/{round}")).await.text();
    assert!(!html.contains("/decision"), "no approval buttons");
    // Anonymous visitors are sent to sign in.
    let r = t.get(&format!("/rounds/{round}")).send().await;
    assert!(r.status.is_redirection());
    assert!(r.location().unwrap().starts_with("/login"));
}

#[tokio::test]
async fn round_pages_speak_both_languages() {
    for k in skillcert_web::html::rounds::dynamic_keys() {
        for l in Lang::ALL {
            assert!(has(l, &k), "{k} missing in {}", l.tag());
        }
    }
    let t = TestApp::new().await;
    let m = t.web_login("manager").await;
    let round = {
        let mut r = t.app.db.read().await.unwrap();
        skillcert_app::store::certification::round_by_code(&mut r.conn(), "CERT-2026-B")
            .await
            .unwrap()
            .unwrap()
            .id
    };
    for path in [
        "/rounds".to_string(),
        "/rounds/new".to_string(),
        "/rounds/new?scheme=s1-certification&version=preset".to_string(),
        format!("/rounds/{round}"),
        format!("/rounds/{round}/results"),
        "/rounds/open".to_string(),
    ] {
        for lang in ["en", "zh-CN"] {
            let r = t.get(&path).session(&m).lang(lang).send().await;
            assert_eq!(r.status, StatusCode::OK, "{path} {lang}: {}", r.text());
            assert!(!r.text().contains("⟦?⟧"), "{path} {lang} lacks a message");
        }
    }
    // The demo's published round: consequences of its failure, the appeal deadline.
    let html = page(&t, &m, &format!("/rounds/{round}/results"))
        .await
        .text();
    assert!(html.contains("Appeals accepted until"));
    assert!(html.contains("Retrain and retake"), "S1's ladder step");
}
