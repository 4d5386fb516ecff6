//! The scenario library: cards, immutable versions, skill tags, the list's filters.

use chrono::Duration;
use skillcert_domain::practical::scenario::{Scenario, ScenarioInput, ScenarioKind};
use skillcert_store::scenarios::{self, ScenarioQuery, ScenarioSort};
use skillcert_store::{Dir, StoreError};

use crate::support::*;

fn card(kind: &str, title: &str, skills: &str) -> Scenario {
    ScenarioInput {
        kind: kind.into(),
        title: title.into(),
        customer_brief: "您是一位着急的客户。\n第二段。".into(),
        judge_notes: "看是否先致歉。".into(),
        expected_behaviours: "倾听\n致歉".into(),
        skills: skills.into(),
        duration_minutes: "10".into(),
        recording: if kind == "recorded_call" {
            "REC-1".into()
        } else {
            String::new()
        },
    }
    .validate(&|_| true)
    .unwrap()
}

fn query() -> ScenarioQuery {
    ScenarioQuery {
        page: 1,
        per_page: 50,
        ..ScenarioQuery::default()
    }
}

#[tokio::test]
async fn cards_keep_every_version() {
    each(async |t| {
        let v1 = card("role_play", "账单投诉", "listening;empathy");
        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        assert_eq!(scenarios::next_code(c).await.unwrap(), "SC000001");
        let (id, v1_id) = scenarios::insert(c, "SC000001", &v1, None, t0())
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut r = t.db.read().await.unwrap();
        let c = &mut r.conn();
        let row = scenarios::get(c, id).await.unwrap();
        assert_eq!(row.code, "SC000001");
        assert_eq!(row.version, 1);
        assert_eq!(row.kind, "role_play");
        assert_eq!(row.title, "账单投诉");
        assert!(!row.archived);
        assert_eq!(row.created_at, t0());
        assert_eq!(scenarios::get_by_code(c, "SC000001").await.unwrap(), row);
        assert!(matches!(
            scenarios::get(c, 999).await,
            Err(StoreError::NotFound)
        ));
        let cur = scenarios::current(c, id).await.unwrap();
        assert_eq!(cur.id, v1_id);
        assert_eq!(cur.scenario, v1, "multi-line text survives the round trip");
        assert_eq!(scenarios::current_version_id(c, id).await.unwrap(), v1_id);
        drop(r);

        let later = t0() + Duration::microseconds(1);
        let v2 = card("case", "账单投诉（案例）", "complaint-process");
        let mut tx = t.begin().await;
        let after = scenarios::add_version(&mut tx.conn(), id, &v2, None, later)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(after.version, 2);
        assert_eq!(after.kind, "case");
        assert_eq!(after.updated_at, later);
        assert_eq!(after.created_at, t0());

        let mut r = t.db.read().await.unwrap();
        let c = &mut r.conn();
        let history = scenarios::history(c, id).await.unwrap();
        assert_eq!(
            history.iter().map(|v| v.version).collect::<Vec<_>>(),
            [2, 1]
        );
        assert_eq!(history[1].scenario, v1, "version 1 is unchanged");
        assert_eq!(scenarios::version(c, id, 1).await.unwrap().id, v1_id);
        assert_eq!(
            scenarios::version_by_id(c, v1_id).await.unwrap().scenario,
            v1
        );
        assert!(matches!(
            scenarios::version(c, id, 3).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(
            scenarios::current_version_id(c, id).await.unwrap(),
            history[0].id
        );
        // Tags follow the current version.
        let tags = scenarios::tags(c, &[id]).await.unwrap();
        assert_eq!(tags[&id], ["complaint-process"]);
        let q = ScenarioQuery {
            skill: Some("listening".into()),
            ..query()
        };
        assert_eq!(scenarios::list(c, &q).await.unwrap().total, 0);
    })
    .await;
}

#[tokio::test]
async fn codes_are_unique() {
    each(async |t| {
        let s = card("case", "案例", "");
        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        scenarios::insert(c, "SC000002", &s, None, t0())
            .await
            .unwrap();
        assert_eq!(scenarios::next_code(c).await.unwrap(), "SC000003");
        assert!(scenarios::code_exists(c, "SC000002").await.unwrap());
        tx.commit().await.unwrap();
        let mut tx = t.begin().await;
        let dup = scenarios::insert(&mut tx.conn(), "SC000002", &s, None, t0()).await;
        assert!(
            matches!(dup, Err(StoreError::Conflict { .. })),
            "{}: {dup:?}",
            t.label()
        );
    })
    .await;
}

#[tokio::test]
async fn the_list_searches_filters_sorts_and_pages() {
    each(async |t| {
        let mut tx = t.begin().await;
        let c = &mut tx.conn();
        let mut ids = Vec::new();
        for (i, (kind, title, skills)) in [
            ("role_play", "Billing complaint 账单", "listening"),
            ("case", "Lost parcel 包裹", "empathy"),
            ("recorded_call", "Angry caller 来电", "listening;empathy"),
            ("role_play", "Slow refund 退款", ""),
        ]
        .iter()
        .enumerate()
        {
            let at = t0() + Duration::seconds(i as i64);
            let (id, _) =
                scenarios::insert(c, &format!("S-{i}"), &card(kind, title, skills), None, at)
                    .await
                    .unwrap();
            ids.push(id);
        }
        scenarios::set_archived(c, ids[3], true, t0())
            .await
            .unwrap();
        assert!(matches!(
            scenarios::set_archived(c, 9999, true, t0()).await,
            Err(StoreError::NotFound)
        ));
        tx.commit().await.unwrap();

        let mut r = t.db.read().await.unwrap();
        let c = &mut r.conn();
        let codes = |p: skillcert_store::Page<scenarios::ScenarioRow>| {
            p.items.into_iter().map(|r| r.code).collect::<Vec<_>>()
        };
        let all = ScenarioQuery {
            archived: None,
            ..query()
        };
        assert_eq!(scenarios::list(c, &all).await.unwrap().total, 4);
        let in_use = ScenarioQuery {
            archived: Some(false),
            ..query()
        };
        assert_eq!(
            codes(scenarios::list(c, &in_use).await.unwrap()),
            ["S-0", "S-1", "S-2"]
        );
        let q = ScenarioQuery {
            q: Some("BILLING".into()),
            ..query()
        };
        assert_eq!(codes(scenarios::list(c, &q).await.unwrap()), ["S-0"]);
        let q = ScenarioQuery {
            q: Some("包裹".into()),
            ..query()
        };
        assert_eq!(codes(scenarios::list(c, &q).await.unwrap()), ["S-1"]);
        let q = ScenarioQuery {
            q: Some("s-2".into()),
            ..query()
        };
        assert_eq!(codes(scenarios::list(c, &q).await.unwrap()), ["S-2"]);
        let q = ScenarioQuery {
            q: Some("%".into()),
            ..query()
        };
        assert_eq!(
            scenarios::list(c, &q).await.unwrap().total,
            0,
            "LIKE escaped"
        );
        let q = ScenarioQuery {
            kind: Some(ScenarioKind::RolePlay),
            archived: None,
            ..query()
        };
        assert_eq!(codes(scenarios::list(c, &q).await.unwrap()), ["S-0", "S-3"]);
        let q = ScenarioQuery {
            skill: Some("empathy".into()),
            ..query()
        };
        assert_eq!(codes(scenarios::list(c, &q).await.unwrap()), ["S-1", "S-2"]);
        let q = ScenarioQuery {
            sort: ScenarioSort::Updated,
            dir: Dir::Desc,
            ..all.clone()
        };
        // S-3 was archived at t0, so it is the oldest change.
        assert_eq!(
            codes(scenarios::list(c, &q).await.unwrap()),
            ["S-2", "S-1", "S-0", "S-3"]
        );
        let q = ScenarioQuery {
            sort: ScenarioSort::Title,
            per_page: 2,
            page: 2,
            ..all.clone()
        };
        let p = scenarios::list(c, &q).await.unwrap();
        assert_eq!(p.total, 4);
        assert_eq!(p.pages(), 2);
        assert_eq!(codes(p), ["S-1", "S-3"]);
        let tags = scenarios::tags(c, &ids).await.unwrap();
        assert_eq!(tags[&ids[2]], ["empathy", "listening"]);
        assert!(!tags.contains_key(&ids[3]));
    })
    .await;
}
