/* specsite default theme: progressive enhancement only. Every page works
   without this script; it adds the theme switch and the index filter. */
(function () {
  "use strict";
  var root = document.documentElement;
  var KEY = "specsite-theme";

  function currentTheme() {
    var chosen = root.dataset.theme;
    if (chosen === "light" || chosen === "dark") return chosen;
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  function setupThemeToggle() {
    var button = document.querySelector("[data-theme-toggle]");
    if (!button) return;
    function sync() { button.setAttribute("aria-pressed", currentTheme() === "dark" ? "true" : "false"); }
    button.hidden = false;
    sync();
    button.addEventListener("click", function () {
      var next = currentTheme() === "dark" ? "light" : "dark";
      root.dataset.theme = next;
      try { localStorage.setItem(KEY, next); } catch (e) { /* private mode: not remembered */ }
      sync();
    });
  }

  function setupFilter() {
    var box = document.querySelector("[data-filter]");
    if (!box) return;
    var input = box.querySelector("input");
    var statusSelect = box.querySelector("[data-filter-status]");
    var milestoneSelect = box.querySelector("[data-filter-milestone]");
    var status = box.querySelector("[role=status]");
    var rows = Array.prototype.slice.call(document.querySelectorAll(".spec-row"));
    var groups = Array.prototype.slice.call(document.querySelectorAll("[data-group]"));
    rows.forEach(function (row) { row._text = (row.getAttribute("data-search") || "").toLowerCase(); });
    groups.forEach(function (group) {
      var count = group.querySelector("[data-count]");
      group._count = count;
      group._total = count ? count.textContent : "";
    });
    box.hidden = false;

    function apply() {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var wantStatus = statusSelect ? statusSelect.value : "";
      var wantMilestone = milestoneSelect ? milestoneSelect.value : "";
      var filtering = words.length > 0 || wantStatus !== "" || wantMilestone !== "";
      rows.forEach(function (row) {
        row.hidden = !words.every(function (w) { return row._text.indexOf(w) !== -1; })
          || (wantStatus !== "" && row.getAttribute("data-status") !== wantStatus)
          || (wantMilestone !== "" && row.getAttribute("data-milestone") !== wantMilestone);
      });
      var shown = 0;
      groups.forEach(function (group) {
        var visible = group.querySelectorAll(".spec-row:not([hidden])").length;
        group.hidden = filtering && visible === 0;
        if (group._count) group._count.textContent = filtering ? visible + " / " + group._total : group._total;
        if (group.closest("#by-status")) shown += visible;
      });
      status.textContent = filtering ? shown + (shown === 1 ? " spec matches" : " specs match") : "";
      var url = new URL(window.location.href);
      if (words.length) url.searchParams.set("q", input.value); else url.searchParams.delete("q");
      if (wantStatus) url.searchParams.set("status", wantStatus); else url.searchParams.delete("status");
      if (wantMilestone) url.searchParams.set("milestone", wantMilestone); else url.searchParams.delete("milestone");
      try { history.replaceState(null, "", url); } catch (e) { /* file:// in some browsers */ }
    }

    var params = new URLSearchParams(window.location.search);
    var initial = params.get("q");
    if (initial) input.value = initial;
    if (statusSelect && params.get("status")) { statusSelect.value = params.get("status"); initial = true; }
    if (milestoneSelect && params.get("milestone")) { milestoneSelect.value = params.get("milestone"); initial = true; }
    input.addEventListener("input", apply);
    if (statusSelect) statusSelect.addEventListener("change", apply);
    if (milestoneSelect) milestoneSelect.addEventListener("change", apply);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { input.value = ""; apply(); }
    });
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
      if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        input.focus();
      }
    });
    if (initial) apply();
  }

  /* Mark the section being read in the sidebar contents: the last target
     whose top has scrolled past the upper part of the window. */
  function setupTocHighlight() {
    var links = Array.prototype.slice.call(document.querySelectorAll(".toc-sidebar a[href^='#']"));
    var targets = [];
    links.forEach(function (link) {
      var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
      if (target) targets.push([target, link]);
    });
    if (!targets.length) return;
    var current = null;
    var pending = false;
    function update() {
      pending = false;
      var found = targets[0][1];
      for (var i = 0; i < targets.length; i++) {
        if (targets[i][0].getBoundingClientRect().top > window.innerHeight * 0.25) break;
        found = targets[i][1];
      }
      if (found === current) return;
      if (current) current.removeAttribute("aria-current");
      found.setAttribute("aria-current", "true");
      current = found;
    }
    window.addEventListener("scroll", function () {
      if (!pending) { pending = true; window.requestAnimationFrame(update); }
    }, { passive: true });
    update();
  }

  // A code block or table wider than the column scrolls sideways; keyboard
  // users can only scroll what can take focus, so those (and only those)
  // join the tab order, labelled for screen readers.
  function setupScrollableRegions() {
    var regions = document.querySelectorAll(".prose pre, .prose table");
    Array.prototype.forEach.call(regions, function (region) {
      if (region.scrollWidth <= region.clientWidth || region.hasAttribute("tabindex")) return;
      region.setAttribute("tabindex", "0");
      if (!region.hasAttribute("aria-label")) {
        region.setAttribute("role", "region");
        region.setAttribute("aria-label", region.tagName === "PRE" ? "Code (scrolls sideways)" : "Table (scrolls sideways)");
      }
    });
  }

  setupThemeToggle();
  setupFilter();
  setupTocHighlight();
  setupScrollableRegions();
})();
