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
    assert!(matches!(next_cursor(Some(0), &page), Cursor::At(1)));
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

/// A scripted list of `total` numbered items in pages of `size`; each page request waits
/// until the test releases it, so the test decides when answers arrive.
mod walk_support {
    pub(super) use super::walk::{release, requested, take};
    use super::*;

    /// Six items, two a page, three ahead, whose pages report `limit` as their limit.
    pub(super) fn reported_walk(
        limit: Option<u64>,
    ) -> (
        ListStream<u64>,
        std::sync::Arc<std::sync::Mutex<super::walk::Script>>,
    ) {
        super::walk::REPORTED_LIMIT.with(|l| l.set(limit));
        super::walk::walk(6, 2, 3, super::walk::arithmetic)
    }
}

mod walk {
    use std::collections::BTreeMap;
    use std::sync::{Arc, Mutex};

    use futures::FutureExt;
    use futures::channel::oneshot;

    use super::*;

    thread_local! {
        /// The `requested.limit` pages report, when not their size.
        pub(super) static REPORTED_LIMIT: std::cell::Cell<Option<u64>> = const { std::cell::Cell::new(None) };
    }

    #[derive(Default)]
    pub(super) struct Script {
        /// Offsets requested, in order.
        requested: Vec<Option<u64>>,
        /// Answers waiting to be released, by offset.
        waiting: BTreeMap<u64, oneshot::Sender<()>>,
    }

    fn page_at(offset: u64, size: u64, total: u64, next: Option<u64>) -> Page<u64> {
        let end = (offset + size).min(total);
        Page {
            items: (offset..end).collect(),
            invalid: Vec::new(),
            pagination: Pagination {
                limit: Some(REPORTED_LIMIT.with(|l| l.get()).unwrap_or(size)),
                offset: Some(offset),
                resources: Some(total),
                next_offset: next,
                ..Pagination::default()
            },
            features: Features::default(),
            included: Vec::new(),
        }
    }

    /// A walk over `total` items with pages of `size`, whose server says `next` for the
    /// page at each offset (by default `offset + size`).
    pub(super) fn walk(
        total: u64,
        size: u64,
        ahead: usize,
        next: fn(u64, u64, u64) -> Option<u64>,
    ) -> (ListStream<u64>, Arc<Mutex<Script>>) {
        let script = Arc::new(Mutex::new(Script::default()));
        let shared = script.clone();
        let stream = stream_pages(None, ahead, move |offset: Option<u64>| {
            let (release, released) = oneshot::channel();
            let at = offset.unwrap_or(0);
            {
                let mut script = shared.lock().unwrap();
                script.requested.push(offset);
                script.waiting.insert(at, release);
            }
            async move {
                let _ = released.await;
                Ok(page_at(at, size, total, next(at, size, total)))
            }
        });
        (stream, script)
    }

    pub(super) fn arithmetic(offset: u64, size: u64, total: u64) -> Option<u64> {
        (offset + size < total).then_some(offset + size)
    }

    pub(super) fn release(script: &Arc<Mutex<Script>>, offset: u64) {
        let sender = script
            .lock()
            .unwrap()
            .waiting
            .remove(&offset)
            .expect("requested");
        sender.send(()).unwrap();
    }

    pub(super) fn requested(script: &Arc<Mutex<Script>>) -> Vec<Option<u64>> {
        script.lock().unwrap().requested.clone()
    }

    pub(super) fn take(stream: &mut ListStream<u64>, n: usize) -> Vec<u64> {
        (0..n)
            .map(|i| match stream.next().now_or_never() {
                Some(Some(Ok(item))) => item,
                other => panic!("item {i} of {n}: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn pages_ahead_are_requested_up_to_the_limit_and_come_out_in_order() {
        let (mut stream, script) = walk(10, 2, 3, arithmetic);
        assert!(
            stream.next().now_or_never().is_none(),
            "waiting for the first page"
        );
        assert_eq!(
            requested(&script),
            [None],
            "one request until the page size is known"
        );
        release(&script, 0);
        assert_eq!(take(&mut stream, 1), [0]);
        assert_eq!(
            requested(&script),
            [None, Some(2), Some(4), Some(6)],
            "three ahead"
        );
        // Later pages answer first; items still come out in server order.
        release(&script, 6);
        release(&script, 4);
        assert_eq!(take(&mut stream, 1), [1]);
        assert!(
            stream.next().now_or_never().is_none(),
            "page 2 has not answered"
        );
        assert_eq!(
            requested(&script).len(),
            4,
            "no fourth page ahead while three wait"
        );
        release(&script, 2);
        assert_eq!(take(&mut stream, 6), [2, 3, 4, 5, 6, 7]);
        // The last page is requested once its turn comes, and nothing past the total.
        assert_eq!(requested(&script).last(), Some(&Some(8)));
        release(&script, 8);
        assert_eq!(take(&mut stream, 2), [8, 9]);
        assert!(stream.next().now_or_never().unwrap().is_none());
        assert_eq!(requested(&script).len(), 5, "each page requested once");
    }

    #[test]
    fn a_next_offset_that_is_not_the_predicted_one_drops_the_predictions_and_follows_next() {
        // The server pages by 3 although each page says its limit is 2 (as a server that
        // caps the page size, or a list that changed, would).
        fn by_three(offset: u64, _size: u64, total: u64) -> Option<u64> {
            (offset + 3 < total).then_some(offset + 3)
        }
        let (mut stream, script) = walk(9, 2, 4, by_three);
        assert!(stream.next().now_or_never().is_none());
        release(&script, 0);
        assert_eq!(take(&mut stream, 1), [0]);
        // The first page's next (3) is followed; later ones are predicted a limit apart.
        assert_eq!(requested(&script), [None, Some(3), Some(5), Some(7)]);
        release(&script, 3);
        assert_eq!(take(&mut stream, 1), [1]);
        // Page 3 says next = 6, not the predicted 5: the predictions are dropped and the
        // walk follows next one page at a time.
        assert_eq!(take(&mut stream, 2), [3, 4]);
        assert_eq!(requested(&script).last(), Some(&Some(6)));
        let before = requested(&script).len();
        assert_eq!(before, 5);
        release(&script, 6);
        assert_eq!(take(&mut stream, 2), [6, 7]);
        assert!(stream.next().now_or_never().unwrap().is_none());
        assert_eq!(
            requested(&script).len(),
            before,
            "nothing after the last page"
        );
    }
}

#[test]
fn raw_items_compare_by_their_text() {
    let a: RawItem = serde_json::from_str(r#"{"id": 1}"#).unwrap();
    let b: RawItem = serde_json::from_str(r#"{"id": 1}"#).unwrap();
    let c: RawItem = serde_json::from_str(r#"{"id": 2}"#).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn the_page_size_for_predictions_is_the_reported_limit_else_the_page_length() {
    use futures::FutureExt;
    use walk_support::*;
    // A server that serves 2 a page but reports a limit of 10: the predictions (10 apart)
    // are wrong, so only the page after each one is requested, never more.
    let (mut stream, script) = reported_walk(Some(10));
    assert!(stream.next().now_or_never().is_none());
    release(&script, 0);
    assert_eq!(take(&mut stream, 1), [0]);
    assert_eq!(requested(&script), [None, Some(2)]);
    // A limit of 0 is no page size: the page's length (2) is used, and pages ahead are
    // requested at once.
    let (mut stream, script) = reported_walk(Some(0));
    assert!(stream.next().now_or_never().is_none());
    release(&script, 0);
    assert_eq!(take(&mut stream, 1), [0]);
    assert_eq!(requested(&script), [None, Some(2), Some(4)]);
}
