"""The "you decide" panel of a lesson page: the decision, story cards, dotplots, pairs.

:func:`panel_html` turns :func:`kabulsim.explorer.lesson.run_lesson`'s tables into one HTML
section with its own small script (plain SVG, no library), placed above the explorer's charts
(:func:`kabulsim.explorer.page.render_html`'s ``lead``). The student picks an option in each
menu; the panel then shows, for that case against the record's case (grey):

* the story cards of the replications at the 5th, 50th and 95th percentiles of the date of
  entry in the record's case, the shared beginning folded away;
* a quantile dotplot of each headline outcome (20 dots, each 5% of the replications; a
  replication where the outcome is missing is drawn at the right, "none");
* the hypothetical outcomes: one pair of replications at a time (the same random numbers
  under both choices), stepped with a button or played.
"""

from __future__ import annotations

import html
import json
from typing import Any

_STYLE = """
#lesson { border: 1px solid #CCC; background: #FBFBF8; padding: 10px 16px; margin: 10px 0; }
#lesson h2 { margin-top: 6px; }
#lesson .menus { display: flex; flex-wrap: wrap; gap: 6px 22px; margin: 8px 0; }
#lesson .menus label { font-weight: bold; }
#lesson .menus select { font-size: 14px; margin-left: 6px; max-width: 30em; }
#lesson ol.asks li { margin: 3px 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr));
  gap: 12px 18px; }
.card { border: 1px solid #DDD; background: #FFF; padding: 6px 10px; font-size: 13px;
  min-width: 0; }
.card h3 { font-size: 14px; margin: 4px 0; }
.card .pair { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; }
.card .side h4 { font-size: 12px; margin: 4px 0; }
.card .side.ref h4 { color: #666; } .card .side.mine h4 { color: #0072B2; }
.card ul { padding-left: 16px; margin: 2px 0; } .card li { margin: 2px 0; }
.card .short { color: #444; font-style: italic; }
.dotplots, .hops { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr));
  gap: 8px 18px; }
.dotplot svg, .hop svg { width: 100%; height: auto; }
#hop-controls button { font-size: 13px; margin-right: 6px; padding: 2px 10px; }
#hop-text { margin: 6px 0; }
"""

_SCRIPT = """
(() => {
const L = __LESSON__;
const REF = "#8A8A8A", MINE = "#0072B2";
const NS = "http://www.w3.org/2000/svg";
const START = Date.parse(L.start);
function el(tag, attrs, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
function h(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}
function choice() {
  return L.menus.map((_, i) => Number(document.getElementById("lesson-m" + i).value));
}
function chosen() {
  const c = choice();
  return L.cases.findIndex(r => r.choice.every((v, i) => v === c[i]));
}
function tick(o, v) {
  if (o.kind !== "time") return fmt(o, v);
  const d = new Date(START + v * 86400000);
  return d.getUTCDate() + " " + ["Jan","Feb","Mar","Apr","May","Jun","Jul","Aug","Sep","Oct",
    "Nov","Dec"][d.getUTCMonth()];
}
function fmt(o, v) {
  if (v === null || v === undefined) return o.kind === "time" ? "not by the horizon" : "none";
  if (o.kind === "time") {
    const d = new Date(START + v * 86400000);
    const m = ["Jan","Feb","Mar","Apr","May","Jun","Jul","Aug","Sep","Oct","Nov","Dec"];
    const two = x => String(x).padStart(2, "0");
    return d.getUTCDate() + " " + m[d.getUTCMonth()] + " " + two(d.getUTCHours()) + ":"
      + two(d.getUTCMinutes());
  }
  if (o.kind === "hours") return v.toFixed(1) + " h";
  return Math.round(v).toLocaleString("en") + (o.units ? " " + o.units : "");
}
function pctName(q) { return q === 0.5 ? "median" : Math.round(q * 100) + "th percentile"; }
function cards(ci) {
  const box = document.getElementById("lesson-cards");
  box.textContent = "";
  for (const c of L.cards) {
    const card = h("article", undefined, "card");
    card.appendChild(h("h3", "Replication " + c.rep + " (the " + pctName(c.quantile)
      + " of the date of entry in the record's case)"));
    if (c.shared.length) {
      const d = h("details");
      d.appendChild(h("summary", "Until " + c.until
        + ", the same under every choice (" + c.shared.length + " events; open to read)"));
      const ul = h("ul");
      for (const [date, text] of c.shared) ul.appendChild(h("li", date + ": " + text));
      d.appendChild(ul); card.appendChild(d);
    }
    const pair = h("div", undefined, "pair");
    for (const [k, label, cls] of [[0, "As in 2001 (the record's case)", "side ref"],
                                   [ci, "Your choice", "side mine"]]) {
      const side = h("div", undefined, cls);
      side.appendChild(h("h4", label));
      const ul = h("ul");
      for (const [date, text] of c.cases[k].lines) ul.appendChild(h("li", date + ": " + text));
      side.appendChild(ul);
      side.appendChild(h("p", "In short: " + c.cases[k].in_short, "short"));
      pair.appendChild(side);
    }
    card.appendChild(pair);
    box.appendChild(card);
  }
}
const W = 440, PAD = 36, R = 5;
function scale(o) {
  const all = [];
  for (const c of L.cases) for (const v of c.headline[o.name]) if (v !== null) all.push(v);
  let lo = Math.min(...all), hi = Math.max(...all);
  if (!all.length) { lo = 0; hi = 1; }
  if (hi === lo) { hi = lo + 1; }
  const right = W - PAD - 46;  // a column at the right for "none"
  return {x: v => v === null ? W - PAD - 10 : PAD + (v - lo) / (hi - lo) * (right - PAD),
          lo, hi, right};
}
function axis(svg, o, s, y) {
  svg.appendChild(el("line", {x1: PAD, x2: s.right, y1: y, y2: y, stroke: "#999"}));
  for (let k = 0; k <= 4; k++) {
    const v = s.lo + (s.hi - s.lo) * k / 4;
    const anchor = k === 0 ? "start" : (k === 4 ? "end" : "middle");
    svg.appendChild(el("text", {x: s.x(v), y: y + 13, "font-size": 10, "text-anchor": anchor},
                       tick(o, v)));
  }
  svg.appendChild(el("text", {x: W - PAD - 10, y: y + 13, "font-size": 10,
                              "text-anchor": "middle", "font-style": "italic"}, "none"));
}
function dotplots(ci) {
  const box = document.getElementById("lesson-dots");
  box.textContent = "";
  for (const o of L.outcomes) {
    const s = scale(o);
    const fig = h("figure", undefined, "dotplot");
    fig.appendChild(h("figcaption", o.title + ": " + L.cases[0].dots[o.name].length
      + " dots, each 5% of the replications (grey: as in 2001; blue: your choice)"));
    // stack the dots of each row in bins one dot wide; each row as tall as its stack
    const rows = [[0, REF], [ci, MINE]].map(([k, color]) => {
      const stack = {}, dots = [];
      for (const v of L.cases[k].dots[o.name]) {
        const bin = Math.round(s.x(v) / (2 * R + 1));
        stack[bin] = (stack[bin] || 0) + 1;
        dots.push([bin * (2 * R + 1), stack[bin] - 1]);
      }
      return {k, color, dots, tall: Math.max(1, ...Object.values(stack)) * (2 * R + 1) + 24};
    });
    const svg = el("svg", {viewBox: "0 0 " + W + " " + (rows[0].tall + rows[1].tall + 8),
      role: "img", "aria-label": "quantile dotplot of " + o.title});
    let base = 0;
    for (const row of rows) {
      base += row.tall;
      for (const [cx, up] of row.dots)
        svg.appendChild(el("circle", {cx: cx, cy: base - 18 - up * (2 * R + 1), r: R,
          fill: row.color, "class": row.k === 0 ? "dot ref" : "dot mine"}));
      axis(svg, o, s, base - 10);
    }
    fig.appendChild(svg);
    box.appendChild(fig);
  }
}
let hop = 0, timer = null;
function hops(ci) {
  const box = document.getElementById("lesson-hops");
  box.textContent = "";
  const n = L.cases[0].headline[L.outcomes[0].name].length;
  hop = ((hop % n) + n) % n;
  const words = [];
  for (const o of L.outcomes) {
    const s = scale(o);
    const fig = h("figure", undefined, "hop");
    fig.appendChild(h("figcaption", o.title));
    const svg = el("svg", {viewBox: "0 0 " + W + " 70", role: "img",
      "aria-label": "one pair of replications: " + o.title});
    for (const [k, color, y] of [[0, REF, 22], [ci, MINE, 40]]) {
      for (const v of L.cases[k].headline[o.name])
        svg.appendChild(el("circle", {cx: s.x(v), cy: y, r: 2, fill: color, opacity: 0.12}));
    }
    const a = L.cases[0].headline[o.name][hop], b = L.cases[ci].headline[o.name][hop];
    svg.appendChild(el("line", {x1: s.x(a), x2: s.x(b), y1: 22, y2: 40, stroke: "#444"}));
    svg.appendChild(el("circle", {cx: s.x(a), cy: 22, r: 6, fill: REF, "class": "pair ref"}));
    svg.appendChild(el("circle", {cx: s.x(b), cy: 40, r: 6, fill: MINE, "class": "pair mine"}));
    axis(svg, o, s, 54);
    fig.appendChild(svg);
    box.appendChild(fig);
    words.push(o.title + ": " + fmt(o, a) + " as in 2001, " + fmt(o, b) + " with your choice");
  }
  document.getElementById("hop-text").textContent = "Replication " + hop + " of " + n
    + " (the same random numbers under both): " + words.join("; ") + ".";
}
function shares(ci) {
  const parts = L.shares.map(s => s.title + ": " + Math.round(100 * L.cases[0].shares[s.name])
    + "% of replications as in 2001, " + Math.round(100 * L.cases[ci].shares[s.name])
    + "% with your choice");
  document.getElementById("lesson-shares").textContent = parts.join("; ") + ".";
}
function update() {
  const ci = chosen();
  if (ci < 0) return;
  document.getElementById("lesson").dataset.case = ci;
  cards(ci); dotplots(ci); hops(ci); shares(ci);
}
function step(d) { hop += d; hops(chosen()); }
document.getElementById("hop-next").addEventListener("click", () => step(1));
document.getElementById("hop-prev").addEventListener("click", () => step(-1));
document.getElementById("hop-play").addEventListener("click", e => {
  if (timer) { clearInterval(timer); timer = null; e.target.textContent = "play"; return; }
  timer = setInterval(() => step(1), 1200); e.target.textContent = "pause";
});
L.menus.forEach((_, i) =>
  document.getElementById("lesson-m" + i).addEventListener("change", update));
update();
window.lessonReady = true;
})();
"""


def _menus(lesson: dict[str, Any]) -> str:
    out = []
    for i, menu in enumerate(lesson["menus"]):
        options = "".join(
            f'<option value="{k}">{html.escape(label)}</option>'
            for k, label in enumerate(menu["options"])
        )
        out.append(
            f'<label for="lesson-m{i}">{html.escape(menu["label"])}'
            f'<select id="lesson-m{i}" name="lesson-m{i}">{options}</select></label>'
        )
    return "\n".join(out)


def panel_html(lesson: dict[str, Any]) -> str:
    """The lesson's "you decide" panel: HTML, its style and its script (no network)."""
    data = json.dumps(lesson, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")
    asks = "".join(f"<li>{html.escape(a)}</li>" for a in lesson["asks"])
    return f"""<style>{_STYLE}</style>
<section id="lesson" aria-labelledby="lesson-title">
<h2 id="lesson-title">{html.escape(lesson["title"])}</h2>
<p><b>The question.</b> {html.escape(lesson["question"])}</p>
<div class="menus" role="group" aria-label="Your decision">
{_menus(lesson)}
</div>
<p class="note">{html.escape(lesson["note"])} Every choice was computed in advance with the
same {lesson["reps"]} replications and seed {lesson["seed"]}: replication i saw the same
random numbers under every choice, so each pair below differs only by the decision.</p>
<h3>Questions for the class</h3>
<ol class="asks">{asks}</ol>
<h3>Stories: the same replication, as in 2001 and with your choice</h3>
<div class="cards" id="lesson-cards" aria-live="polite"></div>
<h3>Every replication, as dots</h3>
<p class="note" id="lesson-shares" aria-live="polite"></p>
<div class="dotplots" id="lesson-dots"></div>
<h3>One pair at a time</h3>
<p class="note">Each step shows one replication under both choices (large dots, joined); the
faint dots are all the others. Step through the pairs, or play them, and count how often your
choice comes out higher or lower.</p>
<div id="hop-controls"><button type="button" id="hop-prev">previous pair</button><button
type="button" id="hop-next">next pair</button><button type="button" id="hop-play">play</button>
</div>
<p id="hop-text" aria-live="polite"></p>
<div class="hops" id="lesson-hops"></div>
<script>{_SCRIPT.replace("__LESSON__", data)}</script>
</section>
"""
