use super::*;

#[test]
fn every_form_of_id_is_checked_the_same_way() {
    let id = Uuid::parse_str("3c90c3cc-0d44-4b50-8888-8dd25736052a").unwrap();
    let text = id.to_string();
    assert_eq!((&id).into_id(), Ok(id));
    assert_eq!(id.into_id(), Ok(id));
    assert_eq!((&text).into_id(), Ok(id));
    assert_eq!(text.clone().into_id(), Ok(id));
    assert_eq!(format!(" {text} ").as_str().into_id(), Ok(id));
    assert!((&Uuid::nil()).into_id().unwrap_err().contains("nil"));
    assert!(
        (&"x".to_owned())
            .into_id()
            .unwrap_err()
            .starts_with("`x` is not a UUID")
    );
}
