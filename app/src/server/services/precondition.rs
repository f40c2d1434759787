//! Optimistic concurrency (API.md §1 "Concurrency"): the versions a write may apply to.

/// The versions a client saw: `If-Match` (one or several ETags) or the version an edit form was
/// opened at. Empty means "no precondition": the write applies on top of whatever is current.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExpectedVersion(Vec<i64>);

impl ExpectedVersion {
    /// No precondition (no `If-Match`, or `If-Match: *`).
    pub fn any() -> ExpectedVersion {
        ExpectedVersion(Vec::new())
    }

    pub fn exactly(version: i64) -> ExpectedVersion {
        ExpectedVersion(vec![version])
    }

    /// `"3"`, `W/"3"`, `"1", "2"` or `*`. A tag we never issued matches nothing (RFC 9110 §13.1.1:
    /// the list matches when any of its tags does).
    pub fn from_if_match(header: &str) -> ExpectedVersion {
        let tags: Vec<&str> = header.split(',').map(str::trim).collect();
        if tags.contains(&"*") {
            return ExpectedVersion::any();
        }
        ExpectedVersion(
            tags.iter()
                .map(|tag| {
                    tag.strip_prefix("W/")
                        .unwrap_or(tag)
                        .trim_matches('"')
                        .parse()
                        .unwrap_or(-1)
                })
                .collect(),
        )
    }

    pub fn admits(&self, current: i64) -> bool {
        self.0.is_empty() || self.0.contains(&current)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_tag_of_the_list_may_match() {
        assert!(ExpectedVersion::from_if_match("\"1\", \"2\"").admits(2));
        assert!(ExpectedVersion::from_if_match("W/\"2\"").admits(2));
        assert!(!ExpectedVersion::from_if_match("\"1\", \"2\"").admits(3));
        assert!(!ExpectedVersion::from_if_match("\"abc\"").admits(1));
        assert!(ExpectedVersion::from_if_match("*").admits(7));
        assert!(ExpectedVersion::any().admits(7));
        assert!(!ExpectedVersion::exactly(1).admits(2));
    }
}
