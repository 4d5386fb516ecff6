//! The staff pages of practical assessments: an S4 routine assessment planned, drawn by lot
//! from a published seed, replayed, scored (sheets submitted through the service, as the
//! judges' pages would), with results, verdicts and judge analytics; refusals that change
//! nothing; and who may see what.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use skillcert_app::Actor;
use skillcert_app::practical::sheets;
use skillcert_app::users::UserInput;
use skillcert_domain::access::Role;
use skillcert_domain::demo::{DEMO_PASSWORD, DemoEmployee, DemoOrg};
use skillcert_domain::org::EmployeeStatus;
use skillcert_domain::practical::rubric::{self, ItemMark, Rubric, SheetMarks};
use skillcert_web::i18n::{Lang, has};

use crate::exams::actor;
use crate::helpers::*;

// ---------- building blocks ----------

/// The people of an S4 event in the demo organisation: pools from outside the candidates'
/// departments, so no automatic conflict empties a pool.
pub struct People {
    pub leadership: Vec<String>,
    pub office: Vec<String>,
    /// Candidates of CSC-01 (the demo supervisor's department).
    pub csc01: Vec<String>,
    /// Candidates of a service hall.
    pub hall: Vec<String>,
}

fn demo_org(t: &TestApp) -> DemoOrg {
    skillcert_domain::demo::generate(42, t.app.today())
}

fn pick(org: &DemoOrg, n: usize, keep: impl Fn(&DemoEmployee) -> bool) -> Vec<String> {
    let v: Vec<String> = org
        .employees
        .iter()
        .filter(|e| e.status == EmployeeStatus::Active && keep(e))
        .take(n)
        .map(|e| e.employee_no.clone())
        .collect();
    assert_eq!(v.len(), n, "the demo has enough people");
    v
}

pub fn people(t: &TestApp) -> People {
    let org = demo_org(t);
    let outside = |d: &str| d != "CSC-01" && !d.starts_with("BH");
    People {
        leadership: pick(&org, 4, |e| {
            e.position_code == "SUPERVISOR" && outside(&e.department_code)
        }),
        office: pick(&org, 5, |e| {
            matches!(e.position_code.as_str(), "TRAINER" | "SENIOR-AGENT")
                && outside(&e.department_code)
        }),
        csc01: pick(&org, 3, |e| {
            e.department_code == "CSC-01" && e.position_code == "AGENT"
        }),
        hall: pick(&org, 2, |e| {
            e.department_code == "BH-01" && e.position_code == "CLERK"
        }),
    }
}

/// The event form as posted, S4 pools with the given members.
fn event_form<'a>(
    csrf: &'a str,
    code: &'a str,
    leadership: &'a str,
    office: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("_csrf", csrf),
        ("code", code),
        ("title", "营业厅服务礼仪现场考核"),
        ("kind", "assessment"),
        ("held_on", "2026-11-23"),
        ("place", "城东营业厅培训室"),
        ("scheme", "s4-routine-assessment:onsite"),
        ("rubric_key", "s4-call-scoring"),
        ("rubric_version", ""),
        ("chief", ""),
        ("scope", "event"),
        ("pool0_key", "leadership"),
        ("pool0_name_zh", "领导小组"),
        ("pool0_name_en", "Leadership group"),
        ("pool0_quota", "3"),
        ("pool0_members", leadership),
        ("pool1_key", "office"),
        ("pool1_name_zh", "领导小组办公室"),
        ("pool1_name_en", "Leadership group office"),
        ("pool1_quota", "4"),
        ("pool1_members", office),
        ("exclude_supervisor", "on"),
        ("exclude_mentor", "on"),
        ("exclude_same_unit", "on"),
        ("blind", "on"),
        ("min_marks", "7"),
        ("drop_highest", "1"),
        ("drop_lowest", "1"),
        ("trim", "total"),
        ("tolerance", ""),
        ("scenarios", ""),
    ]
}

async fn page(t: &TestApp, s: &WebSession, path: &str) -> Resp {
    t.get(path).session(s).lang("en").send().await
}

async fn post(t: &TestApp, s: &WebSession, path: &str, fields: &[(&str, &str)]) -> Resp {
    let mut all = fields.to_vec();
    all.push(("_csrf", s.csrf.as_str()));
    t.post(path).session(s).lang("en").form(&all).send().await
}

/// The id in a `/events/{id}?done=…` redirect.
fn event_id(r: &Resp) -> i64 {
    let loc = r
        .location()
        .unwrap_or_else(|| panic!("a redirect: {}", r.text()));
    loc.trim_start_matches("/events/")
        .split(['?', '/'])
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn event_row(t: &TestApp, id: i64) -> skillcert_app::store::practical::EventRow {
    let mut r = t.app.db.read().await.unwrap();
    skillcert_app::store::practical::get_event(&mut r.conn(), id)
        .await
        .unwrap()
}

async fn draws(t: &TestApp, id: i64) -> Vec<skillcert_app::store::practical::DrawRow> {
    let mut r = t.app.db.read().await.unwrap();
    skillcert_app::store::practical::draws(&mut r.conn(), id)
        .await
        .unwrap()
}

async fn seats(t: &TestApp, id: i64) -> Vec<skillcert_app::store::practical::SeatRow> {
    let mut r = t.app.db.read().await.unwrap();
    skillcert_app::store::practical::seats(&mut r.conn(), id)
        .await
        .unwrap()
}

/// The text of the big seed on the event page.
fn shown_seed(html: &str) -> Option<String> {
    let at = html.find("id=\"seed\"")?;
    let start = at + html[at..].find('>')? + 1;
    let end = start + html[start..].find('<')?;
    Some(html[start..end].trim().to_string())
}

/// A user account with the judge role for every employee number without one; returns
/// each number's username.
async fn judge_accounts(t: &TestApp, nos: &[String]) -> BTreeMap<String, String> {
    let admin = actor(t, "admin").await;
    let mut out = BTreeMap::new();
    for no in nos {
        let e = t.employee(no).await.unwrap();
        let existing = {
            let mut r = t.app.db.read().await.unwrap();
            skillcert_app::store::users::list_users(&mut r.conn())
                .await
                .unwrap()
                .into_iter()
                .find(|u| u.employee_id == Some(e.id))
        };
        let username = match existing {
            Some(u) => u.username,
            None => {
                let input = UserInput {
                    username: no.to_lowercase(),
                    display_name: e.name.clone(),
                    password: DEMO_PASSWORD.into(),
                    employee_no: no.clone(),
                    role: Role::Judge.key().into(),
                    department_id: None,
                };
                skillcert_app::users::create(&t.app, &admin, &input)
                    .await
                    .unwrap()
                    .username
            }
        };
        out.insert(no.clone(), username);
    }
    out
}

/// Marks of a judge of `bias` (share of each item's maximum) for a candidate of `ability`.
fn marks(rubric: &Rubric, ability: f64, bias: f64) -> SheetMarks {
    let mut items = BTreeMap::new();
    for item in rubric.items() {
        let target = ((ability + bias) * f64::from(item.max)).clamp(0.0, f64::from(item.max));
        let best = item
            .allowed_values()
            .into_iter()
            .min_by(|a, b| {
                (f64::from(*a) - target)
                    .abs()
                    .total_cmp(&(f64::from(*b) - target).abs())
            })
            .unwrap();
        items.insert(item.key.clone(), ItemMark::Points(best));
    }
    let texts = rubric
        .free_text()
        .iter()
        .map(|f| (f.key.clone(), "表达清楚，处理得当。".to_string()))
        .collect();
    SheetMarks { items, texts }
}

/// Every seated judge submits a sheet for every candidate.
async fn score_all(t: &TestApp, id: i64, usernames: &BTreeMap<String, String>) {
    let rubric = Rubric::parse_toml(rubric::preset("s4-call-scoring").unwrap()).unwrap();
    let seats = seats(t, id).await;
    let mut subjects: Vec<i64> = seats.iter().map(|s| s.subject_id).collect();
    subjects.sort_unstable();
    subjects.dedup();
    let mut actors: BTreeMap<String, Actor> = BTreeMap::new();
    for (i, seat) in seats.iter().enumerate() {
        let username = usernames
            .get(&seat.judge_no)
            .unwrap_or_else(|| panic!("{} has an account", seat.judge_no));
        if !actors.contains_key(username) {
            actors.insert(username.clone(), actor(t, username).await);
        }
        let who = &actors[username];
        let n = subjects.iter().position(|s| *s == seat.subject_id).unwrap();
        let ability = [0.97, 0.9, 0.82, 0.75, 0.93][n % 5];
        let bias = [-0.08, -0.03, 0.0, 0.02, 0.05, 0.08, -0.05][i % 7];
        let m = marks(&rubric, ability, bias);
        sheets::save(&t.app, who, seat.subject_id, &m, true)
            .await
            .unwrap_or_else(|e| panic!("{username} submits: {e:?}"));
    }
}

// ---------- the S4 routine assessment, end to end ----------

#[tokio::test]
async fn an_s4_event_is_planned_drawn_replayed_scored_and_analysed() {
    let t = TestApp::new().await;
    let p = people(&t);
    let s = t.web_login("manager").await;

    // The list and the blank form with S4's pools.
    let r = page(&t, &s, "/events").await;
    r.expect(StatusCode::OK);
    assert!(r.text().contains("href=\"/events/new\""), "{}", r.text());
    let r = page(&t, &s, "/events/new").await;
    r.expect(StatusCode::OK);
    let form = r.text();
    assert!(form.contains("name=\"pool0_key\" value=\"leadership\""));
    assert!(form.contains("name=\"pool1_quota\" value=\"4\""));
    assert!(form.contains("s4-routine-assessment:onsite\" selected"));

    // An impossible quota (3 from a pool of 2) is refused with a clear message, nothing saved.
    let before = t.count("assessment_events").await;
    let leadership = p.leadership.join(" ");
    let office = p.office.join(" ");
    let two = p.leadership[..2].join(" ");
    let mut f = event_form(&s.csrf, "T-S4-01", &two, &office);
    f.retain(|(k, _)| *k != "_csrf");
    let r = post(&t, &s, "/events/new", &f).await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .contains("quota is larger than the number of its members"),
        "{}",
        r.text()
    );
    assert!(
        r.text().contains("value=\"T-S4-01\""),
        "the values typed stay"
    );
    assert_eq!(t.count("assessment_events").await, before);

    // The event as planned.
    let mut f = event_form(&s.csrf, "T-S4-01", &leadership, &office);
    f.retain(|(k, _)| *k != "_csrf");
    let r = post(&t, &s, "/events/new", &f).await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.text());
    let id = event_id(&r);
    let html = page(&t, &s, &format!("/events/{id}")).await.text();
    assert!(html.contains("Planning"));
    assert!(
        html.contains("no account"),
        "members without accounts are flagged"
    );
    assert!(html.contains("/rubrics/s4-call-scoring?version="));

    // Candidates: an unknown number is refused and changes nothing.
    let subjects_before = t.count("event_subjects").await;
    let r = post(
        &t,
        &s,
        &format!("/events/{id}/subjects"),
        &[("candidates", "E99999")],
    )
    .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(t.count("event_subjects").await, subjects_before);
    let candidates: Vec<String> = p.csc01.iter().chain(&p.hall).cloned().collect();
    let r = post(
        &t,
        &s,
        &format!("/events/{id}/subjects"),
        &[("candidates", &candidates.join("\n"))],
    )
    .await;
    assert!(r.status.is_redirection(), "{}", r.text());
    assert_eq!(t.count("event_subjects").await, subjects_before + 5);

    // Drawing needs a published seed.
    let r = post(&t, &s, &format!("/events/{id}/draw"), &[("reason", "")]).await;
    r.expect(StatusCode::CONFLICT);
    assert!(r.text().contains("Publish a seed before drawing"));
    assert!(draws(&t, id).await.is_empty());

    // The seed is published and shown before the draw.
    let r = post(&t, &s, &format!("/events/{id}/seed"), &[]).await;
    assert_eq!(
        r.location().as_deref(),
        Some(&*format!("/events/{id}?done=seed"))
    );
    let published = event_row(&t, id).await.next_seed.expect("a seed");
    let html = page(&t, &s, &format!("/events/{id}")).await.text();
    assert_eq!(shown_seed(&html).as_deref(), Some(published.as_str()));
    assert!(html.contains("fixed and shown before the draw"));

    // The draw uses it and records it.
    let r = post(&t, &s, &format!("/events/{id}/draw"), &[("reason", "")]).await;
    assert_eq!(
        r.location().as_deref(),
        Some(&*format!("/events/{id}?done=drawn"))
    );
    let d = draws(&t, id).await;
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].seed, published);
    assert_eq!(event_row(&t, id).await.status, "scoring");
    let seated = seats(&t, id).await;
    assert_eq!(seated.len(), 5 * 7, "7 judges per candidate");
    let html = page(&t, &s, &format!("/events/{id}?done=drawn"))
        .await
        .text();
    assert!(html.contains("The panels were drawn."));
    assert!(
        html.contains(&format!("<code>{published}</code>")),
        "in the history"
    );
    assert!(shown_seed(&html).is_none(), "the seed was used");
    assert!(html.contains(&format!("/events/{id}/draws/1")));

    // A redraw without a reason is refused and changes nothing.
    post(&t, &s, &format!("/events/{id}/seed"), &[]).await;
    let r = post(&t, &s, &format!("/events/{id}/draw"), &[("reason", "  ")]).await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("field-error"), "{}", r.text());
    assert_eq!(draws(&t, id).await.len(), 1);
    let same: Vec<(i64, i64)> = seats(&t, id)
        .await
        .iter()
        .map(|s| (s.subject_id, s.judge_id))
        .collect();
    let was: Vec<(i64, i64)> = seated.iter().map(|s| (s.subject_id, s.judge_id)).collect();
    assert_eq!(same, was);

    // The replay says identical, and shows the seed and the algorithm.
    let r = page(&t, &s, &format!("/events/{id}/draws/1")).await;
    r.expect(StatusCode::OK);
    let html = r.text();
    assert!(html.contains("Identical"), "{html}");
    assert!(html.contains(&published));
    assert!(html.contains("SplitMix64"));
    assert!(page(&t, &s, &format!("/events/{id}/draws/9")).await.status == StatusCode::NOT_FOUND);

    // Before any sheet: waiting.
    let html = page(&t, &s, &format!("/events/{id}/results")).await.text();
    assert!(html.contains("Waiting for 7 more sheets"), "{html}");

    // The other components' scores.
    let subjects = {
        let mut r = t.app.db.read().await.unwrap();
        skillcert_app::store::practical::subjects(&mut r.conn(), id)
            .await
            .unwrap()
    };
    let bad = post(
        &t,
        &s,
        &format!("/events/{id}/inputs"),
        &[
            ("subject_id", &subjects[0].id.to_string()),
            ("c_attendance", "lots"),
        ],
    )
    .await;
    bad.expect(StatusCode::UNPROCESSABLE_ENTITY);
    for subject in &subjects {
        let r = post(
            &t,
            &s,
            &format!("/events/{id}/inputs"),
            &[
                ("subject_id", &subject.id.to_string()),
                ("c_attendance", "100"),
                ("c_inspection", "95"),
            ],
        )
        .await;
        assert!(r.status.is_redirection(), "{}", r.text());
    }

    // Every judge scores.
    let pool: Vec<String> = p.leadership.iter().chain(&p.office).cloned().collect();
    let usernames = judge_accounts(&t, &pool).await;
    score_all(&t, id, &usernames).await;

    let r = page(&t, &s, &format!("/events/{id}/results")).await;
    r.expect(StatusCode::OK);
    let html = r.text();
    assert!(!html.contains("Waiting for"), "{html}");
    assert!(
        html.matches("<del>").count() >= 10,
        "2 struck marks per candidate"
    );
    assert!(html.contains("dropped as a highest mark"));
    assert!(html.contains("dropped as a lowest mark"));
    assert!(html.contains("Panel score"));
    assert!(html.contains("passed") || html.contains("failed"));
    assert!(html.contains("How the total was reached"));
    assert!(html.contains("<details>"));
    // A failed candidate shows the ladder step and its consequences.
    if html.contains("failed</span>") {
        assert!(html.contains("performance pay withheld"), "{html}");
    }

    let x = page(&t, &s, &format!("/events/{id}/results.xlsx")).await;
    x.expect(StatusCode::OK);
    assert!(x.body.starts_with(b"PK"), "an xlsx file");

    // Analytics: ICC and alpha are computed, leniency per judge.
    let r = page(&t, &s, &format!("/events/{id}/analytics")).await;
    r.expect(StatusCode::OK);
    let html = r.text();
    assert!(html.contains("ICC(1,1)") && html.contains("ICC(1,k)"));
    let icc = html
        .split("id=\"icc1\"><span class=\"num\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap();
    assert!(icc.parse::<f64>().is_ok(), "ICC(1,1) is a number: {icc}");
    assert!(html.contains("Leniency"));
    assert!(!html.contains("Fewer than 5 candidates"));

    let r = page(&t, &s, "/judges/analytics").await;
    r.expect(StatusCode::OK);
    assert!(r.text().contains("T-S4-01"), "{}", r.text());
    page(&t, &s, "/judges/analytics?from=someday")
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);

    // Once sheets are in, no redraw; closing ends scoring.
    let r = post(
        &t,
        &s,
        &format!("/events/{id}/draw"),
        &[("reason", "a judge is ill")],
    )
    .await;
    r.expect(StatusCode::CONFLICT);
    assert_eq!(draws(&t, id).await.len(), 1);
    let r = post(&t, &s, &format!("/events/{id}/close"), &[]).await;
    assert!(r.status.is_redirection(), "{}", r.text());
    assert_eq!(event_row(&t, id).await.status, "closed");

    // The list finds it by code and status.
    let html = page(&t, &s, "/events?q=t-s4&status=closed").await.text();
    assert!(html.contains(&format!("/events/{id}\"")));
    let html = page(&t, &s, "/events?q=nothing-like-this").await.text();
    assert!(html.contains("No event matches"));

    // Who may see what: a supervisor sees the results of CSC-01 only, no analytics.
    let sup = t.web_login("supervisor").await;
    let r = page(&t, &sup, &format!("/events/{id}/results")).await;
    r.expect(StatusCode::OK);
    let html = r.text();
    for no in &p.csc01 {
        assert!(html.contains(no.as_str()), "{no} of CSC-01 is shown");
    }
    for no in &p.hall {
        assert!(!html.contains(no.as_str()), "{no} of BH-01 is not shown");
    }
    page(&t, &sup, &format!("/events/{id}/analytics"))
        .await
        .expect(StatusCode::FORBIDDEN);
    page(&t, &sup, "/judges/analytics")
        .await
        .expect(StatusCode::FORBIDDEN);
    page(&t, &sup, "/events/new")
        .await
        .expect(StatusCode::FORBIDDEN);

    // A judge has no business on the planning pages.
    let judge = t.web_login("judge").await;
    for path in [
        "/events".to_string(),
        "/events/new".to_string(),
        format!("/events/{id}"),
        format!("/events/{id}/edit"),
        format!("/events/{id}/results"),
    ] {
        page(&t, &judge, &path).await.expect(StatusCode::FORBIDDEN);
    }
    post(&t, &judge, &format!("/events/{id}/seed"), &[])
        .await
        .expect(StatusCode::FORBIDDEN);
}

// ---------- a held result, released by the chief judge ----------

#[tokio::test]
async fn a_result_beyond_the_tolerance_is_held_until_the_chief_judge_releases_it() {
    let t = TestApp::new().await;
    let p = people(&t);
    let s = t.web_login("manager").await;
    let leadership = p.leadership[..3].join(" ");
    let mut f = event_form(&s.csrf, "T-HOLD-01", &leadership, "");
    f.retain(|(k, _)| *k != "_csrf" && !k.starts_with("pool1_"));
    for (k, v) in f.iter_mut() {
        match *k {
            "scheme" => *v = "",
            "min_marks" => *v = "3",
            "drop_highest" | "drop_lowest" => *v = "0",
            "tolerance" => *v = "1",
            "chief" => *v = "lecturer",
            _ => {}
        }
    }
    let r = post(&t, &s, "/events/new", &f).await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.text());
    let id = event_id(&r);
    post(
        &t,
        &s,
        &format!("/events/{id}/subjects"),
        &[("candidates", &p.hall[0])],
    )
    .await;
    post(&t, &s, &format!("/events/{id}/seed"), &[]).await;
    let r = post(&t, &s, &format!("/events/{id}/draw"), &[]).await;
    assert!(r.status.is_redirection(), "{}", r.text());
    let usernames = judge_accounts(&t, &p.leadership[..3]).await;
    score_all(&t, id, &usernames).await;

    let html = page(&t, &s, &format!("/events/{id}/results")).await.text();
    assert!(html.contains("held for the chief judge"), "{html}");
    assert!(html.contains(&format!("action=\"/events/{id}/release\"")));

    // A release needs a note.
    let subject = seats(&t, id).await[0].subject_id.to_string();
    let r = post(
        &t,
        &s,
        &format!("/events/{id}/release"),
        &[("subject_id", &subject), ("note", "")],
    )
    .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("field-error"));

    // The chief judge (here the lecturer) releases it.
    let chief = t.web_login("lecturer").await;
    let r = post(
        &t,
        &chief,
        &format!("/events/{id}/release"),
        &[("subject_id", &subject), ("note", "录音复核后确认")],
    )
    .await;
    assert_eq!(
        r.location().as_deref(),
        Some(&*format!("/events/{id}/results?done=released"))
    );
    let html = page(&t, &chief, &format!("/events/{id}/results"))
        .await
        .text();
    assert!(!html.contains("held for the chief judge"));
    assert!(html.contains("录音复核后确认"));
    // A supervisor may read results but not release them.
    let sup = t.web_login("supervisor").await;
    post(
        &t,
        &sup,
        &format!("/events/{id}/release"),
        &[("subject_id", &subject), ("note", "x")],
    )
    .await
    .expect(StatusCode::FORBIDDEN);
}

// ---------- the messages ----------

#[test]
fn every_dynamic_key_of_the_event_pages_exists() {
    let mut missing = Vec::new();
    for k in skillcert_web::html::events::dynamic_keys() {
        for l in Lang::ALL {
            if !has(l, &k) {
                missing.push(format!("{} {k}", l.tag()));
            }
        }
    }
    // The draw's refusals, from the domain's own codes.
    use skillcert_domain::practical::draw::DrawError;
    let draw_errors = [
        DrawError::NoPools,
        DrawError::ZeroQuota {
            pool: String::new(),
        },
        DrawError::DuplicatePool {
            pool: String::new(),
        },
        DrawError::QuotaExceedsPool {
            pool: String::new(),
            quota: 0,
            members: 0,
        },
        DrawError::NotEnoughEligible {
            pool: String::new(),
            subject: None,
            quota: 0,
            eligible: 0,
        },
        DrawError::NoSubjects,
        DrawError::DuplicateSubject { subject: 0 },
    ];
    for e in draw_errors {
        for l in Lang::ALL {
            let k = format!("problem-{}", e.code());
            if !has(l, &k) {
                missing.push(format!("{} {k}", l.tag()));
            }
        }
    }
    assert!(missing.is_empty(), "missing: {missing:#?}");
}
