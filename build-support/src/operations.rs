//! The typed API's way into the generated operations: for each operation of a shape the
//! typed API shares (a resource's get, list, create or update), an impl that sends it, so
//! that no resource of the client writes its requests by hand.
//!
//! - a get (`GET .../{id}` answering one resource `R`): `GetOperation for R`;
//! - a list (`GET` answering a list document of `R`): `ListOperation for R`;
//! - an update (`PUT .../{id}` with a single-resource body `B`): `PutOperation for B`;
//! - a create (`POST` without an id, with a single-resource body `B`): `PostOperation for B`.
//!
//! The organisation is the `org_id` path parameter; a get's or an update's other path
//! parameter is the resource's id. Operations of other shapes (the relationship
//! endpoints) are left to the handwritten layer. Two operations of one shape for the same
//! type would be ambiguous, and fail the build naming both.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::{HTTP_METHODS, ListDocumentSchema, SingleDocumentSchema, rust_type_of};

/// The organisation's path parameter.
const ORG_PARAM: &str = "org_id";

/// The list parameters the typed API sets, as the generated builder names them.
const LIST_PARAMS: &[&str] = &["limit", "offset", "filter", "sort", "include"];

/// One operation the typed API reaches, and the impl that sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OperationImpl {
    /// The trait implemented (`GetOperation`, ...).
    pub trait_name: &'static str,
    /// The schema it is implemented for.
    pub schema: String,
    /// The operation's `operationId` (its generated method).
    pub operation: String,
    /// `METHOD path`, for messages.
    pub at: String,
    /// The resource id's path parameter, for a get or an update.
    pub id_param: Option<String>,
    /// The query parameters of [`LIST_PARAMS`] the operation takes.
    pub query: Vec<String>,
    /// The answer's document schema.
    pub answer: String,
    /// For an update: the attributes its body can carry, as the spec names them.
    pub fields: Vec<String>,
    /// For a get: the values its `include` takes (`x-ctrlhub-values`), in spec order.
    pub include_values: Vec<String>,
    /// The values (`x-ctrlhub-values`) each query parameter of [`LIST_PARAMS`] it takes
    /// declares, on the parameter or its schema, in spec order.
    pub query_values: BTreeMap<String, Vec<String>>,
}

/// The operations of the shapes above, each once, in path order.
pub(crate) fn operation_impls(
    doc: &Value,
    lists: &[ListDocumentSchema],
    singles: &[SingleDocumentSchema],
) -> Result<Vec<OperationImpl>, String> {
    let mut found: BTreeMap<(&'static str, String), OperationImpl> = BTreeMap::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Ok(Vec::new());
    };
    for (path, item) in paths {
        for (method, op) in item.as_object().into_iter().flatten() {
            if !HTTP_METHODS.contains(&method.as_str()) {
                continue;
            }
            let params = parameters(doc, item, op);
            let Some(shape) = shape_of(doc, method, op, &params, lists, singles) else {
                continue;
            };
            let at = format!("{} {path}", method.to_uppercase());
            let key = (shape.trait_name, shape.schema.clone());
            if let Some(other) = found.get(&key) {
                return Err(format!(
                    "{at} and {} are both a {} of `{}`; the typed API cannot tell which to use",
                    other.at, shape.trait_name, shape.schema
                ));
            }
            let operation = op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let query_values: BTreeMap<String, Vec<String>> = LIST_PARAMS
                .iter()
                .map(|name| ((*name).to_owned(), query_values(doc, item, op, name)))
                .filter(|(_, values)| !values.is_empty())
                .collect();
            let include_values = if shape.trait_name == "GetOperation" {
                query_values.get("include").cloned().unwrap_or_default()
            } else {
                Vec::new()
            };
            found.insert(
                key,
                OperationImpl {
                    operation,
                    at,
                    include_values,
                    query_values,
                    ..shape
                },
            );
        }
    }
    Ok(found.into_values().collect())
}

/// A parameter's `name` and `in`, after its `$ref`.
fn parameters(doc: &Value, item: &Value, op: &Value) -> Vec<(String, String)> {
    let listed = |node: &Value| -> Vec<Value> {
        node.get("parameters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    listed(item)
        .into_iter()
        .chain(listed(op))
        .filter_map(|parameter| {
            let parameter = resolve(doc, &parameter)?;
            let name = parameter.get("name")?.as_str()?.to_owned();
            let place = parameter.get("in")?.as_str()?.to_owned();
            Some((name, place))
        })
        .collect()
}

/// The `x-ctrlhub-values` of the operation's query parameter `name`, written on the
/// parameter (as a deep object's field names are) or on its schema.
fn query_values(doc: &Value, item: &Value, op: &Value, name: &str) -> Vec<String> {
    [item, op]
        .into_iter()
        .filter_map(|node| node.get("parameters").and_then(Value::as_array))
        .flatten()
        .filter_map(|parameter| resolve(doc, parameter))
        .filter(|p| {
            p.get("name").and_then(Value::as_str) == Some(name)
                && p.get("in").and_then(Value::as_str) == Some("query")
        })
        .find_map(|p| {
            p.get("x-ctrlhub-values")
                .or_else(|| p.pointer("/schema/x-ctrlhub-values"))
                .and_then(Value::as_array)
        })
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

/// `node`, or what its local `$ref` points at.
fn resolve<'a>(doc: &'a Value, node: &'a Value) -> Option<&'a Value> {
    match node.get("$ref").and_then(Value::as_str) {
        Some(target) => doc.pointer(target.strip_prefix('#')?),
        None => Some(node),
    }
}

/// The schema name a body (request body or response, after `$ref`) carries.
fn body_schema(doc: &Value, body: &Value) -> Option<String> {
    let body = resolve(doc, body)?;
    let (_, media) = body.get("content")?.as_object()?.iter().next()?;
    let target = media.pointer("/schema/$ref")?.as_str()?;
    Some(target.strip_prefix("#/components/schemas/")?.to_owned())
}

/// The operation's shape, if it is one the typed API shares (without its id and place).
fn shape_of(
    doc: &Value,
    method: &str,
    op: &Value,
    params: &[(String, String)],
    lists: &[ListDocumentSchema],
    singles: &[SingleDocumentSchema],
) -> Option<OperationImpl> {
    let in_path: Vec<&str> = params
        .iter()
        .filter(|(_, place)| place == "path")
        .map(|(name, _)| name.as_str())
        .collect();
    if !in_path.contains(&ORG_PARAM) {
        return None;
    }
    let ids: Vec<&str> = in_path.into_iter().filter(|p| *p != ORG_PARAM).collect();
    let query: Vec<String> = params
        .iter()
        .filter(|(name, place)| place == "query" && LIST_PARAMS.contains(&name.as_str()))
        .map(|(name, _)| name.clone())
        .collect();
    let answer = op
        .get("responses")?
        .as_object()?
        .iter()
        .filter(|(code, _)| code.starts_with('2'))
        .find_map(|(_, response)| body_schema(doc, response))?;
    let single_answer = singles.iter().find(|single| single.name == answer);
    let body = op
        .get("requestBody")
        .and_then(|body| body_schema(doc, body));
    let single_body = body
        .as_deref()
        .and_then(|body| singles.iter().find(|single| single.name == body));
    let shape = |trait_name, schema: &str, id_param: Option<&str>| OperationImpl {
        trait_name,
        schema: schema.to_owned(),
        operation: String::new(),
        at: String::new(),
        id_param: id_param.map(str::to_owned),
        query: query.clone(),
        answer: answer.clone(),
        fields: Vec::new(),
        include_values: Vec::new(),
        query_values: BTreeMap::new(),
    };
    match (method, ids.as_slice(), single_answer) {
        ("get", [], _) => {
            let list = lists.iter().find(|list| list.name == answer)?;
            Some(shape("ListOperation", &list.item, None))
        }
        ("get", [id], Some(single)) => Some(shape("GetOperation", &single.data, Some(id))),
        ("put", [id], Some(_)) => {
            let body = single_body?;
            Some(OperationImpl {
                fields: attribute_names(doc, &body.data),
                ..shape("PutOperation", &body.name, Some(id))
            })
        }
        ("post", [], Some(_)) => Some(shape("PostOperation", &single_body?.name, None)),
        _ => None,
    }
}

/// Makes the attributes object of every update and create body (`PutOperation`,
/// `PostOperation`) open, in memory only, so that its generated type has `extra`: the
/// read-then-write update carries the attributes Ctrl Hub sent that the spec does not
/// name, which a replacing PUT would otherwise clear, and a create can carry them back
/// (an export's `extra` column, imported). The file keeps the requests closed, as the docs
/// define them (so the fake refuses them unless told otherwise).
pub(crate) fn open_request_attributes(doc: &mut Value, operations: &[OperationImpl]) {
    for op in operations
        .iter()
        .filter(|op| matches!(op.trait_name, "PutOperation" | "PostOperation"))
    {
        let Some(attributes) = attributes_schema_of_body(doc, &op.schema) else {
            continue;
        };
        if let Some(schema) = doc
            .pointer_mut(&format!("/components/schemas/{attributes}"))
            .and_then(Value::as_object_mut)
        {
            schema.entry("additionalProperties").or_insert_with(
                || serde_json::json!({"description": "An attribute the spec does not name."}),
            );
        }
    }
}

/// The schema name of a single-resource body's `data.attributes`.
fn attributes_schema_of_body(doc: &Value, body: &str) -> Option<String> {
    let data = doc
        .pointer(&format!("/components/schemas/{body}/properties/data/$ref"))?
        .as_str()?
        .strip_prefix("#/components/schemas/")?;
    let attributes = doc
        .pointer(&format!(
            "/components/schemas/{data}/properties/attributes/$ref"
        ))?
        .as_str()?
        .strip_prefix("#/components/schemas/")?;
    Some(attributes.to_owned())
}

/// The attribute names of the resource schema `resource` (its `attributes`' properties).
fn attribute_names(doc: &Value, resource: &str) -> Vec<String> {
    let Some(attributes) = doc.pointer(&format!(
        "/components/schemas/{resource}/properties/attributes"
    )) else {
        return Vec::new();
    };
    resolve(doc, attributes)
        .and_then(|schema| schema.get("properties"))
        .and_then(Value::as_object)
        .map(|properties| properties.keys().cloned().collect())
        .unwrap_or_default()
}

/// The impls, as Rust source.
pub(crate) fn source(operations: &[OperationImpl]) -> String {
    let mut source = String::new();
    for op in operations {
        let name = &op.operation;
        let takes = |param: &str| op.query.iter().any(|q| q == param);
        let id = op
            .id_param
            .as_ref()
            .map(|param| format!(".{param}(at.id)"))
            .unwrap_or_default();
        let future = format!(
            "impl ::std::future::Future<Output = crate::call::RawResult<types::{}>> + Send + 'static",
            op.answer
        );
        let (module, signature, body) = match op.trait_name {
            "ListOperation" => {
                let mut body = format!(
                    "#[allow(unused_mut)]\nlet mut request = raw.{name}().org_id(at.org);\n"
                );
                for (param, value) in [
                    ("limit", "at.params.limit"),
                    ("offset", "at.offset"),
                    ("filter", "at.params.filter"),
                    ("sort", "at.params.sort"),
                    ("include", "at.params.include"),
                ] {
                    if takes(param) {
                        body.push_str(&format!(
                            "if let Some(value) = {value} {{ request = request.{param}(value); }}\n"
                        ));
                    }
                }
                let signature = format!(
                    "type Document = types::{};\n\
                     fn list(raw: Client, at: crate::list::ListTarget) -> {future}",
                    op.answer
                );
                ("list", signature, format!("{body}request.send().await"))
            }
            "GetOperation" => {
                let mut body = format!("let request = raw.{name}().org_id(at.org){id};\n");
                if takes("include") {
                    body.push_str("let mut request = request;\n");
                    body.push_str(
                        "if let Some(value) = at.include { request = request.include(value); }\n",
                    );
                }
                let signature = format!(
                    "type Document = types::{};\n\
                     fn get(raw: Client, at: crate::resource::Target) -> {future}",
                    op.answer
                );
                ("resource", signature, format!("{body}request.send().await"))
            }
            "PutOperation" => (
                "resource",
                format!(
                    "type Answer = types::{};\n\
                     const FIELDS: &'static [&'static str] = &{:?};\n\
                     fn put(self, raw: Client, at: crate::resource::Target) -> {future}",
                    op.answer, op.fields
                ),
                format!("raw.{name}().org_id(at.org){id}.body(self).send().await"),
            ),
            _ => (
                "resource",
                format!(
                    "type Answer = types::{};\n\
                     fn post(self, raw: Client, org: ::uuid::Uuid) -> {future}",
                    op.answer
                ),
                format!("raw.{name}().org_id(org).body(self).send().await"),
            ),
        };
        source.push_str(&format!(
            "/// `{at}`.\n\
             impl crate::{module}::{trait_name} for {target} {{\n\
                 {signature} {{\n async move {{\n{body}\n}}\n}}\n\
             }}\n",
            at = op.at,
            trait_name = op.trait_name,
            target = rust_type_of(&op.schema),
        ));
    }
    source
}

/// A relationship endpoint (`.../{id}/relationships/{name}`) whose success answer is read
/// without a body: one variant of the enum named for its body schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RelationshipEndpoint {
    /// The request body's schema, which names the enum (`{body}Endpoint`).
    pub body: String,
    /// The operation's `operationId`.
    pub operation: String,
    /// The resource id's path parameter.
    pub id_param: String,
    /// The type string of the resources the body links to (`x-ctrlhub-target`).
    pub target: String,
}

/// The relationship endpoints of the spec, in body and path order. Each must name the
/// type of what it links to (`x-ctrlhub-target` on its request body): the typed API
/// writes it into the body.
pub(crate) fn relationship_endpoints(doc: &Value) -> Result<Vec<RelationshipEndpoint>, String> {
    let mut found = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Ok(found);
    };
    for (path, item) in paths {
        if !path.contains("/relationships/") {
            continue;
        }
        for (method, op) in item.as_object().into_iter().flatten() {
            if !HTTP_METHODS.contains(&method.as_str()) {
                continue;
            }
            let params = parameters(doc, item, op);
            let ids: Vec<&str> = params
                .iter()
                .filter(|(name, place)| place == "path" && name != ORG_PARAM)
                .map(|(name, _)| name.as_str())
                .collect();
            let has_org = params.iter().any(|(name, _)| name == ORG_PARAM);
            let bodyless =
                op.get("responses")
                    .and_then(Value::as_object)
                    .is_some_and(|responses| {
                        responses
                            .iter()
                            .filter(|(code, _)| code.starts_with('2'))
                            .all(|(_, response)| body_schema(doc, response).is_none())
                    });
            let request = op.get("requestBody");
            let body = request.and_then(|body| body_schema(doc, body));
            let (Some(body), [id], true, true) = (body, ids.as_slice(), has_org, bodyless) else {
                continue;
            };
            let target = request
                .and_then(|r| r.get("x-ctrlhub-target"))
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    format!(
                        "paths.{path}.{method}.requestBody has no `x-ctrlhub-target` (the type \
                         string of what the relationship links to)"
                    )
                })?
                .to_owned();
            found.push(RelationshipEndpoint {
                body,
                operation: op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                id_param: (*id).to_owned(),
                target,
            });
        }
    }
    found.sort_by(|a, b| a.body.cmp(&b.body));
    Ok(found)
}

/// `set_customer_interaction_contact` → `SetCustomerInteractionContact`.
fn camel(snake: &str) -> String {
    snake
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect::<String>()
            })
        })
        .collect()
}

/// One enum per body schema, each variant an endpoint: `send` and `target`, as Rust source.
pub(crate) fn relationship_source(endpoints: &[RelationshipEndpoint]) -> String {
    let mut source = String::new();
    let mut bodies: Vec<&str> = endpoints.iter().map(|e| e.body.as_str()).collect();
    bodies.dedup();
    for body in bodies {
        let variants: Vec<&RelationshipEndpoint> =
            endpoints.iter().filter(|e| e.body == body).collect();
        let mut names = String::new();
        let mut sends = String::new();
        let mut targets = String::new();
        for endpoint in &variants {
            let variant = camel(&endpoint.operation);
            names.push_str(&format!("/// `{}`.\n{variant},\n", endpoint.operation));
            sends.push_str(&format!(
                "Self::{variant} => raw.{op}().org_id(at.org).{id}(at.id).body(body).send().await,\n",
                op = endpoint.operation,
                id = endpoint.id_param,
            ));
            targets.push_str(&format!("Self::{variant} => {:?},\n", endpoint.target));
        }
        source.push_str(&format!(
            "/// The relationship endpoints whose body is a `{body}`, for the typed API.\n\
             #[derive(Debug, Clone, Copy, PartialEq, Eq)]\n\
             pub enum {body}Endpoint {{\n{names}}}\n\
             impl crate::resource::RelationshipEndpoint for {body}Endpoint {{\n\
                 type Body = types::{body};\n\
                 fn send(self, raw: Client, at: crate::resource::Target, body: types::{body}) \
                 -> impl ::std::future::Future<Output = crate::call::RawResult<()>> + Send + 'static {{\n\
                     async move {{ match self {{\n{sends}}} }}\n\
                 }}\n\
                 fn target(self) -> &'static str {{\n\
                     match self {{\n{targets}}}\n\
                 }}\n\
             }}\n"
        ));
    }
    source
}

/// For each get that takes `include`, the enum of what it can include
/// (`{Resource}Related`, through the client's `relationships!`): its variants are the
/// spec's `include` values, each a member of the resource's relationships schema, whose
/// description documents it. A value that is not a relationship fails the build.
pub(crate) fn related_source(doc: &Value, operations: &[OperationImpl]) -> Result<String, String> {
    let mut source = String::new();
    for op in operations {
        if op.include_values.is_empty() {
            continue;
        }
        let resource = op.schema.strip_suffix("Resource").unwrap_or(&op.schema);
        let relationships = doc
            .pointer(&format!(
                "/components/schemas/{}/properties/relationships/$ref",
                op.schema
            ))
            .and_then(Value::as_str)
            .and_then(|target| target.strip_prefix("#/components/schemas/"))
            .ok_or_else(|| format!("{}: `{}` has no relationships schema", op.at, op.schema))?;
        let mut variants = String::new();
        for value in &op.include_values {
            let member = doc
                .pointer(&format!(
                    "/components/schemas/{relationships}/properties/{value}"
                ))
                .ok_or_else(|| {
                    format!(
                        "{}: `include` value `{value}` is not a relationship of `{relationships}`",
                        op.at
                    )
                })?;
            let doc_line = member
                .get("description")
                .and_then(Value::as_str)
                .map_or_else(|| format!("The `{value}` relationship."), str::to_owned);
            variants.push_str(&format!(
                "#[doc = {doc_line:?}]\n{variant} => {value},\n",
                variant = camel(value)
            ));
        }
        source.push_str(&format!(
            "crate::resource::relationships! {{\n\
                 #[doc = {header:?}]\n\
                 {resource}Related of types::{relationships} {{\n{variants}}}\n\
             }}\n",
            header = format!(
                "A relationship of `{resource}` that `include` can name: the values the \
                 spec gives `{}`'s `include`.",
                op.operation
            ),
        ));
    }
    Ok(source)
}
