//! Training management (issue 7): the competency model, needs surveys and their analysis,
//! plans and sessions, attendance, homework, mentoring, the training-hour ledger and
//! compliance, and the links that feed training into certification.

pub mod attendance;
pub mod compliance;
pub mod daily;
pub mod homework;
pub mod hours;
pub mod links;
pub mod mentoring;
pub mod needs;
pub mod plans;
pub mod sessions;
pub mod skills;
pub mod surveys;

/// Every refusal code the training services may return.
pub fn error_codes() -> impl Iterator<Item = &'static str> {
    [
        skills::ERROR_CODES,
        surveys::ERROR_CODES,
        needs::ERROR_CODES,
        plans::ERROR_CODES,
        sessions::ERROR_CODES,
        attendance::ERROR_CODES,
        homework::ERROR_CODES,
        mentoring::ERROR_CODES,
        daily::ERROR_CODES,
        hours::ERROR_CODES,
        compliance::ERROR_CODES,
        links::ERROR_CODES,
    ]
    .into_iter()
    .flatten()
    .copied()
}

/// Every inbox message kind the training services send.
pub fn inbox_kinds() -> impl Iterator<Item = &'static str> {
    [
        skills::INBOX_KINDS,
        surveys::INBOX_KINDS,
        needs::INBOX_KINDS,
        plans::INBOX_KINDS,
        sessions::INBOX_KINDS,
        attendance::INBOX_KINDS,
        homework::INBOX_KINDS,
        mentoring::INBOX_KINDS,
        daily::INBOX_KINDS,
        hours::INBOX_KINDS,
        compliance::INBOX_KINDS,
        links::INBOX_KINDS,
    ]
    .into_iter()
    .flatten()
    .copied()
}
