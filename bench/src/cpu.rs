//! Client CPU time of the benchmark thread, read from `/proc` (no `unsafe`, no libc).
//!
//! The precise source is `/proc/thread-self/schedstat`, whose first field is the nanoseconds the
//! calling thread has spent on a CPU. The whole process's user+system time from `/proc/self/stat`
//! (clock ticks, 100 Hz) is read too, as a cross-check that no driver does work on other threads.
//! The server runs in separate processes, so its CPU is never counted here.

use std::fs;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::BenchError;

/// Clock ticks per second of `/proc/*/stat` times (`USER_HZ`, 100 on every Linux we run on).
const TICKS_PER_SECOND: u64 = 100;

/// A reading of both CPU clocks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CpuTime {
    /// Nanoseconds on CPU of the calling thread.
    pub(crate) thread_ns: u64,
    /// Nanoseconds of user+system time of the whole process (10 ms resolution).
    pub(crate) process_ns: u64,
}

impl CpuTime {
    /// Reads both clocks now.
    pub(crate) fn now() -> Result<CpuTime, BenchError> {
        Ok(CpuTime {
            thread_ns: thread_ns()?,
            process_ns: process_ns()?,
        })
    }
}

/// Nanoseconds another process (a server backend on this machine) has run, from
/// `/proc/<pid>/schedstat` (readable for any user's process).
pub(crate) fn process_ns_of(pid: u32) -> Result<u64, BenchError> {
    let path = "/proc/<backend pid>/schedstat";
    let text = fs::read_to_string(format!("/proc/{pid}/schedstat"))
        .map_err(|source| BenchError::Proc { path, source })?;
    parse_schedstat(&text).ok_or(BenchError::ProcFormat { path })
}

/// Whether "thread" CPU means every thread of the process (multi-threaded runtime).
static ALL_THREADS: AtomicBool = AtomicBool::new(false);

/// From now on, count the CPU of every thread of the process, not just the caller's.
pub(crate) fn count_all_threads() {
    ALL_THREADS.store(true, Ordering::Relaxed);
}

/// Nanoseconds the calling thread (or, after [`count_all_threads`], every thread) has run.
fn thread_ns() -> Result<u64, BenchError> {
    if ALL_THREADS.load(Ordering::Relaxed) {
        return all_threads_ns();
    }
    let path = "/proc/thread-self/schedstat";
    let text = fs::read_to_string(path).map_err(|source| BenchError::Proc { path, source })?;
    parse_schedstat(&text).ok_or(BenchError::ProcFormat { path })
}

/// Nanoseconds every thread of the process has run, summed over `/proc/self/task/*/schedstat`.
fn all_threads_ns() -> Result<u64, BenchError> {
    let path = "/proc/self/task";
    let mut total = 0u64;
    for entry in fs::read_dir(path).map_err(|source| BenchError::Proc { path, source })? {
        let entry = entry.map_err(|source| BenchError::Proc { path, source })?;
        // A thread may exit between listing and reading: skip it.
        if let Ok(text) = fs::read_to_string(entry.path().join("schedstat")) {
            total += parse_schedstat(&text).ok_or(BenchError::ProcFormat { path })?;
        }
    }
    Ok(total)
}

/// Nanoseconds of user+system time of the process, from `/proc/self/stat`.
fn process_ns() -> Result<u64, BenchError> {
    let path = "/proc/self/stat";
    let text = fs::read_to_string(path).map_err(|source| BenchError::Proc { path, source })?;
    let ticks = parse_stat_ticks(&text).ok_or(BenchError::ProcFormat { path })?;
    Ok(ticks.saturating_mul(1_000_000_000 / TICKS_PER_SECOND))
}

/// The first field of a schedstat line: time on CPU in ns.
fn parse_schedstat(text: &str) -> Option<u64> {
    text.split_whitespace().next()?.parse().ok()
}

/// utime + stime (fields 14 and 15) of a `stat` line. The command name (field 2) is in
/// parentheses and may hold spaces, so fields are counted after the last `)`.
fn parse_stat_ticks(text: &str) -> Option<u64> {
    let after = text.get(text.rfind(')')? + 1..)?;
    let mut fields = after.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedstat_first_field() {
        assert_eq!(parse_schedstat("123456 789 10\n"), Some(123_456));
        assert_eq!(parse_schedstat(""), None);
    }

    #[test]
    fn stat_utime_stime_after_comm_with_spaces() {
        let line = "42 (my (odd) cmd) S 1 42 42 0 -1 4194304 100 0 0 0 7 3 0 0 20 0 1 0 5 0 0";
        assert_eq!(parse_stat_ticks(line), Some(10));
    }

    #[test]
    fn clocks_are_readable_and_move() {
        let a = CpuTime::now().unwrap();
        let mut x = 0u64;
        for i in 0..2_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        std::hint::black_box(x);
        let b = CpuTime::now().unwrap();
        assert!(b.thread_ns > a.thread_ns);
    }
}
