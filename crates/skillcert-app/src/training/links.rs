//! Links of training to the rest: round prerequisites on hours and plans, the retake ladder's off-duty training, new hires' onboarding plan.

/// Refusal codes of this area; each has a locale key `problem-<code>`.
pub const ERROR_CODES: &[&str] = &[];

/// Inbox message kinds of this area; each is a locale key taking the params named in its text.
pub const INBOX_KINDS: &[&str] = &[];
