//! The JSON:API type strings the fake sends, read from the spec once, before a fake starts:
//! a resource's from its request schema's `type` (a one-value `enum`, or a `const`), a
//! relationship's target's from the identifier schema its `data` names (or an
//! `x-ctrlhub-target` on the relationship), a relationship endpoint's from the
//! `x-ctrlhub-target` on its request body. Every place the spec names one type must agree,
//! or the fake does not start: it would send one string and accept another.

use std::sync::OnceLock;

use serde_json::Value;

/// The type strings of the resources the fake stores and links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResourceTypes {
    /// A customer interaction's.
    pub(crate) interaction: String,
    /// A contact's.
    pub(crate) contact: String,
    /// A customer account's.
    pub(crate) account: String,
    /// A property's (the fake stores none; accounts and interactions link them).
    pub(crate) property: String,
    /// A user's, an organisation member's: the fake's members, the author included.
    pub(crate) user: String,
    /// An organisation's. The fake's own: the spec names no organisation type anywhere (its
    /// `organisation` relationships are tolerant `ResourceIdentifier`s, and no request
    /// links an organisation).
    pub(crate) organisation: &'static str,
}

/// Where the spec names a type: the `type` of a resource schema, the target of a
/// relationship of a resource schema, or the `x-ctrlhub-target` of a request body.
enum Source {
    Resource(&'static str),
    Relationship(&'static str, &'static str),
    Target(&'static str, &'static str),
}

use Source::{Relationship, Resource, Target};

const RELINK_CONTACT: &str =
    "/v3/orgs/{org_id}/customers/interactions/{customer_interaction_id}/relationships/contact";
const RELINK_ACCOUNT: &str =
    "/v3/orgs/{org_id}/customers/interactions/{customer_interaction_id}/relationships/account";
const RELINK_REPRESENTATIVE: &str = "/v3/orgs/{org_id}/customers/interactions/\
    {customer_interaction_id}/relationships/representative";
const ACCOUNT_CONTACTS: &str =
    "/v3/orgs/{org_id}/customers/accounts/{customer_account_id}/relationships/contacts";

/// The resource types of the spec this crate carries, read once; `Err` names what the
/// spec lacks (or why it did not load).
pub(crate) fn resource_types() -> Result<&'static ResourceTypes, String> {
    static TYPES: OnceLock<Result<ResourceTypes, String>> = OnceLock::new();
    TYPES
        .get_or_init(|| {
            super::parsed()
                .as_ref()
                .map_err(Clone::clone)
                .and_then(resource_types_in)
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// The resource types `doc` (an OpenAPI document) names. Each is read where the fake
/// meets it (the requests it checks); the first place listed answers, the others must
/// agree with it.
pub(crate) fn resource_types_in(doc: &Value) -> Result<ResourceTypes, String> {
    let interaction = [
        Resource("NewInteractionResource"),
        Resource("InteractionUpdateResource"),
    ];
    let contact = [
        Relationship("NewInteractionResource", "contact"),
        Relationship("NewCustomerAccountResource", "contacts"),
        Resource("ContactUpdateResource"),
        Target(RELINK_CONTACT, "patch"),
        Target(ACCOUNT_CONTACTS, "post"),
        Target(ACCOUNT_CONTACTS, "patch"),
    ];
    let account = [
        Relationship("NewInteractionResource", "account"),
        Resource("NewCustomerAccountResource"),
        Target(RELINK_ACCOUNT, "patch"),
    ];
    let property = [
        Relationship("NewInteractionResource", "property"),
        Relationship("NewCustomerAccountResource", "properties"),
    ];
    let user = [
        Relationship("NewInteractionResource", "representative"),
        Target(RELINK_REPRESENTATIVE, "patch"),
    ];
    Ok(ResourceTypes {
        interaction: agreed(doc, "a customer interaction", &interaction)?,
        contact: agreed(doc, "a contact", &contact)?,
        account: agreed(doc, "a customer account", &account)?,
        property: agreed(doc, "a property", &property)?,
        user: agreed(doc, "a user", &user)?,
        organisation: "organisations",
    })
}

/// The type string `sources` name in `doc`, which must all name the same one.
fn agreed(doc: &Value, what: &str, sources: &[Source]) -> Result<String, String> {
    let mut first: Option<(String, String)> = None;
    for source in sources {
        let (value, at) = match *source {
            Resource(schema) => (resource_type_in(doc, schema)?, format!("{schema}.type")),
            Relationship(schema, name) => (
                relationship_target_in(doc, schema, name)?,
                format!("{schema}'s `{name}` relationship"),
            ),
            Target(template, method) => (
                request_target_in(doc, template, method)?,
                format!("{method} {template}"),
            ),
        };
        match &first {
            None => first = Some((value, at)),
            Some((answer, answer_at)) if *answer != value => {
                return Err(format!(
                    "the spec names two types for {what}: `{answer}` ({answer_at}) and \
                     `{value}` ({at})"
                ));
            }
            Some(_) => {}
        }
    }
    first
        .map(|(answer, _)| answer)
        .ok_or_else(|| format!("nothing names the type of {what}"))
}

/// The type of the resource schema `#/components/schemas/{schema}` of `doc`: its `type`
/// member's one-value `enum` (or `const`).
pub(crate) fn resource_type_in(doc: &Value, schema: &str) -> Result<String, String> {
    named(doc, schema)
        .and_then(|resource| one_type(doc, resource))
        .map(str::to_owned)
        .ok_or_else(|| {
            format!("#/components/schemas/{schema} has no `type` with a one-value `enum`")
        })
}

/// The type the relationship `relationship` of the resource schema `schema` links: an
/// `x-ctrlhub-target` on the relationship, else the one-value `enum` of the `type` of the
/// identifier schema its `data` (or each item of it) refers to.
pub(crate) fn relationship_target_in(
    doc: &Value,
    schema: &str,
    relationship: &str,
) -> Result<String, String> {
    let named_here = format!("the `{relationship}` relationship of #/components/schemas/{schema}");
    let linked = named(doc, schema)
        .and_then(|resource| member(doc, resource, "relationships"))
        .and_then(|relationships| member(doc, relationships, relationship))
        .ok_or_else(|| format!("{named_here} is not in the spec"))?;
    let marked = [linked, resolve_in(doc, linked)]
        .into_iter()
        .find_map(|schema| schema.get("x-ctrlhub-target").and_then(Value::as_str));
    if let Some(marked) = marked {
        return Ok(marked.to_owned());
    }
    let data = member(doc, linked, "data").unwrap_or(&Value::Null);
    let resolved = resolve_in(doc, data);
    let identifier = match resolved.get("items") {
        Some(items) if resolved.get("type").and_then(Value::as_str) == Some("array") => items,
        _ => data,
    };
    one_type(doc, identifier).map(str::to_owned).ok_or_else(|| {
        let which = identifier
            .get("$ref")
            .and_then(Value::as_str)
            .unwrap_or("its identifier schema");
        format!(
            "{named_here} names no target type: {which} has no `type` with a one-value \
             `enum`, and the relationship no `x-ctrlhub-target`"
        )
    })
}

/// The `x-ctrlhub-target` of the request body of `method` on the path `template`.
pub(crate) fn request_target_in(
    doc: &Value,
    template: &str,
    method: &str,
) -> Result<String, String> {
    doc.pointer(&super::operation_pointer(template, method))
        .and_then(|operation| operation.get("requestBody"))
        .map(|body| resolve_in(doc, body))
        .and_then(|body| body.get("x-ctrlhub-target"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("the body of {method} {template} has no `x-ctrlhub-target`"))
}

/// `schema`, or what its `$ref` (a pointer into `doc`) refers to, followed to the end;
/// `null` where a reference leads nowhere.
pub(super) fn resolve_in<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(target) => target
            .strip_prefix('#')
            .and_then(|pointer| doc.pointer(pointer))
            .map(|found| resolve_in(doc, found))
            .unwrap_or(&Value::Null),
        None => schema,
    }
}

fn named<'a>(doc: &'a Value, schema: &str) -> Option<&'a Value> {
    doc.pointer("/components/schemas")
        .and_then(|schemas| schemas.get(schema))
        .map(|found| resolve_in(doc, found))
}

/// The member `name` of the object schema `schema`, in its `properties` or those of one of
/// its `allOf` parts (as written: not resolved, so that a mark beside a `$ref` is kept).
fn member<'a>(doc: &'a Value, schema: &'a Value, name: &str) -> Option<&'a Value> {
    let schema = resolve_in(doc, schema);
    schema
        .get("properties")
        .and_then(|properties| properties.get(name))
        .or_else(|| {
            schema
                .get("allOf")?
                .as_array()?
                .iter()
                .find_map(|part| member(doc, part, name))
        })
}

/// The one type string the `type` member of `schema` allows.
fn one_type<'a>(doc: &'a Value, schema: &'a Value) -> Option<&'a str> {
    let type_ = resolve_in(doc, member(doc, schema, "type")?);
    if let Some(constant) = type_.get("const").and_then(Value::as_str) {
        return Some(constant);
    }
    match type_.get("enum")?.as_array()?.as_slice() {
        [one] => one.as_str(),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
