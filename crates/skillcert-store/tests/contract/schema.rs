//! The two schemas are twins: same migrations, same tables, same columns, same nullability.

use std::collections::BTreeMap;
use std::path::PathBuf;

use skillcert_store::Db;

use crate::support::*;

/// table → column → nullable
type Shape = BTreeMap<String, BTreeMap<String, bool>>;

fn migration_names(backend: &str) -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let mut v: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn migration_files_are_twins() {
    let sqlite = migration_names("sqlite");
    let postgres = migration_names("postgres");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
    for name in &sqlite {
        let (version, rest) = name.split_once('_').expect("NNNN_name.sql");
        assert!(
            version.chars().all(|c| c.is_ascii_digit()),
            "{name}: numeric version"
        );
        assert!(rest.ends_with(".sql"), "{name}");
    }
}

async fn sqlite_shape(db: &Db) -> (Shape, Vec<String>) {
    let Db::Sqlite { reader, .. } = db else {
        panic!("not sqlite")
    };
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(reader)
    .await
    .unwrap();
    let mut shape = Shape::new();
    for table in tables {
        let cols: Vec<(String, i64, i64)> =
            sqlx::query_as("SELECT name, \"notnull\", pk FROM pragma_table_info($1)")
                .bind(&table)
                .fetch_all(reader)
                .await
                .unwrap();
        // An INTEGER PRIMARY KEY is the rowid and cannot hold NULL, though SQLite reports
        // notnull = 0 for it; PostgreSQL reports primary keys as NOT NULL.
        let cols = cols
            .into_iter()
            .map(|(name, notnull, pk)| (name, notnull == 0 && pk == 0))
            .collect();
        shape.insert(table, cols);
    }
    let mut indexes: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
    )
    .fetch_all(reader)
    .await
    .unwrap();
    indexes.sort();
    (shape, indexes)
}

async fn postgres_shape(db: &Db) -> (Shape, Vec<String>) {
    let Db::Postgres(pool) = db else {
        panic!("not postgres")
    };
    let cols: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, is_nullable::text \
         FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut shape = Shape::new();
    for (table, column, nullable) in cols {
        shape
            .entry(table)
            .or_default()
            .insert(column, nullable == "YES");
    }
    // Indexes written in the migrations, not those behind PRIMARY KEY and UNIQUE constraints.
    let mut indexes: Vec<String> = sqlx::query_scalar(
        "SELECT i.indexname::text FROM pg_indexes i WHERE i.schemaname = 'public' \
         AND i.tablename <> '_sqlx_migrations' \
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    indexes.sort();
    (shape, indexes)
}

#[tokio::test]
async fn sqlite_and_postgres_schemas_are_twins() {
    let Some(pg) = TestDb::postgres().await else {
        eprintln!("{PG_ENV} not set: schema parity skipped");
        return;
    };
    let lite = TestDb::sqlite().await;
    let (lite_shape, lite_indexes) = sqlite_shape(&lite.db).await;
    let (pg_shape, pg_indexes) = postgres_shape(&pg.db).await;
    assert!(lite_shape.contains_key("audit_log"));
    let lite_tables: Vec<_> = lite_shape.keys().collect();
    let pg_tables: Vec<_> = pg_shape.keys().collect();
    assert_eq!(lite_tables, pg_tables, "tables");
    for (table, cols) in &lite_shape {
        assert_eq!(
            Some(cols),
            pg_shape.get(table),
            "columns and nullability of {table} (sqlite left, postgres right)"
        );
    }
    assert_eq!(lite_indexes, pg_indexes, "explicit indexes");
}
