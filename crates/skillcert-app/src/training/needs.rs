//! The needs-analysis report of a survey and the draft plan made from its top needs.

/// Refusal codes of this area; each has a locale key `problem-<code>`.
pub const ERROR_CODES: &[&str] = &[];

/// Inbox message kinds of this area; each is a locale key taking the params named in its text.
pub const INBOX_KINDS: &[&str] = &[];
