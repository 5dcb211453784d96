use serde_json::json;

use super::*;

const CREATE: &str = "/v3/orgs/{org_id}/customers/interactions";

fn create(attributes: Value, relationships: Value) -> Result<(), Violation> {
    check_request(
        CREATE,
        "post",
        &json!({"data": {"type": "customer-interactions", "attributes": attributes,
                         "relationships": relationships}}),
    )
}

fn refused(result: Result<(), Violation>) -> (String, String) {
    let violation = result.expect_err("refused");
    (violation.pointer, violation.detail)
}

#[test]
fn a_documented_create_passes() {
    let contact =
        json!({"data": {"type": "contacts", "id": "3c90c3cc-0d44-4b50-8888-8dd25736052a"}});
    assert_eq!(
        create(
            json!({"method": "email", "direction": "inbound", "date_time": "2023-11-07T05:31:56Z",
                   "contacted": true, "status": "scheduled", "notes": "n"}),
            json!({"contact": contact}),
        ),
        Ok(())
    );
}

#[test]
fn enum_values_types_and_formats_come_from_the_spec() {
    // An open set (`x-extensible-enum`) takes any value: Ctrl Hub may add some.
    assert_eq!(
        create(
            json!({"method": "pigeon", "status": "completed"}),
            json!({})
        ),
        Ok(())
    );
    let (at, why) = refused(create(json!({"method": 7}), json!({})));
    assert_eq!(at, "/data/attributes/method");
    assert!(why.contains("must be of type string"), "{why}");
    let (at, why) = refused(create(json!({"contacted": "yes"}), json!({})));
    assert_eq!(at, "/data/attributes/contacted");
    assert!(why.contains("must be of type boolean"), "{why}");
    let (at, why) = refused(create(json!({"date_time": "2023-11-07 05:31"}), json!({})));
    assert_eq!(at, "/data/attributes/date_time");
    assert!(why.contains("not a valid date-time"), "{why}");
}

#[test]
fn the_resource_type_and_relationship_targets_come_from_the_spec() {
    let (at, why) = refused(check_request(
        CREATE,
        "post",
        &json!({"data": {"type": "interactions", "attributes": {}}}),
    ));
    assert_eq!(
        (at.as_str(), why.contains("is not one of")),
        ("/data/type", true)
    );
    let wrong = json!({"data": {"type": "users", "id": "3c90c3cc-0d44-4b50-8888-8dd25736052a"}});
    let (at, _) = refused(create(json!({}), json!({"contact": wrong})));
    assert_eq!(at, "/data/relationships/contact/data/type");
    let bad_id = json!({"data": {"type": "contacts", "id": "nope"}});
    let (at, _) = refused(create(json!({}), json!({"contact": bad_id})));
    assert_eq!(at, "/data/relationships/contact/data/id");
}

#[test]
fn unknown_relationship_and_attribute_names_are_refused() {
    let account = json!({"data": {"type": "customer-accounts", "id": "3c90c3cc-0d44-4b50-8888-8dd25736052a"}});
    let (at, why) = refused(create(json!({}), json!({"customer_account": account})));
    assert_eq!(at, "/data/relationships/customer_account");
    assert!(why.contains("not a documented member"), "{why}");
    let (at, _) = refused(create(json!({"priority": 3}), json!({})));
    assert_eq!(at, "/data/attributes/priority");
}

#[test]
fn relationship_endpoints_check_the_target_type_of_every_identifier() {
    let path = "/v3/orgs/{org_id}/customers/accounts/{customer_account_id}/relationships/contacts";
    let good =
        json!({"data": [{"type": "contacts", "id": "3c90c3cc-0d44-4b50-8888-8dd25736052a"}]});
    assert_eq!(check_request(path, "post", &good), Ok(()));
    let bad = json!({"data": [{"type": "contacts", "id": "3c90c3cc-0d44-4b50-8888-8dd25736052a"},
                              {"type": "users", "id": "3c90c3cc-0d44-4b50-8888-8dd25736052a"}]});
    assert_eq!(
        refused(check_request(path, "patch", &bad)).0,
        "/data/1/type"
    );
    assert!(has_operation(path, "patch"));
    assert!(!has_operation(path, "delete"));
    let (_, why) = refused(check_request(path, "delete", &good));
    assert!(why.contains("the spec has no delete"), "{why}");
}

#[test]
fn null_is_accepted_only_where_the_spec_says_nullable() {
    // Unlinking with null is not documented, so a relink's body refuses it ...
    let relink =
        "/v3/orgs/{org_id}/customers/interactions/{customer_interaction_id}/relationships/contact";
    let refused_null = check_request(relink, "patch", &json!({"data": null})).unwrap_err();
    assert_eq!(
        (refused_null.pointer.as_str(), refused_null.detail.as_str()),
        ("/data", "must not be null")
    );
    // ... and a schema that says `nullable` takes it.
    let nullable = json!({"type": "object", "nullable": true});
    assert_eq!(check(&nullable, &serde_json::Value::Null, "/x"), Ok(()));
    let (at, why) = refused(create(json!({"notes": null}), json!({})));
    assert_eq!(
        (at.as_str(), why.as_str()),
        ("/data/attributes/notes", "must not be null")
    );
}

#[test]
fn ids_are_hyphenated_uuids_and_query_parameters_are_declared_ones() {
    let id = "3c90c3cc-0d44-4b50-8888-8dd25736052a";
    assert!(is_hyphenated_uuid(id));
    assert!(is_hyphenated_uuid(&id.to_uppercase()));
    for other in [
        format!("urn:uuid:{id}"),
        format!("{{{id}}}"),
        id.replace('-', ""),
        "12".to_owned(),
    ] {
        assert!(!is_hyphenated_uuid(&other), "{other}");
    }
    let path = format!("/v3/orgs/{id}/customers/interactions/urn:uuid:{id}");
    assert_eq!(
        check_parameters("GET", &path, &[]),
        Err(BadParameter {
            name: "customer_interaction_id".into(),
            detail: format!("`urn:uuid:{id}` is not a hyphenated UUID"),
        })
    );
    let list = format!("/v3/orgs/{id}/customers/interactions");
    let query = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    let declared = query(&[
        ("limit", "5"),
        ("offset", "0"),
        ("sort", "-date_time"),
        ("include", "contact"),
        ("filter[method]", "email"),
    ]);
    assert_eq!(check_parameters("GET", &list, &declared), Ok(()));
    for undeclared in ["page[limit]", "filter", "filterx[method]", "filter]", "q"] {
        let refused = check_parameters("GET", &list, &query(&[(undeclared, "5")])).unwrap_err();
        assert_eq!(refused.name, undeclared);
    }
    // A member's get takes no include; a path the spec does not have is the router's.
    let member = format!("/v3/orgs/{id}/iam/members/{id}");
    assert!(check_parameters("GET", &member, &query(&[("include", "teams")])).is_err());
    assert_eq!(
        check_parameters("GET", "/elsewhere", &query(&[("q", "1")])),
        Ok(())
    );
    assert_eq!(check_parameters("DELETE", &member, &[]), Ok(()));
}

#[test]
fn a_spec_that_does_not_load_is_named_and_the_carried_one_loads() {
    assert_eq!(loaded().map(|types| types.contact.as_str()), Ok("contacts"));
    assert!(
        parse("paths: [unclosed")
            .unwrap_err()
            .starts_with("not YAML")
    );
    assert_eq!(parse("openapi: 3.0.3\n").unwrap_err(), "it has no `paths`");
}

#[test]
fn the_lists_the_fake_enforces_come_from_the_spec() {
    let interactions = "/v3/orgs/{org_id}/customers/interactions";
    assert_eq!(
        parameter_values(interactions, "get", "include"),
        [
            "author",
            "organisation",
            "representative",
            "account",
            "contact",
            "property"
        ]
    );
    assert_eq!(
        parameter_values(interactions, "get", "sort"),
        ["date_time", "method", "direction", "created_at"]
    );
    assert_eq!(
        parameter_values(interactions, "get", "filter"),
        ["method", "direction", "status", "contacted"]
    );
    assert!(parameter_values("/v3/orgs/{org_id}/iam/members", "get", "include").is_empty());
    assert!(parameter_values("/nowhere", "get", "include").is_empty());
    assert_eq!(
        updatable("/v3/orgs/{org_id}/customers/interactions/{customer_interaction_id}"),
        ["contacted", "date_time", "notes"]
    );
    assert_eq!(
        updatable("/v3/orgs/{org_id}/customers/contacts/{contact_id}"),
        ["email", "first_name", "last_name", "telephone"]
    );
    assert!(updatable("/v3/orgs/{org_id}/iam/members/{member_id}").is_empty());
}
