/* vLLM recipes command builder: the "as a file" view (docker-compose.yaml, Kubernetes manifest).
 *
 * builder/synth/manifests.py wrote each file's frame (image, ports, devices, resources) with
 * `@ARGS@` and `@ENV@` lines; this fills them with the tokens of the command shown (listed in the
 * data's `q` where shell quoting makes them differ from a plain split), exactly as
 * manifests.fill does, so entrypoint + args equal the command's argv.
 */
import { combo } from "./data.js";
import { install } from "./state.js";

export var FILES = ["docker-compose.yaml", "Kubernetes"];

function args(d, ids) {
  var out = [];
  ids.forEach(function (sid) {
    var q = d.q[sid], line = d.s[sid], k = line.indexOf(" ");
    out = out.concat(q ? q : k < 0 ? [line] : [line.slice(0, k), line.slice(k + 1)]);
  });
  return out;
}

function env(d, ids) {
  return ids.map(function (sid) {
    if (d.q[sid]) return d.q[sid];
    var line = d.s[sid].slice("export ".length), k = line.indexOf("=");
    return [line.slice(0, k), line.slice(k + 1)];
  });
}

/* The file `which` (0 compose, 1 Kubernetes) of a single-node launch; null when not offered. */
export function manifest(d, st, l, which) {
  var c = combo(d, st.v, st.h);
  if (!c.mf || !d.mf || l.role !== "serve") return null;
  var compose = which === 0, text = d.mf[c.mf[which]], b = install(d, c), out = [];
  if (st.cu && b.cu && b.cu[1] && b.docker) {  // the CUDA 12.9 build, as Install pulls and docker run runs
    var from = JSON.stringify(b.docker[0].replace(/^docker pull /, "")), to = JSON.stringify(b.cu[1].replace(/^docker pull /, ""));
    text = text.split("image: " + from).join("image: " + to);
  }
  var a = args(d, l.lines), e = env(d, l.envLines);
  text.split("\n").forEach(function (line) {
    var indent = line.slice(0, line.length - line.replace(/^\s+/, "").length), t = line.trim();
    if (t === "@ARGS@") a.forEach(function (x) { out.push(indent + "- " + JSON.stringify(x)); });
    else if (t === "@ENV@") {
      if (!e.length) out[out.length - 1] += compose ? " {}" : " []";
      e.forEach(function (kv) {
        if (compose) out.push(indent + kv[0] + ": " + JSON.stringify(kv[1]));
        else out.push(indent + "- name: " + JSON.stringify(kv[0]), indent + "  value: " + JSON.stringify(kv[1]));
      });
    } else out.push(line);
  });
  return out.join("\n");
}
