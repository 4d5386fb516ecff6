use skillcert_domain::org::{FieldError, FieldReason};
use skillcert_domain::scheme::{InputErrors, SchemeErrors};
use skillcert_store::StoreError;
use thiserror::Error;

use crate::import::ImportReport;

pub type AppResult<T> = Result<T, AppError>;

/// Every way a use case can fail. The web crate maps each variant to HTTP in one place.
#[derive(Debug, Error)]
pub enum AppError {
    /// The input is wrong; each field says why.
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    #[error("not signed in")]
    Unauthenticated,
    #[error("wrong username or password")]
    BadCredentials,
    #[error("too many failed sign-ins; try again in {minutes} minutes")]
    Throttled { minutes: i64 },
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// The write conflicts with stored data in a way no single field explains.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The request is well formed but cannot be taken as it is; the code says why
    /// (e.g. an answer of the wrong shape).
    #[error("refused: {0}")]
    Unprocessable(&'static str),
    /// An import file was refused as a whole; the report lists every bad row.
    #[error("import refused")]
    ImportRejected(Box<ImportReport>),
    /// A scheme document was refused; each error names its field path (`components[2].weight`)
    /// and the rule it broke.
    #[error("invalid scheme: {0}")]
    SchemeInvalid(SchemeErrors),
    /// Evaluation inputs were refused; each error names its component.
    #[error("invalid inputs: {0}")]
    InputsInvalid(InputErrors),
    /// Structured input (a score sheet, panel rules, a draw) was refused; each problem names
    /// its field path (`items.opening`) and a stable code that is also its translation key.
    #[error("refused: {}", .0.iter().map(|p| p.code).collect::<Vec<_>>().join(", "))]
    Rejected(Vec<Problem>),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// One problem of a [`AppError::Rejected`] input.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub field: String,
    pub code: &'static str,
}

impl Problem {
    pub fn new(field: impl Into<String>, code: &'static str) -> Problem {
        Problem {
            field: field.into(),
            code,
        }
    }
}

impl AppError {
    pub fn field(field: &'static str, reason: FieldReason) -> Self {
        AppError::Validation(vec![FieldError::new(field, reason)])
    }

    /// A stable code for the API's `{code, message, fields}` and for translation keys.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Validation(_) => "validation",
            AppError::Unauthenticated => "unauthenticated",
            AppError::BadCredentials => "bad-credentials",
            AppError::Throttled { .. } => "throttled",
            AppError::Forbidden => "forbidden",
            AppError::NotFound => "not-found",
            AppError::Conflict(c) => c,
            AppError::Unprocessable(c) => c,
            AppError::ImportRejected(_) => "import-rejected",
            AppError::SchemeInvalid(_) => "invalid-scheme",
            AppError::InputsInvalid(_) => "invalid-inputs",
            AppError::Rejected(_) => "rejected",
            AppError::Internal(_) => "internal",
        }
    }
}

impl From<Vec<FieldError>> for AppError {
    fn from(v: Vec<FieldError>) -> Self {
        AppError::Validation(v)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict { .. } => AppError::Conflict("conflict"),
            StoreError::Reference(_) => AppError::Conflict("reference"),
            other => AppError::Internal(anyhow::Error::new(other)),
        }
    }
}

/// Turns a unique-constraint conflict on a write into a field error (e.g. a code taken).
pub(crate) fn on_conflict(field: &'static str) -> impl Fn(StoreError) -> AppError {
    move |e| match e {
        StoreError::Conflict { .. } => AppError::field(field, FieldReason::Duplicate),
        other => other.into(),
    }
}
