//! User answers turned into requests, spelled once for every front-end.
//!
//! The CLI's arguments, the language server's commands and the editors'
//! prompts all take the same answers: `CHILD[=TARGET]` follows,
//! `REF [as NAME] [follows CHILD[=TARGET],…]` for a new input,
//! `OWNER/REPO@REV` for a source and the `--dep-of` default. The front-ends
//! pass the raw text here and show the error's message (and hint) as is,
//! so an answer means the same thing wherever it is typed.

use crate::error::{ErrorKind, FlakeError};
use crate::inputs::AddInput;
use crate::sources::{HashChoice, SourceRequest, SourceSpec};

/// The package a new source becomes a build input of when the user names
/// none (`add-source` without `--dep-of` or `--no-dep`).
pub const DEFAULT_DEP_OF: &str = "default";

/// Parses a follows answer, `CHILD` or `CHILD=TARGET`.
///
/// CHILD may be a path (`cachix/nixpkgs`); without `=TARGET` the target is
/// CHILD's last segment (`cachix/nixpkgs` follows our `nixpkgs`). The
/// target may be a path too, or empty (`CHILD=`: follow nothing).
pub fn parse_follows(spec: &str) -> Result<(String, String), FlakeError> {
    let spec = spec.trim();
    let (child, target) = match spec.split_once('=') {
        Some((child, target)) => (child.trim(), target.trim().to_string()),
        None => (
            spec,
            spec.rsplit('/').next().unwrap_or(spec).trim().to_string(),
        ),
    };
    if child.is_empty() || child.split('/').any(str::is_empty) {
        return Err(FlakeError::new(
            ErrorKind::InvalidArgument,
            format!("`{}` is not CHILD[=TARGET]", spec.escape_debug()),
        )
        .hint(
            "name the input's input, e.g. `nixpkgs`, `cachix/nixpkgs` or `nixpkgs-lib=nixpkgs`",
        ));
    }
    Ok((child.to_string(), target))
}

/// Splits a follows answer without validating it: `(CHILD, Some(TARGET))`
/// or `(CHILD, None)`. `follow NAME CHILD[=TARGET]` uses it, where a
/// missing TARGET means "our input of the same name as CHILD" to the
/// library rather than CHILD's last segment.
pub fn split_follows(spec: &str) -> (String, Option<String>) {
    match spec.split_once('=') {
        Some((child, target)) => (child.to_string(), Some(target.to_string())),
        None => (spec.to_string(), None),
    }
}

/// The request of `add-input` from its separate answers: a flake reference,
/// an optional name (blank means "infer it") and follows answers.
pub fn add_input(
    url: &str,
    name: Option<&str>,
    follows: &[String],
    no_flake: bool,
) -> Result<AddInput, FlakeError> {
    let url = url.trim();
    if url.is_empty() {
        return Err(
            FlakeError::new(ErrorKind::InvalidArgument, "the flake reference is empty")
                .hint("write a reference, e.g. `github:owner/repo` or `owner/repo`"),
        );
    }
    Ok(AddInput {
        url: url.to_string(),
        name: name
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_string),
        follows: follows
            .iter()
            .map(|answer| parse_follows(answer))
            .collect::<Result<_, _>>()?,
        no_flake,
    })
}

/// Parses the one-line answer to "Add input…":
/// `REF [as NAME] [follows CHILD[=TARGET],…]`, the keywords in any order
/// (`github:emilpriver/riot follows nixpkgs as riot`).
pub fn parse_input_answer(answer: &str) -> Result<AddInput, FlakeError> {
    let invalid = || {
        FlakeError::new(
            ErrorKind::InvalidArgument,
            format!(
                "cannot read `{}` as REF [as NAME] [follows CHILD[=TARGET],…]",
                answer.trim().escape_debug()
            ),
        )
        .hint("for example `github:owner/repo follows nixpkgs` or `owner/repo as name`")
    };
    let mut words = answer.split_whitespace();
    let url = words.next().ok_or_else(invalid)?;
    let mut name = None;
    let mut follows = Vec::new();
    while let Some(keyword) = words.next() {
        let value = words.next().ok_or_else(invalid)?;
        match keyword {
            "as" if name.is_none() => name = Some(value),
            "follows" => follows.extend(
                value
                    .split(',')
                    .filter(|answer| !answer.is_empty())
                    .map(str::to_string),
            ),
            _ => return Err(invalid()),
        }
    }
    add_input(url, name, &follows, false)
}

/// What the user answered for `add-source`, before anything is resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceAnswers {
    /// `OWNER/REPO@REV`.
    pub spec: String,
    /// The package's attribute and pname; blank means the repository name.
    pub name: Option<String>,
    /// The version; blank means "from the tag".
    pub version: Option<String>,
    /// How to get the hash.
    pub hash: HashChoice,
    /// The package that gets the new one as a build input; blank or absent
    /// means [`DEFAULT_DEP_OF`].
    pub dep_of: Option<String>,
    /// Make it nobody's build input (wins over `dep_of`).
    pub no_dep: bool,
    /// Build inputs of the new package.
    pub build_inputs: Vec<String>,
    /// Plain layouts: only this system.
    pub system: Option<String>,
}

/// The request of `add-source` from its answers.
pub fn source_request(answers: SourceAnswers) -> Result<SourceRequest, FlakeError> {
    let filled = |text: Option<String>| text.filter(|text| !text.trim().is_empty());
    Ok(SourceRequest {
        spec: SourceSpec::parse(&answers.spec)?,
        name: filled(answers.name),
        version: filled(answers.version),
        hash: answers.hash,
        dep_of: if answers.no_dep {
            None
        } else {
            Some(filled(answers.dep_of).unwrap_or_else(|| DEFAULT_DEP_OF.to_string()))
        },
        build_inputs: answers.build_inputs,
        system: filled(answers.system),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_default_to_the_last_segment() {
        let parse = |spec| parse_follows(spec).map_err(|error| error.message);
        assert_eq!(parse("nixpkgs"), Ok(("nixpkgs".into(), "nixpkgs".into())));
        assert_eq!(
            parse("cachix/nixpkgs"),
            Ok(("cachix/nixpkgs".into(), "nixpkgs".into()))
        );
        assert_eq!(
            parse("nixpkgs-lib=nixpkgs"),
            Ok(("nixpkgs-lib".into(), "nixpkgs".into()))
        );
        assert_eq!(parse("systems="), Ok(("systems".into(), String::new())));
        assert_eq!(
            parse("=nixpkgs"),
            Err("`=nixpkgs` is not CHILD[=TARGET]".into())
        );
        assert_eq!(parse("a//b"), Err("`a//b` is not CHILD[=TARGET]".into()));
    }

    #[test]
    fn input_answers_take_keywords_in_any_order() {
        let input = parse_input_answer("  github:emilpriver/riot follows nixpkgs as riot2 ")
            .expect("a valid answer");
        assert_eq!(input.url, "github:emilpriver/riot");
        assert_eq!(input.name.as_deref(), Some("riot2"));
        assert_eq!(input.follows, [("nixpkgs".into(), "nixpkgs".into())]);
        let input = parse_input_answer("o/r follows a,b=c follows d").expect("a valid answer");
        assert_eq!(
            input.follows,
            [
                ("a".into(), "a".into()),
                ("b".into(), "c".into()),
                ("d".into(), "d".into())
            ]
        );
        for wrong in ["", "github:a/b follows", "a/b with c", "a/b as x as y"] {
            let error = parse_input_answer(wrong).expect_err(wrong);
            assert_eq!(error.kind, ErrorKind::InvalidArgument);
            assert!(
                error.message.starts_with("cannot read"),
                "{}",
                error.message
            );
        }
    }

    #[test]
    fn source_answers_default_dep_of_and_drop_blank_fields() {
        let request = source_request(SourceAnswers {
            spec: "hannesm/randomconv@v0.2.0".into(),
            name: Some(" ".into()),
            dep_of: Some(String::new()),
            ..SourceAnswers::default()
        })
        .expect("a valid answer");
        assert_eq!(request.spec.repo, "randomconv");
        assert_eq!(request.name, None);
        assert_eq!(request.dep_of.as_deref(), Some(DEFAULT_DEP_OF));
        let request = source_request(SourceAnswers {
            spec: "o/r@main".into(),
            dep_of: Some("server".into()),
            no_dep: true,
            ..SourceAnswers::default()
        })
        .expect("a valid answer");
        assert_eq!(request.dep_of, None);
        let error = source_request(SourceAnswers {
            spec: "not a spec".into(),
            ..SourceAnswers::default()
        })
        .expect_err("no @");
        assert_eq!(error.message, "`not a spec` is not OWNER/REPO@REV");
    }
}
