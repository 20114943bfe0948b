// Small helpers the screens share: elements, tables, errors as the API words them, progress bars
// and bar charts drawn as SVG (no library: the console is a handful of files the gateway serves).
import { recentPeriods } from "./api.js";

/** An element; its text is always text (never parsed as HTML: what people typed is shown as typed). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const real = (children) => children.flat().filter((c) => c !== null && c !== undefined && c !== false);

/** `el`'s children replaced by these (null and false left out, as in h()). */
export function put(el, ...children) {
  el.replaceChildren(...real(children));
  return el;
}

/** These added to `el`'s children (null and false left out). */
export function add(el, ...children) {
  el.append(...real(children));
  return el;
}

export function show(...children) {
  const app = document.getElementById("app");
  put(app, ...children);
  return app;
}

export function toast(text) {
  const t = document.getElementById("toast");
  t.textContent = text;
  t.classList.add("show");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => t.classList.remove("show"), 3500);
}

/** An error as people should read it: the API's message, and each field's (label, rule, clause). */
export function errorBox(err) {
  const fields = (err && err.fields) || [];
  return h("div", { class: "error", role: "alert" }, err.message || String(err),
    fields.length > 1 ? h("ul", {}, fields.map((f) => h("li", {}, f.message))) : null);
}

/** Runs `work`; shows its error in `where` (or a toast), and returns its answer or undefined. */
export async function attempt(where, work) {
  if (where) put(where);
  try {
    return await work();
  } catch (err) {
    if (err && err.code === "session_expired") return undefined;
    if (where) put(where, errorBox(err));
    else toast(err.message || String(err));
    return undefined;
  }
}

export function table(columns, rows, empty = "暂无") {
  if (!rows || !rows.length) return h("p", { class: "muted" }, empty);
  return h("div", { class: "table-wrap" }, h("table", {},
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { class: c.narrow === false ? "hide-narrow" : null }, c.title)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, columns.map((c) => h("td", {
      class: [c.class, c.narrow === false ? "hide-narrow" : null].filter(Boolean).join(" ") || null,
    }, c.value(r))))))));
}

export function progress(done, total) {
  const percent = total ? Math.round((100 * done) / total) : 0;
  return h("div", {}, h("div", { class: "progress", role: "progressbar", "aria-valuenow": percent, "aria-valuemin": 0,
    "aria-valuemax": 100 }, h("div", { style: `width:${percent}%` })), h("span", { class: "muted" }, `${done} / ${total}（${percent}%）`));
}

export function stars(n) {
  return h("span", { class: "stars", title: `${n} 星` }, "★".repeat(Math.max(0, n || 0)) || "—");
}

export function stat(label, value) {
  return h("div", { class: "stat" }, h("b", {}, value ?? "—"), label);
}

/** A horizontal bar chart: [{label, values: [n, ...]}] with one colour per series. */
export function barChart(rows, series, { width = 640 } = {}) {
  const colours = ["#c0161c", "#e58a2e", "#7a6a5a", "#1a7f37"];
  const bar = 14, gap = 10, left = 130, legend = 24;
  const max = Math.max(1, ...rows.flatMap((r) => r.values));
  const group = series.length * bar + gap;
  const height = legend + rows.length * group + 10;
  const ns = "http://www.w3.org/2000/svg";
  const el = (tag, attrs, text) => {
    const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const svg = el("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img" });
  let x = left;
  series.forEach((s, i) => {   // each legend entry as wide as its words (a Chinese character is about 13 px)
    svg.append(el("rect", { x, y: 4, width: 12, height: 12, fill: colours[i] }));
    svg.append(el("text", { x: x + 16, y: 15 }, s));
    x += 16 + 13 * s.length + 18;
  });
  rows.forEach((r, i) => {
    const y = legend + i * group;
    svg.append(el("text", { x: left - 6, y: y + (series.length * bar) / 2 + 4, "text-anchor": "end" }, r.label));
    r.values.forEach((v, j) => {
      const w = ((width - left - 50) * v) / max;
      svg.append(el("rect", { x: left, y: y + j * bar, width: Math.max(w, 1), height: bar - 2, fill: colours[j] }));
      svg.append(el("text", { x: left + w + 4, y: y + j * bar + bar - 4 }, String(v)));
    });
  });
  return svg;
}

export function when(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n) => String(n).padStart(2, "0");
  const b = new Date(d.getTime() + (8 * 60 + d.getTimezoneOffset()) * 60000);  // Beijing time
  return `${b.getFullYear()}-${p(b.getMonth() + 1)}-${p(b.getDate())} ${p(b.getHours())}:${p(b.getMinutes())}`;
}

export const STATUS_CN = {
  submitted: "待单位签署意见", unit_approved: "单位已同意，待社区接收", unit_rejected: "单位不同意",
  accepted: "已接收", transferred: "已转出",
};

export const GENDER_CN = { male: "男", female: "女" };
export const CHOICE_CN = { residence: "居住地社区", work: "工作所在地社区", other: "其他社区党群服务中心" };

/** A choice of half year (the current one and the three before it), calling `change` with it. */
export function periodPicker(period, change) {
  const names = (p) => `${p.slice(0, 4)}年${p.endsWith("1") ? "上" : "下"}半年`;
  const choices = recentPeriods();
  if (!choices.includes(period)) choices.push(period);
  return h("label", { class: "inline" }, "半年度", h("select", { name: "period", onchange: (e) => change(e.target.value) },
    choices.map((p) => h("option", { value: p, selected: p === period }, names(p)))));
}
