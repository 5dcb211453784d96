use super::*;

#[test]
fn snippets_fold_white_space_and_stop_at_the_limit() {
    assert_eq!(
        DecodeError::snippet_of(b"<html>\n  <h1>502  Bad Gateway</h1>\n</html>"),
        "<html> <h1>502 Bad Gateway</h1> </html>"
    );
    let long = "x".repeat(1000);
    let snippet = DecodeError::snippet_of(long.as_bytes());
    assert_eq!(snippet.chars().count(), DecodeError::SNIPPET_LEN + 1);
    assert!(snippet.ends_with('…'));
    // Invalid UTF-8 is replaced, not a panic.
    assert_eq!(DecodeError::snippet_of(&[0xff, b'a']), "\u{fffd}a");
}
