//! Offset and cursor pagination as the spec describes them.

use std::num::NonZeroU64;

use archastro_server::ApiError;

use crate::store::bad_request;

/// The `limit` default of the spec.
pub(crate) const DEFAULT_LIMIT: u64 = 25;

fn limit_of(limit: Option<i64>) -> u64 {
    limit.map_or(DEFAULT_LIMIT, |l| l.clamp(1, 100) as u64)
}

/// One offset page: the items, `total`, `limit` and `offset`.
pub(crate) struct OffsetPage<T> {
    pub(crate) data: Vec<T>,
    pub(crate) total: u64,
    pub(crate) limit: NonZeroU64,
    pub(crate) offset: u64,
}

/// Slices `items` (already filtered and ordered) at `offset`, at most `limit` of them.
pub(crate) fn offset<T>(items: Vec<T>, limit: Option<i64>, offset: Option<i64>) -> OffsetPage<T> {
    let limit = limit_of(limit);
    let offset = offset.unwrap_or(0).max(0) as u64;
    let total = items.len() as u64;
    let data = items
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .collect();
    OffsetPage {
        data,
        total,
        limit: NonZeroU64::new(limit).unwrap_or(NonZeroU64::MIN),
        offset,
    }
}

/// One cursor page, newest first.
pub(crate) struct CursorPage<T> {
    pub(crate) data: Vec<T>,
    /// Pass as `before_cursor` for the older items; `None` when there are none.
    pub(crate) before_cursor: Option<String>,
    /// Pass as `after_cursor` for the newer items; `None` when there are none.
    pub(crate) after_cursor: Option<String>,
    /// More items in the requested direction (older without a cursor or with
    /// `before_cursor`, newer with `after_cursor`).
    pub(crate) has_more: bool,
}

/// A page of `items` (ordered oldest first) presented newest first. A cursor is the id of an
/// item: `before_cursor` gives the items older than it, `after_cursor` the ones newer than it
/// (the oldest `limit` of them), neither the newest `limit` items.
pub(crate) fn cursor<T: Clone>(
    items: &[T],
    id: impl Fn(&T) -> &str,
    limit: Option<i64>,
    before: Option<&str>,
    after: Option<&str>,
) -> Result<CursorPage<T>, ApiError> {
    let limit = limit_of(limit) as usize;
    let position = |cursor: &str, name: &str| {
        items
            .iter()
            .position(|item| id(item) == cursor)
            .ok_or_else(|| bad_request(format!("`{name}` `{cursor}` is not a cursor of this list")))
    };
    let n = items.len();
    let (start, end, newer) = match (before, after) {
        (Some(_), Some(_)) => {
            return Err(bad_request(
                "`before_cursor` and `after_cursor` are mutually exclusive",
            ));
        }
        (Some(cursor), None) => {
            let end = position(cursor, "before_cursor")?;
            (end.saturating_sub(limit), end, false)
        }
        (None, Some(cursor)) => {
            let start = position(cursor, "after_cursor")? + 1;
            (start, (start + limit).min(n), true)
        }
        (None, None) => (n.saturating_sub(limit), n, false),
    };
    let data: Vec<T> = items[start..end].iter().rev().cloned().collect();
    let (before_cursor, after_cursor) = if data.is_empty() {
        (None, None)
    } else {
        (
            (start > 0).then(|| id(&items[start]).to_owned()),
            (end < n).then(|| id(&items[end - 1]).to_owned()),
        )
    };
    Ok(CursorPage {
        has_more: if newer { end < n } else { start > 0 },
        data,
        before_cursor,
        after_cursor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::ptr_arg)]
    fn id(s: &String) -> &str {
        s.as_str()
    }

    fn ids(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("m{i}")).collect()
    }

    #[test]
    fn walks_back_from_the_newest_and_forward_again() {
        let items = ids(7);
        let p = cursor(&items, id, Some(3), None, None).unwrap();
        assert_eq!(p.data, ["m7", "m6", "m5"]);
        assert_eq!(
            (
                p.before_cursor.as_deref(),
                p.after_cursor.as_deref(),
                p.has_more
            ),
            (Some("m5"), None, true)
        );
        let p = cursor(&items, id, Some(3), Some("m5"), None).unwrap();
        assert_eq!(p.data, ["m4", "m3", "m2"]);
        assert_eq!(
            (
                p.before_cursor.as_deref(),
                p.after_cursor.as_deref(),
                p.has_more
            ),
            (Some("m2"), Some("m4"), true)
        );
        let p = cursor(&items, id, Some(3), Some("m2"), None).unwrap();
        assert_eq!(p.data, ["m1"]);
        assert_eq!(
            (
                p.before_cursor.as_deref(),
                p.after_cursor.as_deref(),
                p.has_more
            ),
            (None, Some("m1"), false)
        );
        let p = cursor(&items, id, Some(3), None, Some("m1")).unwrap();
        assert_eq!(p.data, ["m4", "m3", "m2"]);
        assert_eq!(
            (
                p.before_cursor.as_deref(),
                p.after_cursor.as_deref(),
                p.has_more
            ),
            (Some("m2"), Some("m4"), true)
        );
        let p = cursor(&items, id, Some(3), None, Some("m4")).unwrap();
        assert_eq!(p.data, ["m7", "m6", "m5"]);
        assert_eq!((p.after_cursor.as_deref(), p.has_more), (None, false));
        assert_eq!(
            cursor(&items, id, None, Some("zz"), None)
                .err()
                .unwrap()
                .status,
            400
        );
        assert_eq!(
            cursor(&items, id, None, Some("m1"), Some("m2"))
                .err()
                .unwrap()
                .status,
            400
        );
    }

    #[test]
    fn offset_pages_report_the_total() {
        let p = offset(ids(7), Some(3), Some(6));
        assert_eq!(
            (p.data, p.total, p.limit.get(), p.offset),
            (vec!["m7".to_owned()], 7, 3, 6)
        );
    }
}
