//! Streams over paginated lists: every item of every page, following cursors or offsets to the
//! end. The generated client wraps these for each operation marked `x-sdk-pagination`. The
//! streams are boxed (`Unpin` and `Send`), so `while let Some(x) = s.next().await` just works.

use std::future::Future;

pub use futures::Stream;
pub use futures::stream::BoxStream;
use futures::stream::{self, StreamExt, TryStreamExt};

use super::error::Error;

/// A position in a cursor-paginated list, with the direction it leads in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    /// Pass as `after_cursor` (or `cursor`): the following page.
    After(String),
    /// Pass as `before_cursor`: the preceding page (older items of a newest-first list).
    Before(String),
}

impl Cursor {
    /// The cursor that continues in the direction of `current` (the first page picks
    /// `after` when it has one, else `before`): a stream never turns back.
    pub fn next(
        current: Option<&Cursor>,
        after: Option<String>,
        before: Option<String>,
    ) -> Option<Cursor> {
        match current {
            None => after
                .map(Cursor::After)
                .or_else(|| before.map(Cursor::Before)),
            Some(Cursor::After(_)) => after.map(Cursor::After),
            Some(Cursor::Before(_)) => before.map(Cursor::Before),
        }
    }
}

/// One page as the streams need it.
pub struct Page<T> {
    pub items: Vec<T>,
    /// Cursor pagination: where the next page is (`None` at the end).
    pub next_cursor: Option<Cursor>,
    /// Offset pagination: the total number of items (`None` when unknown).
    pub total: Option<u64>,
}

/// Every item, fetching pages with `fetch(cursor)` (`None` for the first page) until a page
/// has no next cursor or no items.
pub fn cursor<'a, T, F, Fut>(fetch: F) -> BoxStream<'a, Result<T, Error>>
where
    F: FnMut(Option<Cursor>) -> Fut + Send + 'a,
    Fut: Future<Output = Result<Page<T>, Error>> + Send + 'a,
    T: Send + 'a,
{
    let state = (fetch, Some(None::<Cursor>));
    stream::try_unfold(state, |(mut fetch, next)| async move {
        let Some(cursor) = next else {
            return Ok::<_, Error>(None);
        };
        let page = fetch(cursor).await?;
        let next = match page.next_cursor {
            Some(c) if !page.items.is_empty() => Some(Some(c)),
            _ => None,
        };
        Ok(Some((
            stream::iter(page.items.into_iter().map(Ok)),
            (fetch, next),
        )))
    })
    .try_flatten()
    .boxed()
}

/// Every item from `start` on, fetching pages with `fetch(offset)` until the offset reaches
/// the total or a page is empty.
pub fn offset<'a, T, F, Fut>(start: u64, fetch: F) -> BoxStream<'a, Result<T, Error>>
where
    F: FnMut(u64) -> Fut + Send + 'a,
    Fut: Future<Output = Result<Page<T>, Error>> + Send + 'a,
    T: Send + 'a,
{
    let state = (fetch, Some(start));
    stream::try_unfold(state, |(mut fetch, next)| async move {
        let Some(offset) = next else {
            return Ok::<_, Error>(None);
        };
        let page = fetch(offset).await?;
        let seen = offset + page.items.len() as u64;
        let done = page.items.is_empty() || page.total.is_some_and(|t| seen >= t);
        let next = (!done).then_some(seen);
        Ok(Some((
            stream::iter(page.items.into_iter().map(Ok)),
            (fetch, next),
        )))
    })
    .try_flatten()
    .boxed()
}

/// A JSON field of a page as a cursor (a string, or absent/null).
pub fn cursor_field<V: serde::Serialize>(value: &V) -> Option<String> {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .filter(|s| !s.is_empty())
}

/// A JSON field of a page as a count (a number, or absent/null).
pub fn count_field<V: serde::Serialize>(value: &V) -> Option<u64> {
    serde_json::to_value(value).ok().and_then(|v| v.as_u64())
}

/// Collects a stream (for tests and small lists).
pub async fn collect<T>(s: impl Stream<Item = Result<T, Error>>) -> Result<Vec<T>, Error> {
    s.boxed_local().try_collect().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn cursor_and_offset_streams_walk_every_page() {
        let all: Vec<u32> = (0..7).collect();
        let pages = all.clone();
        let items = collect(cursor(move |c: Option<Cursor>| {
            let start: usize = match c {
                Some(Cursor::After(c)) => c.parse().unwrap(),
                _ => 0,
            };
            let chunk: Vec<u32> = pages.iter().skip(start).take(3).copied().collect();
            let end = start + chunk.len();
            async move {
                Ok(Page {
                    items: chunk,
                    next_cursor: (end < 7).then(|| Cursor::After(end.to_string())),
                    total: None,
                })
            }
        }))
        .await
        .unwrap();
        assert_eq!(items, all);
        let pages = all.clone();
        let items = collect(offset(0, move |o: u64| {
            let chunk: Vec<u32> = pages.iter().skip(o as usize).take(3).copied().collect();
            async move {
                Ok(Page {
                    items: chunk,
                    next_cursor: None,
                    total: Some(7),
                })
            }
        }))
        .await
        .unwrap();
        assert_eq!(items, all);
    }

    #[test]
    fn cursors_keep_their_direction() {
        let first = Cursor::next(None, None, Some("b1".into()));
        assert_eq!(first, Some(Cursor::Before("b1".into())));
        assert_eq!(Cursor::next(first.as_ref(), Some("a".into()), None), None);
        assert_eq!(
            Cursor::next(None, Some("a1".into()), Some("b1".into())),
            Some(Cursor::After("a1".into()))
        );
    }
}
