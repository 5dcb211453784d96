//! Peak memory of `ctrlhub interactions import --journal`: 10,000 rows beside 100,000
//! rows, in alternating order, in one run. What matters is how memory grows with the
//! file: (peak RSS at 100k − peak RSS at 10k) / 90,000 bytes a row, for each round.
//!
//! The import's peak RSS is the child process's own, from `wait4`. Linux carries the
//! spawning process's high-water mark into the child across `exec`, so this process stays
//! small: the fake runs as a process of its own (`ctrlhub fake`, one per import).
//!
//! `cargo bench -p ctrlhub-cli --bench memory` (release build; Linux). Figures: median
//! and spread of 5 rounds.

#[cfg(target_os = "linux")]
fn main() {
    linux::main();
}

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("the memory benchmark reads peak RSS through wait4, on Linux only");
}

#[cfg(target_os = "linux")]
mod linux {
    use std::io::Write;
    use std::path::Path;
    use std::time::Instant;

    use std::io::BufRead;
    use std::process::{Child, Command, Stdio};

    const ORG: &str = "3c90c3cc-0d44-4b50-8888-8dd25736052a";

    const SMALL: usize = 10_000;
    const LARGE: usize = 100_000;
    const ROUNDS: usize = 5;

    /// `rows` distinct calls as CSV, about 80 bytes a row.
    fn csv(path: &Path, rows: usize) {
        let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
        writeln!(out, "method,direction,date_time,contacted,notes").unwrap();
        for i in 0..rows {
            writeln!(
                out,
                "telephone,inbound,2026-02-01T10:{:02}:{:02}Z,true,Imported call {i} about the boiler",
                (i / 60) % 60,
                i % 60
            )
            .unwrap();
        }
    }

    /// A fake Ctrl Hub in a process of its own, and its base URL, once it listens.
    fn fake() -> (Child, String) {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut fake = Command::new(env!("CARGO_BIN_EXE_ctrlhub"))
            .args(["fake", "--port", &port.to_string(), "--org", ORG])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut first = String::new();
        std::io::BufReader::new(fake.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(first.contains("listening"), "{first}");
        (fake, format!("http://127.0.0.1:{port}"))
    }

    /// Runs an import of `file`; its exit code, the summary line, peak RSS (bytes) and
    /// seconds.
    #[expect(
        clippy::zombie_processes,
        reason = "waited for by wait4, for its rusage"
    )]
    fn import(base_url: &str, file: &Path, journal: &Path, log: &Path) -> (i32, String, u64, f64) {
        let started = Instant::now();
        let child = Command::new(env!("CARGO_BIN_EXE_ctrlhub"))
            .args(["interactions", "import"])
            .arg(file)
            .arg("--journal")
            .arg(journal)
            .args(["--concurrency", "32"])
            .env("CTRLHUB_BASE_URL", base_url)
            .env("CTRLHUB_ORG_ID", ORG)
            .env("CTRLHUB_SESSION_TOKEN", "fake-token")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .unwrap();
        let pid = i32::try_from(child.id()).unwrap();
        let mut status = 0;
        // SAFETY: a zeroed rusage is a valid value for wait4 to fill in.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `pid` is our child, not yet waited for; both pointers are valid.
        let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        assert_eq!(waited, pid);
        let code = if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            -1
        };
        // ru_maxrss is in KiB on Linux.
        let peak = u64::try_from(usage.ru_maxrss).unwrap() * 1024;
        let summary = std::fs::read_to_string(log)
            .unwrap()
            .lines()
            .find(|l| l.starts_with("import: "))
            .unwrap_or_default()
            .to_owned();
        (code, summary, peak, started.elapsed().as_secs_f64())
    }

    fn median_spread(mut values: Vec<f64>, digits: usize) -> String {
        values.sort_by(|a, b| a.partial_cmp(b).unwrap());
        format!(
            "{:.digits$} ({:.digits$}–{:.digits$})",
            values[values.len() / 2],
            values[0],
            values[values.len() - 1]
        )
    }

    pub fn main() {
        let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
        let small = dir.path().join("small.csv");
        let large = dir.path().join("large.csv");
        csv(&small, SMALL);
        csv(&large, LARGE);
        let (mut at_small, mut at_large, mut growth, mut rates) = (vec![], vec![], vec![], vec![]);
        for round in 0..ROUNDS {
            let order = if round % 2 == 0 {
                [(SMALL, &small), (LARGE, &large)]
            } else {
                [(LARGE, &large), (SMALL, &small)]
            };
            let mut peaks = [0u64; 2];
            for (rows, file) in order {
                let (mut fake, base_url) = fake();
                let journal = dir.path().join(format!("{rows}-{round}.journal"));
                let log = dir.path().join(format!("{rows}-{round}.log"));
                let (code, summary, peak, seconds) = import(&base_url, file, &journal, &log);
                let _ = fake.kill();
                let _ = fake.wait();
                assert_eq!(code, 0, "the import of {rows} rows failed: {summary}");
                assert!(
                    summary.starts_with(&format!("import: {rows} created, 0 already")),
                    "{summary}"
                );
                peaks[usize::from(rows == LARGE)] = peak;
                rates.push(rows as f64 / seconds);
                eprintln!(
                    "round {round}: {rows} rows, peak {:.1} MiB, {seconds:.1} s",
                    peak as f64 / 1048576.0
                );
            }
            at_small.push(peaks[0] as f64 / 1048576.0);
            at_large.push(peaks[1] as f64 / 1048576.0);
            growth.push((peaks[1] as f64 - peaks[0] as f64) / (LARGE - SMALL) as f64);
        }
        println!("import --journal, {ROUNDS} rounds, median (min–max):");
        println!(
            "  peak RSS at {SMALL} rows: {} MiB",
            median_spread(at_small, 1)
        );
        println!(
            "  peak RSS at {LARGE} rows: {} MiB",
            median_spread(at_large, 1)
        );
        println!("  growth: {} bytes a row", median_spread(growth, 0));
        println!("  rows a second: {}", median_spread(rates, 0));
    }
}
