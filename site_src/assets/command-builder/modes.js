/* vLLM recipes command builder: feature modes ("Spec method") and strategy-gated features.
 *
 * Which modes a variant offers, which mode a command uses when another is chosen, and why a mode
 * or a feature is refused were all decided by builder/synth/select.py and are read from the data
 * (fm, mw, fg and each pair's m: builder/site/command_builder/modes.py); nothing is re-derived.
 * st.m holds a mode index per feature (-1: the feature has no modes, or none runs here).
 */

function modal(d) { return d.fm || []; }

/* The mode a command uses when mode j of fm row k is chosen on pair c (-1: no mode runs). */
function effective(c, k, j) {
  var e = c.m[k][1 + j];
  if (e === undefined || e === -1) return c.m[k][0];  // not offered for this variant: its default
  return e < 0 ? -1 : e;
}

export function modeDefaults(d, c) {
  var m = d.ft.map(function () { return -1; });
  modal(d).forEach(function (r, k) { m[r[0]] = c.m[k][0]; });
  return m;
}

/* Modes on pair c: the chosen ones where they run there, else the mode synthesis uses instead. */
export function carryModes(d, c, m) {
  var out = modeDefaults(d, c);
  if (m) modal(d).forEach(function (r, k) { if (m[r[0]] >= 0) out[r[0]] = effective(c, k, m[r[0]]); });
  return out;
}

/* Apply `feature:mode` pairs (the URL's fmode) to modes m. */
export function pickModes(d, c, m, pairs) {
  m = m.slice();
  pairs.forEach(function (p) {
    modal(d).forEach(function (r, k) {
      if (d.ft[r[0]][0] !== p[0]) return;
      var j = r[2].map(function (x) { return x[0]; }).indexOf(p[1]);
      if (j >= 0) m[r[0]] = effective(c, k, j);
    });
  });
  return m;
}

export function parseModes(value) {
  return String(value || "").split(",").map(function (x) { return x.split(":"); })
    .filter(function (p) { return p.length === 2 && p[0] && p[1]; });
}

/* The enabled features whose mode is not the variant's default, as [feature, mode] pairs. */
export function changedModes(d, st, c, all) {
  var out = [];
  modal(d).forEach(function (r, k) {
    var i = r[0];
    if ((all || st.f[i]) && st.m[i] >= 0 && st.m[i] !== c.m[k][0]) out.push([d.ft[i][0], r[2][st.m[i]][0]]);
  });
  return out;
}

/* The state after clicking mode pill j of fm row k (`md<k>`); null when the pill is disabled. */
export function clickMode(d, st, c, a, j) {
  var k = +a.slice(2), r = modal(d)[k];
  if (!r || effective(c, k, j) !== j) return null;
  st.m = st.m.slice();
  st.m[r[0]] = j;
  return st;
}

/* Why feature i adds nothing under the state's strategy (its `strategies` list); null when it applies. */
export function gateReason(d, st, i) {
  var g = (d.fg || []).filter(function (x) { return x[0] === i && x[1].indexOf(st.s) >= 0; })[0];
  return g ? g[2] : null;
}

/* The active modes' tuning notes, shown under the Features row. */
export function tuningNotes(d, st, kit) {
  return modal(d).map(function (r) {
    var i = r[0];
    return st.f[i] && st.m[i] >= 0 && r[2][st.m[i]][3] ? kit.sentence(r[2][st.m[i]][3]) : "";
  }).filter(function (x) { return x; }).join(" ");
}

/* A nested row per enabled feature with at least two modes for the variant; modes the hardware
   refuses are shown disabled with the reason (hover and keyboard focus, like every pill). */
export function modeRows(d, st, c, kit) {
  return modal(d).map(function (r, k) {
    var i = r[0], row = c.m[k], shown = [];
    if (!st.f[i]) return null;
    r[2].forEach(function (_, j) { if (row[1 + j] !== -1) shown.push(j); });
    if (shown.length < 2) return null;
    var el = kit.row(r[1], kit.group("", shown.map(function (j) {
      var why = row[1 + j] === j ? null : d.mw;  // the tooltip leads with the reason
      return kit.pill("md" + k, j, r[2][j][1], st.m[i] === j, (why ? kit.sentence(why) + " " : "") + kit.sentence(r[2][j][2]), why);
    })));
    el.classList.add("cb-nested");
    return el;
  });
}
