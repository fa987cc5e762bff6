//! Docker image names and tags, checked before they are written: a name
//! Docker refuses only fails when the image is loaded, long after the edit.
//!
//! The grammar is the distribution reference grammar Docker uses: a name
//! is `/`-separated path components of lower-case letters and digits, with
//! single `.`, one or two `_`, or any number of `-` between them,
//! optionally after a registry host (`registry.example.com:5000/`); at
//! most 255 characters. A tag is 1 to 128 of `[A-Za-z0-9_.-]`, not
//! starting with `.` or `-`.

use crate::error::{ErrorKind, FlakeError};

/// Whether one path component matches
/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`.
fn is_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let alphanumeric = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let mut index = 0;
    loop {
        let start = index;
        while index < bytes.len() && alphanumeric(bytes[index]) {
            index += 1;
        }
        if index == start {
            return false;
        }
        if index == bytes.len() {
            return true;
        }
        let separator_start = index;
        while index < bytes.len() && !alphanumeric(bytes[index]) {
            index += 1;
        }
        let separator = &component[separator_start..index];
        let valid = matches!(separator, "." | "_" | "__") || separator.bytes().all(|b| b == b'-');
        if !valid || index == bytes.len() {
            return false;
        }
    }
}

/// Whether the first component is a registry host (`localhost`, a name
/// with a dot, or one with a port), as Docker decides it.
fn is_registry_host(component: &str) -> bool {
    let (host, port) = match component.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (component, None),
    };
    let host_valid = !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    let port_valid =
        port.is_none_or(|port| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()));
    host_valid && port_valid && (host.contains('.') || port.is_some() || host == "localhost")
}

/// Whether `name` is a valid Docker image name (without a tag).
pub(super) fn is_image_name(name: &str) -> bool {
    if name.is_empty() || name.len() > 255 {
        return false;
    }
    let components: Vec<&str> = name.split('/').collect();
    let path = match components.as_slice() {
        [host, rest @ ..] if !rest.is_empty() && is_registry_host(host) => rest,
        all => all,
    };
    path.iter().all(|component| is_component(component))
}

/// Whether `tag` is a valid Docker tag.
pub(super) fn is_tag(tag: &str) -> bool {
    let bytes = tag.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 128
        && !matches!(bytes[0], b'.' | b'-')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// A valid name close to `name`, to suggest: lower-cased, other
/// characters turned into `-`, separators trimmed.
fn suggest_name(name: &str) -> Option<String> {
    let lowered: String = name
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '/') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let components: Vec<String> = lowered
        .split('/')
        .map(|component| {
            let trimmed = component.trim_matches(|c: char| !c.is_ascii_alphanumeric());
            let mut collapsed = String::new();
            for c in trimmed.chars() {
                let separator = matches!(c, '.' | '_' | '-');
                if separator && collapsed.ends_with(['.', '_', '-']) {
                    collapsed.pop();
                    collapsed.push('-');
                } else {
                    collapsed.push(c);
                }
            }
            collapsed
        })
        .filter(|component| !component.is_empty())
        .collect();
    let suggestion = components.join("/");
    is_image_name(&suggestion).then_some(suggestion)
}

/// A valid tag close to `tag`: other characters turned into `-` (a
/// version's `+build` becomes `-build`).
fn suggest_tag(tag: &str) -> Option<String> {
    let replaced: String = tag
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let trimmed = replaced.trim_start_matches(['.', '-']);
    let suggestion: String = trimmed.chars().take(128).collect();
    is_tag(&suggestion).then_some(suggestion)
}

/// Refuses an image name Docker would refuse; `from` says where it came
/// from ("--name", "the pname of `default`").
pub(super) fn check_image_name(name: &str, from: &str) -> Result<(), FlakeError> {
    if is_image_name(name) {
        return Ok(());
    }
    let last = name.rsplit('/').next().unwrap_or(name);
    let hint = if last.contains(':') {
        "give the tag with --tag, and the name without it".to_string()
    } else {
        match suggest_name(name) {
            Some(suggestion) => format!("pass a valid name, e.g. --name {suggestion}"),
            None => "pass a valid name with --name".to_string(),
        }
    };
    Err(FlakeError::new(
        ErrorKind::InvalidArgument,
        format!(
            "`{}` ({from}) is not a valid Docker image name: Docker wants lower-case letters and \
             digits, with `.`, `_` or `-` between them and `/` between path components",
            name.escape_debug()
        ),
    )
    .hint(hint))
}

/// Refuses a tag Docker would refuse; `from` says where it came from.
pub(super) fn check_tag(tag: &str, from: &str) -> Result<(), FlakeError> {
    if is_tag(tag) {
        return Ok(());
    }
    let hint = match suggest_tag(tag) {
        Some(suggestion) => format!("pass a valid tag, e.g. --tag {suggestion}"),
        None => "pass a valid tag with --tag".to_string(),
    };
    Err(FlakeError::new(
        ErrorKind::InvalidArgument,
        format!(
            "`{}` ({from}) is not a valid Docker tag: Docker wants 1 to 128 letters, digits, \
             `_`, `.` or `-`, not starting with `.` or `-`",
            tag.escape_debug()
        ),
    )
    .hint(hint))
}

/// An image name read from a package's `pname`: itself when Docker takes
/// it, else the valid name closest to it and a warning saying so (a
/// package named `Server` gives the image `server`); refused when no valid
/// name is close.
pub(super) fn derived_image_name(
    name: &str,
    from: &str,
) -> Result<(String, Option<String>), FlakeError> {
    if is_image_name(name) {
        return Ok((name.to_string(), None));
    }
    match suggest_name(name) {
        Some(valid) => {
            let warning = format!(
                "`{}` ({from}) is not a valid Docker image name; the image is named `{valid}` \
                 (pass --name to choose another)",
                name.escape_debug()
            );
            Ok((valid, Some(warning)))
        }
        None => check_image_name(name, from).map(|()| (name.to_string(), None)),
    }
}

/// A tag read from a package's `version`: itself when Docker takes it,
/// else the valid tag closest to it and a warning saying so (`0.0.9+dev`
/// gives `0.0.9-dev`); refused when no valid tag is close.
pub(super) fn derived_tag(tag: &str, from: &str) -> Result<(String, Option<String>), FlakeError> {
    if is_tag(tag) {
        return Ok((tag.to_string(), None));
    }
    match suggest_tag(tag) {
        Some(valid) => {
            let warning = format!(
                "`{}` ({from}) is not a valid Docker tag; the image is tagged `{valid}` \
                 (pass --tag to choose another)",
                tag.escape_debug()
            );
            Ok((valid, Some(warning)))
        }
        None => check_tag(tag, from).map(|()| (tag.to_string(), None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names_follow_the_reference_grammar() {
        for valid in [
            "app",
            "nix_template",
            "my-app",
            "my--app",
            "my__app",
            "org/app",
            "a.b/c-d/e_f",
            "registry.example.com:5000/team/app",
            "localhost/app",
            "localhost:5000/app",
        ] {
            assert!(is_image_name(valid), "{valid}");
        }
        for invalid in [
            "",
            "App",
            "my app",
            "app:1.0",
            "-app",
            "app-",
            "a..b",
            "a___b",
            "a//b",
            "/app",
            "app/",
            "Registry.example.com",
            "a\"b${c}",
        ] {
            assert!(!is_image_name(invalid), "{invalid}");
        }
        assert!(!is_image_name(&"a".repeat(256)));
    }

    #[test]
    fn tags_follow_the_reference_grammar() {
        for valid in ["latest", "1.2.0", "0.0.1-dev", "V_1", "_x"] {
            assert!(is_tag(valid), "{valid}");
        }
        for invalid in ["", ".x", "-x", "0.0.1+dev", "a b", "a/b", "é"] {
            assert!(!is_tag(invalid), "{invalid}");
        }
        assert!(is_tag(&"a".repeat(128)) && !is_tag(&"a".repeat(129)));
    }

    #[test]
    fn refusals_suggest_a_valid_value() {
        let error = check_image_name("My App", "--name").unwrap_err();
        assert_eq!(error.kind, ErrorKind::InvalidArgument);
        assert!(
            error.message.contains("`My App` (--name)"),
            "{}",
            error.message
        );
        assert_eq!(
            error.hint.as_deref(),
            Some("pass a valid name, e.g. --name my-app")
        );
        let error = check_image_name("app:1.0", "--name").unwrap_err();
        assert_eq!(
            error.hint.as_deref(),
            Some("give the tag with --tag, and the name without it")
        );
        let error = check_tag("0.0.1+dev", "the version of `default`").unwrap_err();
        assert_eq!(
            error.hint.as_deref(),
            Some("pass a valid tag, e.g. --tag 0.0.1-dev")
        );
    }
}
