//! Training end to end in Chromium, on the real binary with its demo: the lecturer opens
//! today's session and shows the check-in code; the employee types it in on "My training";
//! the lecturer sets homework, the employee hands it in and the lecturer marks it; the
//! employee's mentor records the 1:1 follow-up; and the daily-performance component of a
//! round fed by training shows its breakdown on the employee's own result.

use serde_json::json;

use crate::browser::Browser;
use crate::flow::{Api, path, sign_in, sign_out, today};
use crate::server::Server;

#[tokio::test]
async fn training_feeds_the_daily_component_in_the_browser() {
    let Some(mut b) = Browser::start().await else {
        eprintln!("skipped: chromedriver is not installed (scripts/test.sh installs it as root)");
        return;
    };
    let s = Server::start().await;
    let api = Api {
        http: reqwest::Client::new(),
    };
    let manager = api.login(&s, "manager").await;
    let employee = api.login(&s, "employee").await;

    // The demo's session running now, lectured by the demo lecturer, the employee on it.
    let mine = api.get(&s, &employee, "/api/v1/me/training").await;
    let today_session = mine["upcoming"]
        .as_array()
        .unwrap()
        .iter()
        .chain(mine["past"].as_array().unwrap())
        .find(|r| r["code"] == "TRS-2026-TODAY")
        .unwrap_or_else(|| panic!("the demo's session of today: {mine}"))
        .clone();
    let session_id = today_session["session_id"].as_i64().unwrap();
    assert!(today_session["mark"].is_null(), "{today_session}");

    // A round whose daily-performance component comes from training, the employee approved.
    let d0 = today();
    let d1 = today() + chrono::Duration::days(7);
    let round = api
        .send(
            &s,
            &manager,
            "POST",
            "/api/v1/rounds",
            json!({
                "code": "CERT-E2E-TRAINING", "title": "培训成绩计入日常表现",
                "scheme_key": "s1-certification", "scheme_version": "preset",
                "track": "basic", "levels": "junior",
                "registration_opens": d0.to_string(), "registration_closes": d1.to_string(),
                "assessment_starts": d0.to_string(), "assessment_ends": d1.to_string(),
                "notice_days": "3", "appeal_days": "3",
                "sources": {"daily": "training"}
            }),
        )
        .await;
    let round_id = round["round"]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("the new round: {round}"));
    sign_in(&mut b, &s, "employee", "zh-CN").await;
    b.goto(&s.url(&format!("/rounds/{round_id}/apply"))).await;
    b.execute("document.querySelector('select[name=level]').value = 'junior'; return null;")
        .await;
    b.fill("textarea[name=mentor_comment]", "按时参训，作业认真。")
        .await;
    b.click("form[action^='/rounds/'] button[type=submit]")
        .await;
    b.wait_until("return window.location.pathname.endsWith('/mine');")
        .await;
    sign_out(&mut b).await;
    let applications = api
        .get(
            &s,
            &manager,
            &format!("/api/v1/rounds/{round_id}/applications"),
        )
        .await;
    api.send(
        &s,
        &manager,
        "POST",
        &format!(
            "/api/v1/applications/{}/decision",
            applications[0]["id"].as_i64().unwrap()
        ),
        json!({"approve": true}),
    )
    .await;

    // 1. The lecturer shows the check-in code on the screen of the room.
    sign_in(&mut b, &s, "lecturer", "zh-CN").await;
    b.goto(&s.url(&format!("/training-sessions/{session_id}")))
        .await;
    b.screenshot("training-session").await;
    b.goto(&s.url(&format!("/training-sessions/{session_id}/code")))
        .await;
    b.wait_for("section.card svg").await;
    let code = b.text("section.card p[aria-label]").await;
    assert_eq!(code.trim().len(), 6, "a six-digit code: {code}");
    b.screenshot("training-code").await;
    sign_out(&mut b).await;

    // 2. The employee checks in with it on "My training".
    sign_in(&mut b, &s, "employee", "zh-CN").await;
    b.goto(&s.url("/my-training")).await;
    let form = format!("form[action='/check-in']:has(input[name=session][value='{session_id}'])");
    b.fill(&format!("{form} input[name=code]"), code.trim())
        .await;
    b.screenshot("training-mine").await;
    b.click(&format!("{form} button[type=submit]")).await;
    b.wait_for("body").await;
    let mine = api.get(&s, &employee, "/api/v1/me/training").await;
    let mark = mine["upcoming"]
        .as_array()
        .unwrap()
        .iter()
        .chain(mine["past"].as_array().unwrap())
        .find(|r| r["session_id"] == session_id)
        .map(|r| r["mark"].clone())
        .unwrap();
    assert!(
        mark == "present" || mark == "late",
        "checked in by the code: {mark}"
    );
    b.screenshot("training-checked-in").await;
    sign_out(&mut b).await;

    // 3. The lecturer sets homework on the session.
    sign_in(&mut b, &s, "lecturer", "zh-CN").await;
    b.goto(&s.url(&format!("/training-sessions/{session_id}/homework")))
        .await;
    b.fill("input[name=title]", "改写一段服务话术").await;
    b.fill(
        "textarea[name=instructions]",
        "把一段生硬的拒绝改写成有同理心的说明，不超过 200 字。",
    )
    .await;
    let deadline = (chrono::Utc::now() + chrono::Duration::days(3) + chrono::Duration::hours(8))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    b.execute(&format!(
        "var f = document.querySelector('form[action$=\"/homework\"]'); \
         f.deadline.value = '{deadline}'; f.max_points.value = '20'; \
         f.querySelector('input[name=late_policy][value=strict]').checked = true; \
         return null;"
    ))
    .await;
    b.screenshot("training-homework-new").await;
    b.click("form[action$='/homework'] button[type=submit]")
        .await;
    b.wait_until("return /^\\/homework\\/\\d+$/.test(window.location.pathname);")
        .await;
    let homework_path = path(&b).await;
    sign_out(&mut b).await;

    // 4. The employee hands it in.
    sign_in(&mut b, &s, "employee", "zh-CN").await;
    b.goto(&s.url("/my-training/homework")).await;
    b.screenshot("training-my-homework").await;
    b.goto(&s.url(&format!("{homework_path}/submit"))).await;
    b.fill(
        "textarea[name=text]",
        "非常理解您着急的心情，这项业务需要本人到场办理，我先帮您预约最近的时段。",
    )
    .await;
    b.click("form[enctype='multipart/form-data'] button[type=submit]")
        .await;
    b.wait_until(&format!(
        "return window.location.pathname === '{homework_path}' || \
         window.location.pathname === '/my-training/homework';"
    ))
    .await;
    sign_out(&mut b).await;

    // 5. The lecturer marks it.
    sign_in(&mut b, &s, "lecturer", "zh-CN").await;
    b.goto(&s.url(&homework_path)).await;
    b.wait_for("form[action^='/homework/submissions/']").await;
    b.fill(
        "form[action^='/homework/submissions/'] input[name=points]",
        "18",
    )
    .await;
    b.fill(
        "form[action^='/homework/submissions/'] textarea[name=comment]",
        "共情到位，方案具体。",
    )
    .await;
    b.screenshot("training-homework-mark").await;
    b.click("form[action^='/homework/submissions/'] button[type=submit]")
        .await;
    b.wait_for("body").await;
    let homework = api
        .get(&s, &employee, "/api/v1/me/homework")
        .await
        .to_string();
    assert!(homework.contains("改写一段服务话术"), "{homework}");
    sign_out(&mut b).await;

    // 6. The mentor records the follow-up after the session.
    let (employee_id, _) = api.employee_no(&s, &manager, "employee").await;
    sign_in(&mut b, &s, "mentor", "zh-CN").await;
    b.goto(&s.url("/mentoring")).await;
    b.screenshot("training-mentoring").await;
    b.goto(&s.url(&format!("/mentoring/{employee_id}/follow-ups")))
        .await;
    b.execute(&format!(
        "var sel = document.querySelector('select[name=session_id]'); \
         if (sel.querySelector('option[value=\"{session_id}\"]')) {{ sel.value = '{session_id}'; }} \
         document.querySelector('input[name=evaluation]').value = '90'; return null;"
    ))
    .await;
    b.fill(
        "textarea[name=notes]",
        "复盘了今天的话术练习，下周重点练习投诉安抚。",
    )
    .await;
    b.screenshot("training-follow-up").await;
    b.click("form[action$='/follow-ups'] button[type=submit]")
        .await;
    b.wait_for("body").await;
    let follow_ups = api
        .get(
            &s,
            &api.login(&s, "mentor").await,
            &format!("/api/v1/mentoring/{employee_id}/follow-ups"),
        )
        .await
        .to_string();
    assert!(follow_ups.contains("投诉安抚"), "{follow_ups}");
    sign_out(&mut b).await;

    // 7. The employee's own result shows the daily component and how it was reached.
    sign_in(&mut b, &s, "employee", "en").await;
    b.goto(&s.url(&format!("/rounds/{round_id}/mine"))).await;
    b.wait_for(".rounds-training-preview").await;
    let preview = b.text(".rounds-training-preview").await;
    assert!(
        preview.contains("30/40/30") && preview.contains("90"),
        "the breakdown with the mentor's 90: {preview}"
    );
    b.execute("document.querySelector('.rounds-training-preview').scrollIntoView(); return null;")
        .await;
    b.screenshot("training-daily-en").await;
    sign_out(&mut b).await;

    // The manager's side, for the user guide: the needs survey and its report, the plan,
    // the calendar, compliance and the external-training queue.
    let surveys = api.get(&s, &manager, "/api/v1/surveys?phase=closed").await;
    let survey_id = surveys["items"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("the demo's closed survey: {surveys}"));
    sign_in(&mut b, &s, "manager", "zh-CN").await;
    for (page, name) in [
        ("/training".to_string(), "training-overview"),
        ("/training/calendar".to_string(), "training-calendar"),
        ("/skills".to_string(), "training-skills"),
        ("/surveys".to_string(), "training-surveys"),
        (
            format!("/surveys/{survey_id}/report"),
            "training-needs-report",
        ),
        ("/compliance".to_string(), "training-compliance"),
        ("/external-trainings".to_string(), "training-external"),
    ] {
        b.goto(&s.url(&page)).await;
        b.wait_for("main h1").await;
        assert!(!b.text("main h1").await.contains("404"), "{page}");
        b.screenshot(name).await;
    }
    b.quit().await;
}
