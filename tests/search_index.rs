//! The search index built from content-example: the manifest lists every
//! spec with its status and milestone, facet counts add up, and looking a
//! word up the way search.js does (chunk boundaries, then the chunk) finds
//! the specs that contain it, with a heading anchor where a heading matched.

use std::path::Path;

use serde_json::Value;
use specsite::build::build_site;
use specsite::config::Overrides;
use specsite::output::OutputTree;

fn example_site() -> (OutputTree, Vec<specsite::model::Spec>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example");
    let build = build_site(&root, &Overrides::default(), &root).expect("build runs");
    (build.tree, build.specs)
}

fn json(tree: &OutputTree, path: &str) -> Value {
    let bytes = tree
        .get(path)
        .unwrap_or_else(|| panic!("{path} is in the output"));
    serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{path} is JSON: {e}"))
}

fn as_list(value: &Value) -> &Vec<Value> {
    value.as_array().expect("an array")
}

/// The documents (by number) whose postings for exactly `term` the index
/// holds, with their heading numbers, found like search.js finds them.
fn lookup(tree: &OutputTree, manifest: &Value, term: &str) -> Vec<(usize, u64)> {
    let chunks = as_list(&manifest["chunks"]);
    let Some(chunk) = chunks
        .iter()
        .rfind(|c| c[0].as_str().is_some_and(|first| first <= term))
    else {
        return Vec::new();
    };
    let name = chunk[1].as_str().expect("chunk name");
    let entries = json(tree, &format!("search/t/{name}.json"));
    let Some(entry) = as_list(&entries).iter().find(|e| e[0] == term) else {
        return Vec::new();
    };
    let flat: Vec<u64> = as_list(&entry[1])
        .iter()
        .map(|n| n.as_u64().expect("a number"))
        .collect();
    let mut doc = 0usize;
    flat.chunks(3)
        .map(|posting| {
            doc += usize::try_from(posting[0]).expect("small");
            (doc, posting[2])
        })
        .collect()
}

/// Document `doc`'s `[excerpt, headings]`, from its block of fragments.
fn fragment(tree: &OutputTree, manifest: &Value, doc: usize) -> Value {
    let block = manifest["fragment_block"].as_u64().expect("block size") as usize;
    let dir = manifest["fragments"].as_str().expect("fragment dir");
    let fragments = json(tree, &format!("search/{dir}/{}.json", doc / block));
    fragments[doc % block].clone()
}

#[test]
fn manifest_lists_every_spec_with_status_and_milestone() {
    let (tree, specs) = example_site();
    let manifest = json(&tree, "search/manifest.json");
    assert_eq!(manifest["version"], 1);
    let docs = as_list(&manifest["docs"]);
    let dirs = as_list(&manifest["dirs"]);
    let statuses = as_list(&manifest["statuses"]);
    let milestones = as_list(&manifest["milestones"]);
    assert_eq!(docs.len(), specs.len());
    for (doc, spec) in docs.iter().zip(&specs) {
        let dir = dirs[doc[0].as_u64().expect("dir") as usize]
            .as_str()
            .expect("dir");
        let file = doc[1].as_str().expect("file");
        let href = if dir.is_empty() {
            file.to_string()
        } else {
            format!("{dir}/{file}")
        };
        assert_eq!(href, spec.page_path);
        assert!(tree.contains(&href), "{href} is a page");
        assert_eq!(doc[2], spec.title.as_str());
        let status = &statuses[doc[3].as_u64().expect("every spec has a status key") as usize];
        assert_eq!(status[0], spec.status_key().key(), "{href}");
        match &spec.milestone {
            Some(milestone) => {
                let listed = &milestones[doc[4].as_u64().expect("milestone index") as usize];
                assert_eq!(listed[1], milestone.label.as_str(), "{href}");
            }
            None => assert_eq!(doc[4], -1, "{href}"),
        }
    }
    let total: u64 = statuses.iter().map(|s| s[2].as_u64().expect("count")).sum();
    assert_eq!(total as usize, specs.len());
    // Every document has its fragment.
    for n in 0..docs.len() {
        assert!(fragment(&tree, &manifest, n).is_array(), "fragment {n}");
    }
}

#[test]
fn chunk_lookup_finds_the_specs_containing_a_word() {
    let (tree, specs) = example_site();
    let manifest = json(&tree, "search/manifest.json");
    let page = |n: usize| specs[n].page_path.as_str();

    let quota: Vec<&str> = lookup(&tree, &manifest, "quotas")
        .iter()
        .map(|(doc, _)| page(*doc))
        .collect();
    assert!(
        quota.contains(&"proposals/0003-quota-enforcement.html"),
        "{quota:?}"
    );
    // Stop words and unknown words are not in the index.
    assert!(lookup(&tree, &manifest, "the").is_empty());
    assert!(lookup(&tree, &manifest, "zzzznotaword").is_empty());

    // A heading match carries the heading, whose anchor is on the page.
    let (doc, heading) = lookup(&tree, &manifest, "rationale")
        .into_iter()
        .find(|(doc, heading)| {
            page(*doc) == "proposals/0003-quota-enforcement.html" && *heading > 0
        })
        .expect("the Rationale heading of the quota proposal");
    let fragment = fragment(&tree, &manifest, doc);
    let anchor = fragment[1][heading as usize - 1][0]
        .as_str()
        .expect("an anchor");
    let html = String::from_utf8_lossy(tree.get(page(doc)).expect("page"));
    assert!(html.contains(&format!("id=\"{anchor}\"")), "{anchor}");
    assert!(fragment[0]
        .as_str()
        .expect("excerpt")
        .starts_with("Let operators cap the bytes"));
}

#[test]
fn every_page_links_the_search_and_its_index_relative_to_itself() {
    let (tree, _) = example_site();
    let page = String::from_utf8_lossy(
        tree.get("proposals/0003-quota-enforcement.html")
            .expect("page"),
    )
    .into_owned();
    assert!(page.contains("action=\"../search.html\""));
    assert!(page.contains("data-search-index=\"../search/manifest.json\""));
    assert!(page.contains("src=\"../static/search.js?v="));
    let search =
        String::from_utf8_lossy(tree.get("search.html").expect("search page")).into_owned();
    assert!(search.contains("data-search-index=\"search/manifest.json\""));
}

#[test]
fn serve_rebuilds_the_index_when_a_spec_body_changes() {
    use specsite::serve::incremental::{Change, IncrementalBuilder};
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let spec = root.join("specs/a.md");
    std::fs::create_dir_all(root.join("specs")).expect("mkdir");
    std::fs::write(&spec, "# Alpha\n\nFirst words.\n").expect("write");
    std::fs::write(root.join("specs/b.md"), "# Beta\n\nOther words.\n").expect("write");
    let overrides = Overrides {
        output_dir: Some(root.join("_site")),
        base_url: None,
        cache_dir: None,
    };
    let mut builder = IncrementalBuilder::new(root, overrides, root);
    let first = builder.rebuild(&Change::Unknown).expect("first build");
    let manifest = json(&first.tree, "search/manifest.json");
    assert!(lookup(&first.tree, &manifest, "zanzibar").is_empty());

    std::fs::write(&spec, "# Alpha\n\nFirst words about Zanzibar.\n").expect("edit");
    let canonical = std::fs::canonicalize(&spec).expect("canonical");
    let second = builder
        .rebuild(&Change::Paths(vec![canonical]))
        .expect("second build");
    assert_eq!(second.stats.parsed, 1);
    let manifest = json(&second.tree, "search/manifest.json");
    let found = lookup(&second.tree, &manifest, "zanzibar");
    assert_eq!(found.len(), 1);
    // Only the current index is served: no chunk of the first build remains.
    let chunks: Vec<&str> = second
        .tree
        .paths()
        .filter(|p| p.starts_with("search/t/"))
        .collect();
    assert_eq!(
        chunks.len(),
        manifest["chunks"].as_array().map_or(0, Vec::len)
    );
}
