/* Prefill/decode pools of 1–16 nodes: Nodes row, node shown, state and URL (commands: pools.py). */
import { strategyEntry } from "./data.js";
import { group, h, pill, row } from "./render.js";

export var MAX = 16;

function entry(d, st) { return strategyEntry(d, st); }

function sizes(d, r, role, mode) {
  var m = d.modes.length, parts = role ? r.d : r.p, out = [];
  for (var z = 0; z <= MAX; z++) if (parts[z * m + mode] !== undefined && parts[z * m + mode] !== -1) out.push(z);
  return out;
}

function modesOf(d, r, role) {
  return d.modes.map(function (_, i) { return i; }).filter(function (i) { return sizes(d, r, role, i).length; });
}

export function rank(st) { return st.tab === 1 ? st.dr || 0 : st.pr || 0; }

export function poolsRow(d, st) {
  var hw = d.hw[st.h], g = hw[3], r = entry(d, st), pair = d.pools[st.pool];
  function sub(role, a, ma, size, mode) {
    var all = sizes(d, r, role, mode), dedicated = all.filter(function (z) { return z > 0; }), modes = modesOf(d, r, role);
    var name = role ? "Decode" : "Prefill", shared = all.indexOf(0) >= 0;
    var input = h("input.cb-num", { type: "number", min: dedicated[0] || 1, max: dedicated[dedicated.length - 1] || MAX,
                                    value: size || "", "data-a": a, "aria-label": name + " node count" });
    return group(name, [shared ? pill(a, 0, "shared", size === 0, "Both pools share one node", null) : null,
      input, h("span.cb-hint", {}, size ? "× " + g + " = " + size * g + " GPUs" : "½ node = " + g / 2 + " GPUs"),
      modes.length > 1 ? h("span.cb-gap") : null,
      modes.length > 1 ? modes.map(function (i) { return pill(ma, i, d.modes[i].toUpperCase(), i === mode, null, null); }) : null]);
  }
  var nodes = pair[0] ? pair[0] + pair[1] : 1, gpus = pair[0] ? nodes * g : g;
  return row("Nodes", [sub(0, "pn", "pm", pair[0], st.pm), sub(1, "dn", "dm", pair[1], st.dm)],
             "total " + gpus + " GPUs · " + nodes + (nodes > 1 ? " nodes" : " node") + ", plus the router.");
}

export function poolTabs(d, st, ls, strip) {
  var role = ["prefill", "decode", "router"][st.tab], pool = ls.filter(function (l) { return l.role === role; });
  var el = [strip("tab", ["Prefill", "Decode", "Router"], st.tab, "Launch steps")];
  if (st.tab === 2) return { el: el, launch: pool[0] };
  var size = d.pools[st.pool][st.tab], mode = d.modes[st.tab ? st.dm : st.pm], g = d.hw[st.h][3];
  var dl = entry(d, st).dl[st.tab][st.tab ? st.dm : st.pm], n = Math.min(rank(st), pool.length - 1), meta;
  meta = "# " + (size ? size + (size > 1 ? " nodes" : " node") + " × " + g + " GPU = " + size * g + " GPU" : "half a node · " + g / 2 + " GPU") +
    " · " + mode.toUpperCase() + (mode === "dep" && size > 1 ? " · DP=" + size * dl + " (dp_local=" + dl + ", one vllm serve per node)" : "");
  el.push(h("p.cb-note", {}, meta));
  if (pool.length > 1) {
    var side = mode === "dep" ? "start_rank = " + n * dl + " · vLLM spawns " + dl + " local DP ranks per node" :
      "--node-rank = " + n + " · " + (n ? "follower — runs --headless" : "head node — serves HTTP + NIXL");
    el.push(h("p.cb-note.cb-nodepick", {}, h("label", {}, "Node ", h("input.cb-num", { type: "number", min: 1, max: pool.length,
      value: n + 1, "data-a": "rank", "aria-label": "Node whose command is shown" }), " of 1.." + pool.length), " ", h("span.cb-hint", {}, side)));
  }
  return { el: el, launch: pool[n] };
}

export function poolClick(d, st, a, i) {
  if (a === "rank") {
    i = Math.max(0, (i | 0) - 1);
    if (st.tab === 1) st.dr = i; else st.pr = i;
    return st;
  }
  if (a === "pn" || a === "dn") {
    var pair = d.pools[st.pool].slice(), role = a === "pn" ? 0 : 1;
    i = i | 0;
    pair[role] = i <= 0 ? 0 : Math.min(MAX, i);
    if (pair[role] === 0) pair = [0, 0]; else if (pair[1 - role] === 0) pair[1 - role] = 1;
    d.pools.forEach(function (p, j) { if (p[0] === pair[0] && p[1] === pair[1]) st.pool = j; });
  } else if (a === "pm") st.pm = i;
  else if (a === "dm") st.dm = i;
  else return null;
  if (a === "pn" || a === "pm") st.pr = 0; else st.dr = 0;
  st.node = 0;
  return st;
}

export function poolRanksFromUrl(d, st, q) {
  ["prefill_rank", "decode_rank"].forEach(function (k, role) {
    var n = parseInt(q.get(k), 10), size = d.pools[st.pool] ? d.pools[st.pool][role] : 0;
    if (!isNaN(n) && n > 0 && n < size) st[role ? "dr" : "pr"] = n;
  });
  return st;
}

export function poolRanksToUrl(d, st, set) {
  var pair = d.pools[st.pool];
  if (st.pr > 0 && st.pr < pair[0]) set.push(["prefill_rank", st.pr]);
  if (st.dr > 0 && st.dr < pair[1]) set.push(["decode_rank", st.dr]);
}
