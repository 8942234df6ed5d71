//! `specsite check --external`: do the http(s) links of the built pages
//! still answer?
//!
//! Runs after the internal checks, on the same [`OutputTree`], and only on
//! request: it is the one part of specsite that uses the network. Each
//! distinct URL is checked once, by a fixed pool of worker threads (the
//! checks are I/O-bound and few, so plain threads and a blocking client are
//! simpler than an async runtime) that never has more than `per_host`
//! requests in flight to one host, to be polite to the servers a spec
//! repository links to most. A request is HEAD first, falling back to GET
//! for the servers that refuse HEAD; 429, 5xx and connection failures are
//! retried with exponential backoff (honouring `Retry-After`, capped); a
//! time-out is not retried, since a slow host stays slow. Results are cached
//! in a JSON file with a time to live, so CI and repeated runs do not hit the
//! same servers again; transient failures are never cached.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::diag::Diagnostic;
use crate::output::OutputTree;
use crate::source::Span;

/// `[check.external]` in specsite.toml.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternalConfig {
    /// Time limit of one request, connection included.
    pub timeout_seconds: u64,
    /// How long a cached answer is trusted.
    pub cache_ttl_hours: u64,
    /// URL prefixes never checked (hosts that refuse robots, intranets).
    pub exclude: Vec<String>,
}

impl Default for ExternalConfig {
    fn default() -> Self {
        ExternalConfig {
            timeout_seconds: 10,
            cache_ttl_hours: 24,
            exclude: Vec::new(),
        }
    }
}

/// How one run checks: the config's values plus the fixed limits.
#[derive(Clone, Debug)]
pub struct ExternalOptions {
    /// Requests in flight at once, over all hosts.
    pub concurrency: usize,
    /// Requests in flight at once to one host.
    pub per_host: usize,
    pub timeout: Duration,
    /// Further attempts after a 429, 5xx or connection failure.
    pub retries: u32,
    /// First backoff; doubled on each retry.
    pub backoff: Duration,
    /// Longest wait a `Retry-After` may ask for.
    pub max_wait: Duration,
    pub cache_file: PathBuf,
    pub cache_ttl: Duration,
    pub exclude: Vec<String>,
}

/// The cache file, relative to the repository root.
pub const CACHE_FILE: &str = ".specsite-cache/external.json";

impl ExternalOptions {
    pub fn new(root: &Path, config: &ExternalConfig) -> ExternalOptions {
        ExternalOptions {
            concurrency: 8,
            per_host: 2,
            timeout: Duration::from_secs(config.timeout_seconds.max(1)),
            retries: 3,
            backoff: Duration::from_millis(500),
            max_wait: Duration::from_secs(10),
            cache_file: root.join(CACHE_FILE),
            cache_ttl: Duration::from_secs(config.cache_ttl_hours.saturating_mul(3600)),
            exclude: config.exclude.clone(),
        }
    }
}

/// The answer for one URL.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Outcome {
    /// Final HTTP status (after redirects), if the server answered.
    pub status: Option<u16>,
    /// Why there is no usable answer (time-out, DNS, TLS, ...).
    pub error: Option<String>,
    /// Seconds since the Unix epoch when this was found out.
    pub checked_at: u64,
}

impl Outcome {
    fn is_ok(&self) -> bool {
        self.status.is_some_and(|s| (200..400).contains(&s))
    }

    /// Gone for good: worth caching as much as a success.
    fn is_permanent(&self) -> bool {
        self.is_ok() || matches!(self.status, Some(404 | 410))
    }
}

#[derive(Default, serde::Serialize, serde::Deserialize)]
struct CacheFile {
    schema_version: u32,
    entries: BTreeMap<String, Outcome>,
}

fn now_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Cached answers still within their time to live. An unreadable or
/// foreign cache file is ignored: it only saves time.
fn read_cache(options: &ExternalOptions) -> BTreeMap<String, Outcome> {
    let Ok(text) = std::fs::read_to_string(&options.cache_file) else {
        return BTreeMap::new();
    };
    let Ok(cache) = serde_json::from_str::<CacheFile>(&text) else {
        return BTreeMap::new();
    };
    let now = now_seconds();
    cache
        .entries
        .into_iter()
        .filter(|(_, outcome)| now.saturating_sub(outcome.checked_at) < options.cache_ttl.as_secs())
        .collect()
}

fn write_cache(
    options: &ExternalOptions,
    entries: BTreeMap<String, Outcome>,
) -> Result<(), String> {
    let cache = CacheFile {
        schema_version: 1,
        entries,
    };
    let text = serde_json::to_string_pretty(&cache).map_err(|e| e.to_string())?;
    if let Some(dir) = options.cache_file.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    std::fs::write(&options.cache_file, text).map_err(|e| e.to_string())
}

/// The host (with port) of an http(s) URL, for the per-host limit.
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host)
}

/// Every external http(s) URL of the site's HTML pages, in order of first
/// appearance, with the pages that link to it.
pub fn collect_links(tree: &OutputTree, exclude: &[String]) -> Vec<(String, Vec<String>)> {
    let mut order: Vec<String> = Vec::new();
    let mut pages: HashMap<String, Vec<String>> = HashMap::new();
    for (path, bytes) in tree.iter() {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        for reference in super::links::scan_html(&html).references {
            let is_http = reference.starts_with("http://") || reference.starts_with("https://");
            if !is_http
                || exclude
                    .iter()
                    .any(|prefix| reference.starts_with(prefix.as_str()))
            {
                continue;
            }
            // The fragment is the page's business, not the server's.
            let url = reference
                .split('#')
                .next()
                .unwrap_or(&reference)
                .to_string();
            let linking = pages.entry(url.clone()).or_default();
            if linking.is_empty() {
                order.push(url.clone());
            }
            if linking.last().map(String::as_str) != Some(path) {
                linking.push(path.to_string());
            }
        }
    }
    order
        .into_iter()
        .map(|url| {
            let linking = pages.remove(&url).unwrap_or_default();
            (url, linking)
        })
        .collect()
}

/// One request, following redirects; `Err` when no answer came.
fn request(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
) -> Result<(u16, Option<u64>), ureq::Error> {
    let response = match method {
        "HEAD" => agent.head(url).call()?,
        _ => agent.get(url).call()?,
    };
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    Ok((response.status().as_u16(), retry_after))
}

fn is_timeout(error: &ureq::Error) -> bool {
    match error {
        ureq::Error::Timeout(_) => true,
        ureq::Error::Io(io) => matches!(
            io.kind(),
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
        ),
        _ => false,
    }
}

/// Check one URL: HEAD, GET where HEAD is refused, retries on transient
/// failures.
fn check_url(agent: &ureq::Agent, url: &str, options: &ExternalOptions) -> Outcome {
    let mut method = "HEAD";
    let mut attempt = 0u32;
    loop {
        let result = request(agent, method, url);
        let (retry, wait, outcome) = match result {
            Ok((status, retry_after)) => {
                let transient = status == 429 || status >= 500;
                if method == "HEAD" && !transient && status >= 400 {
                    // Many servers refuse or mishandle HEAD; GET decides.
                    method = "GET";
                    continue;
                }
                let wait = retry_after.map(Duration::from_secs);
                (
                    transient,
                    wait,
                    Outcome {
                        status: Some(status),
                        error: None,
                        checked_at: now_seconds(),
                    },
                )
            }
            Err(error) => {
                let timed_out = is_timeout(&error);
                let message = if timed_out {
                    format!("no answer within {} s", options.timeout.as_secs())
                } else {
                    error.to_string()
                };
                (
                    !timed_out,
                    None,
                    Outcome {
                        status: None,
                        error: Some(message),
                        checked_at: now_seconds(),
                    },
                )
            }
        };
        if !retry || attempt >= options.retries {
            return outcome;
        }
        let backoff = options.backoff.saturating_mul(1 << attempt.min(16));
        std::thread::sleep(wait.unwrap_or(backoff).min(options.max_wait));
        attempt += 1;
    }
}

/// Work shared by the workers: URLs not yet started, and requests in
/// flight per host.
struct Queue {
    pending: VecDeque<String>,
    in_flight: HashMap<String, usize>,
}

/// Check `urls` with at most `concurrency` requests at once and at most
/// `per_host` to one host.
pub fn check_urls(urls: &[String], options: &ExternalOptions) -> HashMap<String, Outcome> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(options.timeout))
        .http_status_as_error(false)
        .max_redirects(10)
        .user_agent(concat!("specsite-link-check/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let queue = Mutex::new(Queue {
        pending: urls.iter().cloned().collect(),
        in_flight: HashMap::new(),
    });
    let ready = Condvar::new();
    let results = Mutex::new(HashMap::new());
    let workers = options.concurrency.clamp(1, urls.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let Some(url) = next_url(&queue, &ready, options.per_host.max(1)) else {
                    return;
                };
                let outcome = check_url(&agent, &url, options);
                if let Ok(mut queue) = queue.lock() {
                    if let Some(count) = queue.in_flight.get_mut(host_of(&url)) {
                        *count = count.saturating_sub(1);
                    }
                }
                ready.notify_all();
                if let Ok(mut results) = results.lock() {
                    results.insert(url, outcome);
                }
            });
        }
    });
    results.into_inner().unwrap_or_default()
}

/// The next URL whose host has room, waiting while every pending URL's
/// host is busy; `None` when nothing is left.
fn next_url(queue: &Mutex<Queue>, ready: &Condvar, per_host: usize) -> Option<String> {
    let mut guard = queue.lock().ok()?;
    loop {
        if guard.pending.is_empty() {
            return None;
        }
        let free = guard
            .pending
            .iter()
            .position(|url| guard.in_flight.get(host_of(url)).copied().unwrap_or(0) < per_host);
        if let Some(position) = free {
            let url = guard.pending.remove(position)?;
            *guard
                .in_flight
                .entry(host_of(&url).to_string())
                .or_default() += 1;
            return Some(url);
        }
        guard = ready.wait(guard).ok()?;
    }
}

/// What an external check did, for the summary line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExternalSummary {
    pub urls: usize,
    pub from_cache: usize,
    pub broken: usize,
}

/// Check every external link of `tree`. `page_sources` maps a page to its
/// spec's source file and `texts` holds source texts, so each broken link
/// is reported where it is written (else on the page that shows it).
pub fn check_external(
    tree: &OutputTree,
    page_sources: &HashMap<String, String>,
    texts: &HashMap<&str, &str>,
    options: &ExternalOptions,
) -> (Vec<Diagnostic>, ExternalSummary) {
    let links = collect_links(tree, &options.exclude);
    let mut cache = read_cache(options);
    let to_check: Vec<String> = links
        .iter()
        .map(|(url, _)| url)
        .filter(|url| !cache.contains_key(*url))
        .cloned()
        .collect();
    let mut summary = ExternalSummary {
        urls: links.len(),
        from_cache: links.len() - to_check.len(),
        broken: 0,
    };
    let fresh = check_urls(&to_check, options);
    let mut outcomes = cache.clone();
    for (url, outcome) in fresh {
        if outcome.is_permanent() {
            cache.insert(url.clone(), outcome.clone());
        }
        outcomes.insert(url, outcome);
    }
    let mut diagnostics = Vec::new();
    if let Err(error) = write_cache(options, cache) {
        diagnostics.push(
            Diagnostic::note(
                "check/external-cache",
                format!(
                    "cannot write the link cache {}: {error}",
                    options.cache_file.display()
                ),
            )
            .with_help("the next run will check every link again; make the directory writable"),
        );
    }
    for (url, linking) in &links {
        let Some(outcome) = outcomes.get(url) else {
            continue;
        };
        if outcome.is_ok() {
            continue;
        }
        summary.broken += 1;
        let (diagnostic, what) = match (outcome.status, &outcome.error) {
            (Some(status @ (404 | 410)), _) => (
                Diagnostic::error("check/external-link", format!("{url} answers {status}: the page is gone")),
                "update the link, or point it at an archived copy",
            ),
            (Some(status), _) => (
                Diagnostic::warning("check/external-link", format!("{url} answers {status}")),
                "check the link in a browser; if it works there, add its prefix to [check.external] exclude",
            ),
            (None, error) => (
                Diagnostic::warning(
                    "check/external-link",
                    format!("{url} did not answer: {}", error.as_deref().unwrap_or("unknown error")),
                ),
                "check the link in a browser; a host that is down now may be back later",
            ),
        };
        for page in linking {
            let mut located = diagnostic.clone().with_help(what);
            located.location = Some(place_of(url, page, page_sources, texts));
            diagnostics.push(located);
        }
    }
    (diagnostics, summary)
}

/// Where a link to `url` on `page` is written: in the page's spec source
/// when the URL occurs there, else the page itself.
fn place_of(
    url: &str,
    page: &str,
    page_sources: &HashMap<String, String>,
    texts: &HashMap<&str, &str>,
) -> crate::diag::Location {
    if let Some(source) = page_sources.get(page) {
        if let Some(start) = texts.get(source.as_str()).and_then(|text| text.find(url)) {
            return crate::diag::Location {
                file: source.clone(),
                span: Span::new(start, start + url.len()),
            };
        }
    }
    crate::diag::Location {
        file: page.to_string(),
        span: Span::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_keep_their_port_and_drop_credentials() {
        assert_eq!(host_of("https://example.org/a?b"), "example.org");
        assert_eq!(host_of("http://127.0.0.1:8080/x"), "127.0.0.1:8080");
        assert_eq!(host_of("https://user@example.org"), "example.org");
    }

    #[test]
    fn links_are_collected_once_with_their_pages_and_without_fragments() {
        let mut tree = OutputTree::default();
        tree.insert(
            "a.html",
            r#"<a href="https://x.org/p#s">1</a><a href="https://x.org/p">2</a><a href="b.html">3</a><img src="http://y.org/i.png">"#,
        );
        tree.insert(
            "b.html",
            r#"<a href="https://x.org/p">1</a><a href="https://skip.org/q">2</a>"#,
        );
        tree.insert("c.css", r#"a { background: url(https://z.org/) }"#);
        let links = collect_links(&tree, &["https://skip.org/".to_string()]);
        assert_eq!(
            links,
            [
                (
                    "https://x.org/p".to_string(),
                    vec!["a.html".to_string(), "b.html".to_string()]
                ),
                ("http://y.org/i.png".to_string(), vec!["a.html".to_string()]),
            ]
        );
    }
}
