/* vLLM recipes command builder: reading the data the Python build inlined in the page.
 *
 * builder/site/command_builder/decode.py is the Python twin of this file and documents the format.
 * Nothing here knows how a vLLM command is made: it joins stored lines of stored renderings.
 * Features are a list of 0/1 flags, one per feature, so a recipe may have any number of them.
 */
export var ROLES = ["serve", "head", "worker", "prefill", "decode", "router"];

/* Parse the inlined JSON and undo the wire deltas (decode.unpack). */
export function load(json) {
  var d = JSON.parse(json), p = 0;
  d.l.forEach(function (row) { p += row[3]; row[3] = p; });
  p = 0;
  d.r.forEach(function (r) {
    if (Array.isArray(r)) for (var i = 0; i < r.length; i++) { p += r[i]; r[i] = p; }
  });
  d.pools = [[0, 0]];  // PD size pairs (decode.unpack): co-located, then prefill-major 1..pmax
  for (var a = 1; a <= (d.pmax || 0); a++) for (var b = 1; b <= d.pmax; b++) d.pools.push([a, b]);
  d.memo = {};
  return d;
}

export function text(d, t) {
  if (t < 0) return [];
  if (d.memo[t]) return d.memo[t];
  var e = d.t[t], v = e;
  if (e.length && e[0] < 0) {
    var b = text(d, t + e[0]);
    v = b.slice(0, e[1]).concat(e.slice(3), b.slice(b.length - e[2]));
  }
  return (d.memo[t] = v);
}

function pick(map, own, key) {
  return map[own] !== undefined ? map[own] : map[key] !== undefined ? map[key] : key;
}

function strings(d, ids) { return ids.map(function (i) { return d.s[i]; }); }

/* The key of a feature subset in a rendering's "x" table: the decimal bit mask (BigInt: no 32-bit
   wrap), then ".mode" for each enabled feature with modes (features.subset_key). */
export function maskKey(f, m) {
  var k = BigInt(0), modes = "";
  for (var i = 0; i < f.length; i++) {
    if (!f[i]) continue;
    k += BigInt(1) << BigInt(i);
    if (m && m[i] >= 0) modes += "." + m[i];
  }
  return k.toString() + modes;
}

function any(f) { return f.some(function (x) { return x; }); }

/* Base lines minus what the enabled pieces drop, then the advanced options' lines, then the
   features' (a feature with modes contributes its chosen mode's piece; decode.Decoder.lines). */
/* `kv` (kv.kvPiece): a KV option's lines go last, its env and docker head replace the launch's. */
/* `swaps` and `rank` make it another node of a larger pool (pools.py). */
export function launch(d, id, f, m, a, kv, swaps, rank) {
  var row = d.l[id], lines = text(d, row[3]);
  a = a || [];
  if (row[5] >= 0 && (any(f) || any(a))) {
    var drop = {}, added = [], options = [];
    var apply = function (piece, into) {
      if (Array.isArray(piece)) {
        piece.slice(1).forEach(function (p) { drop[p] = true; });
        piece = piece[0];
      }
      return into.concat(text(d, piece));
    };
    d.fv[row[5]].forEach(function (piece, bit) {
      if (piece !== null && typeof piece === "object" && piece.a) {
        piece.a.forEach(function (p, k) { if (a[k]) options = apply(p, options); });
        return;
      }
      if (!f[bit]) return;
      if (piece !== null && typeof piece === "object" && piece.m) piece = m && m[bit] >= 0 ? piece.m[m[bit]] : -1;
      added = apply(piece, added);
    });
    lines = lines.filter(function (_, i) { return !drop[i]; }).concat(options, added);
  }
  var env = row[2], head = row[4];
  if (kv) {
    if (kv.map) lines = lines.map(function (s) { return kv.map[s] !== undefined ? kv.map[s] : s; });
    lines = lines.concat(kv.lines);
    // A launch-specific map ("#" + launch id) wins over the one keyed by the launch's text (kv.py).
    env = pick(kv.env, "#" + id, env);
    head = pick(kv.dock, "#" + id, head);
  }
  var envs = text(d, env), dock = text(d, head);
  (swaps || []).forEach(function (sw) {
    var to = {}, map = function (x) { return to[x] !== undefined ? to[x] : x; };
    for (var i = 0; i < sw.length; i += 2) to[sw[i]] = sw[i + 1];
    envs = envs.map(map); lines = lines.map(map); dock = dock.map(map);
  });
  return { role: ROLES[row[0]], rank: rank === undefined ? row[1] : rank, env: strings(d, envs), lines: lines, envLines: envs,
           command: strings(d, lines).join(d.sep),
           docker: head >= 0 ? strings(d, dock.concat(lines.slice(1))).join(d.sep) : null };
}

/* A pool: a rendering, or [2-node rendering, zs, ys] (pools.py). */
export function part(d, e, size, f, m, a) {
  if (typeof e === "number") return rendering(d, e, f, m, a);
  var two = d.r[e[0]], z = d.zs[e[1]][size - 3];
  return [launch(d, two[0], f, m, a, null, [z]), launch(d, two[1], f, m, a, null, [z])].concat(d.ys[e[2]].slice(0, size - 2).map(function (y, r) {
    return launch(d, two[1], f, m, a, null, [z, y], r + 2);
  }));
}

function router(d, r, pair, st) {
  var m = d.modes.length, ids = text(d, r.h).concat(text(d, r.e[0][pair[0] * m + st.pm]), text(d, r.e[1][pair[1] * m + st.dm]),
                                                   text(d, r.tl[st.pm * m + st.dm]));
  return { role: "router", rank: 0, env: [], lines: ids, envLines: [], command: strings(d, ids).join(d.sep), docker: null };
}

function pdOk(d, r, st) {
  var pair = d.pools[st.pool], m = d.modes.length;
  return !!pair && (pair[0] === 0) === (pair[1] === 0) && r.h >= 0 && r.tl[st.pm * m + st.dm] >= 0 &&
    r.p[pair[0] * m + st.pm] !== -1 && r.d[pair[1] * m + st.dm] !== -1;
}

export function rendering(d, rid, f, m, a, kv) {
  var e = d.r[rid], ids = Array.isArray(e) ? e : (e.x[maskKey(f, m)] || e.l);
  return ids.map(function (id) { return launch(d, id, f, m, a, kv); });
}

export function combo(d, v, h) { return d.c[v + "." + h]; }
export function usable(c) { return !!c && c.rec !== undefined; }
export function kind(d, s) { return d.st[s][4]; }
export function pdDefault(d, c) { return kind(d, c.rec[0]) === 2 ? c.rec.slice(2) : (c.pd || [1, 0, 0]); }
/* The recommended count, else the smallest offered (GPU floors: select.node_floor). */
export function nodesDefault(d, c, s) {
  if (c.rec[0] === s && kind(d, s) === 1) return c.rec[1];
  var i = c.st.indexOf(s), r = i >= 0 && kind(d, s) === 1 ? c.r[i] : null;
  for (var j = 0; r && j < r.length; j++) if (r[j] >= 0) return d.nodes[j];
  return d.nodes[0];
}
export function featureDefaults(d, c) {
  return d.ft.map(function (_, i) { return c.fd.indexOf(i) >= 0 ? 1 : 0; });
}
function entry(d, st) { var c = combo(d, st.v, st.h); return c.r[c.st.indexOf(st.s)]; }
function ok(x) { return typeof x === "number" && x >= 0; }

export function available(d, st) {
  var r = entry(d, st), k = kind(d, st.s);
  if (k === 0) return ok(r);
  if (k === 1) return ok(r[d.nodes.indexOf(st.n)]);
  return pdOk(d, r, st);
}

/* Every launch of a state: one, one per node, or prefill + decode + router. */
export function launches(d, st, kv) {
  var r = entry(d, st), k = kind(d, st.s), m = d.modes.length;
  if (k === 0) return rendering(d, r, st.f, st.m, st.a, kv);
  if (k === 1) return rendering(d, r[d.nodes.indexOf(st.n)], st.f, st.m, st.a, kv);
  var pair = d.pools[st.pool];
  return part(d, r.p[pair[0] * m + st.pm], pair[0], st.f, st.m, st.a)
    .concat(part(d, r.d[pair[1] * m + st.dm], pair[1], st.f, st.m, st.a), [router(d, r, pair, st)]);
}

/* Which node counts / pool sizes a strategy offers on the state's pair (for the Nodes row). */
export function strategyEntry(d, st) { return entry(d, st); }
