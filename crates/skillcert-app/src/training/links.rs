//! Links of training to the rest: round prerequisites on hours and plans, the retake ladder's
//! off-duty training, new hires' onboarding plan.

use skillcert_store::Conn;

use crate::{App, AppResult};

/// Refusal codes of this area; each has a locale key `problem-<code>`.
pub const ERROR_CODES: &[&str] = &[];

/// Inbox message kinds of this area; each is a locale key taking the params named in its text.
pub const INBOX_KINDS: &[&str] = &[];

/// Called by attendance in the transaction that marks `employee_id` present or late at
/// `session_id`, so that finished training can return an employee's status (the retake
/// ladder's off-duty training).
pub(crate) async fn after_attendance(
    _app: &App,
    _c: &mut Conn<'_>,
    _session_id: i64,
    _employee_id: i64,
) -> AppResult<()> {
    Ok(())
}
