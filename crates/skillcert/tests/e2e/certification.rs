//! A certification round end to end in Chromium, on the real binary with its demo: the
//! manager opens a round fed by a theory exam and a role-play panel; the employee applies
//! and is approved, sits the exam; the judge scores the role-play low; the manager enters
//! the daily score, reviews and publishes (certificates at publication): the employee has
//! failed; they appeal the practical component; the administrator, who took no part in the
//! scoring, re-scores it; the result passes, the certificate is issued, and the public
//! verification page, without signing in, says it is valid.

use serde_json::json;

use crate::browser::Browser;
use crate::flow::{Api, confirm_all, path, sign_in, sign_out, today};
use crate::server::Server;

#[tokio::test]
async fn a_certification_round_runs_end_to_end_in_the_browser() {
    let Some(mut b) = Browser::start().await else {
        eprintln!("skipped: chromedriver is not installed (scripts/test.sh installs it as root)");
        return;
    };
    let s = Server::start().await;
    let api = Api {
        http: reqwest::Client::new(),
    };
    let manager = api.login(&s, "manager").await;
    let (employee_id, employee_no) = api.employee_no(&s, &manager, "employee").await;
    let (_, judge_no) = api.employee_no(&s, &manager, "judge").await;
    let (_, mentor_no) = api.employee_no(&s, &manager, "mentor").await;

    // What feeds the round, prepared through the API: an exam session on the 10-question
    // practice paper (its list starts with another employee; approval adds the applicant),
    // and a role-play event with a panel of one, the demo judge.
    let papers = api.get(&s, &manager, "/api/v1/papers").await;
    let paper = papers
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "PRACTICE-10")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let now = chrono::Utc::now() + chrono::Duration::hours(8);
    let fmt = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M").to_string();
    let session = api
        .send(
            &s,
            &manager,
            "POST",
            "/api/v1/exam-sessions",
            json!({
                "code": "E2E-THEORY", "title": "认证理论考试（浏览器测试）",
                "paper_id": paper, "audience": "list", "candidates": mentor_no,
                "opens_at": fmt(now - chrono::Duration::hours(1)),
                "closes_at": fmt(now + chrono::Duration::hours(3)),
                "duration_minutes": "30", "pass_mark": "60", "review": "score_when_graded"
            }),
        )
        .await;
    let session_id = session["id"].as_i64().unwrap();
    api.send(
        &s,
        &manager,
        "POST",
        &format!("/api/v1/exam-sessions/{session_id}/publish"),
        json!({}),
    )
    .await;
    let event = api
        .send(
            &s,
            &manager,
            "POST",
            "/api/v1/events",
            json!({
                "code": "E2E-ROLEPLAY", "title": "情景模拟（浏览器测试）",
                "held_on": today().to_string(), "place": "培训室 A",
                "rubric_key": "s4-call-scoring",
                "pools": [{ "key": "panel", "name_zh": "考评组", "name_en": "Panel",
                            "quota": "1", "members": judge_no }]
            }),
        )
        .await;
    let event_id = event["id"].as_i64().unwrap();
    let subjects = api
        .send(
            &s,
            &manager,
            "PUT",
            &format!("/api/v1/events/{event_id}/subjects"),
            json!({ "candidates": employee_no }),
        )
        .await;
    let subject_id = subjects["subjects"][0]["id"].as_i64().unwrap();
    api.send(
        &s,
        &manager,
        "POST",
        &format!("/api/v1/events/{event_id}/seed"),
        json!({}),
    )
    .await;
    api.send(
        &s,
        &manager,
        "POST",
        &format!("/api/v1/events/{event_id}/draws"),
        json!({}),
    )
    .await;

    // 1. The manager opens the round on its page.
    sign_in(&mut b, &s, "manager", "zh-CN").await;
    b.goto(&s.url("/rounds/new")).await;
    b.screenshot("round-choose").await;
    b.goto(&s.url("/rounds/new?scheme=s1-certification")).await;
    b.wait_for("form.rounds-form").await;
    b.fill("input[name=code]", "CERT-E2E").await;
    b.fill("input[name=title]", "客服技能认证（浏览器测试）")
        .await;
    b.execute(&format!(
        "var f = document.querySelector('form.rounds-form'); \
         f.registration_opens.value = '{d0}'; f.registration_closes.value = '{d1}'; \
         f.assessment_starts.value = '{d0}'; f.assessment_ends.value = '{d1}'; \
         f.appeal_days.value = '3'; f.notice_days.value = '3'; \
         f.issue_at.value = 'publication'; f.track.value = 'basic'; \
         document.querySelectorAll('input[name=level]').forEach(function (c) {{ \
           c.checked = c.value === 'junior'; }}); \
         f.source_theory.value = 'E2E-THEORY'; f.source_practical.value = 'E2E-ROLEPLAY'; \
         return null;",
        d0 = today(),
        d1 = today() + chrono::Duration::days(7),
    ))
    .await;
    b.screenshot("round-new").await;
    b.click("form.rounds-form button[type=submit]").await;
    b.wait_for("#plan").await;
    let round_path = path(&b).await;
    let round_id: i64 = round_path
        .trim_start_matches("/rounds/")
        .parse()
        .unwrap_or_else(|_| panic!("on {round_path}"));
    b.screenshot("round-show").await;
    sign_out(&mut b).await;

    // 2. The employee applies; the manager approves.
    sign_in(&mut b, &s, "employee", "zh-CN").await;
    b.goto(&s.url("/rounds/open")).await;
    assert!(
        b.execute("return document.body.innerText;")
            .await
            .as_str()
            .unwrap()
            .contains("CERT-E2E")
    );
    b.screenshot("rounds-open").await;
    b.goto(&s.url(&format!("/rounds/{round_id}/apply"))).await;
    b.execute("document.querySelector('select[name=level]').value = 'junior'; return null;")
        .await;
    b.fill(
        "textarea[name=mentor_comment]",
        "服务规范熟练，可参加初级认证。",
    )
    .await;
    b.screenshot("round-apply").await;
    b.click("form[action^='/rounds/'] button[type=submit]")
        .await;
    b.wait_until("return window.location.pathname.endsWith('/mine');")
        .await;
    b.screenshot("round-mine").await;
    sign_out(&mut b).await;

    sign_in(&mut b, &s, "manager", "zh-CN").await;
    b.goto(&s.url(&round_path)).await;
    b.wait_for("#applications").await;
    b.screenshot("round-applications").await;
    b.click("form.rounds-decide button[value=approve]").await;
    b.wait_for("#applications").await;
    let applications = api
        .get(
            &s,
            &manager,
            &format!("/api/v1/rounds/{round_id}/applications"),
        )
        .await;
    assert_eq!(applications[0]["status"], "approved", "{applications}");
    sign_out(&mut b).await;

    // 3. The employee sits the exam they were put on by the approval.
    sign_in(&mut b, &s, "employee", "zh-CN").await;
    b.goto(&s.url("/my-exams")).await;
    confirm_all(&b).await;
    b.click(&format!(
        "form[action='/my-exams/{session_id}/start'] button"
    ))
    .await;
    b.wait_for("fieldset.question").await;
    let questions = b.count("fieldset.question").await;
    for pos in 0..questions {
        b.click(&format!("#q{pos} label.option input")).await;
    }
    b.wait_until("return document.querySelectorAll('.qmap a.answered').length === 10;")
        .await;
    confirm_all(&b).await;
    b.click("#submit-form button").await;
    b.wait_for("section.result").await;
    sign_out(&mut b).await;

    // 4. The judge scores the role-play, every item at its lowest band.
    sign_in(&mut b, &s, "judge", "zh-CN").await;
    b.goto(&s.url(&format!("/judging/{subject_id}"))).await;
    b.wait_for("form#sheet").await;
    b.execute(
        "document.querySelectorAll('[data-item]').forEach(function (item) { \
           var low = null; \
           item.querySelectorAll('input[type=radio]:not([value=na])').forEach(function (r) { \
             if (!low || parseInt(r.value, 10) < parseInt(low.value, 10)) { low = r; } }); \
           low.click(); }); \
         document.querySelectorAll('form#sheet textarea').forEach(function (t) { \
           if (!t.value) { t.value = '未按规范应答'; } }); return null;",
    )
    .await;
    b.screenshot("round-judge-sheet").await;
    confirm_all(&b).await;
    b.click("button[value=submit]").await;
    b.wait_for("#sheet-total").await;
    sign_out(&mut b).await;

    // 5. The manager types the daily score, reviews and publishes: a failure.
    sign_in(&mut b, &s, "manager", "zh-CN").await;
    b.goto(&s.url(&format!("{round_path}/results"))).await;
    b.wait_for(&format!("form#score-{employee_id}")).await;
    b.fill(
        &format!("input[name=c_daily][form=score-{employee_id}]"),
        "100",
    )
    .await;
    b.click(&format!("form#score-{employee_id} button")).await;
    b.wait_for("main table").await;
    b.screenshot("round-results").await;
    b.goto(&s.url(&round_path)).await;
    confirm_all(&b).await;
    b.click(&format!("form[action='{round_path}/review'] button"))
        .await;
    b.wait_for(&format!("form[action='{round_path}/publish']"))
        .await;
    confirm_all(&b).await;
    b.click(&format!("form[action='{round_path}/publish'] button"))
        .await;
    b.wait_until(&format!(
        "return !document.querySelector(\"form[action='{round_path}/publish']\");"
    ))
    .await;
    b.screenshot("round-published").await;
    let results = api
        .get(&s, &manager, &format!("/api/v1/rounds/{round_id}/results"))
        .await;
    let row = results["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["application"]["employee_id"] == employee_id)
        .unwrap()
        .clone();
    assert_eq!(row["stored"]["passed"], false, "{row}");
    b.goto(&s.url(&format!("{round_path}/report"))).await;
    b.screenshot("round-report").await;
    sign_out(&mut b).await;

    // 6. The employee sees the failure and appeals the practical component.
    sign_in(&mut b, &s, "employee", "zh-CN").await;
    b.goto(&s.url("/my-certification")).await;
    b.wait_for("#results").await;
    b.screenshot("my-certification-failed").await;
    let result_id = row["stored"]["id"].as_i64().unwrap();
    b.goto(&s.url(&format!("/results/{result_id}/appeal")))
        .await;
    b.execute("document.querySelector('select[name=component]').value = 'practical'; return null;")
        .await;
    b.fill("input[name=item]", "情景模拟全部项目").await;
    b.fill(
        "textarea[name=reason]",
        "考评当天系统录音中断，考评员仅听到部分对话，评分未反映实际表现。",
    )
    .await;
    b.screenshot("appeal-file").await;
    confirm_all(&b).await;
    b.click("form[action$='/appeal'] button[type=submit]").await;
    b.wait_until("return /^\\/appeals\\/\\d+$/.test(window.location.pathname);")
        .await;
    let appeal_path = path(&b).await;
    b.screenshot("appeal-filed").await;
    sign_out(&mut b).await;

    // 7. The manager typed a score, so may not decide; the administrator re-scores. With the
    //    daily score at 100, a practical 100 passes whatever the random exam answers scored.
    sign_in(&mut b, &s, "manager", "zh-CN").await;
    b.goto(&s.url(&appeal_path)).await;
    assert_eq!(
        b.count(".appeals-involved").await,
        1,
        "the manager is involved"
    );
    sign_out(&mut b).await;
    sign_in(&mut b, &s, "admin", "zh-CN").await;
    b.goto(&s.url("/appeals")).await;
    b.screenshot("appeals-list").await;
    b.goto(&s.url(&appeal_path)).await;
    b.wait_for("#decide").await;
    b.click("input[name=decision][value=rescore]").await;
    b.fill("input[name=score_practical]", "100").await;
    b.fill(
        "textarea[name=note]",
        "调取完整录音复核，重新评定实操成绩为 100 分。",
    )
    .await;
    b.screenshot("appeal-decide").await;
    confirm_all(&b).await;
    b.click("form[action$='/decide'] button[type=submit]").await;
    b.wait_until("return !document.getElementById('decide');")
        .await;
    b.wait_for("#compare").await;
    b.screenshot("appeal-rescored").await;
    b.goto(&s.url(&format!("/lang/en?next={appeal_path}")))
        .await;
    b.wait_for("#compare").await;
    b.screenshot("appeal-rescored-en").await;
    b.goto(&s.url(&format!("/lang/zh-CN?next={round_path}")))
        .await;
    sign_out(&mut b).await;

    // 8. The employee sees before and after, and the certificate issued.
    sign_in(&mut b, &s, "employee", "zh-CN").await;
    b.goto(&s.url(&appeal_path)).await;
    b.wait_for("#compare").await;
    let employee = api.login(&s, "employee").await;
    let mine = api.get(&s, &employee, "/api/v1/me/certification").await;
    let certificate = mine["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["round_id"] == round_id)
        .unwrap_or_else(|| panic!("a certificate of the round: {mine}"))
        .clone();
    assert_eq!(certificate["status"], "valid");
    assert_eq!(certificate["level_key"], "junior");
    let number = certificate["number"].as_str().unwrap().to_string();
    assert!(number.starts_with("CS"), "{number}");
    b.goto(&s.url("/my-certification")).await;
    b.wait_for("#certificates").await;
    b.screenshot("my-certification-passed").await;
    b.goto(&s.url("/lang/en?next=/my-certification")).await;
    b.wait_for("#certificates").await;
    b.screenshot("my-certification-passed-en").await;
    b.goto(&s.url("/lang/zh-CN?next=/my-certification")).await;
    b.goto(&s.url(&format!("/certificates/{number}"))).await;
    b.screenshot("certificate").await;
    b.goto(&s.url("/inbox")).await;
    b.screenshot("inbox").await;
    sign_out(&mut b).await;

    // 9. Anyone verifies it without signing in.
    b.goto(&s.url(&format!("/lang/zh-CN?next=/verify/{number}")))
        .await;
    b.wait_for(".cert-verdict").await;
    assert_eq!(b.count(".cert-verdict-valid").await, 1, "valid");
    b.screenshot("verify-valid").await;
    b.goto(&s.url(&format!("/lang/en?next=/verify/{number}")))
        .await;
    b.wait_for(".cert-verdict-valid").await;
    b.screenshot("verify-valid-en").await;
    b.goto(&s.url("/verify/CS1999999")).await;
    assert_eq!(b.count(".cert-verdict-unknown").await, 1);

    // 10. The register, the printable certificate and the re-evaluation list.
    sign_in(&mut b, &s, "manager", "zh-CN").await;
    b.goto(&s.url("/certificates")).await;
    b.wait_for("main table").await;
    b.screenshot("certificates").await;
    b.goto(&s.url(&format!("/certificates/{number}/print")))
        .await;
    b.screenshot("certificate-print").await;
    b.goto(&s.url("/reevaluation")).await;
    b.screenshot("reevaluation").await;
    b.quit().await;
}
