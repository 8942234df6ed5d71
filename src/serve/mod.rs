//! `specsite serve`: build in memory, serve, rebuild on change, reload.
//!
//! The last stage of the pipeline for authors: [`incremental`] rebuilds
//! the site with caches, [`watch`] turns file-system events into batches
//! of changes, [`http`] serves the current site from memory and pushes
//! reload events over Server-Sent Events on the same origin. This module
//! wires them: a watcher thread rebuilds and swaps the published site; the
//! HTTP server runs on a tokio current-thread runtime and never waits for
//! a build.
//!
//! A failed rebuild leaves the last good site in place and publishes its
//! problems, which open pages show in an overlay until a build succeeds.

pub mod http;
pub mod incremental;
pub mod watch;

use std::io::Write;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;

use crate::build::{self, BuildError};
use crate::config::Overrides;
use crate::output::OutputTree;
use http::{Published, ServerState};
use incremental::{Change, IncrementalBuilder, Rebuild};

/// Options of `specsite serve`, free of clap.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    pub root: PathBuf,
    /// `None`: the first free port from 8000 on.
    pub port: Option<u16>,
    pub bind: IpAddr,
    /// The URL path the site is served under: `/` or `/repo/`.
    pub base_path: String,
    pub open: bool,
    pub poll: bool,
    pub quiet: bool,
    pub verbose: bool,
}

/// Why serving could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error("cannot listen on {addr}: {source}; choose another port with --port (or another address with --bind), or stop the program that holds it")]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot watch {path} for changes: {source}; on Linux, raise fs.inotify.max_user_watches (sysctl), or exclude large directories in specsite.toml")]
    Watch {
        path: PathBuf,
        #[source]
        source: notify::Error,
    },
    #[error("the server stopped: {0}")]
    Server(#[source] std::io::Error),
}

/// Ports tried in order when none is given.
const PORT_RANGE: std::ops::RangeInclusive<u16> = 8000..=8099;

fn bind(address: IpAddr, port: Option<u16>) -> Result<TcpListener, ServeError> {
    let bind_error = |port: u16, source| ServeError::Bind {
        addr: SocketAddr::new(address, port).to_string(),
        source,
    };
    if let Some(port) = port {
        return TcpListener::bind((address, port)).map_err(|source| bind_error(port, source));
    }
    for candidate in PORT_RANGE {
        if let Ok(listener) = TcpListener::bind((address, candidate)) {
            return Ok(listener);
        }
    }
    // All taken: let the system choose.
    TcpListener::bind((address, 0)).map_err(|source| bind_error(0, source))
}

/// How a new site differs from the one being served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Difference {
    Same,
    /// Only stylesheets changed (pages differ only in asset version tags).
    StylesOnly,
    Pages,
}

/// Remove `?v=<hex>` cache-busting tags, which change in every page when a
/// stylesheet does.
fn without_version_tags(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        if bytes.get(index..index + 3) == Some(b"?v=".as_slice()) {
            let digits = bytes
                .get(index + 3..)
                .unwrap_or_default()
                .iter()
                .take_while(|b| b.is_ascii_hexdigit())
                .count();
            if digits > 0 {
                index += 3 + digits;
                continue;
            }
        }
        out.push(byte);
        index += 1;
    }
    out
}

/// Compare two sites to choose between nothing, a stylesheet swap and a reload.
pub fn difference(old: &OutputTree, new: &OutputTree) -> Difference {
    let old_paths: Vec<&str> = old.paths().collect();
    let new_paths: Vec<&str> = new.paths().collect();
    if old_paths != new_paths {
        return Difference::Pages;
    }
    let mut result = Difference::Same;
    for (path, new_bytes) in new.iter() {
        // Pages carried over from the previous build are the same `Arc`.
        let shared = old
            .get_shared(path)
            .zip(new.get_shared(path))
            .is_some_and(|(a, b)| Arc::ptr_eq(a, b));
        let old_bytes = old.get(path).unwrap_or_default();
        if shared || old_bytes == new_bytes {
            continue;
        }
        if path.ends_with(".css") {
            result = Difference::StylesOnly;
        } else if path.ends_with(".html")
            && without_version_tags(old_bytes) == without_version_tags(new_bytes)
        {
            continue;
        } else {
            return Difference::Pages;
        }
    }
    result
}

/// Publish the outcome of a rebuild: swap in a good site, or keep the
/// last good one and show the problems. When no good site was ever built
/// (the repository had errors from the start), each new site is swapped in
/// anyway, so edits still show while the overlay lists the errors.
fn publish(state: &ServerState, rebuild: Rebuild) -> Difference {
    let current = state.published.load_full();
    let mut next = Published::clone(&current);
    next.problems = if rebuild.failed {
        rebuild.problems
    } else {
        Vec::new()
    };
    if rebuild.failed && !current.tree_has_errors {
        state.published.store(Arc::new(next));
        return Difference::Same;
    }
    let found = difference(&current.tree, &rebuild.tree);
    match found {
        Difference::Same => {}
        Difference::StylesOnly => next.css_generation += 1,
        Difference::Pages => next.page_generation += 1,
    }
    if found != Difference::Same {
        next.tree = rebuild.tree;
    }
    next.tree_has_errors = rebuild.failed;
    state.published.store(Arc::new(next));
    found
}

/// What the terminal shows of a rebuild.
struct RebuildReport {
    failed: bool,
    millis: f64,
    stats: incremental::RebuildStats,
    timings: Vec<(&'static str, std::time::Duration)>,
    errors: Vec<String>,
}

impl RebuildReport {
    fn of(rebuild: &Rebuild) -> RebuildReport {
        RebuildReport {
            failed: rebuild.failed,
            millis: rebuild.duration.as_secs_f64() * 1000.0,
            stats: rebuild.stats,
            timings: rebuild.timings.clone(),
            errors: rebuild
                .problems
                .iter()
                .filter(|p| p.severity == "error")
                .map(|p| p.one_line())
                .collect(),
        }
    }

    fn log(&self, config: &ServeConfig, difference: Difference) {
        let mut stderr = std::io::stderr().lock();
        let millis = self.millis;
        if self.failed {
            let _ = writeln!(
                stderr,
                "rebuild failed in {millis:.0} ms; still serving the last good site:"
            );
            for error in &self.errors {
                let _ = writeln!(stderr, "  error: {error}");
            }
            return;
        }
        if config.quiet {
            return;
        }
        let what = match difference {
            Difference::Same => "no change",
            Difference::StylesOnly => "stylesheets swapped",
            Difference::Pages => "pages reloaded",
        };
        let details = if config.verbose {
            let stages: Vec<String> = self
                .timings
                .iter()
                .map(|(stage, time)| format!("{stage} {:.1}", time.as_secs_f64() * 1000.0))
                .collect();
            format!(
                " ({} specs, {} parsed, {} pages rendered; ms: {})",
                self.stats.specs,
                self.stats.parsed,
                self.stats.rendered_pages,
                stages.join(", ")
            )
        } else {
            String::new()
        };
        let _ = writeln!(stderr, "rebuilt in {millis:.0} ms: {what}{details}");
    }
}

/// Build, serve and watch until the process is stopped.
pub fn serve(config: &ServeConfig, cwd: &Path) -> Result<(), ServeError> {
    let root = build::resolve_root(&config.root)?;
    let listener = bind(config.bind, config.port)?;
    let local = listener.local_addr().map_err(ServeError::Server)?;
    let shown_host = match local.ip() {
        ip if ip.is_unspecified() => "localhost".to_string(),
        IpAddr::V4(ip) => ip.to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
    };
    let url = format!("http://{shown_host}:{}{}", local.port(), config.base_path);
    // Pages link relatively; the base URL matters for the 404 page, which
    // is served at any depth, and for canonical links.
    let overrides = Overrides {
        output_dir: None,
        base_url: Some(url.clone()),
        cache_dir: None,
    };
    let mut builder = IncrementalBuilder::new(&root, overrides, cwd);
    let first = builder.rebuild(&Change::Unknown)?;
    let output_dir = Arc::new(Mutex::new(first.config.output_dir.clone()));
    if !config.quiet {
        eprintln!(
            "built {} specs in {:.0} ms",
            first.stats.specs,
            first.duration.as_secs_f64() * 1000.0
        );
    }
    if first.failed {
        eprintln!("the build has errors (shown in the browser too):");
        for problem in first.problems.iter().filter(|p| p.severity == "error") {
            eprintln!("  error: {}", problem.one_line());
        }
    }
    let (change_sender, change_receiver) = tokio::sync::watch::channel(0u64);
    let state = Arc::new(ServerState {
        published: ArcSwap::from_pointee(Published {
            tree: first.tree,
            page_generation: 1,
            css_generation: 1,
            problems: if first.failed {
                first.problems
            } else {
                Vec::new()
            },
            tree_has_errors: first.failed,
        }),
        changes: change_receiver,
        hosts: http::HostCheck::new(local),
        base_path: config.base_path.clone(),
    });

    let watcher_state = state.clone();
    let watcher_output = output_dir.clone();
    let log_config = config.clone();
    let mut generation = 0u64;
    let _watcher = watch::spawn_watcher(
        root.clone(),
        config.poll,
        move || {
            watcher_output
                .lock()
                .map(|dir| dir.clone())
                .unwrap_or_default()
        },
        move |change| match builder.rebuild(&change) {
            Ok(rebuild) => {
                if let Ok(mut dir) = output_dir.lock() {
                    dir.clone_from(&rebuild.config.output_dir);
                }
                let report = RebuildReport::of(&rebuild);
                let difference = publish(&watcher_state, rebuild);
                generation += 1;
                // No receiver only when the server is gone.
                let _ = change_sender.send(generation);
                report.log(&log_config, difference);
            }
            Err(error) => eprintln!("rebuild failed: {error}; still serving the last good site"),
        },
    )
    .map_err(|source| ServeError::Watch {
        path: root.clone(),
        source,
    })?;

    if !config.bind.is_loopback() {
        eprintln!(
            "warning: serving on {} makes your drafts reachable from other machines on the network \
             (the default, 127.0.0.1, keeps them on this one); requests are answered only when \
             their Host names localhost or the bound address",
            config.bind
        );
    }
    println!("serving {} at {url}", root.display());
    let _ = std::io::stdout().flush();
    if config.open {
        // Best effort: a missing opener is not worth failing for.
        let _ = std::process::Command::new("xdg-open")
            .arg(&url)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
    }

    listener.set_nonblocking(true).map_err(ServeError::Server)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(ServeError::Server)?;
    runtime
        .block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            axum::serve(listener, http::router(state)).await
        })
        .map_err(ServeError::Server)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> OutputTree {
        let mut tree = OutputTree::default();
        for (path, contents) in files {
            tree.insert(*path, contents.as_bytes().to_vec());
        }
        tree
    }

    fn rebuild(tree: OutputTree, failed: bool) -> Rebuild {
        let problems = if failed {
            vec![incremental::Problem {
                severity: "error",
                code: "x/y".into(),
                file: Some("specs/a.md".into()),
                line: Some(1),
                column: Some(1),
                message: "broken".into(),
                help: None,
            }]
        } else {
            Vec::new()
        };
        Rebuild {
            tree: Arc::new(tree),
            problems,
            failed,
            stats: incremental::RebuildStats::default(),
            duration: std::time::Duration::ZERO,
            timings: Vec::new(),
            config: crate::config::Config::defaults(Path::new("/r")),
        }
    }

    fn state(tree: OutputTree, tree_has_errors: bool) -> ServerState {
        let (_sender, receiver) = tokio::sync::watch::channel(0);
        ServerState {
            published: ArcSwap::from_pointee(Published {
                tree: Arc::new(tree),
                tree_has_errors,
                ..Published::default()
            }),
            changes: receiver,
            hosts: http::HostCheck::new(SocketAddr::from(([127, 0, 0, 1], 8000))),
            base_path: "/".into(),
        }
    }

    #[test]
    fn a_failed_rebuild_keeps_the_last_good_site_until_fixed() {
        let good = tree(&[("a.html", "good")]);
        let state = state(good, false);
        let found = publish(&state, rebuild(tree(&[("a.html", "half-edited")]), true));
        assert_eq!(found, Difference::Same);
        let now = state.published.load_full();
        assert_eq!(now.tree.get("a.html"), Some(b"good".as_slice()));
        assert_eq!(now.problems.len(), 1);
        let found = publish(&state, rebuild(tree(&[("a.html", "fixed")]), false));
        assert_eq!(found, Difference::Pages);
        let now = state.published.load_full();
        assert_eq!(now.tree.get("a.html"), Some(b"fixed".as_slice()));
        assert!(now.problems.is_empty());
    }

    #[test]
    fn a_site_broken_from_the_start_still_shows_edits() {
        let state = state(tree(&[("a.html", "broken v1")]), true);
        let found = publish(&state, rebuild(tree(&[("a.html", "broken v2")]), true));
        assert_eq!(found, Difference::Pages);
        let now = state.published.load_full();
        assert_eq!(now.tree.get("a.html"), Some(b"broken v2".as_slice()));
        assert_eq!(now.problems.len(), 1);
    }

    #[test]
    fn a_stylesheet_change_is_told_apart_from_a_page_change() {
        let old = tree(&[
            ("a.html", "<link href=\"static/s.css?v=0a1b2c3d\"><p>A</p>"),
            ("static/s.css", "p{}"),
        ]);
        let same = old.clone();
        assert_eq!(difference(&old, &same), Difference::Same);
        let styled = tree(&[
            ("a.html", "<link href=\"static/s.css?v=99999999\"><p>A</p>"),
            ("static/s.css", "p{color:red}"),
        ]);
        assert_eq!(difference(&old, &styled), Difference::StylesOnly);
        let edited = tree(&[
            ("a.html", "<link href=\"static/s.css?v=99999999\"><p>B</p>"),
            ("static/s.css", "p{color:red}"),
        ]);
        assert_eq!(difference(&old, &edited), Difference::Pages);
        let added = tree(&[
            ("a.html", "<link href=\"static/s.css?v=0a1b2c3d\"><p>A</p>"),
            ("b.html", ""),
            ("static/s.css", "p{}"),
        ]);
        assert_eq!(difference(&old, &added), Difference::Pages);
    }
}
