//! CSV output (RFC 4180) that is safe to open in a spreadsheet: a cell starting with `=`, `+`, `-`
//! or `@` (or a tab / carriage return, which some spreadsheets skip) is prefixed with `'` so it is
//! never evaluated as a formula.

pub fn escape_cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// One line, CRLF-terminated.
pub fn line<'a>(cells: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = cells
        .into_iter()
        .map(escape_cell)
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(escape_cell("=SUM(A1:A2)"), "'=SUM(A1:A2)");
        assert_eq!(escape_cell("+1"), "'+1");
        assert_eq!(escape_cell("-1"), "'-1");
        assert_eq!(escape_cell("@cmd"), "'@cmd");
        assert_eq!(escape_cell("plain"), "plain");
    }

    #[test]
    fn quoting() {
        assert_eq!(escape_cell("a,b"), "\"a,b\"");
        assert_eq!(escape_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(escape_cell("=1,2"), "\"'=1,2\"");
        assert_eq!(line(["a", "b"]), "a,b\r\n");
    }
}
