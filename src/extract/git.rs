//! Metadata source: created and updated dates from git history.
//!
//! One `git log --name-status -M` pass over the whole repository, newest
//! commit first, following renames backwards so a spec moved from
//! `approved/` to `implemented/` keeps the date it was first written. A
//! shallow clone (the CI default) would give every spec the date of the
//! clone's one commit, so it is detected and reported with the fix.
//! Without git, or outside a work tree, there are simply no git dates.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::diag::Diagnostic;

/// First and last commit dates of one file (YYYY-MM-DD).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dates {
    pub created: String,
    pub updated: String,
}

/// Record separator between commits in our `--format`.
const COMMIT_MARK: char = '\u{1e}';

fn git(root: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["-c", "core.quotepath=off"])
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Dates of every file that has history, keyed by its current path
/// relative to `root`.
pub fn read_history(root: &Path) -> (HashMap<String, Dates>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let inside = git(root, &["rev-parse", "--is-inside-work-tree"]);
    if inside.as_deref().map(str::trim) != Some("true") {
        return (HashMap::new(), diagnostics);
    }
    if git(root, &["rev-parse", "--is-shallow-repository"])
        .as_deref()
        .map(str::trim)
        == Some("true")
    {
        diagnostics.push(
            Diagnostic::warning(
                "git/shallow-clone",
                "the repository is a shallow clone: created dates from git history are wrong",
            )
            .with_help("fetch the full history in CI (actions/checkout: `fetch-depth: 0`; or `git fetch --unshallow`)"),
        );
    }
    let format = format!("--format={COMMIT_MARK}%as");
    let Some(log) = git(
        root,
        &[
            "log",
            &format,
            "--name-status",
            "-M",
            "--relative",
            "--no-color",
        ],
    ) else {
        return (HashMap::new(), diagnostics);
    };
    (parse_log(&log), diagnostics)
}

/// Parse `git log --format=<RS>%as --name-status -M` output, newest first.
pub fn parse_log(log: &str) -> HashMap<String, Dates> {
    let mut dates: HashMap<String, Dates> = HashMap::new();
    // Historic path → the path the file has now.
    let mut current_name: HashMap<String, String> = HashMap::new();
    let mut record = |path: &str, date: &str, current_name: &HashMap<String, String>| {
        let now = current_name
            .get(path)
            .cloned()
            .unwrap_or_else(|| path.to_string());
        let entry = dates.entry(now.clone()).or_insert_with(|| Dates {
            created: date.to_string(),
            updated: date.to_string(),
        });
        // Newest first: every older commit moves `created` back.
        entry.created = date.to_string();
        now
    };
    for commit in log.split(COMMIT_MARK).filter(|c| !c.trim().is_empty()) {
        let mut lines = commit.lines();
        let date = lines.next().unwrap_or("").trim();
        if date.is_empty() {
            continue;
        }
        for line in lines {
            let mut fields = line.split('\t');
            let (Some(change), Some(first)) = (fields.next(), fields.next()) else {
                continue;
            };
            let second = fields.next();
            match (change.chars().next(), second) {
                (Some('R'), Some(new)) => {
                    let now = record(new, date, &current_name);
                    current_name.insert(first.to_string(), now);
                }
                (Some('C'), Some(new)) => {
                    record(new, date, &current_name);
                }
                (Some(_), _) => {
                    record(first, date, &current_name);
                }
                (None, _) => {}
            }
        }
    }
    dates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_are_followed_back_to_the_first_commit() {
        let log = "\u{1e}2024-05-01\n\nR100\tspecs/k/approved/a.rst\tspecs/k/implemented/a.rst\nM\tb.rst\n\u{1e}2024-02-01\n\nM\tspecs/k/approved/a.rst\n\u{1e}2023-01-10\n\nA\tspecs/k/approved/a.rst\nA\tb.rst\n";
        let dates = parse_log(log);
        let a = &dates["specs/k/implemented/a.rst"];
        assert_eq!(
            (a.created.as_str(), a.updated.as_str()),
            ("2023-01-10", "2024-05-01")
        );
        let b = &dates["b.rst"];
        assert_eq!(
            (b.created.as_str(), b.updated.as_str()),
            ("2023-01-10", "2024-05-01")
        );
        assert!(!dates.contains_key("specs/k/approved/a.rst"));
    }

    #[test]
    fn a_directory_that_is_not_a_repository_has_no_history() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (dates, diagnostics) = read_history(dir.path());
        assert!(dates.is_empty() && diagnostics.is_empty());
    }

    #[test]
    fn a_real_repository_gives_dates_for_its_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let run = |args: &[&str]| {
            Command::new("git")
                .arg("-C")
                .arg(dir.path())
                .args(args)
                .env("GIT_AUTHOR_DATE", "2021-03-04T10:00:00Z")
                .env("GIT_COMMITTER_DATE", "2021-03-04T10:00:00Z")
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false)
        };
        if !run(&["init", "-q"]) {
            return; // no git on this machine: nothing to test
        }
        std::fs::write(dir.path().join("a.md"), "# A\n").expect("write");
        assert!(run(&["add", "a.md"]));
        assert!(run(&[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@e",
            "commit",
            "-q",
            "-m",
            "a"
        ]));
        let (dates, diagnostics) = read_history(dir.path());
        assert!(diagnostics.is_empty());
        assert_eq!(dates["a.md"].created, "2021-03-04");
    }
}
