//! Mentoring (S1): a mentor per trainee, follow-ups due after each training, the overdue list.

/// Refusal codes of this area; each has a locale key `problem-<code>`.
pub const ERROR_CODES: &[&str] = &[];

/// Inbox message kinds of this area; each is a locale key taking the params named in its text.
pub const INBOX_KINDS: &[&str] = &[];
