/* vLLM recipes command builder: drawing the rows and the command card with DOM calls only.
 *
 * Recipe text reaches the page through textContent and attribute values, never as HTML, so a
 * recipe string like `<img onerror=…>` is shown as text. The server renders the same markup for
 * the default selection (partials/command-builder.html), so nothing jumps when this runs.
 */
import { combo, kind, strategyEntry, usable } from "./data.js";
import { poolTabs, poolsRow } from "./pools.js";
import { install } from "./state.js";
import { gateReason, modeRows, tuningNotes } from "./modes.js";
import { advancedRow } from "./advanced.js";
import { kvActive, kvInstall, kvNodesLabel, kvRows, kvSummary, kvTabs } from "./kv.js";

var KINDS = ["Single node", "Multi-node", "Prefill / decode"];
var ORIENTATION = { latency: "Latency oriented", balanced: "Balanced", throughput: "Throughput oriented",
                    production: "Production deployment" };
var HF = "https://huggingface.co/";

/* h("p.cb-note", {attrs}, child, …): an element; strings become text nodes. */
export function h(spec, attrs) {
  var parts = spec.split("."), el = document.createElement(parts[0]);
  if (parts.length > 1) el.className = parts.slice(1).join(" ");
  Object.keys(attrs || {}).forEach(function (k) {
    var val = attrs[k];
    if (val === null || val === undefined || val === false) return;
    el.setAttribute(k, val === true ? "" : String(val));
  });
  for (var i = 2; i < arguments.length; i++) add(el, arguments[i]);
  return el;
}

function add(el, child) {
  if (child === null || child === undefined || child === false || child === "") return;
  if (Array.isArray(child)) child.forEach(function (c) { add(el, c); });
  else el.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
}

/* A sentence that ends with punctuation, so joined texts never run on ("…serving Minimum 893 GB"). */
export function sentence(s) {
  s = String(s || "").trim();
  return !s || /[.!?:;…)]$/.test(s) ? s : s + ".";
}

export function pill(a, i, label, on, tip, why) {
  tip = tip || why;  // a disabled pill always explains itself (hover and keyboard focus)
  var id = "cb-tip-" + a + "-" + i;
  return h("button.cb-pill" + (on ? ".cb-on" : ""), { type: "button", "data-a": a, "data-i": i, "aria-pressed": on ? "true" : "false",
    "aria-disabled": why ? "true" : null, "data-why": why || null, "aria-describedby": tip ? id : null },
    label, tip ? h("span.cb-tip", { id: id, role: "tooltip" }, tip) : null);
}

export function row(label, body, note) {
  return h("div.cb-row", {}, h("div.cb-label", {}, label), h("div.cb-ctl", {}, body, note ? h("div.cb-note", {}, note) : null));
}

export function group(title, pills) {
  return h("div.cb-group", {}, title ? h("span.cb-sub", {}, title) : null, pills);
}

function gb(x) { return Math.round(x) + " GB"; }

function hardwareRow(d, st, c) {
  var brands = [];
  d.hw.forEach(function (x) { if (brands.indexOf(x[2]) < 0) brands.push(x[2]); });
  var rank = function (x) { return x === "NVIDIA" ? 0 : x === "AMD" ? 1 : 2; };
  brands.sort(function (a, b) { return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0); });
  var groups = brands.map(function (brand) {
    return group(brand, d.hw.map(function (x, i) {
      if (x[2] !== brand) return null;
      var k = combo(d, st.v, i), why = null, tip = sentence(x[6]);
      if (!k) why = "Not offered for " + d.var[st.v][1];
      else if (k.sub !== undefined) tip += " Picking it serves " + d.var[k.sub][1] + ": " + d.var[st.v][1] + " does not fit this node.";
      else if (k.alt !== undefined) tip = x[1] + ": " + sentence(k.x) + " Picking it switches Variant to " + d.var[k.alt][1] + ".";
      else if (k.x !== undefined) why = k.x;
      if (why) tip = x[1] + ": " + sentence(why);
      if (x[5]) tip += " Verified: tested end-to-end by the recipe author.";
      var label = [x[5] ? h("span.cb-ok", { "aria-hidden": "true" }, "✓") : null, x[5] ? h("span.cb-sr", {}, "Verified: ") : null,
                   x[1], h("span.cb-hint", {}, x[3] + "×" + Math.round(x[4] / x[3]) + "G")];
      return pill("hw", i, label, i === st.h, tip, why);
    }));
  });
  var note = null, hw = d.hw[st.h];
  if (c.g && c.g[0] === st.s) {
    note = "This command runs on " + c.g[1] + " of the " + hw[3] + " GPUs of one " + hw[1] +
      ": the weights fit " + c.g[1] + ". Run " + Math.floor(hw[3] / c.g[1]) + " copies behind a load balancer to use them all, or pick an expert/data-parallel strategy.";
  }
  return row("Hardware", groups, note);
}

function variantRow(d, st) {
  var v = d.var[st.v], hw = d.hw[st.h], need = Math.ceil(v[3] / hw[4]);
  var pills = d.var.map(function (x, i) {
    var k = combo(d, i, st.h), tip = sentence(x[4]) + (x[4] ? " " : "") + "Minimum " + gb(x[3]) + " to load; KV cache needs more.";
    var why = x[6] < 0 ? "No listed hardware can serve " + x[1] : null;
    if (!why && !usable(k)) tip += " Not on " + hw[1] + (k && k.x ? ": " + sentence(k.x) : ".") + " Picking it switches to " + d.hw[x[6]][1] + ".";
    return pill("var", i, [x[1], h("span.cb-hint", {}, gb(x[3]))], i === st.v, tip, why);
  });
  var note = [v[4] ? h("span.cb-desc", {}, sentence(v[4]) + " ") : null, "Serves ",
              h("a.cb-ckpt", { href: HF + v[5], rel: "noopener" }, h("code", {}, v[5])),
              ". " + v[1] + " needs at least " + gb(v[3]) + " for weights; one " + hw[1] + " node has " + gb(hw[4]) +
              (need <= 1 ? ": fits on one node." : ": needs " + need + " nodes (multi-node or prefill/decode).")];
  return row("Variant", group("", pills), note);
}

function strategyRow(d, st, c) {
  var off = {}, all = c.st.slice();  // c.xs: [strategy, reason] switched off here
  (c.xs || []).forEach(function (x) { off[x[0]] = x[1]; all.push(x[0]); });
  all.sort(function (a, b) { return a - b; });
  var body = [0, 1, 2].map(function (k) {
    var pills = all.filter(function (s) { return kind(d, s) === k; }).map(function (s) {
      var rec = s === c.rec[0] ? [" ", h("span.cb-rec", { "aria-hidden": "true" }, "★"), h("span.cb-sr", {}, " (recommended)")] : null;
      return pill("st", s, [d.st[s][1], rec], s === st.s, off[s] ? null : d.st[s][2], off[s] || null);
    });
    return pills.length ? group(KINDS[k], pills) : null;
  });
  var s = d.st[st.s], badge = ORIENTATION[s[3]] ? [h("span.cb-badge.cb-" + s[3], {}, ORIENTATION[s[3]]), " "] : null;
  return row("Strategy", body, [badge, s[2]]);
}

function nodesRow(d, st) {
  var hw = d.hw[st.h], k = kind(d, st.s), r = strategyEntry(d, st);
  var label = kvNodesLabel(d, st);  // "Nodes / Instance" with Mooncake instances
  if (k === 0) return row(label, h("span.cb-fixed", {}, "1 node · " + hw[3] + " × " + hw[1] + " GPUs"));
  if (k === 1) {
    var c = combo(d, st.v, st.h), floor = (c.fl || []).filter(function (x) { return x[0] === st.s; })[0];
    return row(label, group("", d.nodes.map(function (n, i) {
      return r[i] >= 0 ? pill("n", n, [String(n), h("span.cb-hint", {}, n * hw[3] + "×GPU")], n === st.n,
                              n + " nodes × " + hw[3] + " GPUs = " + n * hw[3] + " GPUs", null) : null;
    })), st.n + " nodes × " + hw[3] + " GPUs = " + st.n * hw[3] + " GPUs; one command per node below." +
      (floor ? " " + floor[1] : ""));
  }
  return poolsRow(d, st);
}

var KIT = { h: h, pill: pill, row: row, group: group, sentence: sentence };  // for the rows of modes.js, advanced.js

function featuresRow(d, st) {
  if (!d.ft.length) return null;
  return row("Features", group("", d.ft.map(function (f, i) {
    var ex = d.ex.filter(function (p) { return p[0] === i || p[1] === i; })
      .map(function (p) { return d.ft[p[0] === i ? p[1] : p[0]][1]; });
    // A strategy-gated feature keeps its toggle state for when the reader switches back.
    var why = gateReason(d, st, i);
    return pill("ft", i, f[1], !!st.f[i], (why ? sentence(why) + " " : "") + sentence(f[2]) +
                (ex.length ? " Turns off " + ex.join(", ") + "." : ""), why);
  })), tuningNotes(d, st, KIT));
}

function installRow(d, st, c) {
  var b = install(d, c), suffix = b.label === "CUDA" ? "" : " (" + b.label + ")", body = [];
  body.push(group("", ["pip", "docker"].map(function (m, i) {
    return pill("inst", i, (m === "pip" ? "pip / uv" : "Docker") + suffix, st.inst === m, null,
                b[m] ? null : (m === "pip" ? "No pip install on " + d.hw[st.h][1] : "This recipe has no docker install"));
  }).concat(b[st.inst] ? [h("button.cb-btn.cb-copyinst", { type: "button", "data-a": "copyinst", "data-i": 0 }, "Copy")] : [])));
  if (b.cu && b.cu[st.inst === "pip" ? 0 : 1]) {  // stable pip detects CUDA itself: no choice to make there
    body.push(group("CUDA", [pill("cu", 0, "default (13)", !st.cu, "CUDA 13 builds", null),
                             pill("cu", 1, "cu129", !!st.cu, "CUDA 12.9 builds, for hosts whose driver is on 12.9", null)]));
  }
  var step = b[st.inst], cmd = step ? (st.cu && b.cu && b.cu[st.inst === "pip" ? 0 : 1]) || step[0] : "";
  if (step) body.push(step[1] ? h("p.cb-note", {}, "# " + step[1]) : null, h("pre.cb-install", {}, h("code", {}, cmd)));
  var kvStep = kvInstall(d, st);  // the KV option's own install, in both modes (images lack it too)
  if (kvStep) body.push(h("p.cb-note.cb-kvinst", {}, "Also", " ", kvStep[1]), h("pre.cb-install", {}, h("code", {}, kvStep[0])));
  if (st.inst === "pip" && b.extras) {
    b.extras.forEach(function (x) {
      // One text node after the chip, as the server renders it (nothing moves when the script starts).
      body.push(h("p.cb-note", {}, x[2] ? h("span.cb-chip", {}, "Optional") : null, (x[2] ? " " : "Also ") + x[1]),
                h("pre.cb-install", {}, h("code", {}, x[0])));
    });
  }
  return row("Install", body);
}

export function rows(d, st, c) {
  return h("div.cb-rows", {}, hardwareRow(d, st, c), variantRow(d, st), strategyRow(d, st, c), kvRows(d, st, c), nodesRow(d, st),
           featuresRow(d, st), modeRows(d, st, c, KIT), advancedRow(d, st, KIT), installRow(d, st, c));
}

function tab(a, i, label, on) {
  return h("button.cb-tab" + (on ? ".cb-on" : ""), { type: "button", role: "tab", "data-a": a, "data-i": i,
    "aria-selected": on ? "true" : "false", tabindex: on ? 0 : -1 }, label);
}

function strip(a, names, active, label) {
  return h("div.cb-tabs" + (a === "node" ? ".cb-nodes" : ""), { role: "tablist", "aria-label": label },
           names.map(function (n, i) { return tab(a, i, n, i === active); }));
}

/* The tab strips and the launch shown: Head/Node i, or Prefill/Decode/Router with a node strip. */
export function tabs(d, st, ls) {
  var k = kind(d, st.s), kt = kvTabs(d, st, ls);
  if (kt) return kt;
  if (k === 2) return poolTabs(d, st, ls, strip);
  var names = ls.length > 1 ? ls.map(function (_, i) { return i ? "Node " + i : "Head"; }) : [];
  return { el: names.length ? strip("tab", names, st.tab, "Launch steps") : null, launch: ls[Math.min(st.tab, ls.length - 1)] };
}

/* The command card; `show` maps a command text to what is displayed (Env values filled in). */
export function card(d, st, ls, show, actions) {
  var hw = d.hw[st.h], v = d.var[st.v], k = kind(d, st.s), t = tabs(d, st, ls), l = t.launch;
  var docker = st.inst === "docker" && l.docker !== null;
  var summary = (k === 1 ? st.n + "× " : "") + hw[1] + " · " + d.st[st.s][1] + " · " + v[1] + kvSummary(d, st);
  var foot = k === 1 ? "Run each tab on its own node; set $HEAD_IP to the head node's address (Env fills it in)." :
             k === 2 ? "Start the prefill and decode nodes, then the router; fill in the $VARIABLES with Env." : "";
  if (t.first !== undefined) foot = "Start the tabs in order, each where its note says; fill in the $VARIABLES with Env.";
  return h("div.cb-card", {},
    h("div.cb-head", {}, h("span.cb-summary", {}, summary),
      hw[5] && !kvActive(d, st) ? h("span.cb-verified", {}, "✓ Verified on " + hw[2] + " " + hw[1]) : null, actions),
    k === 0 && v[3] > hw[4] ? h("p.cb-warn", {}, "Not enough memory for one node: " + hw[1] + " has " + gb(hw[4]) +
      ", this variant needs at least " + gb(v[3]) + " for weights alone. Pick a multi-node strategy, bigger hardware or a smaller variant.") : null,
    hardwareNote(d, st),
    t.el,
    t.note ? h("p.cb-note.cb-stepnote", {}, t.note) : null,
    !docker && l.env.length ? h("pre.cb-env", {}, h("code", {}, show(l.env.join("\n")))) : null,
    h("pre.cb-cmd", {}, h("code", {}, show(docker ? dockerImage(d, st, l.docker) : l.command))),
    foot ? h("p.cb-note", {}, foot) : null);
}

/* The docker form with the CUDA 12.9 image when that build is chosen (same image as Install pulls). */
export function dockerImage(d, st, text) {
  var b = install(d, combo(d, st.v, st.h));
  if (!st.cu || !b.cu || !b.cu[1] || !b.docker) return text;
  var from = b.docker[0].replace(/^docker pull /, ""), to = b.cu[1].replace(/^docker pull /, "");
  return text.split("\n").map(function (line) { return line.indexOf("  " + from + " ") === 0 ? "  " + to + line.slice(from.length + 2) : line; }).join("\n");
}

/* hardware_notes callout (d.hn: notes.py). */
function hardwareNote(d, st) {
  var n = d.hn && d.hn[st.h];
  return n ? h("aside.cb-hwnote", { role: "note" }, h("p.cb-hwnote-title", {}, n[0]), n[1] ? h("p", {}, n[1]) : null,
               n[2] ? h("p", {}, h("a", { href: n[3] }, n[2])) : null) : null;
}
