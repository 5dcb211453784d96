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
