/* vLLM recipes: the command builder on recipe pages.
 *
 * Every command was computed by the Python build (builder/site/builder_decode.py documents the
 * data). This script only picks a stored rendering and joins its stored lines: it knows nothing
 * about how vLLM commands are made. State lives in the URL (pushState, restored on popstate);
 * Material's instant navigation swaps pages, so builders are (re)attached on every `document$`.
 */
(function () {
  "use strict";
  // Material re-runs scripts found in the page body after each instant navigation: run once.
  if (window.CommandBuilder) { window.CommandBuilder.init(); return; }

  var ROLES = ["serve", "head", "worker", "prefill", "decode", "router"];
  var KINDS = ["Single node", "Multi-node", "Prefill / decode"];
  var ORIENTATION = { latency: "Latency oriented", balanced: "Balanced", throughput: "Throughput oriented",
                      production: "Production deployment" };
  var KEYS = ["variant", "hardware", "strategy", "nodes", "prefill_nodes", "decode_nodes", "prefill_mode",
              "decode_mode", "features", "install"];
  var live = [];

  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }

  /* ---- data: parse, undo the wire deltas, decode texts ---------------------------------- */

  function load(json) {
    var d = JSON.parse(json), p = 0;
    d.l.forEach(function (row) { p += row[3]; row[3] = p; });
    p = 0;
    d.r.forEach(function (r) {
      if (Array.isArray(r)) for (var i = 0; i < r.length; i++) { p += r[i]; r[i] = p; }
    });
    d.sizes = d.pools.map(function (x) { return x[0]; }).filter(function (x, i, a) { return a.indexOf(x) === i; });
    d.memo = {};
    return d;
  }

  function text(d, t) {
    if (t < 0) return [];
    if (d.memo[t]) return d.memo[t];
    var e = d.t[t], v = e;
    if (e.length && e[0] < 0) {
      var b = text(d, t + e[0]);
      v = b.slice(0, e[1]).concat(e.slice(3), b.slice(b.length - e[2]));
    }
    return (d.memo[t] = v);
  }

  function strings(d, ids) { return ids.map(function (i) { return d.s[i]; }); }

  function launch(d, id, mask) {
    var row = d.l[id], lines = text(d, row[3]);
    if (row[5] >= 0 && mask) {
      var drop = {}, added = [];
      d.fv[row[5]].forEach(function (piece, bit) {
        if (!(mask >> bit & 1)) return;
        if (Array.isArray(piece)) {
          piece.slice(1).forEach(function (p) { drop[p] = true; });
          piece = piece[0];
        }
        added = added.concat(text(d, piece));
      });
      lines = lines.filter(function (_, i) { return !drop[i]; }).concat(added);
    }
    return { role: ROLES[row[0]], rank: row[1], env: strings(d, text(d, row[2])),
             command: strings(d, lines).join(d.sep),
             docker: row[4] >= 0 ? strings(d, text(d, row[4]).concat(lines.slice(1))).join(d.sep) : null };
  }

  function rendering(d, rid, mask) {
    var e = d.r[rid], ids = Array.isArray(e) ? e : (e.x[mask] || e.l);
    return ids.map(function (id) { return launch(d, id, mask); });
  }

  /* ---- state: which rendering is selected ------------------------------------------------- */

  function combo(d, v, h) { return d.c[v + "." + h]; }
  function usable(c) { return c && c.rec !== undefined; }
  function kind(d, s) { return d.st[s][4]; }
  function pdDefault(d, c) { return kind(d, c.rec[0]) === 2 ? c.rec.slice(2) : (c.pd || [1, 0, 0]); }
  function nodesDefault(d, c, s) { return c.rec[0] === s && kind(d, s) === 1 ? c.rec[1] : d.nodes[0]; }
  function installDefault(d) { return d.inst.pip ? "pip" : "docker"; }

  function routerIndex(d, st) { return (st.pool * d.modes.length + st.pm) * d.modes.length + st.dm; }

  function entry(d, st) { var c = combo(d, st.v, st.h); return c.r[c.st.indexOf(st.s)]; }

  function ok(x) { return typeof x === "number" && x >= 0; }

  function available(d, st) {
    var r = entry(d, st), k = kind(d, st.s);
    if (k === 0) return ok(r);
    if (k === 1) return ok(r[d.nodes.indexOf(st.n)]);
    return ok(r.rt[routerIndex(d, st)]);
  }

  function launches(d, st) {
    var r = entry(d, st), k = kind(d, st.s), m = d.modes.length;
    if (k === 0) return rendering(d, r, st.f);
    if (k === 1) return rendering(d, r[d.nodes.indexOf(st.n)], st.f);
    var pair = d.pools[st.pool];
    return rendering(d, r.p[d.sizes.indexOf(pair[0]) * m + st.pm], st.f)
      .concat(rendering(d, r.d[d.sizes.indexOf(pair[1]) * m + st.dm], st.f), rendering(d, r.rt[routerIndex(d, st)], st.f));
  }

  function fresh(d, v, h, keep) {
    var c = combo(d, v, h), pd = pdDefault(d, c), f = c.fd;
    if (keep) {  // keep the user's feature choices except where the hardware's defaults differ
      var old = combo(d, keep.v, keep.h).fd, changed = old ^ c.fd;
      f = (keep.f & ~changed) | (c.fd & changed);
    }
    return { v: v, h: h, s: c.rec[0], n: nodesDefault(d, c, c.rec[0]), pool: pd[0], pm: pd[1], dm: pd[2], f: f,
             inst: keep ? keep.inst : installDefault(d), tab: 0, node: 0 };
  }

  /* Make any state valid: unusable pairs, strategies or layouts fall back to the defaults. */
  function normalize(d, st) {
    var c = combo(d, st.v, st.h);
    if (c && c.sub !== undefined) { st.v = c.sub; c = combo(d, st.v, st.h); }
    if (!usable(c)) { st.h = d.var[st.v][6]; c = combo(d, st.v, st.h); }
    if (c.st.indexOf(st.s) < 0) st.s = c.rec[0];
    var k = kind(d, st.s);
    if (k === 1 && (d.nodes.indexOf(st.n) < 0 || !available(d, st))) st.n = nodesDefault(d, c, st.s);
    if (k === 2 && !(st.pool < d.pools.length && st.pm < d.modes.length && st.dm < d.modes.length && available(d, st))) {
      var pd = pdDefault(d, c);
      st.pool = pd[0]; st.pm = pd[1]; st.dm = pd[2];
    }
    if (k !== 0 && !available(d, st)) { st.s = c.rec[0]; st.n = c.rec[1]; }
    st.f &= (1 << d.ft.length) - 1;
    if (!d.inst[st.inst]) st.inst = installDefault(d);
    return st;
  }

  function find(rows, id) {
    for (var i = 0; i < rows.length; i++) if (rows[i][0] === id) return i;
    return -1;
  }

  function fromUrl(d, search) {
    var q = new URLSearchParams(search), v = find(d.var, q.get("variant"));
    if (v < 0 || d.var[v][6] < 0) v = d.def[0];
    var h = find(d.hw, q.get("hardware"));
    if (h < 0) h = v === d.def[0] ? d.def[1] : d.var[v][6];
    var c = combo(d, v, h);
    if (c && c.sub !== undefined) v = c.sub;
    if (!usable(combo(d, v, h))) h = d.var[v][6];
    var st = fresh(d, v, h), s = find(d.st, q.get("strategy"));
    if (s >= 0) st.s = s;
    c = combo(d, v, h);
    if (st.s !== c.rec[0]) st.n = nodesDefault(d, c, st.s);
    var n = parseInt(q.get("nodes"), 10);
    if (!isNaN(n)) st.n = n;
    var pn = parseInt(q.get("prefill_nodes"), 10), dn = parseInt(q.get("decode_nodes"), 10);
    if (!isNaN(pn) && !isNaN(dn)) {
      for (var i = 0; i < d.pools.length; i++) if (d.pools[i][0] === pn && d.pools[i][1] === dn) st.pool = i;
    }
    if (d.modes.indexOf(q.get("prefill_mode")) >= 0) st.pm = d.modes.indexOf(q.get("prefill_mode"));
    if (d.modes.indexOf(q.get("decode_mode")) >= 0) st.dm = d.modes.indexOf(q.get("decode_mode"));
    if (q.has("features")) {
      st.f = 0;
      q.get("features").split(",").forEach(function (k) { var i = find(d.ft, k); if (i >= 0) st.f |= 1 << i; });
    }
    if (q.get("install") === "pip" || q.get("install") === "docker") st.inst = q.get("install");
    return normalize(d, st);
  }

  /* Parameters for what differs from the defaults; `hardware` too once anything differs. */
  function toUrl(d, st) {
    var q = new URLSearchParams(location.search), c = combo(d, st.v, st.h), k = kind(d, st.s), set = [];
    KEYS.forEach(function (key) { q.delete(key); });
    if (st.v !== d.def[0]) set.push(["variant", d.var[st.v][0]]);
    if (st.s !== c.rec[0]) set.push(["strategy", d.st[st.s][0]]);
    if (k === 1 && st.n !== nodesDefault(d, c, st.s)) set.push(["nodes", st.n]);
    if (k === 2) {
      var pd = pdDefault(d, c);
      if (st.pool !== pd[0]) set.push(["prefill_nodes", d.pools[st.pool][0]], ["decode_nodes", d.pools[st.pool][1]]);
      if (st.pm !== pd[1]) set.push(["prefill_mode", d.modes[st.pm]]);
      if (st.dm !== pd[2]) set.push(["decode_mode", d.modes[st.dm]]);
    }
    if (st.f !== c.fd) {
      set.push(["features", d.ft.filter(function (_, i) { return st.f >> i & 1; }).map(function (f) { return f[0]; }).join(",")]);
    }
    if (st.inst !== installDefault(d)) set.push(["install", st.inst]);
    if (set.length || st.h !== d.def[1]) set.splice(st.v !== d.def[0] ? 1 : 0, 0, ["hardware", d.hw[st.h][0]]);
    set.forEach(function (kv) { q.set(kv[0], kv[1]); });
    var s = q.toString().replace(/%2C/g, ",");
    return location.pathname + (s ? "?" + s : "") + location.hash;
  }

  /* ---- view: the rows and the command card (the server renders the same markup) -------- */

  function pill(a, i, label, on, tip, why) {
    var id = "cb-tip-" + a + "-" + i;
    return '<button type="button" class="cb-pill' + (on ? " cb-on" : "") + '" data-a="' + a + '" data-i="' + i +
      '" aria-pressed="' + (on ? "true" : "false") + '"' + (why ? ' aria-disabled="true" data-why="' + esc(why) + '"' : "") +
      (tip ? ' aria-describedby="' + id + '">' : ">") + label +
      (tip ? '<span class="cb-tip" id="' + id + '" aria-hidden="true">' + esc(tip) + "</span>" : "") + "</button>";
  }

  function row(label, body, note) {
    return '<div class="cb-row"><div class="cb-label">' + label + '</div><div class="cb-ctl">' + body +
      (note ? '<p class="cb-note">' + note + "</p>" : "") + "</div></div>";
  }

  function group(title, body) {
    return '<div class="cb-group">' + (title ? '<span class="cb-sub">' + esc(title) + "</span>" : "") + body + "</div>";
  }

  function gb(x) { return Math.round(x) + " GB"; }

  function hardwareRow(d, st) {
    var brands = [];
    d.hw.forEach(function (h) { if (brands.indexOf(h[2]) < 0) brands.push(h[2]); });
    brands.sort(function (a, b) {
      var r = function (x) { return x === "NVIDIA" ? 0 : x === "AMD" ? 1 : 2; };
      return r(a) - r(b) || (a < b ? -1 : a > b ? 1 : 0);
    });
    return row("Hardware", brands.map(function (brand) {
      return group(brand, d.hw.map(function (h, i) {
        if (h[2] !== brand) return "";
        var c = combo(d, st.v, i), why = null, tip = h[6];
        if (!c) why = "Not offered for " + d.var[st.v][1];
        else if (c.x !== undefined) why = c.x;
        else if (c.sub !== undefined) tip += " — serves " + d.var[c.sub][1] + " here: " + d.var[st.v][1] + " does not fit this node.";
        if (why) tip = h[1] + ": " + why;
        if (h[5]) tip += " · Verified: tested end-to-end by the recipe author.";
        var label = (h[5] ? '<span class="cb-ok" aria-hidden="true">✓</span><span class="cb-sr">Verified: </span>' : "") + esc(h[1]) +
          '<span class="cb-hint">' + h[3] + "×" + Math.round(h[4] / h[3]) + "G</span>";
        return pill("hw", i, label, i === st.h, tip, why);
      }).join(""));
    }).join(""));
  }

  function variantRow(d, st) {
    var v = d.var[st.v], h = d.hw[st.h], need = Math.ceil(v[3] / h[4]);
    var note = esc(v[1]) + " needs at least " + gb(v[3]) + " for weights; one " + esc(h[1]) + " node has " + gb(h[4]) +
      (need <= 1 ? ": fits on one node." : ": needs " + need + " nodes (multi-node or prefill/decode).");
    return row("Variant", group("", d.var.map(function (x, i) {
      var c = combo(d, i, st.h), tip = x[4] + " Minimum " + gb(x[3]) + " to load; KV cache needs more.";
      var why = x[6] < 0 ? "No listed hardware can serve " + x[1] : null;
      if (!why && !usable(c)) tip += " Not on " + h[1] + (c && c.x ? ": " + c.x : "") + " — picking it switches to " + d.hw[x[6]][1] + ".";
      return pill("var", i, esc(x[1]) + '<span class="cb-hint">' + gb(x[3]) + "</span>", i === st.v, tip, why);
    }).join("")), note);
  }

  function strategyRow(d, st, c) {
    var body = [0, 1, 2].map(function (k) {
      var pills = c.st.filter(function (s) { return kind(d, s) === k; }).map(function (s) {
        var rec = s === c.rec[0] ? ' <span class="cb-rec" aria-hidden="true">★</span><span class="cb-sr"> (recommended)</span>' : "";
        return pill("st", s, esc(d.st[s][1]) + rec, s === st.s, d.st[s][2], null);
      }).join("");
      return pills ? group(KINDS[k], pills) : "";
    }).join("");
    var s = d.st[st.s], badge = ORIENTATION[s[3]] ? '<span class="cb-badge cb-' + s[3] + '">' + ORIENTATION[s[3]] + "</span> " : "";
    return row("Strategy", body, badge + esc(s[2]));
  }

  function nodesRow(d, st, c) {
    var h = d.hw[st.h], k = kind(d, st.s), r = entry(d, st);
    if (k === 0) return row("Nodes", '<span class="cb-fixed">1 node · ' + h[3] + " × " + esc(h[1]) + " GPUs</span>");
    if (k === 1) {
      return row("Nodes", group("", d.nodes.map(function (n, i) {
        return r[i] >= 0 ? pill("n", n, String(n), n === st.n, n + " nodes × " + h[3] + " GPUs", null) : "";
      }).join("")), st.n + " nodes × " + h[3] + " GPUs = " + st.n * h[3] + " GPUs; one command per node below.");
    }
    var pair = d.pools[st.pool], m = d.modes.length;
    function sub(role, a, ma, size, mode) {
      var sizes = d.sizes.map(function (z) {
        var ok = d.pools.some(function (p, i) {
          return (role ? p[1] : p[0]) === z && r.rt.slice(i * m * m, (i + 1) * m * m).some(function (x) { return x >= 0; });
        });
        if (!ok) return "";
        return pill(a, z, z ? String(z) : "shared", z === size, z ? z + " node(s) × " + h[3] + " GPUs" :
                    "Prefill and decode share one node, half of its GPUs each", null);
      }).join("");
      var modes = m > 1 ? d.modes.map(function (x, i) { return pill(ma, i, x.toUpperCase(), i === mode, null, null); }).join("") : "";
      return group(role ? "Decode" : "Prefill", sizes + (modes ? '<span class="cb-gap"></span>' + modes : ""));
    }
    var gpus = pair[0] ? (pair[0] + pair[1]) * h[3] : h[3];
    return row("Nodes", sub(0, "pn", "pm", pair[0], st.pm) + sub(1, "dn", "dm", pair[1], st.dm),
               "Total " + gpus + " GPUs on " + (pair[0] ? pair[0] + pair[1] : 1) + " node(s), plus the router.");
  }

  function featuresRow(d, st) {
    if (!d.ft.length) return "";
    return row("Features", group("", d.ft.map(function (f, i) {
      return pill("ft", i, esc(f[1]), st.f >> i & 1, f[2], null);
    }).join("")));
  }

  function installRow(d, st) {
    var pills = ["pip", "docker"].map(function (m, i) {
      return pill("inst", i, m === "pip" ? "pip / uv" : "Docker", st.inst === m, null,
                  d.inst[m] ? null : "This recipe has no " + m + " install");
    }).join("");
    var step = d.inst[st.inst], body = "";
    if (step) body += (step[1] ? '<p class="cb-note"># ' + esc(step[1]) + "</p>" : "") + '<pre class="cb-install"><code>' + esc(step[0]) + "</code></pre>";
    if (st.inst === "pip" && d.inst.extras) {
      body += d.inst.extras.map(function (x) {
        return '<p class="cb-note">' + (x[2] ? "Optional: " : "Also: ") + esc(x[1]) + '</p><pre class="cb-install"><code>' + esc(x[0]) + "</code></pre>";
      }).join("");
    }
    return row("Install", group("", pills) + body);
  }

  function tabs(d, st, ls) {
    var k = kind(d, st.s), names = [], shown;
    if (k === 2) {
      names = ["Prefill", "Decode", "Router"];
      var pool = ls.filter(function (l) { return l.role === ["prefill", "decode", "router"][st.tab]; });
      shown = pool[Math.min(st.node, pool.length - 1)];
      var nodes = pool.length > 1 ? '<div class="cb-tabs cb-nodes" role="tablist" aria-label="Node">' + pool.map(function (l, i) {
        return tab("node", i, "Node " + (i + 1) + (i ? "" : " (head)"), i === st.node);
      }).join("") + "</div>" : "";
      return { html: strip(names, st.tab) + nodes, launch: shown };
    }
    if (ls.length > 1) names = ls.map(function (l, i) { return i ? "Node " + i : "Head"; });
    return { html: names.length ? strip(names, st.tab) : "", launch: ls[Math.min(st.tab, ls.length - 1)] };
  }

  function tab(a, i, label, on) {
    return '<button type="button" role="tab" class="cb-tab' + (on ? " cb-on" : "") + '" data-a="' + a + '" data-i="' + i +
      '" aria-selected="' + on + '" tabindex="' + (on ? 0 : -1) + '">' + esc(label) + "</button>";
  }

  function strip(names, active) {
    return '<div class="cb-tabs" role="tablist" aria-label="Launch steps">' +
      names.map(function (n, i) { return tab("tab", i, n, i === active); }).join("") + "</div>";
  }

  function output(d, st, c, ls) {
    var h = d.hw[st.h], v = d.var[st.v], k = kind(d, st.s), t = tabs(d, st, ls), l = t.launch;
    var size = k === 1 ? st.n + "× " : "";
    var summary = size + esc(h[1]) + " · " + esc(d.st[st.s][1]) + " · " + esc(v[1]);
    var docker = st.inst === "docker" && l.docker !== null;
    var html = '<div class="cb-card"><div class="cb-head"><span class="cb-summary">' + summary + "</span>" +
      (h[5] ? '<span class="cb-verified">✓ Verified on ' + esc(h[2]) + " " + esc(h[1]) + "</span>" : "") +
      '<button type="button" class="cb-copy" data-a="copy" data-i="0">Copy</button></div>';
    if (k === 0 && v[3] > h[4]) {
      html += '<p class="cb-warn">Not enough memory for one node: ' + esc(h[1]) + " has " + gb(h[4]) + ", this variant needs at least " +
        gb(v[3]) + " for weights alone. Pick a multi-node strategy, bigger hardware or a smaller variant.</p>";
    }
    html += t.html;
    if (!docker && l.env.length) html += '<pre class="cb-env"><code>' + esc(l.env.join("\n")) + "</code></pre>";
    html += '<pre class="cb-cmd"><code>' + esc(docker ? l.docker : l.command) + "</code></pre>";
    if (k === 1) html += '<p class="cb-note">Run each tab on its own node; set <code>$HEAD_IP</code> to the head node\'s address.</p>';
    if (k === 2) html += '<p class="cb-note">Start the prefill and decode nodes, then the router; fill in the <code>$VARIABLES</code>.</p>';
    return html + "</div>";
  }

  var R = {
    draw: function (self, ls) {
      var d = self.d, st = self.st, c = combo(d, st.v, st.h), ui = self.root.querySelector(".cb-ui");
      var f = document.activeElement, keep = f && ui.contains(f) ? [f.getAttribute("data-a"), f.getAttribute("data-i")] : null;
      ui.innerHTML = output(d, st, c, ls) + '<p class="cb-status" role="status" aria-live="polite"></p>' +
        '<div class="cb-rows">' + hardwareRow(d, st) + variantRow(d, st) + strategyRow(d, st, c) +
        nodesRow(d, st, c) + featuresRow(d, st) + installRow(d, st) + "</div>";
      if (keep) {
        var again = ui.querySelector('[data-a="' + keep[0] + '"][data-i="' + keep[1] + '"]');
        if (again) again.focus();
      }
    },
    say: function (self, msg) { self.root.querySelector(".cb-status").textContent = msg; },
    copy: function (self, button, ls) {
      var st = self.st, l = tabs(self.d, st, ls).launch;
      var body = st.inst === "docker" && l.docker !== null ? l.docker : (l.env.length ? l.env.join("\n") + "\n\n" : "") + l.command;
      var done = function () {
        button.textContent = "Copied";
        button.classList.add("cb-done");
        setTimeout(function () { button.textContent = "Copy"; button.classList.remove("cb-done"); }, 2000);
      };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(body).then(done, function () {});
      else {
        var area = document.createElement("textarea");
        area.value = body;
        document.body.appendChild(area);
        area.select();
        document.execCommand("copy");
        area.remove();
        done();
      }
    },
    tabKeys: function (e) {
      var t = e.target;
      if (t.getAttribute("role") !== "tab" || ["ArrowLeft", "ArrowRight", "Home", "End"].indexOf(e.key) < 0) return;
      var all = Array.prototype.slice.call(t.parentNode.querySelectorAll('[role="tab"]')), i = all.indexOf(t);
      i = e.key === "Home" ? 0 : e.key === "End" ? all.length - 1 : (i + (e.key === "ArrowLeft" ? -1 : 1) + all.length) % all.length;
      e.preventDefault();
      all[i].focus();
      all[i].click();
    }
  };

  function attach(root) {
    var tpl = root.querySelector("template[data-cb-data]");
    if (!tpl || root.cbLive) return;
    var d = load(tpl.content.textContent), self = { root: root, d: d, st: null, path: location.pathname };
    root.cbLive = true;
    self.st = fromUrl(d, location.search);
    var url = toUrl(d, self.st);
    if (url !== location.pathname + location.search + location.hash) history.replaceState(history.state, "", url);
    R.draw(self, launches(d, self.st));
    root.addEventListener("click", function (e) { onClick(self, e); });
    root.addEventListener("keydown", function (e) { R.tabKeys(e); });
    live.push(self);
  }

  function update(self, st, push) {
    self.st = normalize(self.d, st);
    R.draw(self, launches(self.d, self.st));
    var url = toUrl(self.d, self.st);
    if (push && url !== location.pathname + location.search + location.hash) history.pushState(null, "", url);
  }

  function onClick(self, e) {
    var b = e.target.closest("[data-a]");
    if (!b || !self.root.contains(b)) return;
    var a = b.getAttribute("data-a"), i = +b.getAttribute("data-i"), d = self.d, st = Object.assign({}, self.st);
    if (b.getAttribute("aria-disabled") === "true") { R.say(self, b.getAttribute("data-why") || ""); return; }
    if (a === "copy") { R.copy(self, b, launches(d, st)); return; }
    if (a === "hw" || a === "var") {
      var v = a === "var" ? i : st.v, h = a === "hw" ? i : st.h, c = combo(d, v, h);
      if (c && c.sub !== undefined) v = c.sub;
      else if (!usable(c)) h = d.var[v][6];
      st = fresh(d, v, h, st);
    } else if (a === "st") {
      st.s = i; st.tab = 0; st.node = 0;
      var c2 = combo(d, st.v, st.h);
      if (kind(d, i) === 1 && d.nodes.indexOf(st.n) < 0) st.n = nodesDefault(d, c2, i);
    } else if (a === "n") { st.n = i; st.tab = 0; }
    else if (a === "pn" || a === "dn") {
      var pair = d.pools[st.pool].slice(), role = a === "pn" ? 0 : 1;
      pair[role] = i;
      if (i === 0) pair = [0, 0]; else if (pair[1 - role] === 0) pair[1 - role] = 1;
      d.pools.forEach(function (p, k) { if (p[0] === pair[0] && p[1] === pair[1]) st.pool = k; });
      st.node = 0;
    } else if (a === "pm") { st.pm = i; st.node = 0; }
    else if (a === "dm") { st.dm = i; st.node = 0; }
    else if (a === "ft") st.f ^= 1 << i;
    else if (a === "inst") st.inst = i ? "docker" : "pip";
    else if (a === "tab") { st.tab = i; st.node = 0; self.st = st; R.draw(self, launches(d, st)); return; }
    else if (a === "node") { st.node = i; self.st = st; R.draw(self, launches(d, st)); return; }
    else return;
    update(self, st, true);
  }

  function init() {
    live = live.filter(function (s) { return document.body.contains(s.root); });
    document.querySelectorAll("[data-cb]").forEach(attach);
  }

  window.addEventListener("popstate", function () {
    live.forEach(function (self) {
      if (document.body.contains(self.root) && location.pathname === self.path) {
        update(self, fromUrl(self.d, location.search), false);
      }
    });
  });

  // For tests (tests/test_command_builder.py runs the decoder under node) and debugging.
  window.CommandBuilder = { load: load, fromUrl: fromUrl, toUrl: toUrl, launches: launches, normalize: normalize,
                            init: init };

  if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(init);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
