use super::*;

#[test]
fn known_values_decode_to_their_variants() {
    let method: InteractionMethod = serde_json::from_str(r#""telephone""#).unwrap();
    assert_eq!(method, InteractionMethod::Telephone);
    assert!(method.is_known());
    for known in InteractionMethod::KNOWN {
        assert_eq!(&InteractionMethod::from(known.as_str()), known);
    }
}

#[test]
fn unknown_values_decode_and_round_trip_unchanged() {
    let status: InteractionStatus = serde_json::from_str(r#""Cancelled-By Customer""#).unwrap();
    assert!(!status.is_known());
    assert_eq!(status.as_str(), "Cancelled-By Customer");
    assert_eq!(
        serde_json::to_string(&status).unwrap(),
        r#""Cancelled-By Customer""#
    );
    // Case matters on the wire, so a differently cased value is not folded into a known one.
    assert!(!InteractionDirection::from("Inbound").is_known());
}

#[test]
fn non_string_values_are_a_decode_error_not_a_guess() {
    let err = serde_json::from_str::<InteractionMethod>("7").unwrap_err();
    assert!(err.to_string().contains("expected a string"), "{err}");
}

#[test]
fn times_are_written_in_utc_at_whole_seconds() {
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-28T07:01:16.750417185+01:00").unwrap();
    let sent = whole_seconds(&at);
    assert_eq!(
        serde_json::to_string(&sent).unwrap(),
        r#""2026-11-28T06:01:16Z""#
    );
    // Truncated, not rounded: .999 stays in the same second.
    let late = chrono::DateTime::parse_from_rfc3339("2026-11-28T06:01:16.999Z").unwrap();
    assert_eq!(whole_seconds(&late), sent);
}
