//! The graph page of all of nova-specs in headless Chromium (fantoccini +
//! Debian's chromium-driver): every spec is a node, a status filter hides
//! nodes, typing a spec's name highlights it and its neighbourhood, and
//! wheel and drag change the view. Prints how long the first drawing took
//! in the page (a figure for the closing note; nothing asserts on time).
//!
//! Skips, with a message, when nova-specs (`../shared/corpora`, or
//! `SPECSITE_CORPORA`), `chromedriver` or `chromium` is missing.

mod common;

use std::process::Command;
use std::time::Duration;

use common::browser::{connect, eval, find_program, start_chromedriver, wait_until};
use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use serde_json::Value;

fn count(value: &Value) -> u64 {
    value
        .as_u64()
        .unwrap_or_else(|| panic!("a count, not {value}"))
}

#[tokio::test(flavor = "current_thread")]
async fn nova_graph_page_filters_searches_pans_and_zooms() {
    let Some(root) = common::corpus("nova-specs") else {
        return;
    };
    let (Some(driver), Some(chromium)) = (find_program("chromedriver"), find_program("chromium"))
    else {
        eprintln!("SKIP graph_browser: chromedriver or chromium not found (apt-get install chromium chromium-driver)");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("site");
    let status = Command::new(env!("CARGO_BIN_EXE_specsite"))
        .arg("build")
        .arg(&root)
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .status()
        .expect("run specsite build");
    assert!(status.success(), "nova-specs builds");
    let api: Value =
        serde_json::from_slice(&std::fs::read(out.join("api/graph.json")).expect("api/graph.json"))
            .expect("graph.json parses");
    let nodes = api["nodes"].as_array().expect("nodes");
    assert!(nodes.len() > 800, "every nova spec: {}", nodes.len());

    let (_driver, driver_port) = start_chromedriver(&driver);
    let client = connect(driver_port, &chromium, &dir.path().join("profile")).await;
    let url = format!("file://{}", out.join("graph.html").display());
    client.goto(&url).await.expect("open the graph page");
    assert!(
        wait_until(
            &client,
            "return !!document.getElementById('graph-canvas').getAttribute('data-render-ms');",
            Duration::from_secs(20)
        )
        .await,
        "the graph is drawn"
    );
    let render_ms = eval(
        &client,
        "return document.getElementById('graph-canvas').getAttribute('data-render-ms');",
    )
    .await;
    let since_navigation = eval(&client, "return performance.now();").await;
    println!(
        "graph page, {} nodes and {} edges: first drawing took {} ms in the page (script start to laid out); page open for {since_navigation} ms",
        nodes.len(),
        api["edges"].as_array().map_or(0, Vec::len),
        render_ms.as_str().unwrap_or("?"),
    );

    // Every spec is a node.
    let drawn = eval(
        &client,
        "return document.querySelectorAll('#graph-canvas svg a.node').length;",
    )
    .await;
    assert_eq!(count(&drawn), nodes.len() as u64);

    // Unticking a status hides exactly the shown nodes of that status.
    let status = nodes
        .iter()
        .filter_map(|n| n["status"].as_str())
        .next()
        .expect("a status")
        .to_string();
    let hidden = "return document.querySelectorAll('#graph-canvas svg a.node.hidden').length;";
    let hidden_before = count(&eval(&client, hidden).await);
    let shown_of_status = count(
        &eval(
            &client,
            &format!(
                "var data = JSON.parse(document.getElementById('graph-data').getAttribute('data-graph')); \
                 return Array.from(document.querySelectorAll('#graph-canvas svg a.node')) \
                   .filter(function (a) {{ return !a.classList.contains('hidden') && \
                     data.nodes[+a.getAttribute('data-index')].status === {status:?}; }}).length;"
            ),
        )
        .await,
    );
    assert!(shown_of_status > 0, "some {status} specs are shown");
    let checkbox = client
        .find(fantoccini::Locator::Css(&format!(
            "input[name=status][value={status:?}]"
        )))
        .await
        .expect("the status checkbox");
    checkbox.click().await.expect("untick");
    assert_eq!(
        count(&eval(&client, hidden).await),
        hidden_before + shown_of_status
    );
    checkbox.click().await.expect("tick again");
    assert_eq!(count(&eval(&client, hidden).await), hidden_before);

    // Typing a spec's title highlights it and its neighbours.
    let degree: Vec<usize> = {
        let mut degree = vec![0usize; nodes.len()];
        for edge in api["edges"].as_array().expect("edges") {
            for end in ["source", "target"] {
                if let Some(slot) = edge[end].as_u64().and_then(|i| degree.get_mut(i as usize)) {
                    *slot += 1;
                }
            }
        }
        degree
    };
    let (busiest, _) = degree
        .iter()
        .enumerate()
        .max_by_key(|(_, d)| **d)
        .expect("nodes");
    let title = nodes[busiest]["title"].as_str().expect("title");
    let search = client
        .find(fantoccini::Locator::Id("graph-search"))
        .await
        .expect("the search box");
    search.send_keys(title).await.expect("type a title");
    assert!(
        wait_until(
            &client,
            "return document.querySelectorAll('#graph-canvas svg a.node.focus').length === 1;",
            Duration::from_secs(5)
        )
        .await,
        "the spec is highlighted"
    );
    let focused = eval(
        &client,
        "return +document.querySelector('#graph-canvas svg a.node.focus').getAttribute('data-index');",
    )
    .await;
    let focused_title = nodes[count(&focused) as usize]["title"]
        .as_str()
        .expect("title");
    assert!(
        focused_title.to_lowercase().contains(&title.to_lowercase()),
        "{focused_title} for {title}"
    );
    let near = count(
        &eval(
            &client,
            "return document.querySelectorAll('#graph-canvas svg a.node.near').length;",
        )
        .await,
    );
    assert!(near >= 1, "its neighbourhood is highlighted");

    // Wheel zooms and drag pans: the view transform (viewBox) changes.
    let view = "return document.querySelector('#graph-canvas svg').getAttribute('viewBox');";
    let before_zoom = eval(&client, view).await;
    eval(
        &client,
        "var c = document.getElementById('graph-canvas'); var r = c.getBoundingClientRect(); \
         c.dispatchEvent(new WheelEvent('wheel', {deltaY: -100, clientX: r.left + 50, clientY: r.top + 50, bubbles: true, cancelable: true}));",
    )
    .await;
    let after_zoom = eval(&client, view).await;
    assert_ne!(before_zoom, after_zoom, "wheel zooms");
    // Drag from a point of the canvas with no node under it (pointerdown on
    // a node's link does not start a pan).
    let start = eval(
        &client,
        "var c = document.getElementById('graph-canvas'); var r = c.getBoundingClientRect();          for (var y = r.top + 4; y < r.bottom - 70; y += 7) { for (var x = r.left + 4; x < r.right - 130; x += 7) {            var e = document.elementFromPoint(x, y);            if (e && c.contains(e) && !(e.closest && e.closest('a'))) return [Math.round(x), Math.round(y)]; } }          return null;",
    )
    .await;
    let point = |i: usize| start[i].as_f64().expect("a free point on the canvas");
    let drag = MouseActions::new("mouse".to_string())
        .then(PointerAction::MoveTo {
            duration: None,
            x: point(0),
            y: point(1),
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(100)),
            x: 120.0,
            y: 60.0,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    client.perform_actions(drag).await.expect("drag");
    let after_pan = eval(&client, view).await;
    println!("viewBox: {before_zoom} → zoom {after_zoom} → pan {after_pan}");
    let numbers = |v: &Value| -> Vec<f64> {
        v.as_str()
            .expect("a viewBox")
            .split_whitespace()
            .map(|n| n.parse().expect("a number"))
            .collect()
    };
    let (zoomed, panned) = (numbers(&after_zoom), numbers(&after_pan));
    assert_eq!(zoomed[2..], panned[2..], "a pan keeps the zoom");
    assert!(
        panned[0] < zoomed[0] && panned[1] < zoomed[1],
        "dragging right and down moves the view left and up: {zoomed:?} → {panned:?}"
    );
    client.close().await.expect("close the session");
}
