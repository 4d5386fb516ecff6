//! `skillcert evaluate`: applies a certification scheme to a CSV of component inputs.
//!
//! It needs no database, so results can be computed or re-checked in bulk from files
//! that come from elsewhere (an exam system, a spreadsheet of panel marks).
//!
//! The file is streamed: a reader thread parses CSV records into chunks, worker threads
//! evaluate the chunks, and the calling thread writes their output in input order. Output
//! goes to a temporary file that replaces the target only when the run succeeds, so a
//! file with bad rows never leaves a partial result behind.

mod layout;
mod row;
mod sink;

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, DefaultHasher, Hash, Hasher};
use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use anyhow::{Context, Result, anyhow};
use clap::{Args, ValueEnum};
use csv::ByteRecord;
use skillcert_domain::scheme::{Lang, Scheme, presets};

use layout::Layout;
use row::RowEvaluator;
use sink::Sink;

/// Exit code when some rows (or the header) are bad; 1 stays for "could not run at all".
pub const EXIT_BAD_ROWS: i32 = 2;

/// The contract of the command, shown by `skillcert evaluate --help`.
const HELP: &str = "\
Input: CSV, UTF-8 with or without BOM, header employee_no,attempt,<component keys> in any
order. A panel component's cell holds the judges' marks separated by ';' (88;90;75;92;85;79;91);
for a panel trimmed per rubric item, each judge's items are separated by '/' (80/90;85/88).

CSV output: employee_no,attempt,<component keys in scheme order>,total,passed,level,
consequence,hold. Scores carry the scheme's decimals; passed and hold are true/false; level
is the band key or empty; consequence is the ladder step for this attempt, empty when passed.

JSON output: an array with one object per row: employee_no, attempt, components (key ->
score), total, passed, level (null if none), consequence (null when passed), hold, and
explanation: {\"zh-CN\": [...], \"en\": [...]}, both languages unless --lang picks one.

Bad rows (missing or out-of-range value, too few marks, duplicate employee_no and attempt —
the first occurrence counts —, wrong number of fields) are reported on stderr, one line per
row with its line number. Without --keep-going nothing is written (an existing output file is
left untouched); with --keep-going the valid rows are written. A header problem (unknown,
duplicate or missing column) makes every row bad: it is reported once and nothing is written,
even with --keep-going.

Exit codes: 0 all rows evaluated; 2 some rows or the header were bad (also with
--keep-going); 1 the command could not run (unknown or invalid scheme, unreadable input,
unwritable output).";

/// Rows per chunk: large enough that channel hand-offs cost nothing per row, small
/// enough that a few chunks in flight stay within a few megabytes.
const CHUNK_ROWS: usize = 8192;

#[derive(Args, Debug)]
#[command(after_long_help = HELP)]
pub struct EvaluateArgs {
    /// A preset name (s1-certification, s4-etiquette-exam, s4-routine-assessment,
    /// s2-skill-review) or the path of a scheme TOML file.
    #[arg(long)]
    pub scheme: String,
    /// Input CSV with the header `employee_no,attempt,<component keys>`, or `-` for stdin.
    #[arg(long)]
    pub input: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Output file, or `-` for stdout.
    #[arg(long, default_value = "-")]
    pub output: String,
    /// Write the valid rows even when some rows are bad; the exit code is still 2.
    #[arg(long)]
    pub keep_going: bool,
    /// Language of the explanation in JSON output; both languages when omitted.
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    #[value(name = "zh-CN")]
    ZhCn,
    #[value(name = "en")]
    En,
}

/// Runs the command and returns the process exit code (0, or [`EXIT_BAD_ROWS`]);
/// an `Err` means the command could not run (unknown scheme, unreadable file…).
pub fn run(args: &EvaluateArgs) -> Result<i32> {
    let scheme = load_scheme(&args.scheme)?;
    let input: Box<dyn Read + Send> = if args.input == "-" {
        Box::new(io::stdin())
    } else {
        Box::new(
            std::fs::File::open(&args.input)
                .with_context(|| format!("opening the input file {}", args.input))?,
        )
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(input);

    let mut header = ByteRecord::new();
    let has_header = reader
        .read_byte_record(&mut header)
        .context("reading the input header")?;
    let layout = match Layout::from_header(has_header.then_some(&header), &scheme) {
        Ok(layout) => layout,
        Err(problems) => {
            let mut err = io::stderr().lock();
            for p in &problems {
                writeln!(err, "line 1: {p}")?;
            }
            writeln!(
                err,
                "the header is wrong, so every row is bad: nothing was evaluated and no output was written"
            )?;
            return Ok(EXIT_BAD_ROWS);
        }
    };

    let langs: Vec<Lang> = match args.lang {
        None => vec![Lang::ZhCn, Lang::En],
        Some(LangArg::ZhCn) => vec![Lang::ZhCn],
        Some(LangArg::En) => vec![Lang::En],
    };
    let mut sink = Sink::open(&args.output, args.keep_going)?;
    match args.format {
        Format::Csv => sink.write_all(&row::csv_header(&scheme)?)?,
        Format::Json => sink.write_all(b"[")?,
    }

    let config = Config {
        scheme: &scheme,
        layout: &layout,
        format: args.format,
        langs: &langs,
        keep_going: args.keep_going,
    };
    let stats = pipeline(reader, &config, &mut sink)?;

    let mut err = io::stderr().lock();
    if stats.bad > 0 && !args.keep_going {
        sink.discard();
        writeln!(
            err,
            "{} of {} rows are bad: no output was written (use --keep-going to write the valid rows)",
            stats.bad, stats.rows
        )?;
        return Ok(EXIT_BAD_ROWS);
    }
    if args.format == Format::Json {
        sink.write_all(if stats.written > 0 { b"\n]\n" } else { b"]\n" })?;
    }
    sink.commit()?;
    if stats.bad > 0 {
        writeln!(
            err,
            "{} of {} rows are bad and were left out; the {} valid rows were written",
            stats.bad, stats.rows, stats.written
        )?;
        return Ok(EXIT_BAD_ROWS);
    }
    Ok(0)
}

/// A preset name wins over a file of the same name, so a stray file in the working
/// directory cannot silently change what a documented preset name means.
fn load_scheme(arg: &str) -> Result<Scheme> {
    if presets::source(arg).is_some() {
        return presets::get(arg).ok_or_else(|| anyhow!("the preset {arg} does not parse"));
    }
    let path = Path::new(arg);
    if !path.exists() {
        let names: Vec<&str> = presets::SOURCES.iter().map(|(k, _)| *k).collect();
        return Err(anyhow!(
            "unknown scheme {arg:?}: give a preset name ({}) or the path of a scheme TOML file",
            names.join(", ")
        ));
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the scheme file {}", path.display()))?;
    Scheme::parse_toml(&text).map_err(|errors| {
        let lines: Vec<String> = errors.0.iter().map(|e| format!("  {e}")).collect();
        anyhow!(
            "the scheme file {} is invalid:\n{}",
            path.display(),
            lines.join("\n")
        )
    })
}

/// What every worker needs to evaluate rows; shared by reference across threads.
pub(crate) struct Config<'a> {
    pub scheme: &'a Scheme,
    pub layout: &'a Layout,
    pub format: Format,
    pub langs: &'a [Lang],
    pub keep_going: bool,
}

/// A problem the reader finds before a row reaches a worker, because it needs the
/// file order (duplicates) or makes the row unreadable (field count).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pre {
    None,
    Width(usize),
    Duplicate(u64),
}

/// Records read together; recycled between reader and workers so that, once warm,
/// reading allocates nothing per row.
struct Chunk {
    seq: usize,
    len: usize,
    records: Vec<ByteRecord>,
    pre: Vec<Pre>,
}

/// A worker's result for one chunk.
struct Done {
    seq: usize,
    bytes: Vec<u8>,
    messages: Vec<String>,
    rows: u64,
    bad: u64,
    written: u64,
}

#[derive(Default)]
struct Stats {
    rows: u64,
    bad: u64,
    written: u64,
}

fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 8))
}

/// Reader thread → worker threads → this thread, which writes chunks in input order.
fn pipeline<R: Read + Send>(
    reader: csv::Reader<R>,
    config: &Config<'_>,
    sink: &mut Sink,
) -> Result<Stats> {
    let n = workers();
    let (work_tx, work_rx) = mpsc::sync_channel::<Chunk>(n * 2);
    let (done_tx, done_rx) = mpsc::sync_channel::<Done>(n * 2);
    let (free_tx, free_rx) = mpsc::channel::<Chunk>();
    // Output buffers go back from the writer to the workers: fresh half-megabyte buffers
    // per chunk cost page faults that showed up in profiles.
    let (spare_tx, spare_rx) = mpsc::channel::<Vec<u8>>();
    // Shared through `Arc`, not borrowed: when the writer stops early the workers exit and
    // the last one drops the receiver, which is what unblocks the reader's `send`.
    let work_rx = Arc::new(Mutex::new(work_rx));
    let spare_rx = Mutex::new(spare_rx);
    // Once a bad row is seen without --keep-going, output is moot; workers then only check.
    let output_wanted = AtomicBool::new(true);

    std::thread::scope(|s| {
        let read = s.spawn(move || read_chunks(reader, config.layout, work_tx, free_rx));
        for _ in 0..n {
            let work_rx = Arc::clone(&work_rx);
            let done_tx = done_tx.clone();
            let free_tx = free_tx.clone();
            let output_wanted = &output_wanted;
            let spare_rx = &spare_rx;
            s.spawn(move || {
                work(
                    config,
                    &work_rx,
                    &done_tx,
                    &free_tx,
                    spare_rx,
                    output_wanted,
                );
            });
        }
        drop((done_tx, free_tx, work_rx));
        let written = write_in_order(
            done_rx,
            sink,
            &spare_tx,
            config.keep_going,
            config.format == Format::Json,
            &output_wanted,
        );
        let read = read
            .join()
            .map_err(|_| anyhow!("the reader thread panicked"))?;
        let stats = written?;
        read?;
        Ok(stats)
    })
}

fn read_chunks<R: Read>(
    mut reader: csv::Reader<R>,
    layout: &Layout,
    work_tx: mpsc::SyncSender<Chunk>,
    free_rx: mpsc::Receiver<Chunk>,
) -> Result<()> {
    let mut seen = Seen::default();
    let mut seq = 0;
    loop {
        let mut chunk = free_rx.try_recv().unwrap_or_else(|_| Chunk {
            seq: 0,
            len: 0,
            records: Vec::with_capacity(CHUNK_ROWS),
            pre: Vec::with_capacity(CHUNK_ROWS),
        });
        chunk.len = 0;
        chunk.pre.clear();
        let mut eof = false;
        while chunk.len < CHUNK_ROWS {
            if chunk.records.len() == chunk.len {
                chunk.records.push(ByteRecord::new());
            }
            let record = &mut chunk.records[chunk.len];
            if !reader
                .read_byte_record(record)
                .context("reading the input")?
            {
                eof = true;
                break;
            }
            let pre = if record.len() != layout.width {
                Pre::Width(record.len())
            } else {
                seen.check(record, layout)
            };
            chunk.pre.push(pre);
            chunk.len += 1;
        }
        if chunk.len > 0 {
            chunk.seq = seq;
            seq += 1;
            if work_tx.send(chunk).is_err() {
                // The writer stopped on an error of its own; it reports that one.
                return Ok(());
            }
        }
        if eof {
            return Ok(());
        }
    }
}

/// `(employee_no, attempt)` pairs already seen, with their line.
///
/// Keys are 128 bits instead of the bytes themselves so that a million rows cost no
/// allocation each and ~24 bytes of memory: an employee number of up to 11 bytes is
/// packed exactly with its length and the attempt; a longer one is hashed to 120 bits,
/// where an accidental collision among a million rows has odds below 10⁻²⁰.
#[derive(Default)]
struct Seen(HashMap<(u64, u64), u64, BuildHasherDefault<KeyHasher>>);

/// Keys are already packed bytes or strong hashes, so a multiply-and-mix is enough; the
/// default SipHash showed up in profiles of a million-row file.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(23) ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn finish(&self) -> u64 {
        // A final avalanche so that the low bits, which pick the bucket, depend on all input bits.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
        h ^= h >> 33;
        h
    }
}

impl Seen {
    fn check(&mut self, record: &ByteRecord, layout: &Layout) -> Pre {
        let (Some(employee), Some(attempt)) = (
            record.get(layout.employee_no).map(<[u8]>::trim_ascii),
            record.get(layout.attempt).and_then(row::parse_attempt),
        ) else {
            return Pre::None; // the worker reports the bad cell itself
        };
        if employee.is_empty() {
            return Pre::None;
        }
        let line = record.position().map_or(0, |p| p.line());
        match self.0.entry(dedup_key(employee, attempt)) {
            Entry::Occupied(first) => Pre::Duplicate(*first.get()),
            Entry::Vacant(slot) => {
                slot.insert(line);
                Pre::None
            }
        }
    }
}

fn dedup_key(employee: &[u8], attempt: u32) -> (u64, u64) {
    if employee.len() <= 11 {
        let mut bytes = [0u8; 16];
        bytes[..employee.len()].copy_from_slice(employee);
        bytes[11] = employee.len() as u8;
        bytes[12..].copy_from_slice(&attempt.to_le_bytes());
        let (lo, hi) = bytes.split_at(8);
        let mut lo8 = [0u8; 8];
        let mut hi8 = [0u8; 8];
        lo8.copy_from_slice(lo);
        hi8.copy_from_slice(hi);
        return (u64::from_le_bytes(lo8), u64::from_le_bytes(hi8));
    }
    let hash = |salt: u8| {
        let mut h = DefaultHasher::new();
        (salt, employee, attempt).hash(&mut h);
        h.finish()
    };
    // Byte 11 of a packed key is a length ≤ 11; 0xFF there marks a hashed key, so the
    // two kinds never meet.
    (hash(0), (hash(1) & !(0xFF << 24)) | (0xFF << 24))
}

fn work(
    config: &Config<'_>,
    work_rx: &Mutex<mpsc::Receiver<Chunk>>,
    done_tx: &mpsc::SyncSender<Done>,
    free_tx: &mpsc::Sender<Chunk>,
    spare_rx: &Mutex<mpsc::Receiver<Vec<u8>>>,
    output_wanted: &AtomicBool,
) {
    let mut evaluator = RowEvaluator::new(config);
    loop {
        let chunk = {
            let Ok(rx) = work_rx.lock() else { return };
            match rx.recv() {
                Ok(chunk) => chunk,
                Err(_) => return,
            }
        };
        let mut done = Done {
            seq: chunk.seq,
            bytes: Vec::new(),
            messages: Vec::new(),
            rows: chunk.len as u64,
            bad: 0,
            written: 0,
        };
        let write = output_wanted.load(Ordering::Relaxed);
        let buffer = spare_rx
            .lock()
            .ok()
            .and_then(|rx| rx.try_recv().ok())
            .unwrap_or_else(|| Vec::with_capacity(CHUNK_ROWS * 80));
        let mut out = row::ChunkOutput::new(config.format, buffer);
        for (record, pre) in chunk.records[..chunk.len].iter().zip(&chunk.pre) {
            match evaluator.row(record, *pre, write.then_some(&mut out)) {
                Ok(true) => done.written += 1,
                Ok(false) => {}
                Err(message) => {
                    done.bad += 1;
                    done.messages.push(message);
                }
            }
        }
        done.bytes = match out.finish() {
            Ok(bytes) => bytes,
            Err(e) => {
                done.messages
                    .push(format!("internal error formatting output: {e}"));
                done.bad += 1;
                Vec::new()
            }
        };
        if !write {
            done.written = 0;
        }
        let _ = free_tx.send(chunk);
        if done_tx.send(done).is_err() {
            return;
        }
    }
}

fn write_in_order(
    done_rx: mpsc::Receiver<Done>,
    sink: &mut Sink,
    spare_tx: &mpsc::Sender<Vec<u8>>,
    keep_going: bool,
    json: bool,
    output_wanted: &AtomicBool,
) -> Result<Stats> {
    let mut stats = Stats::default();
    let mut pending = BTreeMap::new();
    let mut next = 0;
    let mut err = io::BufWriter::new(io::stderr().lock());
    for done in done_rx {
        pending.insert(done.seq, done);
        while let Some(done) = pending.remove(&next) {
            next += 1;
            for m in &done.messages {
                writeln!(err, "{m}")?;
            }
            stats.rows += done.rows;
            stats.bad += done.bad;
            if stats.bad > 0 && !keep_going {
                output_wanted.store(false, Ordering::Relaxed);
                continue;
            }
            // JSON objects start with ",\n"; the very first one drops the comma.
            let skip = if json && stats.written == 0 && done.bytes.first() == Some(&b',') {
                1
            } else {
                0
            };
            sink.write_all(&done.bytes[skip..])?;
            stats.written += done.written;
            let mut spare = done.bytes;
            spare.clear();
            let _ = spare_tx.send(spare);
        }
    }
    err.flush()?;
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_tell_employees_and_attempts_apart() {
        let long = "EMPLOYEE-NUMBER-0001".as_bytes();
        let keys = [
            dedup_key(b"E1", 1),
            dedup_key(b"E1", 2),
            dedup_key(b"E10", 1),
            dedup_key(b"E1\0", 1),
            dedup_key(b"", 1),
            dedup_key(b"ABCDEFGHIJK", 1),
            dedup_key(long, 1),
            dedup_key(long, 2),
            dedup_key(b"EMPLOYEE-NUMBER-0002", 1),
        ];
        for (i, a) in keys.iter().enumerate() {
            for b in &keys[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(dedup_key(b"E1", 1), dedup_key(b"E1", 1));
        assert_eq!(dedup_key(long, 1), dedup_key(long, 1));
    }
}
