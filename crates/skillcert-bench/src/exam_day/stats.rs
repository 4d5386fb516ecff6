//! Latency percentiles and CPU time samples.

use std::time::Duration;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

/// A JSON object that keeps its keys in the order they were added (serde_json's own map
/// sorts them, and its `preserve_order` feature would change the whole workspace).
#[derive(Debug, Default)]
pub struct Obj(Vec<(&'static str, Node)>);

#[derive(Debug)]
pub enum Node {
    V(Value),
    O(Obj),
}

impl Obj {
    pub fn new() -> Obj {
        Obj::default()
    }

    /// Adds a plain value.
    pub fn v(mut self, key: &'static str, value: impl Into<Value>) -> Obj {
        self.0.push((key, Node::V(value.into())));
        self
    }

    /// Adds a node.
    pub fn n(mut self, key: &'static str, value: Node) -> Obj {
        self.0.push((key, value));
        self
    }

    /// Adds a nested object.
    pub fn o(mut self, key: &'static str, value: Obj) -> Obj {
        self.0.push((key, Node::O(value)));
        self
    }
}

impl Serialize for Obj {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::V(v) => v.serialize(s),
            Node::O(o) => o.serialize(s),
        }
    }
}

/// Latencies in microseconds, collected per task and merged at the end.
#[derive(Debug, Default, Clone)]
pub struct Lat(pub Vec<u32>);

impl Lat {
    pub fn push(&mut self, d: Duration) {
        self.0
            .push(u32::try_from(d.as_micros()).unwrap_or(u32::MAX));
    }

    pub fn extend(&mut self, other: Lat) {
        self.0.extend(other.0);
    }

    /// `{p50_ms, p95_ms, p99_ms, max_ms, n}` (nulls when empty).
    pub fn summary(&mut self) -> Obj {
        self.0.sort_unstable();
        let v = &self.0;
        let pick = |p: f64| -> Value {
            if v.is_empty() {
                return Value::Null;
            }
            let idx = ((v.len() as f64 - 1.0) * p).round() as usize;
            ms(v[idx.min(v.len() - 1)]).into()
        };
        Obj::new()
            .v("p50_ms", pick(0.50))
            .v("p95_ms", pick(0.95))
            .v("p99_ms", pick(0.99))
            .v("max_ms", pick(1.0))
            .v("n", v.len())
    }
}

fn ms(us: u32) -> f64 {
    round(f64::from(us) / 1000.0, 2)
}

pub fn round(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

/// User + system CPU seconds a process has used so far, from `/proc/<pid>/stat` (Linux;
/// `None` elsewhere). Clock ticks are taken as 100 per second, the Linux value.
pub fn cpu_seconds(pid: Option<u32>) -> Option<f64> {
    let path = match pid {
        Some(p) => format!("/proc/{p}/stat"),
        None => "/proc/self/stat".to_string(),
    };
    let stat = std::fs::read_to_string(path).ok()?;
    // Fields after the command name (which may hold spaces) start with the state (field 3).
    let rest = &stat[stat.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
