//! Training needs surveys (S1 template 1): campaigns for chosen departments and positions with a window; employees rate every skill 1–5, name wanted content and format; supervisors add their own rating.

/// Refusal codes of this area; each has a locale key `problem-<code>`.
pub const ERROR_CODES: &[&str] = &[];

/// Inbox message kinds of this area; each is a locale key taking the params named in its text.
pub const INBOX_KINDS: &[&str] = &[];
