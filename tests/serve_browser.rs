//! `specsite serve` in a real browser: headless Chromium driven over
//! WebDriver (fantoccini + Debian's chromium-driver).
//!
//! One scenario, as an author lives it: open a spec; append to the file and
//! see the text without reloading by hand (within 2 s), at the same scroll
//! position; break the config and see the overlay with file:line; fix it
//! and see the page again; change the stylesheet and see the style applied
//! without a reload (a JavaScript variable set before survives).
//!
//! Skips, with a message, when `chromedriver` or `chromium` is missing.

mod common;

use std::time::Duration;

use common::browser::{connect, eval, find_program, start_chromedriver, wait_until};
use serde_json::json;

fn long_spec(extra: &str) -> String {
    let mut text = String::from("---\ntitle: Live spec\n---\n\n# Live spec\n\n");
    for n in 0..150 {
        text.push_str(&format!("Paragraph {n} of a long proposal.\n\n"));
    }
    text.push_str(extra);
    text
}

#[tokio::test(flavor = "current_thread")]
async fn live_reload_overlay_and_stylesheet_swap_in_chromium() {
    let (Some(driver), Some(chromium)) = (find_program("chromedriver"), find_program("chromium"))
    else {
        eprintln!("SKIP serve_browser: chromedriver or chromium not found (apt-get install chromium chromium-driver)");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("repo");
    std::fs::create_dir_all(root.join("specs")).expect("mkdir");
    let spec = root.join("specs/live.md");
    std::fs::write(&spec, long_spec("")).expect("write");
    let profile = dir.path().join("profile");

    let serve = common::serve::start(&root, &[]);
    let port = serve.port;
    let (_driver, driver_port) = start_chromedriver(&driver);
    let client = connect(driver_port, &chromium, &profile).await;
    let page = format!("http://127.0.0.1:{port}/specs/live.html");
    client.goto(&page).await.expect("open the spec");
    assert!(
        wait_until(
            &client,
            "return document.body.innerText.includes('Paragraph 149');",
            Duration::from_secs(5)
        )
        .await
    );

    // 1. Append text: it appears without a manual reload, within 2 s, and
    //    the page keeps its scroll position.
    eval(&client, "window.scrollTo(0, 1500);").await;
    let scrolled = eval(&client, "return window.scrollY;").await;
    assert_eq!(scrolled.as_f64(), Some(1500.0), "the page is long enough");
    std::fs::write(&spec, long_spec("Freshly appended sentence.\n")).expect("append");
    assert!(
        wait_until(
            &client,
            "return document.body.innerText.includes('Freshly appended sentence.');",
            Duration::from_secs(2)
        )
        .await,
        "new text within 2 s"
    );
    assert!(
        wait_until(
            &client,
            "return Math.abs(window.scrollY - 1500) < 2;",
            Duration::from_secs(2)
        )
        .await,
        "scroll position kept across the reload: {:?}",
        eval(&client, "return window.scrollY;").await
    );

    // 2. Break the build: the overlay shows file:line and the message.
    std::fs::write(root.join("specsite.toml"), "title = \"x\"\nnot_a_key = 1\n").expect("break");
    assert!(
        wait_until(
            &client,
            "var o = document.getElementById('specsite-overlay'); \
             return !!o && o.innerText.includes('specsite.toml:2:') && o.innerText.includes('not_a_key');",
            Duration::from_secs(5)
        )
        .await,
        "overlay with the diagnostic"
    );

    // 3. Fix it: the overlay goes, the page is back.
    std::fs::remove_file(root.join("specsite.toml")).expect("fix");
    assert!(
        wait_until(
            &client,
            "return !document.getElementById('specsite-overlay') && \
             document.body.innerText.includes('Freshly appended sentence.');",
            Duration::from_secs(5)
        )
        .await,
        "overlay removed after the fix"
    );

    // 4. Change the stylesheet: applied in place, no reload.
    eval(&client, "window.specsiteStillHere = 'yes';").await;
    let before = eval(
        &client,
        "return getComputedStyle(document.body).backgroundColor;",
    )
    .await;
    assert_ne!(before, json!("rgb(1, 2, 3)"));
    let theme_css = include_str!("../themes/default/static/specsite.css");
    std::fs::create_dir_all(root.join("static")).expect("mkdir");
    std::fs::write(
        root.join("static/specsite.css"),
        format!("{theme_css}\nbody {{ background-color: rgb(1, 2, 3) !important; }}\n"),
    )
    .expect("restyle");
    assert!(
        wait_until(
            &client,
            "return getComputedStyle(document.body).backgroundColor === 'rgb(1, 2, 3)';",
            Duration::from_secs(5)
        )
        .await,
        "the new style applies"
    );
    assert_eq!(
        eval(&client, "return window.specsiteStillHere;").await,
        json!("yes"),
        "the page was not reloaded"
    );
    client.close().await.expect("close the session");
}
