use super::*;

#[test]
fn expires_in_may_be_a_number_or_a_numeric_string() {
    let parse = |text: &str| serde_json::from_str::<TokenAnswer>(text).map(|a| a.expires_in);
    assert_eq!(
        parse(r#"{"access_token":"a","expires_in":3600}"#).unwrap(),
        Some(3600)
    );
    assert_eq!(
        parse(r#"{"access_token":"a","expires_in":"3600"}"#).unwrap(),
        Some(3600)
    );
    assert_eq!(parse(r#"{"access_token":"a"}"#).unwrap(), None);
    assert_eq!(
        parse(r#"{"access_token":"a","expires_in":59.9}"#).unwrap(),
        Some(59)
    );
    assert_eq!(
        parse(r#"{"access_token":"a","expires_in":"soon"}"#).unwrap(),
        None
    );
    assert_eq!(
        parse(r#"{"access_token":"a","expires_in":-5}"#).unwrap(),
        None
    );
    assert_eq!(
        parse(r#"{"access_token":"a","expires_in":1e300}"#).unwrap(),
        Some(u64::MAX)
    );
}
