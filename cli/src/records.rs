//! Resources as records (columns named as the API documents them), and import rows as
//! new interactions.

use std::fmt;
use std::sync::LazyLock;

use chrono::{DateTime, SecondsFormat, Utc};
use ctrlhub::{
    Contact, IncludedResource, Interaction, InteractionDirection, InteractionMethod,
    InteractionRelated, InteractionStatus, Member, NewInteraction, ResourceFields,
};
use serde_json::Value;
use uuid::Uuid;

use crate::journal::KeyFormat;
use crate::output::Record;

/// The column that carries, as one JSON object, the attributes Ctrl Hub sent that the
/// spec does not name; an import sends them back (see [`Row::to_new`]).
pub const EXTRA: &str = "extra";

/// The fields of an interaction, from the spec `ctrlhub` was generated from.
fn fields() -> &'static ResourceFields {
    ResourceFields::of::<Interaction>()
}

/// The columns of an interaction, in output order: the id, the spec's attributes, the
/// relationships a create may set, the other relationships, the `meta` times, and
/// [`EXTRA`]. All but the id come from the spec (through `ctrlhub::ResourceFields`), so
/// an attribute the spec gains is a column with no edit here.
pub static INTERACTION_COLUMNS: LazyLock<Vec<&str>> = LazyLock::new(|| {
    let f = fields();
    let shown_links = f
        .relationships
        .iter()
        .filter(|name| !f.create_relationships.contains(name));
    std::iter::once("id")
        .chain(f.attributes.iter().copied())
        .chain(f.create_relationships.iter().copied())
        .chain(shown_links.copied())
        .chain(f.meta.iter().copied())
        .chain(std::iter::once(EXTRA))
        .collect()
});

/// The columns an import sends, in [`INTERACTION_COLUMNS`] order: those a create may set
/// (the spec's create attributes and relationships), and [`EXTRA`].
pub static IMPORTED_COLUMNS: LazyLock<Vec<&str>> = LazyLock::new(|| {
    let f = fields();
    INTERACTION_COLUMNS
        .iter()
        .copied()
        .filter(|c| {
            f.create_attributes.contains(c) || f.create_relationships.contains(c) || *c == EXTRA
        })
        .collect()
});

/// The columns format 1 journals name rows by, in that format's order: written out, not
/// derived, so that a column the importer learns later leaves those keys as they were.
const V1_COLUMNS: [&str; 10] = [
    "method",
    "direction",
    "date_time",
    "contacted",
    "status",
    "notes",
    "contact",
    "account",
    "property",
    "representative",
];

/// A row's key in format 2: FNV-1a (128 bits, stable across Rust versions, unlike
/// `DefaultHasher`) over the non-empty cells and their column names, in column-name
/// order. An empty cell and a column absent altogether give the same key, so a column
/// added to the importer changes no existing key.
pub fn content_key<'a>(cells: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut set: Vec<(&str, &str)> = cells.into_iter().filter(|(_, v)| !v.is_empty()).collect();
    set.sort_unstable();
    let mut hash: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for (name, value) in set {
        // Lengths first: no choice of names and values can make two sets spell alike.
        for byte in (name.len() as u64)
            .to_le_bytes()
            .into_iter()
            .chain(name.bytes())
            .chain((value.len() as u64).to_le_bytes())
            .chain(value.bytes())
        {
            hash ^= u128::from(byte);
            hash = hash.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b);
        }
    }
    format!("{hash:032x}")
}

fn time(at: Option<DateTime<Utc>>) -> Value {
    at.map_or(Value::Null, |at| {
        Value::String(at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    })
}

fn id(id: Option<Uuid>) -> Value {
    id.map_or(Value::Null, |id| Value::String(id.to_string()))
}

fn text(value: Option<impl fmt::Display>) -> Value {
    value.map_or(Value::Null, |v| Value::String(v.to_string()))
}

fn ids(ids: &[Uuid]) -> Value {
    Value::Array(ids.iter().map(|id| Value::String(id.to_string())).collect())
}

/// An interaction as a record of [`INTERACTION_COLUMNS`]: attributes by name (so one the
/// spec gains shows), relationships by name, and in [`EXTRA`] the attributes the spec
/// does not name (`null` when there are none).
pub fn interaction(i: &Interaction) -> Record {
    let f = fields();
    let mut r = Record::default();
    for column in INTERACTION_COLUMNS.iter().copied() {
        let value = if column == "id" {
            Value::String(i.id.to_string())
        } else if f.attributes.contains(&column) {
            i.attribute(column).unwrap_or(Value::Null)
        } else if f.relationships.contains(&column) {
            let link = InteractionRelated::ALL
                .into_iter()
                .find(|related| related.as_str() == column)
                .and_then(|related| i.link(related));
            id(link.map(|link| link.id))
        } else if column == EXTRA {
            let extra: serde_json::Map<String, Value> = i
                .other
                .iter()
                .filter(|(name, _)| !f.attributes.contains(&name.as_str()))
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect();
            if extra.is_empty() {
                Value::Null
            } else {
                Value::Object(extra)
            }
        } else {
            match column {
                "created_at" => time(i.created_at),
                "updated_at" => time(i.updated_at),
                "modified_at" => time(i.modified_at),
                _ => Value::Null,
            }
        };
        r.push(column, value);
    }
    r
}

pub fn contact(c: &Contact) -> Record {
    let mut r = Record::default();
    r.push("id", c.id.to_string());
    r.push("association", text(c.association.as_ref()));
    r.push("salutation", text(c.salutation.as_ref()));
    r.push("first_name", text(c.first_name.as_ref()));
    r.push("last_name", text(c.last_name.as_ref()));
    r.push("email", text(c.email.as_ref()));
    r.push("telephone", text(c.telephone.as_ref()));
    r.push("accounts", ids(&c.accounts));
    r.push("interactions", ids(&c.interactions));
    r.push("author", id(c.author));
    r.push("organisation", id(c.organisation));
    r
}

pub fn member(m: &Member) -> Record {
    let mut r = Record::default();
    r.push("id", m.id.to_string());
    r.push("email", text(m.email.as_ref()));
    r.push("organisations", ids(&m.organisations));
    r.push("teams", ids(&m.teams));
    r.push(
        "profile",
        serde_json::to_value(&m.profile).unwrap_or(Value::Null),
    );
    r
}

/// An included resource, for a column beside the record that links to it.
pub fn included(resource: &IncludedResource) -> Value {
    serde_json::json!({
        "type": resource.type_,
        "id": resource.id.to_string(),
        "attributes": resource.attributes,
    })
}

/// `true` or `false` (any case), for `contacted`.
pub fn parse_contacted(value: &str) -> Result<bool, String> {
    match value.to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!("{value:?} is not true or false")),
    }
}

/// An RFC 3339 date-time, for `date_time`.
pub fn parse_date_time(value: &str) -> Result<DateTime<chrono::FixedOffset>, String> {
    DateTime::parse_from_rfc3339(value).map_err(|e| {
        format!("{value:?} is not an RFC 3339 date-time like 2026-01-05T09:00:00Z ({e})")
    })
}

/// Why a row of an import file cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub column: Option<String>,
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(column) = &self.column {
            write!(f, ", column {column}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// One row of an import: its line, its cells by column, its identity for the journal.
#[derive(Debug, Clone)]
pub struct Row {
    pub line: u64,
    /// The importable cells, in [`IMPORTED_COLUMNS`] order; empty is "not set".
    pub cells: Vec<String>,
}

impl Row {
    /// The row's content, for a journal of `format`: the same cells give the same key,
    /// whatever the line, the order of the columns and whether it came from CSV or JSON.
    pub fn key(&self, format: KeyFormat) -> String {
        match format {
            KeyFormat::V1 => self.fingerprint_v1(),
            KeyFormat::V2 => content_key(
                IMPORTED_COLUMNS
                    .iter()
                    .zip(&self.cells)
                    .map(|(name, value)| (*name, value.as_str())),
            ),
        }
    }

    /// Format 1's key: FNV-1a (64 bits) over every column of [`V1_COLUMNS`], empty ones
    /// included. Frozen: journals of format 1 are read with it.
    fn fingerprint_v1(&self) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for name in V1_COLUMNS {
            let value = self.cell(name).unwrap_or_default();
            for byte in name
                .bytes()
                .chain([b'='])
                .chain(value.bytes())
                .chain([0x1f])
            {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        format!("{hash:016x}")
    }

    fn cell(&self, column: &str) -> Option<&str> {
        let i = IMPORTED_COLUMNS.iter().position(|c| *c == column)?;
        let value = self.cells[i].as_str();
        (!value.is_empty()).then_some(value)
    }

    /// The interaction this row asks for, or the first cell that is wrong.
    ///
    /// An attribute column with no rule of its own here (one the spec gained) is set by
    /// name, its cell read as JSON when it is a number, a boolean, an array or an object,
    /// and as text otherwise. [`EXTRA`] is a JSON object of attributes the spec does not
    /// name; they are carried as the update carries them: sent, and dropped on a resend
    /// should Ctrl Hub refuse them.
    pub fn to_new(&self, new_values: NewValues) -> Result<NewInteraction, RowError> {
        let wrong = |column: &str, reason: String| RowError {
            line: self.line,
            column: Some(column.to_owned()),
            reason,
        };
        let f = fields();
        let mut new = NewInteraction::new();
        for (column, v) in IMPORTED_COLUMNS.iter().copied().zip(&self.cells) {
            if v.is_empty() {
                continue;
            }
            new = match column {
                "method" => {
                    let method = InteractionMethod::from(v.as_str());
                    if !method.is_known() && new_values == NewValues::Refuse {
                        return Err(wrong(column, one_of(v, InteractionMethod::KNOWN)));
                    }
                    new.method(method)
                }
                "direction" => {
                    let direction = InteractionDirection::from(v.as_str());
                    if !direction.is_known() && new_values == NewValues::Refuse {
                        return Err(wrong(column, one_of(v, InteractionDirection::KNOWN)));
                    }
                    new.direction(direction)
                }
                "date_time" => new.date_time(parse_date_time(v).map_err(|e| wrong(column, e))?),
                "contacted" => new.contacted(parse_contacted(v).map_err(|e| wrong(column, e))?),
                // Only `scheduled` is documented; the full list is not, so any value goes
                // to Ctrl Hub, which decides.
                "status" => new.status(InteractionStatus::from(v.as_str())),
                "notes" => new.notes(v),
                EXTRA => {
                    let extra: serde_json::Map<String, Value> = serde_json::from_str(v)
                        .map_err(|e| wrong(column, format!("not a JSON object: {e}")))?;
                    extra
                        .into_iter()
                        .fold(new, |new, (name, value)| new.carry(name, value))
                }
                _ if f.create_relationships.contains(&column) => {
                    let id: Uuid = v
                        .parse()
                        .map_err(|_| wrong(column, format!("{v:?} is not a UUID")))?;
                    match column {
                        "contact" => new.contact(id),
                        "account" => new.account(id),
                        "property" => new.property(id),
                        "representative" => new.representative(id),
                        _ => {
                            return Err(wrong(
                                column,
                                "this version of ctrlhub cannot set this relationship".into(),
                            ));
                        }
                    }
                }
                _ => new.attribute(column, cell_value(v)),
            };
        }
        Ok(new)
    }
}

/// A cell of an attribute column with no rule of its own: JSON when it reads as a number,
/// a boolean, an array or an object (as an export writes them), text otherwise.
fn cell_value(cell: &str) -> Value {
    match serde_json::from_str::<Value>(cell) {
        Ok(value @ (Value::Number(_) | Value::Bool(_) | Value::Array(_) | Value::Object(_))) => {
            value
        }
        _ => Value::String(cell.to_owned()),
    }
}

/// What a create or an import does with a `method` or `direction` that this version does
/// not know. Both are open sets, so Ctrl Hub may have added the value; but a typo must not
/// reach Ctrl Hub silently. So it is refused, naming the known values, unless the user
/// says it is new (`--allow-new-values`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NewValues {
    /// Refuse the row, naming the known values.
    #[default]
    Refuse,
    /// Send it as written.
    Send,
}

fn one_of<T: fmt::Display>(value: &str, known: &[T]) -> String {
    let known: Vec<String> = known.iter().map(|k| k.to_string()).collect();
    format!(
        "{value:?} is not one of {} (if Ctrl Hub has added it, pass --allow-new-values)",
        known.join(", ")
    )
}

/// Where each importable column sits in a file's header; a column that is neither
/// importable nor an interaction column is refused (a typo would silently drop data).
pub fn columns_of(header: &[String]) -> Result<Vec<Option<usize>>, String> {
    for name in header {
        if !INTERACTION_COLUMNS.contains(&name.as_str()) {
            return Err(format!(
                "unknown column {name:?}: the columns are {}",
                INTERACTION_COLUMNS.join(", ")
            ));
        }
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(twice) = header.iter().find(|name| !seen.insert(name.as_str())) {
        return Err(format!("column {twice:?} appears twice"));
    }
    Ok(IMPORTED_COLUMNS
        .iter()
        .map(|wanted| header.iter().position(|name| name == wanted))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[(&str, &str)]) -> Row {
        Row {
            line: 7,
            cells: IMPORTED_COLUMNS
                .iter()
                .map(|c| {
                    cells
                        .iter()
                        .find(|(n, _)| n == c)
                        .map_or(String::new(), |(_, v)| (*v).to_owned())
                })
                .collect(),
        }
    }

    #[test]
    fn a_format_1_key_is_as_it_was_written_and_depends_on_every_cell_and_its_column() {
        let a = row(&[("method", "email"), ("notes", "x")]);
        // Fixed: journals written by format 1 are read with it.
        assert_eq!(a.key(KeyFormat::V1), "972e68c3faddf3d6");
        assert_eq!(
            a.key(KeyFormat::V1),
            row(&[("notes", "x"), ("method", "email")]).key(KeyFormat::V1)
        );
        assert_ne!(
            a.key(KeyFormat::V1),
            row(&[("method", "email"), ("notes", "y")]).key(KeyFormat::V1)
        );
        // The same text in another column is another row.
        assert_ne!(
            row(&[("notes", "email")]).key(KeyFormat::V1),
            row(&[("status", "email")]).key(KeyFormat::V1)
        );
        // The line does not matter.
        let mut moved = a.clone();
        moved.line = 99;
        assert_eq!(moved.key(KeyFormat::V1), a.key(KeyFormat::V1));
    }

    #[test]
    fn a_format_2_key_is_stable_and_depends_only_on_the_non_empty_cells() {
        let a = row(&[("method", "email"), ("notes", "x")]);
        // Fixed: a journal written by one build is read by the next. (The value was
        // checked against an FNV-1a 128 written apart from this one.)
        assert_eq!(a.key(KeyFormat::V2), "aa7b0597cc774d93eb082a0e2f2008ac");
        assert_eq!(
            a.key(KeyFormat::V2),
            content_key([("notes", "x"), ("method", "email")])
        );
        // A column the importer learns later, empty in this row, changes nothing; nor
        // does a column the importer stops knowing that the row left empty.
        assert_eq!(
            a.key(KeyFormat::V2),
            content_key([("method", "email"), ("channel", ""), ("notes", "x")])
        );
        assert_ne!(
            a.key(KeyFormat::V2),
            row(&[("method", "email"), ("notes", "y")]).key(KeyFormat::V2)
        );
        assert_ne!(
            row(&[("notes", "email")]).key(KeyFormat::V2),
            row(&[("status", "email")]).key(KeyFormat::V2)
        );
        // Name and value boundaries cannot be shifted to spell another row.
        assert_ne!(content_key([("ab", "c")]), content_key([("a", "bc")]));
        assert_ne!(
            content_key([("a", "b"), ("c", "d")]),
            content_key([("a", "bc"), ("", "d")])
        );
        let mut moved = a.clone();
        moved.line = 99;
        assert_eq!(moved.key(KeyFormat::V2), a.key(KeyFormat::V2));
        assert_ne!(a.key(KeyFormat::V2), a.key(KeyFormat::V1));
    }

    #[test]
    fn a_row_becomes_the_interaction_it_describes() {
        let new = row(&[
            ("method", "email"),
            ("direction", "outbound"),
            ("date_time", "2026-01-05T10:00:00+01:00"),
            ("contacted", "TRUE"),
            ("status", "someday"),
            ("notes", " spaced "),
            ("contact", "9b2f6a1e-3c4d-4e5f-8a7b-6c5d4e3f2a1b"),
            ("account", "1b2f6a1e-3c4d-4e5f-8a7b-6c5d4e3f2a1b"),
            ("property", "2b2f6a1e-3c4d-4e5f-8a7b-6c5d4e3f2a1b"),
            ("representative", "3b2f6a1e-3c4d-4e5f-8a7b-6c5d4e3f2a1b"),
        ])
        .to_new(NewValues::Refuse)
        .unwrap();
        let expected = NewInteraction::new()
            .method(InteractionMethod::Email)
            .direction(InteractionDirection::Outbound)
            .date_time(DateTime::parse_from_rfc3339("2026-01-05T09:00:00Z").unwrap())
            .contacted(true)
            .status(InteractionStatus::from("someday"))
            .notes(" spaced ")
            .contact(Uuid::parse_str("9b2f6a1e-3c4d-4e5f-8a7b-6c5d4e3f2a1b").unwrap())
            .account(Uuid::parse_str("1b2f6a1e-3c4d-4e5f-8a7b-6c5d4e3f2a1b").unwrap())
            .property(Uuid::parse_str("2b2f6a1e-3c4d-4e5f-8a7b-6c5d4e3f2a1b").unwrap())
            .representative(Uuid::parse_str("3b2f6a1e-3c4d-4e5f-8a7b-6c5d4e3f2a1b").unwrap());
        assert_eq!(format!("{new:?}"), format!("{expected:?}"));
        assert_eq!(
            format!("{:?}", row(&[]).to_new(NewValues::Refuse).unwrap()),
            format!("{:?}", NewInteraction::new())
        );
    }

    #[test]
    fn a_wrong_cell_is_named_with_its_line_and_column() {
        let cases = [
            (
                "method",
                "fax",
                "\"fax\" is not one of letter, email, telephone, sms (if Ctrl Hub has added it, pass --allow-new-values)",
            ),
            (
                "direction",
                "sideways",
                "\"sideways\" is not one of inbound, outbound (if Ctrl Hub has added it, pass --allow-new-values)",
            ),
            ("contacted", "yes", "\"yes\" is not true or false"),
            ("account", "12", "\"12\" is not a UUID"),
            ("property", "x", "\"x\" is not a UUID"),
            ("representative", "y", "\"y\" is not a UUID"),
        ];
        for (column, value, reason) in cases {
            let error = row(&[(column, value)])
                .to_new(NewValues::Refuse)
                .unwrap_err();
            assert_eq!(
                error.to_string(),
                format!("line 7, column {column}: {reason}")
            );
        }
        let error = row(&[("date_time", "2026-13-01")])
            .to_new(NewValues::Refuse)
            .unwrap_err();
        assert_eq!(error.column.as_deref(), Some("date_time"));
    }

    #[test]
    fn the_imported_columns_are_the_ones_a_create_may_set_in_output_order() {
        assert_eq!(
            IMPORTED_COLUMNS[..IMPORTED_COLUMNS.len() - 1],
            V1_COLUMNS,
            "today's settable columns"
        );
        assert_eq!(IMPORTED_COLUMNS.last(), Some(&EXTRA));
        let mut in_output = INTERACTION_COLUMNS
            .iter()
            .filter(|c| IMPORTED_COLUMNS.contains(c));
        assert!(IMPORTED_COLUMNS.iter().all(|c| in_output.next() == Some(c)));
        for shown in [
            "id",
            "author",
            "organisation",
            "created_at",
            "updated_at",
            "modified_at",
        ] {
            assert!(INTERACTION_COLUMNS.contains(&shown), "{shown}");
            assert!(!IMPORTED_COLUMNS.contains(&shown), "{shown} is not sent");
        }
    }

    #[test]
    fn a_header_names_only_known_columns_once() {
        let header = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let positions = columns_of(&header(&["id", "notes", "method"])).unwrap();
        assert_eq!(positions[0], Some(2), "method");
        assert_eq!(positions[5], Some(1), "notes");
        assert!(positions[1].is_none());
        assert!(
            columns_of(&header(&["method", "nots"]))
                .unwrap_err()
                .contains("\"nots\"")
        );
        assert!(
            columns_of(&header(&["method", "method"]))
                .unwrap_err()
                .contains("twice")
        );
    }
}
