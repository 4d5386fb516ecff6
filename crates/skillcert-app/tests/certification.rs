//! Certification services end to end on the demo data, on SQLite and (when
//! `SKILLCERT_TEST_PG_URL` is set) PostgreSQL: the demo's certificates in every state, a
//! round from opening to certificate, an appeal re-scored by an uninvolved reviewer, the
//! signed credential and the status lists.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use skillcert_app::certification::applications::{self, ApplicationInput, Upload};
use skillcert_app::certification::rounds::{self, RoundInput};
use skillcert_app::certification::{appeals, certificates, consequences, results};
use skillcert_app::{Actor, App, AppConfig, AppError, FixedClock, demo};
use skillcert_credential::{proof, status_list};
use skillcert_domain::access::{Grant, Role};
use skillcert_domain::certification::CertificateStatus;
use skillcert_store::certification::{self as store, CertificateQuery};
use skillcert_store::{Db, DbOptions};
use sqlx::Connection;

struct T {
    app: App,
    clock: Arc<FixedClock>,
    label: &'static str,
}

fn hex() -> String {
    format!("{:016x}", rand_u64())
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now())
}

async fn build(db: Db, label: &'static str) -> T {
    db.migrate().await.unwrap();
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).unwrap(),
    ));
    let app = App::new(db, clock.clone(), AppConfig::for_tests());
    demo::load(&app, 42).await.unwrap().unwrap();
    T { app, clock, label }
}

async fn backends() -> Vec<T> {
    let path = std::env::temp_dir().join(format!("skillcert-cert-{}.db", hex()));
    let db = Db::connect(
        &format!("sqlite://{}", path.display()),
        &DbOptions { max_connections: 4 },
    )
    .await
    .unwrap();
    let mut out = vec![build(db, "sqlite").await];
    if let Ok(admin) = std::env::var("SKILLCERT_TEST_PG_URL")
        && !admin.trim().is_empty()
    {
        let name = format!("skillcert_c_{}", hex());
        let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut c)
            .await
            .unwrap();
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
        let db = Db::connect(&format!("{base}/{name}"), &DbOptions { max_connections: 4 })
            .await
            .unwrap();
        out.push(build(db, "postgres").await);
    }
    out
}

async fn actor(app: &App, username: &str, role: Role) -> Actor {
    let mut r = app.db.read().await.unwrap();
    let u = skillcert_store::users::find_user_by_username(&mut r.conn(), username)
        .await
        .unwrap()
        .unwrap();
    Actor {
        user_id: u.id,
        username: u.username,
        display_name: u.display_name,
        employee_id: u.employee_id,
        locale: None,
        session_id: 0,
        csrf_token: String::new(),
        grants: vec![Grant {
            role,
            department_id: None,
        }],
        tree: Vec::new(),
    }
}

fn codes(e: AppError) -> Vec<&'static str> {
    match e {
        AppError::Rejected(p) => p.iter().map(|p| p.code).collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn the_demo_has_certificates_in_every_state() {
    for t in backends().await {
        let page = certificates::list_all(
            &t.app,
            CertificateQuery {
                per_page: 0,
                ..CertificateQuery::default()
            },
        )
        .await
        .unwrap();
        for s in CertificateStatus::ALL {
            assert!(
                page.items.iter().any(|c| c.status == s),
                "{}: no {} certificate in the demo",
                t.label,
                s.key()
            );
        }
        // Numbers are CS{year}{seq:03}, gapless per year.
        let mut by_year: BTreeMap<i32, Vec<i32>> = BTreeMap::new();
        for c in &page.items {
            assert!(c.row.number.starts_with("CS"), "{}", c.row.number);
            let year: i32 = c.row.number[2..6].parse().unwrap();
            by_year
                .entry(year)
                .or_default()
                .push(c.row.number[6..].parse().unwrap());
        }
        for (year, mut seqs) in by_year {
            seqs.sort_unstable();
            assert_eq!(seqs, (1..=seqs.len() as i32).collect::<Vec<_>>(), "{year}");
        }
        // Every stored credential verifies.
        for c in &page.items {
            let cred = certificates::credential(&t.app, &c.row.number)
                .await
                .unwrap();
            proof::verify_proof(&cred).unwrap();
        }
        // The suspended one is the demo employee's, whose appeal is pending; the revoked
        // one is in the revocation list.
        let revoked = page
            .items
            .iter()
            .find(|c| c.status == CertificateStatus::Revoked)
            .unwrap();
        let list = certificates::status_list(&t.app, "revocation", None)
            .await
            .unwrap();
        proof::verify_proof(&list).unwrap();
        let bits = status_list::decode(list["credentialSubject"]["encodedList"].as_str().unwrap())
            .unwrap();
        assert_eq!(bits.get(revoked.row.revocation_index as usize), Some(true));
        let tasks = {
            let mut r = t.app.db.read().await.unwrap();
            store::tasks(&mut r.conn(), None).await.unwrap()
        };
        assert!(
            tasks.iter().any(|x| x.status == "open"),
            "expiring ones have tasks"
        );
        assert!(
            tasks.iter().any(|x| x.status == "passed"),
            "the re-evaluated one passed"
        );
    }
}

#[tokio::test]
async fn a_round_runs_from_opening_to_certificate_with_an_appeal() {
    for t in backends().await {
        let app = &t.app;
        let manager = actor(app, "manager", Role::TrainingManager).await;
        let admin = actor(app, "admin", Role::Admin).await;
        let me = actor(app, "employee", Role::Employee).await;
        let scheme = skillcert_domain::scheme::presets::get("s1-certification").unwrap();
        let mut input = RoundInput::defaults(app, &scheme);
        input.code = "T-ROUND".into();
        input.title = "测试批次".into();
        input.issue_at = "appeal_close".into();
        // A bad plan changes nothing.
        let mut bad = input.clone();
        bad.levels = "guru".into();
        bad.appeal_days = "0".into();
        assert_eq!(
            codes(rounds::create(app, &manager, &bad).await.unwrap_err()),
            ["round-level-unknown", "round-appeal-window"]
        );
        let round = rounds::create(app, &manager, &input).await.unwrap();

        // The demo employee holds no current certificate after their suspended one? They
        // hold a suspended one (not current), so senior is refused.
        let senior = ApplicationInput {
            level: "senior".into(),
            ..ApplicationInput::default()
        };
        assert_eq!(
            codes(
                applications::apply(app, &me, round.id, &senior, &[])
                    .await
                    .unwrap_err()
            ),
            ["apply-prerequisite"]
        );
        let bad_file = Upload {
            kind: "identity".into(),
            filename: "id.exe".into(),
            bytes: b"MZ\x90\x00".to_vec(),
        };
        let level = ApplicationInput {
            level: "intermediate".into(),
            ..ApplicationInput::default()
        };
        assert_eq!(
            codes(
                applications::apply(app, &me, round.id, &level, &[bad_file])
                    .await
                    .unwrap_err()
            ),
            ["attachment-type"]
        );
        let pdf = Upload {
            kind: "identity".into(),
            filename: "身份证.pdf".into(),
            bytes: b"%PDF-1.7\n...".to_vec(),
        };
        let id = applications::apply(app, &me, round.id, &level, &[pdf])
            .await
            .unwrap();
        assert_eq!(
            codes(
                applications::apply(app, &me, round.id, &level, &[])
                    .await
                    .unwrap_err()
            ),
            ["apply-duplicate"]
        );
        applications::decide(app, &manager, id, true, "")
            .await
            .unwrap();
        let employee_id = me.employee_id.unwrap();
        for (k, v) in [("theory", "50"), ("practical", "52"), ("daily", "60")] {
            results::enter_score(app, &manager, round.id, employee_id, k, v)
                .await
                .unwrap();
        }
        assert_eq!(
            codes(
                results::enter_score(app, &manager, round.id, employee_id, "daily", "101")
                    .await
                    .unwrap_err()
            ),
            ["score-out-of-range"]
        );
        let live = results::results(app, &manager, round.id).await.unwrap();
        let row = &live.rows[0];
        assert_eq!(row.evaluation.as_ref().unwrap().passed(), Some(false));
        assert_eq!(
            codes(results::publish(app, &manager, round.id).await.unwrap_err()),
            ["round-not-reviewed"]
        );
        results::review(app, &manager, round.id).await.unwrap();
        results::publish(app, &manager, round.id).await.unwrap();
        // The failure's consequence is recorded.
        let ks = consequences::list(app, &manager, Some(round.id))
            .await
            .unwrap();
        assert_eq!(ks.len(), 1);
        assert_eq!(ks[0].step_key, "retrain_retake");

        // The employee appeals; the manager typed the scores in, so may not decide.
        let result = {
            let mut r = app.db.read().await.unwrap();
            store::current_results(&mut r.conn(), round.id)
                .await
                .unwrap()[0]
                .clone()
        };
        let other = actor(app, "mentor", Role::Employee).await;
        let appeal = appeals::AppealInput {
            component: "practical".into(),
            item: String::new(),
            reason: "实操评分有误".into(),
        };
        assert_eq!(
            codes(
                appeals::file(app, &other, result.id, &appeal)
                    .await
                    .unwrap_err()
            ),
            ["appeal-not-yours"]
        );
        let appeal_id = appeals::file(app, &me, result.id, &appeal).await.unwrap();
        let rescore = appeals::DecisionInput {
            decision: "rescore".into(),
            note: "复核后重新评分".into(),
            scores: BTreeMap::from([("practical".to_string(), "78, 80, 82".to_string())]),
        };
        let manager_reviewer = Actor {
            grants: vec![Grant {
                role: Role::Admin,
                department_id: None,
            }],
            ..manager.clone()
        };
        assert_eq!(
            codes(
                appeals::decide(app, &manager_reviewer, appeal_id, &rescore)
                    .await
                    .unwrap_err()
            ),
            ["appeal-reviewer-involved"]
        );
        appeals::decide(app, &admin, appeal_id, &rescore)
            .await
            .unwrap();
        let detail = appeals::get(app, &me, appeal_id).await.unwrap();
        assert_eq!(detail.history.len(), 2, "before and after are kept");
        assert!(!detail.history[0].passed);
        assert!(detail.history[1].passed);
        assert_eq!(
            codes(
                appeals::decide(app, &admin, appeal_id, &rescore)
                    .await
                    .unwrap_err()
            ),
            ["appeal-decided"]
        );

        // After the appeal window the round closes and the certificate is issued.
        assert_eq!(
            codes(
                results::close_by(app, &manager, round.id)
                    .await
                    .unwrap_err()
            ),
            ["round-appeal-window-open"]
        );
        t.clock.advance(Duration::days(8));
        assert_eq!(results::close_due(app).await.unwrap(), 1);
        let mine = certificates::mine(app, &me).await.unwrap();
        let new = mine
            .iter()
            .find(|c| c.row.round_id == Some(round.id))
            .expect("certificate issued at closing");
        assert_eq!(new.status, CertificateStatus::Valid);
        assert_eq!(new.row.level_key, "junior");
        let v = certificates::verify(app, &new.row.number).await.unwrap();
        assert!(v.holder.contains('*'), "masked: {}", v.holder);
        assert!(matches!(
            certificates::verify(app, "CS1999999").await,
            Err(AppError::NotFound)
        ));
        // Late appeal refused.
        assert_eq!(
            codes(
                appeals::file(app, &me, detail.history[1].id, &appeal)
                    .await
                    .unwrap_err()
            ),
            ["appeal-window-closed"]
        );
        // Tampering with the credential breaks the proof.
        let mut cred = certificates::credential(app, &new.row.number)
            .await
            .unwrap();
        proof::verify_proof(&cred).unwrap();
        cred["credentialSubject"]["achievement"]["name"] = "高级".into();
        assert!(proof::verify_proof(&cred).is_err());
    }
}

#[tokio::test]
async fn the_evaluation_report_finds_weak_skills_and_rubric_items() {
    let t = backends().await.into_iter().next().unwrap();
    let app = &t.app;
    let manager = actor(app, "manager", Role::TrainingManager).await;
    let scheme = skillcert_domain::scheme::presets::get("s1-certification").unwrap();
    let mut input = RoundInput::defaults(app, &scheme);
    input.code = "T-REPORT".into();
    input.title = "报告测试".into();
    input.sources = BTreeMap::from([
        ("theory".to_string(), "THEORY-2026-Q3".to_string()),
        ("practical".to_string(), "S4-ONSITE-Q3".to_string()),
    ]);
    let round = rounds::create(app, &manager, &input).await.unwrap();
    // Everyone who sat the exam or was assessed at the event applies for the basic level.
    let numbers: Vec<String> = {
        let mut r = app.db.read().await.unwrap();
        let c = &mut r.conn();
        let mut nos = std::collections::BTreeSet::new();
        let session = store::exam_session_by_code(c, "THEORY-2026-Q3")
            .await
            .unwrap()
            .unwrap();
        for (_, employee, _, _) in store::graded_attempts(c, session.0).await.unwrap() {
            let e = skillcert_store::org::get_employee(c, employee)
                .await
                .unwrap();
            nos.insert(e.employee_no);
        }
        let event = store::event_by_code(c, "S4-ONSITE-Q3")
            .await
            .unwrap()
            .unwrap();
        for s in skillcert_store::practical::subjects(c, event.0)
            .await
            .unwrap()
        {
            if let Some(id) = s.employee_id {
                nos.insert(
                    skillcert_store::org::get_employee(c, id)
                        .await
                        .unwrap()
                        .employee_no,
                );
            }
        }
        nos.into_iter().collect()
    };
    assert!(numbers.len() >= 8);
    for no in &numbers {
        let level = ApplicationInput {
            level: "junior".into(),
            ..ApplicationInput::default()
        };
        let id = applications::apply_for(app, &manager, no, round.id, &level, &[])
            .await
            .unwrap();
        applications::decide(app, &manager, id, true, "")
            .await
            .unwrap();
    }
    let report = skillcert_app::certification::report::evaluation_report(app, &manager, round.id)
        .await
        .unwrap();
    assert!(!report.skills.is_empty(), "exam questions carry skill tags");
    assert!(
        !report.items.is_empty(),
        "the event's sheets give rubric items"
    );
    for s in report.skills.iter().chain(&report.items) {
        assert!((0.0..=1.0).contains(&s.share), "{s:?}");
    }
    assert!(
        report.items.windows(2).all(|w| w[0].share <= w[1].share),
        "weakest first"
    );
    assert!(report.item_names.contains_key(&report.items[0].key));
    assert_eq!(report.modules.len(), 3);
}

#[tokio::test]
async fn an_appeal_against_the_panel_gets_a_new_panel_drawn_by_the_same_rules() {
    use skillcert_app::practical::{draw, events, sheets};
    use skillcert_domain::practical::rubric::{ItemMark, SheetMarks};

    let t = backends().await.into_iter().next().unwrap();
    let app = &t.app;
    let manager = actor(app, "manager", Role::TrainingManager).await;
    let admin = actor(app, "admin", Role::Admin).await;
    let scheme = skillcert_domain::scheme::presets::get("s1-certification").unwrap();
    let mut input = RoundInput::defaults(app, &scheme);
    input.code = "T-PANEL".into();
    input.title = "申诉重评".into();
    input.sources = BTreeMap::from([("practical".to_string(), "S4-ONSITE-Q3".to_string())]);
    let round = rounds::create(app, &manager, &input).await.unwrap();
    let (event_id, candidate) = {
        let mut r = app.db.read().await.unwrap();
        let c = &mut r.conn();
        let event = store::event_by_code(c, "S4-ONSITE-Q3")
            .await
            .unwrap()
            .unwrap();
        let subject = skillcert_store::practical::subjects(c, event.0)
            .await
            .unwrap()[0]
            .clone();
        let e = skillcert_store::org::get_employee(c, subject.employee_id.unwrap())
            .await
            .unwrap();
        (event.0, e)
    };
    let level = ApplicationInput {
        level: "junior".into(),
        ..ApplicationInput::default()
    };
    let id = applications::apply_for(app, &manager, &candidate.employee_no, round.id, &level, &[])
        .await
        .unwrap();
    applications::decide(app, &manager, id, true, "")
        .await
        .unwrap();
    for (k, v) in [("theory", "70"), ("daily", "75")] {
        results::enter_score(app, &manager, round.id, candidate.id, k, v)
            .await
            .unwrap();
    }
    results::review(app, &manager, round.id).await.unwrap();
    results::publish(app, &manager, round.id).await.unwrap();
    let result = {
        let mut r = app.db.read().await.unwrap();
        store::current_results(&mut r.conn(), round.id)
            .await
            .unwrap()[0]
            .clone()
    };
    // The candidate has no account of their own: the appeal is filed as them.
    let me = Actor {
        employee_id: Some(candidate.id),
        ..actor(app, "employee", Role::Employee).await
    };
    let appeal_id = appeals::file(
        app,
        &me,
        result.id,
        &appeals::AppealInput {
            component: "practical".into(),
            item: String::new(),
            reason: "评委打分过严".into(),
        },
    )
    .await
    .unwrap();
    let new_event = appeals::open_panel(app, &admin, appeal_id).await.unwrap();
    assert_eq!(
        codes(
            appeals::open_panel(app, &admin, appeal_id)
                .await
                .unwrap_err()
        ),
        ["appeal-panel-open"]
    );
    // Deciding before the new panel has scored is refused.
    let rescore = appeals::DecisionInput {
        decision: "rescore".into(),
        note: "新评委复评".into(),
        scores: BTreeMap::new(),
    };
    assert_eq!(
        codes(
            appeals::decide(app, &admin, appeal_id, &rescore)
                .await
                .unwrap_err()
        ),
        ["appeal-panel-pending"]
    );
    let original = events::get(app, &admin, event_id).await.unwrap();
    let original_subject = original
        .subjects
        .iter()
        .find(|s| s.employee_id == Some(candidate.id))
        .unwrap()
        .id;
    let mut old_judges: Vec<i64> = original
        .seats_of(original_subject)
        .map(|s| s.judge_id)
        .collect();
    old_judges.sort_unstable();
    let planned = events::get(app, &admin, new_event).await.unwrap();
    assert_eq!(planned.rules, original.rules, "the same rules");
    assert_eq!(planned.subjects.len(), 1);
    let mut excluded: Vec<i64> = planned.conflicts.iter().map(|c| c.judge_id).collect();
    excluded.sort_unstable();
    assert_eq!(excluded, old_judges, "the original panel is excluded");
    // The demo's pools are too small for a panel of new judges: the draw says which pool.
    draw::publish_seed(app, &admin, new_event).await.unwrap();
    let refused = draw::run(app, &admin, new_event, "").await.unwrap_err();
    assert!(
        codes(refused).contains(&"draw-not-enough-eligible"),
        "an impossible draw is refused"
    );
    // The reviewer lifts the exclusions (or adds members to the pools) and draws again.
    for c in &planned.conflicts {
        events::remove_conflict(app, &admin, new_event, c.judge_id, c.subject_id)
            .await
            .unwrap();
    }
    draw::publish_seed(app, &admin, new_event).await.unwrap();
    let view = draw::run(app, &admin, new_event, "").await.unwrap();
    assert_eq!(view.seats.len(), 7, "the same quotas");
    let rubric = skillcert_domain::practical::rubric::Rubric::parse_toml(
        skillcert_domain::practical::rubric::preset("s4-call-scoring").unwrap(),
    )
    .unwrap();
    let mut marks = SheetMarks::default();
    for item in rubric.items() {
        let top = *item.allowed_values().last().unwrap();
        marks.items.insert(item.key.clone(), ItemMark::Points(top));
    }
    for text in rubric.free_text() {
        marks.texts.insert(text.key.clone(), "良好".into());
    }
    for seat in &view.seats {
        let username = {
            let mut r = app.db.read().await.unwrap();
            let c = &mut r.conn();
            let user = skillcert_store::practical::user_of_employee(c, seat.judge_id)
                .await
                .unwrap()
                .unwrap();
            skillcert_store::users::get_user(c, user)
                .await
                .unwrap()
                .username
        };
        let judge = actor(app, &username, Role::Judge).await;
        sheets::save(app, &judge, seat.subject_id, &marks, true)
            .await
            .unwrap();
    }
    appeals::decide(app, &admin, appeal_id, &rescore)
        .await
        .unwrap();
    let detail = appeals::get(app, &admin, appeal_id).await.unwrap();
    assert_eq!(detail.history.len(), 2);
    let after: skillcert_domain::scheme::Inputs =
        serde_json::from_str(&detail.history[1].inputs).unwrap();
    assert_eq!(
        after.values["practical"],
        skillcert_domain::scheme::Input::Marks(vec![
            skillcert_domain::scheme::Score::from_hundredths(10_000).unwrap();
            7
        ]),
        "the new panel's seven marks"
    );
}

#[tokio::test]
async fn a_re_score_that_turns_a_pass_into_a_failure_revokes_and_takes_the_ladder_step() {
    for t in backends().await {
        let app = &t.app;
        let manager = actor(app, "manager", Role::TrainingManager).await;
        let admin = actor(app, "admin", Role::Admin).await;
        let me = actor(app, "employee", Role::Employee).await;
        let scheme = skillcert_domain::scheme::presets::get("s1-certification").unwrap();
        let mut input = RoundInput::defaults(app, &scheme);
        input.code = "T-DOWN".into();
        input.title = "复核降分".into();
        input.issue_at = "publication".into();
        let round = rounds::create(app, &manager, &input).await.unwrap();
        let level = ApplicationInput {
            level: "junior".into(),
            ..ApplicationInput::default()
        };
        let id = applications::apply(app, &me, round.id, &level, &[])
            .await
            .unwrap();
        applications::decide(app, &manager, id, true, "")
            .await
            .unwrap();
        let employee_id = me.employee_id.unwrap();
        for (k, v) in [("theory", "70"), ("practical", "70"), ("daily", "70")] {
            results::enter_score(app, &manager, round.id, employee_id, k, v)
                .await
                .unwrap();
        }
        results::review(app, &manager, round.id).await.unwrap();
        results::publish(app, &manager, round.id).await.unwrap();
        let issued = certificates::mine(app, &me)
            .await
            .unwrap()
            .into_iter()
            .find(|c| c.row.round_id == Some(round.id))
            .expect("issued at publication");
        assert!(
            consequences::list(app, &manager, Some(round.id))
                .await
                .unwrap()
                .is_empty(),
            "a pass has no consequence"
        );

        let result = {
            let mut r = app.db.read().await.unwrap();
            store::current_results(&mut r.conn(), round.id)
                .await
                .unwrap()[0]
                .clone()
        };
        let appeal = appeals::AppealInput {
            component: "practical".into(),
            item: String::new(),
            reason: "申请复核实操等级".into(),
        };
        let appeal_id = appeals::file(app, &me, result.id, &appeal).await.unwrap();
        let rescore = appeals::DecisionInput {
            decision: "rescore".into(),
            note: "复核发现评分过宽，实操改为 20 分".into(),
            scores: BTreeMap::from([("practical".to_string(), "20".to_string())]),
        };
        appeals::decide(app, &admin, appeal_id, &rescore)
            .await
            .unwrap();
        // The certificate goes; the failure takes the ladder's first step, as at publication.
        let after = certificates::get(app, &manager, &issued.row.number)
            .await
            .unwrap();
        assert_eq!(after.status, CertificateStatus::Revoked, "{}", t.label);
        let ks = consequences::list(app, &manager, Some(round.id))
            .await
            .unwrap();
        assert_eq!(ks.len(), 1, "{}", t.label);
        assert_eq!(ks[0].step_key, "retrain_retake");
        assert!(
            !certificates::mine(app, &me)
                .await
                .unwrap()
                .iter()
                .any(|c| c.row.round_id == Some(round.id) && c.status == CertificateStatus::Valid)
        );
    }
}
