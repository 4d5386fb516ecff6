//! S1's assessment evaluation report of a round: the page in both languages, the Excel
//! and PDF downloads and the JSON API, for a round fed by the demo's closed exam session
//! and closed assessment event (so there is detail per skill and rubric item) and for the
//! demo's round of typed-in scores (no detail); and who may see it.

use axum::http::{StatusCode, header};
use skillcert_app::certification::applications::{self, ApplicationInput};
use skillcert_app::certification::report::{EvaluationReport, evaluation_report};
use skillcert_app::certification::results;
use skillcert_app::certification::rounds::{self, RoundInput};
use skillcert_domain::certification::report::Share;
use skillcert_reports::{FileKind, read_table};
use skillcert_store::certification as store;
use skillcert_web::i18n::{Lang, t as tr};

use crate::exams::actor;
use crate::helpers::*;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Employee numbers and ids of those who sat `THEORY-2026-Q3` (all in CSC-01) and of
/// those assessed at `S4-ONSITE-Q3` (a service hall).
async fn sources(t: &TestApp) -> (Vec<(String, i64)>, Vec<(String, i64)>) {
    let mut r = t.app.db.read().await.unwrap();
    let c = &mut r.conn();
    let session = store::exam_session_by_code(c, "THEORY-2026-Q3")
        .await
        .unwrap()
        .unwrap();
    let mut exam = std::collections::BTreeSet::new();
    for (_, employee, _, _) in store::graded_attempts(c, session.0).await.unwrap() {
        exam.insert(employee);
    }
    let event = store::event_by_code(c, "S4-ONSITE-Q3")
        .await
        .unwrap()
        .unwrap();
    let mut panel = std::collections::BTreeSet::new();
    for s in skillcert_store::practical::subjects(c, event.0)
        .await
        .unwrap()
    {
        panel.extend(s.employee_id);
    }
    let mut out = (Vec::new(), Vec::new());
    for (ids, into) in [(exam, &mut out.0), (panel, &mut out.1)] {
        for id in ids {
            let e = skillcert_store::org::get_employee(c, id).await.unwrap();
            into.push((e.employee_no, id));
        }
    }
    out
}

/// An S1 round with `sources` (component → exam session or event code); everyone who sat
/// the exam or was assessed applies and is approved, and the components without a source
/// are typed in for all of them.
async fn round_with(t: &TestApp, code: &str, sources: &[(&str, &str)]) -> i64 {
    let app = &t.app;
    let manager = actor(t, "manager").await;
    let scheme = skillcert_domain::scheme::presets::get("s1-certification").unwrap();
    let mut input = RoundInput::defaults(app, &scheme);
    input.code = code.into();
    input.title = "评估报告测试批次".into();
    input.sources = sources
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let round = rounds::create(app, &manager, &input).await.unwrap();
    let (exam, panel) = self::sources(t).await;
    assert!(
        exam.len() >= 8 && panel.len() >= 4,
        "the demo's sources hold enough people"
    );
    for (i, (no, id)) in exam.iter().chain(&panel).enumerate() {
        let level = ApplicationInput {
            level: "junior".into(),
            ..ApplicationInput::default()
        };
        let application = applications::apply_for(app, &manager, no, round.id, &level, &[])
            .await
            .unwrap();
        applications::decide(app, &manager, application, true, "")
            .await
            .unwrap();
        for (component, score) in [
            ("practical", 58 + (i * 11) % 40),
            ("daily", 62 + (i * 7) % 35),
        ] {
            if !sources.iter().any(|(k, _)| *k == component) {
                results::enter_score(app, &manager, round.id, *id, component, &score.to_string())
                    .await
                    .unwrap();
            }
        }
    }
    round.id
}

/// The round of the brief: theory from the exam session, practical from the event.
async fn fed_round(t: &TestApp) -> i64 {
    round_with(
        t,
        "T-REPORT",
        &[("theory", "THEORY-2026-Q3"), ("practical", "S4-ONSITE-Q3")],
    )
    .await
}

async fn report_of(t: &TestApp, username: &str, id: i64) -> EvaluationReport {
    evaluation_report(&t.app, &actor(t, username).await, id)
        .await
        .unwrap()
}

fn zh(r: &EvaluationReport, skill: bool, key: &str) -> (String, String) {
    let names = if skill { &r.skill_names } else { &r.item_names };
    let l = names.get(key).unwrap();
    (l.zh_cn.clone(), l.en.clone())
}

/// Text as askama escapes it in a page.
fn escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// Chinese left on an English page once the language switch and the data shown (names,
/// departments, the round's title) are taken out.
fn stray_chinese(html: &str, r: &EvaluationReport) -> Option<String> {
    let mut data: Vec<String> = vec![r.results.detail.round.title.clone()];
    data.extend(
        r.results
            .detail
            .sources
            .iter()
            .filter_map(|s| s.title.as_deref().map(escaped)),
    );
    for c in &r.results.rows {
        data.push(escaped(&c.application.name));
        data.push(escaped(&c.application.department));
    }
    for p in &r.people {
        data.extend(p.judges_notes.iter().map(|n| escaped(n)));
    }
    data.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
    // The body only: the header holds the signed-in user's name and the language switch.
    let mut rest = html[html.find("<main>").unwrap_or(0)..].to_string();
    for d in &data {
        rest = rest.replace(d.as_str(), "");
    }
    let cjk =
        |c: char| ('\u{3000}'..='\u{9fff}').contains(&c) || ('\u{ff00}'..='\u{ffef}').contains(&c);
    let at = rest.find(cjk)?;
    Some(rest[at.saturating_sub(60)..].chars().take(80).collect())
}

#[tokio::test]
async fn the_report_of_a_fed_round_shows_weak_skills_and_rubric_items() {
    for t in TestApp::all().await {
        let id = fed_round(&t).await;
        let r = report_of(&t, "manager", id).await;
        assert!(!r.skills.is_empty() && !r.items.is_empty());
        // The exam's candidates (CSC-01) and the event's (a service hall) are different
        // people, so nobody is complete: the report still pools what there is.
        assert!(r.people.is_empty() && r.departments.is_empty());
        assert!(r.results.rows.iter().all(|c| c.evaluation.is_none()));
        let (skill_zh, skill_en) = zh(&r, true, &r.skills[0].key);
        let (item_zh, item_en) = zh(&r, false, &r.items[0].key);
        let s = t.web_login("manager").await;

        let page = t
            .get(&format!("/rounds/{id}/report"))
            .session(&s)
            .lang("zh-CN")
            .send()
            .await;
        page.expect(StatusCode::OK);
        let html = page.text();
        for want in [
            "认证考核评估报告",
            "T-REPORT",
            "模块成绩",
            "成绩排名",
            "薄弱技能与评分项",
            "各部门情况",
            "个人改进建议",
            "理论考试场次 THEORY-2026-Q3",
            &escaped(&skill_zh),
            &escaped(&item_zh),
            &format!("/rounds/{id}/report.xlsx"),
            &format!("/rounds/{id}/report.pdf"),
        ] {
            assert!(html.contains(want), "zh-CN page lacks {want}");
        }
        // Weakest first, each weak one marked and drawn as a weak bar.
        let weak = r
            .skills
            .iter()
            .chain(&r.items)
            .filter(|s| s.share < 0.6)
            .count();
        assert!(weak > 0, "the demo has weak skills or items");
        assert_eq!(html.matches("report-bar weak").count(), weak);
        assert!(
            html.find(&escaped(&skill_zh))
                < html.find(&escaped(&zh(&r, true, &r.skills[r.skills.len() - 1].key).0)),
            "weakest first"
        );
        for c in &r.results.rows {
            let no = &c.application.employee_no;
            assert!(html.contains(no.as_str()), "{no} is ranked");
        }
        assert!(
            html.contains("缺少实操考核成绩"),
            "an exam candidate lacks the panel"
        );
        assert!(
            html.contains("缺少理论考试成绩"),
            "a panel candidate lacks the exam"
        );
        assert!(html.contains(&escaped(tr(Lang::ZhCn, "report-no-results"))));
        assert!(!html.contains("⟦?⟧"), "every message exists in zh-CN");

        let page = t
            .get(&format!("/rounds/{id}/report"))
            .session(&s)
            .lang("en")
            .send()
            .await;
        page.expect(StatusCode::OK);
        let html = page.text();
        for want in [
            "Assessment evaluation report",
            "Module scores",
            "Weak skills and rubric items",
            "Improvement advice per person",
            "exam session THEORY-2026-Q3",
            &escaped(&skill_en),
            &escaped(&item_en),
        ] {
            assert!(html.contains(want), "en page lacks {want}");
        }
        assert_eq!(html.matches("report-bar weak").count(), weak);
        assert_eq!(stray_chinese(&html, &r), None, "English page");
        assert!(!html.contains("⟦?⟧"));
        assert!(!html.contains(&escaped(&skill_zh)) || skill_zh == skill_en);

        // The Excel workbook: one sheet per section, the summary first.
        let x = t
            .get(&format!("/rounds/{id}/report.xlsx"))
            .session(&s)
            .lang("zh-CN")
            .send()
            .await;
        x.expect(StatusCode::OK);
        assert_eq!(x.headers[header::CONTENT_TYPE], XLSX);
        assert!(
            x.headers[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .contains("T-REPORT-report.xlsx")
        );
        for n in 1..=7 {
            let sheet = format!("xl/worksheets/sheet{n}.xml");
            assert!(
                x.body.windows(sheet.len()).any(|w| w == sheet.as_bytes()),
                "sheet {n}"
            );
        }
        let summary = read_table(&x.body, FileKind::Xlsx).unwrap();
        assert_eq!(summary.headers, vec!["指标", "数值"]);
        assert_eq!(summary.rows[0].cells[1], "T-REPORT · 评估报告测试批次");

        // The PDF.
        let p = t
            .get(&format!("/rounds/{id}/report.pdf"))
            .session(&s)
            .lang("zh-CN")
            .send()
            .await;
        p.expect(StatusCode::OK);
        assert_eq!(p.headers[header::CONTENT_TYPE], "application/pdf");
        assert!(p.body.starts_with(b"%PDF-1.7"));
        assert!(p.body.ends_with(b"%%EOF\n"));
        assert!(
            p.headers[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .contains("T-REPORT-report.pdf")
        );
        let again = t
            .get(&format!("/rounds/{id}/report.pdf"))
            .session(&s)
            .lang("zh-CN")
            .send()
            .await;
        assert_eq!(p.body, again.body, "the same report gives the same bytes");

        // The JSON API.
        let token = t.api_login("manager").await;
        let j = t
            .get(&format!("/api/v1/rounds/{id}/report"))
            .bearer(&token)
            .send()
            .await;
        j.expect(StatusCode::OK);
        let v = j.json();
        assert_eq!(v["skills"][0]["key"], r.skills[0].key.as_str());
        assert_eq!(v["items"].as_array().unwrap().len(), r.items.len());
        assert_eq!(v["modules"].as_array().unwrap().len(), 3);
        assert!(v["skill_names"][&r.skills[0].key]["zh-CN"].is_string());
        assert_eq!(v["results"]["detail"]["round"]["code"], "T-REPORT");
    }
}

#[tokio::test]
async fn only_those_who_may_see_the_results_see_the_report() {
    let t = TestApp::new().await;
    let id = fed_round(&t).await;
    for user in ["lecturer", "judge", "mentor", "employee", "supervisor"] {
        // The supervisor sees results only once published; this round is still open.
        let s = t.web_login(user).await;
        for path in [
            format!("/rounds/{id}/report"),
            format!("/rounds/{id}/report.xlsx"),
            format!("/rounds/{id}/report.pdf"),
        ] {
            let r = t.get(&path).session(&s).send().await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{user} {path}");
        }
        let token = t.api_login(user).await;
        let r = t
            .get(&format!("/api/v1/rounds/{id}/report"))
            .bearer(&token)
            .send()
            .await;
        r.expect(StatusCode::FORBIDDEN);
        assert_eq!(r.code(), "forbidden");
    }
    // Signed out: to the sign-in page; an unknown round: 404.
    let r = t.get(&format!("/rounds/{id}/report")).send().await;
    assert!(r.status.is_redirection(), "{}", r.status);
    let s = t.web_login("manager").await;
    let r = t.get("/rounds/999999/report").session(&s).send().await;
    r.expect(StatusCode::NOT_FOUND);
    let token = t.api_login("manager").await;
    let r = t
        .get("/api/v1/rounds/999999/report")
        .bearer(&token)
        .send()
        .await;
    r.expect(StatusCode::NOT_FOUND);
}

async fn round_id(t: &TestApp, code: &str) -> i64 {
    let mut r = t.app.db.read().await.unwrap();
    store::round_by_code(&mut r.conn(), code)
        .await
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test]
async fn typed_in_scores_give_a_report_without_skill_detail() {
    let t = TestApp::new().await;
    let id = round_id(&t, "CERT-2026-B").await;
    let r = report_of(&t, "manager", id).await;
    assert!(
        r.skills.is_empty() && r.items.is_empty(),
        "no exam, no panel"
    );
    assert_eq!(r.people.len(), 4);
    let s = t.web_login("manager").await;
    for (lang, want) in [(Lang::ZhCn, "zh-CN"), (Lang::En, "en")] {
        let page = t
            .get(&format!("/rounds/{id}/report"))
            .session(&s)
            .lang(want)
            .send()
            .await;
        page.expect(StatusCode::OK);
        let html = page.text();
        assert!(
            html.contains(&escaped(tr(lang, "report-no-detail"))),
            "{want}: the empty state says why"
        );
        assert!(html.contains(&escaped(tr(lang, "report-source-manual"))));
        assert!(html.contains(&escaped(tr(lang, "report-suggest-none"))));
        assert!(!html.contains("report-bar"), "no bars without detail");
        for p in &r.people {
            assert!(html.contains(&p.employee_no));
        }
        assert!(html.contains(tr(lang, "report-status-published")));
        if lang == Lang::En {
            assert_eq!(stray_chinese(&html, &r), None, "English page");
        }
    }
    let x = t
        .get(&format!("/rounds/{id}/report.xlsx"))
        .session(&s)
        .lang("en")
        .send()
        .await;
    x.expect(StatusCode::OK);
    assert_eq!(x.headers[header::CONTENT_TYPE], XLSX);
    let summary = read_table(&x.body, FileKind::Xlsx).unwrap();
    assert_eq!(summary.headers, vec!["Figure", "Value"]);
    let cell = |label: &str| {
        summary
            .rows
            .iter()
            .find(|row| row.cells[0] == label)
            .map(|row| row.cells[1].clone())
            .unwrap()
    };
    assert_eq!(cell("Candidates"), "4");
    assert_eq!(cell("Passed"), "3", "one of the four failed");
    let p = t
        .get(&format!("/rounds/{id}/report.pdf"))
        .session(&s)
        .lang("en")
        .send()
        .await;
    p.expect(StatusCode::OK);
    assert_eq!(p.headers[header::CONTENT_TYPE], "application/pdf");
}

/// The names a suggestion should give: weak skills, then weak items, each once.
fn suggested(r: &EvaluationReport, lang: Lang, skills: &[Share], items: &[Share]) -> String {
    let mut names: Vec<String> = Vec::new();
    for (s, map) in skills
        .iter()
        .map(|s| (s, &r.skill_names))
        .chain(items.iter().map(|s| (s, &r.item_names)))
    {
        let l = map.get(&s.key).unwrap();
        let name = if lang == Lang::ZhCn { &l.zh_cn } else { &l.en }.clone();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let sep = if lang == Lang::ZhCn { "、" } else { ", " };
    tr(lang, "report-suggest-focus").replace("{list}", &names.join(sep))
}

#[tokio::test]
async fn people_and_departments_get_advice_and_a_supervisor_sees_only_theirs() {
    let t = TestApp::new().await;
    // Theory from the exam, the other components typed in: the exam's candidates are
    // complete, the event's (outside CSC-01) lack the exam.
    let id = round_with(&t, "T-ADVICE", &[("theory", "THEORY-2026-Q3")]).await;
    let manager = actor(&t, "manager").await;
    results::review(&t.app, &manager, id).await.unwrap();
    results::publish(&t.app, &manager, id).await.unwrap();
    let all = report_of(&t, "manager", id).await;
    assert!(!all.skills.is_empty(), "exam questions carry skill tags");
    assert!(all.items.is_empty(), "no event, no rubric items");
    assert!(!all.people.is_empty() && !all.departments.is_empty());
    let weak = all
        .people
        .iter()
        .find(|p| !p.weak_skills.is_empty())
        .expect("someone has a weak skill");
    let s = t.web_login("manager").await;
    for (lang, tag) in [(Lang::ZhCn, "zh-CN"), (Lang::En, "en")] {
        let page = t
            .get(&format!("/rounds/{id}/report"))
            .session(&s)
            .lang(tag)
            .send()
            .await;
        page.expect(StatusCode::OK);
        let html = page.text();
        let advice = suggested(&all, lang, &weak.weak_skills, &weak.weak_items);
        assert!(html.contains(&escaped(&advice)), "{tag}: {advice}");
        let dept = &all.departments[0];
        let advice = if dept.weak_skills.is_empty() {
            tr(lang, "report-suggest-keep").to_string()
        } else {
            suggested(&all, lang, &dept.weak_skills, &dept.weak_items)
        };
        assert!(html.contains(&escaped(&advice)), "{tag}: {advice}");
        assert!(html.contains(&escaped(tr(lang, "report-no-items"))));
        assert!(html.contains(tr(lang, "report-pass")));
    }

    let (exam, panel) = sources(&t).await;
    let mine = report_of(&t, "supervisor", id).await;
    assert_eq!(mine.results.rows.len(), exam.len(), "only CSC-01");
    let s = t.web_login("supervisor").await;
    let page = t
        .get(&format!("/rounds/{id}/report"))
        .session(&s)
        .lang("en")
        .send()
        .await;
    page.expect(StatusCode::OK);
    let html = page.text();
    for (no, _) in &exam {
        assert!(
            html.contains(&format!("<td>{no}</td>")),
            "{no} in CSC-01 is shown"
        );
    }
    for (no, _) in &panel {
        assert!(!html.contains(no.as_str()), "{no} outside CSC-01 is not");
    }
    let x = t
        .get(&format!("/rounds/{id}/report.xlsx"))
        .session(&s)
        .lang("en")
        .send()
        .await;
    x.expect(StatusCode::OK);
    let summary = read_table(&x.body, FileKind::Xlsx).unwrap();
    let candidates = summary
        .rows
        .iter()
        .find(|row| row.cells[0] == "Candidates")
        .map(|row| row.cells[1].clone())
        .unwrap();
    assert_eq!(candidates, exam.len().to_string());
    // An employee never sees the report, not even of a round they took part in.
    let s = t.web_login("employee").await;
    let r = t
        .get(&format!("/rounds/{id}/report"))
        .session(&s)
        .send()
        .await;
    r.expect(StatusCode::FORBIDDEN);
}
