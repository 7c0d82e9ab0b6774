/* Header search: recipes and providers first, docs after, ⌘K / Ctrl+K / "/" to focus.
 *
 * The index (search.json, written by builder/site/pages/search.py) is fetched the first time the
 * box is focused or typed into, never on page load. Everything that decides an order was computed
 * at build time: recipes arrive newest first and each record carries its squashed name (`k`) and
 * haystack (`h`). Here we only keep records whose haystack holds every query word and sort them
 * stably by match tier: exact name, name prefix, every word in the name, anywhere.
 * The header (and so this box) survives Material's instant navigation; the script runs once.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var root = document.querySelector("[data-rs-search]");
  if (!root || !script) return;
  var SITE = new URL("../", script.src);           // this file is /assets/search.js
  var INDEX = new URL("search.json", SITE).href;
  var input = root.querySelector(".rs-search__input");
  var panel = root.querySelector(".rs-search__panel");
  var data = null, loading = null, links = [], active = -1;
  var LIMIT = 8, DOCS = 4;

  function squash(s) { return String(s || "").toLowerCase().replace(/[-_.\s]/g, ""); }
  function href(u) { return new URL(u, SITE).href; }

  function load() {
    if (!loading) {
      loading = fetch(INDEX).then(function (r) { return r.json(); })
        // Only if the reader is still in the box: Escape before the index arrived keeps it shut.
        .then(function (d) { data = d; if (document.activeElement === input) render(); })
        .catch(function () { loading = null; });
    }
    return loading;
  }

  function tier(rec, whole, words) {
    var keys = [rec.k, rec.k2].filter(Boolean);
    if (keys.indexOf(whole) !== -1) return 0;
    if (keys.some(function (k) { return k.indexOf(whole) === 0; })) return 1;
    if (words.every(function (w) { return keys.some(function (k) { return k.indexOf(w) !== -1; }); })) return 2;
    return 3;
  }

  /* Records whose haystack holds every word, by tier; Array.prototype.sort is stable, so the
     build-time order (recipes newest first, then providers) breaks ties. */
  function rank(list, words) {
    var whole = words.join("");
    return list.filter(function (rec) {
      return words.every(function (w) { return rec.h.indexOf(w) !== -1; });
    }).map(function (rec) { return { rec: rec, t: tier(rec, whole, words) }; })
      .sort(function (a, b) { return a.t - b.t; })
      .map(function (x) { return x.rec; });
  }

  function el(name, cls, text) {
    var e = document.createElement(name);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function item(rec, kind, sub) {
    var a = el("a", "rs-item rs-item--" + kind);
    a.href = href(rec.u);
    a.setAttribute("role", "option");
    a.id = "rs-opt-" + links.length;
    a.appendChild(el("span", "rs-item__name", rec.n));
    a.appendChild(el("span", "rs-item__sub", sub));
    links.push(a);
    return a;
  }

  function heading(text) { return el("p", "rs-head", text); }

  function browseLink(text, query) {
    var a = el("a", "rs-foot", text);
    a.href = href("browse/" + (query ? "?q=" + encodeURIComponent(query) : ""));
    a.setAttribute("role", "option");
    a.id = "rs-opt-" + links.length;
    links.push(a);
    return a;
  }

  function render() {
    links = []; active = -1;
    panel.textContent = "";
    if (!data) { panel.appendChild(heading("Loading…")); return show(true); }
    var raw = input.value.trim();
    var words = raw.split(/\s+/).map(squash).filter(Boolean);
    var total = data.recipes.length;
    if (!words.length) {
      panel.appendChild(heading("Latest recipes"));
      data.latest.forEach(function (i) { var r = data.recipes[i]; panel.appendChild(item(r, "recipe", r.m)); });
      panel.appendChild(browseLink("Browse all " + total + " recipes →", ""));
      return show(true);
    }
    var recipes = rank(data.recipes, words);
    var models = rank(data.recipes.concat(data.providers), words).slice(0, LIMIT);
    var docs = rank(data.docs, words).slice(0, DOCS);
    if (!models.length && !docs.length) panel.appendChild(heading("No recipe or provider matches “" + raw + "”"));
    models.forEach(function (rec) {
      var provider = rec.c !== undefined;
      panel.appendChild(item(rec, provider ? "provider" : "recipe",
        provider ? "Provider · " + rec.c + (rec.c === 1 ? " recipe" : " recipes") : rec.m));
    });
    if (docs.length) {
      panel.appendChild(heading("Docs"));
      docs.forEach(function (d) { panel.appendChild(item(d, "doc", d.p)); });
    }
    panel.appendChild(recipes.length
      ? browseLink("See all " + recipes.length + " matching recipes in Browse →", raw)
      : browseLink("Browse all " + total + " recipes →", ""));
    show(true);
  }

  function show(open) {
    panel.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    root.classList.toggle("rs-search--active", open);
    if (open) highlight(links.length && input.value.trim() ? 0 : -1);
  }

  function highlight(i) {
    if (links[active]) links[active].classList.remove("is-active");
    active = i;
    if (links[i]) {
      links[i].classList.add("is-active");
      links[i].scrollIntoView({ block: "nearest" });
      input.setAttribute("aria-activedescendant", links[i].id);
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function close() {
    show(false);
    root.classList.remove("rs-search--open");
  }

  function use() { if (data) render(); else { render(); load(); } }

  input.addEventListener("focus", use);
  input.addEventListener("input", use);
  input.addEventListener("blur", function () { setTimeout(function () {
    if (document.activeElement !== input) close();
  }, 150); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown") { e.preventDefault(); highlight(Math.min(active + 1, links.length - 1)); }
    else if (e.key === "ArrowUp") { e.preventDefault(); highlight(Math.max(active - 1, 0)); }
    else if (e.key === "Enter") {
      var target = links[active] || links[0];
      if (target) { e.preventDefault(); target.click(); }
    } else if (e.key === "Escape") { input.value = ""; input.blur(); close(); }
  });
  // Keep focus in the box while a result is pressed, so the click lands before the panel hides.
  panel.addEventListener("mousedown", function (e) { e.preventDefault(); });
  panel.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("a")) { input.value = ""; input.blur(); close(); }
  });
  var opener = root.querySelector(".rs-search__open");
  if (opener) opener.addEventListener("click", function () { root.classList.add("rs-search--open"); input.focus(); });

  document.addEventListener("keydown", function (e) {
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName) || document.activeElement.isContentEditable;
    if ((e.metaKey || e.ctrlKey) && !e.altKey && (e.key === "k" || e.key === "K")) {
      e.preventDefault();
      root.classList.add("rs-search--open");
      input.focus(); input.select();
    } else if (e.key === "/" && !typing && !e.metaKey && !e.ctrlKey) {
      e.preventDefault();
      root.classList.add("rs-search--open");
      input.focus();
    }
  });
  // Show the shortcut of this platform.
  var key = root.querySelector(".rs-search__key");
  if (key && !/Mac|iPhone|iPad/.test(navigator.platform || "")) key.textContent = "Ctrl K";
})();
