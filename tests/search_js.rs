//! The pure part of static/search.js (query words, chunk lookup, ranking,
//! facet counts) run under node, against small hand-made indexes. Skips,
//! with a message, when `node` is not installed.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

fn node() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("node"))
        .find(|candidate| candidate.is_file())
}

/// Evaluate `expression` with `search` bound to search.js's exports and
/// return its JSON value.
fn run(expression: &str) -> Option<Value> {
    let Some(node) = node() else {
        eprintln!("skipping: node is not installed");
        return None;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/static/search.js");
    let program = format!(
        "const search = require({script:?});\nprocess.stdout.write(JSON.stringify({expression}));"
    );
    let output = Command::new(node)
        .arg("-e")
        .arg(program)
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(serde_json::from_slice(&output.stdout).expect("JSON from node"))
}

const MANIFEST: &str = r#"{"stop":["of","the"],"min_chars":2,"max_chars":40}"#;

#[test]
fn query_words_match_the_indexer_and_the_last_word_is_a_prefix() {
    let Some(words) = run(&format!(
        "[search.queryWords('Live-Migration of the NUMA x', {MANIFEST}),
          search.queryWords('live mi', {MANIFEST}),
          search.queryWords('live mig ', {MANIFEST}),
          search.queryWords('STRAẞE Ünï', {MANIFEST})]"
    )) else {
        return;
    };
    let word = |w: &str, prefix: bool| json!({ "word": w, "prefix": prefix });
    assert_eq!(
        words,
        json!([
            [
                word("live", false),
                word("migration", false),
                word("numa", false)
            ],
            [word("live", false), word("mi", false)],
            [word("live", false), word("mig", false)],
            [word("straße", false), word("ünï", true)],
        ])
    );
}

#[test]
fn chunk_lookup_covers_exact_words_and_prefixes() {
    let chunks = r#"[["alpha","a"],["live","b"],["migrate","c"],["migration","d"],["zeta","e"]]"#;
    let Some(found) = run(&format!(
        "[search.chunksForWord({chunks}, {{word:'migration',prefix:false}}),
          search.chunksForWord({chunks}, {{word:'mig',prefix:true}}),
          search.chunksForWord({chunks}, {{word:'aaa',prefix:false}}),
          search.chunksForWord({chunks}, {{word:'aaa',prefix:true}}),
          search.matchesInChunk([['mig',[0,1,0]],['migrate',[0,1,0]],['migration',[1,2,0]],['mile',[0,1,0]]], {{word:'migr',prefix:true}}).map(e => e[0]),
          search.matchesInChunk([['mig',[0,1,0]],['migrate',[0,1,0]]], {{word:'mig',prefix:false}}).map(e => e[0])]"
    )) else {
        return;
    };
    assert_eq!(
        found,
        json!([[3], [1, 2, 3], [], [0], ["migrate", "migration"], ["mig"]])
    );
}

#[test]
fn ranking_is_an_and_of_words_by_weighted_tf_idf() {
    // Postings: doc delta, weight, heading+1. "live" in docs 0, 1, 2;
    // "migration" in docs 1 (title weight) and 2 (body, in heading 2).
    let Some(results) = run("search.rank(10,
            [{word:'live',prefix:false},{word:'migration',prefix:false}],
            [[['live',[0,1,0, 1,1,0, 1,1,0]]],
             [['migration',[1,8,0, 1,1,2]]]])")
    else {
        return;
    };
    let docs: Vec<u64> = results
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["doc"].as_u64().expect("doc"))
        .collect();
    // Doc 0 lacks "migration"; doc 1 has it in the title, so ranks first.
    assert_eq!(docs, [1, 2]);
    assert_eq!(results[1]["heading"], 2);
    assert_eq!(results[0]["heading"], 0);

    // An exact term beats a prefix-only match of the same weight, and a
    // rarer term counts for more than a common one.
    let Some(results) = run(
        "[search.rank(10, [{word:'mig',prefix:true}], [[['mig',[0,1,0]],['migrate',[1,1,0]]]]).map(r => r.doc),
          search.rank(10, [{word:'a',prefix:false},{word:'b',prefix:false}],
            [[['a',[0,1,0, 1,1,0, 1,1,0, 1,1,0]]], [['b',[1,1,0, 1,1,0, 1,1,0]]]]).map(r => r.doc),
          search.rank(10, [{word:'rare',prefix:false}], [[]])]",
    ) else {
        return;
    };
    assert_eq!(results, json!([[0, 1], [1, 2, 3], []]));
}

#[test]
fn facet_counts_apply_the_other_facet_only() {
    // Docs: [dir, file, title, status, milestone].
    let Some(counts) = run(
        "(() => {
          const manifest = { statuses: [['a'],['b']], milestones: [['m1'],['m2']],
            docs: [[0,'x','X',0,0],[0,'y','Y',1,0],[0,'z','Z',1,1],[0,'w','W',0,-1]] };
          const results = [0,1,2,3].map(doc => ({doc}));
          const filters = { statuses: new Set([1]), milestone: 0 };
          const kept = results.filter(r => search.passes(manifest.docs[r.doc], filters)).map(r => r.doc);
          return [search.facetCounts(manifest, results, filters), kept];
        })()",
    ) else {
        return;
    };
    assert_eq!(
        counts,
        json!([{ "statuses": [1, 1], "milestones": [1, 1] }, [1]])
    );
}
