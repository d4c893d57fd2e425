//! Relay connection pages, built one way for every list: the page size from
//! `first`/`last`, the cursor from `after`/`before`, one row more fetched than shown to
//! learn whether more exist, and the page info.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{ID, ObjectType, OutputType};

use super::ids::{self, OpaqueId};
use crate::error::AppError;

/// Largest page a connection returns.
pub const MAX_PAGE_SIZE: usize = 100;
/// Page size when the caller names none.
const DEFAULT_PAGE_SIZE: usize = 20;

/// A list's page size from `first`/`last` (`field`): 20 when omitted, at most
/// [`MAX_PAGE_SIZE`], never negative.
fn page_size(value: Option<i32>, field: &'static str) -> Result<usize, AppError> {
    match value {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(n) if n < 0 => Err(AppError::invalid(field, "must not be negative")),
        Some(n) => Ok(usize::try_from(n).unwrap_or(0).min(MAX_PAGE_SIZE)),
    }
}

/// A cursor that is the opaque id of a row of type `T` (the list's node).
pub fn id_cursor<T: OpaqueId>(cursor: &str) -> Option<T> {
    ids::decode::<T>(&ID(cursor.to_string())).ok()
}

/// Which way a list pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// `first`/`after`: rows come in list order; the page is the rows after the cursor.
    Forward,
    /// `last`/`before`: rows come newest first; the page is shown oldest first, ending
    /// before the cursor.
    Backward,
}

/// One requested page of a list with cursors of type `C`.
#[derive(Debug)]
pub struct Page<C> {
    limit: usize,
    /// Where the page starts (`after`) or ends (`before`), when given.
    pub cursor: Option<C>,
    direction: Direction,
}

impl<C> Page<C> {
    /// The page `size` (`first`/`last`) from `cursor` (`after`/`before`); `read` turns
    /// a cursor back into its position (`None`: not a cursor of this list, which is
    /// `BAD_USER_INPUT`).
    pub fn new(
        direction: Direction,
        size: Option<i32>,
        cursor: Option<&str>,
        read: impl FnOnce(&str) -> Option<C>,
    ) -> Result<Page<C>, AppError> {
        let (size_field, cursor_field) = match direction {
            Direction::Forward => ("first", "after"),
            Direction::Backward => ("last", "before"),
        };
        let limit = page_size(size, size_field)?;
        let cursor = cursor
            .map(|c| {
                read(c)
                    .ok_or_else(|| AppError::invalid(cursor_field, "not a cursor from this list"))
            })
            .transpose()?;
        Ok(Page {
            limit,
            cursor,
            direction,
        })
    }

    /// How many rows to ask the store for: one more than the page shows.
    pub fn fetch_limit(&self) -> i64 {
        i64::try_from(self.limit).unwrap_or(DEFAULT_PAGE_SIZE as i64) + 1
    }

    /// The rows of `fetched` the page shows (the extra row left out).
    pub fn shown<'a, R>(&self, fetched: &'a [R]) -> &'a [R] {
        &fetched[..fetched.len().min(self.limit)]
    }

    /// The connection of the rows the store returned for [`Page::fetch_limit`]: `edge`
    /// gives each shown row's cursor and node; `fields` are the list's extra fields.
    pub fn connection<R, N, F>(
        &self,
        mut fetched: Vec<R>,
        fields: F,
        edge: impl FnMut(R) -> Result<(String, N), AppError>,
    ) -> Result<Connection<String, N, F>, AppError>
    where
        N: OutputType,
        F: ObjectType,
    {
        let more = fetched.len() > self.limit;
        fetched.truncate(self.limit);
        let given = self.cursor.is_some();
        let (has_previous, has_next) = match self.direction {
            Direction::Forward => (given, more),
            Direction::Backward => {
                fetched.reverse();
                (more, given)
            }
        };
        let mut connection = Connection::with_additional_fields(has_previous, has_next, fields);
        for row in fetched.into_iter().map(edge) {
            let (cursor, node) = row?;
            connection.edges.push(Edge::new(cursor, node));
        }
        Ok(connection)
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::connection::EmptyFields;

    use super::*;

    fn edge(n: i32) -> Result<(String, i32), AppError> {
        Ok((n.to_string(), n))
    }

    fn shown(c: &Connection<String, i32, EmptyFields>) -> Vec<i32> {
        c.edges.iter().map(|e| e.node).collect()
    }

    #[test]
    fn page_sizes_default_cap_and_refuse_negatives() {
        let page = |n| Page::<u64>::new(Direction::Forward, n, None, |_| None).map(|p| p.limit);
        assert_eq!(page(None).unwrap(), 20);
        assert_eq!(page(Some(500)).unwrap(), MAX_PAGE_SIZE);
        assert_eq!(page(Some(0)).unwrap(), 0);
        assert!(matches!(page(Some(-1)), Err(AppError::Invalid(_))));
    }

    #[test]
    fn an_unreadable_cursor_is_bad_input() {
        let page = Page::<u64>::new(Direction::Backward, Some(2), Some("x"), |_| None);
        assert!(matches!(page, Err(AppError::Invalid(_))));
    }

    #[test]
    fn a_forward_page_fetches_one_more_and_says_whether_more_exist() {
        let page = Page::new(Direction::Forward, Some(2), Some("1"), |c| {
            c.parse::<i32>().ok()
        })
        .unwrap();
        assert_eq!(page.fetch_limit(), 3);
        assert_eq!(page.shown(&[2, 3, 4]), &[2, 3]);
        let c = page.connection(vec![2, 3, 4], EmptyFields, edge).unwrap();
        assert_eq!(shown(&c), vec![2, 3]);
        assert!(c.has_previous_page && c.has_next_page);
        let first = Page::<i32>::new(Direction::Forward, Some(2), None, |_| None).unwrap();
        let c = first.connection(vec![1, 2], EmptyFields, edge).unwrap();
        assert!(!c.has_previous_page && !c.has_next_page);
    }

    #[test]
    fn a_backward_page_is_shown_oldest_first() {
        let page = Page::<i32>::new(Direction::Backward, Some(2), None, |_| None).unwrap();
        let c = page.connection(vec![9, 8, 7], EmptyFields, edge).unwrap();
        assert_eq!(shown(&c), vec![8, 9]);
        assert!(c.has_previous_page && !c.has_next_page);
    }
}
