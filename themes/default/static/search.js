/* specsite search: full-text search over the static index in search/
   (built by src/render/search.rs; its module doc describes the files).

   The header form on every page submits to search.html; on that page this
   script runs the query as you type, with status and milestone filters,
   and keeps query and filters in the URL. Every URL is resolved against the
   manifest's URL, which the page gives relative to itself, so the search
   works under any sub-path and at any depth. Content reaches the page only
   through textContent and DOM attributes, never as HTML.

   The first part is pure (no DOM) and is also loaded by node in
   tests/search_js.rs to test tokenising and ranking. */
(function () {
  "use strict";

  /* ---- Pure part: words, chunks, ranking ---------------------------- */

  var NOT_WORD = /[^\p{Alphabetic}\p{N}]+/u;
  /* Only the last word of a query is matched as a prefix, and only once it
     has this many characters; shorter ones select too much of the index. */
  var MIN_PREFIX_CHARS = 3;
  /* A prefix spanning more chunks than this matches exactly instead. */
  var MAX_PREFIX_CHUNKS = 3;
  /* A term that only starts with the typed word counts for less. */
  var PREFIX_FACTOR = 0.7;

  /* The query's words as the index has them: split like the indexer does,
     lowercased character by character (as Rust's char::to_lowercase), stop
     words and too short words dropped. The last word is a prefix unless the
     query ends in a space. */
  function queryWords(text, manifest) {
    var stop = manifest.stopSet || (manifest.stopSet = new Set(manifest.stop));
    var pieces = text.split(NOT_WORD).filter(Boolean);
    var words = [];
    var seen = new Set();
    pieces.forEach(function (piece, n) {
      var chars = Array.from(piece);
      var word = chars.map(function (c) { return c.toLowerCase(); }).join("");
      var last = n === pieces.length - 1 && !/[^\p{Alphabetic}\p{N}]$/u.test(text);
      var prefix = last && chars.length >= MIN_PREFIX_CHARS;
      if (chars.length > manifest.max_chars) return;
      if (!prefix && (chars.length < manifest.min_chars || stop.has(word))) return;
      if (seen.has(word)) return;
      seen.add(word);
      words.push({ word: word, prefix: prefix });
    });
    return words;
  }

  /* Index of the chunk that holds `term` if any chunk does: the last chunk
     whose first term is <= term (strings compare by UTF-16 unit, the order
     the indexer sorted in). */
  function chunkFor(chunks, term) {
    var low = 0, high = chunks.length - 1, found = -1;
    while (low <= high) {
      var mid = (low + high) >> 1;
      if (chunks[mid][0] <= term) { found = mid; low = mid + 1; } else { high = mid - 1; }
    }
    return found;
  }

  /* The chunk indexes a query word needs. */
  function chunksForWord(chunks, query) {
    var first = chunkFor(chunks, query.word);
    if (!query.prefix) return first < 0 ? [] : [first];
    var start = Math.max(first, 0);
    var end = start;
    while (end + 1 < chunks.length && chunks[end + 1][0].startsWith(query.word)) end++;
    if (end - start + 1 > MAX_PREFIX_CHUNKS) {
      query.prefix = false;
      return first < 0 ? [] : [first];
    }
    var list = [];
    for (var i = start; i <= end; i++) list.push(i);
    return list;
  }

  /* Terms of a parsed chunk that match a query word: [term, postings]. */
  function matchesInChunk(chunk, query) {
    var low = 0, high = chunk.length;
    while (low < high) {
      var mid = (low + high) >> 1;
      if (chunk[mid][0] < query.word) low = mid + 1; else high = mid;
    }
    var out = [];
    for (var i = low; i < chunk.length; i++) {
      var term = chunk[i][0];
      if (term === query.word) { out.push(chunk[i]); if (!query.prefix) break; }
      else if (query.prefix && term.startsWith(query.word)) out.push(chunk[i]);
      else break;
    }
    return out;
  }

  /* Weighted tf-idf, AND over words. `matches[i]` lists the [term,
     postings] entries found for query word i. Returns [{doc, score,
     heading}] best first; heading is 1 + the heading index, 0 for none. */
  function rank(docCount, queries, matches) {
    var perWord = queries.map(function (query, i) {
      var best = new Map();
      (matches[i] || []).forEach(function (entry) {
        var postings = entry[1];
        var df = postings.length / 3;
        var idf = Math.log(1 + docCount / Math.max(df, 1));
        var factor = entry[0] === query.word ? 1 : PREFIX_FACTOR;
        var doc = 0;
        for (var p = 0; p + 2 < postings.length; p += 3) {
          doc += postings[p];
          var score = (1 + Math.log(Math.max(postings[p + 1], 1))) * idf * factor;
          var had = best.get(doc);
          if (!had || score > had.score) {
            best.set(doc, { score: score, heading: postings[p + 2] || (had ? had.heading : 0) });
          } else if (!had.heading && postings[p + 2]) {
            had.heading = postings[p + 2];
          }
        }
      });
      return best;
    });
    if (!perWord.length) return [];
    var smallest = perWord.reduce(function (a, b) { return b.size < a.size ? b : a; });
    var results = [];
    smallest.forEach(function (_, doc) {
      var score = 0, heading = 0;
      for (var i = 0; i < perWord.length; i++) {
        var hit = perWord[i].get(doc);
        if (!hit) return;
        score += hit.score;
        if (!heading) heading = hit.heading;
      }
      results.push({ doc: doc, score: score, heading: heading });
    });
    results.sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
    return results;
  }

  /* Facet filters: `statuses` a Set of status indexes (empty: any),
     `milestone` an index or -1 (any). Documents are [dir, file, title,
     status, milestone]. */
  function passes(doc, filters, skip) {
    if (skip !== "status" && filters.statuses.size && !filters.statuses.has(doc[3])) return false;
    if (skip !== "milestone" && filters.milestone >= 0 && doc[4] !== filters.milestone) return false;
    return true;
  }

  /* Counts per facet value among `results`, each facet counted with the
     other facet's filter applied (so a count says what choosing it gives). */
  function facetCounts(manifest, results, filters) {
    var statuses = manifest.statuses.map(function () { return 0; });
    var milestones = manifest.milestones.map(function () { return 0; });
    results.forEach(function (result) {
      var doc = manifest.docs[result.doc];
      if (!doc) return;
      if (doc[3] >= 0 && passes(doc, filters, "status")) statuses[doc[3]]++;
      if (doc[4] >= 0 && passes(doc, filters, "milestone")) milestones[doc[4]]++;
    });
    return { statuses: statuses, milestones: milestones };
  }

  var pure = {
    queryWords: queryWords, chunkFor: chunkFor, chunksForWord: chunksForWord,
    matchesInChunk: matchesInChunk, rank: rank, passes: passes, facetCounts: facetCounts
  };
  if (typeof module === "object" && module.exports) { module.exports = pure; return; }
  if (typeof document === "undefined") return;

  /* ---- Loading ------------------------------------------------------ */

  var PAGE_SIZE = 20;

  function Index(manifestUrl) {
    this.manifestUrl = manifestUrl;
    this.base = new URL("./", manifestUrl);
    this.manifest = null;
    this.chunks = new Map();
    this.fragments = new Map();
  }

  Index.prototype.json = function (url, fresh) {
    return fetch(url, fresh ? { cache: "no-cache" } : {}).then(function (response) {
      if (!response.ok) throw new Error(url + ": HTTP " + response.status);
      return response.json();
    });
  };

  Index.prototype.load = function (fresh) {
    var self = this;
    if (self.manifest && !fresh) return Promise.resolve(self.manifest);
    return self.json(self.manifestUrl, fresh).then(function (manifest) {
      if (manifest.version !== 1) throw new Error("unknown search index version " + manifest.version);
      self.manifest = manifest;
      self.chunks.clear();
      self.fragments.clear();
      return manifest;
    });
  };

  Index.prototype.chunk = function (n) {
    var name = this.manifest.chunks[n][1];
    if (!this.chunks.has(name)) {
      var promise = this.json(new URL("t/" + name + ".json", this.base));
      promise.catch(function () {});
      this.chunks.set(name, promise);
    }
    return this.chunks.get(name);
  };

  /* A document's [excerpt, headings]; fragments come in blocks of
     consecutive documents. */
  Index.prototype.fragment = function (doc) {
    var size = this.manifest.fragment_block || 1;
    var key = this.manifest.fragments + "/" + Math.floor(doc / size);
    if (!this.fragments.has(key)) {
      var promise = this.json(new URL(key + ".json", this.base));
      promise.catch(function () {});
      this.fragments.set(key, promise);
    }
    return this.fragments.get(key).then(function (block) { return block[doc % size] || ["", []]; });
  };

  Index.prototype.docUrl = function (n, anchor) {
    var doc = this.manifest.docs[n];
    var dir = this.manifest.dirs[doc[0]];
    var url = new URL((dir ? dir + "/" : "") + doc[1], new URL("../", this.base));
    if (anchor) url.hash = anchor;
    return url.href;
  };

  /* Ranked results of `queries`; when a chunk is gone (a new deployment
     replaced the index while an old manifest was cached) the manifest is
     fetched again once. */
  Index.prototype.search = function (queries, retried) {
    var self = this;
    var manifest = self.manifest;
    return Promise.all(queries.map(function (query) {
      return Promise.all(chunksForWord(manifest.chunks, query).map(function (n) {
        return self.chunk(n).then(function (chunk) { return matchesInChunk(chunk, query); });
      })).then(function (lists) { return [].concat.apply([], lists); });
    })).then(function (matches) {
      return rank(manifest.docs.length, queries, matches);
    }, function (error) {
      if (retried) throw error;
      return self.load(true).then(function () { return self.search(queries, true); });
    });
  };

  /* ---- The search page ---------------------------------------------- */

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function setupPage(form) {
    var input = form.querySelector("[data-search-input]");
    var statusBox = form.querySelector("[data-facet-status]");
    var milestoneBox = form.querySelector("[data-facet-milestone-box]");
    var milestoneSelect = form.querySelector("[data-facet-milestone]");
    var count = document.querySelector("[data-search-count]");
    var list = document.querySelector("[data-search-results]");
    var more = document.querySelector("[data-search-more]");
    var index = new Index(new URL(form.getAttribute("data-search-index"), document.baseURI).href);
    var statusInputs = [];
    var statusCounts = [];
    var milestoneOptions = [];
    var shown = PAGE_SIZE;
    var focusResult = -1;
    var generation = 0;
    var timer = 0;

    var params = new URLSearchParams(window.location.search);
    input.value = params.get("q") || "";
    form.addEventListener("submit", function (event) { event.preventDefault(); run(); });

    function filters() {
      var statuses = new Set();
      statusInputs.forEach(function (box, n) { if (box.checked) statuses.add(n); });
      var milestone = milestoneSelect.selectedIndex - 1;
      return { statuses: statuses, milestone: milestone };
    }

    function buildFacets(manifest) {
      var wanted = params.getAll("status");
      manifest.statuses.forEach(function (status, n) {
        var label = element("label", "search-facet-option");
        var box = document.createElement("input");
        box.type = "checkbox";
        box.name = "status";
        box.value = status[0];
        box.checked = wanted.indexOf(status[0]) >= 0;
        box.addEventListener("change", function () { shown = PAGE_SIZE; run(); });
        var badge = element("span", "badge status-" + status[0], status[1]);
        if (status[3]) badge.style.setProperty("--badge-color", status[3]);
        var number = element("span", "search-facet-count", "");
        label.appendChild(box);
        label.appendChild(badge);
        label.appendChild(number);
        label.hidden = status[2] === 0;
        statusBox.appendChild(label);
        statusInputs.push(box);
        statusCounts.push(number);
      });
      var wantedMilestone = params.get("milestone");
      manifest.milestones.forEach(function (milestone) {
        var option = element("option", "", milestone[1]);
        option.value = milestone[0];
        if (milestone[0] === wantedMilestone) option.selected = true;
        milestoneSelect.appendChild(option);
        milestoneOptions.push(option);
      });
      milestoneSelect.addEventListener("change", function () { shown = PAGE_SIZE; run(); });
      statusBox.hidden = manifest.statuses.length === 0;
      milestoneBox.hidden = manifest.milestones.length === 0;
    }

    function keepInUrl(chosen) {
      var url = new URL(window.location.href);
      url.search = "";
      if (input.value.trim()) url.searchParams.set("q", input.value);
      chosen.statuses.forEach(function (n) { url.searchParams.append("status", index.manifest.statuses[n][0]); });
      if (chosen.milestone >= 0) url.searchParams.set("milestone", index.manifest.milestones[chosen.milestone][0]);
      try { history.replaceState(null, "", url); } catch (e) { /* some file:// contexts */ }
    }

    function showCounts(counts) {
      statusCounts.forEach(function (node, n) { node.textContent = String(counts.statuses[n]); });
      milestoneOptions.forEach(function (option, n) {
        option.textContent = index.manifest.milestones[n][1] + " (" + counts.milestones[n] + ")";
      });
    }

    function resultItem(result) {
      var manifest = index.manifest;
      var doc = manifest.docs[result.doc];
      var item = element("li", "search-result");
      var heading = element("h2", "search-result-title");
      var link = element("a", "", doc[2]);
      link.href = index.docUrl(result.doc);
      heading.appendChild(link);
      item.appendChild(heading);
      var meta = element("p", "search-result-meta");
      var status = manifest.statuses[doc[3]];
      if (status) {
        var badge = element("span", "badge status-" + status[0], status[1]);
        if (status[3]) badge.style.setProperty("--badge-color", status[3]);
        meta.appendChild(badge);
      }
      var milestone = manifest.milestones[doc[4]];
      if (milestone) meta.appendChild(element("span", "chip", milestone[1]));
      var dir = manifest.dirs[doc[0]];
      meta.appendChild(element("code", "search-result-path", (dir ? dir + "/" : "") + doc[1]));
      item.appendChild(meta);
      var excerpt = element("p", "search-result-excerpt");
      item.appendChild(excerpt);
      index.fragment(result.doc).then(function (fragment) {
        excerpt.textContent = fragment[0] || "";
        var section = result.heading > 0 ? (fragment[1] || [])[result.heading - 1] : null;
        if (section) {
          link.href = index.docUrl(result.doc, section[0]);
          var where = element("p", "search-result-section", "Section: ");
          var sectionLink = element("a", "", section[1]);
          sectionLink.href = link.href;
          where.appendChild(sectionLink);
          item.insertBefore(where, excerpt);
        }
      }, function () { /* the excerpt is optional */ });
      return item;
    }

    function show(results, chosen, words) {
      var counts = facetCounts(index.manifest, results, chosen);
      showCounts(counts);
      var filtered = results.filter(function (r) { return passes(index.manifest.docs[r.doc], chosen); });
      list.textContent = "";
      filtered.slice(0, shown).forEach(function (result) { list.appendChild(resultItem(result)); });
      more.parentNode.hidden = filtered.length <= shown;
      var links = list.querySelectorAll(".search-result-title a");
      if (focusResult >= 0 && links[focusResult]) links[focusResult].focus();
      focusResult = -1;
      var noun = filtered.length === 1 ? " spec" : " specs";
      count.textContent = words.length || chosen.statuses.size || chosen.milestone >= 0
        ? filtered.length + noun + " found" : "";
    }

    function run() {
      window.clearTimeout(timer);
      var mine = ++generation;
      var chosen = filters();
      keepInUrl(chosen);
      var words = queryWords(input.value, index.manifest);
      var searching = words.length
        ? index.search(words)
        : Promise.resolve(chosen.statuses.size || chosen.milestone >= 0
          ? index.manifest.docs.map(function (_, doc) { return { doc: doc, score: 0, heading: 0 }; })
          : []);
      searching.then(function (results) {
        if (mine === generation) show(results, chosen, words);
      }, function () {
        if (mine === generation) count.textContent = "The search index could not be loaded.";
      });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      if (!index.manifest) return; /* the first run follows the load */
      shown = PAGE_SIZE;
      timer = window.setTimeout(run, 120);
    });
    more.addEventListener("click", function () {
      focusResult = shown;
      shown += PAGE_SIZE;
      run();
    });

    /* Arrow keys move between the box and the results; Enter follows. */
    form.parentNode.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
      var links = Array.prototype.slice.call(list.querySelectorAll(".search-result-title a"));
      if (!links.length) return;
      var at = links.indexOf(document.activeElement);
      if (document.activeElement !== input && at < 0) return;
      event.preventDefault();
      if (event.key === "ArrowDown") (links[at + 1] || links[at] || links[0]).focus();
      else if (at <= 0) input.focus();
      else links[at - 1].focus();
    });

    index.load().then(function (manifest) {
      buildFacets(manifest);
      run();
    }, function () {
      count.textContent = window.location.protocol === "file:"
        ? "Search needs the site served over HTTP (it cannot load its index from disk)."
        : "The search index could not be loaded.";
    });
  }

  /* `/` focuses the search box, unless the page has its own filter box
     (the home page), which takes `/` there. */
  function setupShortcut() {
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
      if (event.key !== "/" || typing || event.ctrlKey || event.metaKey || event.altKey) return;
      if (document.querySelector("[data-filter]:not([hidden])")) return;
      var input = document.querySelector("[data-search-page] [data-search-input]")
        || document.querySelector("[data-search-form] [data-search-input]");
      if (!input) return;
      event.preventDefault();
      input.focus();
      input.select();
    });
  }

  var page = document.querySelector("form[data-search-page]");
  if (page) setupPage(page);
  setupShortcut();
})();
