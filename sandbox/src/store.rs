//! The in-memory objects: inquiries, accounts, verifications, events. Lists are newest first with
//! cursor pagination (`page[after]` = id of the last object of the previous page).

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::{Value, json};

use super::shape::shape;

/// An ordered collection of JSON:API resource objects.
#[derive(Debug, Default)]
struct Collection {
    items: Vec<Value>,
    index: HashMap<String, usize>,
}

impl Collection {
    fn insert(&mut self, object: Value) -> Value {
        self.push(object.clone());
        object
    }

    fn push(&mut self, object: Value) {
        let id = object["id"].as_str().unwrap_or_default().to_owned();
        self.index.insert(id, self.items.len());
        self.items.push(object);
    }

    fn get(&self, id: &str) -> Option<&Value> {
        self.index.get(id).map(|&i| &self.items[i])
    }

    fn get_mut(&mut self, id: &str) -> Option<&mut Value> {
        self.index.get(id).copied().map(move |i| &mut self.items[i])
    }

    /// Keeps the newest `keep` objects once there are a tenth more (the index is rebuilt then,
    /// so an insert stays O(1) amortized).
    fn bound(&mut self, keep: usize) {
        if self.items.len() <= keep + keep / 10 {
            return;
        }
        self.items.drain(..self.items.len() - keep);
        self.index = self
            .items
            .iter()
            .enumerate()
            .map(|(i, object)| (object["id"].as_str().unwrap_or_default().to_owned(), i))
            .collect();
    }

    /// One page, newest first, of the objects `keep` accepts: the `size` just older than
    /// `cursor`'s `After(id)`, or the `size` just newer than its `Before(id)`, or the newest;
    /// with the cursors onward (Persona: "The most recently created object will appear first",
    /// `page[after]`/`page[before]` are object ids, <https://docs.withpersona.com/pagination>).
    /// An unknown cursor id gives an empty page.
    fn page(&self, cursor: Cursor<'_>, size: usize, keep: impl Fn(&Value) -> bool) -> Page {
        let position = |id: &str| self.index.get(id).copied();
        // Indexes are oldest first; a page is read from newest to oldest.
        let matching: Vec<usize> = (0..self.items.len())
            .filter(|&i| keep(&self.items[i]))
            .collect();
        let (first, end) = match cursor {
            Cursor::Newest => (matching.len().saturating_sub(size), matching.len()),
            Cursor::After(id) => match position(id) {
                Some(at) => {
                    let end = matching.partition_point(|&i| i < at);
                    (end.saturating_sub(size), end)
                }
                None => return Page::default(),
            },
            Cursor::Before(id) => match position(id) {
                Some(at) => {
                    let first = matching.partition_point(|&i| i <= at);
                    (first, (first + size).min(matching.len()))
                }
                None => return Page::default(),
            },
        };
        let items: Vec<Value> = matching[first..end]
            .iter()
            .rev()
            .map(|&i| self.items[i].clone())
            .collect();
        let id_of = |v: &Value| v["id"].as_str().map(str::to_owned);
        Page {
            next: if first > 0 {
                items.last().and_then(id_of)
            } else {
                None
            },
            prev: if end < matching.len() {
                items.first().and_then(id_of)
            } else {
                None
            },
            items,
        }
    }
}

/// Where a page starts.
#[derive(Debug, Clone, Copy)]
pub enum Cursor<'a> {
    /// The newest objects.
    Newest,
    /// `page[after]`: older than this id.
    After(&'a str),
    /// `page[before]`: newer than this id.
    Before(&'a str),
}

/// A page and the cursors onward (`None` where there is nothing more that way).
#[derive(Debug, Default)]
pub struct Page {
    pub items: Vec<Value>,
    /// `page[after]` for the next (older) page.
    pub next: Option<String>,
    /// `page[before]` for the previous (newer) page.
    pub prev: Option<String>,
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SS.000Z` (civil-from-days, so no date crate is needed).
pub fn iso8601(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.000Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// A new object id such as `inq_3f2a…` (96 random bits).
pub fn new_id(prefix: &str) -> String {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};
    // Ids need to be unique in one sandbox and look like Persona's (random): a counter through
    // a bijective mix (SplitMix64's finalizer) under a per-process random key, so an id costs
    // no system call (one per request showed in the sandbox's profile). A failed random read
    // still gives unique ids.
    static KEY: OnceLock<[u64; 2]> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let key = KEY.get_or_init(|| {
        let mut bytes = [0u8; 16];
        let _ = getrandom::fill(&mut bytes);
        let (low, high) = bytes.split_at(8);
        [
            u64::from_le_bytes(low.try_into().unwrap_or_default()),
            u64::from_le_bytes(high.try_into().unwrap_or_default()),
        ]
    });
    let mut x = COUNTER.fetch_add(1, Ordering::Relaxed).wrapping_add(key[0]);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^= x >> 31;
    format!("{prefix}_{x:016x}{:08x}", (key[1] as u32))
}

/// All objects.
#[derive(Debug, Default)]
pub struct Store {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    inquiries: Collection,
    accounts: Collection,
    events: Collection,
    /// Every other resource type (verifications among them), created through the operations
    /// served from the table or by the actions that make them.
    others: Collection,
    /// One per authenticated request, the newest [`API_LOGS_KEPT`]: apart, so that the other
    /// types' lookups (a webhook to deliver to, a list) do not walk every request ever made.
    api_logs: Collection,
}

/// How many API logs the sandbox keeps (the newest): it is a development server, and one that
/// serves a benchmark or a long test run must not grow without bound.
pub const API_LOGS_KEPT: usize = 10_000;

/// Which collection (the hand-served types; every other type lives in one more collection).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `inquiry`
    Inquiry,
    /// `account`
    Account,
    /// `verification/government-id`
    Verification,
    /// `event`
    Event,
}

impl Kind {
    /// Whether `object` is of this kind.
    fn holds(self, object: &Value) -> bool {
        let kind = object["type"].as_str().unwrap_or_default();
        match self {
            Self::Inquiry => kind == "inquiry",
            Self::Account => kind == "account",
            Self::Verification => kind.starts_with("verification/"),
            Self::Event => kind == "event",
        }
    }
}

impl Store {
    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.inner.lock().unwrap_or_else(|p| p.into_inner()))
    }

    fn collection(inner: &mut Inner, kind: Kind) -> &mut Collection {
        match kind {
            Kind::Inquiry => &mut inner.inquiries,
            Kind::Account => &mut inner.accounts,
            Kind::Verification => &mut inner.others,
            Kind::Event => &mut inner.events,
        }
    }

    /// Stores a new object, shaped as Persona serializes its type ([`shape`]).
    pub fn insert(&self, kind: Kind, mut object: Value) -> Value {
        shape(&mut object);
        self.with(|inner| Self::collection(inner, kind).insert(object))
    }

    /// Stores a new object like [`Store::insert`], for a caller that does not need it back (no
    /// copy is made).
    pub fn insert_quiet(&self, kind: Kind, mut object: Value) {
        shape(&mut object);
        self.with(|inner| Self::collection(inner, kind).push(object));
    }

    /// One object of `kind`.
    pub fn get(&self, kind: Kind, id: &str) -> Option<Value> {
        self.with(|inner| {
            Self::collection(inner, kind)
                .get(id)
                .filter(|object| kind.holds(object))
                .cloned()
        })
    }

    /// Changes an object in place; returns the new value.
    pub fn update(&self, kind: Kind, id: &str, change: impl FnOnce(&mut Value)) -> Option<Value> {
        self.with(|inner| {
            let object = Self::collection(inner, kind)
                .get_mut(id)
                .filter(|object| kind.holds(object))?;
            change(object);
            shape(object);
            Some(object.clone())
        })
    }

    /// A page of objects, newest first.
    pub fn page(
        &self,
        kind: Kind,
        cursor: Cursor<'_>,
        size: usize,
        keep: impl Fn(&Value) -> bool,
    ) -> Page {
        self.with(|inner| {
            Self::collection(inner, kind)
                .page(cursor, size, |object| kind.holds(object) && keep(object))
        })
    }

    /// Stores a new object of a type served from the table, shaped as Persona serializes it.
    pub fn insert_other(&self, mut object: Value) -> Value {
        shape(&mut object);
        self.with(|inner| inner.others.insert(object))
    }

    /// Stores the API log of a request, keeping the newest [`API_LOGS_KEPT`].
    pub fn insert_api_log(&self, mut object: Value) {
        shape(&mut object);
        self.with(|inner| {
            inner.api_logs.push(object);
            inner.api_logs.bound(API_LOGS_KEPT);
        });
    }

    /// Every object of a type served from the table, e.g. the webhooks.
    pub fn of_type(&self, resource_type: &str) -> Vec<Value> {
        self.with(|inner| {
            inner
                .others
                .items
                .iter()
                .filter(|object| object["type"] == resource_type)
                .cloned()
                .collect()
        })
    }

    /// The object with `id`, in any collection, whatever its type.
    pub fn get_any(&self, id: &str) -> Option<Value> {
        self.with(|inner| {
            Self::all(inner)
                .find_map(|collection| collection.get(id))
                .cloned()
        })
    }

    /// The object with `id`, in any collection, when its type is one of `types`.
    pub fn find(&self, id: &str, types: &[&str]) -> Option<Value> {
        self.with(|inner| {
            Self::all(inner)
                .find_map(|collection| collection.get(id))
                .filter(|object| types.contains(&object["type"].as_str().unwrap_or_default()))
                .cloned()
        })
    }

    /// Changes the object with `id` (in any collection) in place; returns the new value.
    pub fn update_any(&self, id: &str, change: impl FnOnce(&mut Value)) -> Option<Value> {
        self.with(|inner| {
            let object = [
                &mut inner.inquiries,
                &mut inner.accounts,
                &mut inner.events,
                &mut inner.others,
                &mut inner.api_logs,
            ]
            .into_iter()
            .find_map(|collection| collection.get_mut(id))?;
            change(object);
            shape(object);
            Some(object.clone())
        })
    }

    /// A page, newest first, of the objects of `types` (types served from the table,
    /// verifications and API logs among them) that `keep` accepts.
    pub fn page_of(
        &self,
        types: &[&str],
        cursor: Cursor<'_>,
        size: usize,
        keep: impl Fn(&Value) -> bool,
    ) -> Page {
        self.with(|inner| {
            let collection = if types == ["api-log"] {
                &inner.api_logs
            } else {
                &inner.others
            };
            collection.page(cursor, size, |object| {
                types.contains(&object["type"].as_str().unwrap_or_default()) && keep(object)
            })
        })
    }

    fn all(inner: &Inner) -> impl Iterator<Item = &Collection> {
        [
            &inner.inquiries,
            &inner.accounts,
            &inner.events,
            &inner.others,
            &inner.api_logs,
        ]
        .into_iter()
    }

    /// Number of inquiries.
    pub fn inquiry_count(&self) -> usize {
        self.with(|inner| inner.inquiries.items.len())
    }

    /// Counts per collection.
    pub fn stats(&self) -> Value {
        self.with(|inner| {
            json!({
                "inquiries": inner.inquiries.items.len(),
                "accounts": inner.accounts.items.len(),
                "verifications": inner.others.items.iter().filter(|o| Kind::Verification.holds(o)).count(),
                "events": inner.events.items.len(),
                "others": inner.others.items.len(),
                "api-logs": inner.api_logs.items.len(),
            })
        })
    }

    /// Forgets everything.
    pub fn clear(&self) {
        self.with(|inner| *inner = Inner::default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_logs_are_bounded_to_the_newest() {
        let store = Store::default();
        for n in 0..API_LOGS_KEPT + API_LOGS_KEPT / 10 + 1 {
            store.insert_api_log(
                json!({"type": "api-log", "id": format!("req_{n}"), "attributes": {}}),
            );
        }
        let stats = store.stats();
        assert_eq!(stats["api-logs"], API_LOGS_KEPT);
        assert!(store.get_any("req_0").is_none());
        let newest = format!("req_{}", API_LOGS_KEPT + API_LOGS_KEPT / 10);
        assert_eq!(store.get_any(&newest).unwrap()["id"], newest.as_str());
        let page = store.page_of(&["api-log"], Cursor::Newest, 1, |_| true);
        assert_eq!(page.items[0]["id"], newest.as_str());
    }

    #[test]
    fn ids_are_unique_and_shaped_as_persona_shapes_them() {
        let ids: std::collections::HashSet<String> = (0..10_000).map(|_| new_id("inq")).collect();
        assert_eq!(ids.len(), 10_000);
        for id in ids.iter().take(5) {
            let hex = id.strip_prefix("inq_").unwrap();
            assert_eq!(hex.len(), 24);
            assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()));
        }
    }

    #[test]
    fn dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_700_000_000), "2023-11-14T22:13:20.000Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn pages_newest_first_both_ways() {
        let mut c = Collection::default();
        for i in 0..5 {
            c.insert(json!({"id": format!("x{i}")}));
        }
        let ids = |page: &Page| {
            page.items
                .iter()
                .map(|v| v["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        };
        let first = c.page(Cursor::Newest, 2, |_| true);
        assert_eq!(ids(&first), ["x4", "x3"]);
        assert_eq!(
            (first.next.as_deref(), first.prev.as_deref()),
            (Some("x3"), None)
        );
        let second = c.page(Cursor::After("x3"), 2, |_| true);
        assert_eq!(ids(&second), ["x2", "x1"]);
        assert_eq!(second.prev.as_deref(), Some("x2"));
        let last = c.page(Cursor::After("x1"), 2, |_| true);
        assert_eq!((ids(&last), last.next), (vec!["x0".to_owned()], None));
        // Backward from the last page: the two just newer than x0, then the newest.
        let back = c.page(Cursor::Before("x0"), 2, |_| true);
        assert_eq!(ids(&back), ["x2", "x1"]);
        assert_eq!(back.prev.as_deref(), Some("x2"));
        let newest = c.page(Cursor::Before("x2"), 2, |_| true);
        assert_eq!(
            (ids(&newest), newest.prev),
            (vec!["x4".to_owned(), "x3".to_owned()], None)
        );
        // Filtered: only odd ids.
        let odd = c.page(Cursor::Newest, 5, |v| v["id"] == "x1" || v["id"] == "x3");
        assert_eq!(ids(&odd), ["x3", "x1"]);
        assert!(c.page(Cursor::After("nope"), 2, |_| true).items.is_empty());
    }
}
