//! Watching the repository: file-system events in, debounced [`Change`]s out.
//!
//! The decisions are pure and tested on their own: [`is_noise`] says which
//! paths never matter (editor swap and backup files, vim's `4913` probe,
//! hidden files that `load` skips too, our own output), and [`Debounce`]
//! turns a stream of timestamped paths into batches: a batch is due when
//! the tree has been quiet for a short while, or when a burst has lasted
//! too long (so a `git checkout` of 1,000 files gives a few rebuilds, not
//! one per file and not one only at the very end).
//!
//! The glue ([`spawn_watcher`]) watches the whole root recursively: that
//! covers content, templates, static files and the config, and because it
//! watches directories, files that editors replace by renaming (vim, atomic
//! writes) are seen as the new file. `--poll` uses notify's polling watcher
//! for file systems without inotify (network mounts, some containers).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};

use super::incremental::Change;

/// Quiet time that ends a batch: long enough to merge an editor's
/// write-rename-delete sequence, short enough to keep reloads instant.
pub const QUIET: Duration = Duration::from_millis(20);
/// Longest a batch may keep growing during a burst before it is built.
pub const MAX_WAIT: Duration = Duration::from_millis(400);

/// Whether a change at `path` can never affect the site.
pub fn is_noise(path: &Path, root: &Path, output_dir: &Path) -> bool {
    if path.starts_with(output_dir) && output_dir != root {
        return true;
    }
    let Ok(relative) = path.strip_prefix(root) else {
        // Outside the root: nothing we read.
        return true;
    };
    let mut components = relative.components().peekable();
    while let Some(component) = components.next() {
        let name = component.as_os_str().to_string_lossy();
        let is_last = components.peek().is_none();
        // Hidden files and directories are skipped by `load` (and `.git`
        // churns on every checkout); so are emacs lock files (`.#name`).
        if name.starts_with('.') {
            return true;
        }
        // Staging and backup directories of `specsite build`.
        if name.contains(".specsite-") {
            return true;
        }
        if is_last
            && (name.ends_with(".swp")
                || name.ends_with(".swx")
                || name.ends_with(".swo")
                || name.ends_with('~')
                || name == "4913")
        {
            return true;
        }
    }
    false
}

/// A batch of changes waiting for the file system to calm down.
#[derive(Debug, Default)]
pub struct Debounce {
    paths: BTreeSet<PathBuf>,
    unknown: bool,
    first: Option<Instant>,
    last: Option<Instant>,
}

impl Debounce {
    /// Record changed paths seen at `now`.
    /// Every event restarts the quiet time, also for a path already in
    /// the batch: a file written in several chunks is still being written.
    pub fn add(&mut self, paths: impl IntoIterator<Item = PathBuf>, now: Instant) {
        let mut any = false;
        for path in paths {
            self.paths.insert(path);
            any = true;
        }
        if any {
            self.touch(now);
        }
    }

    /// Record that events were lost: the next batch is a full rebuild.
    pub fn add_unknown(&mut self, now: Instant) {
        self.unknown = true;
        self.touch(now);
    }

    fn touch(&mut self, now: Instant) {
        self.first.get_or_insert(now);
        self.last = Some(now);
    }

    pub fn is_empty(&self) -> bool {
        self.first.is_none()
    }

    /// When the pending batch becomes due (`None` when nothing is pending).
    pub fn due_at(&self) -> Option<Instant> {
        let (first, last) = (self.first?, self.last?);
        Some((last + QUIET).min(first + MAX_WAIT))
    }

    /// Take the batch if it is due at `now`.
    pub fn take_if_due(&mut self, now: Instant) -> Option<Change> {
        if self.due_at()? > now {
            return None;
        }
        let paths = std::mem::take(&mut self.paths);
        let unknown = std::mem::take(&mut self.unknown);
        self.first = None;
        self.last = None;
        Some(if unknown {
            Change::Unknown
        } else {
            Change::Paths(paths.into_iter().collect())
        })
    }
}

/// What the watcher thread reports.
enum Raw {
    Paths(Vec<PathBuf>),
    Lost,
}

/// A running watcher; dropping it stops watching.
pub struct WatchHandle {
    _watcher: Box<dyn Watcher + Send>,
}

/// Watch `root` and call `on_change` with each debounced batch, on a thread
/// of its own; `output_dir()` is asked afresh for each event because the
/// config (and so the output directory) may change while serving.
pub fn spawn_watcher(
    root: PathBuf,
    poll: bool,
    output_dir: impl Fn() -> PathBuf + Send + 'static,
    mut on_change: impl FnMut(Change) + Send + 'static,
) -> notify::Result<WatchHandle> {
    let (sender, receiver) = mpsc::channel::<Raw>();
    let handler = move |result: notify::Result<notify::Event>| {
        let raw = match result {
            Ok(event) if event.need_rescan() => Raw::Lost,
            Ok(event) if matches!(event.kind, EventKind::Access(_)) => return,
            Ok(event) => Raw::Paths(event.paths),
            Err(_) => Raw::Lost,
        };
        // The receiver is gone only when serving stops.
        let _ = sender.send(raw);
    };
    let mut watcher: Box<dyn Watcher + Send> = if poll {
        let config = notify::Config::default().with_poll_interval(Duration::from_millis(300));
        Box::new(notify::PollWatcher::new(handler, config)?)
    } else {
        Box::new(notify::recommended_watcher(handler)?)
    };
    watcher.watch(&root, RecursiveMode::Recursive)?;

    std::thread::Builder::new()
        .name("specsite-watch".into())
        .spawn(move || {
            let mut batch = Debounce::default();
            loop {
                let received = match batch.due_at() {
                    None => receiver
                        .recv()
                        .map_err(|_| mpsc::RecvTimeoutError::Disconnected),
                    Some(due) => {
                        receiver.recv_timeout(due.saturating_duration_since(Instant::now()))
                    }
                };
                let now = Instant::now();
                match received {
                    Ok(Raw::Paths(paths)) => {
                        let output = output_dir();
                        batch.add(
                            paths
                                .into_iter()
                                .filter(|path| !is_noise(path, &root, &output)),
                            now,
                        );
                    }
                    Ok(Raw::Lost) => batch.add_unknown(now),
                    Err(mpsc::RecvTimeoutError::Timeout) => {}
                    Err(mpsc::RecvTimeoutError::Disconnected) => return,
                }
                if let Some(change) = batch.take_if_due(Instant::now()) {
                    // Rebuilding here, on the watcher's thread, queues the
                    // events of the meantime: they form the next batch, so
                    // the last build always sees the final state.
                    on_change(change);
                }
            }
        })
        .map_err(notify::Error::io)?;
    Ok(WatchHandle { _watcher: watcher })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_litter_and_hidden_paths_are_noise() {
        let root = Path::new("/r");
        let out = Path::new("/r/_site");
        for noisy in [
            "/r/specs/.a.md.swp",
            "/r/specs/a.md.swp",
            "/r/specs/a.md~",
            "/r/specs/.#a.md",
            "/r/specs/4913",
            "/r/.git/index",
            "/r/_site/index.html",
            "/r/_site.specsite-staging-12/x.html",
            "/elsewhere/a.md",
        ] {
            assert!(is_noise(Path::new(noisy), root, out), "{noisy}");
        }
        for real in [
            "/r/specs/a.md",
            "/r/specsite.toml",
            "/r/static/specsite.css",
            "/r/templates/spec.html",
            "/r/specs/4913.md",
            "/r/specs/dir",
        ] {
            assert!(!is_noise(Path::new(real), root, out), "{real}");
        }
    }

    #[test]
    fn a_batch_is_due_after_quiet_time_or_max_wait() {
        let start = Instant::now();
        let mut batch = Debounce::default();
        assert_eq!(batch.due_at(), None);
        batch.add([PathBuf::from("/r/a.md")], start);
        assert_eq!(batch.take_if_due(start + QUIET / 2), None);
        // Events keep arriving every QUIET/2: the batch waits, up to MAX_WAIT.
        let mut now = start;
        while now < start + MAX_WAIT {
            now += QUIET / 2;
            batch.add([PathBuf::from(format!("/r/{now:?}.md"))], now);
            if now < start + MAX_WAIT {
                assert!(batch.take_if_due(now).is_none());
            }
        }
        let Some(Change::Paths(paths)) = batch.take_if_due(start + MAX_WAIT) else {
            panic!("due at MAX_WAIT");
        };
        assert!(paths.len() > 2);
        assert!(batch.is_empty());
    }

    #[test]
    fn repeated_paths_extend_the_wait_and_lost_events_mean_unknown() {
        let start = Instant::now();
        let mut batch = Debounce::default();
        batch.add([PathBuf::from("/r/a.md")], start);
        batch.add([PathBuf::from("/r/a.md")], start + QUIET / 2);
        assert_eq!(batch.due_at(), Some(start + QUIET / 2 + QUIET));
        batch.add(Vec::new(), start + QUIET);
        assert_eq!(
            batch.due_at(),
            Some(start + QUIET / 2 + QUIET),
            "no paths, no event"
        );
        batch.add_unknown(start + QUIET / 2);
        assert_eq!(
            batch.take_if_due(start + QUIET + QUIET),
            Some(Change::Unknown)
        );
    }
}
