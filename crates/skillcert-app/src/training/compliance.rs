//! Training-hour compliance (S2 rules as data): who and which department falls short, and reminders before the year ends.

/// Refusal codes of this area; each has a locale key `problem-<code>`.
pub const ERROR_CODES: &[&str] = &[];

/// Inbox message kinds of this area; each is a locale key taking the params named in its text.
pub const INBOX_KINDS: &[&str] = &[];
