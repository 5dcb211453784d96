//! Turns the Ctrl Hub OpenAPI document into Rust source for the `ctrlhub` crate.
//!
//! The pipeline is: read the YAML, check it (OpenAPI 3.0.x, every operation named, every
//! local `$ref` resolvable), rewrite the JSON:API media type to `application/json` in memory
//! (progenitor only recognises the latter; the file keeps the true media type), generate
//! with progenitor and format with prettyplease.
//!
//! `client/build.rs` calls [`build_script`]; the `ctrlhub-codegen` binary prints the same
//! output for a person to read.
#![forbid(unsafe_code)]

use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

mod fields;
mod links;
mod open_enums;
mod operations;

use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};
use serde_json::Value;

/// The JSON:API media type, as written in the spec.
pub const JSON_API_MEDIA_TYPE: &str = "application/vnd.api+json";

/// The type the generated `Client` carries as its inner state (see `client/src/transport.rs`).
const INNER_TYPE: &str = "crate::transport::Transport";

/// Schemas whose generated type is replaced by a handwritten one, and why: the JSON:API
/// envelope pieces are shared with the handwritten layer. (The open enums, which must
/// decode values this crate does not know and keep them unchanged, are replaced too:
/// every `x-extensible-enum` schema, see [`open_enums`].)
const REPLACEMENTS: &[(&str, &str, &[TypeImpl])] = &[
    (
        "MemberProfile",
        "crate::members::MemberProfile",
        &[TypeImpl::Default],
    ),
    (
        "ToManyRelationship",
        "crate::jsonapi::ToMany",
        &[TypeImpl::Default],
    ),
    (
        "ResourceIdentifier",
        "crate::jsonapi::ResourceIdentifier",
        &[],
    ),
    (
        "ToOneRelationship",
        "crate::jsonapi::ToOne",
        &[TypeImpl::Default],
    ),
    ("Resource", "crate::jsonapi::Resource", &[]),
    (LIST_ITEM_SCHEMA, "crate::pages::RawItem", &[]),
    (
        "Filters",
        "crate::jsonapi::Filters",
        &[TypeImpl::Default, TypeImpl::Display],
    ),
    (
        "JsonApiObject",
        "crate::jsonapi::JsonApi",
        &[TypeImpl::Default],
    ),
    ("ErrorDocument", "crate::jsonapi::ErrorDocument", &[]),
    (
        "ErrorObject",
        "crate::jsonapi::ErrorObject",
        &[TypeImpl::Default],
    ),
    (
        "ErrorSource",
        "crate::jsonapi::ErrorSource",
        &[TypeImpl::Default],
    ),
];

/// A problem with the spec, or with turning it into code. Its text names the spec file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// The spec file the problem is in.
    pub path: PathBuf,
    /// What is wrong, and where in the document when that is known.
    pub problem: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.problem)
    }
}

impl std::error::Error for SpecError {}

/// The generated Rust source for one spec.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Types and the low-level `Client` (goes to `OUT_DIR/generated.rs`).
    pub client: String,
    /// Typed httpmock helpers (goes to `OUT_DIR/mock.rs`, used behind the `mock` feature).
    pub mock: String,
    /// The operations (`METHOD path`) whose success answers were generated without a
    /// body, because the spec documents both a success with a body and one without (the
    /// spec file keeps both; see the README's note on undocumented success codes).
    pub bodyless_successes: Vec<String>,
}

/// Reads, checks and generates code for the spec at `path`.
///
/// `types_path` is the Rust path at which the generated module is reachable from the mock
/// helpers (for the `ctrlhub` crate: `crate::generated`).
pub fn generate(path: &Path, types_path: &str) -> Result<Generated, SpecError> {
    let text = std::fs::read_to_string(path).map_err(|e| SpecError {
        path: path.to_owned(),
        problem: format!("cannot read the file: {e}"),
    })?;
    generate_from_str(path, &text, types_path)
}

/// Like [`generate`], for spec text already in memory; `path` is used in error messages.
pub fn generate_from_str(
    path: &Path,
    text: &str,
    types_path: &str,
) -> Result<Generated, SpecError> {
    let fail = |problem: String| SpecError {
        path: path.to_owned(),
        problem,
    };
    let mut doc: Value =
        serde_norway::from_str(text).map_err(|e| fail(format!("not valid YAML: {e}")))?;
    check(&doc).map_err(fail)?;
    rewrite_media_types(&mut doc);
    deep_objects_as_forms(&mut doc);
    let bodyless_successes = merge_success_alternatives(&mut doc);
    let lists = list_documents(&doc);
    let singles = single_documents(&doc);
    let operations = operations::operation_impls(&doc, &lists, &singles).map_err(&fail)?;
    let endpoints = operations::relationship_endpoints(&doc).map_err(&fail)?;
    let related = operations::related_source(&doc, &operations).map_err(&fail)?;
    let identifiers = links::identifiers(&doc);
    let relationship_links = links::links(&doc, &identifiers);
    let doc_types = resource_types(&doc, &lists, &singles);
    let ordered: serde_norway::Value =
        serde_norway::from_str(text).map_err(|e| fail(format!("not valid YAML: {e}")))?;
    let fields = fields::resource_fields(
        &fields::Spec {
            doc: &doc,
            ordered: &ordered,
        },
        &doc_types,
        &operations,
        &singles,
    );
    operations::open_request_attributes(&mut doc, &operations);
    decode_list_items_one_by_one(&mut doc, &lists);
    let defaults = open_optional_objects(&doc);
    let enums = open_enums::open_enums(&doc).map_err(&fail)?;
    let spec: openapiv3::OpenAPI = serde_json::from_value(doc)
        .map_err(|e| fail(format!("not an OpenAPI 3.0 document: {e}")))?;

    let settings = settings(&defaults, &enums).map_err(&fail)?;
    let client = run_generator("generating the client", &fail, || {
        let mut tokens = Generator::new(&settings).generate_tokens(&spec)?;
        tokens.extend(list_document_impls(&lists)?);
        tokens.extend(single_document_impls(&singles)?);
        tokens.extend(resource_type_impls(&fields, &doc_types, &identifiers)?);
        tokens.extend(
            (operations::source(&operations)
                + &operations::relationship_source(&endpoints)
                + &links::source(&identifiers, &relationship_links)
                + &related
                + &open_enums::source(&enums))
                .parse::<proc_macro2::TokenStream>()
                .map_err(|e| progenitor::Error::InternalError(format!("operation impls: {e}")))?,
        );
        Ok(tokens)
    })?;
    let mock = run_generator("generating the httpmock helpers", &fail, || {
        Generator::new(&settings).httpmock(&spec, types_path)
    })?;
    Ok(Generated {
        client: format_tokens(client).map_err(&fail)?,
        mock: format_tokens(mock).map_err(&fail)?,
        bodyless_successes,
    })
}

/// Entry point for `client/build.rs`.
///
/// Generates code for the spec at `spec` (relative to the calling crate's manifest
/// directory), writes `generated.rs` and `mock.rs` to `OUT_DIR` and asks Cargo to rerun
/// when the spec changes. On failure it reports the problem as a Cargo build error naming
/// the file, and the build stops.
pub fn build_script(spec: &str) {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let out_dir = std::env::var_os("OUT_DIR").map(PathBuf::from);
    let (Some(manifest_dir), Some(out_dir)) = (manifest_dir, out_dir) else {
        println!("cargo::error=ctrlhub-build-support must run from a build script");
        return;
    };
    let path = manifest_dir.join(spec);
    println!("cargo::rerun-if-changed={}", path.display());

    // progenitor and typify panic on some malformed input. The panic is caught and
    // reported as a build error; the default hook would print a backtrace hint first.
    panic::set_hook(Box::new(|_| {}));
    let result = generate(&path, "crate::generated").and_then(|generated| {
        write(&out_dir.join("generated.rs"), &generated.client, &path)?;
        write(&out_dir.join("mock.rs"), &generated.mock, &path)
    });
    let _ = panic::take_hook();
    if let Err(e) = result {
        // One `cargo::error` line per line of the message keeps multi-line errors readable.
        for line in e.to_string().lines() {
            println!("cargo::error={line}");
        }
    }
}

fn write(target: &Path, source: &str, spec: &Path) -> Result<(), SpecError> {
    std::fs::write(target, source).map_err(|e| SpecError {
        path: spec.to_owned(),
        problem: format!("cannot write {}: {e}", target.display()),
    })
}

/// The progenitor settings for the `ctrlhub` crate. See `shared/DESIGN.md`.
fn settings(
    defaults: &[String],
    enums: &[open_enums::OpenEnum],
) -> Result<GenerationSettings, String> {
    let inner: proc_macro2::TokenStream = INNER_TYPE
        .parse()
        .map_err(|e| format!("the inner type `{INNER_TYPE}` is not a Rust path: {e}"))?;
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_hooks(HooksMode::Expected)
        .with_inner_type(inner)
        .with_derive("PartialEq")
        // Deterministic order for maps such as the list `filter` parameter, so the same
        // call always sends the same query string.
        .with_map_type("::std::collections::BTreeMap");
    for (schema, rust_type, impls) in REPLACEMENTS {
        settings.with_replacement(schema, rust_type, impls.iter().cloned());
    }
    for open in enums {
        settings.with_replacement(
            &open.name,
            format!("crate::model::{}", open.name),
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    }
    // typify derives `Default` for an object of optional members, but not once it has
    // `extra` (an open object); every member, `extra` included, has a default.
    let mut default = progenitor::TypePatch::default();
    default.with_derive("Default");
    for schema in defaults {
        settings.with_patch(schema, &default);
    }
    Ok(settings)
}

fn run_generator(
    what: &str,
    fail: &dyn Fn(String) -> SpecError,
    f: impl FnOnce() -> Result<proc_macro2::TokenStream, progenitor::Error>,
) -> Result<proc_macro2::TokenStream, SpecError> {
    match panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(fail(format!("{what} failed: {e}"))),
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("no message");
            Err(fail(format!(
                "{what} failed: the generator gave up: {message}"
            )))
        }
    }
}

fn format_tokens(tokens: proc_macro2::TokenStream) -> Result<String, String> {
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("the generated code does not parse: {e}"))?;
    Ok(format!(
        "// Generated by ctrlhub-build-support from openapi/ctrlhub.yaml. Do not edit.\n{}",
        prettyplease::unparse(&file)
    ))
}

/// Checks what progenitor would otherwise report badly or not at all.
fn check(doc: &Value) -> Result<(), String> {
    let version = doc
        .get("openapi")
        .and_then(Value::as_str)
        .ok_or("the `openapi` version field is missing")?;
    if !version.starts_with("3.0.") {
        return Err(format!(
            "`openapi: {version}` is not supported; progenitor reads OpenAPI 3.0.x"
        ));
    }
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .ok_or("the `paths` object is missing")?;
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            return Err(format!("paths.{path} is not an object"));
        };
        for (method, op) in item {
            if !HTTP_METHODS.contains(&method.as_str()) {
                continue;
            }
            if op.get("operationId").and_then(Value::as_str).is_none() {
                return Err(format!(
                    "paths.{path}.{method} has no operationId (it names the Rust method)"
                ));
            }
            check_error_responses(op)
                .map_err(|problem| format!("paths.{path}.{method}: {problem}"))?;
        }
    }
    check_refs(doc, doc, &mut String::new())
}

/// The response every operation declares for `4XX` and `5XX`.
pub(crate) const ERROR_RESPONSE_REF: &str = "#/components/responses/Error";

/// Every operation answers failures with the one error document, so that any generated
/// operation's error type is `progenitor_client::Error<ErrorDocument>` and the client's
/// generic path can turn it into `ctrlhub::Error`.
fn check_error_responses(op: &Value) -> Result<(), String> {
    let responses = op
        .get("responses")
        .and_then(Value::as_object)
        .ok_or("has no `responses`")?;
    for range in ["4XX", "5XX"] {
        let target = responses
            .get(range)
            .and_then(|r| r.get("$ref"))
            .and_then(Value::as_str);
        if target != Some(ERROR_RESPONSE_REF) {
            return Err(format!(
                "responses.{range} must be `$ref: \"{ERROR_RESPONSE_REF}\"` (every operation \
                 shares the error document)"
            ));
        }
    }
    for (code, response) in responses {
        let is_error = code.starts_with('4') || code.starts_with('5');
        let target = response.get("$ref").and_then(Value::as_str);
        if is_error && target != Some(ERROR_RESPONSE_REF) {
            return Err(format!(
                "responses.{code} must be `$ref: \"{ERROR_RESPONSE_REF}\"` (every operation \
                 shares the error document)"
            ));
        }
    }
    Ok(())
}

pub(crate) const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Every local `$ref` must point at something; `at` is the JSON pointer being visited.
fn check_refs(root: &Value, node: &Value, at: &mut String) -> Result<(), String> {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                let Some(pointer) = target.strip_prefix('#') else {
                    return Err(format!(
                        "{at}: `$ref: {target}` points outside this file, which is not supported"
                    ));
                };
                if root.pointer(pointer).is_none() {
                    return Err(format!("{at}: `$ref: {target}` points at nothing"));
                }
                // OpenAPI 3.0 tools ignore a `$ref`'s siblings, so a mark there is invisible.
                let siblings: Vec<&str> = map
                    .keys()
                    .map(String::as_str)
                    .filter(|key| *key != "$ref")
                    .collect();
                if !siblings.is_empty() {
                    return Err(format!(
                        "{at}: `$ref` has siblings ({}), which OpenAPI 3.0 tools ignore; \
                         write the object inline instead",
                        siblings.join(", ")
                    ));
                }
            }
            for (key, value) in map {
                let len = at.len();
                at.push('/');
                at.push_str(&key.replace('~', "~0").replace('/', "~1"));
                check_refs(root, value, at)?;
                at.truncate(len);
            }
            Ok(())
        }
        Value::Array(items) => {
            for (i, value) in items.iter().enumerate() {
                let len = at.len();
                at.push_str(&format!("/{i}"));
                check_refs(root, value, at)?;
                at.truncate(len);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Rewrites every `style: deepObject` query parameter (the standard way to write
/// `filter[FIELD]=VALUE`) as an exploded form parameter, in memory only: progenitor does not
/// generate deep objects, and the parameter's replacement type (`crate::jsonapi::Filters`)
/// writes the brackets itself. The spec file stays standard.
pub(crate) fn deep_objects_as_forms(doc: &mut Value) {
    match doc {
        Value::Object(map) => {
            if map.get("style").and_then(Value::as_str) == Some("deepObject")
                && map.get("in").and_then(Value::as_str) == Some("query")
            {
                map.insert("style".into(), Value::String("form".into()));
                map.insert("explode".into(), Value::Bool(true));
            }
            map.values_mut().for_each(deep_objects_as_forms);
        }
        Value::Array(items) => items.iter_mut().for_each(deep_objects_as_forms),
        _ => {}
    }
}

/// Renames every `content` entry for the JSON:API media type to `application/json`.
///
/// progenitor only generates typed bodies for `application/json`; the wire media type is
/// set by the client's request hook instead.
pub(crate) fn rewrite_media_types(node: &mut Value) {
    match node {
        Value::Object(map) => {
            if let Some(Value::Object(content)) = map.get_mut("content")
                && let Some(media) = content.remove(JSON_API_MEDIA_TYPE)
            {
                content.entry("application/json").or_insert(media);
            }
            map.values_mut().for_each(rewrite_media_types);
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_media_types),
        _ => {}
    }
}

/// Makes every success response of an operation bodyless when the operation documents
/// both a success with a body and one without, returning the `METHOD path` of each
/// operation changed.
///
/// progenitor gives every operation one success type and asserts when a `200` with a body
/// meets a `204` without (the relationship endpoints document both). Since Ctrl Hub may
/// send either, a caller cannot rely on the body, so the generated operation reads none
/// and both answers are success (`ResponseValue<()>`). The spec file keeps both.
pub(crate) fn merge_success_alternatives(doc: &mut Value) -> Vec<String> {
    let mut merged = Vec::new();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return merged;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            if !HTTP_METHODS.contains(&method.as_str()) {
                continue;
            }
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
                continue;
            };
            let is_success = |code: &str| code.starts_with('2');
            let has_body = |response: &Value| {
                response.get("content").is_some() || response.get("$ref").is_some()
            };
            let successes = || responses.iter().filter(|(code, _)| is_success(code));
            let with_body = successes().filter(|(_, r)| has_body(r)).count();
            let without = successes().filter(|(_, r)| !has_body(r)).count();
            if with_body == 0 || without == 0 {
                continue;
            }
            for (code, response) in responses.iter_mut() {
                if is_success(code) && has_body(response) {
                    *response = serde_json::json!({
                        "description": "Success; the body is not read, as Ctrl Hub may send none."
                    });
                }
            }
            merged.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    merged
}

/// A list document of the spec: a schema whose `data` is an array of `item` resources and
/// whose `meta` is the shared `ListMeta` (which carries `meta.pagination`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListDocumentSchema {
    /// The document's schema name.
    pub name: String,
    /// The schema name of one item of `data`.
    pub item: String,
    /// Whether the document has an `included` member.
    pub has_included: bool,
}

/// The open objects (an `additionalProperties` schema beside `properties`, or `allOf`)
/// whose members are all optional: each gets `Default` (see [`settings`]).
pub(crate) fn open_optional_objects(doc: &Value) -> Vec<String> {
    component_schemas(doc)
        .filter(|(_, schema)| {
            schema
                .get("additionalProperties")
                .is_some_and(Value::is_object)
                && (schema.get("properties").is_some() || schema.get("allOf").is_some())
                && schema.get("required").is_none()
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// The spec's named schemas, in name order (none when it has no `components.schemas`).
pub(crate) fn component_schemas(doc: &Value) -> impl Iterator<Item = (&String, &Value)> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
}

/// The schema every paginated list answer uses for `meta`.
pub(crate) const LIST_META_REF: &str = "#/components/schemas/ListMeta";

/// Finds the list documents of the spec (see [`ListDocumentSchema`]), in name order.
pub(crate) fn list_documents(doc: &Value) -> Vec<ListDocumentSchema> {
    let mut found = Vec::new();
    for (name, schema) in component_schemas(doc) {
        let Some(properties) = schema.get("properties") else {
            continue;
        };
        let meta = properties.pointer("/meta/$ref").and_then(Value::as_str);
        let data = properties.get("data");
        let is_array = data.and_then(|d| d.get("type")).and_then(Value::as_str) == Some("array");
        let item = data
            .and_then(|d| d.pointer("/items/$ref"))
            .and_then(Value::as_str)
            .and_then(|target| target.strip_prefix("#/components/schemas/"));
        if let (Some(LIST_META_REF), true, Some(item)) = (meta, is_array, item) {
            found.push(ListDocumentSchema {
                name: name.clone(),
                item: item.to_owned(),
                has_included: properties.get("included").is_some(),
            });
        }
    }
    found
}

/// The schema, added in memory, that every list document's `data` items become.
pub(crate) const LIST_ITEM_SCHEMA: &str = "CtrlhubListItem";

/// Makes the `data` items of every list document a [`LIST_ITEM_SCHEMA`] (replaced by
/// `crate::pages::RawItem`, the item's JSON text), so that one malformed resource fails
/// that item alone, not the page: the generated `ListDocument` impl decodes each item
/// into its resource type. Only the in-memory document changes.
pub(crate) fn decode_list_items_one_by_one(doc: &mut Value, lists: &[ListDocumentSchema]) {
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for list in lists {
        if let Some(items) = schemas
            .get_mut(&list.name)
            .and_then(|schema| schema.pointer_mut("/properties/data/items"))
        {
            *items =
                serde_json::json!({"$ref": format!("#/components/schemas/{LIST_ITEM_SCHEMA}")});
        }
    }
    if !lists.is_empty() {
        schemas.insert(
            LIST_ITEM_SCHEMA.to_owned(),
            serde_json::json!({"description": "One item of a list, decoded on its own."}),
        );
    }
}

/// `impl crate::pages::ListDocument` for each list document, so that the client's generic
/// page stream works for any list operation of the spec without handwritten code.
fn list_document_impls(
    lists: &[ListDocumentSchema],
) -> Result<proc_macro2::TokenStream, progenitor::Error> {
    let mut source = String::new();
    for list in lists {
        let item = rust_type_of(&list.item);
        let included = if list.has_included {
            "self.included"
        } else {
            "::std::vec::Vec::new()"
        };
        source.push_str(&format!(
            "impl crate::pages::ListDocument for types::{name} {{\n\
                 type Item = {item};\n\
                 fn into_parts(self) -> crate::pages::ListParts<Self::Item> {{\n\
                     crate::pages::ListParts {{\n\
                         items: self.data.into_iter().enumerate()\n\
                             .map(|(position, raw)| raw.decode::<{item}>(position))\n\
                             .collect(),\n\
                         meta: ::std::convert::From::from(self.meta),\n\
                         included: {included},\n\
                     }}\n\
                 }}\n\
             }}\n",
            name = list.name,
        ));
    }
    source
        .parse()
        .map_err(|e| progenitor::Error::InternalError(format!("list document impls: {e}")))
}

/// A single-resource document of the spec: a schema whose required `data` is one
/// resource schema (by `$ref`), such as the answer of a get, a create or an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SingleDocumentSchema {
    /// The document's schema name.
    pub name: String,
    /// The schema name of `data`.
    pub data: String,
    /// Whether the document has an `included` member.
    pub has_included: bool,
}

/// Finds the single-resource documents of the spec (see [`SingleDocumentSchema`]), in
/// name order.
pub(crate) fn single_documents(doc: &Value) -> Vec<SingleDocumentSchema> {
    let mut found = Vec::new();
    for (name, schema) in component_schemas(doc) {
        let requires_data = schema
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(|required| required.iter().any(|r| r == "data"));
        let data = schema
            .pointer("/properties/data/$ref")
            .and_then(Value::as_str)
            .and_then(|target| target.strip_prefix("#/components/schemas/"));
        // A resource, not a bare identifier (a request's relationship): it has more.
        let is_resource = data
            .and_then(|data| doc.pointer(&format!("/components/schemas/{data}/properties")))
            .is_some_and(|p| p.get("attributes").is_some() || p.get("relationships").is_some());
        if let (true, true, Some(data)) = (requires_data, is_resource, data) {
            found.push(SingleDocumentSchema {
                name: name.clone(),
                data: data.to_owned(),
                has_included: schema.pointer("/properties/included").is_some(),
            });
        }
    }
    found
}

/// The Rust type a schema is generated as: its replacement, or `types::Name`.
pub(crate) fn rust_type_of(schema: &str) -> String {
    REPLACEMENTS
        .iter()
        .find(|(name, _, _)| *name == schema)
        .map_or_else(
            || format!("types::{schema}"),
            |(_, path, _)| (*path).to_owned(),
        )
}

/// `impl crate::resource::SingleDocument` for each single-resource document, so that the
/// client's generic get, create and update read any of them without handwritten code.
fn single_document_impls(
    singles: &[SingleDocumentSchema],
) -> Result<proc_macro2::TokenStream, progenitor::Error> {
    let mut source = String::new();
    for single in singles {
        let included = if single.has_included {
            "self.included"
        } else {
            "::std::vec::Vec::new()"
        };
        source.push_str(&format!(
            "impl crate::resource::SingleDocument for types::{name} {{\n\
                 type Data = {data};\n\
                 fn into_parts(self) -> (Self::Data, ::std::vec::Vec<crate::jsonapi::Resource>) {{\n\
                     (self.data, {included})\n\
                 }}\n\
             }}\n",
            name = single.name,
            data = rust_type_of(&single.data),
        ));
    }
    source
        .parse()
        .map_err(|e| progenitor::Error::InternalError(format!("single document impls: {e}")))
}

/// The JSON:API type string of each resource schema that answers carry (a single
/// document's `data` or a list's item) and that names it: its `type` property's single
/// `enum` value or its `example`. In name order, each schema once.
pub(crate) fn resource_types(
    doc: &Value,
    lists: &[ListDocumentSchema],
    singles: &[SingleDocumentSchema],
) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = Vec::new();
    let schemas = lists
        .iter()
        .map(|list| &list.item)
        .chain(singles.iter().map(|single| &single.data));
    for schema in schemas {
        let Some(type_) = doc.pointer(&format!("/components/schemas/{schema}/properties/type"))
        else {
            continue;
        };
        let named = match type_.get("enum").and_then(Value::as_array) {
            Some(values) if values.len() == 1 => values[0].as_str(),
            Some(_) => None,
            None => type_.get("example").and_then(Value::as_str),
        };
        if let Some(named) = named
            && !found.iter().any(|(s, _)| s == schema)
        {
            found.push((schema.clone(), named.to_owned()));
        }
    }
    found.sort();
    found
}

/// `impl crate::resource::ResourceType` for each schema of [`resource_types`] (its type
/// string and its fields), and `RESOURCE_TYPES`, every type string of them and of the
/// request identifiers.
fn resource_type_impls(
    fields: &[(String, fields::ResourceFields)],
    types: &[(String, String)],
    identifiers: &[links::Identifier],
) -> Result<proc_macro2::TokenStream, progenitor::Error> {
    let mut source = String::new();
    let mut strings: Vec<&str> = identifiers.iter().map(|i| i.type_.as_str()).collect();
    for (schema, type_) in types {
        let fields = fields
            .iter()
            .find(|(s, _)| s == schema)
            .map(|(_, f)| fields::expression(f))
            .unwrap_or_else(|| fields::expression(&fields::ResourceFields::default()));
        source.push_str(&format!(
            "impl crate::resource::ResourceType for {rust} {{\n\
                 const TYPE: &'static str = {type_:?};\n\
                 const FIELDS: crate::ResourceFields = {fields};\n\
             }}\n",
            rust = rust_type_of(schema),
        ));
        if !strings.contains(&type_.as_str()) {
            strings.push(type_);
        }
    }
    strings.sort_unstable();
    strings.dedup();
    source.push_str(&format!(
        "/// The type string of every resource the spec's answers carry (from each resource's \
         `type`: its `enum` or `example`).\n\
         pub const RESOURCE_TYPES: &[&str] = &{strings:?};\n"
    ));
    source
        .parse()
        .map_err(|e| progenitor::Error::InternalError(format!("resource type impls: {e}")))
}

#[cfg(test)]
mod tests;
