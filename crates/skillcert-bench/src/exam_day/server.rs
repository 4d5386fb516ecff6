//! The real `skillcert serve` process: found or built, started, probed, killed, restarted.

use std::cell::RefCell;
use std::fs::OpenOptions;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::stats::cpu_seconds;

pub struct Server {
    bin: PathBuf,
    pub addr: SocketAddr,
    database_url: String,
    pub log: PathBuf,
    child: Option<Child>,
    /// Times the server was started after the first time.
    pub restarts: u32,
    /// CPU seconds of server processes that have ended.
    cpu_of_ended: f64,
}

/// The server binary: `--binary`, else `skillcert` next to this executable, built with
/// `cargo build --release -p skillcert` when it is missing there.
pub fn locate(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = explicit {
        if !p.is_file() {
            bail!("--binary {} does not exist", p.display());
        }
        return Ok(p.to_path_buf());
    }
    let exe = std::env::current_exe().context("locating this executable")?;
    let dir = exe.parent().context("executable without a directory")?;
    let bin = dir.join(format!("skillcert{}", std::env::consts::EXE_SUFFIX));
    if bin.is_file() {
        return Ok(bin);
    }
    eprintln!(
        "{} is missing: running `cargo build --release -p skillcert`",
        bin.display()
    );
    let status = Command::new("cargo")
        .args(["build", "--release", "-p", "skillcert"])
        .status()
        .context("running cargo build --release -p skillcert")?;
    if !status.success() || !bin.is_file() {
        bail!(
            "could not build {}; run `cargo build --release -p skillcert` from the repository root first, or pass --binary",
            bin.display()
        );
    }
    Ok(bin)
}

/// A loopback port nobody listens on right now.
pub fn free_addr() -> Result<SocketAddr> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?)
}

impl Server {
    pub fn new(bin: PathBuf, addr: SocketAddr, database_url: String, log: PathBuf) -> Server {
        Server {
            bin,
            addr,
            database_url,
            log,
            child: None,
            restarts: 0,
            cpu_of_ended: 0.0,
        }
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Starts `skillcert serve --addr <addr> --database-url <url>`, output appended to the log.
    pub fn spawn(&mut self) -> Result<()> {
        if self.child.is_some() {
            bail!("the server is already running");
        }
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .with_context(|| format!("opening {}", self.log.display()))?;
        let child = Command::new(&self.bin)
            .arg("serve")
            .arg("--addr")
            .arg(self.addr.to_string())
            .arg("--database-url")
            .arg(&self.database_url)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .spawn()
            .with_context(|| format!("starting {}", self.bin.display()))?;
        self.child = Some(child);
        Ok(())
    }

    /// Fails if the server process has exited.
    fn check_running(&mut self) -> Result<()> {
        if let Some(c) = self.child.as_mut()
            && let Some(status) = c.try_wait()?
        {
            self.child = None;
            bail!("the server exited ({status}); see {}", self.log.display());
        }
        Ok(())
    }

    /// CPU seconds used by every server process so far.
    pub fn cpu_seconds(&self) -> f64 {
        self.cpu_of_ended + cpu_seconds(self.pid()).unwrap_or(0.0)
    }

    /// SIGKILL (what `Child::kill` sends on Unix): no shutdown code runs.
    pub fn kill(&mut self) -> Result<()> {
        if let Some(mut c) = self.child.take() {
            self.cpu_of_ended += cpu_seconds(Some(c.id())).unwrap_or(0.0);
            c.kill().context("killing the server")?;
            c.wait()?;
        }
        Ok(())
    }

    /// Kills the server and starts it again on the same port and database.
    pub fn restart_after_kill(&mut self) -> Result<()> {
        self.kill()?;
        self.restarts += 1;
        self.spawn()
    }

    /// Asks the server to stop (SIGTERM through `kill`), SIGKILL after 15 s.
    pub fn stop(&mut self) -> Result<()> {
        let Some(c) = self.child.as_mut() else {
            return Ok(());
        };
        let pid = c.id();
        let cpu = cpu_seconds(Some(pid)).unwrap_or(0.0);
        let asked = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        let t = Instant::now();
        while asked && t.elapsed() < Duration::from_secs(15) {
            if c.try_wait()?.is_some() {
                self.child = None;
                self.cpu_of_ended += cpu;
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("the server did not stop on SIGTERM; killing it");
        self.kill()
    }
}

/// Waits until `GET /readyz` answers 200; fails if the process exits or `limit` passes.
pub async fn wait_ready(server: &RefCell<Server>, limit: Duration) -> Result<Duration> {
    let t = Instant::now();
    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(2))
        .build()?;
    let url = format!("http://{}/readyz", server.borrow().addr);
    loop {
        server.borrow_mut().check_running()?;
        if let Ok(r) = http.get(&url).send().await
            && r.status().is_success()
        {
            return Ok(t.elapsed());
        }
        if t.elapsed() > limit {
            bail!(
                "the server was not ready after {limit:?}; see {}",
                server.borrow().log.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Never leave a server behind, whatever happened.
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
