//! Paging, search and ordering of lists, in the Meshery query shape
//! (`orgID`, `page`, `pagesize`, `search`, `order`, `filter`). The REST API parses its query
//! string with this code and the UI parses its own URL with it, so both obey the same rules.

use crate::error::ApiError;
use serde::{Deserialize, Serialize};
use std::fmt::Debug;
use uuid::Uuid;

pub const DEFAULT_PAGE_SIZE: u32 = 20;
pub const MAX_PAGE_SIZE: u32 = 1000;
pub const MAX_SEARCH_LEN: usize = 200;
/// The highest page number (the largest signed 32-bit integer, which every client can hold).
pub const MAX_PAGE: u32 = i32::MAX as u32;

/// An object by id and name: what moving a whole side of a transfer list needs to show each
/// item it staged, and a related object embedded in an answer (a person's teams).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Named {
    pub id: Uuid,
    pub name: String,
}

/// A list query exactly as it arrives: every value a string, none checked yet.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
// A parameter a list does not know is refused (naming it), never silently ignored.
#[serde(deny_unknown_fields)]
pub struct RawListQuery {
    /// The organization; optional when the caller belongs to exactly one. `orgId` is accepted too.
    #[serde(rename = "orgID", alias = "orgId", default)]
    #[cfg_attr(feature = "ssr", param(rename = "orgID", schema_with = org_param))]
    pub org_id: Option<String>,
    /// 0-based page number (default 0, at most 2147483647).
    #[serde(default)]
    #[cfg_attr(feature = "ssr", param(schema_with = page_param))]
    pub page: Option<String>,
    /// Items per page, 1-1000 (default 20). `pageSize` is accepted too, as Meshery uses both.
    #[serde(default, alias = "pageSize")]
    #[cfg_attr(feature = "ssr", param(schema_with = page_size_param))]
    pub pagesize: Option<String>,
    /// Case-insensitive substring of the name or description.
    #[serde(default)]
    #[cfg_attr(
        feature = "ssr",
        param(
            pattern = r"^\s*(?:[^\s\u0000-\u001f\u007f](?:[^\u0000-\u001f\u007f]{0,198}[^\s\u0000-\u001f\u007f])?)?\s*$"
        )
    )]
    pub search: Option<String>,
    /// `<field> [asc|desc]`.
    #[serde(default)]
    pub order: Option<String>,
    /// A JSON object of filters.
    #[serde(default)]
    pub filter: Option<String>,
}

/// A parameter that is `value`, or empty (a GET form's empty field), which means the default.
#[cfg(feature = "ssr")]
fn or_blank(value: utoipa::openapi::ObjectBuilder) -> utoipa::openapi::Schema {
    use utoipa::openapi::{ObjectBuilder, OneOfBuilder, Type};
    let one_of = OneOfBuilder::new()
        .item(value)
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(r"^\s*$")),
        )
        .build();
    utoipa::openapi::Schema::OneOf(one_of)
}

#[cfg(feature = "ssr")]
fn org_param() -> utoipa::openapi::Schema {
    use utoipa::openapi::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
    or_blank(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid))),
    )
}

#[cfg(feature = "ssr")]
fn page_param() -> utoipa::openapi::Schema {
    use utoipa::openapi::{ObjectBuilder, Type};
    or_blank(
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(0))
            .maximum(Some(MAX_PAGE)),
    )
}

#[cfg(feature = "ssr")]
fn page_size_param() -> utoipa::openapi::Schema {
    use utoipa::openapi::{ObjectBuilder, Type};
    or_blank(
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1))
            .maximum(Some(MAX_PAGE_SIZE)),
    )
}

/// A field a list can be ordered by.
pub trait SortField: Copy + Debug + PartialEq + Eq + 'static {
    /// Every field with its wire name.
    const ALL: &'static [(Self, &'static str)];
    /// The order used when none is given.
    const DEFAULT: (Self, Direction);

    fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(f, _)| *f == self)
            .map(|(_, n)| *n)
            .unwrap_or("")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Asc,
    Desc,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Asc => "asc",
            Direction::Desc => "desc",
        }
    }

    pub fn flip(self) -> Self {
        match self {
            Direction::Asc => Direction::Desc,
            Direction::Desc => Direction::Asc,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order<F> {
    pub field: F,
    pub direction: Direction,
}

impl<F: SortField> Default for Order<F> {
    fn default() -> Self {
        Order {
            field: F::DEFAULT.0,
            direction: F::DEFAULT.1,
        }
    }
}

impl<F: SortField> Order<F> {
    /// Parses `<field> [asc|desc]`; an empty value is the default order.
    pub fn parse(raw: Option<&str>) -> Result<Self, ApiError> {
        let raw = raw.map(str::trim).unwrap_or("");
        if raw.is_empty() {
            return Ok(Self::default());
        }
        let fields = || {
            F::ALL
                .iter()
                .map(|(_, n)| *n)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut words = raw.split_whitespace();
        let name = words.next().unwrap_or("");
        let Some((field, _)) = F::ALL.iter().find(|(_, n)| n.eq_ignore_ascii_case(name)) else {
            return Err(ApiError::parameter(
                "order",
                format!(
                    "cannot order by '{name}'; use one of: {} (optionally followed by asc or desc)",
                    fields()
                ),
            ));
        };
        let direction = match words.next().map(str::to_ascii_lowercase).as_deref() {
            None | Some("asc") => Direction::Asc,
            Some("desc") => Direction::Desc,
            Some(other) => {
                return Err(ApiError::parameter(
                    "order",
                    format!("order direction must be asc or desc, not '{other}'"),
                ))
            }
        };
        if words.next().is_some() {
            return Err(ApiError::parameter(
                "order",
                "order takes a field and an optional direction, e.g. 'name asc'",
            ));
        }
        Ok(Order {
            field: *field,
            direction,
        })
    }

    pub fn to_param(self) -> String {
        format!("{} {}", self.field.name(), self.direction.as_str())
    }
}

/// The parts of a list query every list shares, checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery<F> {
    pub org_id: Option<Uuid>,
    pub page: u32,
    pub page_size: u32,
    pub search: Option<String>,
    pub order: Order<F>,
}

impl<F: SortField> Default for ListQuery<F> {
    fn default() -> Self {
        ListQuery {
            org_id: None,
            page: 0,
            page_size: DEFAULT_PAGE_SIZE,
            search: None,
            order: Order::default(),
        }
    }
}

fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl<F: SortField> ListQuery<F> {
    pub fn parse(raw: &RawListQuery) -> Result<Self, ApiError> {
        // An empty value is the default, as a GET form with an empty field sends it; any other
        // value is taken as given (" 5" is not a page number).
        fn given(v: &Option<String>) -> Option<&str> {
            v.as_deref().filter(|s| !s.trim().is_empty())
        }
        let org_id = match given(&raw.org_id) {
            None => None,
            Some(s) => Some(Uuid::parse_str(s).map_err(|_| {
                ApiError::parameter("orgID", format!("orgID must be a UUID, not '{s}'"))
            })?),
        };
        let page = match given(&raw.page) {
            None => 0,
            Some(s) => match s.parse::<u32>() {
                Ok(n) if n <= MAX_PAGE => n,
                _ => {
                    return Err(ApiError::parameter(
                        "page",
                        format!("page must be a whole number from 0 to {MAX_PAGE}, not '{s}'"),
                    ))
                }
            },
        };
        let page_size = match given(&raw.pagesize) {
            None => DEFAULT_PAGE_SIZE,
            Some(s) => match s.parse::<u32>() {
                Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => n,
                _ => {
                    return Err(ApiError::parameter(
                        "pagesize",
                        format!(
                            "pagesize must be a whole number from 1 to {MAX_PAGE_SIZE}, not '{s}'"
                        ),
                    ))
                }
            },
        };
        // Neither SQLite's full-text query nor PostgreSQL's text takes a NUL, and no name holds
        // a control character to be found. Checked before trimming: a needle carrying a line
        // break is malformed, not trimmed.
        if raw
            .search
            .as_deref()
            .is_some_and(|s| s.chars().any(char::is_control))
        {
            return Err(ApiError::parameter(
                "search",
                "search cannot contain control characters",
            ));
        }
        let search = match non_empty(&raw.search) {
            None => None,
            Some(s) if s.chars().count() > MAX_SEARCH_LEN => {
                return Err(ApiError::parameter(
                    "search",
                    format!("search is at most {MAX_SEARCH_LEN} characters"),
                ))
            }
            Some(s) => Some(s.to_string()),
        };
        Ok(ListQuery {
            org_id,
            page,
            page_size,
            search,
            order: Order::parse(raw.order.as_deref())?,
        })
    }

    /// Offset of the first row of the page, saturating instead of overflowing on huge pages.
    pub fn offset(&self) -> u64 {
        u64::from(self.page) * u64::from(self.page_size)
    }

    /// The query back as strings, leaving out defaults, for links and the URL bar.
    pub fn to_raw(&self) -> RawListQuery {
        RawListQuery {
            org_id: self.org_id.map(|o| o.to_string()),
            page: (self.page != 0).then(|| self.page.to_string()),
            pagesize: (self.page_size != DEFAULT_PAGE_SIZE).then(|| self.page_size.to_string()),
            search: self.search.clone(),
            order: (self.order != Order::default()).then(|| self.order.to_param()),
            filter: None,
        }
    }
}

/// A query the service checks again on arrival. REST parses its query string; a server
/// function receives the query already typed, so it may carry anything (a page size of a
/// million, 5,000 tags). Writing it back as strings and parsing those applies the one set of
/// rules to every caller.
pub trait Recheck: Sized {
    fn rechecked(&self) -> Result<Self, ApiError>;
}

/// Implements [`Recheck`] through a type's own `to_raw` and `parse`.
#[macro_export]
macro_rules! recheck_by_raw {
    ($($t:ty),* $(,)?) => {
        $(impl $crate::list::Recheck for $t {
            fn rechecked(&self) -> Result<Self, $crate::error::ApiError> {
                <$t>::parse(&self.to_raw())
            }
        })*
    };
}

impl<F: SortField> Recheck for ListQuery<F> {
    fn rechecked(&self) -> Result<Self, ApiError> {
        ListQuery::parse(&self.to_raw())
    }
}

/// Parses a `filter` parameter into a JSON object; `None` when absent or empty.
pub fn parse_filter_object(
    raw: Option<&str>,
) -> Result<Option<serde_json::Map<String, serde_json::Value>>, ApiError> {
    let raw = raw.map(str::trim).unwrap_or("");
    if raw.is_empty() {
        return Ok(None);
    }
    match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(serde_json::Value::Object(map)) => Ok(Some(map)),
        Ok(_) => Err(ApiError::parameter(
            "filter",
            "filter must be a JSON object, e.g. {\"tags\": [\"prod\"]}",
        )),
        Err(e) => Err(ApiError::parameter(
            "filter",
            format!("filter is not valid JSON: {e}"),
        )),
    }
}

/// A filter key whose value is true or false.
pub fn filter_bool(key: &str, value: &serde_json::Value) -> Result<bool, ApiError> {
    value.as_bool().ok_or_else(|| {
        ApiError::parameter(
            &format!("filter.{key}"),
            format!("filter.{key} must be true or false"),
        )
    })
}

/// How many pages `total` rows make at `page_size` a page.
pub fn page_count(total: u64, page_size: u32) -> u32 {
    if page_size == 0 {
        return 0;
    }
    total.div_ceil(u64::from(page_size)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum F {
        Name,
        Updated,
    }
    impl SortField for F {
        const ALL: &'static [(Self, &'static str)] =
            &[(F::Name, "name"), (F::Updated, "updated_at")];
        const DEFAULT: (Self, Direction) = (F::Updated, Direction::Desc);
    }

    fn raw(pairs: &[(&str, &str)]) -> RawListQuery {
        let mut r = RawListQuery::default();
        for (k, v) in pairs {
            let v = Some(v.to_string());
            match *k {
                "orgID" => r.org_id = v,
                "page" => r.page = v,
                "pagesize" => r.pagesize = v,
                "search" => r.search = v,
                "order" => r.order = v,
                "filter" => r.filter = v,
                _ => unreachable!(),
            }
        }
        r
    }

    #[test]
    fn defaults_and_empty_values() {
        let q = ListQuery::<F>::parse(&raw(&[
            ("orgID", ""),
            ("page", ""),
            ("pagesize", " "),
            ("search", " "),
            ("order", ""),
            ("filter", ""),
        ]))
        .unwrap();
        assert_eq!(q.org_id, None);
        assert_eq!(q.search, None);
        assert_eq!(q.page, 0);
        assert_eq!(q.page_size, 20);
        assert_eq!(q.order.field, F::Updated);
        assert_eq!(q.order.direction, Direction::Desc);
    }

    #[test]
    fn bad_values_name_their_parameter() {
        for (k, v) in [
            ("page", "-1"),
            ("page", "x"),
            ("pagesize", "0"),
            ("pagesize", "1001"),
            ("order", "owner"),
            ("order", "name sideways"),
            ("order", "name asc extra"),
            ("orgID", "nope"),
            ("orgID", " 01a2037a-98f7-7015-b53a-6769c8c46695"),
            ("page", " 1"),
            ("page", "2147483648"),
            ("pagesize", "5 "),
            ("search", "a\u{0}b"),
        ] {
            let err = ListQuery::<F>::parse(&raw(&[(k, v)])).unwrap_err();
            assert_eq!(err.status(), 400, "{k}={v}");
            let field = if k == "orgID" { "orgID" } else { k };
            assert_eq!(err.field.as_deref(), Some(field), "{k}={v}");
        }
    }

    #[test]
    fn order_parses_direction_and_case() {
        let o = Order::<F>::parse(Some("NAME desc")).unwrap();
        assert_eq!((o.field, o.direction), (F::Name, Direction::Desc));
        let o = Order::<F>::parse(Some("name")).unwrap();
        assert_eq!(o.direction, Direction::Asc);
    }

    #[test]
    fn round_trips_through_raw() {
        let q = ListQuery::<F>::parse(&raw(&[
            ("page", "3"),
            ("search", "prod"),
            ("order", "name asc"),
        ]))
        .unwrap();
        assert_eq!(ListQuery::<F>::parse(&q.to_raw()).unwrap(), q);
        assert_eq!(ListQuery::<F>::default().to_raw(), RawListQuery::default());
    }

    #[test]
    fn filter_must_be_an_object() {
        assert!(parse_filter_object(Some("")).unwrap().is_none());
        assert!(parse_filter_object(Some("[1]")).is_err());
        assert!(parse_filter_object(Some("{bad")).is_err());
        assert!(parse_filter_object(Some("{\"tags\":[]}"))
            .unwrap()
            .is_some());
    }

    #[test]
    fn page_count_rounds_up() {
        assert_eq!(page_count(41, 20), 3);
        assert_eq!(page_count(40, 20), 2);
        assert_eq!(page_count(0, 20), 0);
    }
}
