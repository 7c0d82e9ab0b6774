/* vLLM recipes command builder: attaching builders to recipe pages and handling input.
 *
 * Every command was computed by the Python build (builder/site/command_builder/). This module
 * picks stored renderings on clicks: 0 network requests, state in the URL (pushState, restored on
 * popstate). It is an ES module, so it runs once per document however often Material's instant
 * navigation re-inserts its <script>; builders are (re)attached on every `document$` emission.
 * No global names are read or written (an element id can never shadow them).
 */
import { load } from "./data.js";
import { kvLaunches as launches } from "./kv.js";
import { click, fromUrl, toUrl } from "./state.js";
import { buttons, clearEnv, copyText, envValues, fill, panel, setEnv, snippets } from "./popovers.js";
import { card, dockerImage, rows, tabs } from "./render.js";

var live = [];

function shownTexts(self, ls) {  // everything the selection shows, for placeholder detection
  var out = [];
  ls.forEach(function (l) { out.push(l.env.join("\n"), l.command); });
  var sn = snippets(self.d, self.st);
  return sn ? out.concat(sn) : out;
}

function draw(self) {
  var d = self.d, st = self.st, ui = self.root.querySelector(".cb-ui"), ls = launches(d, st);
  self.ls = ls;
  var values = envValues(), show = function (t) { return fill(t, values); };
  var f = document.activeElement, keep = f && ui.contains(f) ?
    [f.getAttribute("data-a"), f.getAttribute("data-i"), f.getAttribute("data-env")] : null;
  var old = ui.querySelector(".cb-cmd"), before = old ? old.textContent : null;
  var c = d.c[st.v + "." + st.h];
  var status = self.root.querySelector(".cb-status");
  var said = status ? status.textContent : "";
  ui.replaceChildren(card(d, st, ls, show, buttons(self)), panel(self, shownTexts(self, ls)) || "",
                     Object.assign(document.createElement("p"), { className: "cb-status", textContent: said }),
                     rows(d, st, c));
  ui.querySelector(".cb-status").setAttribute("role", "status");
  ui.querySelector(".cb-status").setAttribute("aria-live", "polite");
  var cmd = ui.querySelector(".cb-cmd");
  if (before !== null && before !== cmd.textContent) {  // a short highlight when the command changes
    cmd.classList.add("cb-flash");
    setTimeout(function () { cmd.classList.remove("cb-flash"); }, 600);
  }
  if (keep) {
    var sel = keep[2] ? '[data-env="' + CSS.escape(keep[2]) + '"]' : keep[1] === null && keep[0] ?
      'input[data-a="' + CSS.escape(keep[0]) + '"]' :
      '[data-a="' + CSS.escape(keep[0] || "") + '"][data-i="' + CSS.escape(keep[1] || "") + '"]';
    var again = ui.querySelector(sel);
    if (again) again.focus();
  }
}

function say(self, msg) { self.root.querySelector(".cb-status").textContent = msg; }

function update(self, st, push) {
  self.st = st;
  draw(self);
  var url = toUrl(self.d, self.st);
  if (url !== location.pathname + location.search + location.hash) history[push ? "pushState" : "replaceState"](null, "", url);
}

function shownCommand(self) {
  var st = self.st, l = tabs(self.d, st, launches(self.d, st)).launch, values = envValues();
  var body = st.inst === "docker" && l.docker !== null ? dockerImage(self.d, st, l.docker) :
    (l.env.length ? l.env.join("\n") + "\n\n" : "") + l.command;
  return fill(body, values);
}

function onClick(self, e) {
  var b = e.target.closest("[data-a]");
  if (!b || !self.root.contains(b)) {
    if (self.pop && !e.target.closest(".cb-pop")) { self.pop = null; draw(self); }
    return;
  }
  var a = b.getAttribute("data-a"), raw = b.getAttribute("data-i"), i = +raw, d = self.d;
  if (b.getAttribute("aria-disabled") === "true") { say(self, b.getAttribute("data-why") || ""); return; }
  if (a === "copy") { copyText(shownCommand(self), b); return; }
  if (a === "pop") { self.pop = self.pop === raw ? null : raw; draw(self); return; }
  if (a === "copypop") { copyText(fill(snippets(d, self.st)[i], envValues()), b); return; }
  if (a === "envclear") { clearEnv(); draw(self); return; }
  if (a === "copyinst") { copyText(self.root.querySelector(".cb-install").textContent, b); return; }
  if (a === "file") { self.file = i; draw(self); return; }
  if (a === "copyfile") { copyText(self.root.querySelector(".cb-file").textContent, b); return; }
  if (a === "selfhost") { var dlg = self.root.querySelector("dialog.cb-selfhost"); if (dlg) dlg.showModal(); return; }
  if (a === "tab" || a === "node") {
    var st = Object.assign({}, self.st);
    if (a === "tab") { st.tab = i; st.node = 0; } else st.node = i;
    self.st = st;
    draw(self);
    return;
  }
  var next = click(d, self.st, a, i);
  if (!next) return;
  update(self, next.st, true);
  say(self, next.say);
}

function onKey(self, e) {
  var t = e.target;
  if (e.key === "Escape" && self.pop) {
    var which = self.pop;
    self.pop = null;
    draw(self);
    var btn = self.root.querySelector('[data-a="pop"][data-i="' + which + '"]');
    if (btn) btn.focus();
    return;
  }
  if (t.getAttribute("role") !== "tab" || ["ArrowLeft", "ArrowRight", "Home", "End"].indexOf(e.key) < 0) return;
  var all = Array.prototype.slice.call(t.parentNode.querySelectorAll('[role="tab"]')), i = all.indexOf(t);
  i = e.key === "Home" ? 0 : e.key === "End" ? all.length - 1 : (i + (e.key === "ArrowLeft" ? -1 : 1) + all.length) % all.length;
  e.preventDefault();
  var a = all[i].getAttribute("data-a"), j = all[i].getAttribute("data-i");
  all[i].click();  // redraws: focus the tab of the same name in the new markup
  var next = self.root.querySelector('[role="tab"][data-a="' + a + '"][data-i="' + j + '"]');
  if (next) next.focus();
}

function onInput(self, e) {
  var num = e.target.getAttribute("data-a");  // the Instances / Instance inputs, pools.js inputs
  if (num && e.target.type === "number") {
    var n = parseInt(e.target.value, 10), next = isNaN(n) && num !== "ki" && num !== "kn" ? null :
      click(self.d, self.st, num, Math.max(1, n || 1));
    if (next) update(self, next.st, true); else draw(self);
    return;
  }
  var name = e.target.getAttribute("data-env");
  if (!name) return;
  setEnv(name, e.target.value.trim());
  draw(self);
}

function attach(root) {
  var tpl = root.querySelector("template[data-cb-data]");
  if (!tpl || root.hasAttribute("data-cb-live")) return;
  var d = load(tpl.content.textContent), self = { root: root, d: d, st: null, path: location.pathname, pop: null };
  root.setAttribute("data-cb-live", "");
  self.st = fromUrl(d, location.search);  // the URL is the only selection state (local memory: Env values only)
  var url = toUrl(d, self.st);
  if (url !== location.pathname + location.search + location.hash) history.replaceState(history.state, "", url);
  draw(self);
  root.addEventListener("click", function (e) { onClick(self, e); });
  root.addEventListener("keydown", function (e) { onKey(self, e); });
  root.addEventListener("change", function (e) { onInput(self, e); });
  document.addEventListener("click", function (e) {  // an outside click closes the popover
    if (!self.pop || !e.target.isConnected || root.contains(e.target)) return;  // (redrawn: not outside)
    self.pop = null;
    draw(self);
  });
  live.push(self);
}

function init() {
  live = live.filter(function (s) { return document.body.contains(s.root); });
  document.querySelectorAll("[data-cb]").forEach(attach);
}

window.addEventListener("popstate", function () {
  live.forEach(function (self) {
    if (document.body.contains(self.root) && location.pathname === self.path) {
      self.st = fromUrl(self.d, location.search);
      draw(self);
    }
  });
});

var doc = window.document$;  // Material's observable of page loads (instant navigation)
if (doc && typeof doc.subscribe === "function" && !(doc instanceof Element)) doc.subscribe(init);
else init();
