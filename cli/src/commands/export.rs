//! `ctrlhub interactions export`: every interaction, streamed into a file that is
//! written whole or not at all.

use std::io::Write;
use std::path::{Path, PathBuf};

use ctrlhub::{Client, Error, Interaction};
use futures::{Stream, StreamExt};

use super::{apply_query, write_failed};
use crate::args::ExportArgs;
use crate::exit::{Exit, Failure, exit_of};
use crate::output::{Format, Writer};
use crate::records;

/// The format of an export: asked for, or from the file's extension, or the default.
fn export_format(asked: Option<Format>, out: Option<&Path>) -> Format {
    if let Some(format) = asked {
        return format;
    }
    let extension = out
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(str::to_lowercase);
    match extension.as_deref() {
        Some("csv") => Format::Csv,
        Some("json") => Format::Json,
        Some(_) => Format::Jsonl,
        None if out.is_some() => Format::Jsonl,
        None => Format::resolve(None),
    }
}

pub async fn export(
    client: &Client,
    args: ExportArgs,
    asked: Option<Format>,
    host: &str,
) -> Result<Exit, Failure> {
    let format = export_format(asked, args.out.as_deref());
    let fail = |e: Error| Failure::api(&e, host);
    // The total, when Ctrl Hub gives it, for the progress bar: one small page.
    let first = apply_query(client.interactions().list(), &args.query)
        .limit(1)
        .page()
        .await
        .map_err(fail)?;
    let bar = crate::output::progress(first.pagination.resources, "interactions");
    let all = apply_query(client.interactions().list(), &args.query)
        .limit(args.page_size.clamp(1, 100))
        .pages_in_flight(args.pages_in_flight.max(1))
        .stream();

    let (sink, partial) = open_sink(args.out.as_deref())?;
    let mut out = Writer::new(sink, format, false);
    let mut copied = Copied::default();
    let result = copy(all, &mut out, &bar, host, &mut copied).await;
    bar.finish_and_clear();
    // What was written is flushed whatever happened, so FILE.partial holds it.
    let finished = result.and_then(|()| out.finish().map_err(write_failed));
    conclude(finished, &copied, partial.as_deref(), args.out.as_deref())?;
    if copied.interrupted {
        return Ok(Exit::Interrupted);
    }
    eprintln!("exported {} interactions", copied.written);
    Ok(copied.first_error.as_ref().map_or(Exit::Success, exit_of))
}

/// Where an export writes: stdout, or FILE.partial (named second), renamed to FILE when
/// complete, so that a file at FILE is always whole.
fn open_sink(out: Option<&Path>) -> Result<(Box<dyn Write>, Option<PathBuf>), Failure> {
    Ok(match out {
        Some(path) => {
            let mut partial = path.to_path_buf().into_os_string();
            partial.push(".partial");
            let partial = PathBuf::from(partial);
            let file = std::fs::File::create(&partial).map_err(|e| {
                Failure::local(format!("could not create {}: {e}", partial.display()))
            })?;
            (Box::new(std::io::BufWriter::new(file)), Some(partial))
        }
        None => (Box::new(std::io::stdout().lock()), None),
    })
}

/// How far an export got.
#[derive(Default)]
struct Copied {
    first_error: Option<Error>,
    errors: usize,
    written: u64,
    interrupted: bool,
}

/// Writes each interaction of `all` as it comes, until the stream ends or Ctrl-C.
async fn copy(
    mut all: impl Stream<Item = Result<Interaction, Error>> + Unpin,
    out: &mut Writer<Box<dyn Write>>,
    bar: &indicatif::ProgressBar,
    host: &str,
    copied: &mut Copied,
) -> Result<(), Failure> {
    let mut ctrl_c = std::pin::pin!(tokio::signal::ctrl_c());
    loop {
        let item = tokio::select! {
            item = all.next() => item,
            _ = &mut ctrl_c => {
                copied.interrupted = true;
                break;
            }
        };
        let Some(item) = item else { break };
        match item {
            Ok(interaction) => {
                out.write(&records::interaction(&interaction))
                    .map_err(write_failed)?;
                copied.written += 1;
                crate::output::advanced(bar, 1);
            }
            // An item that could not be decoded is one error in its place and the
            // stream goes on; a page that failed ends it.
            Err(e) => {
                bar.suspend(|| eprintln!("error: {}", crate::exit::describe(&e, host)));
                copied.errors += 1;
                copied.first_error.get_or_insert(e);
            }
        }
    }
    Ok(())
}

/// Renames FILE.partial to FILE when the export is complete; otherwise leaves it and says
/// why. Then the write's own failure, if any.
fn conclude(
    finished: Result<(), Failure>,
    copied: &Copied,
    partial: Option<&Path>,
    out: Option<&Path>,
) -> Result<(), Failure> {
    let complete = finished.is_ok() && copied.first_error.is_none() && !copied.interrupted;
    let written = copied.written;
    match (partial, out) {
        (Some(partial), Some(path)) if complete => {
            std::fs::rename(partial, path).map_err(|e| {
                Failure::local(format!(
                    "could not rename {} to {}: {e}",
                    partial.display(),
                    path.display()
                ))
            })?;
        }
        // One rule for every way an export can end early: FILE.partial stays, and says so.
        (Some(partial), Some(path)) => eprintln!(
            "export incomplete ({}): {written} written to {}; {} was not written",
            if copied.interrupted {
                "interrupted".to_owned()
            } else if finished.is_err() {
                "could not write".to_owned()
            } else {
                format!("{} failed", copied.errors)
            },
            partial.display(),
            path.display()
        ),
        _ if copied.interrupted => eprintln!("interrupted: {written} exported"),
        _ => {}
    }
    finished
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_format_follows_the_file_extension_unless_asked() {
        let path = |p: &str| Some(std::path::PathBuf::from(p));
        assert_eq!(export_format(None, path("a.CSV").as_deref()), Format::Csv);
        assert_eq!(export_format(None, path("a.json").as_deref()), Format::Json);
        assert_eq!(
            export_format(None, path("a.jsonl").as_deref()),
            Format::Jsonl
        );
        assert_eq!(export_format(None, path("a").as_deref()), Format::Jsonl);
        assert_eq!(
            export_format(Some(Format::Csv), path("a.json").as_deref()),
            Format::Csv
        );
    }
}
