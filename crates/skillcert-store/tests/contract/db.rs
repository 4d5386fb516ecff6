//! The database handle itself: migrations, readiness, online backup.

use skillcert_store::{Backend, Db, DbOptions, StoreError, org};

use crate::support::*;

#[tokio::test]
async fn migrations_run_twice_and_ping_answers() {
    each(async |t| {
        t.db.migrate().await.unwrap();
        t.db.ping().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn sqlite_backs_up_online_and_postgres_refuses() {
    each(async |t| {
        add_department(t, "CSC", "客户服务中心", None)
            .await
            .unwrap();
        let dest = std::env::temp_dir().join(format!(
            "skillcert-contract-backup-{}-{}.db",
            std::process::id(),
            t.label()
        ));
        let _ = std::fs::remove_file(&dest);
        let r = t.db.backup_sqlite(&dest).await;
        match t.db.backend() {
            Backend::Sqlite => {
                r.unwrap();
                let copy = Db::connect(
                    &format!("sqlite://{}", dest.display()),
                    &DbOptions { max_connections: 1 },
                )
                .await
                .unwrap();
                let mut rd = copy.read().await.unwrap();
                let ds = org::list_departments(&mut rd.conn()).await.unwrap();
                drop(rd);
                copy.close().await;
                assert_eq!(ds.len(), 1);
                assert_eq!(ds[0].name, "客户服务中心");
                assert_eq!(ds[0].created_at, t0());
            }
            Backend::Postgres => assert!(matches!(r, Err(StoreError::Corrupt(_)))),
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut p = dest.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    })
    .await;
}
