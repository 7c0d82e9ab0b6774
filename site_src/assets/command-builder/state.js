/* vLLM recipes command builder: the selection (state), its defaults and its URL form.
 *
 * A state is { v, h, s, n, pool, pm, dm, f: [0|1 per feature], inst, cu, tab, node } in data
 * indexes. The URL is the only shared state; every rule about what may run where was decided by
 * builder/synth/select.py and is read from the data (c.x, c.sub, c.alt, ex), never re-derived.
 */
import { available, combo, featureDefaults, kind, nodesDefault, pdDefault, usable } from "./data.js";
import { poolClick, poolRanksFromUrl, poolRanksToUrl } from "./pools.js";
import { carryModes, changedModes, clickMode, modeDefaults, parseModes, pickModes } from "./modes.js";
import { advancedFromUrl, advancedKeep, advancedParam, clickAdvanced } from "./advanced.js";
import { kvClick, kvFromUrl, kvNormalize, kvToUrl } from "./kv.js";

export var KEYS = ["variant", "hardware", "strategy", "nodes", "prefill_nodes", "decode_nodes", "prefill_mode",
                   "decode_mode", "features", "advanced", "install", "cuda", "fmode", "kv_offload",
                   "kv_instances", "kv_instance", "prefill_rank", "decode_rank"];

export function install(d, c) { return d.inst[c.i]; }
export function installDefault(d, c) { return install(d, c).pip ? "pip" : "docker"; }

/* Turning feature i on turns off every feature it excludes (pairs from select.exclusive_features). */
export function setFeature(d, f, i, on) {
  f = f.slice();
  f[i] = on ? 1 : 0;
  if (on) d.ex.forEach(function (p) { if (p[0] === i) f[p[1]] = 0; else if (p[1] === i) f[p[0]] = 0; });
  return f;
}

function exclusive(d, f) {  // both ends of a pair on (an old link): keep the first
  d.ex.forEach(function (p) { if (f[p[0]] && f[p[1]]) f = setFeature(d, f, p[0], 1); });
  return f;
}

export function fresh(d, v, h, keep) {
  var c = combo(d, v, h), pd = pdDefault(d, c), f = featureDefaults(d, c);
  if (keep) {  // keep the user's feature choices except where the hardware's defaults differ
    var old = featureDefaults(d, combo(d, keep.v, keep.h));
    f = f.map(function (x, i) { return old[i] !== x ? x : keep.f[i]; });
  }
  // Modes: a new variant starts from its own defaults (default_modes); a new hardware keeps the chosen
  // ones where they run, else takes the mode synthesis uses instead.
  var m = keep && keep.v === v ? carryModes(d, c, keep.m) : modeDefaults(d, c);
  return { v: v, h: h, s: c.rec[0], n: nodesDefault(d, c, c.rec[0]), pool: pd[0], pm: pd[1], dm: pd[2], f: exclusive(d, f),
           m: m, a: advancedKeep(d, keep && keep.a), inst: keep ? keep.inst : installDefault(d, c), cu: keep ? keep.cu : 0,
           tab: 0, node: 0, kv: keep ? keep.kv : -1, ki: keep ? keep.ki : 0, kn: 0, pr: 0, dr: 0 };
}

/* The pair a hardware click lands on: the same variant, or the one select.py names instead
   (sub: does not fit a node that cannot be clustered; alt: largest variant that runs there).
   Returns null when nothing runs there. */
export function onHardware(d, v, h) {
  var c = combo(d, v, h);
  if (usable(c)) return { v: v, h: h, why: "" };
  if (c && c.sub !== undefined) return { v: c.sub, h: h, why: d.var[v][1] + " does not fit " + d.hw[h][1] };
  if (c && c.alt !== undefined) return { v: c.alt, h: h, why: c.x };
  return null;
}

/* Make any state valid: unusable pairs, strategies or layouts fall back to the defaults. */
export function normalize(d, st) {
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
  st.f = d.ft.map(function (_, i) { return st.f[i] ? 1 : 0; });
  st.m = carryModes(d, c, st.m);
  st.a = advancedKeep(d, st.a);
  if (!install(d, c)[st.inst]) st.inst = installDefault(d, c);
  if (!install(d, c).cu) st.cu = 0;
  return kvNormalize(d, st);
}

function find(rows, id) {
  for (var i = 0; i < rows.length; i++) if (rows[i][0] === id) return i;
  return -1;
}

/* The state a URL names. */
export function fromUrl(d, search) {
  var q = new URLSearchParams(search), v = find(d.var, q.get("variant")), named = v >= 0;
  if (v < 0 || d.var[v][6] < 0) { v = d.def[0]; named = false; }
  var h = find(d.hw, q.get("hardware"));
  if (h < 0) h = v === d.def[0] ? d.def[1] : d.var[v][6];
  var pick = onHardware(d, v, h);
  // A named variant wins over the hardware (the link is rewritten); otherwise the hardware wins.
  if (pick && (!named || pick.v === v || combo(d, v, h).sub !== undefined)) v = pick.v;
  if (!usable(combo(d, v, h))) h = d.var[v][6];
  var st = fresh(d, v, h), s = find(d.st, q.get("strategy")), c = combo(d, v, h);
  if (s >= 0) st.s = s;
  if (st.s !== c.rec[0]) st.n = nodesDefault(d, c, st.s);
  var n = parseInt(q.get("nodes"), 10);
  if (!isNaN(n)) { st.n = n; st.nx = 1; }
  var pn = parseInt(q.get("prefill_nodes"), 10), dn = parseInt(q.get("decode_nodes"), 10);
  if (!isNaN(pn) && !isNaN(dn)) {
    for (var i = 0; i < d.pools.length; i++) if (d.pools[i][0] === pn && d.pools[i][1] === dn) st.pool = i;
  }
  if (d.modes.indexOf(q.get("prefill_mode")) >= 0) st.pm = d.modes.indexOf(q.get("prefill_mode"));
  if (d.modes.indexOf(q.get("decode_mode")) >= 0) st.dm = d.modes.indexOf(q.get("decode_mode"));
  if (q.has("features")) {
    var f = d.ft.map(function () { return 0; });
    q.get("features").split(",").forEach(function (k) { var j = find(d.ft, k); if (j >= 0) f[j] = 1; });
    st.f = exclusive(d, f);
  }
  if (q.has("advanced")) st.a = advancedFromUrl(d, q.get("advanced"));
  st.m = pickModes(d, c, st.m, q.has("fmode") ? parseModes(q.get("fmode")) : []);
  if (q.get("install") === "pip" || q.get("install") === "docker") st.inst = q.get("install");
  if (q.get("cuda") === "cu129") st.cu = 1;
  return poolRanksFromUrl(d, normalize(d, kvFromUrl(d, st, q)), q);
}

function same(a, b) { return a.length === b.length && a.every(function (x, i) { return !x === !b[i]; }); }

/* Parameters for what differs from the defaults; `hardware` too once anything differs. */
export function toUrl(d, st) {
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
    poolRanksToUrl(d, st, set);
  }
  if (!same(st.f, featureDefaults(d, c))) {
    set.push(["features", d.ft.filter(function (x, i) { return st.f[i]; }).map(function (x) { return x[0]; }).join(",")]);
  }
  var modes = changedModes(d, st, c);
  if (modes.length) set.push(["fmode", modes.map(function (p) { return p.join(":"); }).join(",")]);
  var adv = advancedParam(d, st);
  if (adv) set.push(["advanced", adv]);
  if (st.inst !== installDefault(d, c)) set.push(["install", st.inst]);
  if (st.cu) set.push(["cuda", "cu129"]);
  kvToUrl(d, st, set);
  if (set.length || st.h !== d.def[1]) set.splice(st.v !== d.def[0] ? 1 : 0, 0, ["hardware", d.hw[st.h][0]]);
  set.forEach(function (kv) { q.set(kv[0], kv[1]); });
  var s = q.toString().replace(/%2C/g, ",").replace(/%3A/g, ":");
  return location.pathname + (s ? "?" + s : "") + location.hash;
}

/* The state after clicking pill `a` number `i` (null: nothing to do), with a message to announce. */
export function click(d, cur, a, i) {
  var st = Object.assign({}, cur), say = "";
  if (a === "hw" || a === "var") {
    var v = a === "var" ? i : st.v, h = a === "hw" ? i : st.h, pick = a === "hw" ? onHardware(d, v, h) : null;
    if (a === "hw") {
      if (!pick) return null;
      if (pick.v !== v) say = "Variant switched to " + d.var[pick.v][1] + ": " + pick.why + ".";
      v = pick.v;
    } else if (!usable(combo(d, v, h))) {
      h = d.var[v][6];
      say = "Hardware switched to " + d.hw[h][1] + ": " + d.var[v][1] + " does not run on " + d.hw[st.h][1] + ".";
    }
    st = fresh(d, v, h, st);
  } else if (a === "st") {
    st.s = i; st.tab = 0; st.node = 0;
    // a picked count is kept (normalize grows it to a floor); one that followed a floor snaps back
    if (kind(d, i) === 1 && (!st.nx || d.nodes.indexOf(st.n) < 0)) st.n = nodesDefault(d, combo(d, st.v, st.h), i);
  } else if (a === "n") { st.n = i; st.tab = 0; st.nx = 1; }
  else if (poolClick(d, st, a, i)) { /* pool size, mode or node shown (pools.js) */ }
  else if (a === "ft") {
    var before = st.f;
    st.f = setFeature(d, st.f, i, !st.f[i]);
    var off = d.ft.filter(function (_, j) { return j !== i && before[j] && !st.f[j]; }).map(function (x) { return x[1]; });
    if (off.length) say = d.ft[i][1] + " excludes " + off.join(", ") + ": turned off.";
  } else if (a.slice(0, 2) === "md") {
    if (!clickMode(d, st, combo(d, st.v, st.h), a, i)) return null;
  } else if (a === "ad") {
    if (!clickAdvanced(d, st, i)) return null;
  } else if (a === "inst") st.inst = i ? "docker" : "pip";
  else if (a === "cu") st.cu = i;
  else if (["kv", "kvg", "ki", "kn"].indexOf(a) >= 0) st = kvClick(d, st, a, i);
  else return null;
  return { st: normalize(d, st), say: say };
}
