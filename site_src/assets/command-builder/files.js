/* vLLM recipes command builder: the "as a file" view (docker-compose.yaml, Kubernetes manifest).
 *
 * builder/synth/manifests.py wrote the templates and builder/site/command_builder/files.py
 * chose which one fits each launch the page can show (its docstrings document both). This picks
 * the template of the launch tab shown and fills it with the tokens of the shown commands (listed
 * in the data's `q` where shell quoting makes them differ from a plain split), exactly as
 * manifests.fill does; the substitutions that turn rank 1 into every worker come with the template.
 */
import { combo, kind } from "./data.js";
import { install } from "./state.js";

export var FILES = ["docker-compose.yaml", "Kubernetes"];
var MARK = /^@(ARGS|ENV|ENVMAP|SH)(?::(\d+))?@(?: (\{.*\}))?$/;

function has(o, k) { return Object.prototype.hasOwnProperty.call(o, k); }

function tokens(d, sid) {
  var q = d.q[sid], line = d.s[sid], k = line.indexOf(" ");
  return q ? q : k < 0 ? [line] : [line.slice(0, k), line.slice(k + 1)];
}

function args(d, ids) {
  var out = [];
  ids.forEach(function (sid) { out = out.concat(tokens(d, sid)); });
  return out;
}

function env(d, ids) {
  return ids.map(function (sid) {
    if (d.q[sid]) return d.q[sid];
    var line = d.s[sid].slice("export ".length), k = line.indexOf("=");
    return [line.slice(0, k), line.slice(k + 1)];
  });
}

/* manifests.swap: the value after a flag key, or a whole token equal to a key. */
function swap(t, subs) {
  return t.map(function (x, i) {
    var p = i ? t[i - 1] : "";
    return p.charAt(0) === "-" && has(subs, p) ? subs[p] : x.charAt(0) !== "-" && has(subs, x) ? subs[x] : x;
  });
}

/* manifests.shell_line: `exec` + the stored command lines, a line's value swapped where a key says. */
function shell(d, l, subs) {
  return "exec " + l.lines.map(function (sid, i) {
    if (!i) return d.s[sid];
    var t = tokens(d, sid), s = swap(t, subs);
    return s.every(function (x, j) { return x === t[j]; }) ? d.s[sid] : [t[0]].concat(s.slice(1)).join(" ");
  }).join(" ");
}

function fill(d, text, vals, l, group) {
  var out = [];
  text.split("\n").forEach(function (line) {
    var indent = line.slice(0, line.length - line.replace(/^\s+/, "").length), m = MARK.exec(line.trim());
    if (!m) {
      Object.keys(vals).forEach(function (k) { line = line.split(k).join(vals[k]); });
      out.push(line);
      return;
    }
    var x = m[2] === undefined ? l : group[+m[2]], subs = m[3] ? JSON.parse(m[3]) : {};
    if (m[1] === "ARGS") swap(args(d, x.lines), subs).forEach(function (a) { out.push(indent + "- " + JSON.stringify(a)); });
    else if (m[1] === "SH") out.push(indent + "- " + JSON.stringify(shell(d, x, subs)));
    else {
      var e = env(d, x.envLines), map = m[1] === "ENVMAP";
      if (!e.length) out[out.length - 1] += map ? " {}" : " []";
      e.forEach(function (kv) {
        var v = has(subs, kv[1]) ? subs[kv[1]] : kv[1];
        if (map) out.push(indent + kv[0] + ": " + JSON.stringify(v));
        else out.push(indent + "- name: " + JSON.stringify(kv[0]), indent + "  value: " + JSON.stringify(v));
      });
    }
  });
  return out.join("\n");
}

function family(role) { return role === "head" || role === "worker" ? "node" : role; }

/* [compose, kubernetes] template indexes for launch l (files.py's `mf` entries), or null. */
function pick(d, st, l) {
  var c = combo(d, st.v, st.h), j = c.st.indexOf(st.s), e = c.mf && j >= 0 ? c.mf[3][j] : -1;
  if (!Array.isArray(e)) return null;
  if (kind(d, st.s) === 2) {
    var r = ["prefill", "decode"].indexOf(l.role);
    if (r < 0) return null;
    var x = e[r];
    return [x[0], x[1][d.sizes.indexOf(d.pools[st.pool][r])][r ? st.dm : st.pm]];
  }
  return l.role === "serve" || family(l.role) === "node" ? e : null;
}

/* The file `which` (0 compose, 1 Kubernetes) of the shown launch l among ls; null when not offered. */
export function manifest(d, st, ls, l, which) {
  var e = pick(d, st, l), i = e ? e[which] : -1;
  if (i < 0) return null;
  var c = combo(d, st.v, st.h), b = install(d, c), image = c.mf[0];
  if (st.cu && b.cu && b.cu[1] && b.docker && b.docker[0] === "docker pull " + image) {
    image = b.cu[1].replace(/^docker pull /, "");  // the CUDA 12.9 build, as Install pulls and docker run runs
  }
  var group = ls.filter(function (x) { return family(x.role) === family(l.role); });
  return fill(d, d.mf[i], { "@IMAGE@": image, "@NAME@": c.mf[1], "@GPUS@": String(c.mf[2]), "@SIZE@": String(group.length) },
              l, group);
}
