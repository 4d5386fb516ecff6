//! The demo's theory exams: a question bank, two papers, a session open now for everyone
//! (so the demo `employee` account can sit it) and a closed session with graded attempts
//! of one call centre, so results, marking history and item analysis have something to show.

use chrono::{DateTime, Duration, Utc};
use skillcert_domain::exam::answer::{Answer, Grade, MultiplePolicy, grade};
use skillcert_domain::exam::attempt::ReviewPolicy;
use skillcert_domain::exam::paper::{DEFAULT_TOTAL, PaperSpec, Part};
use skillcert_domain::exam::question::{Body, Question, QuestionType};
use skillcert_domain::exam::rng::SplitMix64;
use skillcert_store::audit::{NewAudit, append};
use skillcert_store::exams::{self as store, NewAttempt, SessionFields};
use skillcert_store::{Conn, org, papers, questions, users};

use crate::audit::{Author, entry};
use crate::exams::ms;
use crate::{App, AppError, AppResult};

fn paper(parts: Vec<Part>, policy: MultiplePolicy) -> PaperSpec {
    PaperSpec {
        total: DEFAULT_TOTAL,
        policy,
        shuffle_questions: true,
        shuffle_options: true,
        parts,
    }
}

fn rule(qtype: QuestionType, count: u32, points: u32) -> Part {
    Part::Rule {
        qtype,
        tag: None,
        difficulty: None,
        count,
        points,
    }
}

#[allow(clippy::too_many_arguments)]
fn session(
    code: &str,
    title: &str,
    paper_id: i64,
    opens: DateTime<Utc>,
    closes: DateTime<Utc>,
    attempts: i32,
    review: ReviewPolicy,
    double: bool,
) -> SessionFields {
    SessionFields {
        code: code.into(),
        title: title.into(),
        paper_id: Some(paper_id),
        mode: "online".into(),
        opens_at_ms: ms(opens),
        closes_at_ms: ms(closes),
        duration_minutes: 60,
        attempts_allowed: attempts,
        pass_mark: 6000,
        review: review.key().into(),
        double_marking: double,
        divergence: 500,
        audience: "departments".into(),
    }
}

async fn publish(c: &mut Conn<'_>, id: i64, spec: &PaperSpec, now: DateTime<Utc>) -> AppResult<()> {
    let pool = questions::pool(c).await?;
    let enc = |e: serde_json::Error| AppError::Internal(anyhow::anyhow!("{e}"));
    store::set_session_status(
        c,
        id,
        "published",
        Some(&serde_json::to_string(spec).map_err(enc)?),
        Some(&serde_json::to_string(&pool).map_err(enc)?),
        now,
    )
    .await?;
    Ok(())
}

/// Loads the demo exams in the caller's transaction.
pub(crate) async fn load(app: &App, c: &mut Conn<'_>, author: &Author) -> AppResult<()> {
    let now = app.now();
    let mut audits: Vec<NewAudit> = Vec::new();
    let skills: Vec<String> = questions::skills(c)
        .await?
        .into_iter()
        .map(|s| s.code)
        .collect();
    let mut bank: Vec<(i64, i64, Question)> = Vec::new();
    for (i, input) in skillcert_domain::exam::demo::questions().iter().enumerate() {
        let q = input
            .validate(&|t| skills.iter().any(|s| s == t))
            .map_err(AppError::Validation)?;
        let code = format!("Q{:06}", i + 1);
        let (id, version) = questions::insert(c, &code, &q, None, now).await?;
        audits.push(entry(
            app,
            author,
            "question.create",
            "question",
            Some(id.to_string()),
            None::<&()>,
            Some(&q),
        ));
        bank.push((id, version, q));
    }
    // The certification paper is fixed (everyone sits the same questions, in shuffled
    // order), which also makes its item analysis comparable across candidates.
    let fixed = |t: QuestionType, n: usize, points: u32| {
        bank.iter()
            .filter(move |(_, _, q)| q.body.qtype() == t)
            .take(n)
            .map(move |(id, _, _)| Part::Fixed {
                question_id: *id,
                points: Some(points),
            })
    };
    let s1 = paper(
        fixed(QuestionType::Single, 20, 200)
            .chain(fixed(QuestionType::Short, 2, 3000))
            .collect(),
        MultiplePolicy::AllOrNothing,
    );
    let practice = paper(
        vec![
            rule(QuestionType::Single, 6, 1000),
            rule(QuestionType::Multiple, 2, 1000),
            rule(QuestionType::TrueFalse, 2, 1000),
        ],
        MultiplePolicy::Partial,
    );
    let p1 = papers::insert(
        c,
        "S1-THEORY",
        "服务技能认证理论考试（S1 模板 3）",
        &s1,
        now,
    )
    .await?;
    let p2 = papers::insert(c, "PRACTICE-10", "服务规范练习卷（10 题）", &practice, now).await?;
    for p in [&p1, &p2] {
        audits.push(entry(
            app,
            author,
            "paper.create",
            "paper",
            Some(p.id.to_string()),
            None::<&()>,
            Some(&p.spec),
        ));
    }
    let roots: Vec<i64> = org::list_departments(c)
        .await?
        .into_iter()
        .filter(|d| d.parent_id.is_none())
        .map(|d| d.id)
        .collect();

    // Open now, for everyone: the demo employee can sit it.
    let open = store::insert_session(
        c,
        &session(
            "PRACTICE-2026",
            "服务规范练习（随时可考）",
            p2.id,
            now - Duration::hours(1),
            now + Duration::days(30),
            3,
            ReviewPolicy::ScoreWhenGraded,
            false,
        ),
        now,
    )
    .await?;
    store::set_departments(c, open.id, &roots).await?;
    publish(c, open.id, &practice, now).await?;

    // Closed, with graded attempts of the first call centre's employees.
    let opens = now - Duration::days(30);
    let closed = store::insert_session(
        c,
        &session(
            "THEORY-2026-Q3",
            "2026 年第三季度服务技能理论考试",
            p1.id,
            opens,
            opens + Duration::days(2),
            1,
            ReviewPolicy::FullAfterClose,
            false,
        ),
        now,
    )
    .await?;
    store::set_departments(c, closed.id, &roots).await?;
    publish(c, closed.id, &s1, now).await?;
    for s in [&open, &closed] {
        audits.push(entry(
            app,
            author,
            "exam_session.create",
            "exam_session",
            Some(s.id.to_string()),
            None::<&()>,
            Some(s),
        ));
    }
    let marker = users::find_user_by_username(c, "lecturer")
        .await?
        .map(|u| u.id);
    let employees = org::all_employees(c).await?;
    let Some(first) = employees.first() else {
        append(c, audits).await?;
        return Ok(());
    };
    let pool = questions::pool(c).await?;
    let mut rng = SplitMix64::new(20_260_701);
    let cohort: Vec<_> = employees
        .iter()
        .filter(|e| e.department_id == first.department_id)
        .take(60)
        .collect();
    for (k, e) in cohort.iter().enumerate() {
        // Ability in [0.35, 0.95): the cohort spreads around the pass line.
        let ability = 0.35 + (rng.below(600) as f64) / 1000.0;
        let seed = rng.next_u64();
        let items = s1
            .draw(&pool, seed)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
        let started = opens + Duration::hours(2) + Duration::minutes(k as i64 * 3);
        let paper_json = serde_json::to_string(&items)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
        let Some(id) = store::insert_attempt(
            c,
            &NewAttempt {
                session_id: closed.id,
                employee_id: e.id,
                number: 1,
                seed: seed as i64,
                paper: &paper_json,
                status: "open",
                started_at_ms: ms(started),
                deadline_ms: ms(started + Duration::minutes(60)),
                max_score: DEFAULT_TOTAL as i32,
            },
        )
        .await?
        else {
            continue;
        };
        let submitted = started + Duration::minutes(35 + (k as i64 % 20));
        let mut total: i64 = 0;
        let mut grades = Vec::new();
        for (pos, item) in items.iter().enumerate() {
            let Some((_, _, q)) = bank.iter().find(|(_, v, _)| *v == item.version_id) else {
                continue;
            };
            let hard = f64::from(q.difficulty.level()) / 10.0;
            let right = (rng.below(1000) as f64) / 1000.0 < ability + 0.25 - hard;
            let answer = match &q.body {
                Body::Single { key, options } => Answer::Choice(vec![if right {
                    *key
                } else {
                    ((usize::from(*key) + 1 + rng.below(options.len() - 1)) % options.len()) as u8
                }]),
                Body::Multiple { key, .. } => Answer::Choice(if right {
                    key.clone()
                } else {
                    key[..1].to_vec()
                }),
                Body::TrueFalse { key } => Answer::Truth(if right { *key } else { !*key }),
                Body::Short { key_points, .. } => Answer::Text(
                    key_points
                        .iter()
                        .take(if right { key_points.len() } else { 2 })
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
            };
            let aj = serde_json::to_string(&answer)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
            store::put_answer(
                c,
                id,
                pos as i32,
                pos as i64 + 1,
                &aj,
                ms(started) + pos as i64 * 60_000,
            )
            .await?;
            // The last three candidates' short answers still wait in the marking queue.
            let awaiting = k + 3 >= cohort.len();
            let score = match grade(&q.body, Some(&answer), item.points, s1.policy) {
                Grade::Auto(p) => p,
                Grade::Manual if awaiting => {
                    grades.push((pos as i32, None, true));
                    continue;
                }
                Grade::Manual => {
                    // A short answer marked by the demo lecturer: ability scales the mark.
                    let mark = ((f64::from(item.points) * (ability * 0.9 + 0.05)) / 100.0).round()
                        as u32
                        * 100;
                    if let Some(m) = marker {
                        store::insert_mark(
                            c,
                            id,
                            pos as i32,
                            1,
                            m,
                            mark as i32,
                            None,
                            submitted + Duration::days(1),
                        )
                        .await?;
                    }
                    mark.min(item.points)
                }
            };
            total += i64::from(score);
            grades.push((pos as i32, Some(score as i32), false));
        }
        store::grade_items(c, id, &grades, ms(submitted)).await?;
        store::close_attempt(c, id, "candidate", ms(submitted)).await?;
        if grades.iter().all(|g| !g.2) {
            store::set_result(c, id, Some(total as i32), Some(total >= 6000)).await?;
        }
    }
    audits.push(entry(
        app,
        author,
        "exam_attempt.demo",
        "exam_session",
        Some(closed.id.to_string()),
        None::<&()>,
        Some(&serde_json::json!({ "graded_attempts": cohort.len() })),
    ));
    append(c, audits).await?;
    Ok(())
}
