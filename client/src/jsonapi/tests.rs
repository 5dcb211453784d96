use super::*;

#[test]
fn the_guides_error_array_decodes() {
    let doc: ErrorDocument = serde_json::from_str(
        r#"{"errors":[{"status":"400","title":"The request body is not valid",
            "detail":"attributes is required",
            "meta":{"field":"data","type":"required","value":{}}}],
            "jsonapi":{"meta":{},"version":"1.0"},"meta":{}}"#,
    )
    .unwrap();
    assert_eq!(doc.errors.len(), 1);
    assert_eq!(doc.errors[0].status.as_deref(), Some("400"));
    assert_eq!(doc.errors[0].location(), Some("data"));
    assert_eq!(
        doc.errors[0].to_string(),
        "The request body is not valid: attributes is required (at data)"
    );
    assert_eq!(doc.jsonapi.unwrap().version.as_deref(), Some("1.0"));
}

#[test]
fn the_references_bare_error_object_decodes() {
    let doc: ErrorDocument = serde_json::from_str(
        r#"{"id":"9f0b1f5e-27c1-4a8e-a3a4-5d6f6e3c2b10","status":"400",
            "title":"A validation error was encountered",
            "source":{"parameter":"include"},"meta":{"resource":"wrong_value"}}"#,
    )
    .unwrap();
    assert_eq!(doc.errors.len(), 1);
    let error = &doc.errors[0];
    assert_eq!(
        error.id.as_deref(),
        Some("9f0b1f5e-27c1-4a8e-a3a4-5d6f6e3c2b10")
    );
    assert_eq!(error.location(), Some("include"));
    assert_eq!(error.meta["resource"], "wrong_value");
}

#[test]
fn a_numeric_status_is_accepted_and_a_malformed_errors_member_is_not() {
    let doc: ErrorDocument = serde_json::from_str(r#"{"errors":[{"status":422}]}"#).unwrap();
    assert_eq!(doc.errors[0].status.as_deref(), Some("422"));
    assert!(serde_json::from_str::<ErrorDocument>(r#"{"errors":"boom"}"#).is_err());
    assert!(serde_json::from_str::<ErrorDocument>(r#"["boom"]"#).is_err());
}

#[test]
fn a_cleared_to_one_relationship_is_written_as_null() {
    assert_eq!(
        serde_json::to_string(&ToOne::default()).unwrap(),
        r#"{"data":null}"#
    );
    let linked: ToOne = serde_json::from_str(
        r#"{"data":{"type":"contacts","id":"3c90c3cc-0d44-4b50-8888-8dd25736052a"},"links":{}}"#,
    )
    .unwrap();
    assert_eq!(
        linked.id().unwrap().to_string(),
        "3c90c3cc-0d44-4b50-8888-8dd25736052a"
    );
}

#[test]
fn a_json_error_that_is_not_json_api_keeps_its_words() {
    let doc: ErrorDocument = serde_json::from_str(
        r#"{"error":"invalid_request","error_description":"date_time is required"}"#,
    )
    .unwrap();
    let error = &doc.errors[0];
    assert_eq!(error.other["error_description"], "date_time is required");
    assert_eq!(
        error.to_string(),
        "error: invalid_request, error_description: date_time is required"
    );
}

#[test]
fn an_error_without_title_or_detail_says_what_it_has() {
    let shown =
        |json: &str| serde_json::from_str::<ErrorDocument>(json).unwrap().errors[0].to_string();
    assert_eq!(
        shown(r#"{"errors":[{"status":"400","source":{"pointer":"/data/attributes/date_time"}}]}"#),
        "status 400, with no title or detail (at /data/attributes/date_time)"
    );
    assert_eq!(
        shown(r#"{"errors":[{"meta":{"field":"date_time","type":"required"}}]}"#),
        "meta field: date_time, type: required (at date_time)"
    );
    assert_eq!(shown(r#"{"errors":[{"code":"E42"}]}"#), "E42");
    assert_eq!(
        shown(r#"{"errors":[{}]}"#),
        "an error object with no members"
    );
    assert_eq!(
        shown(r#"{"errors":[{"title":"","detail":"only detail"}]}"#),
        "only detail"
    );
}

#[test]
fn filters_are_written_as_filter_parameters_in_field_order() {
    let mut filters = Filters::new();
    assert!(filters.is_empty());
    filters.insert("method", "email");
    filters.insert("created_at.since", "2026-01-01T00:00:00Z");
    filters.insert("method", "sms");
    assert!(!filters.is_empty());
    assert_eq!(
        filters.iter().collect::<Vec<_>>(),
        [
            ("created_at.since", "2026-01-01T00:00:00Z"),
            ("method", "sms")
        ]
    );
    assert_eq!(
        filters.to_string(),
        "filter%5Bcreated_at.since%5D=2026-01-01T00%3A00%3A00Z&filter%5Bmethod%5D=sms"
    );
}
