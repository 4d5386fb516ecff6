//! The use cases of skillcert. Every write passes through here: it is validated, authorized,
//! applied in one transaction and recorded in the hash-chained audit log in that transaction.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod actor;
pub mod audit;
pub mod auth;
pub mod certification;
pub mod clock;
pub mod dashboard;
pub mod demo;
mod demo_certification;
mod demo_exams;
mod demo_practical;
mod demo_training;
mod error;
pub mod exams;
pub mod import;
pub mod org;
pub mod practical;
pub mod rubrics;
pub mod scenarios;
pub mod schemes;
pub mod training;
pub mod users;

use std::sync::Arc;

pub use actor::Actor;
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{AppError, AppResult, Problem};
pub use skillcert_store::{self as store, Db, Page};

/// Settings that change how the services behave (not where data lives).
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Argon2id memory cost in KiB; tests lower it to stay fast.
    pub argon_memory_kib: u32,
    pub argon_iterations: u32,
    /// How long a session lives without being used.
    pub session_idle: chrono::Duration,
    /// Failed logins per account within `throttle_window` before logins are refused.
    pub throttle_failures: i64,
    pub throttle_window: chrono::Duration,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            argon_memory_kib: 19 * 1024,
            argon_iterations: 2,
            session_idle: chrono::Duration::hours(12),
            throttle_failures: 5,
            throttle_window: chrono::Duration::minutes(15),
        }
    }
}

impl AppConfig {
    /// Cheap password hashing for tests; never for production.
    pub fn for_tests() -> Self {
        AppConfig {
            argon_memory_kib: 64,
            argon_iterations: 1,
            ..AppConfig::default()
        }
    }
}

/// The application: storage, time and settings shared by every service.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<AppConfig>,
    /// Exam-day caches and the group-committing writer (one per process).
    pub exams: Arc<exams::ExamRuntime>,
    /// One password hash at a time per core: argon2 is CPU- and memory-hard, and a crowd
    /// signing in must queue rather than run hundreds of hashes (19 MiB each) at once.
    pub password_slots: Arc<tokio::sync::Semaphore>,
    /// Signs certificates as verifiable credentials; in memory until [`App::with_issuer`].
    pub issuer: Arc<certification::issuer::Issuer>,
}

impl App {
    pub fn new(db: Db, clock: Arc<dyn Clock>, config: AppConfig) -> Self {
        App {
            db,
            clock,
            config: Arc::new(config),
            exams: Arc::new(exams::ExamRuntime::default()),
            password_slots: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            )),
            issuer: Arc::new(certification::issuer::Issuer::ephemeral(
                "http://127.0.0.1:8080",
                "skillcert",
            )),
        }
    }

    /// Uses `issuer` (keys in the data directory, the public address) from now on.
    pub fn with_issuer(mut self, issuer: certification::issuer::Issuer) -> Self {
        self.issuer = Arc::new(issuer);
        self
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Today in the company's time zone (China Standard Time, UTC+8), for dates people type.
    pub fn today(&self) -> chrono::NaiveDate {
        (self.clock.now() + chrono::Duration::hours(8)).date_naive()
    }
}
