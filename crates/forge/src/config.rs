//! Host redirects, access tokens and the time limit of remote queries.

use std::time::Duration;

/// How remote repositories are reached.
#[derive(Debug, Clone)]
pub struct ForgeConfig {
    /// `(host, base)`: URLs on `host` are sent to `base` instead.
    redirects: Vec<(String, String)>,
    /// `(host, token)` from nix.conf's `access-tokens` and `GITHUB_TOKEN`.
    tokens: Vec<(String, String)>,
    /// The longest one query may take.
    pub timeout: Duration,
    /// How many queries run at once.
    pub jobs: usize,
}

impl Default for ForgeConfig {
    fn default() -> Self {
        ForgeConfig {
            redirects: Vec::new(),
            tokens: Vec::new(),
            timeout: Duration::from_secs(30),
            jobs: 8,
        }
    }
}

/// Splits `HOST=BASE` (`github.com=https://ghe.example.com`), or says what
/// is wrong with it.
pub fn parse_redirect(spec: &str) -> Result<(String, String), String> {
    let (host, base) = spec.split_once('=').ok_or_else(|| {
        format!("`{spec}` is not HOST=BASE (e.g. github.com=https://ghe.example.com)")
    })?;
    let host = host.trim();
    let base = base.trim().trim_end_matches('/');
    if host.is_empty() || host.contains('/') {
        return Err(format!("`{host}` is not a host name (e.g. github.com)"));
    }
    if !base.contains("://") {
        return Err(format!(
            "`{base}` is not a base URL (e.g. https://ghe.example.com or http://127.0.0.1:8080)"
        ));
    }
    Ok((host.to_string(), base.to_string()))
}

/// The host (with port, if written) of `scheme://host[:port]/path`.
fn host_of(url: &str) -> Option<(&str, &str, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    let end = rest.find('/').unwrap_or(rest.len());
    let authority = &rest[..end];
    // `user@host` (ssh URLs): the host is after the `@`.
    let host = authority.rsplit('@').next().unwrap_or(authority);
    Some((scheme, host, &rest[end..]))
}

impl ForgeConfig {
    /// Sends URLs on `host` to `base` (repeatable; the last one for a host wins).
    pub fn redirect(&mut self, host: &str, base: &str) {
        self.redirects.retain(|(known, _)| known != host);
        self.redirects
            .push((host.to_string(), base.trim_end_matches('/').to_string()));
    }

    /// Adds an access token for `host`.
    pub fn token(&mut self, host: &str, token: &str) {
        self.tokens.retain(|(known, _)| known != host);
        self.tokens.push((host.to_string(), token.to_string()));
    }

    /// Reads tokens the way Nix users already keep them: `access-tokens`
    /// in `NIX_CONFIG`, `$XDG_CONFIG_HOME/nix/nix.conf` (or
    /// `~/.config/nix/nix.conf`) and `/etc/nix/nix.conf`, and
    /// `GITHUB_TOKEN` for github.com (the most specific source wins).
    pub fn with_tokens_from_environment(mut self) -> Self {
        let mut sources: Vec<String> = Vec::new();
        let system = std::env::var("NIX_CONF_DIR").unwrap_or_else(|_| "/etc/nix".to_string());
        sources.extend(std::fs::read_to_string(format!("{system}/nix.conf")).ok());
        let user_dir = std::env::var("XDG_CONFIG_HOME").ok().or_else(|| {
            std::env::var("HOME")
                .ok()
                .map(|home| format!("{home}/.config"))
        });
        if let Some(dir) = user_dir {
            sources.extend(std::fs::read_to_string(format!("{dir}/nix/nix.conf")).ok());
        }
        sources.extend(std::env::var("NIX_CONFIG").ok());
        for text in &sources {
            for (host, token) in access_tokens(text) {
                self.token(&host, &token);
            }
        }
        if let Ok(token) = std::env::var("GITHUB_TOKEN") {
            if !token.trim().is_empty() {
                self.token("github.com", token.trim());
            }
        }
        self
    }

    /// `url` with its host redirected, if a redirect names it.
    pub fn effective_url(&self, url: &str) -> String {
        let Some((_, host, path)) = host_of(url) else {
            return url.to_string();
        };
        let bare_host = host.split(':').next().unwrap_or(host);
        for (known, base) in &self.redirects {
            if known == host || known == bare_host {
                return format!("{base}{path}");
            }
        }
        url.to_string()
    }

    /// The `Authorization` header value for `url` (before redirection),
    /// when a token is known for its host and the URL is HTTP(S).
    pub(crate) fn authorization(&self, url: &str) -> Option<String> {
        let (scheme, host, _) = host_of(url)?;
        if scheme != "https" && scheme != "http" {
            return None;
        }
        let bare_host = host.split(':').next().unwrap_or(host);
        let (_, token) = self
            .tokens
            .iter()
            .find(|(known, _)| known == host || known == bare_host)?;
        // Nix writes GitLab tokens as `PAT:…` or `OAuth2:…`.
        let (user, secret) = match token.split_once(':') {
            Some(("PAT", secret)) | Some(("OAuth2", secret)) => ("oauth2", secret),
            _ if bare_host.contains("github") => ("x-access-token", token.as_str()),
            _ => ("oauth2", token.as_str()),
        };
        let credentials = data_encoding::BASE64.encode(format!("{user}:{secret}").as_bytes());
        Some(format!("Authorization: Basic {credentials}"))
    }
}

/// The `host=token` pairs of an `access-tokens` line of a nix.conf text.
fn access_tokens(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim();
        if key != "access-tokens" && key != "extra-access-tokens" {
            continue;
        }
        for pair in value.split_whitespace() {
            if let Some((host, token)) = pair.split_once('=') {
                found.push((host.to_string(), token.to_string()));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_replace_the_scheme_and_host() {
        let mut config = ForgeConfig::default();
        let (host, base) = parse_redirect("github.com=http://127.0.0.1:8080/git/").unwrap();
        config.redirect(&host, &base);
        assert_eq!(
            config.effective_url("https://github.com/o/r.git"),
            "http://127.0.0.1:8080/git/o/r.git"
        );
        assert_eq!(
            config.effective_url("https://gitlab.com/o/r.git"),
            "https://gitlab.com/o/r.git"
        );
        assert!(parse_redirect("github.com").is_err());
        assert!(parse_redirect("github.com=ghe.example.com").is_err());
    }

    #[test]
    fn tokens_of_nix_conf_become_basic_authorization() {
        let text =
            "substituters = x\naccess-tokens = github.com=ghp_abc gitlab.example.com=PAT:glp # c\n";
        let mut config = ForgeConfig::default();
        for (host, token) in access_tokens(text) {
            config.token(&host, &token);
        }
        let github = config.authorization("https://github.com/o/r.git").unwrap();
        let expected = data_encoding::BASE64.encode(b"x-access-token:ghp_abc");
        assert_eq!(github, format!("Authorization: Basic {expected}"));
        let gitlab = config
            .authorization("https://gitlab.example.com/g/s/r.git")
            .unwrap();
        let expected = data_encoding::BASE64.encode(b"oauth2:glp");
        assert_eq!(gitlab, format!("Authorization: Basic {expected}"));
        assert_eq!(config.authorization("https://codeberg.org/o/r.git"), None);
        assert_eq!(config.authorization("file:///srv/r"), None);
    }
}
