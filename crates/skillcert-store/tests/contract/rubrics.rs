//! Stored rubric versions.

use chrono::Duration;
use skillcert_store::StoreError;
use skillcert_store::rubrics::{self, NewRubric};
use skillcert_store::users::{self, NewUser};

use crate::support::*;

fn new<'a>(key: &'a str, version: i32, document: &'a str) -> NewRubric<'a> {
    NewRubric {
        key,
        version,
        document,
        preset: None,
        created_by: None,
    }
}

#[tokio::test]
async fn versions_are_kept_and_listed_latest_first() {
    each(async |t| {
        let mut tx = t.begin().await;
        let user = users::insert_user(
            &mut tx.conn(),
            &NewUser {
                username: "tm",
                display_name: "培训经理",
                password_hash: "x",
                employee_id: None,
            },
            t0(),
        )
        .await
        .unwrap();
        let key = "s4-call-scoring";
        assert_eq!(
            rubrics::max_version(&mut tx.conn(), key).await.unwrap(),
            None
        );
        let v1 = rubrics::insert(
            &mut tx.conn(),
            &NewRubric {
                preset: Some(key),
                created_by: Some(user.id),
                ..new(key, 1, "key = \"s4-call-scoring\"\n# 三声内接听")
            },
            t0(),
        )
        .await
        .unwrap();
        let later = t0() + Duration::microseconds(1);
        let v2 = rubrics::insert(&mut tx.conn(), &new(key, 2, "v2"), later)
            .await
            .unwrap();
        let other = rubrics::insert(&mut tx.conn(), &new("a-rubric", 1, "a"), t0())
            .await
            .unwrap();
        tx.commit().await.unwrap();

        assert_eq!(v1.document, "key = \"s4-call-scoring\"\n# 三声内接听");
        assert_eq!(v1.preset.as_deref(), Some(key));
        assert_eq!(v1.created_by, Some(user.id));
        assert_eq!(v1.created_at, t0());
        assert_eq!(v2.created_at, later);

        let mut r = t.db.read().await.unwrap();
        let c = &mut r.conn();
        assert_eq!(rubrics::get(c, v1.id).await.unwrap(), v1);
        assert_eq!(rubrics::max_version(c, key).await.unwrap(), Some(2));
        assert_eq!(rubrics::get_version(c, key, None).await.unwrap(), v2);
        assert_eq!(rubrics::get_version(c, key, Some(1)).await.unwrap(), v1);
        assert!(matches!(
            rubrics::get_version(c, key, Some(3)).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(
            rubrics::list_latest(c).await.unwrap(),
            vec![other, v2.clone()],
            "latest version of each key, by key"
        );
        assert_eq!(rubrics::list_versions(c, key).await.unwrap(), vec![v2, v1]);
        assert!(rubrics::list_versions(c, "nope").await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_version_is_unique_per_key_and_references_are_checked() {
    each(async |t| {
        let mut tx = t.begin().await;
        rubrics::insert(&mut tx.conn(), &new("k", 1, "a"), t0())
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut tx = t.begin().await;
        let dup = rubrics::insert(&mut tx.conn(), &new("k", 1, "b"), t0()).await;
        assert!(
            matches!(dup, Err(StoreError::Conflict { .. })),
            "{}: {dup:?}",
            t.label()
        );
        drop(tx);

        let mut tx = t.begin().await;
        let dangling = rubrics::insert(
            &mut tx.conn(),
            &NewRubric {
                created_by: Some(9999),
                ..new("k", 2, "b")
            },
            t0(),
        )
        .await;
        assert!(
            matches!(dangling, Err(StoreError::Reference(_))),
            "{}: {dangling:?}",
            t.label()
        );
    })
    .await;
}
