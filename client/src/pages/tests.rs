use super::*;

fn bad(position: usize) -> InvalidItem {
    InvalidItem {
        position,
        id: Some(format!("bad-{position}")),
        reason: "nope".into(),
    }
}

fn order(items: Vec<u8>, invalid: Vec<InvalidItem>) -> Vec<String> {
    let page = Page {
        items,
        invalid,
        pagination: Pagination::default(),
        features: Features::default(),
        included: Vec::new(),
    };
    in_order(page)
        .into_iter()
        .map(|entry| match entry {
            Ok(n) => n.to_string(),
            Err(Error::Decode(e)) => e.reason.split(')').next().unwrap_or("").to_owned(),
            Err(other) => panic!("{other:?}"),
        })
        .collect()
}

#[test]
fn invalid_items_keep_their_place_on_the_page() {
    assert_eq!(
        order(vec![1, 2], vec![bad(0), bad(2), bad(4)]),
        [
            "item 0 of its page (id `bad-0`",
            "1",
            "item 2 of its page (id `bad-2`",
            "2",
            "item 4 of its page (id `bad-4`"
        ]
    );
    assert_eq!(order(vec![1, 2, 3], vec![]), ["1", "2", "3"]);
    assert_eq!(
        order(vec![], vec![bad(0)]),
        ["item 0 of its page (id `bad-0`"]
    );
}

#[test]
fn a_page_of_only_invalid_items_is_not_empty_for_the_loop_guard() {
    let page: Page<u8> = Page {
        items: vec![],
        invalid: vec![bad(0)],
        pagination: Pagination {
            next_offset: Some(1),
            ..Pagination::default()
        },
        features: Features::default(),
        included: Vec::new(),
    };
    assert!(matches!(next_cursor(Some(0), &page), Cursor::At(Some(1))));
    let empty = Page {
        invalid: vec![],
        ..page
    };
    assert!(matches!(next_cursor(Some(0), &empty), Cursor::Failed(_)));
}

#[test]
fn a_raw_item_names_its_position_and_id_when_it_does_not_decode() {
    let raw: RawItem = serde_json::from_str(r#"{"id": 42, "type": "x"}"#).unwrap();
    let error = raw
        .decode::<crate::jsonapi::ResourceIdentifier>(3)
        .unwrap_err();
    assert_eq!((error.position, error.id.as_deref()), (3, Some("42")));
    let raw: RawItem = serde_json::from_str(r#"{"type": "x"}"#).unwrap();
    assert_eq!(
        raw.decode::<crate::jsonapi::ResourceIdentifier>(0)
            .unwrap_err()
            .id,
        None
    );
}

#[test]
fn next_offset_is_the_paginations() {
    let page: Page<u8> = Page {
        items: vec![1],
        invalid: vec![],
        pagination: Pagination {
            next_offset: Some(40),
            ..Pagination::default()
        },
        features: Features::default(),
        included: Vec::new(),
    };
    assert_eq!(page.next_offset(), Some(40));
}
