//! The names of each resource's fields and options, as the spec writes them, for
//! `ctrlhub::ResourceFields`: the one list of attributes, relationships, `meta` members,
//! what a create and an update may set, and what a list may filter, sort and include.
//! The CLI's columns and the typed API's by-name accessors read them, so an attribute
//! added to the spec reaches both with no other edit.
//!
//! Names keep the spec file's order (the JSON document this crate works on sorts object
//! keys, so the order is read from the YAML as written).

use serde_json::Value;

use crate::SingleDocumentSchema;
use crate::operations::OperationImpl;

/// The fields of one resource schema (the generated type `ResourceType` is implemented
/// for), each list in spec order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ResourceFields {
    pub attributes: Vec<String>,
    pub relationships: Vec<String>,
    pub meta: Vec<String>,
    pub create_attributes: Vec<String>,
    pub create_relationships: Vec<String>,
    pub update_attributes: Vec<String>,
    pub filters: Vec<String>,
    pub sorts: Vec<String>,
    pub includes: Vec<String>,
}

/// The spec, twice: as the JSON the generator works on (for `$ref`s), and as written (for
/// the order of an object's keys).
pub(crate) struct Spec<'a> {
    pub doc: &'a Value,
    pub ordered: &'a serde_norway::Value,
}

impl Spec<'_> {
    /// The property names of the object schema at `schema` (a node of `doc`, after its
    /// `$ref`), its `allOf` members' first, each once, in the file's order.
    fn property_names(&self, schema: &Value) -> Vec<String> {
        let (pointer, schema) = match schema.get("$ref").and_then(Value::as_str) {
            Some(target) => match target
                .strip_prefix('#')
                .and_then(|p| Some((p, self.doc.pointer(p)?)))
            {
                Some((pointer, schema)) => (Some(pointer), schema),
                None => return Vec::new(),
            },
            None => (None, schema),
        };
        let mut names: Vec<String> = schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .flat_map(|member| self.property_names(member))
            .collect();
        let own = schema.get("properties").and_then(Value::as_object);
        let ordered = pointer.and_then(|p| self.ordered_keys(&format!("{p}/properties")));
        let own: Vec<String> = match (own, ordered) {
            (Some(_), Some(ordered)) => ordered,
            (Some(own), None) => own.keys().cloned().collect(),
            (None, _) => Vec::new(),
        };
        for name in own {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }

    /// The keys of the mapping at the JSON pointer `pointer` of the file as written.
    fn ordered_keys(&self, pointer: &str) -> Option<Vec<String>> {
        let mut node = self.ordered;
        for segment in pointer.split('/').skip(1) {
            let segment = segment.replace("~1", "/").replace("~0", "~");
            node = node.as_mapping()?.get(segment.as_str())?;
        }
        Some(
            node.as_mapping()?
                .keys()
                .filter_map(|key| key.as_str().map(str::to_owned))
                .collect(),
        )
    }

    /// The names of the member `member` (`attributes`, `relationships`, `meta`) of the
    /// resource schema `resource`.
    fn member_names(&self, resource: &str, member: &str) -> Vec<String> {
        self.doc
            .pointer(&format!(
                "/components/schemas/{resource}/properties/{member}"
            ))
            .map(|schema| self.property_names(schema))
            .unwrap_or_default()
    }
}

/// The fields of each resource schema in `schemas`, from the spec and the operations that
/// reach it (a create or an update whose answer carries it, a list or a get of it).
pub(crate) fn resource_fields(
    spec: &Spec<'_>,
    schemas: &[(String, String)],
    operations: &[OperationImpl],
    singles: &[SingleDocumentSchema],
) -> Vec<(String, ResourceFields)> {
    let data_of = |document: &str| {
        singles
            .iter()
            .find(|single| single.name == document)
            .map(|single| single.data.as_str())
    };
    schemas
        .iter()
        .map(|(schema, _)| {
            let of = |trait_name: &str| {
                operations.iter().find(|op| {
                    op.trait_name == trait_name
                        && match trait_name {
                            "PostOperation" | "PutOperation" => {
                                data_of(&op.answer) == Some(schema.as_str())
                            }
                            _ => op.schema == *schema,
                        }
                })
            };
            let body_data = |trait_name: &str| of(trait_name).and_then(|op| data_of(&op.schema));
            let create = body_data("PostOperation");
            let list = of("ListOperation");
            let list_values = |param: &str| {
                list.and_then(|op| op.query_values.get(param).cloned())
                    .unwrap_or_default()
            };
            let fields = ResourceFields {
                attributes: spec.member_names(schema, "attributes"),
                relationships: spec.member_names(schema, "relationships"),
                meta: spec.member_names(schema, "meta"),
                create_attributes: create
                    .map(|data| spec.member_names(data, "attributes"))
                    .unwrap_or_default(),
                create_relationships: create
                    .map(|data| spec.member_names(data, "relationships"))
                    .unwrap_or_default(),
                update_attributes: body_data("PutOperation")
                    .map(|data| spec.member_names(data, "attributes"))
                    .unwrap_or_default(),
                filters: list_values("filter"),
                sorts: list_values("sort"),
                includes: of("GetOperation")
                    .map(|op| op.include_values.clone())
                    .filter(|values| !values.is_empty())
                    .unwrap_or_else(|| list_values("include")),
            };
            (schema.clone(), fields)
        })
        .collect()
}

/// The Rust expression of `fields`, a `crate::ResourceFields`.
pub(crate) fn expression(fields: &ResourceFields) -> String {
    format!(
        "crate::ResourceFields {{ attributes: &{:?}, relationships: &{:?}, meta: &{:?}, \
         create_attributes: &{:?}, create_relationships: &{:?}, update_attributes: &{:?}, \
         filters: &{:?}, sorts: &{:?}, includes: &{:?} }}",
        fields.attributes,
        fields.relationships,
        fields.meta,
        fields.create_attributes,
        fields.create_relationships,
        fields.update_attributes,
        fields.filters,
        fields.sorts,
        fields.includes,
    )
}
