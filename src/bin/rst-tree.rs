//! Temporary test binary: print the docutils pseudo-XML tree of an rST file.
//!
//! `rst-tree [--stage parse|full] [--sphinx] [FILE|-]` (stdin by default).
//! Used by shared/rst-conformance/check.py until `specsite rst-tree` exists.

use std::io::Read;

use specsite::markup::rst::{rst_tree, Stage};

fn main() {
    let mut stage = Stage::Parse;
    let mut sphinx = false;
    let mut path: Option<String> = None;
    let mut args = std::env::args().skip(1);
    let all: Vec<String> = std::env::args().skip(1).collect();
    if all.first().map(String::as_str) == Some("--throughput") {
        throughput(&all[1..]);
        return;
    }
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--stage" => {
                stage = match args.next().as_deref() {
                    Some("full") => Stage::Full,
                    _ => Stage::Parse,
                }
            }
            "--sphinx" => sphinx = true,
            "-" => path = None,
            other => path = Some(other.to_string()),
        }
    }
    let mut input = String::new();
    let result = match path {
        Some(path) => std::fs::read(&path).map(|bytes| {
            input = String::from_utf8_lossy(&bytes).into_owned();
        }),
        None => {
            let mut bytes = Vec::new();
            std::io::stdin().read_to_end(&mut bytes).map(|_| {
                input = String::from_utf8_lossy(&bytes).into_owned();
            })
        }
    };
    if let Err(error) = result {
        eprintln!("rst-tree: cannot read input: {error}");
        std::process::exit(2);
    }
    print!("{}", rst_tree(&input, stage, sphinx));
}

/// `rst-tree --throughput FILE...`: parse (Sphinx profile, full stage) and
/// print every file, single-threaded, and report MB/s. For measuring only.
fn throughput(paths: &[String]) {
    let texts: Vec<String> = paths
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let rounds = 5;
    let start = std::time::Instant::now();
    let cpu_before = cpu_seconds();
    let mut printed = 0usize;
    for _ in 0..rounds {
        for text in &texts {
            printed += rst_tree(text, Stage::Full, true).len();
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_before;
    let mb = (bytes * rounds) as f64 / 1_000_000.0;
    println!(
        "{} files, {:.1} MB x {rounds}: {:.2} s wall, {:.1} MB/s wall, {:.2} s CPU, {:.1} MB/s CPU (output {} bytes)",
        texts.len(),
        bytes as f64 / 1_000_000.0,
        seconds,
        mb / seconds,
        cpu,
        mb / cpu.max(1e-9),
        printed
    );
}

/// User + system CPU time of this process (Linux `/proc/self/stat`, 100 Hz
/// ticks), so the figure is meaningful on a busy machine; 0 elsewhere.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}
