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

/// Reads RFC 4180 CSV: quoted cells (with `""` for a quote, and line breaks inside), CRLF or LF
/// line ends, a UTF-8 byte-order mark ignored. Answers the records; an unterminated quote is an
/// error naming the line it started on.
#[cfg(test)]
pub fn parse(text: &str) -> Result<Vec<Vec<String>>, String> {
    Records::new(text).collect()
}

/// The records of a CSV text one at a time (see `parse`), so that a large file is never held twice
/// over in cells. After an error it ends.
#[derive(Clone)]
pub struct Records<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: usize,
    failed: bool,
}

impl<'a> Records<'a> {
    pub fn new(text: &'a str) -> Records<'a> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        Records {
            chars: text.chars().peekable(),
            line: 1,
            failed: false,
        }
    }
}

impl Iterator for Records<'_> {
    type Item = Result<Vec<String>, String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.chars.peek().is_none() {
            return None;
        }
        let mut record = Vec::new();
        let mut cell = String::new();
        let mut quoted_since = None;
        let mut at_cell_start = true;
        while let Some(c) = self.chars.next() {
            if quoted_since.is_some() {
                match c {
                    '"' if self.chars.peek() == Some(&'"') => {
                        self.chars.next();
                        cell.push('"');
                    }
                    '"' => quoted_since = None,
                    c => {
                        if c == '\n' {
                            self.line += 1;
                        }
                        cell.push(c);
                    }
                }
                continue;
            }
            match c {
                '"' if at_cell_start => {
                    quoted_since = Some(self.line);
                    at_cell_start = false;
                }
                ',' => {
                    record.push(std::mem::take(&mut cell));
                    at_cell_start = true;
                }
                '\r' if self.chars.peek() == Some(&'\n') => {}
                '\n' | '\r' => {
                    record.push(cell);
                    self.line += 1;
                    return Some(Ok(record));
                }
                c => {
                    cell.push(c);
                    at_cell_start = false;
                }
            }
        }
        if let Some(start) = quoted_since {
            self.failed = true;
            return Some(Err(format!(
                "a quoted cell that starts on line {start} never ends"
            )));
        }
        // The last line without a line end.
        record.push(cell);
        Some(Ok(record))
    }
}

/// A cell a spreadsheet would run as a formula (`=`, `@`, or `+` / `-` not followed by a number),
/// after taking off the `'` our own export puts in front of such cells.
pub fn unguard_cell(value: &str) -> Result<String, String> {
    if let Some(rest) = value.strip_prefix('\'') {
        if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            return Ok(rest.to_string());
        }
    }
    let numeric = |rest: &str| {
        let rest = rest.trim_start();
        rest.starts_with(|c: char| c.is_ascii_digit() || c == '(')
            && rest
                .chars()
                .all(|c| c.is_ascii_digit() || " ()-./".contains(c))
    };
    match value.chars().next() {
        Some('=' | '@') => Err("looks like a spreadsheet formula".into()),
        Some('+' | '-') if !numeric(&value[1..]) => Err("looks like a spreadsheet formula".into()),
        _ => Ok(value.to_string()),
    }
}

#[cfg(test)]
mod parse_tests {
    use super::*;

    #[test]
    fn reads_quotes_line_breaks_and_both_line_ends() {
        let records =
            parse("\u{feff}email,comment\r\na@x.io,\"one, \"\"two\"\"\nthree\"\nb@x.io,\n")
                .unwrap();
        assert_eq!(
            records,
            vec![
                vec!["email".to_string(), "comment".to_string()],
                vec!["a@x.io".to_string(), "one, \"two\"\nthree".to_string()],
                vec!["b@x.io".to_string(), String::new()],
            ]
        );
        assert!(parse("a,\"never closed\nb").unwrap_err().contains("line 1"));
    }

    #[test]
    fn formulas_are_refused_and_our_own_guard_is_undone() {
        assert!(unguard_cell("=HYPERLINK(\"x\")").is_err());
        assert!(unguard_cell("@SUM(1)").is_err());
        assert!(unguard_cell("-cmd").is_err());
        assert_eq!(
            unguard_cell("+1 (555) 010-2000").unwrap(),
            "+1 (555) 010-2000"
        );
        assert_eq!(unguard_cell("'+1 555").unwrap(), "+1 555");
        assert_eq!(unguard_cell("plain").unwrap(), "plain");
    }
}
