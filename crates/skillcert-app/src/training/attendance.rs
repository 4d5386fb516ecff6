//! Attendance: the roster, self check-in with a minute-rotating code, the lecturer's (bulk) marking, and the hours it credits.

/// Refusal codes of this area; each has a locale key `problem-<code>`.
pub const ERROR_CODES: &[&str] = &[];

/// Inbox message kinds of this area; each is a locale key taking the params named in its text.
pub const INBOX_KINDS: &[&str] = &[];
