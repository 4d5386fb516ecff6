//! `cargo build --release -p skillcert -p skillcert-bench && target/release/evaluate-bench`
//! `[-- --rows 1000000 --runs 3 --skillcert target/release/skillcert --keep]`
//!
//! Generates N rows of `s4-routine-assessment` input (attendance, inspection and seven
//! on-site marks per row) and times
//! 1. the release binary, `skillcert evaluate --scheme s4-routine-assessment --input …
//!    --output …`, spawned as a user would run it;
//! 2. a baseline that only parses the same CSV and re-writes it in-process with the same
//!    csv crate, parsing every score and mark as the command does but evaluating nothing.
//!
//! The ratio of the two says how much evaluation costs on top of the unavoidable I/O.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use skillcert_domain::scheme::{Score, presets};

const SCHEME: &str = "s4-routine-assessment";

struct Opts {
    rows: usize,
    runs: usize,
    skillcert: Option<PathBuf>,
    keep: bool,
}

fn opts() -> Result<Opts> {
    let mut o = Opts {
        rows: 1_000_000,
        runs: 3,
        skillcert: None,
        keep: false,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        if args[i] == "--keep" {
            o.keep = true;
            i += 1;
            continue;
        }
        let v = args.get(i + 1).context("missing value")?;
        match args[i].as_str() {
            "--rows" => o.rows = v.parse()?,
            "--runs" => o.runs = v.parse::<usize>()?.max(1),
            "--skillcert" => o.skillcert = Some(PathBuf::from(v)),
            other => bail!("unknown option {other}"),
        }
        i += 2;
    }
    Ok(o)
}

/// A small deterministic generator: the same file every run, without a dependency.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as u32
    }

    /// A score in `lo..=100` with 0–2 decimals, as people type them.
    fn score(&mut self, lo: u32) -> String {
        let int = lo + self.next() % (101 - lo);
        match (int, self.next() % 4) {
            (100, _) | (_, 0 | 1) => int.to_string(),
            (_, 2) => format!("{int}.5"),
            _ => format!("{int}.{:02}", self.next() % 100),
        }
    }
}

/// Writes the input file; the header comes from the preset, so it follows the contract.
fn generate(path: &Path, rows: usize) -> Result<()> {
    let scheme = presets::get(SCHEME).context("the preset is missing")?;
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let keys: Vec<&str> = scheme.components().iter().map(|c| c.key.as_str()).collect();
    writeln!(out, "employee_no,attempt,{}", keys.join(","))?;
    let mut rng = Lcg(20_261_123);
    for i in 0..rows {
        let attempt = 1 + rng.next() % 3;
        let attendance = rng.score(80);
        let inspection = rng.score(70);
        write!(out, "E{:07},{attempt},{attendance},{inspection},", i + 1)?;
        for judge in 0..7 {
            if judge > 0 {
                out.write_all(b";")?;
            }
            write!(out, "{}", rng.score(75))?;
        }
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

/// Parses every cell like `skillcert evaluate` does and writes the row back unchanged.
fn parse_and_rewrite(input: &Path, output: &Path) -> Result<(usize, u64)> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_path(input)?;
    let mut writer = csv::WriterBuilder::new()
        .buffer_capacity(1 << 16)
        .from_writer(BufWriter::with_capacity(1 << 18, File::create(output)?));
    let mut record = csv::ByteRecord::new();
    let mut rows = 0;
    // Summed so that the parsing cannot be optimised away.
    let mut checksum = 0u64;
    let mut header = true;
    while reader.read_byte_record(&mut record)? {
        if !header {
            rows += 1;
            for (i, cell) in record.iter().enumerate() {
                let text = std::str::from_utf8(cell)?.trim();
                match i {
                    0 => checksum += text.len() as u64,
                    1 => checksum += u64::from(text.parse::<u32>()?),
                    _ => {
                        for mark in text.split(';') {
                            checksum += u64::from(Score::parse(mark)?.hundredths());
                        }
                    }
                }
            }
        }
        header = false;
        writer.write_byte_record(&record)?;
    }
    writer.flush()?;
    Ok((rows, checksum))
}

fn skillcert_binary(o: &Opts) -> Result<PathBuf> {
    let path = match &o.skillcert {
        Some(p) => p.clone(),
        // Both binaries land in the same target directory.
        None => std::env::current_exe()?
            .with_file_name(format!("skillcert{}", std::env::consts::EXE_SUFFIX)),
    };
    if !path.is_file() {
        bail!(
            "{} not found: run `cargo build --release -p skillcert` first or pass --skillcert <path>",
            path.display()
        );
    }
    Ok(path)
}

fn evaluate(skillcert: &Path, input: &Path, output: &Path) -> Result<Duration> {
    let t = Instant::now();
    let out = Command::new(skillcert)
        .args(["evaluate", "--scheme", SCHEME, "--input"])
        .arg(input)
        .arg("--output")
        .arg(output)
        .output()?;
    let elapsed = t.elapsed();
    if !out.status.success() {
        bail!(
            "skillcert evaluate failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(elapsed)
}

fn count_lines(path: &Path) -> Result<usize> {
    let bytes = std::fs::read(path)?;
    Ok(bytes.iter().filter(|b| **b == b'\n').count())
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() -> Result<()> {
    let o = opts()?;
    let skillcert = skillcert_binary(&o)?;
    let dir = std::env::temp_dir().join(format!("skillcert-evaluate-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let input = dir.join("in.csv");
    let t = Instant::now();
    generate(&input, o.rows)?;
    let size = std::fs::metadata(&input)?.len();
    println!(
        "generated {} rows of {SCHEME} ({:.1} MB) in {:.2?}: {}",
        o.rows,
        size as f64 / 1e6,
        t.elapsed(),
        input.display()
    );

    let mut evaluate_times = Vec::new();
    let mut baseline_times = Vec::new();
    for run in 1..=o.runs {
        let out = dir.join("out.csv");
        let e = evaluate(&skillcert, &input, &out)?;
        let lines = count_lines(&out)?;
        if lines != o.rows + 1 {
            bail!("expected {} output lines, got {lines}", o.rows + 1);
        }
        let t = Instant::now();
        let (rows, _) = parse_and_rewrite(&input, &dir.join("copy.csv"))?;
        let b = t.elapsed();
        if rows != o.rows {
            bail!("the baseline read {rows} rows, expected {}", o.rows);
        }
        println!(
            "run {run}: evaluate {:.3} s, parse+rewrite {:.3} s",
            e.as_secs_f64(),
            b.as_secs_f64()
        );
        evaluate_times.push(e);
        baseline_times.push(b);
    }
    let (e, b) = (median(evaluate_times), median(baseline_times));
    let target = match (o.rows, e < Duration::from_secs(3)) {
        (1_000_000, true) => " (target < 3 s: met)",
        (1_000_000, false) => " (target < 3 s: MISSED)",
        _ => "",
    };
    println!(
        "median of {}: skillcert evaluate {:.3} s{target}, parse+rewrite {:.3} s, ratio {:.2}",
        o.runs,
        e.as_secs_f64(),
        b.as_secs_f64(),
        e.as_secs_f64() / b.as_secs_f64()
    );
    if o.keep {
        println!("files kept in {}", dir.display());
    } else {
        std::fs::remove_dir_all(&dir)?;
    }
    Ok(())
}
