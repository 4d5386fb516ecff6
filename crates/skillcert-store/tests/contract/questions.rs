//! The question bank (questions, versions, tags, the competency model) and papers.

use chrono::Duration;
use skillcert_domain::exam::answer::MultiplePolicy;
use skillcert_domain::exam::paper::{PaperSpec, Part};
use skillcert_domain::exam::question::{Difficulty, Question, QuestionInput, QuestionType};
use skillcert_store::questions::{self, QuestionQuery, QuestionSort};
use skillcert_store::{Dir, StoreError, papers};

use crate::support::*;

fn question(qtype: &str, stem: &str, points: &str, tags: &str, difficulty: &str) -> Question {
    let (options, key, key_points) = match qtype {
        "single" => (vec!["甲".to_string(), "乙".into(), "丙".into()], "B", ""),
        "multiple" => (vec!["甲".to_string(), "乙".into(), "丙".into()], "AC", ""),
        "true_false" => (Vec::new(), "T", ""),
        _ => (Vec::new(), "", "要点一\n要点二"),
    };
    QuestionInput {
        qtype: qtype.into(),
        stem: stem.into(),
        options,
        key: key.into(),
        points: points.into(),
        tags: tags.into(),
        difficulty: difficulty.into(),
        key_points: key_points.into(),
        ..QuestionInput::default()
    }
    .validate(&|_| true)
    .unwrap()
}

fn query() -> QuestionQuery {
    QuestionQuery {
        page: 1,
        per_page: 50,
        ..QuestionQuery::default()
    }
}

#[tokio::test]
async fn the_competency_model_is_seeded() {
    each(async |t| {
        let mut r = t.db.read().await.unwrap();
        let skills = questions::skills(&mut r.conn()).await.unwrap();
        assert_eq!(skills.len(), 23);
        assert_eq!(skills[0].code, "service-awareness");
        assert_eq!(skills[0].name_zh, "服务意识");
        assert_eq!(skills.last().unwrap().code, "appearance");
    })
    .await;
}

#[tokio::test]
async fn questions_keep_every_version() {
    each(async |t| {
        let v1 = question("single", "第一版", "2", "listening;empathy", "2");
        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        assert_eq!(questions::next_code(c).await.unwrap(), "Q000001");
        let (id, v1_id) = questions::insert(c, "Q000001", &v1, None, t0())
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut r = t.db.read().await.unwrap();
        let c = &mut r.conn();
        let row = questions::get(c, id).await.unwrap();
        assert_eq!(row.code, "Q000001");
        assert_eq!(row.version, 1);
        assert_eq!(row.qtype, "single");
        assert_eq!(row.points, 200);
        assert_eq!(row.difficulty, 2);
        assert!(!row.archived);
        assert_eq!(row.created_at, t0());
        assert_eq!(questions::get_by_code(c, "Q000001").await.unwrap(), row);
        assert!(matches!(
            questions::get_by_code(c, "nope").await,
            Err(StoreError::NotFound)
        ));
        let cur = questions::current(c, id).await.unwrap();
        assert_eq!(cur.id, v1_id);
        assert_eq!(cur.question, v1);
        assert!(questions::code_exists(c, "Q000001").await.unwrap());
        assert!(!questions::code_exists(c, "Q000002").await.unwrap());
        drop(r);

        let later = t0() + Duration::microseconds(1);
        let v2 = question("multiple", "第二版", "3", "listening", "4");
        let mut tx = t.begin().await;
        let after = questions::add_version(&mut tx.conn(), id, &v2, None, later)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(after.version, 2);
        assert_eq!(after.qtype, "multiple");
        assert_eq!(after.stem, "第二版");
        assert_eq!(after.updated_at, later);
        assert_eq!(after.created_at, t0());

        let mut r = t.db.read().await.unwrap();
        let c = &mut r.conn();
        let history = questions::history(c, id).await.unwrap();
        assert_eq!(
            history.iter().map(|v| v.version).collect::<Vec<_>>(),
            [2, 1]
        );
        assert_eq!(history[1].question, v1, "version 1 is unchanged");
        assert_eq!(history[0].question, v2);
        let mut both = questions::versions(c, &[v1_id, history[0].id])
            .await
            .unwrap();
        both.sort_by_key(|v| v.version);
        assert_eq!(both[0].question, v1);
        assert_eq!(both[1].question, v2);
        // Tags follow the current version.
        let q = QuestionQuery {
            tag: Some("empathy".into()),
            ..query()
        };
        assert_eq!(questions::list(c, &q).await.unwrap().total, 0);
        let q = QuestionQuery {
            tag: Some("listening".into()),
            ..query()
        };
        assert_eq!(questions::list(c, &q).await.unwrap().total, 1);
    })
    .await;
}

#[tokio::test]
async fn codes_are_unique_and_generated_codes_skip_taken_ones() {
    each(async |t| {
        let q = question("true_false", "判断", "1", "", "");
        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        questions::insert(c, "Q000002", &q, None, t0())
            .await
            .unwrap();
        // Id 1 is taken by the row above, so generation starts at 2, which is taken too.
        assert_eq!(questions::next_code(c).await.unwrap(), "Q000003");
        let fresh = questions::next_codes(c, 3, &["Q000003".to_string()])
            .await
            .unwrap();
        assert_eq!(fresh, ["Q000004", "Q000005", "Q000006"]);
        assert!(questions::next_codes(c, 0, &[]).await.unwrap().is_empty());
        tx.commit().await.unwrap();

        let mut tx = t.begin().await;
        let dup = questions::insert(&mut tx.conn(), "Q000002", &q, None, t0()).await;
        assert!(
            matches!(dup, Err(StoreError::Conflict { .. })),
            "{}: {dup:?}",
            t.label()
        );
    })
    .await;
}

#[tokio::test]
async fn the_list_filters_sorts_and_pages_and_the_pool_skips_archived() {
    each(async |t| {
        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        let mut ids = Vec::new();
        for (i, (qtype, tags, difficulty)) in [
            ("single", "listening", "1"),
            ("single", "empathy", "2"),
            ("multiple", "listening;empathy", "3"),
            ("true_false", "", "4"),
            ("short", "complaint-process", "5"),
        ]
        .iter()
        .enumerate()
        {
            let q = question(
                qtype,
                &format!("Stem {i} 客户"),
                &(i + 1).to_string(),
                tags,
                difficulty,
            );
            let at = t0() + Duration::seconds(i as i64);
            let (id, _) = questions::insert(c, &format!("C-{i}"), &q, None, at)
                .await
                .unwrap();
            ids.push(id);
        }
        questions::set_archived(c, ids[1], true, t0())
            .await
            .unwrap();
        assert!(matches!(
            questions::set_archived(c, 9999, true, t0()).await,
            Err(StoreError::NotFound)
        ));
        tx.commit().await.unwrap();

        let mut r = t.db.read().await.unwrap();
        let c = &mut r.conn();
        let codes = |p: &skillcert_store::Page<questions::QuestionRow>| {
            p.items.iter().map(|q| q.code.clone()).collect::<Vec<_>>()
        };
        let all = questions::list(c, &query()).await.unwrap();
        assert_eq!(all.total, 5);
        let active = QuestionQuery {
            archived: Some(false),
            ..query()
        };
        assert_eq!(
            codes(&questions::list(c, &active).await.unwrap()),
            ["C-0", "C-2", "C-3", "C-4"]
        );
        let archived = QuestionQuery {
            archived: Some(true),
            ..query()
        };
        assert_eq!(
            codes(&questions::list(c, &archived).await.unwrap()),
            ["C-1"]
        );
        for (q, want) in [
            (
                QuestionQuery {
                    qtype: Some(QuestionType::Single),
                    ..query()
                },
                vec!["C-0", "C-1"],
            ),
            (
                QuestionQuery {
                    tag: Some("empathy".into()),
                    ..query()
                },
                vec!["C-1", "C-2"],
            ),
            (
                QuestionQuery {
                    difficulty: Difficulty::new(5),
                    ..query()
                },
                vec!["C-4"],
            ),
            (
                QuestionQuery {
                    q: Some("stem 3".into()),
                    ..query()
                },
                vec!["C-3"],
            ),
            (
                QuestionQuery {
                    q: Some("c-2".into()),
                    ..query()
                },
                vec!["C-2"],
            ),
            (
                QuestionQuery {
                    q: Some("100%_".into()),
                    ..query()
                },
                vec![],
            ),
            (
                QuestionQuery {
                    sort: QuestionSort::Points,
                    dir: Dir::Desc,
                    ..query()
                },
                vec!["C-4", "C-3", "C-2", "C-1", "C-0"],
            ),
            (
                QuestionQuery {
                    sort: QuestionSort::Updated,
                    dir: Dir::Desc,
                    per_page: 2,
                    page: 2,
                    ..query()
                },
                vec!["C-2", "C-0"],
            ),
        ] {
            assert_eq!(
                codes(&questions::list(c, &q).await.unwrap()),
                want,
                "{} {q:?}",
                t.label()
            );
        }
        let page = questions::list(
            c,
            &QuestionQuery {
                per_page: 2,
                page: 3,
                ..query()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            (page.total, page.pages(), codes(&page)),
            (5, 3, vec!["C-4".to_string()])
        );

        let pool = questions::pool(c).await.unwrap();
        assert_eq!(
            pool.iter().map(|p| p.question_id).collect::<Vec<_>>(),
            [ids[0], ids[2], ids[3], ids[4]]
        );
        assert_eq!(pool[0].options, 3);
        assert_eq!(pool[0].points, 100);
        assert_eq!(pool[1].tags, ["listening", "empathy"]);
        assert_eq!(pool[2].options, 0);

        let exported = questions::export(c, &active).await.unwrap();
        assert_eq!(exported.len(), 4);
        assert_eq!(exported[3].1.question.stem, "Stem 4 客户");

        let by_codes = questions::by_codes(c, &["C-3".into(), "C-0".into(), "nope".into()])
            .await
            .unwrap();
        let mut found: Vec<_> = by_codes.iter().map(|q| q.code.as_str()).collect();
        found.sort_unstable();
        assert_eq!(found, ["C-0", "C-3"]);
        let by_ids = questions::by_ids(c, &[ids[4], 9999]).await.unwrap();
        assert_eq!(by_ids.len(), 1);
        assert_eq!(by_ids[0].code, "C-4");
    })
    .await;
}

#[tokio::test]
async fn papers_round_trip_and_their_codes_are_unique() {
    each(async |t| {
        let q = question("single", "试卷用题", "2", "", "");
        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        let (qid, _) = questions::insert(c, "PQ-1", &q, None, t0()).await.unwrap();
        let spec = PaperSpec {
            total: 1200,
            policy: MultiplePolicy::Partial,
            shuffle_questions: true,
            shuffle_options: false,
            parts: vec![
                Part::Fixed {
                    question_id: qid,
                    points: Some(200),
                },
                Part::Rule {
                    qtype: QuestionType::Short,
                    tag: Some("empathy".into()),
                    difficulty: Difficulty::new(3),
                    count: 2,
                    points: 500,
                },
            ],
        };
        let p = papers::insert(c, "P-1", "第一套试卷", &spec, t0())
            .await
            .unwrap();
        let other = papers::insert(c, "P-2", "第二套", &spec, t0())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(p.code, "P-1");
        assert_eq!(p.spec, spec);
        assert!(!p.archived);

        let later = t0() + Duration::microseconds(7);
        let mut spec2 = spec.clone();
        spec2.parts.pop();
        spec2.total = 200;
        let mut tx = t.begin().await;
        let up = papers::update(&mut tx.conn(), p.id, "改名", &spec2, true, later)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(up.title, "改名");
        assert_eq!(up.spec, spec2);
        assert!(up.archived);
        assert_eq!(up.updated_at, later);
        assert_eq!(up.created_at, t0());

        let mut r = t.db.read().await.unwrap();
        let c = &mut r.conn();
        assert_eq!(papers::get(c, p.id).await.unwrap(), up);
        assert_eq!(papers::get_by_code(c, "P-1").await.unwrap(), up);
        assert!(matches!(
            papers::get_by_code(c, "P-9").await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(papers::list(c, false).await.unwrap(), vec![other.clone()]);
        assert_eq!(papers::list(c, true).await.unwrap(), vec![up, other]);
        drop(r);

        let mut tx = t.begin().await;
        let dup = papers::insert(&mut tx.conn(), "P-2", "重复", &spec, t0()).await;
        assert!(
            matches!(dup, Err(StoreError::Conflict { .. })),
            "{}: {dup:?}",
            t.label()
        );
    })
    .await;
}
