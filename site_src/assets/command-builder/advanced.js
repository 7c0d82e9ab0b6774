/* vLLM recipes command builder: the Advanced options (site spec §2.4.8).
 *
 * They are pieces of their own, not feature bits (builder/site/command_builder/features.py), so
 * every recipe offers them however its features interact. st.a holds one 0/1 per `ad` row; which
 * strategies an option does not apply to is read from the row (select: advanced.applies).
 */

export function advancedKeep(d, a) {
  return (d.ad || []).map(function (_, k) { return a && a[k] ? 1 : 0; });
}

export function advancedFromUrl(d, value) {
  var ids = String(value || "").split(",");
  return (d.ad || []).map(function (x) { return ids.indexOf(x[0]) >= 0 ? 1 : 0; });
}

export function advancedParam(d, st) {
  return (d.ad || []).filter(function (_, k) { return st.a[k]; }).map(function (x) { return x[0]; }).join(",");
}

export function clickAdvanced(d, st, k) {
  if (!d.ad || !d.ad[k]) return null;
  st.a = st.a.slice();
  st.a[k] = st.a[k] ? 0 : 1;
  return st;
}

export function advancedRow(d, st, kit) {
  if (!d.ad || !d.ad.length) return null;
  return kit.row("Advanced", kit.group("", d.ad.map(function (x, k) {
    var off = x[3].indexOf(st.s) >= 0 ? "Not used with " + d.st[st.s][1] : null;
    return kit.pill("ad", k, x[1], !!st.a[k], (off ? kit.sentence(off) + " " : "") + kit.sentence(x[2]), off);
  })));
}
