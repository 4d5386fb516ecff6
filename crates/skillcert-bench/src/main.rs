//! Benchmarks of skillcert.
//!
//! * `skillcert-bench [--rows 100000 --requests 1000 --concurrency 8 --keep]` (no subcommand,
//!   what `cargo run --release -p skillcert-bench` runs): bulk import of employees and the
//!   employee list page under load ([`import_list`]).
//! * `skillcert-bench exam-day [--candidates 10000 --questions 50 --save-every 30
//!   --duration 300 --kill-at <s> --database-url <url>]`: an online theory exam against the
//!   real server binary, with an optional crash of the server mid-exam ([`exam_day`]).
//! * `skillcert-bench panel [--candidates 200]`: a practical assessment with a panel drawn
//!   per candidate, every sheet submitted through the service, results and judge analytics
//!   ([`panel`]).
//! * `skillcert-bench certificates [--candidates 1000]`: a certification round from
//!   applications to signed certificates, then verification, credentials, status lists,
//!   the register and the evaluation report ([`certificates`]).
//! * `skillcert-bench training [--employees 100000 --sessions-per-employee 50 --responses 10000
//!   --runs 5 --database <path> --keep]`: issue 7's target — a year of training for 100,000
//!   employees generated (about 5 million marks and ledger rows), then the compliance page of
//!   the whole company and the needs report of a 10,000-response survey, store level and
//!   through the router, each held to 1 s ([`training`]).

mod certificates;
mod exam_day;
mod import_list;
mod panel;
mod training;

use anyhow::Result;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("exam-day") => exam_day::run(&args[1..]),
        Some("panel") => panel::run(&args[1..]),
        Some("certificates") => certificates::run(&args[1..]),
        Some("training") => training::run(&args[1..]),
        _ => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
            .block_on(import_list::run(&args)),
    }
}
