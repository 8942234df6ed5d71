//! The README's GitHub Pages workflow: the copy shown in the README is the
//! example file kept in content-example/, and that file does what the guide
//! promises (checks pull requests with annotations, builds with the Pages
//! base URL and full history, deploys only from the default branch).

use std::path::Path;

use serde_json::Value;

const WORKFLOW: &str = "content-example/.github/workflows/specs.yml";

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|error| panic!("{path}: {error}"))
}

/// Every `run:` command and `uses:` action of a job, in order.
fn steps(workflow: &Value, job: &str) -> (Vec<String>, Vec<String>) {
    let steps = workflow["jobs"][job]["steps"]
        .as_array()
        .unwrap_or_else(|| panic!("job {job} has steps"));
    let field = |name: &str| -> Vec<String> {
        steps
            .iter()
            .filter_map(|step| step[name].as_str().map(str::to_string))
            .collect()
    };
    (field("run"), field("uses"))
}

#[test]
fn the_readme_shows_the_example_workflow_verbatim() {
    let readme = read("README.md");
    let example = read(WORKFLOW);
    let shown = readme
        .split("```yaml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a yaml block in the README");
    assert_eq!(shown, example, "README and {WORKFLOW} differ");
}

#[test]
fn the_workflow_checks_pull_requests_and_deploys_the_default_branch() {
    let workflow: Value = serde_saphyr::from_str(&read(WORKFLOW)).expect("valid YAML");
    assert!(
        workflow["on"]["pull_request"].is_null() && workflow["on"].get("pull_request").is_some()
    );

    let (check_runs, check_uses) = steps(&workflow, "check");
    assert_eq!(
        workflow["jobs"]["check"]["if"],
        "github.event_name == 'pull_request'"
    );
    assert!(check_runs
        .iter()
        .any(|run| run.contains("specsite check . --format github")
            && run.contains("--base-url \"https://${{ github.repository_owner }}.github.io/")));
    assert!(check_uses
        .iter()
        .any(|uses| uses.starts_with("actions/checkout@")));

    let (build_runs, build_uses) = steps(&workflow, "build");
    assert!(build_runs
        .iter()
        .any(|run| run.starts_with("specsite build . --out _site --base-url")));
    assert!(build_uses
        .iter()
        .any(|uses| uses.starts_with("actions/upload-pages-artifact@")));
    let cache = workflow["jobs"]["build"]["steps"]
        .as_array()
        .and_then(|steps| {
            steps.iter().find(|step| {
                step["uses"]
                    .as_str()
                    .is_some_and(|uses| uses.starts_with("actions/cache@"))
            })
        })
        .expect("the build job keeps specsite's cache");
    assert_eq!(cache["with"]["path"], "~/.cache/specsite");
    for job in ["check", "build"] {
        let checkout = workflow["jobs"][job]["steps"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|step| {
                step["uses"]
                    .as_str()
                    .is_some_and(|u| u.starts_with("actions/checkout@"))
            })
            .unwrap_or_else(|| panic!("{job} checks out"));
        assert_eq!(
            checkout["with"]["fetch-depth"], 0,
            "{job}: full history for git dates"
        );
    }

    let deploy = &workflow["jobs"]["deploy"];
    assert_eq!(deploy["needs"], "build");
    assert!(deploy["if"]
        .as_str()
        .is_some_and(|condition| condition.contains("github.event.repository.default_branch")));
    assert_eq!(deploy["permissions"]["pages"], "write");
    assert_eq!(deploy["permissions"]["id-token"], "write");
    assert_eq!(deploy["environment"]["name"], "github-pages");
    let (_, deploy_uses) = steps(&workflow, "deploy");
    assert!(deploy_uses
        .iter()
        .any(|uses| uses.starts_with("actions/deploy-pages@")));
}
