//! Certificates (issue 6) over the demo's rounds, which leave certificates in every state:
//! the register with its filters, chips and Excel export; who may open a certificate;
//! revocation (a reason is required; the revocation status list follows); the public
//! verification page and JSON in both languages, with the name masked and unknown numbers
//! a clear 404; the signed credential verifying and failing once tampered with; the printed
//! certificate (QR code) and its PDF; re-evaluation tasks opened once, with inbox messages
//! to holder and supervisor.

use axum::http::StatusCode;
use serde_json::Value;
use skillcert_app::certification::certificates::{self, Certificate};
use skillcert_app::store::certification::CertificateQuery;
use skillcert_credential::check::{self, ListSource, State, StatusLists};
use skillcert_credential::{proof, status_list};
use skillcert_reports::{FileKind, read_table};
use skillcert_store::Db;
use skillcert_web::i18n::{Lang, has};

use crate::helpers::*;

// ---------- building blocks ----------

/// Every certificate in `status` today, newest first.
async fn in_state(t: &TestApp, status: &str) -> Vec<Certificate> {
    certificates::list_all(
        &t.app,
        CertificateQuery {
            status: Some(status.to_string()),
            page: 1,
            per_page: 0,
            ..CertificateQuery::default()
        },
    )
    .await
    .unwrap()
    .items
}

async fn one_in(t: &TestApp, status: &str) -> Certificate {
    in_state(t, status)
        .await
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("the demo has a {status} certificate"))
}

async fn all_certificates(t: &TestApp) -> Vec<Certificate> {
    certificates::list_all(
        &t.app,
        CertificateQuery {
            page: 1,
            per_page: 0,
            ..CertificateQuery::default()
        },
    )
    .await
    .unwrap()
    .items
}

async fn user_id(t: &TestApp, username: &str) -> i64 {
    let mut r = t.app.db.read().await.unwrap();
    skillcert_store::users::find_user_by_username(&mut r.conn(), username)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// The certificates of a demo account's employee.
async fn certificates_of(t: &TestApp, username: &str) -> Vec<Certificate> {
    let employee_id = {
        let mut r = t.app.db.read().await.unwrap();
        skillcert_store::users::find_user_by_username(&mut r.conn(), username)
            .await
            .unwrap()
            .unwrap()
            .employee_id
            .unwrap()
    };
    all_certificates(t)
        .await
        .into_iter()
        .filter(|c| c.row.employee_id == employee_id)
        .collect()
}

/// Moves an employee to another department (a transfer), behind the services' back.
async fn move_to(t: &TestApp, employee_id: i64, department_id: i64) {
    let sql =
        format!("UPDATE employees SET department_id = {department_id} WHERE id = {employee_id}");
    match &t.app.db {
        Db::Sqlite { writer, .. } => {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(writer)
                .await
                .unwrap();
        }
        Db::Postgres(pool) => {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(pool)
                .await
                .unwrap();
        }
    }
}

/// The signed status list of `purpose`, fetched as a verifier would.
async fn status_list_doc(t: &TestApp, purpose: &str) -> Value {
    let r = t.get(&format!("/status/{purpose}")).send().await;
    r.expect(StatusCode::OK);
    assert_eq!(
        r.headers["content-type"].to_str().unwrap(),
        "application/json"
    );
    assert!(
        r.headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age=300"),
        "{:?}",
        r.headers
    );
    r.json()
}

fn bit(list: &Value, index: i32) -> bool {
    let encoded = list["credentialSubject"]["encodedList"].as_str().unwrap();
    status_list::decode(encoded)
        .unwrap()
        .get(usize::try_from(index).unwrap())
        .unwrap()
}

/// Both status lists, under the URLs the credential names.
async fn lists_for(t: &TestApp, credential: &Value) -> StatusLists {
    let mut lists = StatusLists::new();
    for url in check::status_list_urls(credential) {
        let purpose = url.rsplit('/').next().unwrap().to_string();
        lists.insert(url, ListSource::Fetched(status_list_doc(t, &purpose).await));
    }
    lists
}

async fn credential_of(t: &TestApp, number: &str) -> Value {
    let r = t
        .get(&format!("/api/v1/certificates/{number}/credential"))
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    r.json()
}

/// The rows of the `<tbody>` of a page, as text.
fn body_rows(html: &str) -> Vec<String> {
    let Some(start) = html.find("<tbody>") else {
        return Vec::new();
    };
    let end = html[start..]
        .find("</tbody>")
        .map_or(html.len(), |e| start + e);
    html[start..end]
        .split("<tr>")
        .skip(1)
        .map(str::to_string)
        .collect()
}

// ---------- the register ----------

#[tokio::test]
async fn the_register_lists_filters_counts_and_exports() {
    let t = TestApp::new().await;
    let s = t.web_login("manager").await;

    let all = all_certificates(&t).await;
    for status in [
        "valid",
        "expiring",
        "expired",
        "suspended",
        "revoked",
        "superseded",
    ] {
        assert!(
            all.iter().any(|c| c.status.key() == status),
            "the demo has a {status} certificate"
        );
    }

    let r = t.get("/certificates").session(&s).send().await;
    r.expect(StatusCode::OK);
    let html = r.text();
    assert_eq!(body_rows(&html).len(), all.len().min(50));
    for label in [
        "有效",
        "即将到期（仍有效）",
        "已过期",
        "已暂停",
        "已撤销",
        "已被替代",
    ] {
        assert!(html.contains(label), "{label}");
    }
    // The chips count what the stored counts say.
    for (status, n) in certificates::counts(&t.app).await.unwrap() {
        let chip = format!("cert-chip cert-chip-{status}\"");
        let at = html.find(&chip).unwrap_or_else(|| panic!("chip {status}"));
        let tail = &html[at..];
        let b = tail.find("<b>").unwrap() + 3;
        let e = tail.find("</b>").unwrap();
        assert_eq!(tail[b..e].parse::<i64>().unwrap(), n, "{status}");
    }

    // Status filter: only revoked rows, with the reason on the certificate page.
    let revoked = in_state(&t, "revoked").await;
    let r = t
        .get("/certificates?status=revoked")
        .session(&s)
        .send()
        .await;
    r.expect(StatusCode::OK);
    let rows = body_rows(&r.text());
    assert_eq!(rows.len(), revoked.len());
    assert!(rows.iter().all(|row| row.contains("cert-status-revoked")));

    // Search by employee number, by name and by number.
    let valid = one_in(&t, "valid").await;
    for q in [
        valid.row.employee_no.clone(),
        valid.row.name.clone(),
        valid.row.number.to_lowercase(),
    ] {
        let r = t
            .get(&format!("/certificates?q={}", urlencode(&q)))
            .session(&s)
            .send()
            .await;
        r.expect(StatusCode::OK);
        assert!(
            body_rows(&r.text())
                .iter()
                .any(|row| row.contains(&valid.row.number)),
            "{q}"
        );
    }
    let r = t
        .get("/certificates?q=no-such-holder-xyz")
        .session(&s)
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert!(body_rows(&r.text()).is_empty());
    assert!(r.text().contains("没有符合条件的证书"));

    // Pagination keeps the filters.
    let r = t
        .get("/certificates?per_page=2&status=valid")
        .session(&s)
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(body_rows(&r.text()).len(), 2);
    let html = r.text();
    let pager = &html[html.find("class=\"pager\"").unwrap()..];
    assert!(
        pager.contains("/certificates?status=valid&#38;per_page=2&page=2"),
        "{}",
        &pager[..pager.len().min(600)]
    );

    // The export has the same filters and every matching row.
    let expiring = in_state(&t, "expiring").await;
    let r = t
        .get("/certificates.xlsx?status=expiring")
        .session(&s)
        .lang("en")
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let table = read_table(&r.body, FileKind::Xlsx).unwrap();
    assert_eq!(table.headers[0], "Certificate No.");
    assert!(table.headers.iter().any(|h| h == "Re-evaluation result"));
    assert_eq!(table.rows.len(), expiring.len());
    let mut numbers: Vec<String> = table.rows.iter().map(|r| r.cells[0].clone()).collect();
    let mut want: Vec<String> = expiring.iter().map(|c| c.row.number.clone()).collect();
    numbers.sort();
    want.sort();
    assert_eq!(numbers, want);
    let status_col = table.headers.iter().position(|h| h == "Status").unwrap();
    assert!(
        table
            .rows
            .iter()
            .all(|r| r.cells[status_col] == "Expiring (still valid)")
    );

    // The API lists the same.
    let token = t.api_login("manager").await;
    let r = t
        .get("/api/v1/certificates?status=expiring&per_page=500")
        .bearer(&token)
        .send()
        .await;
    r.expect(StatusCode::OK);
    let body = r.json();
    assert_eq!(body["total"], expiring.len());
    assert!(
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == "expiring" && c.get("credential").is_none())
    );
    t.get("/api/v1/certificates?status=lost")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn who_may_see_the_register_and_a_certificate() {
    let t = TestApp::new().await;
    let mine = certificates_of(&t, "employee").await;
    let own = mine.first().expect("the demo employee holds a certificate");
    let other = all_certificates(&t)
        .await
        .into_iter()
        .find(|c| c.row.employee_id != own.row.employee_id)
        .unwrap();

    // Anonymous: sent to sign in.
    let r = t.get("/certificates").send().await;
    assert!(r.status.is_redirection());
    assert!(r.location().unwrap().starts_with("/login"));

    // The holder sees their own certificate, its print page and PDF, and nothing else.
    let e = t.web_login("employee").await;
    let r = t
        .get(&format!("/certificates/{}", own.row.number))
        .session(&e)
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert!(r.text().contains(&own.row.name));
    assert!(
        !r.text().contains("/revoke"),
        "no revocation for the holder"
    );
    for path in [
        format!("/certificates/{}/print", own.row.number),
        format!("/certificates/{}.pdf", own.row.number),
    ] {
        t.get(&path).session(&e).send().await.expect(StatusCode::OK);
    }
    for path in [
        "/certificates".to_string(),
        "/certificates.xlsx".to_string(),
        "/reevaluation".to_string(),
        format!("/certificates/{}", other.row.number),
        format!("/certificates/{}/print", other.row.number),
        format!("/certificates/{}.pdf", other.row.number),
    ] {
        t.get(&path)
            .session(&e)
            .send()
            .await
            .expect(StatusCode::FORBIDDEN);
    }
    let token = t.api_login("employee").await;
    t.get(&format!("/api/v1/certificates/{}", own.row.number))
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::OK);
    let r = t
        .get(&format!("/api/v1/certificates/{}", other.row.number))
        .bearer(&token)
        .send()
        .await;
    r.expect(StatusCode::FORBIDDEN);
    assert_eq!(r.code(), "forbidden");
    t.get("/api/v1/certificates")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);

    // The supervisor reads their department (CSC-01) only: one holder moves away.
    let sup = t.web_login("supervisor").await;
    let csc01 = t.department_id("CSC-01").await;
    move_to(&t, other.row.employee_id, t.department_id("CSC-03").await).await;
    let r = t.get("/certificates").session(&sup).send().await;
    r.expect(StatusCode::OK);
    let all = all_certificates(&t).await;
    let theirs: Vec<_> = all
        .iter()
        .filter(|c| c.row.department_id == csc01)
        .collect();
    assert!(!theirs.is_empty());
    assert_eq!(body_rows(&r.text()).len(), theirs.len().min(50));
    assert!(
        body_rows(&r.text())
            .iter()
            .all(|row| theirs.iter().any(|c| row.contains(&c.row.number)))
    );
    // Chip counts follow the scope too.
    assert!(r.text().contains(&format!(
        "cert-chip cert-chip-all active\" aria-current=\"true\">全部 <b>{}</b>",
        theirs.len()
    )));
    let outside = all
        .iter()
        .find(|c| c.row.department_id != csc01)
        .expect("a certificate outside CSC-01");
    assert!(
        !body_rows(&r.text())
            .iter()
            .any(|row| row.contains(&format!(">{}<", outside.row.number)))
    );
    t.get(&format!("/certificates/{}", outside.row.number))
        .session(&sup)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    t.get(&format!("/certificates/{}", own.row.number))
        .session(&sup)
        .send()
        .await
        .expect(StatusCode::OK);

    // Unknown numbers are 404.
    let m = t.web_login("manager").await;
    t.get("/certificates/CS1999999")
        .session(&m)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
}

// ---------- revocation ----------

#[tokio::test]
async fn revocation_needs_a_reason_and_sets_the_status_bit() {
    for t in TestApp::all().await {
        let cert = one_in(&t, "valid").await;
        let number = cert.row.number.clone();
        let page = format!("/certificates/{number}");
        let s = t.web_login("manager").await;
        let sup = t.web_login("supervisor").await;
        let audits = t.count("audit_log").await;

        let credential = credential_of(&t, &number).await;
        let report =
            check::check_with_status(&credential, t.app.now(), &lists_for(&t, &credential).await);
        assert_eq!(report.state, State::Valid, "{:?}", report.reasons);
        assert!(!bit(
            &status_list_doc(&t, "revocation").await,
            cert.row.revocation_index
        ));

        // The page offers revocation with a confirmation.
        let r = t.get(&page).session(&s).send().await;
        r.expect(StatusCode::OK);
        assert!(r.text().contains(&format!("action=\"{page}/revoke\"")));
        assert!(r.text().contains("data-confirm="));

        // No reason (or only spaces): refused with a clear message, nothing changes.
        for reason in ["", "   "] {
            let r = t
                .post(&format!("{page}/revoke"))
                .session(&s)
                .form(&[("_csrf", s.csrf.as_str()), ("reason", reason)])
                .send()
                .await;
            r.expect(StatusCode::UNPROCESSABLE_ENTITY);
            assert!(r.text().contains("请填写撤销原因"), "{}", r.text());
        }
        let r = t
            .post(&format!("{page}/revoke"))
            .session(&s)
            .lang("en")
            .form(&[("_csrf", s.csrf.as_str()), ("reason", "")])
            .send()
            .await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("Give a reason for the revocation"));
        let token = t.api_login("manager").await;
        let r = t
            .post(&format!("/api/v1/certificates/{number}/revoke"))
            .bearer(&token)
            .json(&serde_json::json!({"reason": ""}))
            .send()
            .await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["fields"][0]["code"], "certificate-reason-missing");
        // Without the CSRF token, or by someone who may not revoke: refused.
        t.post(&format!("{page}/revoke"))
            .session(&s)
            .form(&[("reason", "x")])
            .send()
            .await
            .expect(StatusCode::FORBIDDEN);
        t.post(&format!("{page}/revoke"))
            .session(&sup)
            .form(&[("_csrf", sup.csrf.as_str()), ("reason", "不应生效")])
            .send()
            .await
            .expect(StatusCode::FORBIDDEN);
        assert_eq!(t.count("audit_log").await, audits, "nothing was written");
        assert_eq!(
            certificates::verify(&t.app, &number)
                .await
                .unwrap()
                .status
                .key(),
            "valid"
        );

        // With a reason: revoked, audited, the bit is set, the credential reports it.
        let r = t
            .post(&format!("{page}/revoke"))
            .session(&s)
            .form(&[
                ("_csrf", s.csrf.as_str()),
                ("reason", "冒名顶替参加考试 / impersonation"),
            ])
            .send()
            .await;
        assert!(r.status.is_redirection(), "{}", r.text());
        assert_eq!(r.location().unwrap(), format!("{page}?done=revoked"));
        let r = t
            .get(&format!("{page}?done=revoked"))
            .session(&s)
            .send()
            .await;
        r.expect(StatusCode::OK);
        let html = r.text();
        assert!(html.contains("证书已撤销。"));
        assert!(html.contains("冒名顶替参加考试 / impersonation"));
        assert!(html.contains("cert-status-revoked"));
        assert!(!html.contains("/revoke\""), "no second revocation form");
        assert_eq!(t.count("audit_log").await, audits + 1);
        let list = status_list_doc(&t, "revocation").await;
        assert!(bit(&list, cert.row.revocation_index));
        assert!(proof::verify_proof(&list).is_ok(), "the list is signed");
        let report =
            check::check_with_status(&credential, t.app.now(), &lists_for(&t, &credential).await);
        assert_eq!(report.state, State::Revoked, "{:?}", report.checks);
        let api = t
            .get(&format!("/api/v1/certificates/{number}"))
            .bearer(&token)
            .send()
            .await;
        api.expect(StatusCode::OK);
        assert_eq!(api.json()["status"], "revoked");

        // A second revocation is refused, and says why.
        let r = t
            .post(&format!("{page}/revoke"))
            .session(&s)
            .form(&[("_csrf", s.csrf.as_str()), ("reason", "再次撤销")])
            .send()
            .await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("该证书已被撤销。"));
        let r = t
            .post(&format!("/api/v1/certificates/{number}/revoke"))
            .bearer(&token)
            .json(&serde_json::json!({"reason": "again"}))
            .send()
            .await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["fields"][0]["code"], "certificate-revoked");
        assert_eq!(t.count("audit_log").await, audits + 1);

        // Revoking through the API works the same.
        let other = one_in(&t, "valid").await;
        let r = t
            .post(&format!("/api/v1/certificates/{}/revoke", other.row.number))
            .bearer(&token)
            .json(&serde_json::json!({"reason": "证书信息有误"}))
            .send()
            .await;
        r.expect(StatusCode::OK);
        assert_eq!(r.json()["status"], "revoked");
        assert_eq!(r.json()["revoked_reason"], "证书信息有误");
        assert!(bit(
            &status_list_doc(&t, "revocation").await,
            other.row.revocation_index
        ));

        // Suspended certificates are in the suspension list; unknown lists are 404.
        let suspended = one_in(&t, "suspended").await;
        assert!(bit(
            &status_list_doc(&t, "suspension").await,
            suspended.row.suspension_index
        ));
        t.get("/status/refresh")
            .send()
            .await
            .expect(StatusCode::NOT_FOUND);
    }
}

// ---------- public verification ----------

#[tokio::test]
async fn the_verification_page_needs_no_sign_in_and_masks_the_name() {
    let t = TestApp::new().await;
    let valid = one_in(&t, "valid").await;
    let revoked = one_in(&t, "revoked").await;
    let expiring = one_in(&t, "expiring").await;
    let superseded = one_in(&t, "superseded").await;

    // The form, and a typed number going to its page.
    let r = t.get("/verify").send().await;
    r.expect(StatusCode::OK);
    assert!(r.text().contains("name=\"number\""));
    let r = t
        .get(&format!("/verify?number=+{}+", valid.row.number))
        .send()
        .await;
    assert!(r.status.is_redirection());
    assert_eq!(
        r.location().unwrap(),
        format!("/verify/{}", valid.row.number)
    );

    let masked = skillcert_domain::certification::mask_name(&valid.row.name);
    let r = t.get(&format!("/verify/{}", valid.row.number)).send().await;
    r.expect(StatusCode::OK);
    let html = r.text();
    assert!(html.contains("cert-verdict-valid"));
    assert!(html.contains("<p class=\"cert-verdict-says\">有效</p>"));
    assert!(html.contains(&masked));
    assert!(
        !html.contains(&valid.row.name),
        "the full name stays hidden"
    );
    assert!(!html.contains(&valid.row.employee_no));
    assert!(html.contains(&valid.row.department));
    assert!(html.contains(&valid.level.zh_cn));
    assert!(!html.contains("/logout"), "no session involved");
    assert!(r.cookie("sc_session").is_none());
    // A number typed in lower case is found too.
    t.get(&format!("/verify/{}", valid.row.number.to_lowercase()))
        .send()
        .await
        .expect(StatusCode::OK);

    // English, by header, and by the switcher's cookie.
    let r = t
        .get(&format!("/verify/{}", valid.row.number))
        .lang("en")
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert!(r.text().contains("<html lang=\"en\""));
    assert!(
        r.text()
            .contains("<p class=\"cert-verdict-says\">VALID</p>")
    );
    assert!(r.text().contains(&valid.level.en));
    let switch = format!("/lang/en?next=/verify/{}", valid.row.number);
    assert!(
        t.get(&format!("/verify/{}", valid.row.number))
            .send()
            .await
            .text()
            .contains(&switch)
    );
    let r = t.get(&switch).send().await;
    assert!(r.status.is_redirection());
    assert_eq!(
        r.location().unwrap(),
        format!("/verify/{}", valid.row.number)
    );
    let lang = r.cookie("sc_lang").unwrap();
    let r = t
        .get(&format!("/verify/{}", valid.row.number))
        .cookie("sc_lang", &lang)
        .send()
        .await;
    assert!(r.text().contains(">VALID<"));

    // Other states, each said plainly.
    for (c, zh, en) in [
        (&revoked, "已撤销", "REVOKED"),
        (&expiring, "有效 · 待复评", "VALID · RE-EVALUATION DUE"),
        (&superseded, "已被替代", "SUPERSEDED"),
    ] {
        let r = t.get(&format!("/verify/{}", c.row.number)).send().await;
        r.expect(StatusCode::OK);
        assert!(
            r.text()
                .contains(&format!("<p class=\"cert-verdict-says\">{zh}</p>")),
            "{}",
            c.row.number
        );
        assert!(!r.text().contains(&c.row.name));
        let r = t
            .get(&format!("/verify/{}", c.row.number))
            .lang("en")
            .send()
            .await;
        assert!(
            r.text()
                .contains(&format!("<p class=\"cert-verdict-says\">{en}</p>")),
            "{}",
            c.row.number
        );
    }
    // The revocation reason is for staff, not for the public.
    let reason = revoked.row.revoked_reason.clone().unwrap();
    let r = t
        .get(&format!("/verify/{}", revoked.row.number))
        .send()
        .await;
    assert!(!r.text().contains(&reason));
    // A superseded certificate points to its successor.
    let successor = superseded.row.superseded_by_number.clone().unwrap();
    assert!(
        t.get(&format!("/verify/{}", superseded.row.number))
            .send()
            .await
            .text()
            .contains(&format!("href=\"/verify/{successor}\""))
    );

    // Unknown numbers: 404, a clear message, nothing else.
    for (lang, says) in [
        ("zh-CN", "查无此证书"),
        ("en", "No certificate with this number"),
    ] {
        let r = t.get("/verify/CS1999999").lang(lang).send().await;
        r.expect(StatusCode::NOT_FOUND);
        let html = r.text();
        assert!(html.contains(says), "{html}");
        assert!(html.contains("CS1999999"));
        assert!(!html.contains("class=\"facts\""));
        assert!(!html.contains("cert-verdict-says\">有效"));
    }
    let r = t.get(&format!("/verify/{}", "X".repeat(300))).send().await;
    r.expect(StatusCode::NOT_FOUND);

    // The same as JSON.
    let r = t
        .get(&format!("/api/v1/verify/{}", revoked.row.number))
        .send()
        .await;
    r.expect(StatusCode::OK);
    let v = r.json();
    assert_eq!(v["status"], "revoked");
    assert_eq!(v["current"], false);
    assert_eq!(
        v["holder"],
        skillcert_domain::certification::mask_name(&revoked.row.name)
    );
    let text = r.text();
    assert!(!text.contains(&revoked.row.name));
    assert!(!text.contains(&revoked.row.employee_no));
    assert!(!text.contains(&reason));
    let r = t.get("/api/v1/verify/CS1999999").send().await;
    r.expect(StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "not-found");
}

// ---------- the credential ----------

#[tokio::test]
async fn the_credential_verifies_and_tampering_breaks_it() {
    let t = TestApp::new().await;
    let cert = one_in(&t, "valid").await;
    // Public: no session, no token.
    let credential = credential_of(&t, &cert.row.number).await;
    let info = proof::verify_proof(&credential).expect("the proof verifies");
    assert!(info.did.starts_with("did:key:"));
    assert_eq!(
        credential["credentialSubject"]["licenseNumber"],
        cert.row.number
    );
    assert!(skillcert_credential::credential::holder_matches(
        &credential,
        &cert.row.employee_no
    ));
    assert!(!credential.to_string().contains(&cert.row.name));
    let report = check::check(&credential, t.app.now());
    assert_eq!(report.state, State::Valid, "{:?}", report.reasons);

    // Any change breaks the proof.
    let mut tampered = credential.clone();
    tampered["validUntil"] = Value::from("2099-12-31T23:59:59Z");
    assert!(proof::verify_proof(&tampered).is_err());
    assert_eq!(check::check(&tampered, t.app.now()).state, State::Invalid);
    let mut tampered = credential.clone();
    tampered["credentialSubject"]["achievement"]["name"] = Value::from("高级客户服务专员");
    assert!(proof::verify_proof(&tampered).is_err());

    // Expired certificates verify as expired.
    let expired = one_in(&t, "expired").await;
    let old = credential_of(&t, &expired.row.number).await;
    assert!(proof::verify_proof(&old).is_ok());
    assert_eq!(check::check(&old, t.app.now()).state, State::Expired);

    t.get("/api/v1/certificates/CS1999999/credential")
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn after_a_key_rotation_old_certificates_keep_a_list_their_key_signed() {
    let t = TestApp::new().await;
    let cert = one_in(&t, "valid").await;
    let credential = credential_of(&t, &cert.row.number).await;
    let old_key = proof::verify_proof(&credential).unwrap().did;
    let new_key = t.app.issuer.rotate().unwrap();
    assert_ne!(old_key, new_key);
    // The list the credential names is still signed by its key, so its status is known.
    let lists = lists_for(&t, &credential).await;
    let report = check::check_with_status(&credential, t.app.now(), &lists);
    assert_eq!(report.state, State::Valid, "{:?}", report.reasons);
    for url in check::status_list_urls(&credential) {
        assert!(
            url.contains(old_key.trim_start_matches("did:key:")),
            "{url}"
        );
    }
    // Lists of keys the issuer does not hold do not exist.
    t.get("/status/revocation?key=z6MkNoSuchKey")
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
}

// ---------- print and PDF ----------

#[tokio::test]
async fn the_printable_certificate_and_its_pdf() {
    let t = TestApp::new().await;
    let cert = one_in(&t, "valid").await;
    let s = t.web_login("manager").await;

    let r = t
        .get(&format!("/certificates/{}/print", cert.row.number))
        .session(&s)
        .send()
        .await;
    r.expect(StatusCode::OK);
    let html = r.text();
    assert!(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(html.contains("客户服务专员认证证书"));
    assert!(html.contains("Customer Service Specialist Certificate"));
    for text in [
        &cert.row.name,
        &cert.row.employee_no,
        &cert.row.number,
        &cert.level.zh_cn,
        &cert.level.en,
    ] {
        assert!(html.contains(text.as_str()), "{text}");
    }
    let url = format!("{}/verify/{}", t.app.issuer.base_url(), cert.row.number);
    assert!(html.contains(&format!("href=\"{url}\"")));
    assert!(!html.contains("<nav>"), "no navigation on the printed page");
    assert!(
        !html.contains("cert-stamp"),
        "a valid certificate has no stamp"
    );

    // A certificate that is no longer valid says so on paper.
    let revoked = one_in(&t, "revoked").await;
    let r = t
        .get(&format!("/certificates/{}/print", revoked.row.number))
        .session(&s)
        .send()
        .await;
    assert!(r.text().contains("已撤销 / Revoked"));

    let r = t
        .get(&format!("/certificates/{}.pdf", cert.row.number))
        .session(&s)
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(r.headers["content-type"], "application/pdf");
    assert!(r.body.starts_with(b"%PDF-"));
    let bytes = String::from_utf8_lossy(&r.body);
    // The QR code's link carries the number; the title names it too (UTF-16).
    assert!(bytes.contains(&format!("/URI ({url})")), "the QR link");
    let title: String = cert
        .row
        .number
        .encode_utf16()
        .map(|u| format!("{u:04X}"))
        .collect();
    assert!(bytes.contains(&title));
    t.get("/certificates/CS1999999.pdf")
        .session(&s)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
}

// ---------- re-evaluation ----------

/// Re-evaluation messages of `kind` about certificate `number` in a user's inbox.
async fn messages_about(t: &TestApp, user: i64, kind: &str, number: &str) -> usize {
    let mut r = t.app.db.read().await.unwrap();
    skillcert_store::certification::messages(&mut r.conn(), user, 1, 200)
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|m| m.kind == kind && m.params.contains(number))
        .count()
}

#[tokio::test]
async fn re_evaluation_opens_once_with_messages_to_holder_and_supervisor() {
    let t = TestApp::new().await;
    let own = certificates_of(&t, "employee")
        .await
        .into_iter()
        .find(|c| c.row.superseded_by.is_none() && c.row.revoked_at.is_none())
        .expect("the demo employee's certificate");
    let number = own.row.number.clone();
    let holder = user_id(&t, "employee").await;
    let boss = user_id(&t, "supervisor").await;
    let kind = "inbox-reevaluation-due";
    let boss_kind = "inbox-reevaluation-due-supervisor";
    assert_eq!(messages_about(&t, holder, kind, &number).await, 0);

    let m = t.web_login("manager").await;
    let r = t.get("/reevaluation").session(&m).send().await;
    r.expect(StatusCode::OK);
    let html = r.text();
    assert!(html.contains("action=\"/reevaluation/sync\""));
    assert!(html.contains("data-confirm="));
    assert!(
        !html.contains(&format!("/certificates/{number}\"")),
        "not due yet"
    );

    // Not yet due: a check opens nothing for it.
    let r = t
        .post("/reevaluation/sync")
        .session(&m)
        .form(&[("_csrf", m.csrf.as_str())])
        .send()
        .await;
    assert!(r.status.is_redirection());
    assert_eq!(r.location().unwrap(), "/reevaluation?done=sync&n=0");
    assert_eq!(messages_about(&t, holder, kind, &number).await, 0);

    // The day the lead time begins.
    let days = (own.row.reevaluation_due - t.app.today()).num_days();
    t.advance(chrono::Duration::days(days));
    let m = t.web_login("manager").await;
    let r = t
        .post("/reevaluation/sync")
        .session(&m)
        .form(&[("_csrf", m.csrf.as_str())])
        .send()
        .await;
    assert!(r.status.is_redirection());
    let location = r.location().unwrap();
    assert!(
        location.starts_with("/reevaluation?done=sync&n="),
        "{location}"
    );
    assert_ne!(location, "/reevaluation?done=sync&n=0");
    assert_eq!(messages_about(&t, holder, kind, &number).await, 1);
    assert_eq!(messages_about(&t, boss, boss_kind, &number).await, 1);
    let r = t.get(&location).session(&m).send().await;
    r.expect(StatusCode::OK);
    assert!(r.text().contains("检查完成"));
    let row = body_rows(&r.text())
        .into_iter()
        .find(|row| row.contains(&format!("/certificates/{number}\"")))
        .expect("the task is listed");
    assert!(row.contains("cert-task-open"));

    // Idempotent: a second check (and the API's) opens nothing and sends nothing.
    let token = t.api_login("manager").await;
    let r = t
        .post("/api/v1/reevaluation/sync")
        .bearer(&token)
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(r.json()["opened"], 0);
    assert_eq!(messages_about(&t, holder, kind, &number).await, 1);
    assert_eq!(messages_about(&t, boss, boss_kind, &number).await, 1);
    let r = t
        .get("/api/v1/reevaluation/tasks?status=open")
        .bearer(&token)
        .send()
        .await;
    r.expect(StatusCode::OK);
    let open = r.json();
    assert_eq!(
        open.as_array()
            .unwrap()
            .iter()
            .filter(|task| task["number"] == number.as_str())
            .count(),
        1
    );
    assert!(
        open.as_array()
            .unwrap()
            .iter()
            .all(|task| task["status"] == "open")
    );
    t.get("/api/v1/reevaluation/tasks?status=later")
        .bearer(&token)
        .send()
        .await
        .expect(StatusCode::BAD_REQUEST);

    // The filter chips, and who may check.
    let r = t
        .get("/reevaluation?status=passed")
        .session(&m)
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert!(
        body_rows(&r.text())
            .iter()
            .all(|row| row.contains("cert-task-passed"))
    );
    let sup = t.web_login("supervisor").await;
    let r = t.get("/reevaluation").session(&sup).send().await;
    r.expect(StatusCode::OK);
    assert!(!r.text().contains("action=\"/reevaluation/sync\""));
    t.post("/reevaluation/sync")
        .session(&sup)
        .form(&[("_csrf", sup.csrf.as_str())])
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    let sup_token = t.api_login("supervisor").await;
    t.post("/api/v1/reevaluation/sync")
        .bearer(&sup_token)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);
    let e = t.api_login("employee").await;
    t.get("/api/v1/reevaluation/tasks")
        .bearer(&e)
        .send()
        .await
        .expect(StatusCode::FORBIDDEN);

    // Past expiry the open task lapses.
    let days = (own.row.valid_until - t.app.today()).num_days() + 1;
    t.advance(chrono::Duration::days(days));
    certificates::sync_reevaluation(&t.app).await.unwrap();
    let token = t.api_login("manager").await;
    let r = t
        .get("/api/v1/reevaluation/tasks?status=lapsed")
        .bearer(&token)
        .send()
        .await;
    assert!(
        r.json()
            .as_array()
            .unwrap()
            .iter()
            .any(|task| task["number"] == number.as_str())
    );
}

// ---------- messages ----------

fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3001}'..='\u{303f}'
        | '\u{3400}'..='\u{4dbf}'
        | '\u{4e00}'..='\u{9fff}'
        | '\u{ff01}'..='\u{ffef}')
}

#[tokio::test]
async fn english_pages_hold_no_chinese_but_data() {
    let t = TestApp::new().await;
    let all = all_certificates(&t).await;
    // Data: holders' names (also masked), departments, revocation reasons, the switch.
    let mut data: Vec<String> = vec![">中文<".to_string()];
    for c in &all {
        data.push(c.row.name.clone());
        data.push(skillcert_domain::certification::mask_name(&c.row.name));
        data.push(c.row.department.clone());
        data.extend(c.row.revoked_reason.clone());
    }
    {
        let mut r = t.app.db.read().await.unwrap();
        for u in skillcert_store::users::list_users(&mut r.conn())
            .await
            .unwrap()
        {
            data.push(u.display_name);
        }
    }
    data.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
    let s = t.web_login("manager").await;
    let valid = one_in(&t, "valid").await;
    let revoked = one_in(&t, "revoked").await;
    let mut paths = vec![
        "/certificates".to_string(),
        "/certificates?per_page=500".to_string(),
        "/reevaluation".to_string(),
        "/verify".to_string(),
        "/verify/CS1999999".to_string(),
    ];
    for c in [&valid, &revoked] {
        paths.push(format!("/certificates/{}", c.row.number));
        paths.push(format!("/verify/{}", c.row.number));
    }
    let mut problems = Vec::new();
    for path in paths {
        let r = t.get(&path).lang("en").session(&s).send().await;
        assert!(r.status == StatusCode::OK || r.status == StatusCode::NOT_FOUND);
        let mut rest = r.text();
        for d in &data {
            rest = rest.replace(d.as_str(), "");
        }
        if let Some(at) = rest.find(is_cjk) {
            let from = rest[..at]
                .char_indices()
                .rev()
                .nth(30)
                .map_or(0, |(i, _)| i);
            let to = rest[at..]
                .char_indices()
                .nth(30)
                .map_or(rest.len(), |(i, _)| at + i);
            problems.push(format!("{path}: …{}…", &rest[from..to]));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn every_dynamic_key_of_the_certificate_pages_exists() {
    let mut missing = Vec::new();
    for k in skillcert_web::html::certificates::dynamic_keys() {
        for l in Lang::ALL {
            if !has(l, &k) {
                missing.push(format!("{} {k}", l.tag()));
            }
        }
    }
    assert!(missing.is_empty(), "missing keys: {missing:#?}");
}
