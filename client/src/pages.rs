//! Lists, for any list operation of the spec: one [`Page`], or every item as a
//! [`ListStream`] that follows `meta.pagination` with loop guards.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;

use futures_util::stream::{self, Stream};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::error::{DecodeError, Error};
use crate::generated::types;
use crate::jsonapi::Resource;

/// A list answer that carries Ctrl Hub's `meta.pagination`.
///
/// `ctrlhub-build-support` implements it for every list document of the spec (a schema
/// whose `data` is an array and whose `meta` is `ListMeta`), so a list operation added to
/// the spec can be paged through [`Client::paginate`](crate::Client::paginate) without
/// handwritten code.
pub trait ListDocument: Sized {
    /// One item of `data`.
    type Item;

    #[doc(hidden)]
    fn into_parts(self) -> ListParts<Self::Item>;

    /// The answer as a [`Page`]: the items that decoded, and each one that did not.
    fn into_page(self) -> Page<Self::Item> {
        let parts = self.into_parts();
        let meta = parts.meta.unwrap_or_default();
        let mut items = Vec::with_capacity(parts.items.len());
        let mut invalid = Vec::new();
        for entry in parts.items {
            match entry {
                Ok(item) => items.push(item),
                Err(bad) => invalid.push(bad),
            }
        }
        Page {
            items,
            invalid,
            pagination: Pagination::from_meta(meta.pagination.unwrap_or_default()),
            features: Features::from_meta(meta.features.unwrap_or_default()),
            included: parts.included,
        }
    }
}

/// The pieces of a list document, as generated code hands them over.
#[doc(hidden)]
#[derive(Debug)]
pub struct ListParts<T> {
    pub items: Vec<Result<T, InvalidItem>>,
    pub meta: Option<types::ListMeta>,
    pub included: Vec<Resource>,
}

/// One item of a list answer as JSON text, decoded on its own so that one malformed
/// resource does not fail its page. The generated list documents hold these.
#[doc(hidden)]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RawItem(Box<RawValue>);

impl PartialEq for RawItem {
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get()
    }
}

impl RawItem {
    /// The item decoded as `T`, or what is wrong with the item at `position`.
    pub fn decode<T: DeserializeOwned>(self, position: usize) -> Result<T, InvalidItem> {
        serde_json::from_str(self.0.get()).map_err(|error| {
            #[derive(Deserialize)]
            struct Id {
                id: Option<Value>,
            }
            let id = serde_json::from_str::<Id>(self.0.get())
                .ok()
                .and_then(|item| item.id)
                .map(|id| match id {
                    Value::String(text) => text,
                    other => other.to_string(),
                });
            InvalidItem {
                position,
                id,
                reason: error.to_string(),
            }
        })
    }
}

/// An item of a list page that could not be decoded; the rest of the page could.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InvalidItem {
    /// Where on its page the item was (0 for the first).
    pub position: usize,
    /// The item's `id` as text, if it had one.
    pub id: Option<String>,
    /// Why it could not be decoded.
    pub reason: String,
}

impl InvalidItem {
    /// The [`Error::Decode`] a stream yields for this item.
    pub fn to_error(&self) -> Error {
        let id = self.id.as_deref().unwrap_or("none");
        DecodeError::without_answer(format!(
            "item {} of its page (id `{id}`) could not be decoded: {}; the other items were",
            self.position, self.reason
        ))
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items on this page that decoded, in the order Ctrl Hub sent them.
    pub items: Vec<T>,
    /// The items on this page that could not be decoded (each names its position and id).
    pub invalid: Vec<InvalidItem>,
    /// Where this page sits in the whole list.
    pub pagination: Pagination,
    /// The include, sort and filter options Ctrl Hub says the endpoint supports.
    pub features: Features,
    /// Related resources included with the page.
    pub included: Vec<Resource>,
}

impl<T> Page<T> {
    /// The offset of the next page, or `None` on the last page.
    pub fn next_offset(&self) -> Option<u64> {
        self.pagination.next_offset
    }

    /// The same page with each item converted by `f`.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            invalid: self.invalid,
            pagination: self.pagination,
            features: self.features,
            included: self.included,
        }
    }
}

/// `meta.pagination` of a list answer. Each number is `None` when Ctrl Hub left it out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Pagination {
    /// The page number of this page.
    pub current_page: Option<u64>,
    /// How many pages the whole list has.
    pub pages: Option<u64>,
    /// How many items the whole list has.
    pub resources: Option<u64>,
    /// The page size Ctrl Hub applied.
    pub limit: Option<u64>,
    /// The offset Ctrl Hub applied.
    pub offset: Option<u64>,
    /// Where the next page starts; `None` on the last page.
    pub next_offset: Option<u64>,
    /// Where the previous page starts; `None` on the first page.
    pub previous_offset: Option<u64>,
}

impl Pagination {
    fn from_meta(meta: types::Pagination) -> Self {
        let counts = meta.counts.unwrap_or_default();
        let offsets = meta.offsets.unwrap_or_default();
        let requested = meta.requested.unwrap_or_default();
        Pagination {
            current_page: meta.current_page,
            pages: counts.pages,
            resources: counts.resources,
            limit: requested.limit,
            offset: requested.offset,
            next_offset: offsets.next,
            previous_offset: offsets.previous,
        }
    }
}

/// The options an endpoint supports, from `meta.features` in either documented shape.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Features {
    /// Relationships that can be included.
    pub include: Vec<String>,
    /// Fields that can be sorted by.
    pub sort: Vec<String>,
    /// Fields that can be filtered on.
    pub filter: Vec<String>,
}

impl Features {
    fn from_meta(meta: types::ListFeatures) -> Self {
        let options = |feature: Option<types::FeatureOptions>| {
            feature.and_then(|f| f.options).unwrap_or_default()
        };
        let params = meta.params.unwrap_or_default();
        let mut include = options(params.include);
        for option in options(meta.include) {
            if !include.contains(&option) {
                include.push(option);
            }
        }
        Features {
            include,
            sort: options(params.sort),
            filter: options(params.filter),
        }
    }
}

/// Every item of a list, page after page, fetched as the stream is polled.
///
/// It owns what it needs (`'static` and `Send`), so it can be stored or moved to a task.
/// At most one page is held in memory. An item that cannot be decoded is an
/// [`Error::Decode`] in its place (naming its position and id), and the stream goes on.
/// It ends after the page whose `offsets.next` is null. A server whose next offset does not move forward, or that sends an empty page
/// claiming another follows, ends the stream with an [`Error::Decode`] rather than
/// looping; a page that fails ends it with that error, after the items before it.
pub type ListStream<T> = Pin<Box<dyn Stream<Item = Result<T, Error>> + Send + 'static>>;

/// The stream of every item, fetching the page at each offset with `fetch`, from `start`
/// (`None`: the server's default start).
pub(crate) fn stream_pages<T, F, Fut>(start: Option<u64>, fetch: F) -> ListStream<T>
where
    T: Send + 'static,
    F: FnMut(Option<u64>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>, Error>> + Send,
{
    Box::pin(stream::unfold(
        (fetch, Cursor::At(start), VecDeque::new()),
        |(mut fetch, mut cursor, mut buffer)| async move {
            loop {
                if let Some(item) = buffer.pop_front() {
                    return Some((item, (fetch, cursor, buffer)));
                }
                let offset = match cursor {
                    Cursor::At(offset) => offset,
                    Cursor::Failed(error) => {
                        return Some((Err(*error), (fetch, Cursor::Done, buffer)));
                    }
                    Cursor::Done => return None,
                };
                let page = match fetch(offset).await {
                    Ok(page) => page,
                    Err(error) => return Some((Err(error), (fetch, Cursor::Done, buffer))),
                };
                cursor = next_cursor(offset, &page);
                buffer = in_order(page);
            }
        },
    ))
}

/// The page's items and invalid items as stream items, in the order Ctrl Hub sent them.
fn in_order<T>(page: Page<T>) -> VecDeque<Result<T, Error>> {
    let mut out = VecDeque::with_capacity(page.items.len() + page.invalid.len());
    let mut invalid = page.invalid.into_iter().peekable();
    for item in page.items {
        while let Some(bad) = invalid.next_if(|bad| bad.position <= out.len()) {
            out.push_back(Err(bad.to_error()));
        }
        out.push_back(Ok(item));
    }
    out.extend(invalid.map(|bad| Err(bad.to_error())));
    out
}

enum Cursor {
    /// Fetch the page at this offset next (`None`: the server's default start).
    At(Option<u64>),
    /// Yield this error once the buffered items are out, then end.
    Failed(Box<Error>),
    Done,
}

fn next_cursor<T>(offset: Option<u64>, page: &Page<T>) -> Cursor {
    let Some(next) = page.pagination.next_offset else {
        return Cursor::Done;
    };
    let current = offset.unwrap_or(0);
    let reason = if next <= current {
        format!(
            "the page at offset {current} names offset {next} as the next page, which does not move forward"
        )
    } else if page.items.is_empty() && page.invalid.is_empty() {
        format!("the page at offset {current} is empty but names offset {next} as the next page")
    } else {
        return Cursor::At(Some(next));
    };
    Cursor::Failed(Box::new(DecodeError::without_answer(format!(
        "inconsistent pagination: {reason}; stopping instead of looping"
    ))))
}

/// A stream whose only item is `error`: a list whose settings were refused.
pub(crate) fn failed_stream<T: Send + 'static>(error: Error) -> ListStream<T> {
    Box::pin(stream::once(async move { Err(error) }))
}

#[cfg(test)]
mod tests;
