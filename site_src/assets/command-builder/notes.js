/* vLLM recipes command builder: the hardware note callout above the command (recipe
 * `hardware_notes.<hw>`, stored by builder/site/command_builder/notes.py as d.hn[hw index]). */
import { h } from "./render.js";

export function hardwareNote(d, st) {
  var n = d.hn && d.hn[st.h];
  if (!n) return null;
  return h("aside.cb-hwnote", { role: "note" }, h("p.cb-hwnote-title", {}, n[0]), n[1] ? h("p", {}, n[1]) : null,
           n[2] ? h("p", {}, h("a", { href: n[3] }, n[2])) : null);
}
