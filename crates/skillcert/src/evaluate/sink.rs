//! Where output goes, such that a failed run leaves no output behind.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

const BUFFER: usize = 1 << 18;

/// A temporary file removed on drop unless it was handed over.
pub(crate) struct TempFile {
    path: Option<PathBuf>,
}

impl TempFile {
    fn create(path: PathBuf) -> Result<(TempFile, File)> {
        let file = File::create(&path)
            .with_context(|| format!("creating the temporary file {}", path.display()))?;
        Ok((TempFile { path: Some(path) }, file))
    }

    fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn keep(&mut self) {
        self.path = None;
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(p) = self.path.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

pub(crate) enum Sink {
    /// Written beside the target and renamed over it on success (same file system, so
    /// the rename is atomic and a reader never sees half a file).
    File {
        temp: TempFile,
        target: PathBuf,
        out: BufWriter<File>,
    },
    /// Stdout cannot be taken back, so without `--keep-going` output is spooled to a
    /// temporary file and copied out only once every row proved valid.
    Spool {
        temp: TempFile,
        out: BufWriter<File>,
    },
    /// With `--keep-going` whatever is valid is written anyway, so it streams.
    Stdout(BufWriter<io::Stdout>),
    Discarded,
}

impl Sink {
    pub fn open(output: &str, keep_going: bool) -> Result<Sink> {
        let unique = format!(
            "{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        );
        if output == "-" {
            if keep_going {
                return Ok(Sink::Stdout(BufWriter::with_capacity(BUFFER, io::stdout())));
            }
            let path = std::env::temp_dir().join(format!("skillcert-evaluate-{unique}.tmp"));
            let (temp, file) = TempFile::create(path)?;
            return Ok(Sink::Spool {
                temp,
                out: BufWriter::with_capacity(BUFFER, file),
            });
        }
        let target = PathBuf::from(output);
        let name = target
            .file_name()
            .with_context(|| format!("the output {output} is not a file name"))?
            .to_string_lossy()
            .into_owned();
        let path = target.with_file_name(format!(".{name}.{unique}.tmp"));
        let (temp, file) = TempFile::create(path)?;
        Ok(Sink::File {
            temp,
            target,
            out: BufWriter::with_capacity(BUFFER, file),
        })
    }

    pub fn write_all(&mut self, bytes: &[u8]) -> Result<()> {
        let result = match self {
            Sink::File { out, .. } | Sink::Spool { out, .. } => out.write_all(bytes),
            Sink::Stdout(out) => out.write_all(bytes),
            Sink::Discarded => Ok(()),
        };
        result.context("writing the output")
    }

    /// Drops everything written so far; the target, if any, is left untouched.
    pub fn discard(&mut self) {
        *self = Sink::Discarded;
    }

    /// Makes the output visible: rename into place, or copy the spool to stdout.
    pub fn commit(self) -> Result<()> {
        match self {
            Sink::File {
                mut temp,
                target,
                out,
            } => {
                let file = out.into_inner().map_err(|e| e.into_error())?;
                file.sync_all().context("writing the output")?;
                drop(file);
                if let Some(path) = temp.path() {
                    std::fs::rename(path, &target)
                        .with_context(|| format!("moving the output to {}", target.display()))?;
                }
                temp.keep();
                Ok(())
            }
            Sink::Spool { temp, out } => {
                drop(out.into_inner().map_err(|e| e.into_error())?);
                if let Some(path) = temp.path() {
                    let mut file = File::open(path).context("reading back the output")?;
                    let mut stdout = io::stdout().lock();
                    io::copy(&mut file, &mut stdout).context("writing the output")?;
                    stdout.flush().context("writing the output")?;
                }
                Ok(())
            }
            Sink::Stdout(mut out) => out.flush().context("writing the output"),
            Sink::Discarded => Ok(()),
        }
    }
}
