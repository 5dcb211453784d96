//! Output for people (a table) and for scripts (JSON, JSON lines, CSV).

use std::io::{self, IsTerminal, Write};

use clap::ValueEnum;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

/// A progress bar on stderr with counts, a whole-number rate and (when `total` is known)
/// the remaining time; hidden when stderr is not a terminal. It becomes the bar the
/// client's waits are shown on ([`show_wait`]) until the next one is made.
pub fn progress(total: Option<u64>, unit: &str) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    let target = if io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(total, target);
    if let Ok(style) = ProgressStyle::with_template(&bar_template(total.is_some(), unit)) {
        bar.set_style(style.with_key(
            "rate",
            |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str(&whole_rate(state.per_sec()));
            },
        ));
    }
    *current_bar() = Some(bar.clone());
    bar
}

/// The bar's template: the rate is `{rate}`, whole numbers (indicatif's `{per_sec}` shows
/// four decimals).
fn bar_template(known_total: bool, unit: &str) -> String {
    if known_total {
        format!("{{bar:30}} {{pos}}/{{len}} {unit}, {{rate}}, {{elapsed}} (ETA {{eta}}) {{msg}}")
    } else {
        format!("{{spinner}} {{pos}} {unit}, {{rate}}, {{elapsed}} {{msg}}")
    }
}

/// A rate as a whole number a second, with thousands separated: `3,115/s`.
pub fn whole_rate(per_second: f64) -> String {
    let whole = if per_second.is_finite() && per_second > 0.0 {
        // Rounded and bounded, so the cast cannot truncate or wrap.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let rounded = per_second.round().min(1e15) as u64;
        rounded
    } else {
        0
    };
    let digits = whole.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 2);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped.push_str("/s");
    grouped
}

/// The bar waits are shown on: the last one [`progress`] made.
fn current_bar() -> std::sync::MutexGuard<'static, Option<indicatif::ProgressBar>> {
    static CURRENT: std::sync::Mutex<Option<indicatif::ProgressBar>> = std::sync::Mutex::new(None);
    CURRENT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Shows what a request waits for on the current bar, until it moves again
/// ([`advanced`]). The client's `on_wait` observer.
pub fn show_wait(wait: &ctrlhub::Wait) {
    show_waiting(&wait.to_string());
}

fn show_waiting(what: &str) {
    if let Some(bar) = current_bar().as_ref() {
        bar.set_message(format!("· {what}"));
        WAITING.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Whether the current bar shows a wait.
static WAITING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Moves `bar` on by `n`, clearing a wait it showed: the request answered.
pub fn advanced(bar: &indicatif::ProgressBar, n: u64) {
    bar.inc(n);
    if WAITING.swap(false, std::sync::atomic::Ordering::Relaxed) {
        bar.set_message("");
    }
}

/// How records are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns, for a person at a terminal.
    Table,
    /// One JSON array (or one object, for a single record).
    Json,
    /// One JSON object a line.
    Jsonl,
    /// CSV with a header row; columns are the documented attribute and relationship names.
    Csv,
}

impl Format {
    /// The format asked for, or by default a table on a terminal and JSON lines otherwise.
    pub fn resolve(asked: Option<Format>) -> Format {
        asked.unwrap_or(if io::stdout().is_terminal() {
            Format::Table
        } else {
            Format::Jsonl
        })
    }
}

/// One record: named fields in a fixed order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record(pub Vec<(String, Value)>);

impl Record {
    pub fn push(&mut self, name: impl Into<String>, value: impl Into<Value>) {
        self.0.push((name.into(), value.into()));
    }

    fn names(&self) -> Vec<&str> {
        self.0.iter().map(|(n, _)| n.as_str()).collect()
    }
}

impl Serialize for Record {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// A value as one CSV or table cell: text as it is, nothing as empty, a list joined with `;`.
pub fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join(";"),
        other => other.to_string(),
    }
}

/// Writes records one at a time in a format (a table waits for all of them, to size its
/// columns).
pub struct Writer<W: Write> {
    out: W,
    format: Format,
    count: usize,
    table: Vec<Record>,
    single: bool,
    quiet_when_empty: bool,
}

impl<W: Write> Writer<W> {
    /// `single`: the output is one record (a `get`), written as an object, not a list.
    pub fn new(out: W, format: Format, single: bool) -> Self {
        Writer {
            out,
            format,
            count: 0,
            table: Vec::new(),
            single,
            quiet_when_empty: false,
        }
    }

    /// Writes nothing at all when there is nothing to write (no `(none)`, no `[]`).
    pub fn quiet_when_empty(mut self) -> Self {
        self.quiet_when_empty = true;
        self
    }

    pub fn write(&mut self, record: &Record) -> io::Result<()> {
        match self.format {
            Format::Jsonl => {
                serde_json::to_writer(&mut self.out, record)?;
                self.out.write_all(b"\n")?;
            }
            Format::Json if self.single => {
                serde_json::to_writer_pretty(&mut self.out, record)?;
                self.out.write_all(b"\n")?;
            }
            Format::Json => {
                self.out
                    .write_all(if self.count == 0 { b"[\n" } else { b",\n" })?;
                serde_json::to_writer(&mut self.out, record)?;
            }
            Format::Csv => {
                // Each row is quoted into a buffer, then written out as it comes.
                let mut csv = csv::Writer::from_writer(Vec::new());
                if self.count == 0 {
                    csv.write_record(record.names())?;
                }
                csv.write_record(record.0.iter().map(|(_, v)| cell(v)))?;
                let row = csv.into_inner().map_err(|e| e.into_error())?;
                self.out.write_all(&row)?;
            }
            Format::Table => self.table.push(record.clone()),
        }
        self.count += 1;
        Ok(())
    }

    /// Ends the output (closes a JSON array, lays out a table) and flushes it.
    pub fn finish(mut self) -> io::Result<()> {
        if self.count == 0 && self.quiet_when_empty {
            return self.out.flush();
        }
        match self.format {
            Format::Json if !self.single => {
                self.out
                    .write_all(if self.count == 0 { b"[]\n" } else { b"\n]\n" })?;
            }
            Format::Table => {
                let records = std::mem::take(&mut self.table);
                write_table(&mut self.out, &records, self.single)?;
            }
            _ => {}
        }
        self.out.flush()
    }
}

const MAX_CELL: usize = 40;

/// Columns a table of many records leaves out: who and when of the bookkeeping.
const TABLE_LEAVES_OUT: &[&str] = &[
    "author",
    "organisation",
    "created_at",
    "updated_at",
    "modified_at",
];

fn short(value: &Value) -> String {
    let text: String = cell(value)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().count() > MAX_CELL {
        let mut cut: String = text.chars().take(MAX_CELL - 1).collect();
        cut.push('…');
        cut
    } else {
        text
    }
}

fn write_table(out: &mut impl Write, records: &[Record], single: bool) -> io::Result<()> {
    if single {
        // One record: a field a line.
        for record in records {
            let width = record.0.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
            for (name, value) in &record.0 {
                writeln!(out, "{name:width$}  {}", cell(value).replace('\n', " "))?;
            }
        }
        return Ok(());
    }
    let Some(first) = records.first() else {
        return writeln!(out, "(none)");
    };
    // For a person: the bookkeeping columns and the columns empty in every row are left
    // out (the other formats keep every column).
    let keep: Vec<usize> = first
        .0
        .iter()
        .enumerate()
        .filter(|(i, (name, _))| {
            !TABLE_LEAVES_OUT.contains(&name.as_str())
                && records
                    .iter()
                    .any(|r| r.0.get(*i).is_some_and(|(_, v)| !cell(v).is_empty()))
        })
        .map(|(i, _)| i)
        .collect();
    let names: Vec<&str> = keep.iter().map(|i| first.0[*i].0.as_str()).collect();
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| {
            keep.iter()
                .map(|i| r.0.get(*i).map_or_else(String::new, |(_, v)| short(v)))
                .collect()
        })
        .collect();
    let widths: Vec<usize> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            rows.iter()
                .map(|row| row.get(i).map_or(0, |c| c.chars().count()))
                .max()
                .unwrap_or(0)
                .max(name.len())
        })
        .collect();
    let line = |cells: Vec<&str>| -> String {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}", w = *w))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    writeln!(out, "{}", line(names.clone()))?;
    for row in &rows {
        writeln!(out, "{}", line(row.iter().map(String::as_str).collect()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_whole_numbers_with_thousands_separated() {
        assert_eq!(whole_rate(3_115.348_9), "3,115/s");
        assert_eq!(whole_rate(999.5), "1,000/s");
        assert_eq!(whole_rate(12.4), "12/s");
        assert_eq!(whole_rate(1_234_567.0), "1,234,567/s");
        assert_eq!(whole_rate(100_000.0), "100,000/s");
        assert_eq!(whole_rate(0.0), "0/s");
        assert_eq!(whole_rate(f64::NAN), "0/s");
        assert_eq!(whole_rate(-3.0), "0/s");
        assert_eq!(whole_rate(f64::INFINITY), "0/s");
    }

    #[test]
    fn the_bar_shows_the_whole_rate_never_indicatifs_own() {
        for known in [true, false] {
            let template = bar_template(known, "rows");
            assert!(template.contains("rows, {rate},"), "{template}");
            assert!(!template.contains("per_sec"), "{template}");
            assert_eq!(template.contains("{len}"), known, "{template}");
        }
    }

    #[test]
    fn a_wait_shows_on_the_current_bar_until_it_moves() {
        let bar = progress(Some(10), "rows");
        show_waiting("list: no answer yet after 5 s (attempt 1 of 3)");
        assert_eq!(
            bar.message(),
            "· list: no answer yet after 5 s (attempt 1 of 3)"
        );
        advanced(&bar, 1);
        assert_eq!(bar.message(), "");
        assert_eq!(bar.position(), 1);
        // Moving on without a wait leaves the message alone.
        bar.set_message("kept");
        advanced(&bar, 1);
        assert_eq!(bar.message(), "kept");
    }
    use serde_json::json;

    fn record(pairs: &[(&str, Value)]) -> Record {
        Record(
            pairs
                .iter()
                .map(|(n, v)| (n.to_string(), v.clone()))
                .collect(),
        )
    }

    fn written(format: Format, single: bool, records: &[Record]) -> String {
        let mut buffer = Vec::new();
        let mut writer = Writer::new(&mut buffer, format, single);
        for r in records {
            writer.write(r).unwrap();
        }
        writer.finish().unwrap();
        String::from_utf8(buffer).unwrap()
    }

    #[test]
    fn cells_are_text() {
        assert_eq!(cell(&Value::Null), "");
        assert_eq!(cell(&json!("a")), "a");
        assert_eq!(cell(&json!(true)), "true");
        assert_eq!(cell(&json!(12)), "12");
        assert_eq!(cell(&json!(["a", "b"])), "a;b");
    }

    #[test]
    fn each_format_writes_the_fields_in_order() {
        let rows = [
            record(&[
                ("id", json!("1")),
                ("notes", json!("a, \"b\"")),
                ("n", Value::Null),
            ]),
            record(&[
                ("id", json!("2")),
                ("notes", json!("c")),
                ("n", json!(true)),
            ]),
        ];
        assert_eq!(
            written(Format::Jsonl, false, &rows),
            "{\"id\":\"1\",\"notes\":\"a, \\\"b\\\"\",\"n\":null}\n{\"id\":\"2\",\"notes\":\"c\",\"n\":true}\n"
        );
        assert_eq!(
            written(Format::Csv, false, &rows),
            "id,notes,n\n1,\"a, \"\"b\"\"\",\n2,c,true\n"
        );
        let json: Value = serde_json::from_str(&written(Format::Json, false, &rows)).unwrap();
        assert_eq!(json[1]["notes"], "c");
        assert_eq!(written(Format::Json, false, &[]), "[]\n");
        let one: Value = serde_json::from_str(&written(Format::Json, true, &rows[..1])).unwrap();
        assert_eq!(one["id"], "1");
    }

    #[test]
    fn a_table_leaves_out_bookkeeping_and_empty_columns_and_shortens_long_cells() {
        let long = "x".repeat(60);
        let rows = [
            record(&[
                ("id", json!("1")),
                ("author", json!("a")),
                ("empty", Value::Null),
                ("notes", json!(long)),
            ]),
            record(&[
                ("id", json!("22")),
                ("author", json!("b")),
                ("empty", json!("")),
                ("notes", json!("line\nbreak")),
            ]),
        ];
        let table = written(Format::Table, false, &rows);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines[0], "id  notes");
        assert_eq!(lines[1], format!("1   {}…", "x".repeat(39)));
        assert_eq!(lines[2], "22  line break");
        // Exactly the widest a cell may be: kept whole.
        let forty = "y".repeat(MAX_CELL);
        assert_eq!(short(&json!(forty)), forty);
        assert_eq!(written(Format::Table, false, &[]), "(none)\n");
        let mut buffer = Vec::new();
        Writer::new(&mut buffer, Format::Json, false)
            .quiet_when_empty()
            .finish()
            .unwrap();
        assert!(buffer.is_empty());
        let single = written(Format::Table, true, &rows[1..]);
        assert_eq!(
            single,
            "id      22\nauthor  b\nempty   \nnotes   line break\n"
        );
    }
}
