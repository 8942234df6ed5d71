//! The `specsite` binary: exit codes, rendered diagnostics, output safety.

mod common;

use std::path::Path;
use std::process::{Command as StdCommand, Stdio};
use std::time::Duration;

use assert_cmd::Command;
use common::{read_tree, write_tree, SMALL_REPO};
use predicates::prelude::*;

fn specsite() -> Command {
    Command::cargo_bin("specsite").expect("binary built")
}

#[test]
fn clean_build_exits_zero_and_writes_the_site() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), SMALL_REPO);
    specsite()
        .arg("build")
        .arg(dir.path())
        .assert()
        .success()
        .stderr(predicate::str::contains("built 4 specs"));
    assert!(dir.path().join("_site/index.html").is_file());
    assert!(dir.path().join("_site/.nojekyll").is_file());
}

#[test]
fn config_errors_exit_one_with_every_problem_at_file_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), SMALL_REPO);
    write_tree(
        dir.path(),
        &[(
            "specsite.toml",
            "title = \"x\"\ntitel = \"y\"\n[markup]\nraw_html = \"maybe\"\n",
        )],
    );
    specsite()
        .arg("build")
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("specsite.toml:2:1"))
        .stderr(predicate::str::contains("did you mean `title`?"))
        .stderr(predicate::str::contains("specsite.toml:4:12"))
        .stderr(predicate::str::contains("2 errors"));
    assert!(
        !dir.path().join("_site").exists(),
        "a failed build writes nothing"
    );
}

#[test]
fn warnings_pass_unless_strict() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), &[("a.md", "---\nstatus: acepted\n---\n# A\n")]);
    specsite()
        .arg("build")
        .arg(dir.path())
        .assert()
        .success()
        .stderr(predicate::str::contains("warning[meta/unknown-status]"))
        .stderr(predicate::str::contains("a.md:2:1"))
        .stderr(predicate::str::contains("did you mean \"accepted\"?"));
    specsite()
        .args(["build", "--strict"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--strict"));
}

#[test]
fn json_diagnostics_are_machine_readable() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), &[("a.md", "---\nstatus: acepted\n---\n# A\n")]);
    let output = specsite()
        .args(["build", "--format", "json"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert!(output.status.success());
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    assert_eq!(report["diagnostics"][0]["code"], "meta/unknown-status");
    assert_eq!(report["diagnostics"][0]["location"]["file"], "a.md");
    assert_eq!(report["diagnostics"][0]["location"]["start"]["line"], 2);
    assert_eq!(report["summary"]["warnings"], 1);
}

#[test]
fn usage_errors_exit_two() {
    specsite()
        .args(["build", "--format", "xml"])
        .assert()
        .code(2);
    specsite()
        .args(["build", "/no/such/directory/anywhere"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/no/such/directory/anywhere"));
    specsite()
        .args(["build", ".", "--base-url", "ftp://x"])
        .assert()
        .code(2);
    specsite()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:"));
    specsite()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn refuses_to_overwrite_a_directory_it_did_not_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("repo");
    write_tree(&root, SMALL_REPO);
    let docs = dir.path().join("docs");
    write_tree(&docs, &[("notes.txt", "keep me")]);
    specsite()
        .arg("build")
        .arg(&root)
        .arg("--out")
        .arg(&docs)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did not write"));
    assert_eq!(
        std::fs::read_to_string(docs.join("notes.txt")).expect("kept"),
        "keep me"
    );
    specsite()
        .arg("build")
        .arg(&root)
        .arg("--out")
        .arg(&root)
        .assert()
        .code(2);
}

/// `--output` and `-o` are the spellings other site generators use; they
/// name the same option as `--out`.
#[test]
fn output_and_o_are_spellings_of_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("repo");
    write_tree(&root, SMALL_REPO);
    for flag in ["--output", "-o"] {
        let out = dir.path().join(format!("site{flag}"));
        specsite()
            .args(["-q", "build"])
            .arg(&root)
            .arg(flag)
            .arg(&out)
            .assert()
            .success();
        assert!(out.join("index.html").is_file(), "{flag}: no site written");
    }
}

fn quiet_build(binary: &Path, root: &Path, out: &Path) -> std::process::ExitStatus {
    StdCommand::new(binary)
        .args(["-q", "build"])
        .arg(root)
        .arg("--out")
        .arg(out)
        .status()
        .expect("runs")
}

/// Kill the build at many points; the output must always be one whole site,
/// the previous one or the new one, never a mixture or nothing.
#[test]
fn kill_during_a_build_leaves_a_whole_site() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("repo");
    let out = dir.path().join("site");
    let spec_files: Vec<(String, String)> = (0..1500)
        .map(|i| {
            (
                format!("specs/s{i:04}.md"),
                format!("# Spec {i}\n\nVersion one.\n\n```python\nx = {i}\n```\n"),
            )
        })
        .collect();
    let borrowed: Vec<(&str, &str)> = spec_files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    write_tree(&root, &borrowed);
    let binary = assert_cmd::cargo::cargo_bin("specsite");
    let status = quiet_build(&binary, &root, &out);
    assert!(status.success());
    let first = read_tree(&out);

    // Change every spec, then build and kill at increasing delays.
    let changed: Vec<(String, String)> = spec_files
        .iter()
        .map(|(p, c)| (p.clone(), c.replace("one", "two")))
        .collect();
    let borrowed: Vec<(&str, &str)> = changed
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    write_tree(&root, &borrowed);
    let mut saw_old = false;
    for delay_ms in [0u64, 5, 10, 20, 40, 80, 120, 200] {
        let mut child = StdCommand::new(&binary)
            .args(["-q", "build"])
            .arg(&root)
            .arg("--out")
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL on Unix
        let _ = child.wait();
        // A swap cut between its two renames is repaired by the next build;
        // until then the previous site is kept beside the output.
        let current = if out.exists() {
            read_tree(&out)
        } else {
            panic!("output missing after kill at {delay_ms} ms")
        };
        let is_old = current == first;
        let is_new = current
            .get("specs/s0000.html")
            .is_some_and(|page| String::from_utf8_lossy(page).contains("Version two"))
            && current.len() == first.len();
        assert!(
            is_old || is_new,
            "kill at {delay_ms} ms left a partial site"
        );
        saw_old |= is_old;
        if is_new {
            break;
        }
    }
    assert!(saw_old || out.exists());
    // And the next build finishes and cleans up after the killed ones.
    let status = quiet_build(&binary, &root, &out);
    assert!(status.success());
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".specsite-"))
        .collect();
    assert!(leftovers.is_empty(), "staging leftovers: {leftovers:?}");
}

/// A repository with code in two languages.
const CODE_REPO: &[(&str, &str)] = &[
    (
        "specs/0001-a.md",
        "# A\n\n```rust\nfn main() { let s = \"<b>\"; }\n```\n\n```python\ndef f(): return 1\n```\n",
    ),
    ("specs/0002-b.md", "# B\n\n```json\n{\"a\": [1, 2]}\n```\n"),
];

fn cache_files(dir: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

#[test]
fn highlighted_code_is_kept_between_builds_outside_the_repository() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("repo");
    let cache = dir.path().join("cache");
    write_tree(&repo, CODE_REPO);
    let build = |out: &str, extra: &[&str]| {
        specsite()
            .env("SPECSITE_CACHE_DIR", &cache)
            .arg("-q")
            .arg("build")
            .arg(&repo)
            .arg("--out")
            .arg(dir.path().join(out))
            .args(extra)
            .assert()
            .success();
        read_tree(&dir.path().join(out))
    };

    let uncached = build("uncached", &["--no-cache"]);
    assert!(cache_files(&cache).is_empty(), "--no-cache writes no cache");
    let first = build("first", &[]);
    let files = cache_files(&cache);
    assert_eq!(files.len(), 1, "one file for the repository: {files:?}");
    assert!(
        !repo.join(".specsite-cache").exists(),
        "nothing written into the repository"
    );
    let second = build("second", &[]);
    assert_eq!(first, uncached, "the cache changes nothing in the site");
    assert_eq!(second, uncached, "a cached build is the same site");

    // A damaged cache is ignored, and replaced by a good one.
    std::fs::write(&files[0], b"specsite highlight cache 1 \x00garbage").expect("write");
    let third = build("third", &[]);
    assert_eq!(third, uncached);
    let repaired = std::fs::read(&files[0]).expect("cache file");
    assert!(repaired.len() > 100, "the cache was written again");
}
