//! Nix string escaping and attribute-name quoting.
//!
//! Everything flakeedit writes from user input goes through these functions,
//! so no value can end a string early, start an interpolation or inject code.

/// Quotes `value` as a Nix double-quoted string literal.
///
/// Escapes `\`, `"`, `${` (as `\${`), newlines, carriage returns and tabs.
/// Other characters, non-ASCII included, are written as they are.
pub fn string_literal(value: &str) -> String {
    let mut output = String::with_capacity(value.len() + 2);
    output.push('"');
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => output.push_str("\\\\"),
            '"' => output.push_str("\\\""),
            '\n' => output.push_str("\\n"),
            '\r' => output.push_str("\\r"),
            '\t' => output.push_str("\\t"),
            '$' if chars.peek() == Some(&'{') => output.push_str("\\$"),
            c => output.push(c),
        }
    }
    output.push('"');
    output
}

/// Nix keywords, which cannot be bare attribute names.
const KEYWORDS: &[&str] = &[
    "assert", "else", "if", "in", "inherit", "let", "or", "rec", "then", "with",
];

/// True when `name` can be written as a bare identifier in an attribute path.
pub fn is_plain_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_');
    first_ok
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '\'' | '-'))
        && !KEYWORDS.contains(&name)
}

/// Writes an attribute name: bare when it is a plain identifier, quoted
/// (and escaped) otherwise, e.g. `"hls-1.10"`.
pub fn attr_name(name: &str) -> String {
    if is_plain_identifier(name) {
        name.to_string()
    } else {
        string_literal(name)
    }
}

/// Writes an attribute path from its segments, quoting each as needed.
pub fn attr_path<S: AsRef<str>>(segments: &[S]) -> String {
    segments
        .iter()
        .map(|segment| attr_name(segment.as_ref()))
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped() {
        assert_eq!(string_literal("plain"), "\"plain\"");
        assert_eq!(string_literal("a\"b"), "\"a\\\"b\"");
        assert_eq!(string_literal("${x}"), "\"\\${x}\"");
        assert_eq!(string_literal("$x {"), "\"$x {\"");
        assert_eq!(string_literal("a\\b"), "\"a\\\\b\"");
        assert_eq!(string_literal("l1\nl2"), "\"l1\\nl2\"");
        assert_eq!(string_literal("é☃"), "\"é☃\"");
    }

    #[test]
    fn names_are_quoted_when_needed() {
        assert_eq!(attr_name("nixpkgs"), "nixpkgs");
        assert_eq!(attr_name("flake-parts"), "flake-parts");
        assert_eq!(attr_name("self'"), "self'");
        assert_eq!(attr_name("hls-1.10"), "\"hls-1.10\"");
        assert_eq!(attr_name("1password"), "\"1password\"");
        assert_eq!(attr_name("in"), "\"in\"");
        assert_eq!(attr_name(""), "\"\"");
        assert_eq!(
            attr_path(&["inputs", "hls-1.10", "url"]),
            "inputs.\"hls-1.10\".url"
        );
    }
}
