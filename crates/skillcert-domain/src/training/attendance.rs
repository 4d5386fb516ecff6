//! Attendance of training sessions (seed-rules §3 "sign-in sheet / attendance", and the
//! `attendance` component of §4.4).
//!
//! A session has a check-in window; people check themselves in by typing the rotating code
//! the lecturer's screen shows as a QR, or the lecturer marks them. The lecturer is the
//! authority on the sign-in sheet, so a lecturer's mark always wins over a self check-in.
//! The attendance rate of a person over a set of sessions becomes the 0–100 score of the
//! scheme's `attendance` component.

use std::fmt;
use std::hint::black_box;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::scheme::{Score, Weight};

/// How a person attended one session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    Present,
    /// Checked in after the late threshold.
    Late,
    /// Absence the lecturer accepted (sick leave, customer emergency); left out of the rate.
    Excused,
    Absent,
}

impl Mark {
    pub const ALL: [Mark; 4] = [Mark::Present, Mark::Late, Mark::Excused, Mark::Absent];

    pub fn key(self) -> &'static str {
        match self {
            Mark::Present => "present",
            Mark::Late => "late",
            Mark::Excused => "excused",
            Mark::Absent => "absent",
        }
    }

    pub fn parse(raw: &str) -> Option<Mark> {
        Mark::ALL.into_iter().find(|m| m.key() == raw.trim())
    }

    /// Present or late: the person was in the room.
    pub fn attended(self) -> bool {
        matches!(self, Mark::Present | Mark::Late)
    }
}

/// Why a window, a secret or a check-in was refused; `code()` is stable and has a locale key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AttendanceError {
    #[error("the session ends before it starts")]
    WindowOrder,
    #[error("check-in may open at most {MAX_WINDOW_MINUTES} minutes before the start")]
    OpenLeadRange,
    #[error("the late threshold may be at most {MAX_WINDOW_MINUTES} minutes")]
    LateAfterRange,
    #[error("a session secret needs at least {SECRET_MIN_BYTES} bytes")]
    SecretShort,
    #[error("check-in is possible only from shortly before the start to the end")]
    OutsideSession,
    #[error("a check-in code has 6 digits")]
    CodeFormat,
    #[error("the check-in code has expired; type the one on the screen now")]
    CodeExpired,
    #[error("the check-in code is wrong")]
    CodeWrong,
}

impl AttendanceError {
    pub fn code(self) -> &'static str {
        match self {
            AttendanceError::WindowOrder => "attendance-window-order",
            AttendanceError::OpenLeadRange => "attendance-open-lead-range",
            AttendanceError::LateAfterRange => "attendance-late-after-range",
            AttendanceError::SecretShort => "attendance-secret-short",
            AttendanceError::OutsideSession => "checkin-outside-session",
            AttendanceError::CodeFormat => "checkin-code-format",
            AttendanceError::CodeExpired => "checkin-code-expired",
            AttendanceError::CodeWrong => "checkin-code-wrong",
        }
    }

    /// The form field the error belongs to.
    pub fn field(self) -> &'static str {
        match self {
            AttendanceError::WindowOrder => "ends_at",
            AttendanceError::OpenLeadRange => "open_lead_minutes",
            AttendanceError::LateAfterRange => "late_after_minutes",
            AttendanceError::SecretShort => "secret",
            AttendanceError::OutsideSession
            | AttendanceError::CodeFormat
            | AttendanceError::CodeExpired
            | AttendanceError::CodeWrong => "code",
        }
    }
}

/// Check-in opens this many minutes before the start unless the session says otherwise.
pub const DEFAULT_OPEN_LEAD_MINUTES: u16 = 15;
/// A check-in more than this many minutes after the start is late unless the session says
/// otherwise.
pub const DEFAULT_LATE_AFTER_MINUTES: u16 = 10;
/// Upper bound of both settings: longer values are typing mistakes, not policies.
pub const MAX_WINDOW_MINUTES: u16 = 240;

/// When a session runs and when check-in is accepted.
///
/// Both edges are inclusive: a check-in exactly at the opening or exactly at the end is
/// accepted, and one exactly at start + threshold is still on time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "WindowFields")]
pub struct SessionWindow {
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    open_lead_minutes: u16,
    late_after_minutes: u16,
}

/// The stored form, validated on the way in so a bad row cannot become a window.
#[derive(Deserialize)]
struct WindowFields {
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    #[serde(default = "default_open_lead")]
    open_lead_minutes: u16,
    #[serde(default = "default_late_after")]
    late_after_minutes: u16,
}

fn default_open_lead() -> u16 {
    DEFAULT_OPEN_LEAD_MINUTES
}

fn default_late_after() -> u16 {
    DEFAULT_LATE_AFTER_MINUTES
}

impl TryFrom<WindowFields> for SessionWindow {
    type Error = AttendanceError;

    fn try_from(f: WindowFields) -> Result<SessionWindow, AttendanceError> {
        SessionWindow::with_minutes(
            f.starts_at,
            f.ends_at,
            f.open_lead_minutes,
            f.late_after_minutes,
        )
    }
}

impl SessionWindow {
    /// A window with the default opening lead and late threshold.
    pub fn new(
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
    ) -> Result<SessionWindow, AttendanceError> {
        SessionWindow::with_minutes(
            starts_at,
            ends_at,
            DEFAULT_OPEN_LEAD_MINUTES,
            DEFAULT_LATE_AFTER_MINUTES,
        )
    }

    pub fn with_minutes(
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        open_lead_minutes: u16,
        late_after_minutes: u16,
    ) -> Result<SessionWindow, AttendanceError> {
        if ends_at <= starts_at {
            return Err(AttendanceError::WindowOrder);
        }
        if open_lead_minutes > MAX_WINDOW_MINUTES {
            return Err(AttendanceError::OpenLeadRange);
        }
        if late_after_minutes > MAX_WINDOW_MINUTES {
            return Err(AttendanceError::LateAfterRange);
        }
        Ok(SessionWindow {
            starts_at,
            ends_at,
            open_lead_minutes,
            late_after_minutes,
        })
    }

    pub fn starts_at(&self) -> DateTime<Utc> {
        self.starts_at
    }

    pub fn ends_at(&self) -> DateTime<Utc> {
        self.ends_at
    }

    pub fn open_lead_minutes(&self) -> u16 {
        self.open_lead_minutes
    }

    pub fn late_after_minutes(&self) -> u16 {
        self.late_after_minutes
    }

    /// The first instant a check-in is accepted. Dates so early that the subtraction leaves
    /// chrono's range simply have no opening limit.
    pub fn opens_at(&self) -> DateTime<Utc> {
        self.starts_at
            .checked_sub_signed(Duration::minutes(i64::from(self.open_lead_minutes)))
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// The last instant a check-in is still on time.
    pub fn late_from(&self) -> DateTime<Utc> {
        self.starts_at
            .checked_add_signed(Duration::minutes(i64::from(self.late_after_minutes)))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// Whether check-in is accepted at `at`; also when the lecturer's screen shows the code.
    pub fn accepts_check_in(&self, at: DateTime<Utc>) -> bool {
        self.opens_at() <= at && at <= self.ends_at
    }

    /// Whether the session is over, so that a missing mark means absent.
    pub fn ended(&self, now: DateTime<Utc>) -> bool {
        now > self.ends_at
    }
}

/// The mark a check-in at `at` earns: refused outside the window, late strictly after
/// start + threshold, present otherwise (also before the start).
pub fn mark_for_check_in(
    window: &SessionWindow,
    at: DateTime<Utc>,
) -> Result<Mark, AttendanceError> {
    if !window.accepts_check_in(at) {
        Err(AttendanceError::OutsideSession)
    } else if at > window.late_from() {
        Ok(Mark::Late)
    } else {
        Ok(Mark::Present)
    }
}

// --- Rotating check-in codes -------------------------------------------------------------

/// Shortest accepted session secret: 128 bits, so the codes cannot be predicted.
pub const SECRET_MIN_BYTES: usize = 16;

/// The per-session key of the rotating codes. Generated by the application (this crate has
/// no randomness); stored as hex; never printed by `Debug`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SessionSecret(Vec<u8>);

impl SessionSecret {
    pub fn from_bytes(bytes: &[u8]) -> Result<SessionSecret, AttendanceError> {
        if bytes.len() < SECRET_MIN_BYTES {
            return Err(AttendanceError::SecretShort);
        }
        Ok(SessionSecret(bytes.to_vec()))
    }

    pub fn from_hex(raw: &str) -> Result<SessionSecret, AttendanceError> {
        let bytes = hex::decode(raw.trim()).map_err(|_| AttendanceError::SecretShort)?;
        SessionSecret::from_bytes(&bytes)
    }

    pub fn to_hex(&self) -> String {
        hex::encode(&self.0)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SessionSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionSecret(…)")
    }
}

impl TryFrom<String> for SessionSecret {
    type Error = AttendanceError;
    fn try_from(raw: String) -> Result<SessionSecret, AttendanceError> {
        SessionSecret::from_hex(&raw)
    }
}

impl From<SessionSecret> for String {
    fn from(s: SessionSecret) -> String {
        s.to_hex()
    }
}

/// HMAC-SHA256 (RFC 2104): the key is hashed if longer than SHA-256's 64-byte block and
/// zero-padded to it, then `H((K ^ opad) || H((K ^ ipad) || message))`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        let digest = Sha256::digest(key);
        block[..digest.len()].copy_from_slice(&digest);
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(message);
    let inner = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner);
    outer.finalize().into()
}

/// A six-digit check-in code, shown and typed zero-padded ("004217").
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CheckInCode(u32);

const CODE_MODULUS: u32 = 1_000_000;
const CODE_DIGITS: usize = 6;

impl CheckInCode {
    /// Reads a typed code. Spaces (also the full-width space) are ignored and full-width
    /// digits (０–９, what a Chinese input method types) count as digits.
    pub fn parse(typed: &str) -> Result<CheckInCode, AttendanceError> {
        let mut value: u32 = 0;
        let mut digits = 0usize;
        for c in typed.chars().filter(|c| !c.is_whitespace()) {
            let d = match c {
                '0'..='9' => u32::from(c) - u32::from('0'),
                '０'..='９' => u32::from(c) - u32::from('０'),
                _ => return Err(AttendanceError::CodeFormat),
            };
            digits += 1;
            if digits > CODE_DIGITS {
                return Err(AttendanceError::CodeFormat);
            }
            value = value * 10 + d;
        }
        if digits != CODE_DIGITS {
            return Err(AttendanceError::CodeFormat);
        }
        Ok(CheckInCode(value))
    }

    /// Equality whose time does not depend on where the codes differ.
    pub fn constant_time_eq(self, other: CheckInCode) -> bool {
        black_box(self.0 ^ other.0) == 0
    }
}

/// Printed in full because the code is meant to be shown; it changes every minute.
impl fmt::Debug for CheckInCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CheckInCode({self})")
    }
}

impl fmt::Display for CheckInCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06}", self.0)
    }
}

impl TryFrom<String> for CheckInCode {
    type Error = AttendanceError;
    fn try_from(raw: String) -> Result<CheckInCode, AttendanceError> {
        CheckInCode::parse(&raw)
    }
}

impl From<CheckInCode> for String {
    fn from(c: CheckInCode) -> String {
        c.to_string()
    }
}

/// Codes of the current minute and of this many minutes before are accepted.
pub const GRACE_MINUTES: i64 = 1;
/// Codes up to this many minutes old are recognised as expired rather than wrong, so that
/// someone who copied the code from a neighbour's photo learns why it fails.
pub const EXPIRED_LOOKBACK_MINUTES: i64 = 10;

/// Whole minutes since the Unix epoch; the code changes when this does.
fn minute_index(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(60)
}

/// HMAC over `session_id ‖ minute` (both i64 big-endian, 16 bytes), truncated as in
/// RFC 4226 §5.3: the low nibble of the last byte picks 4 bytes, the top bit is cleared,
/// and the value modulo 10⁶ is the code.
fn code_for_minute(secret: &SessionSecret, session_id: i64, minute: i64) -> CheckInCode {
    let mut message = [0u8; 16];
    message[..8].copy_from_slice(&session_id.to_be_bytes());
    message[8..].copy_from_slice(&minute.to_be_bytes());
    let mac = hmac_sha256(secret.as_bytes(), &message);
    let offset = usize::from(mac[31] & 0x0f);
    let bin = u32::from_be_bytes([
        mac[offset] & 0x7f,
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ]);
    CheckInCode(bin % CODE_MODULUS)
}

/// The code the lecturer's screen shows at `at`. The screen should show it only while
/// [`SessionWindow::accepts_check_in`] holds; [`verify_code`] refuses it otherwise anyway.
pub fn code_at(secret: &SessionSecret, session_id: i64, at: DateTime<Utc>) -> CheckInCode {
    code_for_minute(secret, session_id, minute_index(at))
}

/// Seconds until the code changes (1–60), for the countdown on the lecturer's screen.
pub fn seconds_left(at: DateTime<Utc>) -> u8 {
    let into_minute = at.timestamp().rem_euclid(60);
    u8::try_from(60 - into_minute).unwrap_or(60)
}

/// Checks a self check-in typed at `at` and returns the mark it earns.
///
/// Refusals, in order: outside the window (`checkin-outside-session`), not six digits
/// (`checkin-code-format`), the code of an older minute (`checkin-code-expired`), any other
/// code (`checkin-code-wrong`). The code of the current or the previous minute is accepted.
/// Every candidate is computed and compared in constant time, whichever matches. With two
/// codes valid at once a blind guess succeeds once in 500 000 tries; the web layer must
/// still limit attempts per person.
pub fn verify_code(
    secret: &SessionSecret,
    session_id: i64,
    window: &SessionWindow,
    typed: &str,
    at: DateTime<Utc>,
) -> Result<Mark, AttendanceError> {
    let mark = mark_for_check_in(window, at)?;
    let typed = CheckInCode::parse(typed)?;
    let now = minute_index(at);
    let (mut valid, mut expired) = (false, false);
    for back in 0..=EXPIRED_LOOKBACK_MINUTES {
        let hit =
            code_for_minute(secret, session_id, now.saturating_sub(back)).constant_time_eq(typed);
        if back <= GRACE_MINUTES {
            valid |= hit;
        } else {
            expired |= hit;
        }
    }
    if valid {
        Ok(mark)
    } else if expired {
        Err(AttendanceError::CodeExpired)
    } else {
        Err(AttendanceError::CodeWrong)
    }
}

// --- Lecturer marks and self check-ins ---------------------------------------------------

/// Who set a mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkSource {
    Lecturer,
    SelfCheckIn,
}

/// A mark as stored on the sign-in sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedMark {
    pub mark: Mark,
    pub source: MarkSource,
}

/// What a self check-in did to the sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", content = "mark", rename_all = "snake_case")]
pub enum CheckInOutcome {
    /// No mark yet: the check-in's mark is stored as a self check-in.
    Recorded(Mark),
    /// Checked in before: the first check-in stands, so typing again later cannot turn
    /// present into late.
    AlreadyCheckedIn(Mark),
    /// The lecturer already marked the person; the lecturer's mark wins, whatever it is
    /// (also absent: the lecturer corrects it by hand if the person did turn up).
    LecturerMarkKept(Mark),
}

impl CheckInOutcome {
    /// The mark on the sheet afterwards.
    pub fn mark(self) -> Mark {
        match self {
            CheckInOutcome::Recorded(m)
            | CheckInOutcome::AlreadyCheckedIn(m)
            | CheckInOutcome::LecturerMarkKept(m) => m,
        }
    }

    /// Whether the caller must store a new mark.
    pub fn changed(self) -> bool {
        matches!(self, CheckInOutcome::Recorded(_))
    }
}

/// Applies a self check-in that earned `earned` (from [`verify_code`]) to the existing mark.
/// A self check-in never overrides anything: the lecturer's mark wins, and a first
/// check-in wins over a later one.
pub fn apply_check_in(existing: Option<RecordedMark>, earned: Mark) -> CheckInOutcome {
    match existing {
        None => CheckInOutcome::Recorded(earned),
        Some(RecordedMark {
            mark,
            source: MarkSource::SelfCheckIn,
        }) => CheckInOutcome::AlreadyCheckedIn(mark),
        Some(RecordedMark {
            mark,
            source: MarkSource::Lecturer,
        }) => CheckInOutcome::LecturerMarkKept(mark),
    }
}

/// The lecturer marks many people at once ("everyone else absent"): returns the
/// `(employee_id, mark)` rows to store, skipping people who already have `change`, and, with
/// `only_unmarked`, everyone who has any mark. Stored rows are lecturer marks; without
/// `only_unmarked` they replace self check-ins too, since the lecturer has the last word.
pub fn apply_bulk(
    current: &[(i64, Option<Mark>)],
    change: Mark,
    only_unmarked: bool,
) -> Vec<(i64, Mark)> {
    current
        .iter()
        .filter(|(_, mark)| match mark {
            None => true,
            Some(m) => !only_unmarked && *m != change,
        })
        .map(|(id, _)| (*id, change))
        .collect()
}

// --- Attendance rate -----------------------------------------------------------------------

/// Credit of a late arrival unless the scheme says otherwise. The seeds are silent; a late
/// arrival signed the sheet and attended, so by default it counts in full (lateness stays
/// visible as its own mark). A company that wants to penalise it sets e.g. 50%.
pub const DEFAULT_LATE_CREDIT: Weight = Weight::FULL;

/// One session of a person, for the rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionMark {
    pub ends_at: DateTime<Utc>,
    pub mark: Option<Mark>,
}

/// Counts of a person's sessions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub present: u32,
    pub late: u32,
    pub excused: u32,
    /// Marked absent, or unmarked after the session ended.
    pub absent: u32,
    /// Unmarked and not ended yet: not counted.
    pub pending: u32,
}

impl Tally {
    /// Counts `sessions` as of `now`; a session is over strictly after its end.
    pub fn of(sessions: &[SessionMark], now: DateTime<Utc>) -> Tally {
        let mut t = Tally::default();
        for s in sessions {
            let slot = match s.mark {
                Some(Mark::Present) => &mut t.present,
                Some(Mark::Late) => &mut t.late,
                Some(Mark::Excused) => &mut t.excused,
                Some(Mark::Absent) => &mut t.absent,
                None if now > s.ends_at => &mut t.absent,
                None => &mut t.pending,
            };
            *slot = slot.saturating_add(1);
        }
        t
    }

    /// The rate as a 0–100 score: (present + late × credit) / (present + late + absent),
    /// rounded half-up to hundredths. `None` when nothing counts yet (no sessions, all
    /// excused or pending): no input, rather than a 0 or 100 nobody earned.
    pub fn rate(&self, late_credit: Weight) -> Option<Score> {
        let counted = u128::from(self.present) + u128::from(self.late) + u128::from(self.absent);
        if counted == 0 {
            return None;
        }
        // Present earns 100.00 points = 10 000 hundredths; late earns its credit, whose basis
        // points are hundredths of a point too.
        let earned = u128::from(self.present) * 10_000
            + u128::from(self.late) * u128::from(late_credit.basis_points());
        let hundredths = ((2 * earned + counted) / (2 * counted)).min(10_000);
        let hundredths = u32::try_from(hundredths).unwrap_or(10_000);
        Some(Score::from_hundredths(hundredths).unwrap_or(Score::MAX))
    }
}

/// The attendance component of a person over `sessions`, as of `now`; see [`Tally::rate`].
pub fn attendance_rate(
    sessions: &[SessionMark],
    now: DateTime<Utc>,
    late_credit: Weight,
) -> Option<Score> {
    Tally::of(sessions, now).rate(late_credit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn t(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, h, m, s).unwrap()
    }

    fn window() -> SessionWindow {
        SessionWindow::new(t(9, 0, 0), t(11, 0, 0)).unwrap()
    }

    fn secret() -> SessionSecret {
        SessionSecret::from_bytes(b"0123456789abcdef-session-secret").unwrap()
    }

    #[test]
    fn marks_round_trip() {
        for m in Mark::ALL {
            assert_eq!(Mark::parse(m.key()), Some(m));
            assert_eq!(
                serde_json::to_string(&m).unwrap(),
                format!("\"{}\"", m.key())
            );
        }
        assert_eq!(Mark::parse("here"), None);
        assert!(Mark::Late.attended() && !Mark::Excused.attended());
    }

    #[test]
    fn window_settings_are_validated() {
        let code = |r: Result<SessionWindow, AttendanceError>| r.unwrap_err().code();
        assert_eq!(
            code(SessionWindow::new(t(9, 0, 0), t(9, 0, 0))),
            "attendance-window-order"
        );
        assert_eq!(
            code(SessionWindow::with_minutes(
                t(9, 0, 0),
                t(10, 0, 0),
                241,
                10
            )),
            "attendance-open-lead-range"
        );
        assert_eq!(
            code(SessionWindow::with_minutes(
                t(9, 0, 0),
                t(10, 0, 0),
                15,
                241
            )),
            "attendance-late-after-range"
        );
        assert_eq!(AttendanceError::WindowOrder.field(), "ends_at");
        let w = window();
        assert_eq!((w.open_lead_minutes(), w.late_after_minutes()), (15, 10));
    }

    #[test]
    fn window_serde_fills_defaults_and_refuses_bad_rows() {
        let w: SessionWindow = serde_json::from_str(
            r#"{"starts_at":"2026-03-02T09:00:00Z","ends_at":"2026-03-02T11:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(w, window());
        let back: SessionWindow =
            serde_json::from_str(&serde_json::to_string(&w).unwrap()).unwrap();
        assert_eq!(back, w);
        assert!(
            serde_json::from_str::<SessionWindow>(
                r#"{"starts_at":"2026-03-02T11:00:00Z","ends_at":"2026-03-02T09:00:00Z"}"#,
            )
            .is_err()
        );
    }

    #[test]
    fn window_edges() {
        let w = window();
        let mark = |at| mark_for_check_in(&w, at);
        let outside = Err(AttendanceError::OutsideSession);
        assert_eq!(mark(t(8, 44, 59)), outside);
        assert_eq!(mark(t(8, 45, 0)), Ok(Mark::Present));
        assert_eq!(mark(t(9, 0, 0)), Ok(Mark::Present));
        assert_eq!(mark(t(9, 10, 0)), Ok(Mark::Present));
        assert_eq!(mark(t(9, 10, 1)), Ok(Mark::Late));
        assert_eq!(mark(t(11, 0, 0)), Ok(Mark::Late));
        assert_eq!(mark(t(11, 0, 1)), outside);
        assert_eq!(
            AttendanceError::OutsideSession.code(),
            "checkin-outside-session"
        );
        assert!(!w.ended(t(11, 0, 0)) && w.ended(t(11, 0, 1)));
    }

    #[test]
    fn zero_minute_settings() {
        let w = SessionWindow::with_minutes(t(9, 0, 0), t(10, 0, 0), 0, 0).unwrap();
        assert_eq!(
            mark_for_check_in(&w, t(8, 59, 59)),
            Err(AttendanceError::OutsideSession)
        );
        assert_eq!(mark_for_check_in(&w, t(9, 0, 0)), Ok(Mark::Present));
        assert_eq!(mark_for_check_in(&w, t(9, 0, 1)), Ok(Mark::Late));
    }

    fn unhex(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 1: short key.
        assert_eq!(
            hex::encode(hmac_sha256(&[0x0b; 20], b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        // Test case 2: key shorter than the output.
        assert_eq!(
            hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 3: 50 bytes of data.
        assert_eq!(
            hex::encode(hmac_sha256(&[0xaa; 20], &[0xdd; 50])),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
        );
        // Test case 6: a key longer than the block is hashed first.
        assert_eq!(
            hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )
            .to_vec(),
            unhex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        );
        // A key of exactly one block is used as is, not hashed.
        assert_ne!(
            hmac_sha256(&[0x61; 64], b"m"),
            hmac_sha256(&Sha256::digest([0x61; 64]), b"m")
        );
    }

    #[test]
    fn codes_are_stable_within_a_minute_and_change_across() {
        let s = secret();
        let a = code_at(&s, 7, t(9, 3, 0));
        assert_eq!(code_at(&s, 7, t(9, 3, 59)), a);
        assert_ne!(code_at(&s, 7, t(9, 4, 0)), a);
        assert_ne!(
            code_at(&s, 8, t(9, 3, 0)),
            a,
            "another session has another code"
        );
        let other = SessionSecret::from_bytes(&[9; 16]).unwrap();
        assert_ne!(code_at(&other, 7, t(9, 3, 0)), a);
        assert_eq!(a.to_string().len(), 6);
        // Across an hour of this secret, no two consecutive minutes share a code.
        let codes: Vec<_> = (0..60).map(|m| code_at(&s, 7, t(10, m, 0))).collect();
        assert!(codes.windows(2).all(|w| w[0] != w[1]));
    }

    #[test]
    fn codes_are_zero_padded_and_serialised_as_text() {
        let c = CheckInCode(4217);
        assert_eq!(c.to_string(), "004217");
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"004217\"");
        assert_eq!(
            serde_json::from_str::<CheckInCode>("\"004217\"").unwrap(),
            c
        );
        assert_eq!(CheckInCode::parse("004217"), Ok(c));
    }

    #[test]
    fn typed_codes_tolerate_spaces_and_full_width_digits() {
        assert_eq!(CheckInCode::parse(" 123 456 "), Ok(CheckInCode(123_456)));
        assert_eq!(CheckInCode::parse("１２３４５６"), Ok(CheckInCode(123_456)));
        assert_eq!(
            CheckInCode::parse("１２３\u{3000}4５6"),
            Ok(CheckInCode(123_456))
        );
        for bad in ["", "12345", "1234567", "12345a", "123-456", "١٢٣٤٥٦"] {
            assert_eq!(
                CheckInCode::parse(bad),
                Err(AttendanceError::CodeFormat),
                "{bad}"
            );
        }
        assert_eq!(AttendanceError::CodeFormat.code(), "checkin-code-format");
    }

    #[test]
    fn verify_accepts_current_and_previous_minute() {
        let (s, w) = (secret(), window());
        let at = t(9, 5, 2);
        let now = code_at(&s, 7, at).to_string();
        let prev = code_at(&s, 7, t(9, 4, 59)).to_string();
        assert_eq!(verify_code(&s, 7, &w, &now, at), Ok(Mark::Present));
        assert_eq!(verify_code(&s, 7, &w, &prev, at), Ok(Mark::Present));
        let late = t(9, 30, 0);
        let code = code_at(&s, 7, late).to_string();
        assert_eq!(verify_code(&s, 7, &w, &code, late), Ok(Mark::Late));
    }

    #[test]
    fn verify_accepts_full_width_input() {
        let (s, w) = (secret(), window());
        let at = t(9, 5, 2);
        let wide: String = code_at(&s, 7, at)
            .to_string()
            .chars()
            .map(|c| char::from_u32(u32::from(c) - u32::from('0') + u32::from('０')).unwrap())
            .collect();
        assert_eq!(
            verify_code(&s, 7, &w, &format!(" {wide} "), at),
            Ok(Mark::Present)
        );
    }

    #[test]
    fn older_codes_are_expired_and_others_wrong() {
        let (s, w) = (secret(), window());
        let at = t(9, 30, 0);
        for back in 2..=10 {
            let old = code_at(&s, 7, at - Duration::minutes(back)).to_string();
            assert_eq!(
                verify_code(&s, 7, &w, &old, at),
                Err(AttendanceError::CodeExpired),
                "{back} minutes back"
            );
        }
        let ancient = code_at(&s, 7, at - Duration::minutes(11)).to_string();
        assert_eq!(
            verify_code(&s, 7, &w, &ancient, at),
            Err(AttendanceError::CodeWrong)
        );
        let next = code_at(&s, 7, at + Duration::minutes(1)).to_string();
        assert_eq!(
            verify_code(&s, 7, &w, &next, at),
            Err(AttendanceError::CodeWrong)
        );
        let other_session = code_at(&s, 8, at).to_string();
        assert_eq!(
            verify_code(&s, 7, &w, &other_session, at),
            Err(AttendanceError::CodeWrong)
        );
        assert_eq!(AttendanceError::CodeExpired.code(), "checkin-code-expired");
        assert_eq!(AttendanceError::CodeWrong.code(), "checkin-code-wrong");
    }

    #[test]
    fn a_right_code_outside_the_window_is_refused() {
        let (s, w) = (secret(), window());
        for at in [t(8, 44, 0), t(11, 0, 1)] {
            let code = code_at(&s, 7, at).to_string();
            assert_eq!(
                verify_code(&s, 7, &w, &code, at),
                Err(AttendanceError::OutsideSession)
            );
        }
        let end = t(11, 0, 0);
        let code = code_at(&s, 7, end).to_string();
        assert_eq!(verify_code(&s, 7, &w, &code, end), Ok(Mark::Late));
    }

    #[test]
    fn countdown_to_the_next_code() {
        assert_eq!(seconds_left(t(9, 3, 0)), 60);
        assert_eq!(seconds_left(t(9, 3, 1)), 59);
        assert_eq!(seconds_left(t(9, 3, 59)), 1);
        let half = t(9, 3, 59) + Duration::milliseconds(500);
        assert_eq!(seconds_left(half), 1);
        let before_epoch = Utc.with_ymd_and_hms(1969, 12, 31, 23, 59, 50).unwrap();
        assert_eq!(seconds_left(before_epoch), 10);
    }

    #[test]
    fn secrets_are_long_enough_hidden_and_stored_as_hex() {
        assert_eq!(
            SessionSecret::from_bytes(&[1; 15]).unwrap_err().code(),
            "attendance-secret-short"
        );
        assert_eq!(
            SessionSecret::from_hex("zz"),
            Err(AttendanceError::SecretShort)
        );
        let s = secret();
        assert_eq!(format!("{s:?}"), "SessionSecret(…)");
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, format!("\"{}\"", s.to_hex()));
        assert_eq!(serde_json::from_str::<SessionSecret>(&json).unwrap(), s);
    }

    #[test]
    fn lecturer_marks_win_over_self_check_in() {
        let lecturer = |mark| {
            Some(RecordedMark {
                mark,
                source: MarkSource::Lecturer,
            })
        };
        let own = |mark| {
            Some(RecordedMark {
                mark,
                source: MarkSource::SelfCheckIn,
            })
        };
        assert_eq!(
            apply_check_in(None, Mark::Late),
            CheckInOutcome::Recorded(Mark::Late)
        );
        assert!(apply_check_in(None, Mark::Present).changed());
        for m in Mark::ALL {
            let out = apply_check_in(lecturer(m), Mark::Present);
            assert_eq!(out, CheckInOutcome::LecturerMarkKept(m));
            assert!(!out.changed());
        }
        let again = apply_check_in(own(Mark::Present), Mark::Late);
        assert_eq!(again, CheckInOutcome::AlreadyCheckedIn(Mark::Present));
        assert_eq!(again.mark(), Mark::Present);
        assert_eq!(
            serde_json::to_string(&again).unwrap(),
            r#"{"outcome":"already_checked_in","mark":"present"}"#
        );
    }

    #[test]
    fn bulk_marking() {
        let sheet = [
            (1, None),
            (2, Some(Mark::Present)),
            (3, Some(Mark::Absent)),
            (4, None),
            (5, Some(Mark::Excused)),
        ];
        assert_eq!(
            apply_bulk(&sheet, Mark::Absent, true),
            [(1, Mark::Absent), (4, Mark::Absent)]
        );
        assert_eq!(
            apply_bulk(&sheet, Mark::Absent, false),
            [
                (1, Mark::Absent),
                (2, Mark::Absent),
                (4, Mark::Absent),
                (5, Mark::Absent)
            ]
        );
        assert!(apply_bulk(&[(3, Some(Mark::Present))], Mark::Present, false).is_empty());
        assert!(apply_bulk(&[], Mark::Present, false).is_empty());
    }

    fn sm(ends_h: u32, mark: Option<Mark>) -> SessionMark {
        SessionMark {
            ends_at: t(ends_h, 0, 0),
            mark,
        }
    }

    #[test]
    fn rate_by_hand() {
        use Mark::*;
        let now = t(12, 0, 0);
        let sessions = [
            sm(9, Some(Present)),
            sm(9, Some(Present)),
            sm(9, Some(Late)),
            sm(9, Some(Excused)),
            sm(9, Some(Absent)),
            sm(10, None), // ended, unmarked: absent
            sm(13, None), // not over yet: not counted
        ];
        let tally = Tally::of(&sessions, now);
        assert_eq!(
            tally,
            Tally {
                present: 2,
                late: 1,
                excused: 1,
                absent: 2,
                pending: 1
            }
        );
        // Late in full: 3 / 5 = 60.
        assert_eq!(
            attendance_rate(&sessions, now, DEFAULT_LATE_CREDIT),
            Some(Score::points(60))
        );
        // Late at half: 2.5 / 5 = 50.
        let half = Weight::percent(50);
        assert_eq!(
            attendance_rate(&sessions, now, half),
            Some(Score::points(50))
        );
        // Late at nothing: 2 / 5 = 40.
        assert_eq!(
            attendance_rate(&sessions, now, Weight::percent(0)),
            Some(Score::points(40))
        );
        // 2 / 3 = 66.666… → 66.67; 1 / 3 = 33.333… → 33.33.
        let thirds = [
            sm(9, Some(Present)),
            sm(9, Some(Present)),
            sm(9, Some(Absent)),
        ];
        assert_eq!(
            attendance_rate(&thirds, now, half).unwrap().fixed(2),
            "66.67"
        );
        let third = [
            sm(9, Some(Present)),
            sm(9, Some(Absent)),
            sm(9, Some(Absent)),
        ];
        assert_eq!(
            attendance_rate(&third, now, half).unwrap().fixed(2),
            "33.33"
        );
        // Half-up: one late at 0.01% over two sessions is 0.005 → 0.01.
        let tiny = [sm(9, Some(Late)), sm(9, Some(Absent))];
        let credit = Weight::from_basis_points(1).unwrap();
        assert_eq!(
            attendance_rate(&tiny, now, credit),
            Some(Score::from_hundredths(1).unwrap())
        );
    }

    #[test]
    fn no_counted_session_is_no_input() {
        let now = t(12, 0, 0);
        assert_eq!(attendance_rate(&[], now, DEFAULT_LATE_CREDIT), None);
        let excused = [sm(9, Some(Mark::Excused)), sm(13, None)];
        assert_eq!(attendance_rate(&excused, now, DEFAULT_LATE_CREDIT), None);
        // At the exact end the session is not over yet.
        assert_eq!(
            attendance_rate(&[sm(12, None)], now, DEFAULT_LATE_CREDIT),
            None
        );
        assert_eq!(
            attendance_rate(
                &[sm(12, None)],
                now + Duration::seconds(1),
                DEFAULT_LATE_CREDIT
            ),
            Some(Score::ZERO)
        );
    }

    fn any_session() -> impl Strategy<Value = SessionMark> {
        (
            8u32..16,
            prop_oneof![
                Just(None),
                Just(Some(Mark::Present)),
                Just(Some(Mark::Late)),
                Just(Some(Mark::Excused)),
                Just(Some(Mark::Absent)),
            ],
        )
            .prop_map(|(h, mark)| sm(h, mark))
    }

    proptest! {
        /// The rate is a score in 0–100, present only when a session counts, and does not
        /// depend on the order of the sessions.
        #[test]
        fn rate_is_bounded_and_order_free(
            sessions in proptest::collection::vec(any_session(), 0..40),
            credit in 0u32..=10_000,
            now_h in 8u32..17,
            rotate in 0usize..40,
        ) {
            let credit = Weight::from_basis_points(credit).unwrap();
            let now = t(now_h, 30, 0);
            let rate = attendance_rate(&sessions, now, credit);
            let tally = Tally::of(&sessions, now);
            prop_assert_eq!(rate.is_some(), tally.present + tally.late + tally.absent > 0);
            if let Some(r) = rate {
                prop_assert!(r <= Score::MAX);
            }
            let mut reordered = sessions.clone();
            reordered.reverse();
            if !reordered.is_empty() {
                let k = rotate % reordered.len();
                reordered.rotate_left(k);
            }
            prop_assert_eq!(attendance_rate(&reordered, now, credit), rate);
        }

        /// A code verifies in the minute it is shown, wherever in the window.
        #[test]
        fn shown_code_always_verifies(secs in 0i64..(135 * 60), id in any::<i64>()) {
            let (s, w) = (secret(), window());
            let at = w.opens_at() + Duration::seconds(secs);
            let code = code_at(&s, id, at).to_string();
            prop_assert_eq!(verify_code(&s, id, &w, &code, at), mark_for_check_in(&w, at));
        }
    }
}
