/* vLLM recipes command builder: the KV Offload row, Mooncake launch steps and companion tabs.
 *
 * builder/site/command_builder/kv.py documents the data and checks every composition below
 * against the Python synthesis: an option's lines, env and docker head are stored once and put
 * after the rendering's own (data.launch); a Mooncake instance's rendezvous lines come from a
 * table per instance; reasons for disabled options are builder/synth/kvchoice.py's sentences.
 * State: st.kv (option index, -1 Off), st.ki (instances, 0 = the topology's default), st.kn
 * (instance shown, 0-based).
 */
import { combo, kind, launches, text } from "./data.js";
import { h, sentence } from "./render.js";

export var MAX_INSTANCES = 16;

function opt(d, st) { return st.kv >= 0 && d.ko ? d.ko[st.kv] : null; }
function isStore(d, st) { var o = opt(d, st); return !!o && o[2] === 1; }

/* Why option o cannot be added here (select.kv_refusal); "" when it can. */
export function kvWhy(d, st, o) {
  var c = combo(d, st.v, st.h);
  if (!d.ko || !c || !c.kv) return "Not offered here.";
  return d.kw[c.kv[c.st.indexOf(st.s)]][o] || "";
}

export function instances(d, st) {
  var o = opt(d, st);
  return !o || o[2] !== 1 ? 1 : st.ki || o[6];
}

/* What data.launch adds for the active option (null: Off). */
export function kvPiece(d, st) {
  var o = opt(d, st);
  if (!o) return null;
  var p = d.kp[st.kv], n = instances(d, st), map = null;
  if (o[2] === 1 && n > 1) {
    map = {};
    Object.keys(d.kr).forEach(function (sid) { map[sid] = d.kr[sid][st.kn]; });
  }
  return { lines: text(d, p[0]), env: p[1], dock: p[2], map: map };
}

export function kvLaunches(d, st) { return launches(d, st, kvPiece(d, st)); }

/* Make the KV part of a state valid: an option that cannot run here falls back to Off. */
export function kvNormalize(d, st) {
  if (!(st.kv >= 0 && d.ko && st.kv < d.ko.length) || kvWhy(d, st, st.kv)) st.kv = -1;
  if (!(st.ki >= 1 && st.ki <= MAX_INSTANCES) || !isStore(d, st)) st.ki = 0;
  if (!(st.kn >= 0 && st.kn < instances(d, st))) st.kn = 0;
  return st;
}

export function kvClick(d, st, a, i) {
  var before = st.kv;
  if (a === "kv") st.kv = i;
  else if (a === "kvg") {  // a group pill: its first member that can run here
    var members = d.ko.map(function (o, j) { return o[3] === i && !kvWhy(d, st, j) ? j : -1; })
      .filter(function (j) { return j >= 0; });
    if (!members.length || d.ko[st.kv] && d.ko[st.kv][3] === i) return st;
    st.kv = members[0];
  } else if (a === "ki") st.ki = Math.max(1, Math.min(MAX_INSTANCES, i | 0));
  else if (a === "kn") st.kn = Math.max(0, (i | 0) - 1);
  if (st.kv !== before) { st.ki = 0; st.kn = 0; st.tab = 0; st.node = 0; }
  if (a === "ki") st.kn = Math.min(st.kn, instances(d, st) - 1);
  return st;
}

export function kvFromUrl(d, st, q) {
  if (!d.ko) return st;
  var key = q.get("kv_offload"), n = parseInt(q.get("kv_instances"), 10), k = parseInt(q.get("kv_instance"), 10);
  st.kv = d.ko.map(function (o) { return o[0]; }).indexOf(key);
  st.ki = isNaN(n) ? 0 : n;
  st.kn = isNaN(k) ? 0 : k;
  return st;
}

export function kvToUrl(d, st, set) {
  var o = opt(d, st);
  if (!o) return;
  set.push(["kv_offload", o[0]]);
  if (o[2] === 1 && instances(d, st) !== o[6]) set.push(["kv_instances", instances(d, st)]);
  if (st.kn) set.push(["kv_instance", st.kn]);
}

/* ---- drawing -------------------------------------------------------------------------------- */

function pill(a, i, label, on, tip, why) {
  if (why) tip = why;  // a disabled pill says why (hover and keyboard focus), not what it is
  var id = "cb-tip-" + a + "-" + i;
  return h("button.cb-pill" + (on ? ".cb-on" : ""), { type: "button", "data-a": a, "data-i": i, "aria-pressed": on ? "true" : "false",
    "aria-disabled": why ? "true" : null, "data-why": why || null, "aria-describedby": tip ? id : null },
    label, tip ? h("span.cb-tip", { id: id, role: "tooltip" }, tip) : null);
}

function row(label, body, note, nested) {
  return h("div.cb-row" + (nested ? ".cb-nested" : ""), {}, h("div.cb-label", {}, label),
           h("div.cb-ctl", {}, body, note ? h("div.cb-note", {}, note) : null));
}

function docs(url) { return url ? [" ", h("a", { href: url, rel: "noopener", target: "_blank" }, "Docs ↗")] : null; }

/* The KV Offload row and its nested rows; null when the page offers no option. */
export function kvRows(d, st, c) {
  if (!d.ko || !c.kv) return null;
  var cur = opt(d, st), top = [pill("kv", -1, "Off", st.kv < 0, "The KV cache stays in GPU memory.", null)], seen = {};
  d.ko.forEach(function (o, j) {
    if (o[3] < 0) { top.push(pill("kv", j, o[1], st.kv === j, sentence(o[4]), kvWhy(d, st, j) || null)); return; }
    if (seen[o[3]]) return;
    seen[o[3]] = true;
    var g = d.kg[o[3]], members = d.ko.map(function (x, k) { return x[3] === o[3] ? k : -1; }).filter(function (k) { return k >= 0; });
    var open = members.filter(function (k) { return !kvWhy(d, st, k); });
    top.push(pill("kvg", o[3], g[1], !!cur && cur[3] === o[3], sentence(g[5] || g[3]), open.length ? null : kvWhy(d, st, members[0])));
  });
  var note = cur ? [cur[3] >= 0 ? d.kg[cur[3]][1] + ": " : "", sentence(cur[4]), docs(cur[5] || (cur[3] >= 0 ? d.kg[cur[3]][4] : ""))] :
    "Off: the KV cache stays in GPU memory.";  // the same text as kv.py's default_row (server markup)
  var out = [row("KV Offload", h("div.cb-group", {}, top), note)];
  if (cur && cur[3] >= 0) {
    var g = d.kg[cur[3]];
    out.push(row(g[2], h("div.cb-group", {}, d.ko.map(function (x, k) {
      return x[3] === cur[3] ? pill("kv", k, x[1], k === st.kv, sentence(x[4]), kvWhy(d, st, k) || null) : null;
    })), null, true));
  }
  if (cur && cur[2] === 1) {
    var hw = d.hw[st.h], nodes = kind(d, st.s) === 1 ? st.n : 1, n = instances(d, st);
    out.push(row("Instances", [h("input.cb-num", { type: "number", min: 1, max: MAX_INSTANCES, value: n, "data-a": "ki",
      "aria-label": "Instances", id: "cb-kv-instances" }),
      h("span.cb-hint", {}, " × " + nodes + " node" + (nodes > 1 ? "s" : "") + " × " + hw[3] + " GPUs = " + n * nodes * hw[3] + " GPUs total")],
      n > 1 ? "A cache-aware router spreads requests over the instances." : "One instance: Mooncake is its CPU offload tier.", true));
  }
  return out;
}

function fake(role, command) { return { role: role, rank: 0, env: [], lines: [], command: command, docker: null }; }

function tab(i, label, on) {
  return h("button.cb-tab" + (on ? ".cb-on" : ""), { type: "button", role: "tab", "data-a": "tab", "data-i": i,
    "aria-selected": on ? "true" : "false", tabindex: on ? 0 : -1 }, h("span.cb-step", {}, (i + 1) + ". "), label);
}

/* The launch steps when an option or a companion adds processes; null otherwise (render.tabs). */
export function kvTabs(d, st, ls) {
  var o = opt(d, st), steps = [], comp = o && o[8] >= 0 && kind(d, st.s) === 0 ? [d.kc[o[8]]] : [];
  comp.forEach(function (x) { steps.push({ name: x[0], launch: fake("companion", x[2]), note: sentence(x[1]) }); });
  var m = o && o[2] === 1 ? d.km[st.kv] : null, n = instances(d, st);
  if (m) {
    steps.push({ name: "Mooncake Config", launch: fake("config", m.cfg), note: "Writes the config files the other steps read." });
    steps.push({ name: "Mooncake Master", launch: fake("master", m.ms), note: "One per cluster, on $MOONCAKE_MASTER_IP." });
    if (m.st) steps.push({ name: "Mooncake Store", launch: fake("store", m.st), note: "The shared memory pool; start it after the master." });
  }
  if (!steps.length) return null;
  var serve = steps.length;
  ls.forEach(function (l, i) {
    steps.push({ name: ls.length > 1 ? (i ? "Node " + i : "Head") : "vLLM Serve", launch: l, serve: true,
                 client: n === 1 && i === 0 });
  });
  if (m && n > 1) {
    var router = m.rh.concat(m.rb.slice(0, n), m.rt).join(" \\\n");
    steps.push({ name: "Router", launch: fake("router", router), note: "# Install: " + m.ri + " · listens on port " + m.rp, client: true });
  }
  var at = Math.min(st.tab, steps.length - 1), step = steps[at];
  var el = [h("div.cb-tabs", { role: "tablist", "aria-label": "Launch steps" }, steps.map(function (x, i) { return tab(i, x.name, i === at); }))];
  if (m && n > 1 && step.serve) {
    el.push(h("label.cb-instance", {}, "Instance ", h("input.cb-num", { type: "number", min: 1, max: n, value: st.kn + 1, "data-a": "kn",
      "aria-label": "Instance shown" }), " of 1.." + n + " — runs on $VLLM_INSTANCE_" + (st.kn + 1)));
  }
  return { el: el, launch: step.launch, note: step.note || null, client: !!step.client, first: serve };
}

/* Why cURL and Bench are off on the shown step ("" when clients connect to it). */
export function kvClientWhy(d, st, ls) {
  var t = kvTabs(d, st, ls);
  if (!t || t.client) return "";
  return instances(d, st) > 1 ? "Clients connect to the router: open the Router tab." :
    "Clients connect to vLLM Serve: open that tab.";
}

export function kvSummary(d, st) {
  var o = opt(d, st);
  if (!o) return "";
  var label = o[1].replace(/ \(.*\)$/, "");
  return " · " + (o[3] >= 0 ? d.kg[o[3]][1] + " (" + label + ")" : label) + (o[2] === 1 ? " × " + instances(d, st) : "");
}

export function kvActive(d, st) { return !!opt(d, st); }
export function kvRouted(d, st) { var c = combo(d, st.v, st.h); return isStore(d, st) && instances(d, st) > 1 && c.kk !== undefined; }
export function kvNodesLabel(d, st) { return isStore(d, st) ? "Nodes / Instance" : "Nodes"; }

/* [command, note] of the active option's install step, for this hardware's brand; null if none. */
export function kvInstall(d, st) {
  var o = opt(d, st), cmd = o && o[7][d.hw[st.h][2]];
  return cmd ? [cmd, "needed by " + (o[3] >= 0 ? d.kg[o[3]][1] + " " : "") + o[1]] : null;
}
