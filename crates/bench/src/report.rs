//! The table: one row per figure, each beside its target from issue 6 and whether it is met;
//! the machine it ran on; and writing both into `docs/PERFORMANCE.md` between markers.

use crate::server::Backend;
use crate::BenchError;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

/// What a row measures (declared in the table's order); the smoke test checks that every
/// expected one is present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RowKind {
    Health,
    ListWithCounts,
    ListWithoutCounts,
    ListPage400,
    MessageCreation,
    MessageWithPicture,
    HubUnderLoad,
    CableFirst,
    CableAll,
    CableAcrossFirst,
    CableAcrossAll,
    RssIdle,
    RssPeak,
    Startup,
}

impl RowKind {
    /// The rows a complete run on `backend` has (two instances only on PostgreSQL).
    pub fn expected(backend: Backend) -> Vec<RowKind> {
        use RowKind::*;
        let mut kinds = vec![
            Health,
            ListWithCounts,
            ListWithoutCounts,
            ListPage400,
            MessageCreation,
            MessageWithPicture,
            HubUnderLoad,
            CableFirst,
            CableAll,
        ];
        if backend == Backend::Postgres {
            kinds.extend([CableAcrossFirst, CableAcrossAll]);
        }
        kinds.extend([RssIdle, RssPeak, Startup]);
        kinds
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Figure {
    /// Requests (or messages) per second under load, with their latencies.
    Rate {
        per_second: f64,
        unit: &'static str,
        p50: Duration,
        p99: Duration,
        /// Requests/s as a share of `/health`'s on the same server.
        vs_health: f64,
    },
    Latency {
        p50: Duration,
        p99: Duration,
    },
    Megabytes(f64),
    Time(Duration),
    /// Sockets held open while messages are created flat out: the rate reached, the `resync`
    /// frames they got, the `message.created` frames that never came, and how long after the
    /// last answered POST the last frame arrived.
    Hub {
        per_second: f64,
        resyncs: usize,
        missed: usize,
        drain: Duration,
    },
}

impl Figure {
    /// Whether every number in the figure is positive and finite (a sane measurement).
    pub fn is_sane(&self) -> bool {
        let positive = |x: f64| x.is_finite() && x > 0.0;
        match *self {
            Figure::Rate {
                per_second,
                p50,
                p99,
                vs_health,
                ..
            } => positive(per_second) && !p50.is_zero() && p99 >= p50 && positive(vs_health),
            Figure::Latency { p50, p99 } => !p50.is_zero() && p99 >= p50,
            Figure::Megabytes(mb) => positive(mb),
            Figure::Time(t) => !t.is_zero(),
            Figure::Hub { per_second, .. } => positive(per_second),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Met,
    NotMet,
    /// The figure is a reference (the `/health` ceiling; a target set for SQLite only).
    NoTarget,
}

impl Verdict {
    pub fn of(met: bool) -> Self {
        if met {
            Verdict::Met
        } else {
            Verdict::NotMet
        }
    }
}

#[derive(Debug, Clone)]
pub struct Row {
    pub backend: Backend,
    pub kind: RowKind,
    pub what: String,
    pub figure: Figure,
    pub target: String,
    pub verdict: Verdict,
}

/// The machine and the moment a run describes.
#[derive(Debug, Clone)]
pub struct Machine {
    pub cores: usize,
    pub model: String,
    pub ram_gib: f64,
    pub date: String,
    pub commit: String,
    pub load_before: String,
    pub load_after: String,
    pub command: String,
}

impl Machine {
    /// Reads `/proc` and git; `command` is the command line to print as the way to reproduce.
    pub fn describe(command: String, load_before: String) -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let model = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .and_then(|rest| rest.split_once(':'))
            .map(|(_, name)| name.trim().to_owned())
            .unwrap_or_else(|| "unknown CPU".into());
        let ram_gib = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| {
                m.lines()
                    .find_map(|l| l.strip_prefix("MemTotal:"))
                    .and_then(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
            })
            .map_or(0.0, |kb| kb / 1024.0 / 1024.0);
        let date = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        Self {
            cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
            model,
            ram_gib,
            date,
            commit: commit(),
            load_before,
            load_after: load_average(),
            command,
        }
    }
}

/// `/proc/loadavg`'s three averages.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// The checked-out commit, marked `+changes` when the work tree differs from it.
fn commit() -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    match git(&["rev-parse", "--short", "HEAD"]) {
        Some(head) => match git(&["status", "--porcelain", "--untracked-files=no"]) {
            Some(changes) if !changes.is_empty() => format!("{head}+changes"),
            _ => head,
        },
        None => "unknown".into(),
    }
}

/// A complete run: its rows and the machine.
#[derive(Debug, Clone)]
pub struct Report {
    pub rows: Vec<Row>,
    pub machine: Machine,
    /// Free-form lines printed under the table (seed time, database sizes).
    pub notes: Vec<String>,
}

impl Report {
    /// Fails unless every row `backends` should have is present with a sane figure.
    pub fn require_complete(&self, backends: &[Backend]) -> Result<(), BenchError> {
        for &backend in backends {
            for kind in RowKind::expected(backend) {
                let row = self
                    .rows
                    .iter()
                    .find(|r| r.backend == backend && r.kind == kind)
                    .ok_or_else(|| {
                        BenchError::Incomplete(format!("no {kind:?} row for {}", backend.name()))
                    })?;
                if !row.figure.is_sane() {
                    return Err(BenchError::Incomplete(format!(
                        "{} {}: {:?}",
                        backend.name(),
                        row.what,
                        row.figure
                    )));
                }
            }
        }
        Ok(())
    }

    /// The Markdown table.
    pub fn table(&self) -> String {
        let mut out = String::from(
            "| backend | measurement | result | p50 | p99 | vs /health | target | met |\n\
             |---|---|---|---|---|---|---|---|\n",
        );
        for row in &self.rows {
            let (result, p50, p99, ratio) = match row.figure {
                Figure::Rate {
                    per_second,
                    unit,
                    p50,
                    p99,
                    vs_health,
                } => (
                    format!("{} {unit}", thousands(per_second)),
                    ms(p50),
                    ms(p99),
                    format!("{vs_health:.2}"),
                ),
                Figure::Latency { p50, p99 } => ("—".into(), ms(p50), ms(p99), "—".into()),
                Figure::Megabytes(mb) => {
                    (format!("{mb:.1} MB"), "—".into(), "—".into(), "—".into())
                }
                Figure::Time(t) => (ms(t), "—".into(), "—".into(), "—".into()),
                Figure::Hub {
                    per_second,
                    resyncs,
                    missed,
                    drain,
                } => (
                    format!(
                        "{} msg/s; {resyncs} resyncs, {missed} frames missed, all delivered {} after the last POST",
                        thousands(per_second),
                        ms(drain)
                    ),
                    "—".into(),
                    "—".into(),
                    "—".into(),
                ),
            };
            let met = match row.verdict {
                Verdict::Met => "met",
                Verdict::NotMet => "**not met**",
                Verdict::NoTarget => "—",
            };
            let _ = writeln!(
                out,
                "| {} | {} | {result} | {p50} | {p99} | {ratio} | {} | {met} |",
                row.backend.name(),
                row.what,
                row.target
            );
        }
        out
    }

    /// The machine lines, the table and the notes, as written into `docs/PERFORMANCE.md`.
    pub fn markdown(&self) -> String {
        let m = &self.machine;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Measured {} on {} cores ({}), {:.0} GiB RAM, commit `{}`; load average {} before \
             the run and {} after.\n\nCommand: `{}`\n",
            m.date, m.cores, m.model, m.ram_gib, m.commit, m.load_before, m.load_after, m.command
        );
        out.push_str(&self.table());
        if !self.notes.is_empty() {
            out.push('\n');
            for note in &self.notes {
                let _ = writeln!(out, "- {note}");
            }
        }
        out
    }
}

pub const BEGIN_MARKER: &str =
    "<!-- bench:begin (written by `bench all`; edits inside are replaced) -->";
pub const END_MARKER: &str = "<!-- bench:end -->";

/// Replaces what lies between the markers in `path` with `content` (appending a section with
/// the markers when the file has none).
pub fn write_between_markers(path: &Path, content: &str) -> Result<(), BenchError> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let block = format!("{BEGIN_MARKER}\n{content}{END_MARKER}");
    let updated = match (text.find(BEGIN_MARKER), text.find(END_MARKER)) {
        (Some(begin), Some(end)) if begin < end => format!(
            "{}{block}{}",
            &text[..begin],
            &text[end + END_MARKER.len()..]
        ),
        _ => format!("{}\n## Latest harness run\n\n{block}\n", text.trim_end()),
    };
    std::fs::write(path, updated)?;
    Ok(())
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// `12345.6` as `12,346`.
fn thousands(x: f64) -> String {
    let digits = format!("{:.0}", x.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_the_table_prints_them() {
        assert_eq!(thousands(1234567.4), "1,234,567");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(ms(Duration::from_micros(1500)), "1.50 ms");
        assert_eq!(ms(Duration::from_millis(81)), "81 ms");
    }

    #[test]
    fn the_block_between_markers_is_replaced_and_the_rest_kept() {
        let path = std::env::temp_dir().join(format!("bench-markers-{}.md", std::process::id()));
        std::fs::write(&path, "# Title\n\nintro\n").unwrap();
        write_between_markers(&path, "first\n").unwrap();
        write_between_markers(&path, "second\n").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert!(text.starts_with("# Title\n\nintro\n"));
        assert!(text.contains("second\n") && !text.contains("first\n"));
        assert_eq!(text.matches(BEGIN_MARKER).count(), 1);
    }

    #[test]
    fn a_zero_figure_is_not_sane() {
        assert!(!Figure::Megabytes(0.0).is_sane());
        assert!(!Figure::Latency {
            p50: Duration::ZERO,
            p99: Duration::ZERO
        }
        .is_sane());
        assert!(Figure::Time(Duration::from_millis(3)).is_sane());
    }
}
