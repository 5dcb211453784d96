//! The open enums: every schema with `x-extensible-enum` (a set Ctrl Hub may add values
//! to) becomes a type of `crate::model` with a variant per value the spec lists (each
//! documented by `x-enum-descriptions`, when given) and `Unknown` for any other value.
//! The values are written once, in the spec; the generated `with_open_enums!` hands them
//! to `crate::model`'s `open_enum!`, which writes the type.

use serde_json::Value;

use crate::component_schemas;

/// One open enum: its schema name, its description, and its values with their variant
/// names and descriptions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OpenEnum {
    pub name: String,
    pub description: String,
    pub values: Vec<(String, String, String)>,
}

/// The open enums of the spec, in name order.
pub(crate) fn open_enums(doc: &Value) -> Result<Vec<OpenEnum>, String> {
    let mut found = Vec::new();
    for (name, schema) in component_schemas(doc) {
        let Some(values) = schema.get("x-extensible-enum").and_then(Value::as_array) else {
            continue;
        };
        let descriptions = schema
            .get("x-enum-descriptions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut named = Vec::new();
        for (i, value) in values.iter().enumerate() {
            let value = value
                .as_str()
                .ok_or_else(|| format!("{name}: an x-extensible-enum value is not a string"))?;
            let variant = variant_name(value)
                .ok_or_else(|| format!("{name}: {value:?} makes no Rust variant name"))?;
            if named.iter().any(|(v, _, _)| *v == variant) {
                return Err(format!("{name}: two values make the variant {variant}"));
            }
            let description = descriptions
                .get(i)
                .and_then(Value::as_str)
                .map_or_else(|| format!("`{value}`."), str::to_owned);
            named.push((variant, value.to_owned(), description));
        }
        found.push(OpenEnum {
            name: name.clone(),
            description: schema
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            values: named,
        });
    }
    Ok(found)
}

/// `telephone` → `Telephone`, `no-answer` → `NoAnswer`; `None` when nothing of `value`
/// can start a Rust identifier.
fn variant_name(value: &str) -> Option<String> {
    let name: String = value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect();
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        .then_some(name)
}

/// The `with_open_enums!` macro, as Rust source.
pub(crate) fn source(enums: &[OpenEnum]) -> String {
    let mut calls = String::new();
    for e in enums {
        let variants: String = e
            .values
            .iter()
            .map(|(variant, value, doc)| format!("#[doc = {doc:?}] {variant} => {value:?},"))
            .collect();
        calls.push_str(&format!(
            "$m! {{ #[doc = {doc:?}] {name} {{ {variants} }} }}\n",
            doc = e.description,
            name = e.name,
        ));
    }
    format!(
        "/// Hands each open enum of the spec (`x-extensible-enum`) to the macro `$m`, as\n\
         /// `#[doc] Name {{ #[doc] Variant => \"value\", .. }}`.\n\
         macro_rules! with_open_enums {{\n($m:ident) => {{\n{calls}}};\n}}\n\
         pub(crate) use with_open_enums;\n"
    )
}
