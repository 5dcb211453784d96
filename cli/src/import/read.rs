//! Reading an import file one row at a time, whatever its size: CSV and JSON lines as
//! streams, a JSON array element by element. Only the row being read is held.

use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::InputFormat;
use crate::exit::Failure;
use crate::records::{EXTRA, IMPORTED_COLUMNS, INTERACTION_COLUMNS, Row, RowError, columns_of};

/// A row as read: the row, or why it cannot be read (one malformed row; the rest are
/// still read).
pub type ReadRow = Result<Row, RowError>;

/// The rows of an import file, read as they are asked for. A failure that spoils the rest
/// of the file (it cannot be read, a JSON array breaks off) is the last item.
pub struct Rows {
    inner: Box<dyn Iterator<Item = Result<ReadRow, Failure>> + Send>,
}

impl Iterator for Rows {
    type Item = Result<ReadRow, Failure>;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next()
    }
}

/// The format `file` is read in: the one asked for, or its extension's (CSV otherwise).
pub fn format_of(file: &Path, asked: Option<InputFormat>) -> InputFormat {
    asked.unwrap_or_else(|| {
        match file
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_lowercase)
        {
            Some(ext) if ext == "jsonl" || ext == "ndjson" => InputFormat::Jsonl,
            Some(ext) if ext == "json" => InputFormat::Json,
            _ => InputFormat::Csv,
        }
    })
}

/// An import file opened for sending, and how many rows it has when that is known.
pub struct Opened {
    pub rows: Rows,
    /// The rows (malformed ones included) the check found; `None` for a pipe.
    pub total: Option<u64>,
}

/// Opens `file` to read its rows, reading blocking. A regular file is first read whole
/// through the same handle, holding nothing, to check it before anything is sent (a file
/// that breaks off sends nothing); then it is read again from the start, up to the length
/// it had when checked, so that rows appended since are not sent. A pipe can be read
/// only once: it is read as it is sent. A CSV header is checked here.
pub fn open(file: &Path, format: Option<InputFormat>) -> Result<Opened, Failure> {
    let io = |e: std::io::Error| Failure::local(format!("could not read {}: {e}", file.display()));
    let mut input = std::fs::File::open(file).map_err(io)?;
    let format = format_of(file, format);
    let metadata = input.metadata().map_err(io)?;
    let buffered =
        |input: std::fs::File, length: u64| BufReader::with_capacity(64 * 1024, input.take(length));
    if !metadata.is_file() {
        let rows = from_reader(format, buffered(input, u64::MAX), file)?;
        return Ok(Opened { rows, total: None });
    }
    let length = metadata.len();
    let mut total = 0;
    for row in from_reader(
        format,
        buffered(input.try_clone().map_err(io)?, length),
        file,
    )? {
        let _row: ReadRow = row?;
        total += 1;
    }
    input.seek(SeekFrom::Start(0)).map_err(io)?;
    let rows = from_reader(format, buffered(input, length), file)?;
    Ok(Opened {
        rows,
        total: Some(total),
    })
}

/// The rows of `input`, named `file` in messages.
pub fn from_reader(
    format: InputFormat,
    input: impl BufRead + Send + 'static,
    file: &Path,
) -> Result<Rows, Failure> {
    let inner: Box<dyn Iterator<Item = Result<ReadRow, Failure>> + Send> = match format {
        InputFormat::Csv => Box::new(CsvRows::new(input, file)?),
        InputFormat::Jsonl => Box::new(JsonLines {
            lines: input.lines(),
            line: 0,
            file: file.to_owned(),
            done: false,
        }),
        InputFormat::Json => Box::new(JsonArray::new(input, file)),
    };
    Ok(Rows { inner })
}

/// CSV rows after a header of column names.
struct CsvRows<R> {
    reader: csv::Reader<R>,
    file: PathBuf,
    positions: Vec<Option<usize>>,
    record: csv::ByteRecord,
    done: bool,
}

impl<R: Read> CsvRows<R> {
    fn new(input: R, file: &Path) -> Result<Self, Failure> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(input);
        let header: Vec<String> = reader
            .byte_headers()
            .map_err(|e| Failure::invalid(format!("{}: line 1: {e}", file.display())))?
            .iter()
            .map(|h| String::from_utf8_lossy(h).trim().to_owned())
            .collect();
        let positions = columns_of(&header)
            .map_err(|e| Failure::invalid(format!("{}: line 1: {e}", file.display())))?;
        Ok(CsvRows {
            reader,
            file: file.to_owned(),
            positions,
            record: csv::ByteRecord::new(),
            done: false,
        })
    }
}

impl<R: Read> Iterator for CsvRows<R> {
    type Item = Result<ReadRow, Failure>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let line = self.reader.position().line();
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => None,
            Ok(true) => {
                let line = self.record.position().map_or(line, |p| p.line());
                Some(Ok(csv_row(&self.record, &self.positions, line)))
            }
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line());
                if let csv::ErrorKind::Io(io) = e.kind() {
                    // A read that failed ends the file: the rows after it are not known.
                    self.done = true;
                    return Some(Err(Failure::local(format!(
                        "could not read {} after line {line}: {io}",
                        self.file.display()
                    ))));
                }
                let reason = match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => format!("has {len} fields, the header has {expected_len}"),
                    _ => e.to_string(),
                };
                // A bad record is one malformed row; the rest are still read.
                Some(Ok(Err(RowError {
                    line,
                    column: None,
                    reason,
                })))
            }
        }
    }
}

fn csv_row(record: &csv::ByteRecord, positions: &[Option<usize>], line: u64) -> ReadRow {
    let mut cells = Vec::with_capacity(IMPORTED_COLUMNS.len());
    for (column, position) in IMPORTED_COLUMNS.iter().zip(positions) {
        let raw = position.and_then(|p| record.get(p)).unwrap_or_default();
        let text = std::str::from_utf8(raw).map_err(|_| RowError {
            line,
            column: Some((*column).to_owned()),
            reason: "is not valid UTF-8".to_owned(),
        })?;
        cells.push(if *column == "notes" {
            text.to_owned()
        } else {
            text.trim().to_owned()
        });
    }
    Ok(Row { line, cells })
}

/// One JSON object a line; blank lines are skipped.
struct JsonLines<R> {
    lines: std::io::Lines<R>,
    line: u64,
    file: PathBuf,
    /// A read failed: nothing after it is read.
    done: bool,
}

impl<R: BufRead> Iterator for JsonLines<R> {
    type Item = Result<ReadRow, Failure>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let text = self.lines.next()?;
            self.line += 1;
            let line = self.line;
            let text = match text {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                    return Some(Ok(Err(RowError {
                        line,
                        column: None,
                        reason: "is not valid UTF-8".to_owned(),
                    })));
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(Failure::local(format!(
                        "could not read {}: {e}",
                        self.file.display()
                    ))));
                }
            };
            if !text.trim().is_empty() {
                return Some(Ok(jsonl_row(&text, line)));
            }
        }
        None
    }
}

/// Where a JSON array's reader is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    /// Before the `[`.
    Start,
    /// After the `[`, before the first element or the `]`.
    First,
    /// After an element and its `,`.
    Next,
    /// After the `]`, or after a failure.
    End,
}

/// A JSON array of objects, read one element at a time; each row is named by the line
/// its element starts on. A file that is not an array, or breaks off, fails; an element
/// that is not an object is one malformed row.
struct JsonArray<R> {
    input: R,
    /// The line the next byte is on.
    line: u64,
    at: At,
    file: PathBuf,
}

impl<R: BufRead> JsonArray<R> {
    fn new(input: R, file: &Path) -> Self {
        JsonArray {
            input,
            line: 1,
            at: At::Start,
            file: file.to_owned(),
        }
    }

    fn refuse(&mut self, why: &str) -> Failure {
        self.at = At::End;
        Failure::invalid(format!(
            "{}: line {}: {why}",
            self.file.display(),
            self.line
        ))
    }

    fn peek(&mut self) -> Result<Option<u8>, Failure> {
        match self.input.fill_buf() {
            Ok(buffer) => Ok(buffer.first().copied()),
            Err(e) => {
                self.at = At::End;
                Err(Failure::local(format!(
                    "could not read {}: {e}",
                    self.file.display()
                )))
            }
        }
    }

    fn bump(&mut self) {
        if self
            .input
            .fill_buf()
            .is_ok_and(|b| b.first() == Some(&b'\n'))
        {
            self.line += 1;
        }
        self.input.consume(1);
    }

    /// The next byte that is not white space, not consumed.
    fn skip_space(&mut self) -> Result<Option<u8>, Failure> {
        loop {
            match self.peek()? {
                Some(b) if b.is_ascii_whitespace() => self.bump(),
                other => return Ok(other),
            }
        }
    }

    /// The bytes of one JSON value, from its first byte to its last: a string, object or
    /// array to its matching end, anything else up to the next `,`, `]` or white space.
    fn value_bytes(&mut self) -> Result<Vec<u8>, Failure> {
        let mut bytes = Vec::new();
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        while let Some(b) = self.peek()? {
            if !in_string && depth == 0 && !bytes.is_empty() {
                let quoted = bytes.first() == Some(&b'"');
                if quoted || matches!(bytes.first(), Some(b'{' | b'[')) {
                    break;
                }
                if b == b',' || b == b']' || b.is_ascii_whitespace() {
                    break;
                }
            }
            bytes.push(b);
            self.bump();
            if in_string {
                match (escaped, b) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
            } else {
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
        }
        Ok(bytes)
    }

    fn element(&mut self) -> Result<Option<ReadRow>, Failure> {
        if self.at == At::Start {
            if self.skip_space()? != Some(b'[') {
                return Err(self.refuse("not a JSON array (for one object a line, use .jsonl)"));
            }
            self.bump();
            self.at = At::First;
        }
        let first = self.skip_space()?;
        if self.at == At::First && first == Some(b']') {
            self.bump();
            self.at = At::End;
            return Ok(None);
        }
        if first.is_none() {
            return Err(self.refuse("the array does not end"));
        }
        let line = self.line;
        let bytes = self.value_bytes()?;
        let row = match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(object)) => object_row(object, line),
            Ok(_) => Err(RowError {
                line,
                column: None,
                reason: "not a JSON object".to_owned(),
            }),
            Err(e) => {
                self.line = line;
                return Err(self.refuse(&format!("not valid JSON: {e}")));
            }
        };
        match self.skip_space()? {
            Some(b',') => {
                self.bump();
                self.at = At::Next;
            }
            Some(b']') => {
                self.bump();
                self.at = At::End;
            }
            Some(_) => return Err(self.refuse("expected , or ] after an element")),
            None => return Err(self.refuse("the array does not end")),
        }
        Ok(Some(row))
    }
}

impl<R: BufRead> Iterator for JsonArray<R> {
    type Item = Result<ReadRow, Failure>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.at == At::End {
            return None;
        }
        self.element().transpose()
    }
}

fn jsonl_row(text: &str, line: u64) -> ReadRow {
    let object: serde_json::Map<String, Value> =
        serde_json::from_str(text).map_err(|e| RowError {
            line,
            column: Some(e.column().to_string()),
            reason: format!("not a JSON object: {e}"),
        })?;
    object_row(object, line)
}

fn object_row(object: serde_json::Map<String, Value>, line: u64) -> ReadRow {
    if let Some(unknown) = object
        .keys()
        .find(|k| !INTERACTION_COLUMNS.contains(&k.as_str()))
    {
        return Err(RowError {
            line,
            column: Some(unknown.clone()),
            reason: format!(
                "unknown field: the fields are {}",
                INTERACTION_COLUMNS.join(", ")
            ),
        });
    }
    let mut cells = Vec::with_capacity(IMPORTED_COLUMNS.len());
    for column in IMPORTED_COLUMNS.iter() {
        cells.push(match object.get(*column) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) if *column == "notes" => s.clone(),
            Some(Value::Object(o)) if *column == EXTRA => Value::Object(o.clone()).to_string(),
            Some(Value::String(s)) => s.trim().to_owned(),
            Some(Value::Bool(b)) => b.to_string(),
            Some(Value::Number(n)) => n.to_string(),
            Some(_) => {
                return Err(RowError {
                    line,
                    column: Some((*column).to_owned()),
                    reason: "must be text, a boolean or null".to_owned(),
                });
            }
        });
    }
    Ok(Row { line, cells })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::Exit;

    fn bytes(format: InputFormat, text: &[u8]) -> Result<Vec<ReadRow>, Failure> {
        let input = std::io::Cursor::new(text.to_vec());
        from_reader(format, input, Path::new("in"))?.collect()
    }

    fn rows(format: InputFormat, text: &str) -> Result<Vec<ReadRow>, Failure> {
        bytes(format, text.as_bytes())
    }

    fn lines(rows: &[ReadRow]) -> Vec<Result<u64, String>> {
        rows.iter()
            .map(|r| match r {
                Ok(row) => Ok(row.line),
                Err(e) => Err(e.to_string()),
            })
            .collect()
    }

    #[test]
    fn a_json_array_names_each_object_by_the_line_it_starts_on() {
        let text = "[\n{\"method\":\"email\"},\n  7,\n{\"notes\":\n \"two lines\"}\n]\n";
        let read = rows(InputFormat::Json, text).unwrap();
        assert_eq!(
            lines(&read),
            [Ok(2), Err("line 3: not a JSON object".to_owned()), Ok(4)]
        );
        assert_eq!(read[2].as_ref().unwrap().cells[5], "two lines");
        assert!(rows(InputFormat::Json, " [ ] ").unwrap().is_empty());
        for (bad, why) in [
            ("{\"method\":\"email\"}", "line 1: not a JSON array"),
            ("[{\"method\":\"email\"}\n{}]", "line 2: expected , or ]"),
            ("[\n{\"method\":", "line 2: not valid JSON"),
            ("[{}, ", "line 1: the array does not end"),
        ] {
            let failure = rows(InputFormat::Json, bad).unwrap_err();
            assert!(
                failure.message.contains(why),
                "{bad:?}: {}",
                failure.message
            );
            assert_eq!(failure.exit, Exit::InvalidInput);
        }
    }

    #[test]
    fn json_lines_take_text_booleans_and_numbers_and_skip_blank_lines() {
        let text = "{\"contacted\":true,\"notes\":\" kept \",\"method\":\" email \"}\n\n{\"status\":3}\n{\"notes\":[1]}\n";
        let read = rows(InputFormat::Jsonl, text).unwrap();
        let first = read[0].as_ref().unwrap();
        assert_eq!((first.line, first.cells[3].as_str()), (1, "true"));
        assert_eq!(first.cells[5], " kept ", "notes keep their spaces");
        assert_eq!(first.cells[0], "email", "other cells are trimmed");
        assert_eq!(read[1].as_ref().unwrap().cells[4], "3");
        assert_eq!(
            lines(&read[2..]),
            [Err(
                "line 4, column notes: must be text, a boolean or null".to_owned()
            )]
        );
    }

    #[test]
    fn a_json_line_that_is_not_utf8_is_one_malformed_row() {
        let text: &[u8] = b"{\"notes\":\"a\"}\n{\"notes\":\"\xff\"}\n{\"notes\":\"c\"}\n";
        let read = bytes(InputFormat::Jsonl, text).unwrap();
        assert_eq!(
            lines(&read),
            [Ok(1), Err("line 2: is not valid UTF-8".to_owned()), Ok(3)]
        );
    }

    #[test]
    fn csv_cells_are_trimmed_except_notes_and_a_short_row_is_named() {
        let read = rows(InputFormat::Csv, "notes,method\n\" a note \", email \nx\n").unwrap();
        let first = read[0].as_ref().unwrap();
        assert_eq!(
            (first.cells[0].as_str(), first.cells[5].as_str()),
            ("email", " a note ")
        );
        assert_eq!(
            lines(&read[1..]),
            [Err("line 3: has 1 fields, the header has 2".to_owned())]
        );
        let failure = rows(InputFormat::Csv, "method,when\n").unwrap_err();
        assert!(failure.message.contains("line 1: unknown column \"when\""));
    }

    /// An endless JSON array: `[` then one object after another, never a `]`.
    struct Endless {
        sent: usize,
        pending: Vec<u8>,
    }

    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.pending.is_empty() {
                self.pending = if self.sent == 0 {
                    b"[\n".to_vec()
                } else {
                    format!("{{\"notes\":\"row {}\"}},\n", self.sent).into_bytes()
                };
            }
            let n = buf.len().min(self.pending.len());
            buf[..n].copy_from_slice(&self.pending[..n]);
            self.pending.drain(..n);
            self.sent += 1;
            Ok(n)
        }
    }

    #[test]
    fn a_json_array_is_read_one_element_at_a_time() {
        let input = BufReader::with_capacity(
            64,
            Endless {
                sent: 0,
                pending: Vec::new(),
            },
        );
        let mut rows = from_reader(InputFormat::Json, input, Path::new("in")).unwrap();
        for expected in 1..=1000u64 {
            let row = rows.next().unwrap().unwrap().unwrap();
            // Line 1 is the `[`; row n starts line n + 1.
            assert_eq!(row.line, expected + 1);
            assert!(row.cells.contains(&format!("row {expected}")));
        }
    }

    #[test]
    fn a_file_is_checked_whole_and_rows_appended_after_the_check_are_not_sent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("calls.csv");
        std::fs::write(&path, "notes\none\ntwo\nthree\n").unwrap();
        let opened = open(&path, None).unwrap();
        assert_eq!(opened.total, Some(3));
        let mut more = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        std::io::Write::write_all(&mut more, b"four\nfive\n").unwrap();
        let rows: Vec<ReadRow> = opened.rows.collect::<Result<_, _>>().unwrap();
        assert_eq!(lines(&rows), [Ok(2), Ok(3), Ok(4)]);

        // A JSON array that breaks off is refused before anything is read for sending.
        let path = dir.path().join("calls.json");
        std::fs::write(&path, "[{\"notes\":\"one\"},\n{\"notes\":").unwrap();
        let failure = open(&path, None).err().unwrap();
        assert!(
            failure.message.contains("line 2: not valid JSON"),
            "{}",
            failure.message
        );
    }
}
