// Search page: a small UI over Pagefind's JS API, bundled with the site (no
// third-party requests, no inline code: works under the page's CSP).
//
// Why not Pagefind's default UI: its sub-results only link to headings, and
// our hits live in claims (<span class="claim" id="claim-…">) and paragraphs
// (<p id="pN">).  Pagefind's result data lists every element with an id and
// its word position ("anchors") and the word positions of the hits
// ("locations"), so we link each result to the claim (or else paragraph,
// heading or footnote) that holds the best hit: the element with the most
// distinct query words, then the ones rarest in the article, then the first
// in reading order.
//
// Excerpts are rebuilt from the plain text Pagefind returns, word by word,
// with textContent and <mark> elements: nothing from the index is ever parsed
// as HTML.  (Pagefind's own excerpt escapes < and > but not &, so it is not
// safe to treat as markup.)
//
// The bundle path comes from the page (data-bundle, relative to the page) and
// result URLs are made relative to the folder that holds pagefind/, so search
// works wherever the site is served: /, /repo/ (GitHub Pages), any depth.
(function () {
  "use strict";
  var form = document.getElementById("search");
  if (!form) { return; }
  var input = document.getElementById("q");
  var statusEl = document.getElementById("search-status");
  var list = document.getElementById("results");
  var more = document.getElementById("more");
  var controls = document.getElementById("filter-controls");
  var activeEl = document.getElementById("active-filters");
  var bundle = new URL(form.getAttribute("data-bundle") || "pagefind/", document.baseURI);
  var siteRoot = new URL("../", bundle);
  var PAGE = 10;
  var EXCERPT_BEFORE = 12, EXCERPT_WORDS = 32;
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  // filter name in the index -> how it is shown and kept in the address
  var FILTERS = [
    { key: "publisher", param: "publisher", label: "Publisher", any: "Any publisher" },
    { key: "month", param: "month", label: "Month", any: "Any month" },
    { key: "speaker", param: "speaker", label: "Speaker", any: "Any speaker" },
    { key: "has curator note", param: "note", label: "Only articles with a curator note", checkbox: true }
  ];

  var pagefind = null;
  var generation = 0;
  var shown = [];
  var pending = [];
  var timer = null;

  form.hidden = false;

  function load() {
    if (!pagefind) {
      pagefind = import(new URL("pagefind.js", bundle).href).then(function (pf) {
        return pf.options({ baseUrl: siteRoot.pathname }).then(function () { return pf; });
      });
    }
    return pagefind;
  }

  function setStatus(text) { statusEl.textContent = text; }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }

  // ------------------------------------------------------------ filters

  function monthKey(v) {
    var m = /^(\w+) (\d{4})$/.exec(v);
    var i = m ? MONTHS.indexOf(m[1]) : -1;
    return i < 0 ? -1 : Number(m[2]) * 12 + i;
  }

  function sortedValues(key, counts) {
    var vals = Object.keys(counts);
    if (key === "month") {
      vals.sort(function (a, b) { return monthKey(b) - monthKey(a) || a.localeCompare(b); });
    } else {
      vals.sort(function (a, b) { return a.localeCompare(b, undefined, { sensitivity: "base" }) || (a < b ? -1 : 1); });
    }
    return vals;
  }

  function buildFilters(all, params) {
    controls.textContent = "";
    FILTERS.forEach(function (f) {
      var counts = all[f.key] || {};
      var vals = sortedValues(f.key, counts);
      if (!vals.length) { return; }  // e.g. no curator notes in this archive
      var id = "filter-" + f.param;
      var wrap = el("div", "filter");
      if (f.checkbox) {
        var box = el("input");
        box.type = "checkbox"; box.id = id; box.name = f.param; box.value = "1";
        box.setAttribute("data-filter", f.key);
        box.setAttribute("data-value", vals[0]);
        box.checked = params.get(f.param) === "1";
        var lab = el("label", null, f.label + " (" + counts[vals[0]] + ")");
        lab.htmlFor = id;
        wrap.classList.add("filter-check");
        wrap.appendChild(box); wrap.appendChild(lab);
      } else {
        var l = el("label", null, f.label);
        l.htmlFor = id;
        var sel = el("select");
        sel.id = id; sel.name = f.param;
        sel.setAttribute("data-filter", f.key);
        sel.appendChild(new Option(f.any, ""));
        vals.forEach(function (v) { sel.appendChild(new Option(v + " (" + counts[v] + ")", v)); });
        var want = params.get(f.param);
        if (want && Object.prototype.hasOwnProperty.call(counts, want)) { sel.value = want; }
        wrap.appendChild(l); wrap.appendChild(sel);
      }
      controls.appendChild(wrap);
    });
    if (!controls.firstChild) { controls.appendChild(el("p", "meta", "No filters in this archive.")); }
  }

  function currentFilters() {
    var out = {}, labels = [];
    Array.prototype.forEach.call(controls.querySelectorAll("[data-filter]"), function (c) {
      var key = c.getAttribute("data-filter");
      if (c.type === "checkbox") {
        if (c.checked) { out[key] = c.getAttribute("data-value"); labels.push("curator note"); }
      } else if (c.value) {
        out[key] = c.value; labels.push(c.value);
      }
    });
    activeEl.textContent = labels.length ? "(" + labels.join(", ") + ")" : "";
    return out;
  }

  // ------------------------------------------------- deep link + excerpt

  function isBlock(a) { return a.id === "title" || /^(p\d+|fn-\d+)$/.test(a.id); }

  function norm(w) { return w.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ""); }

  // Which query word a hit is (Pagefind stems: "NATO’s" and "warned" are
  // hits for "nato" and "warn"): the query word sharing the longest prefix.
  function termOf(word, terms) {
    var w = norm(word), best = w, bestLen = 0;
    terms.forEach(function (t) {
      var n = 0;
      while (n < t.length && n < w.length && t.charAt(n) === w.charAt(n)) { n++; }
      if (n > bestLen && n >= Math.min(t.length, 3)) { best = t; bestLen = n; }
    });
    return best;
  }

  // Where a claim that starts at word `start` ends: after the words that
  // spell out its own text (Pagefind gives each anchor's text; the content
  // may split a word of it at an inner element, so the words are matched
  // against the text with the spaces taken out), and never past `limit`,
  // where the next claim or block starts.
  function claimEnd(text, words, start, limit) {
    var rest = (text || "").replace(/\s+/g, "");
    var i = start;
    while (rest && i < limit) {
      var w = words[i];
      if (!w || rest.lastIndexOf(w, 0) !== 0) { break; }
      rest = rest.slice(w.length);
      i++;
    }
    return i > start ? i : limit;
  }

  // The element that holds word position `loc`: a claim if the word is in
  // one, else the paragraph / heading / footnote it is in.
  function spans(anchors, words) {
    var out = [];
    var nwords = words.length;
    anchors.forEach(function (a, i) {
      if (/^claim-/.test(a.id)) {
        var limit = nwords;
        for (var j = i + 1; j < anchors.length; j++) {
          if (/^claim-/.test(anchors[j].id) || isBlock(anchors[j])) { limit = anchors[j].location; break; }
        }
        out.push({ id: a.id, kind: "claim", start: a.location, end: claimEnd(a.text, words, a.location, limit) });
      } else if (isBlock(a)) {
        var e = nwords;
        for (var k = i + 1; k < anchors.length; k++) {
          if (isBlock(anchors[k])) { e = anchors[k].location; break; }
        }
        out.push({ id: a.id, kind: a.id === "title" ? "title" : (a.id.charAt(0) === "f" ? "footnote" : (a.element === "p" ? "paragraph" : "heading")), start: a.location, end: e });
      }
    });
    return out;
  }

  function containing(sp, loc) {
    var block = null;
    for (var i = 0; i < sp.length; i++) {
      var s = sp[i];
      if (s.start <= loc && loc < s.end) {
        if (s.kind === "claim") { return s; }
        if (!block || s.start >= block.start) { block = s; }
      }
    }
    return block;
  }

  function target(data, query) {
    var terms = (query || "").split(/\s+/).map(norm).filter(Boolean);
    var words = data.content.trim().split(/\s+/);
    var sp = spans(data.anchors || [], words);
    var groups = [];
    var byId = {};
    // a query word that is rare in this article says more than a common one
    var freq = {};
    (data.locations || []).forEach(function (loc) { var w = termOf(words[loc] || "", terms); freq[w] = (freq[w] || 0) + 1; });
    (data.locations || []).slice().sort(function (a, b) { return a - b; }).forEach(function (loc) {
      var s = containing(sp, loc) || { id: null, kind: "page", start: 0, end: words.length };
      var key = s.id || "";
      if (!byId[key]) { byId[key] = { span: s, locs: [], distinct: {} }; groups.push(byId[key]); }
      byId[key].locs.push(loc);
      var w = termOf(words[loc] || "", terms);
      byId[key].distinct[w] = 1 / freq[w];
    });
    // The element with the most distinct query words wins; then the one
    // whose words are rarer in the article; then the first.  The title
    // (or the page itself) only when nothing in the body matched.
    var body = groups.filter(function (g) { return g.span.kind !== "title" && g.span.kind !== "page"; });
    var pick = null;
    (body.length ? body : groups).forEach(function (g) {
      var ws = Object.keys(g.distinct);
      var n = ws.length;
      var sc = ws.reduce(function (t, w) { return t + g.distinct[w]; }, 0);
      if (!pick || n > pick.n || (n === pick.n && sc > pick.sc * 1.0001)) { pick = { g: g, n: n, sc: sc }; }
    });
    var group = pick ? pick.g : null;
    if (!group) {  // no words searched (filters only): show the start of the text, not the title
      var first = sp.filter(function (x) { return x.kind === "paragraph"; })[0];
      if (first) { group = { span: { id: null, kind: "page", start: first.start, end: words.length }, locs: [first.start] }; }
    }
    return { words: words, group: group, hits: data.locations || [] };
  }

  function excerpt(t) {
    var p = el("p", "excerpt");
    var words = t.words;
    if (!words.length) { return p; }
    var span = t.group ? t.group.span : { start: 0, end: words.length };
    var first = t.group ? t.group.locs[0] : 0;
    var start = Math.max(span.start, first - EXCERPT_BEFORE);
    var end = Math.min(words.length, span.kind === "page" ? words.length : span.end, start + EXCERPT_WORDS);
    if (end - start < EXCERPT_WORDS / 2) { end = Math.min(words.length, start + EXCERPT_WORDS / 2); }
    var marked = {};
    t.hits.forEach(function (l) { marked[l] = true; });
    if (start > span.start) { p.appendChild(document.createTextNode("… ")); }
    for (var i = start; i < end; i++) {
      if (marked[i]) { p.appendChild(el("mark", null, words[i])); } else { p.appendChild(document.createTextNode(words[i])); }
      if (i + 1 < end) { p.appendChild(document.createTextNode(" ")); }
    }
    if (end < words.length) { p.appendChild(document.createTextNode(" …")); }
    return p;
  }

  var WHERE = { claim: "in a claim", paragraph: "in the text", heading: "in a sub-heading", footnote: "in a footnote", title: "in the title", page: "" };

  function renderResult(data, query) {
    var t = target(data, query);
    var li = el("li", "result");
    var h = el("h2", "result-title");
    var a = el("a", null, (data.meta && data.meta.title) || data.url);
    var hash = t.group && t.group.span.id && t.group.span.kind !== "title" ? "#" + t.group.span.id : "";
    a.href = data.url + hash;
    if (t.group) { a.setAttribute("data-target", t.group.span.kind); }
    h.appendChild(a);
    li.appendChild(h);
    var meta = [];
    var f = data.filters || {};
    if (f.publisher && f.publisher.length) { meta.push(f.publisher.join(", ")); }
    if (data.meta && data.meta.date) { meta.push(data.meta.date); }
    if (t.group && WHERE[t.group.span.kind]) { meta.push("match " + WHERE[t.group.span.kind]); }
    if (meta.length) { li.appendChild(el("p", "meta", meta.join(" · "))); }
    li.appendChild(excerpt(t));
    return li;
  }

  // ---------------------------------------------------------------- search

  var shownQuery = "";

  function showMore(gen) {
    var batch = pending.splice(0, PAGE);
    more.hidden = true;
    return Promise.all(batch.map(function (r) { return r.data(); })).then(function (datas) {
      if (gen !== generation) { return; }
      datas.forEach(function (d) { list.appendChild(renderResult(d, shownQuery)); });
      shown = shown.concat(datas);
      more.hidden = pending.length === 0;
    });
  }

  function describe(n, term, filters) {
    var what = n === 0 ? "No articles match" : (n === 1 ? "1 article matches" : n + " articles match");
    var parts = [];
    if (term) { parts.push(/^["“].*["”]$/.test(term) ? term : "“" + term + "”"); }
    var fs = Object.keys(filters).map(function (k) { return k === "has curator note" ? "with a curator note" : filters[k]; });
    if (fs.length) { parts.push((term ? "with filters " : "the filters ") + fs.join(", ")); }
    return what + (parts.length ? " " + parts.join(" ") : "") + ".";
  }

  function saveState(term, filters) {
    var params = new URLSearchParams();
    if (term) { params.set("q", term); }
    FILTERS.forEach(function (f) {
      if (filters[f.key]) { params.set(f.param, f.checkbox ? "1" : filters[f.key]); }
    });
    var qs = params.toString();
    history.replaceState(null, "", qs ? "?" + qs : location.pathname);
  }

  var lastKey = null, lastRun = Promise.resolve();

  // Pagefind also matches longer words that start with a search word
  // ("auto" finds "automatic"), but looks for them only in the index chunk
  // that holds the word; where they run on into the next chunk, that chunk
  // is never fetched and their pages are missed.  Each word followed by the
  // highest character names the chunk where its extensions end: fetched
  // too, the extensions are found whole unless they fill more than two
  // chunks (docs/search.md, "Prefix matches").  When a word is the last
  // of its chunk, that is the next chunk, fetched for nothing if the word
  // has no extensions.
  function extensionsEnd(term) {
    return term.split(/\s+/).filter(Boolean).map(function (w) { return w + "\uffff"; }).join(" ");
  }

  function run() {
    var term = input.value.trim();
    var filters = currentFilters();
    // the same search again (typing paused, then Enter): keep what is shown
    var key = JSON.stringify([term, filters]);
    if (key === lastKey) { return lastRun; }
    lastKey = key;
    var gen = ++generation;
    saveState(term, filters);
    if (!term && !Object.keys(filters).length) {
      list.textContent = ""; pending = []; shown = []; more.hidden = true;
      setStatus("");
      return Promise.resolve();
    }
    setStatus("Searching…");
    lastRun = load().then(function (pf) {
      if (!term) { return pf.search(null, { filters: filters }); }
      // the chunks where the words' extensions end, with the words' own (a
      // search wholly in quotes is exact, as Pagefind reads it: no extensions)
      var exact = /^\s*".+"\s*$/.test(term);
      return Promise.all([exact ? null : pf.preload(extensionsEnd(term)), pf.preload(term)]).then(function () {
        return pf.search(term, { filters: filters });
      });
    }).then(function (search) {
      if (gen !== generation || !search) { return; }
      list.textContent = "";
      shown = [];
      pending = search.results.slice();
      shownQuery = term;
      setStatus(describe(search.results.length, term, filters));
      return showMore(gen);
    }).catch(function (err) {
      if (gen === generation) { lastKey = null; fail(err); }
    });
    return lastRun;
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(run, 250);
  }

  form.addEventListener("submit", function (ev) { ev.preventDefault(); clearTimeout(timer); run(); });
  input.addEventListener("input", later);
  controls.addEventListener("change", function () { clearTimeout(timer); run(); });
  more.addEventListener("click", function () {
    var firstNew = list.children.length;
    showMore(generation).then(function () {
      var a = list.children[firstNew] && list.children[firstNew].querySelector("a");
      if (a) { a.focus(); }
    });
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown") {
      var a = list.querySelector("a");
      if (a) { ev.preventDefault(); a.focus(); }
    }
  });

  function fail(err) {
    setStatus("Search is not available: " + (err && err.message ? err.message : err) +
      ". (Search needs the site to be served by a web server, e.g. python -m http.server.)");
  }

  // The filter values (with counts) are loaded only when the filters are
  // opened or the address asks for one: on a large archive they are the
  // biggest part of the index a plain search would not need.
  var params = new URLSearchParams(location.search);
  var details = document.getElementById("filters");
  var filtersLoaded = null;
  function loadFilters() {
    if (!filtersLoaded) {
      filtersLoaded = load().then(function (pf) { return pf.filters(); }).then(function (all) {
        buildFilters(all || {}, params);
      }).catch(function (err) { controls.textContent = ""; fail(err); });
    }
    return filtersLoaded;
  }
  details.addEventListener("toggle", function () { if (details.open) { loadFilters(); } });

  input.value = params.get("q") || "";
  var wanted = FILTERS.some(function (f) { return params.get(f.param); });
  if (wanted) {
    details.open = true;
    loadFilters().then(run);
  } else if (input.value) {
    run();
  } else {
    load().catch(fail);  // warm up while the reader types
  }
})();
