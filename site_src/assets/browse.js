/* Browse page filters, and small site-wide helpers.
 *
 * The browse page ships every recipe row pre-rendered (newest first). This script reads the
 * small JSON index named by #browse[data-browse-index], builds the filter bar, and then only
 * hides and reorders those rows. All state lives in the URL query (task, arch, size,
 * precision, hw, provider, q, sort, panel): chip clicks push a history entry so Back/Forward
 * step through filters; typing replaces the current entry.
 *
 * Material's instant navigation swaps pages without reloading, so everything re-runs on each
 * `document$` emission. History entries we push carry a null state, which Material's own
 * popstate handling ignores for same-path changes; we re-read the URL ourselves instead.
 */
(function () {
  "use strict";

  var LIST_PARAMS = ["task", "arch", "size", "precision", "hw"];
  var SORTS = [  // the first is the default, left out of the URL
    ["released", "Newest"], ["updated", "Recently updated"], ["name", "Name"],
    ["size_desc", "Largest"], ["size_asc", "Smallest"]
  ];
  var indexCache = {};
  var current = null; // {root, data, rows, list} for the browse page on screen

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "on") Object.keys(attrs.on).forEach(function (ev) { node.addEventListener(ev, attrs.on[ev]); });
      else if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  function squash(s) { return String(s || "").toLowerCase().replace(/[-_.\s]/g, ""); }

  /* ---- state <-> URL ---------------------------------------------------------------- */
  function readState() {
    var p = new URLSearchParams(location.search);
    var state = { q: (p.get("q") || "").trim(), provider: p.get("provider") || "",
                  sort: p.get("sort") || "released", panel: p.get("panel") === "open" };
    LIST_PARAMS.forEach(function (k) {
      state[k] = (p.get(k) || "").split(",").filter(Boolean);
    });
    if (!SORTS.some(function (s) { return s[0] === state.sort; })) state.sort = "released";
    return state;
  }

  function writeState(state, push) {
    var p = new URLSearchParams(location.search);
    LIST_PARAMS.concat(["q", "provider", "sort", "panel"]).forEach(function (k) { p.delete(k); });
    if (state.q) p.set("q", state.q);
    LIST_PARAMS.forEach(function (k) { if (state[k].length) p.set(k, state[k].join(",")); });
    if (state.provider) p.set("provider", state.provider);
    if (state.sort !== "released") p.set("sort", state.sort);
    if (state.panel) p.set("panel", "open");
    var query = p.toString();
    var url = location.pathname + (query ? "?" + query : "") + location.hash;
    if (url === location.pathname + location.search + location.hash) return;
    if (push) history.pushState(null, "", url); else history.replaceState(history.state, "", url);
  }

  /* ---- matching --------------------------------------------------------------------- */
  function haystack(r, hardware) {
    var hw = r.verified.map(function (id) { return id + " " + (hardware[id] || ""); }).join(" ");
    return squash([r.id, r.title, r.provider, r.description, r.tasks.join(" "), r.arch, r.params,
                   r.precisions.join(" "), hw].join(" "));
  }

  function matches(r, state, skip) {
    function any(key, values) {
      if (key === skip || !state[key].length) return true;
      return state[key].some(function (v) { return values.indexOf(v) !== -1; });
    }
    if (state.q && !state.q.split(/\s+/).every(function (w) { return r._hay.indexOf(squash(w)) !== -1; })) return false;
    if (skip !== "provider" && state.provider && r.org !== state.provider) return false;
    return any("task", r.tasks) && any("arch", [r.arch]) && any("size", [r.size]) &&
      any("precision", r.precisions) && any("hw", r.verified);
  }

  function sorted(recipes, sort) {
    var out = recipes.slice();
    var size = function (r) { return r.params_b === null ? -1 : r.params_b; };
    if (sort === "name") out.sort(function (a, b) { return a.id.toLowerCase() < b.id.toLowerCase() ? -1 : 1; });
    else if (sort === "size_desc") out.sort(function (a, b) { return size(b) - size(a); });
    else if (sort === "size_asc") out.sort(function (a, b) {
      return (a.params_b === null) - (b.params_b === null) || size(a) - size(b);
    });
    else if (sort === "updated") out.sort(function (a, b) {  // stable: ties stay newest first
      return a.updated < b.updated ? 1 : a.updated > b.updated ? -1 : 0;
    });
    return out; // "released": the index is already newest first
  }

  /* ---- rendering -------------------------------------------------------------------- */
  function chip(key, value, label, state, count) {
    var on = key === "provider" ? state.provider === value : state[key].indexOf(value) !== -1;
    return el("button", {
      type: "button", "class": "bf-chip", "aria-pressed": on ? "true" : "false",
      disabled: !on && count === 0 ? "disabled" : null,
      on: { click: function () { toggle(key, value); } }
    }, [document.createTextNode(label), el("span", { "class": "bf-n", text: String(count) })]);
  }

  function countFor(key, value, state) {
    var trial = JSON.parse(JSON.stringify(state));
    if (key === "provider") trial.provider = value; else trial[key] = [value];
    return current.data.recipes.filter(function (r) { return matches(r, trial, null); }).length;
  }

  function row(label, children) {
    return el("div", { "class": "bf-row" }, [el("span", { "class": "bf-label", text: label }),
      el("div", { "class": "bf-chips" }, children)]);
  }

  function renderPanel(state) {
    var d = current.data;
    var chips = function (key, items) {
      return items.map(function (it) { return chip(key, it.id, it.name, state, countFor(key, it.id, state)); });
    };
    var hwChips = [];
    var brand = null;
    d.hardware.forEach(function (h) {
      if (h.brand !== brand) { brand = h.brand; hwChips.push(el("span", { "class": "bf-brand", text: brand })); }
      hwChips.push(chip("hw", h.id, h.name, state, countFor("hw", h.id, state)));
    });
    var providerSelect = el("select", { "class": "bf-select", "aria-label": "Provider",
      on: { change: function (e) { set("provider", e.target.value); } } },
      [el("option", { value: "", text: "All providers" })].concat(d.providers.map(function (p) {
        var n = countFor("provider", p.id, state);
        return el("option", { value: p.id, selected: state.provider === p.id ? "selected" : null,
                              disabled: n === 0 && state.provider !== p.id ? "disabled" : null,
                              text: p.name + " (" + n + ")" });
      })));
    return [
      row("Task", chips("task", d.tasks)),
      row("Arch", chips("arch", [{ id: "moe", name: "MoE" }, { id: "dense", name: "Dense" }])),
      row("Size", chips("size", d.sizes)),
      row("Precision", chips("precision", d.precisions.map(function (p) { return { id: p, name: p.toUpperCase() }; }))),
      row("Verified on", hwChips),
      row("Provider", [providerSelect])
    ];
  }

  function activePills(state) {
    var d = current.data;
    var names = { task: {}, size: {}, hw: {}, arch: { moe: "MoE", dense: "Dense" }, precision: {} };
    d.tasks.forEach(function (t) { names.task[t.id] = t.name; });
    d.sizes.forEach(function (s) { names.size[s.id] = s.name; });
    d.hardware.forEach(function (h) { names.hw[h.id] = "Verified on " + h.name; });
    var pills = [];
    LIST_PARAMS.forEach(function (k) {
      state[k].forEach(function (v) {
        pills.push(el("button", { type: "button", "class": "bf-chip", "aria-pressed": "true",
          "aria-label": "Remove filter " + ((names[k] || {})[v] || v), on: { click: function () { toggle(k, v); } } },
          [document.createTextNode(((names[k] || {})[v] || v.toUpperCase()) + " ×")]));
      });
    });
    if (state.provider) {
      var prov = d.providers.filter(function (p) { return p.id === state.provider; })[0];
      pills.push(el("button", { type: "button", "class": "bf-chip", "aria-pressed": "true",
        on: { click: function () { set("provider", ""); } } },
        [document.createTextNode((prov ? prov.name : state.provider) + " ×")]));
    }
    if (state.q) {
      pills.push(el("button", { type: "button", "class": "bf-chip", "aria-pressed": "true",
        on: { click: function () { set("q", ""); } } }, [document.createTextNode("“" + state.q + "” ×")]));
    }
    return pills;
  }

  function render() {
    var state = readState();
    var d = current.data;
    var shown = sorted(d.recipes.filter(function (r) { return matches(r, state, null); }), state.sort);
    var active = LIST_PARAMS.reduce(function (n, k) { return n + state[k].length; }, 0) + (state.provider ? 1 : 0);

    // Rows: reorder the pre-rendered list items, hide the rest.
    var keep = {};
    var frag = document.createDocumentFragment();
    shown.forEach(function (r) { var li = current.rows[r.id]; if (li) { keep[r.id] = true; frag.appendChild(li); } });
    Object.keys(current.rows).forEach(function (id) {
      var li = current.rows[id];
      li.hidden = !keep[id];
      if (!keep[id]) frag.appendChild(li);
    });
    current.list.appendChild(frag);
    current.empty.hidden = shown.length !== 0;

    // Controls.
    var total = d.recipes.length;
    var countText = shown.length === total ? total + " recipes" : shown.length + " of " + total + " recipes";
    var search = current.root.querySelector(".bf-search");
    var keepFocus = search && document.activeElement === search;
    var sortSelect = el("select", { "class": "bf-select", "aria-label": "Sort", on: { change: function (e) { set("sort", e.target.value); } } },
      SORTS.map(function (s) { return el("option", { value: s[0], selected: s[0] === state.sort ? "selected" : null, text: s[1] }); }));
    var bar = el("div", { "class": "bf-bar" }, [
      el("span", { "class": "bf-count", role: "status", text: countText }),
      el("input", { type: "search", "class": "bf-search", placeholder: "Filter by name, provider, GPU…",
        "aria-label": "Filter recipes", value: state.q, on: { input: onSearch } }),
      el("button", { type: "button", "class": "bf-btn", "aria-expanded": state.panel ? "true" : "false",
        "aria-controls": "bf-panel", on: { click: function () { set("panel", !state.panel); } } },
        [document.createTextNode("Filters"), active ? el("span", { "class": "bf-badge", text: String(active) }) : null]),
      sortSelect,
      active || state.q ? el("button", { type: "button", "class": "bf-btn", on: { click: clearAll } }, [document.createTextNode("Clear")]) : null
    ]);
    var panel = el("div", { "class": "bf-panel", id: "bf-panel", hidden: state.panel ? null : "hidden" },
      state.panel ? renderPanel(state) : []);
    var pills = el("div", { "class": "bf-pills", hidden: !state.panel && (active || state.q) ? null : "hidden" },
      !state.panel ? activePills(state) : []);
    current.root.replaceChildren(bar, panel, pills);
    if (keepFocus) {
      var box = current.root.querySelector(".bf-search");
      box.focus();
      box.setSelectionRange(box.value.length, box.value.length);
    }
  }

  /* ---- actions ---------------------------------------------------------------------- */
  function toggle(key, value) {
    var state = readState();
    var i = state[key].indexOf(value);
    if (i === -1) state[key].push(value); else state[key].splice(i, 1);
    writeState(state, true);
    render();
  }

  function set(key, value) {
    var state = readState();
    state[key] = value;
    writeState(state, key !== "q");
    render();
  }

  function clearAll() {
    var state = readState();
    LIST_PARAMS.forEach(function (k) { state[k] = []; });
    state.provider = ""; state.q = ""; state.panel = false;
    writeState(state, true);
    render();
  }

  var searchTimer = null;
  function onSearch(e) {
    var value = e.target.value;
    clearTimeout(searchTimer);
    searchTimer = setTimeout(function () { set("q", value.trim()); }, 150);
  }

  /* ---- setup ------------------------------------------------------------------------ */
  function loadIndex(url) {
    if (!indexCache[url]) {
      indexCache[url] = fetch(url).then(function (res) {
        if (!res.ok) throw new Error("HTTP " + res.status);
        return res.json();
      }).then(function (data) {
        var hardware = {};
        data.hardware.forEach(function (h) { hardware[h.id] = h.name; });
        data.recipes.forEach(function (r) { r._hay = haystack(r, hardware); });
        return data;
      });
      indexCache[url].catch(function () { delete indexCache[url]; });
    }
    return indexCache[url];
  }

  function initBrowse() {
    current = null;
    var root = document.getElementById("browse");
    var list = document.getElementById("browse-list");
    if (!root || !list || !root.getAttribute("data-browse-index")) return;
    var url = new URL(root.getAttribute("data-browse-index"), location.href).href;
    loadIndex(url).then(function (data) {
      if (!document.body.contains(root)) return; // navigated away meanwhile
      var rows = {};
      Array.prototype.forEach.call(list.querySelectorAll("li[data-recipe]"), function (li) {
        rows[li.getAttribute("data-recipe")] = li;
      });
      var empty = el("p", { "class": "bf-empty", hidden: "hidden" }, [document.createTextNode("No recipes match these filters. "),
        el("a", { href: "?", on: { click: function (e) { e.preventDefault(); clearAll(); } }, text: "Clear all" })]);
      list.parentNode.appendChild(empty);
      current = { root: root, list: list, rows: rows, data: data, empty: empty };
      render();
    }, function () { /* keep the server-rendered list as is */ });
  }

  // Keep the current provider's active recipe visible in the providers sidebar.
  function revealActiveModel() {
    var active = document.querySelector(".prov-nav .is-active");
    var wrap = active && active.closest(".md-sidebar__scrollwrap");
    if (!wrap) return;
    var a = active.getBoundingClientRect(), w = wrap.getBoundingClientRect();
    if (a.top < w.top || a.bottom > w.bottom) wrap.scrollTop += a.top - w.top - w.height / 2;
  }

  function onPage() { initBrowse(); revealActiveModel(); }

  window.addEventListener("popstate", function () {
    if (current && document.body.contains(current.root)) render();
  });
  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(onPage);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onPage);
  } else {
    onPage();
  }
})();
