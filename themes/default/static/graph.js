// The whole-repository dependency graph (graph.html). Positions come laid
// out from the build (api/graph.json, inlined in the page); this script only
// draws them as SVG and adds pan (drag), zoom (wheel), filters by status,
// milestone and edge kind, and a search that centres a spec and highlights
// its neighbourhood. Elements are created once; filters only toggle
// classes, so 800+ specs stay responsive.
(function () {
  "use strict";
  var started = performance.now();
  var dataNode = document.getElementById("graph-data");
  var canvas = document.getElementById("graph-canvas");
  if (!dataNode || !canvas) return;
  var data = JSON.parse(dataNode.getAttribute("data-graph") || "{}");
  var NS = "http://www.w3.org/2000/svg";
  var W = data.node_width, H = data.node_height;
  var svg = document.createElementNS(NS, "svg");
  svg.setAttribute("class", "graph-svg");
  svg.setAttribute("role", "group");
  svg.setAttribute("aria-label", "Dependency graph of every spec");
  canvas.appendChild(svg);
  var edgeLayer = document.createElementNS(NS, "g");
  var nodeLayer = document.createElementNS(NS, "g");
  svg.appendChild(edgeLayer);
  svg.appendChild(nodeLayer);

  var degree = data.nodes.map(function () { return 0; });
  var around = data.nodes.map(function () { return []; });
  data.edges.forEach(function (e) {
    degree[e.source]++; degree[e.target]++;
    around[e.source].push(e.target); around[e.target].push(e.source);
  });

  var nodeEls = data.nodes.map(function (n, i) {
    var a = document.createElementNS(NS, "a");
    a.setAttribute("href", n.href);
    a.setAttribute("class", "node");
    a.setAttribute("data-index", i);
    var title = document.createElementNS(NS, "title");
    title.textContent = n.title + " (" + n.status_label + ")";
    var rect = document.createElementNS(NS, "rect");
    rect.setAttribute("x", n.x); rect.setAttribute("y", n.y);
    rect.setAttribute("width", W); rect.setAttribute("height", H);
    rect.setAttribute("rx", 6); rect.setAttribute("fill", n.color);
    var text = document.createElementNS(NS, "text");
    text.setAttribute("x", n.x + W / 2); text.setAttribute("y", n.y + H / 2 + 5);
    text.setAttribute("text-anchor", "middle"); text.setAttribute("fill", "#fff");
    text.textContent = n.title.length > 26 ? n.title.slice(0, 25) + "…" : n.title;
    a.appendChild(title); a.appendChild(rect); a.appendChild(text);
    nodeLayer.appendChild(a);
    return a;
  });
  var edgeEls = data.edges.map(function (e) {
    var s = data.nodes[e.source], t = data.nodes[e.target];
    var line = document.createElementNS(NS, "line");
    line.setAttribute("x1", s.x + W / 2); line.setAttribute("y1", s.y + H / 2);
    line.setAttribute("x2", t.x + W / 2); line.setAttribute("y2", t.y + H / 2);
    line.setAttribute("class", "edge edge-" + e.kind);
    edgeLayer.appendChild(line);
    return line;
  });

  // Filters.
  function options(containerId, values, name) {
    var box = document.getElementById(containerId);
    values.forEach(function (v) {
      var label = document.createElement("label");
      var input = document.createElement("input");
      input.type = "checkbox"; input.checked = true; input.name = name; input.value = v[0];
      input.addEventListener("change", apply);
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + v[1]));
      box.appendChild(label);
    });
  }
  function unique(list) {
    var seen = {}, out = [];
    list.forEach(function (v) { if (v[0] !== null && !seen[v[0]]) { seen[v[0]] = 1; out.push(v); } });
    return out;
  }
  options("graph-statuses", unique(data.nodes.map(function (n) { return [n.status, n.status_label]; })), "status");
  options("graph-kinds", unique(data.edges.map(function (e) { return [e.kind, e.kind.replace("-", " ")]; })), "kind");
  var milestone = document.getElementById("graph-milestone");
  unique(data.nodes.map(function (n) { return [n.milestone, n.milestone]; })).forEach(function (m) {
    var o = document.createElement("option"); o.value = m[0]; o.textContent = m[1]; milestone.appendChild(o);
  });
  milestone.addEventListener("change", apply);
  var linkedOnly = document.getElementById("graph-linked-only");
  linkedOnly.addEventListener("change", apply);
  var titles = document.getElementById("graph-titles");
  data.nodes.forEach(function (n) {
    var o = document.createElement("option"); o.value = n.title; titles.appendChild(o);
  });

  function checked(name) {
    var on = {};
    document.querySelectorAll("input[name=" + name + "]").forEach(function (i) { on[i.value] = i.checked; });
    return on;
  }
  var visible = [];
  function apply() {
    var statuses = checked("status"), kinds = checked("kind"), m = milestone.value;
    visible = data.nodes.map(function (n, i) {
      return statuses[n.status] && (!m || n.milestone === m) && (!linkedOnly.checked || degree[i] > 0);
    });
    var shown = 0, shownEdges = 0;
    nodeEls.forEach(function (el, i) { el.classList.toggle("hidden", !visible[i]); if (visible[i]) shown++; });
    data.edges.forEach(function (e, i) {
      var on = kinds[e.kind] && visible[e.source] && visible[e.target];
      edgeEls[i].classList.toggle("hidden", !on);
      if (on) shownEdges++;
    });
    document.getElementById("graph-summary").textContent =
      shown + " of " + data.nodes.length + " specs, " + shownEdges + " of " + data.edges.length + " edges shown.";
  }

  // Pan and zoom through the viewBox.
  var view = { x: -10, y: -10, w: Math.max(data.width, 400) + 20, h: Math.max(data.height, 200) + 20 };
  function draw() { svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].join(" ")); }
  canvas.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var r = svg.getBoundingClientRect();
    var fx = (ev.clientX - r.left) / r.width, fy = (ev.clientY - r.top) / r.height;
    var k = ev.deltaY < 0 ? 0.85 : 1 / 0.85;
    var nw = view.w * k, nh = view.h * k;
    view.x += (view.w - nw) * fx; view.y += (view.h - nh) * fy; view.w = nw; view.h = nh;
    draw();
  }, { passive: false });
  var drag = null;
  canvas.addEventListener("pointerdown", function (ev) {
    if (ev.target.closest && ev.target.closest("a")) return;
    drag = { x: ev.clientX, y: ev.clientY };
    try { canvas.setPointerCapture(ev.pointerId); } catch (e) { /* synthetic pointer */ }
  });
  canvas.addEventListener("pointermove", function (ev) {
    if (!drag) return;
    var r = svg.getBoundingClientRect();
    view.x -= (ev.clientX - drag.x) * view.w / r.width;
    view.y -= (ev.clientY - drag.y) * view.h / r.height;
    drag = { x: ev.clientX, y: ev.clientY };
    draw();
  });
  canvas.addEventListener("pointerup", function () { drag = null; });

  // Search: centre the spec and highlight it and its neighbours.
  // Typing searches as it goes (a match of three letters or more), and
  // picking from the list or pressing Enter searches at once.
  var search = document.getElementById("graph-search");
  search.addEventListener("input", function () { if (search.value.trim().length >= 3) find(); });
  search.addEventListener("change", find);
  var lastQuery = null;
  function find() {
    var q = search.value.trim().toLowerCase();
    // `change` fires again when the box loses focus: keep the view the
    // reader may have panned since.
    if (q === lastQuery) return;
    lastQuery = q;
    nodeEls.forEach(function (el) { el.classList.remove("focus", "near"); });
    svg.classList.toggle("has-focus", false);
    if (!q) return;
    var i = data.nodes.findIndex(function (n) {
      return n.title.toLowerCase() === q || n.path.toLowerCase() === q;
    });
    if (i < 0) i = data.nodes.findIndex(function (n) { return n.title.toLowerCase().indexOf(q) >= 0; });
    if (i < 0) return;
    svg.classList.add("has-focus");
    nodeEls[i].classList.add("focus");
    around[i].forEach(function (j) { nodeEls[j].classList.add("near"); });
    var n = data.nodes[i];
    view.w = 1200; view.h = 700; view.x = n.x + W / 2 - 600; view.y = n.y + H / 2 - 350;
    draw();
  }

  apply();
  draw();
  // How long the first drawing took, layout included (read by the browser
  // test and shown to no one).
  svg.getBoundingClientRect();
  canvas.setAttribute("data-render-ms", (performance.now() - started).toFixed(1));
})();
