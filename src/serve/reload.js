// specsite serve: live reload. Served only by `specsite serve`, never
// written by `specsite build`. Listens to the server's event stream at a
// URL relative to this script (same origin, any base path) and
//  - reloads the page when pages changed, keeping the scroll position;
//  - swaps stylesheets in place when only CSS changed (no reload);
//  - shows an overlay with the diagnostics while the last build failed.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.EventSource) return;
  var pageGeneration = script.getAttribute("data-page-generation");
  var cssGeneration = script.getAttribute("data-css-generation");
  var scrollKey = "specsite-scroll:" + location.pathname;

  function restoreScroll() {
    var saved = null;
    try { saved = sessionStorage.getItem(scrollKey); sessionStorage.removeItem(scrollKey); } catch (e) { return; }
    if (!saved) return;
    var xy = saved.split(",").map(Number);
    window.scrollTo(xy[0] || 0, xy[1] || 0);
  }
  if (document.readyState === "complete") restoreScroll();
  else window.addEventListener("load", restoreScroll);

  function reload() {
    try { sessionStorage.setItem(scrollKey, window.scrollX + "," + window.scrollY); } catch (e) { /* private mode */ }
    location.reload();
  }

  function swapStylesheets(generation) {
    var links = document.querySelectorAll('link[rel~="stylesheet"]');
    Array.prototype.forEach.call(links, function (link) {
      var url = new URL(link.href, location.href);
      if (url.origin !== location.origin) return;
      url.searchParams.set("specsite-reload", generation);
      var fresh = link.cloneNode(false);
      fresh.href = url.href;
      // Keep the old sheet until the new one has loaded: no flash of unstyled page.
      fresh.addEventListener("load", function () { link.remove(); });
      fresh.addEventListener("error", function () { fresh.remove(); });
      link.parentNode.insertBefore(fresh, link.nextSibling);
    });
  }

  var overlayId = "specsite-overlay";
  function showProblems(problems) {
    var old = document.getElementById(overlayId);
    if (old) old.remove();
    if (!problems.length) return;
    var box = document.createElement("div");
    box.id = overlayId;
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2em;" +
      "background:rgba(20,20,24,.94);color:#eee;font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap";
    var title = document.createElement("h2");
    title.textContent = "specsite: the build failed; showing the last good version underneath";
    title.style.cssText = "color:#ff8a80;font-size:16px;margin:0 0 1em";
    box.appendChild(title);
    problems.forEach(function (problem) {
      var item = document.createElement("div");
      item.className = "specsite-problem";
      item.style.cssText = "margin:0 0 1em";
      var where = document.createElement("strong");
      var place = problem.file ? problem.file + (problem.line ? ":" + problem.line + ":" + problem.column : "") + ": " : "";
      where.textContent = place + problem.severity + "[" + problem.code + "]";
      where.style.color = problem.severity === "error" ? "#ff8a80" : "#ffd54f";
      item.appendChild(where);
      item.appendChild(document.createTextNode("\n" + problem.message));
      if (problem.help) item.appendChild(document.createTextNode("\nhelp: " + problem.help));
      box.appendChild(item);
    });
    document.body.appendChild(box);
  }

  var events = new EventSource(new URL("events", script.src).href);
  events.addEventListener("hello", function (event) {
    var now = JSON.parse(event.data);
    if (String(now.page_generation) !== pageGeneration) reload();
    else if (String(now.css_generation) !== cssGeneration) {
      cssGeneration = String(now.css_generation);
      swapStylesheets(cssGeneration);
    }
  });
  events.addEventListener("reload", reload);
  events.addEventListener("css", function (event) {
    cssGeneration = event.data;
    swapStylesheets(event.data);
  });
  events.addEventListener("problems", function (event) {
    showProblems(JSON.parse(event.data));
  });
})();
