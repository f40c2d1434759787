//! List parameters shared by every collection (API.md §1 "Lists"): paging, `q[...]` filters with
//! `*` wildcards, `sort_by`, and the `created_at` date ranges. Parsed once, here, for the REST API
//! and the UI alike; every problem is reported as a field error.

use super::FieldError;
use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

pub const DEFAULT_PER_PAGE: u32 = 25;
pub const MAX_PER_PAGE: u32 = 100;
/// Deep offsets are a denial-of-service vector; nobody pages this far by hand.
pub const MAX_PAGE: u32 = 100_000;

/// What a collection accepts.
#[derive(Clone, Copy, Debug)]
pub struct ListSpec {
    pub filters: &'static [&'static str],
    pub sorts: &'static [&'static str],
    pub default_sort: &'static str,
    /// Newest first by default (a log such as the outbox), instead of A to Z.
    pub default_descending: bool,
}

/// A case-insensitive match on one text column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextMatch {
    /// No wildcard: the whole value, ignoring case.
    Exact(String),
    /// With `*`: a SQL `LIKE` pattern (`%` for `*`, `\` escapes), plus the literal runs between
    /// wildcards, which the full-text index uses to narrow the candidates.
    Pattern { like: String, literals: Vec<String> },
}

impl TextMatch {
    /// `acme*` → prefix, `*@example.com` → suffix, `acme` → exact. Surrounding single quotes go.
    pub fn parse(raw: &str) -> Option<TextMatch> {
        let trimmed = raw.trim();
        let value = trimmed
            .strip_prefix('\'')
            .and_then(|v| v.strip_suffix('\''))
            .unwrap_or(trimmed);
        if value.is_empty() {
            return None;
        }
        if !value.contains('*') {
            return Some(TextMatch::Exact(value.to_string()));
        }
        let mut like = String::with_capacity(value.len() + 4);
        for c in value.chars() {
            match c {
                '*' => like.push('%'),
                '%' | '_' | '\\' => {
                    like.push('\\');
                    like.push(c);
                }
                c => like.push(c),
            }
        }
        let literals = value
            .split('*')
            .filter(|part| !part.is_empty())
            .map(str::to_string)
            .collect();
        Some(TextMatch::Pattern { like, literals })
    }

    /// The UI's search box: a substring anywhere.
    pub fn contains(raw: &str) -> Option<TextMatch> {
        let value = raw.trim().trim_matches('*');
        if value.is_empty() {
            return None;
        }
        TextMatch::parse(&format!("*{value}*"))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sort {
    pub field: String,
    pub descending: bool,
}

impl Sort {
    /// `name`, `name:desc`, `name desc` (and `name+desc` once decoded).
    pub fn parse(raw: &str, allowed: &[&str]) -> Result<Sort, String> {
        let raw = raw.trim();
        let (field, direction) = match raw.split_once([':', ' ']) {
            Some((field, direction)) => (field.trim(), direction.trim()),
            None => (raw, "asc"),
        };
        if !allowed.contains(&field) {
            return Err(format!(
                "can't sort by '{field}' (allowed: {})",
                allowed.join(", ")
            ));
        }
        let descending = match direction.to_ascii_lowercase().as_str() {
            "asc" | "" => false,
            "desc" => true,
            other => return Err(format!("has an unknown direction '{other}' (asc or desc)")),
        };
        Ok(Sort {
            field: field.to_string(),
            descending,
        })
    }

    pub fn to_param(&self) -> String {
        format!(
            "{}:{}",
            self.field,
            if self.descending { "desc" } else { "asc" }
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ListQuery {
    pub page: u32,
    pub per_page: u32,
    pub sort: Sort,
    /// `q[<field>]` filters, all of which must match.
    pub filters: Vec<(String, TextMatch)>,
    /// The free-text `q` (the UI's search box): a substring of the names.
    pub search: Option<TextMatch>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
    /// Count a search's matches no further than this (the UI's lists: "more than 1,000"); `None`
    /// counts them all (the REST API, whose `meta` is exact). Never set from the query string.
    pub count_limit: Option<u64>,
}

/// How far the UI's lists count a search's matches before saying "more than".
pub const UI_COUNT_LIMIT: u64 = 1000;

impl ListQuery {
    /// Parses raw query pairs. `now` anchors relative ranges so tests are deterministic.
    pub fn parse(
        pairs: &[(String, String)],
        spec: &ListSpec,
        now: DateTime<Utc>,
    ) -> Result<ListQuery, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut query = ListQuery {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            sort: Sort {
                field: spec.default_sort.to_string(),
                descending: spec.default_descending,
            },
            filters: Vec::new(),
            search: None,
            created_from: None,
            created_to: None,
            count_limit: None,
        };
        for (key, value) in pairs {
            match key.as_str() {
                "page" => match value.trim().parse::<u32>() {
                    Ok(page) if (1..=MAX_PAGE).contains(&page) => query.page = page,
                    _ => errors.push(FieldError::new(
                        "page",
                        format!("must be a whole number from 1 to {MAX_PAGE}"),
                    )),
                },
                "per_page" => match value.trim().parse::<u32>() {
                    Ok(per_page) if (1..=MAX_PER_PAGE).contains(&per_page) => {
                        query.per_page = per_page
                    }
                    _ => errors.push(FieldError::new(
                        "per_page",
                        format!("must be a whole number from 1 to {MAX_PER_PAGE}"),
                    )),
                },
                "sort_by" | "sort" => {
                    if value.trim().is_empty() {
                        continue;
                    }
                    match Sort::parse(value, spec.sorts) {
                        Ok(sort) => query.sort = sort,
                        Err(message) => errors.push(FieldError::new(key.as_str(), message)),
                    }
                }
                "q" => match searchable(value) {
                    Ok(()) => query.search = TextMatch::contains(value),
                    Err(message) => errors.push(FieldError::new("q", message)),
                },
                // An empty field of a GET form means "no filter", as for `q` and `sort`.
                "date_range_start" | "date_range_end" | "relative_date_range"
                    if value.trim().is_empty() =>
                {
                    continue
                }
                "date_range_start" => match parse_datetime(value) {
                    Some(at) => query.created_from = Some(at),
                    None => errors.push(FieldError::new(
                        key.as_str(),
                        "must look like YYYY-MM-DD hh:mm:ss",
                    )),
                },
                "date_range_end" => match parse_datetime(value) {
                    Some(at) => query.created_to = Some(at),
                    None => errors.push(FieldError::new(
                        key.as_str(),
                        "must look like YYYY-MM-DD hh:mm:ss",
                    )),
                },
                "relative_date_range" => match parse_relative_range(value, now) {
                    Some((from, to)) => {
                        query.created_from = Some(from);
                        query.created_to = Some(to);
                    }
                    None => errors.push(FieldError::new(
                        key.as_str(),
                        "must look like 10d (units s, m, h, d, M, y, q) or 1q2020",
                    )),
                },
                _ => {
                    if let Some(field) = key.strip_prefix("q[").and_then(|k| k.strip_suffix(']')) {
                        if !spec.filters.contains(&field) {
                            errors.push(FieldError::new(
                                key.as_str(),
                                format!(
                                    "is not a filter here (allowed: {})",
                                    spec.filters.join(", ")
                                ),
                            ));
                        } else if let Err(message) = searchable(value) {
                            errors.push(FieldError::new(key.as_str(), message));
                        } else if let Some(matcher) = TextMatch::parse(value) {
                            query.filters.push((field.to_string(), matcher));
                        }
                    }
                    // Other parameters (cache busters, `_`) are ignored, as a Rails API does.
                }
            }
        }
        // A range that ends before it starts is no error: it matches nothing, like any empty
        // range (and `relative_date_range` may meet an explicit bound from another parameter).
        if errors.is_empty() {
            Ok(query)
        } else {
            Err(errors)
        }
    }

    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.per_page)
    }
}

/// Longest search or filter value: longer ones are no real search, and trigram lookups grow with it.
pub const MAX_SEARCH_LENGTH: usize = 200;

/// Whether a search or filter value can be searched at all. Control characters can't be stored
/// (PostgreSQL refuses NUL in text) and SQLite stops at a NUL (`q=%00` matched every row), so they
/// are a 422, like an over-long value.
pub fn searchable(raw: &str) -> Result<(), String> {
    if raw.chars().any(char::is_control) {
        Err("contains control characters, which can't be searched".into())
    } else if raw.chars().count() > MAX_SEARCH_LENGTH {
        Err(format!(
            "is too long (maximum is {MAX_SEARCH_LENGTH} characters)"
        ))
    } else {
        Ok(())
    }
}

/// `YYYY-MM-DD hh:mm:ss` (UTC), or a bare `YYYY-MM-DD` meaning midnight. Years 1 to 9999 only:
/// chrono reads `-5000-01-01`, which PostgreSQL's timestamps can't hold.
pub fn parse_datetime(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
        .filter(|naive| (1..=9999).contains(&naive.year()))
        .map(|naive| Utc.from_utc_datetime(&naive))
}

/// `10d` → the last ten days up to `now`; `1q2020` → the first quarter of 2020.
pub fn parse_relative_range(
    raw: &str,
    now: DateTime<Utc>,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let raw = raw.trim();
    if let Some((quarter, year)) = raw.split_once('q') {
        if !year.is_empty() {
            let quarter: u32 = quarter.parse().ok().filter(|q| (1..=4).contains(q))?;
            let year: i32 = year.parse().ok().filter(|y| (1970..=9999).contains(y))?;
            let start = Utc
                .with_ymd_and_hms(year, (quarter - 1) * 3 + 1, 1, 0, 0, 0)
                .single()?;
            let end = start.checked_add_months(Months::new(3))? - Duration::milliseconds(1);
            return Some((start, end));
        }
    }
    let unit = raw.chars().last()?;
    let amount: u32 = raw[..raw.len() - unit.len_utf8()]
        .parse()
        .ok()
        .filter(|n| *n > 0 && *n <= 100_000)?;
    let from = match unit {
        's' => now - Duration::seconds(i64::from(amount)),
        'm' => now - Duration::minutes(i64::from(amount)),
        'h' => now - Duration::hours(i64::from(amount)),
        'd' => now - Duration::days(i64::from(amount)),
        'M' => now.checked_sub_months(Months::new(amount))?,
        'q' => now.checked_sub_months(Months::new(amount.checked_mul(3)?))?,
        'y' => now.checked_sub_months(Months::new(amount.checked_mul(12)?))?,
        _ => return None,
    };
    // Keep the year sane for both databases' timestamp types.
    (from.year() >= 1).then_some((from, now))
}

/// `meta` of a list body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PageMeta {
    pub page: u32,
    pub per_page: u32,
    pub total_count: u64,
    pub total_pages: u64,
    /// `total_count` is a lower bound: a search matched more rows than the list counts (see
    /// `ListQuery::count_limit`). Never set on REST answers, and then left out.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "ssr", schema(ignore))]
    pub total_capped: bool,
}

impl PageMeta {
    pub fn new(page: u32, per_page: u32, total_count: u64) -> PageMeta {
        PageMeta {
            page,
            per_page,
            total_count,
            total_capped: false,
            total_pages: total_count.div_ceil(u64::from(per_page.max(1))),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub meta: PageMeta,
}

/// The UI keeps a list's state in its URL (`?q=...&sort=name:desc&page=2&per_page=50`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListParams {
    pub q: Option<String>,
    pub sort: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
    /// The list's filter choices, by their URL name (`role=Admin`), which is the API's
    /// `q[<name>]`.
    #[serde(default)]
    pub filters: Vec<(String, String)>,
}

impl ListParams {
    /// The pairs `ListQuery::parse` reads; empty values are no filter.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut pairs: Vec<(String, String)> = [
            ("q", &self.q),
            ("sort", &self.sort),
            ("page", &self.page),
            ("per_page", &self.per_page),
        ]
        .into_iter()
        .filter_map(|(key, value)| {
            value
                .as_ref()
                .filter(|v| !v.trim().is_empty())
                .map(|v| (key.to_string(), v.clone()))
        })
        .collect();
        pairs.extend(
            self.filters
                .iter()
                .filter(|(_, value)| !value.trim().is_empty())
                .map(|(key, value)| (format!("q[{key}]"), value.clone())),
        );
        pairs
    }

    /// The value chosen for filter `key`, if any.
    pub fn filter(&self, key: &str) -> Option<String> {
        self.filters
            .iter()
            .find(|(k, v)| k == key && !v.is_empty())
            .map(|(_, v)| v.clone())
    }

    /// The URL pairs of the filters that are set.
    pub fn filter_pairs(&self) -> Vec<(&str, Option<String>)> {
        self.filters
            .iter()
            .map(|(k, v)| (k.as_str(), Some(v.clone()).filter(|v| !v.is_empty())))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: ListSpec = ListSpec {
        filters: &["name", "email"],
        sorts: &["name", "created_at"],
        default_sort: "name",
        default_descending: false,
    };

    fn pairs(raw: &[(&str, &str)]) -> Vec<(String, String)> {
        raw.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 3, 4, 13, 4, 41).unwrap()
    }

    #[test]
    fn wildcards_become_like_patterns_and_quotes_are_stripped() {
        assert_eq!(
            TextMatch::parse("'test*'"),
            Some(TextMatch::Pattern {
                like: "test%".into(),
                literals: vec!["test".into()]
            })
        );
        assert_eq!(
            TextMatch::parse("acme"),
            Some(TextMatch::Exact("acme".into()))
        );
        assert_eq!(
            TextMatch::parse("*@example.com"),
            Some(TextMatch::Pattern {
                like: "%@example.com".into(),
                literals: vec!["@example.com".into()]
            })
        );
        assert_eq!(TextMatch::parse("  "), None);
    }

    #[test]
    fn like_metacharacters_are_escaped() {
        assert_eq!(
            TextMatch::parse("100%_*"),
            Some(TextMatch::Pattern {
                like: "100\\%\\_%".into(),
                literals: vec!["100%_".into()]
            })
        );
    }

    #[test]
    fn defaults() {
        let query = ListQuery::parse(&[], &SPEC, now()).unwrap();
        assert_eq!((query.page, query.per_page), (1, 25));
        assert_eq!(query.sort.field, "name");
        assert_eq!(query.offset(), 0);
    }

    #[test]
    fn every_bad_parameter_is_reported() {
        let errors = ListQuery::parse(
            &pairs(&[
                ("page", "0"),
                ("per_page", "101"),
                ("q[colour]", "red"),
                ("sort_by", "secret"),
                ("date_range_start", "yesterday"),
            ]),
            &SPEC,
            now(),
        )
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "page",
                "per_page",
                "q[colour]",
                "sort_by",
                "date_range_start"
            ]
        );
    }

    #[test]
    fn sort_accepts_colon_and_space_forms() {
        assert_eq!(
            Sort::parse("name:desc", SPEC.sorts).unwrap().descending,
            true
        );
        assert_eq!(
            Sort::parse("name desc", SPEC.sorts).unwrap().descending,
            true
        );
        assert_eq!(
            Sort::parse("created_at", SPEC.sorts).unwrap().descending,
            false
        );
        assert!(Sort::parse("name:sideways", SPEC.sorts).is_err());
    }

    #[test]
    fn relative_ranges() {
        let (from, to) = parse_relative_range("10d", now()).unwrap();
        assert_eq!(to - from, Duration::days(10));
        let (from, to) = parse_relative_range("1q2020", now()).unwrap();
        assert_eq!(from, Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap());
        assert_eq!(
            to,
            Utc.with_ymd_and_hms(2020, 3, 31, 23, 59, 59).unwrap() + Duration::milliseconds(999)
        );
        assert!(parse_relative_range("5q2020", now()).is_none());
        assert!(parse_relative_range("10w", now()).is_none());
        assert!(parse_relative_range("d", now()).is_none());
    }

    #[test]
    fn empty_date_fields_are_no_filter() {
        let query = ListQuery::parse(
            &pairs(&[
                ("date_range_start", ""),
                ("date_range_end", " "),
                ("relative_date_range", ""),
            ]),
            &SPEC,
            now(),
        )
        .unwrap();
        assert_eq!(query.created_from, None);
        assert_eq!(query.created_to, None);
    }

    #[test]
    fn unsearchable_values_are_field_errors() {
        let errors = ListQuery::parse(
            &pairs(&[
                ("q", "ab\0cd"),
                ("q[name]", "\0"),
                ("q[email]", &"x".repeat(MAX_SEARCH_LENGTH + 1)),
                ("date_range_start", "-5000-01-01"),
            ]),
            &SPEC,
            now(),
        )
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["q", "q[name]", "q[email]", "date_range_start"]);
        assert!(ListQuery::parse(&pairs(&[("q", "Ünïcode 名前")]), &SPEC, now()).is_ok());
    }

    #[test]
    fn page_meta_rounds_up() {
        assert_eq!(PageMeta::new(1, 25, 51).total_pages, 3);
        assert_eq!(PageMeta::new(1, 25, 0).total_pages, 0);
    }
}

/// One option of a picker: a record's id and what the person choosing reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: String,
    pub label: String,
}
