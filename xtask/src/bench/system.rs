//! What the bench reads from and runs on the system: files and trees of files, quiet child
//! processes, and the machine's description, load and date.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use serde_json::{Value, json};

use super::timing::Figure;

/// The first `tool` on `PATH`.
pub(super) fn which(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(tool))
            .find(|p| p.is_file())
    })
}

/// Runs `cmd` with its output captured; the error carries the end of its stderr.
pub(super) fn run_quiet(cmd: &mut Command) -> Figure<()> {
    run_stdout(cmd).map(drop)
}

/// Runs `cmd` with its output captured and returns its stdout; the error carries the end of
/// its stderr.
pub(super) fn run_stdout(cmd: &mut Command) -> Figure<Vec<u8>> {
    let output = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("starting {:?}: {e}", cmd.get_program()))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        let mut err = tail(&output.stderr, 4);
        if err.is_empty() {
            err = tail(&output.stdout, 4);
        }
        Err(format!("exited with {}: {err}", output.status))
    }
}

/// The last `lines` non-empty lines of `bytes`, joined by ` / `.
pub(super) fn tail(bytes: &[u8], lines: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let all: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    all[all.len().saturating_sub(lines)..].join(" / ")
}

/// Removes `dir` and everything under it; a missing `dir` is fine.
pub(super) fn remove_dir(dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("removing {}", dir.display()))
        }
        _ => Ok(()),
    }
}

/// Every file under `dir`, as (relative path, contents), sorted.
pub(super) fn read_tree(dir: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap_or(&path).to_owned();
                out.push((rel, std::fs::read(&path)?));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// How many files there are under `dir`, and their total size in bytes.
pub(super) fn tree_size(dir: &Path) -> Result<(usize, u64)> {
    let files = read_tree(dir)?;
    Ok((files.len(), files.iter().map(|(_, c)| c.len() as u64).sum()))
}

/// Lines of every `.rs` file under `dir`.
pub(super) fn count_lines(dir: &Path) -> Result<usize> {
    Ok(read_tree(dir)?
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "rs"))
        .map(|(_, c)| c.iter().filter(|b| **b == b'\n').count())
        .sum())
}

/// Cores, CPU model, memory, OS and the load average now, for the report.
pub(super) fn machine() -> Value {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|l| l.trim_start_matches([' ', '\t', ':']).trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or_else(
            || "unknown memory".into(),
            |kib| format!("{:.0} GiB", kib / 1024.0 / 1024.0),
        );
    json!({"cores": cores, "cpu": cpu, "memory": memory, "os": std::env::consts::OS, "load_average_at_end": load_average()})
}

/// The 1-minute load average: other work on the machine makes every figure slower.
pub(super) fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Today's date (UTC), as YYYY-MM-DD.
pub(super) fn today() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // Howard Hinnant's civil_from_days.
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_a_date() {
        let date = today();
        assert_eq!(date.len(), 10, "{date}");
        assert!(date.starts_with("20"), "{date}");
        assert_eq!((&date[4..5], &date[7..8]), ("-", "-"), "{date}");
    }

    #[test]
    fn tail_keeps_the_last_non_empty_lines() {
        assert_eq!(tail(b"a\n\nb\nc\n  \n", 2), "b / c");
    }
}
