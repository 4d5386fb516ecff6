use thiserror::Error;

/// What can go wrong in storage, in terms the app layer can act on.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write; `constraint` names it where the backend says.
    #[error("conflict: {constraint}")]
    Conflict { constraint: String },
    /// A foreign key refused the write: the referenced record does not exist or is in use.
    #[error("reference violated: {0}")]
    Reference(String),
    #[error("invalid stored value: {0}")]
    Corrupt(String),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Db(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(ref d) => {
                use sqlx::error::ErrorKind;
                match d.kind() {
                    ErrorKind::UniqueViolation => StoreError::Conflict {
                        constraint: d
                            .constraint()
                            .map(str::to_string)
                            .unwrap_or_else(|| d.message().to_string()),
                    },
                    ErrorKind::ForeignKeyViolation => {
                        StoreError::Reference(d.message().to_string())
                    }
                    _ => StoreError::Db(e),
                }
            }
            other => StoreError::Db(other),
        }
    }
}
