//! The demo's practical assessments (S4 routine assessment of the service windows):
//! judges of the leadership group and its office with accounts, a closed quarterly event
//! whose 7 judges were drawn 3 : 4 from a published seed and have all scored, an event of
//! today in scoring where the demo `judge` still has sheets to fill, and a calibration of
//! two recorded calls against reference scores — so results, dropped marks, verdicts,
//! ladder steps and judge analytics all have something real to show.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use skillcert_domain::access::{Grant, Role};
use skillcert_domain::demo::{DEMO_PASSWORD, DemoOrg};
use skillcert_domain::exam::rng::SplitMix64;
use skillcert_domain::practical::draw::{self, DrawInput, Judge, Pool, Subject, seed_text};
use skillcert_domain::practical::rubric::{self, ItemMark, Rubric, SheetMarks};
use skillcert_domain::practical::rules::PanelRules;
use skillcert_domain::practical::scenario::{Scenario, ScenarioKind};
use skillcert_domain::scheme::Score;
use skillcert_store::audit::{NewAudit, append};
use skillcert_store::practical::{self as store, EventFields, NewDraw, NewSubject};
use skillcert_store::{Conn, org, users};

use crate::audit::{Author, entry};
use crate::practical::StoredRules;
use crate::users::{UserInput, create_unchecked};
use crate::{App, AppError, AppResult};

const RUBRIC: &str = "s4-call-scoring";
const SCHEME: &str = "s4-routine-assessment";

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("demo practical: {e}"))
}

/// A person of the demo with the facts the draw needs.
#[derive(Clone)]
struct Person {
    id: i64,
    no: String,
    unit_id: Option<i64>,
}

async fn person(c: &mut Conn<'_>, no: &str) -> AppResult<Person> {
    let e = org::find_employee_by_no(c, no)
        .await?
        .ok_or_else(|| internal(format!("no employee {no}")))?;
    Ok(Person {
        id: e.id,
        no: e.employee_no,
        unit_id: e.unit_id,
    })
}

/// Picks the marks a judge of `bias` (points on the total, spread over items) gives a
/// candidate of `ability` (0..1): the allowed value nearest to the target, with noise.
fn marks_for(rubric: &Rubric, ability: f64, bias: f64, rng: &mut SplitMix64) -> SheetMarks {
    let mut items = BTreeMap::new();
    let total = f64::from(rubric.max_points().max(1));
    for item in rubric.items() {
        let max = f64::from(item.max);
        let noise = (rng.below(1001) as f64 / 1000.0 - 0.5) * 0.16 * max;
        let target = (ability * max + bias * max / total + noise).clamp(0.0, max);
        let best = item.nearest_allowed(target);
        items.insert(item.key.clone(), ItemMark::Points(best));
    }
    let mut texts = BTreeMap::new();
    if ability < 0.8 {
        texts.insert(
            "main-problems".to_string(),
            "未能主动确认客户诉求，解决方案不够完整。".to_string(),
        );
        texts.insert(
            "improvement-suggestions".to_string(),
            "加强业务知识学习，练习复述确认与升级流程。".to_string(),
        );
    } else {
        texts.insert(
            "overall-evaluation".to_string(),
            "服务规范，表达清晰，问题处理到位。".to_string(),
        );
    }
    SheetMarks { items, texts }
}

struct Demo<'a> {
    app: &'a App,
    author: &'a Author,
    rubric: Rubric,
    rubric_src: &'static str,
    audits: Vec<NewAudit>,
}

struct EventPlan<'a> {
    code: &'a str,
    title: &'a str,
    kind: &'a str,
    held_on: NaiveDate,
    place: &'a str,
    leadership: &'a [Person],
    office: &'a [Person],
    subjects: Vec<NewSubject>,
    /// `(attendance, inspection)` per candidate, in subject order.
    inputs: Vec<(u8, u8)>,
}

impl Demo<'_> {
    async fn event(&mut self, c: &mut Conn<'_>, p: &EventPlan<'_>) -> AppResult<store::EventRow> {
        let calibration = p.kind == "calibration";
        let mut rules = PanelRules::s4();
        if calibration {
            rules.policy.min_marks = 1;
        }
        let stored = StoredRules {
            panel: rules,
            scheme_version: (!calibration).then(|| "preset".to_string()),
        };
        let fields = EventFields {
            code: p.code.into(),
            title: p.title.into(),
            kind: p.kind.into(),
            held_on: p.held_on,
            place: p.place.into(),
            scheme_key: (!calibration).then(|| SCHEME.to_string()),
            component_key: (!calibration).then(|| "onsite".to_string()),
            rubric_key: RUBRIC.into(),
            rubric_version: i32::try_from(self.rubric.version()).unwrap_or(1),
            rubric: self.rubric_src.into(),
            rules: serde_json::to_string(&stored).map_err(internal)?,
            chief_user_id: None,
        };
        let row = store::insert_event(c, &fields, self.app.now()).await?;
        let pools = vec![
            (
                "leadership".to_string(),
                p.leadership.iter().map(|x| x.id).collect(),
            ),
            (
                "office".to_string(),
                p.office.iter().map(|x| x.id).collect(),
            ),
        ];
        store::set_pool_members(c, row.id, &pools).await?;
        store::set_subjects(c, row.id, &p.subjects).await?;
        let subjects = store::subjects(c, row.id).await?;
        for (s, (att, insp)) in subjects.iter().zip(&p.inputs) {
            let mut v = BTreeMap::new();
            v.insert("attendance", Score::points(*att));
            v.insert("inspection", Score::points(*insp));
            let json = serde_json::to_string(&v).map_err(internal)?;
            store::set_subject_inputs(c, s.id, &json).await?;
        }
        self.audits.push(entry(
            self.app,
            self.author,
            "assessment_event.create",
            "assessment_event",
            Some(row.id.to_string()),
            None::<&()>,
            Some(&row),
        ));
        Ok(row)
    }

    /// Draws the panel from the first seed (counting up from `base`) for which `must`
    /// (the demo judge) is drawn, so the demo account always has sheets to fill.
    async fn draw(
        &mut self,
        c: &mut Conn<'_>,
        event: &store::EventRow,
        p: &EventPlan<'_>,
        base: u64,
        must: Option<i64>,
    ) -> AppResult<Vec<(i64, i64)>> {
        let subjects = store::subjects(c, event.id).await?;
        let judge = |x: &Person| Judge {
            id: x.id,
            unit_id: x.unit_id,
        };
        let rules = PanelRules::s4();
        let pools = vec![
            Pool {
                key: "leadership".into(),
                quota: rules.pools[0].quota,
                members: p.leadership.iter().map(judge).collect(),
            },
            Pool {
                key: "office".into(),
                quota: rules.pools[1].quota,
                members: p.office.iter().map(judge).collect(),
            },
        ];
        let subjects_in: Vec<Subject> = subjects
            .iter()
            .filter_map(|s| {
                Some(Subject {
                    id: s.id,
                    employee_id: s.employee_id?,
                    unit_id: s.unit_id,
                    supervisor_id: s.supervisor_id,
                    mentor_ids: Vec::new(),
                    declared: Vec::new(),
                })
            })
            .collect();
        let mut chosen = None;
        for seed in base..base + 500 {
            let input = DrawInput {
                seed,
                scope: rules.scope,
                conflicts: rules.conflicts,
                pools: pools.clone(),
                subjects: subjects_in.clone(),
            };
            let Ok(outcome) = draw::draw(&input) else {
                continue;
            };
            let seated = |j: i64| {
                outcome
                    .panels
                    .iter()
                    .all(|panel| panel.seats.iter().any(|s| s.judge == j))
            };
            if must.is_none_or(seated) {
                chosen = Some((input, outcome));
                break;
            }
        }
        let (input, outcome) = chosen.ok_or_else(|| internal("no seed seats the demo judge"))?;
        let seed = seed_text(input.seed);
        let seats: Vec<(i64, i64, String)> = outcome
            .panels
            .iter()
            .flat_map(|panel| {
                panel
                    .seats
                    .iter()
                    .map(move |s| (panel.subject, s.judge, s.pool.clone()))
            })
            .collect();
        let input_json = serde_json::to_string(&Some(&input)).map_err(internal)?;
        let outcome_json = serde_json::to_string(&Some(&outcome)).map_err(internal)?;
        store::record_draw(
            c,
            &NewDraw {
                event_id: event.id,
                number: 1,
                seed: &seed,
                input: &input_json,
                outcome: &outcome_json,
                reason: None,
                drawn_by: None,
            },
            &seats,
            self.app.now(),
        )
        .await?;
        store::set_status(c, event.id, "scoring", self.app.now()).await?;
        self.audits.push(entry(
            self.app,
            self.author,
            "assessment_event.draw",
            "assessment_event",
            Some(event.id.to_string()),
            None::<&()>,
            Some(&serde_json::json!({ "number": 1, "seed": seed, "panels": outcome.panels })),
        ));
        Ok(seats.into_iter().map(|(s, j, _)| (s, j)).collect())
    }

    /// Every judge in `seats` except `skip` submits a sheet.
    #[allow(clippy::too_many_arguments)]
    async fn score(
        &mut self,
        c: &mut Conn<'_>,
        seats: &[(i64, i64)],
        abilities: &BTreeMap<i64, f64>,
        biases: &BTreeMap<i64, f64>,
        skip: Option<i64>,
        rng: &mut SplitMix64,
    ) -> AppResult<()> {
        for (subject, judge) in seats {
            if Some(*judge) == skip {
                continue;
            }
            let ability = abilities.get(subject).copied().unwrap_or(0.85);
            let bias = biases.get(judge).copied().unwrap_or(0.0);
            let marks = marks_for(&self.rubric, ability, bias, rng);
            let score = self.rubric.score_sheet(&marks).map_err(internal)?;
            let json = serde_json::to_string(&marks).map_err(internal)?;
            let total = i32::try_from(score.total.hundredths()).unwrap_or(0);
            store::submit(c, *subject, *judge, &json, total, self.app.now()).await?;
            self.audits.push(entry(
                self.app,
                self.author,
                "score_sheet.submit",
                "score_sheet",
                Some(format!("{subject}:{judge}")),
                None::<&()>,
                Some(&serde_json::json!({ "marks": marks, "total": score.total })),
            ));
        }
        Ok(())
    }
}

/// Gives each pool member an account with the judge role, so they can sign in and score.
async fn judge_accounts(
    app: &App,
    c: &mut Conn<'_>,
    author: &Author,
    people: &[&Person],
) -> AppResult<()> {
    let now = app.now();
    for p in people {
        if store::user_of_employee(c, p.id).await?.is_some() {
            continue;
        }
        let name = org::find_employee_by_no(c, &p.no)
            .await?
            .map(|e| e.name)
            .unwrap_or_default();
        let input = UserInput {
            username: p.no.to_lowercase(),
            display_name: name,
            password: DEMO_PASSWORD.into(),
            employee_no: p.no.clone(),
            role: String::new(),
            department_id: None,
        };
        let user = create_unchecked(app, c, author, &input).await?;
        users::insert_grant(
            c,
            user.id,
            Grant {
                role: Role::Judge,
                department_id: None,
            },
            now,
        )
        .await?;
    }
    Ok(())
}

/// The demo's scenario cards: two role plays of the S4 windows and one recorded call.
fn cards() -> Vec<(&'static str, Scenario)> {
    let card =
        |kind, title: &str, brief: &str, notes: &str, behaviours: &[&str], skills: &[&str]| {
            Scenario {
                kind,
                title: title.into(),
                customer_brief: brief.into(),
                judge_notes: notes.into(),
                expected_behaviours: behaviours.iter().map(|b| b.to_string()).collect(),
                skills: skills.iter().map(|s| s.to_string()).collect(),
                duration_minutes: Some(8),
                recording: None,
            }
        };
    let mut recorded = card(
        ScenarioKind::RecordedCall,
        "录音：宽带报修，客户情绪激动",
        "",
        "标准分 76 分：致歉及时，但未告知预计修复时间。",
        &[
            "先安抚情绪再处理问题",
            "告知预计处理时间",
            "挂机前确认是否还有其他需要",
        ],
        &["emotion-management", "complaint-process"],
    );
    recorded.recording = Some("REC-2026-0915-0832".into());
    vec![
        (
            "SC-WIN-01",
            card(
                ScenarioKind::RolePlay,
                "窗口业务办理：客户对排队时间不满",
                "您已排队 40 分钟，到窗口时语气很冲，要求立即办理套餐变更并投诉排队时间。若营业员先致歉并说明原因，您的情绪逐步缓和。",
                "关注营业员是否先处理情绪再处理业务；是否主动告知投诉渠道；是否使用规范用语。",
                &[
                    "起身微笑问候并致歉",
                    "复述客户诉求并确认",
                    "说明办理时限与投诉渠道",
                    "使用规范结束语",
                ],
                &["emotion-management", "polite-phrases", "service-norms"],
            ),
        ),
        (
            "SC-WIN-02",
            card(
                ScenarioKind::RolePlay,
                "老年客户咨询话费账单",
                "您是一位 70 岁的老人，看不懂本月账单中的增值业务费，说话较慢、反复询问同一问题。",
                "关注语速、耐心程度，是否用通俗语言解释，是否主动核查并提出退订方案。",
                &[
                    "放慢语速、耐心倾听",
                    "用通俗语言解释费用",
                    "主动核查增值业务并给出退订方案",
                ],
                &["listening", "clear-language", "product-knowledge"],
            ),
        ),
        ("SC-CALL-01", recorded),
    ]
}

/// Loads the demo's practical assessments in the caller's transaction.
pub(crate) async fn load(
    app: &App,
    c: &mut Conn<'_>,
    author: &Author,
    demo: &DemoOrg,
) -> AppResult<()> {
    let src = rubric::preset(RUBRIC).ok_or_else(|| internal("no rubric preset"))?;
    let parsed = Rubric::parse_toml(src).map_err(internal)?;
    let today = app.today();
    let active = |e: &&skillcert_domain::demo::DemoEmployee| {
        e.status == skillcert_domain::org::EmployeeStatus::Active
    };
    // The leadership group: supervisors (the demo judge among them); its office: trainers
    // and senior agents.
    let judge_no = demo
        .accounts
        .iter()
        .find(|a| a.role == Role::Judge)
        .and_then(|a| a.employee_no.clone());
    // Other demo accounts (manager, lecturer, supervisor, mentor) stay out of the pools:
    // they do not hold the judge role, so they could not score if drawn.
    let taken: Vec<&str> = demo
        .accounts
        .iter()
        .filter(|a| a.role != Role::Judge)
        .filter_map(|a| a.employee_no.as_deref())
        .collect();
    let free = |e: &&skillcert_domain::demo::DemoEmployee| !taken.contains(&e.employee_no.as_str());
    let mut leadership_nos: Vec<String> = judge_no.iter().cloned().collect();
    leadership_nos.extend(
        demo.employees
            .iter()
            .filter(active)
            .filter(free)
            .filter(|e| {
                e.position_code == "SUPERVISOR" && Some(&e.employee_no) != judge_no.as_ref()
            })
            .filter(|e| !e.department_code.starts_with("BH"))
            .take(4)
            .map(|e| e.employee_no.clone()),
    );
    let office_nos: Vec<String> = demo
        .employees
        .iter()
        .filter(active)
        .filter(free)
        .filter(|e| matches!(e.position_code.as_str(), "TRAINER" | "SENIOR-AGENT"))
        .filter(|e| !leadership_nos.contains(&e.employee_no))
        .take(6)
        .map(|e| e.employee_no.clone())
        .collect();
    let clerks: Vec<String> = demo
        .employees
        .iter()
        .filter(active)
        .filter(|e| e.position_code == "CLERK" && e.department_code.starts_with("BH"))
        .take(12)
        .map(|e| e.employee_no.clone())
        .collect();
    if leadership_nos.len() < 4 || office_nos.len() < 5 || clerks.len() < 10 {
        return Err(internal("the demo organisation is too small"));
    }
    let mut leadership = Vec::new();
    for no in &leadership_nos {
        leadership.push(person(c, no).await?);
    }
    let mut office = Vec::new();
    for no in &office_nos {
        office.push(person(c, no).await?);
    }
    let mut candidates = Vec::new();
    for no in &clerks {
        candidates.push(person(c, no).await?);
    }
    let pool_people: Vec<&Person> = leadership.iter().chain(office.iter()).collect();
    judge_accounts(app, c, author, &pool_people).await?;
    let demo_judge = leadership.first().map(|p| p.id);

    let mut card_versions = Vec::new();
    for (code, card) in cards() {
        let (_, version) =
            skillcert_store::scenarios::insert(c, code, &card, None, app.now()).await?;
        card_versions.push(version);
    }

    let mut d = Demo {
        app,
        author,
        rubric: parsed,
        rubric_src: src,
        audits: Vec::new(),
    };
    let mut rng = SplitMix64::new(20_261_123);
    // One lenient and one harsh judge, so the analytics have something to find.
    let mut biases = BTreeMap::new();
    if let (Some(l), Some(h)) = (office.first(), office.get(1)) {
        biases.insert(l.id, 5.0);
        biases.insert(h.id, -6.0);
    }
    let subject = |p: &Person| NewSubject {
        employee_id: Some(p.id),
        label: p.no.clone(),
        reference: None,
    };

    // Last quarter: closed, everyone scored.
    let q3_people: Vec<Person> = candidates.iter().take(8).cloned().collect();
    let q3 = EventPlan {
        code: "S4-ONSITE-Q3",
        title: "营业厅服务礼仪现场考核（第三季度）",
        kind: "assessment",
        held_on: today - Duration::days(70),
        place: "城东营业厅培训室",
        leadership: &leadership,
        office: &office,
        subjects: q3_people.iter().map(subject).collect(),
        inputs: vec![
            (100, 96),
            (100, 92),
            (90, 95),
            (100, 88),
            (100, 98),
            (80, 90),
            (100, 94),
            (100, 97),
        ],
    };
    let row = d.event(c, &q3).await?;
    store::set_event_scenarios(c, row.id, &card_versions[..2]).await?;
    let seats = d.draw(c, &row, &q3, 0x2F6C_8B1D_93A4_E503, None).await?;
    let subjects = store::subjects(c, row.id).await?;
    let abilities: BTreeMap<i64, f64> = subjects
        .iter()
        .zip([0.93, 0.86, 0.95, 0.72, 0.97, 0.81, 0.9, 0.94])
        .map(|(s, a)| (s.id, a))
        .collect();
    d.score(c, &seats, &abilities, &biases, None, &mut rng)
        .await?;
    store::set_status(c, row.id, "closed", app.now()).await?;

    // Today: in scoring; the demo judge has not scored yet. Two candidates failed last
    // quarter, so a failure now would be their second within the year.
    let mut q4_people: Vec<Person> = candidates.iter().skip(8).take(4).cloned().collect();
    q4_people.extend(q3_people.iter().skip(3).take(1).cloned());
    q4_people.extend(q3_people.iter().skip(5).take(1).cloned());
    let q4 = EventPlan {
        code: "S4-ONSITE-Q4",
        title: "营业厅服务礼仪现场考核（第四季度）",
        kind: "assessment",
        held_on: today,
        place: "城西营业厅培训室",
        leadership: &leadership,
        office: &office,
        subjects: q4_people.iter().map(subject).collect(),
        inputs: vec![
            (100, 95),
            (100, 93),
            (90, 97),
            (100, 91),
            (100, 90),
            (100, 89),
        ],
    };
    let row = d.event(c, &q4).await?;
    store::set_event_scenarios(c, row.id, &card_versions[..2]).await?;
    let seats = d
        .draw(c, &row, &q4, 0x2F6C_8B1D_93A4_E504, demo_judge)
        .await?;
    let subjects = store::subjects(c, row.id).await?;
    let abilities: BTreeMap<i64, f64> = subjects
        .iter()
        .zip([0.92, 0.88, 0.96, 0.84, 0.78, 0.83])
        .map(|(s, a)| (s.id, a))
        .collect();
    d.score(c, &seats, &abilities, &biases, demo_judge, &mut rng)
        .await?;

    // A calibration: every judge scores the same two recorded calls.
    let cal = EventPlan {
        code: "CAL-CALLS-01",
        title: "评委校准：两通录音（标准分由评委组长给定）",
        kind: "calibration",
        held_on: today - Duration::days(90),
        place: "客户服务中心会议室",
        leadership: &leadership,
        office: &office,
        subjects: vec![
            NewSubject {
                employee_id: None,
                label: "录音 A：宽带报修，客户情绪激动".into(),
                reference: Some(7600),
            },
            NewSubject {
                employee_id: None,
                label: "录音 B：套餐变更咨询".into(),
                reference: Some(9100),
            },
        ],
        inputs: Vec::new(),
    };
    let row = d.event(c, &cal).await?;
    store::set_event_scenarios(c, row.id, &card_versions[2..]).await?;
    let draw_id = store::record_draw(
        c,
        &NewDraw {
            event_id: row.id,
            number: 1,
            seed: "",
            input: "null",
            outcome: "null",
            reason: None,
            drawn_by: None,
        },
        &[],
        app.now(),
    )
    .await?;
    store::seat_everyone(c, row.id, draw_id).await?;
    let cal_seats: Vec<(i64, i64)> = store::seats(c, row.id)
        .await?
        .into_iter()
        .map(|s| (s.subject_id, s.judge_id))
        .collect();
    let subjects = store::subjects(c, row.id).await?;
    let abilities: BTreeMap<i64, f64> = subjects
        .iter()
        .zip([0.76, 0.91])
        .map(|(s, a)| (s.id, a))
        .collect();
    store::set_status(c, row.id, "scoring", app.now()).await?;
    d.score(c, &cal_seats, &abilities, &biases, None, &mut rng)
        .await?;
    store::set_status(c, row.id, "closed", app.now()).await?;

    append(c, d.audits).await?;
    Ok(())
}
