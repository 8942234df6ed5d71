//! `specsite list` agrees with the site: the same specs, statuses and
//! milestones as `api/specs.json` and the home page's groups; filters and
//! formats; a mistyped `--status` is a usage error with a suggestion.

use std::path::Path;

use assert_cmd::Command;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "specs/kilo/implemented/a.rst", "A\n=\n");
    write(root, "specs/kilo/approved/b.rst", "B\n=\n");
    write(
        root,
        "specs/liberty/implemented/c.rst",
        "C\n=\n\nMilestones\n----------\n\nTarget Milestone for completion:\n  Liberty-2\n",
    );
    write(
        root,
        "proposals/0001-x.md",
        "---\nstatus: acepted\n---\n# X\n",
    );
    dir
}

fn list(root: &Path, args: &[&str]) -> serde_json::Value {
    let output = Command::cargo_bin("specsite")
        .expect("binary")
        .arg("list")
        .arg(root)
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("run");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("json")
}

#[test]
fn list_filters_and_agrees_with_the_published_api() {
    let dir = repo();
    let implemented = list(dir.path(), &["--status", "implemented"]);
    let ids: Vec<&str> = implemented
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        ["specs/kilo/implemented/a", "specs/liberty/implemented/c"]
    );
    assert_eq!(implemented[1]["milestone"]["label"], "Liberty-2");
    assert_eq!(implemented[1]["release"]["label"], "Liberty");
    let kilo = list(dir.path(), &["--milestone", "kilo"]);
    assert_eq!(kilo.as_array().map(Vec::len), Some(2));

    let out = tempfile::tempdir().expect("out");
    let site = out.path().join("site");
    Command::cargo_bin("specsite")
        .expect("binary")
        .args(["build", "-q"])
        .arg(dir.path())
        .arg("--out")
        .arg(&site)
        .assert()
        .success();
    let api: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(site.join("api/specs.json")).expect("api"))
            .expect("api json");
    assert_eq!(api["schema_version"], 1);
    assert!(site.join("api/specs.schema.json").is_file());
    let everything = list(dir.path(), &[]);
    let mut from_api: Vec<serde_json::Value> = api["specs"].as_array().expect("specs").clone();
    let mut from_list: Vec<serde_json::Value> = everything.as_array().expect("array").clone();
    let by_id =
        |a: &serde_json::Value, b: &serde_json::Value| a["id"].as_str().cmp(&b["id"].as_str());
    from_api.sort_by(by_id);
    from_list.sort_by(by_id);
    assert_eq!(from_api, from_list);

    // The spec whose status could not be read is listed under Unknown with a badge.
    let home = std::fs::read_to_string(site.join("index.html")).expect("home");
    assert!(home.contains("data-status=\"unknown\""));
    assert!(home.contains("Metadata error"));
}

#[test]
fn csv_and_table_formats_and_a_mistyped_status() {
    let dir = repo();
    let output = Command::cargo_bin("specsite")
        .expect("binary")
        .arg("list")
        .arg(dir.path())
        .args(["--format", "csv", "--status", "accepted"])
        .output()
        .expect("run");
    let csv = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "id,status,raw_status,milestone,authors,created,updated,title,path"
    );
    assert_eq!(lines.len(), 2);
    assert!(lines[1].starts_with("specs/kilo/approved/b,accepted,approved,Kilo,"));
    Command::cargo_bin("specsite")
        .expect("binary")
        .arg("list")
        .arg(dir.path())
        .args(["--status", "implemnted"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("did you mean \"implemented\""));
}
