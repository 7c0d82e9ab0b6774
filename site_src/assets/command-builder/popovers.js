/* vLLM recipes command builder: the card's buttons and popovers (Copy, cURL, Bench, Python, Env).
 *
 * The client examples were written by builder/synth/snippets.py; the Env popover fills the
 * `$PLACEHOLDERS` found in what is shown with the reader's own values, kept in localStorage
 * (the builder's only local state, shared by all recipes as on upstream).
 */
import { combo, kind } from "./data.js";
import { FILES, manifest } from "./files.js";
import { h, tabs } from "./render.js";
import { kvClientWhy, kvRouted } from "./kv.js";

var STORE = "vllm-recipes:cluster-endpoints";
var HINTS = { HEAD_IP: "10.0.0.1", IFACE_NAME: "eth0", ROUTER_HOST: "0.0.0.0", ROUTER_PORT: "30000",
              PREFILL_DP_RPC_PORT: "12345", DECODE_DP_RPC_PORT: "12346" };
var TIPS = { IFACE_NAME: "The NIC of the cluster fabric: `ip -br addr` on a node lists it.",
             HEAD_IP: "The rank-0 node's address: `hostname -I` on that node." };
var NOFILE = ["No compose file for this step: it does not run in the vLLM image.",
              "No Kubernetes manifest for this step: the router installs with pip, roles sharing one node's GPUs " +
              "need one pod, and pool nodes that differ beyond their rank are not one LeaderWorkerSet."];
var FILENOTE = ["The service of the node in the tab shown: run each tab's file on its node.",
                "One file for every node of this step: the leader runs the first tab, the worker template the others."];
export var PANELS = [["curl", "cURL", 0], ["bench", "Bench", 1], ["python", "Python", 2], ["file", "As a file", -2],
                     ["env", "Env", -1]];

export function envValues() {
  try {
    var v = JSON.parse(localStorage.getItem(STORE) || "{}");
    return v && typeof v === "object" && !Array.isArray(v) ? v : {};
  } catch (e) { return {}; }
}

function saveEnv(values) {
  try { localStorage.setItem(STORE, JSON.stringify(values)); } catch (e) { /* private mode: keep in memory */ }
}

/* `$NAME` → value for every filled name; whole names only, longest first ($FOO never eats $FOOBAR). */
export function fill(text, values) {
  Object.keys(values).filter(function (k) { return /^[A-Z_][A-Z0-9_]*$/.test(k) && values[k]; })
    .sort(function (a, b) { return b.length - a.length; })
    .forEach(function (k) {
      text = text.replace(new RegExp("\\$" + k + "(?![A-Za-z0-9_])", "g"), function () { return values[k]; });
    });
  return text;
}

export function placeholders(texts) {
  var found = [];
  texts.join("\n").replace(/\$([A-Z_][A-Z0-9_]*)/g, function (_, name) { if (found.indexOf(name) < 0) found.push(name); return _; });
  return found;
}

export function snippets(d, st) {
  var c = combo(d, st.v, st.h), i = c.k[kind(d, st.s)];
  if (kvRouted(d, st)) return d.ks[c.kk];  // clients of Mooncake instances talk to the router
  return i >= 0 ? d.sn[i] : null;
}

export function buttons(self) {
  var n = Object.keys(envValues()).filter(function (k) { return envValues()[k]; }).length;
  return h("span.cb-actions", {},
    h("button.cb-copy", { type: "button", "data-a": "copy", "data-i": 0 }, "Copy"),
    PANELS.map(function (p) {
      var why = p[2] >= 0 ? kvClientWhy(self.d, self.st, self.ls || []) : "";  // clients talk to one step only
      return h("button.cb-btn" + (p[0] === "env" && n ? ".cb-has" : ""), { type: "button", "data-a": "pop", "data-i": p[0],
        "aria-haspopup": "dialog", "aria-expanded": self.pop === p[0] ? "true" : "false", "aria-controls": "cb-pop",
        "aria-disabled": why ? "true" : null, "data-why": why || null, "aria-describedby": why ? "cb-tip-pop-" + p[0] : null },
        p[1], p[0] === "env" && n ? " (" + n + ")" : "", why ? h("span.cb-tip", { id: "cb-tip-pop-" + p[0], role: "tooltip" }, why) : null);
    }));
}

/* The open popover, or null. `shown` is every text of the selection (for placeholder detection). */
export function panel(self, shown) {
  var d = self.d, st = self.st, which = self.pop;
  if (!which) return null;
  var values = envValues(), body;
  if (which === "env") {
    var names = placeholders(shown);
    body = names.length ? names.map(function (name) {
      return h("label.cb-field", {}, h("span", {}, "$" + name),
        h("input", { type: "text", "data-env": name, value: values[name] || "", placeholder: HINTS[name] || "value",
                     autocomplete: "off", spellcheck: "false" }),
        TIPS[name] ? h("small", {}, TIPS[name]) : null);
    }) : h("p", {}, "No $PLACEHOLDERS in these commands.");
    body = [h("p.cb-note", {}, "Values fill every command and example shown, and stay in this browser only."), body,
            Object.keys(values).length ? h("button.cb-btn", { type: "button", "data-a": "envclear", "data-i": 0 }, "Clear all") : null];
  } else if (which === "file") {
    var l = tabs(d, st, self.ls).launch, f = self.file || 0, text = manifest(d, st, self.ls, l, f);
    body = [h("div.cb-tabs", { role: "tablist", "aria-label": "File" }, FILES.map(function (name, i) {
        var on = f === i;
        return h("button.cb-tab" + (on ? ".cb-on" : ""), { type: "button", role: "tab", "data-a": "file", "data-i": i,
          "aria-selected": on ? "true" : "false", tabindex: on ? 0 : -1 }, name);
      })), text === null ? h("p.cb-note", {}, NOFILE[f]) :
      [self.ls.length > 1 ? h("p.cb-note", {}, FILENOTE[f]) : null,
       h("button.cb-btn", { type: "button", "data-a": "copyfile", "data-i": f }, "Copy"),
       h("pre.cb-snippet.cb-file", {}, h("code", {}, fill(text, values)))]];
  } else {
    var sn = snippets(d, st), p = PANELS.filter(function (x) { return x[0] === which; })[0];
    var text = sn ? fill(sn[p[2]], values) : "";
    body = sn ? [h("button.cb-btn", { type: "button", "data-a": "copypop", "data-i": p[2] }, "Copy"),
                 h("pre.cb-snippet", {}, h("code", {}, text))] : h("p", {}, "No client example for this selection.");
  }
  return h("div.cb-pop", { id: "cb-pop", role: "dialog", "aria-label": which === "env" ? "Cluster environment" : which + " example" }, body);
}

export function copyText(text, button) {
  var done = function () {
    var old = button.textContent;
    button.textContent = "Copied";
    button.classList.add("cb-done");
    setTimeout(function () { button.textContent = old === "Copied" ? "Copy" : old; button.classList.remove("cb-done"); }, 2000);
  };
  if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, function () {});
  else {
    var area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
    done();
  }
}

export function setEnv(name, value) {
  var values = envValues();
  if (value) values[name] = value; else delete values[name];
  saveEnv(values);
}

export function clearEnv() { saveEnv({}); }
