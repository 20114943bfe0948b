// The community's roster (党员名册): every member who reported this year, searched and paged in
// the browser from one answer (a community has some thousands at most), with each member's
// certificate B.1, receipt B.2 and register D.1 a click away.
import { currentPeriod, download, get, post } from "../api.js";
import { choices } from "../pick.js";
import { CHOICE_CN, GENDER_CN, STATUS_CN, attempt, h, put, show, table, when } from "../ui.js";

const PAGE = 50;
const thisYear = () => Number(currentPeriod().slice(0, 4));
const STATUS_ORDER = ["submitted", "unit_approved", "accepted", "unit_rejected", "transferred"];

// what a search matches in a row: its name, certificate number, unit, position, skills, intentions
const haystack = (r) => [r.name, r.certificate_no, r.unit_name, r.position, ...(r.skills || []),
  ...(r.service_intentions || [])].join(" ").toLowerCase();

export async function members({ me }) {
  const c = me.scope;
  const state = { year: thisYear(), status: "", unit: "", words: "", page: 1, rows: [], filtered: [] };
  const chips = h("div", { class: "chips" });
  const units = h("select", { name: "unit", onchange: (e) => { state.unit = e.target.value; state.page = 1; refilter(); } });
  const search = h("input", { type: "search", name: "q", placeholder: "姓名、报到证编号、单位、特长…", disabled: true,
    oninput: (e) => { state.words = e.target.value.trim().toLowerCase(); state.page = 1; refilter(); } });
  const years = h("select", { name: "year", onchange: (e) => { state.year = Number(e.target.value); load(); } },
    [0, 1, 2].map((back) => h("option", { value: thisYear() - back }, `${thisYear() - back} 年度`)));
  // the register D.1 of the half year shown: this one for this year, the second half of a past year
  const d1Period = () => (state.year === thisYear() ? currentPeriod() : `${state.year}H2`);
  const summary = h("p", { class: "muted", "aria-live": "polite" }, "正在加载名册…");
  const listBox = h("div", { id: "roster" });
  const pager = h("div", { class: "row pager" });
  const detail = h("div");

  function refilter() {
    const words = state.words.split(/\s+/).filter(Boolean);
    state.filtered = state.rows.filter((r) => (!state.status || r.status === state.status)
      && (!state.unit || String(r.unit_id) === state.unit) && words.every((w) => r.text.includes(w)));
    drawChips();
    drawPage();
  }

  function drawChips() {
    const count = {};
    state.rows.forEach((r) => { count[r.status] = (count[r.status] || 0) + 1; });
    const chip = (status, text, n) => h("button", { class: state.status === status ? "chip here" : "chip", "aria-pressed": state.status === status,
      onclick: () => { state.status = status; state.page = 1; refilter(); } }, `${text} ${n}`);
    put(chips, chip("", "全部", state.rows.length),
      STATUS_ORDER.filter((s) => count[s]).map((s) => chip(s, STATUS_CN[s], count[s])));
  }

  function drawPage() {
    const pages = Math.max(1, Math.ceil(state.filtered.length / PAGE));
    state.page = Math.min(state.page, pages);
    const rows = state.filtered.slice((state.page - 1) * PAGE, state.page * PAGE);
    put(summary, state.filtered.length === state.rows.length ? `${state.year} 年度共 ${state.rows.length} 人报到。`
      : `找到 ${state.filtered.length} 人（共 ${state.rows.length} 人）。`);
    put(listBox, table([
      { title: "姓名", value: (r) => h("a", { href: "javascript:void 0", onclick: () => open(r) }, r.name) },
      { title: "性别", value: (r) => GENDER_CN[r.gender] || r.gender, narrow: false },
      { title: "单位", value: (r) => r.unit_name },
      { title: "职务", value: (r) => r.position, narrow: false },
      { title: "状态", value: (r) => STATUS_CN[r.status] || r.status },
      { title: "报到证编号", value: (r) => r.certificate_no, narrow: false },
      { title: "报到时间", value: (r) => [when(r.reported_at), r.late ? h("span", { class: "badge" }, "逾期") : null], narrow: false },
      { title: "特长", value: (r) => (r.skills || []).join("、"), narrow: false },
    ], rows, state.rows.length ? "没有符合条件的党员" : "本年度还没有党员报到"));
    put(pager, pages > 1 ? [
      h("button", { class: "plain", disabled: state.page <= 1, onclick: () => { state.page--; drawPage(); } }, "上一页"),
      h("span", {}, `第 ${state.page} / ${pages} 页`),
      h("button", { class: "plain", disabled: state.page >= pages, onclick: () => { state.page++; drawPage(); } }, "下一页"),
    ] : []);
  }

  async function open(r) {
    put(detail, h("p", { class: "muted" }, "正在打开…"));
    detail.scrollIntoView({ block: "nearest" });
    await attempt(detail, async () => {
      const b1 = await get(`/communities/${c}/member-registrations/${r.id}`);
      const file = (text, path) => h("button", { class: "plain", onclick: () => attempt(null, () => download(path)) }, text);
      put(detail, h("section", { class: "card" }, h("h2", {}, `${b1.name}（${STATUS_CN[b1.status] || b1.status}）`),
        h("dl", { class: "facts" },
          ...[["报到证编号", b1.certificate_no], ["单位", r.unit_name], ["职务", b1.position], ["联系电话", b1.phone],
            ["家庭住址", b1.home_address], ["报到社区类别", CHOICE_CN[b1.community_choice] || b1.community_choice], ["特长", (b1.skills || []).join("、")],
            ["服务意向", (b1.service_intentions || []).join("、")], ["红色账户", b1.red_account_no]]
            .flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v || "—")])),
        h("div", { class: "row" }, file("报到证 B.1", `/communities/${c}/member-registrations/${r.id}/certificate.pdf`),
          r.status === "accepted" || r.status === "transferred"
            ? [file("回执单 B.2", `/communities/${c}/member-registrations/${r.id}/receipt.pdf`),
              file(`登记表 D.1（${d1Period()}）`, `/communities/${c}/members/${r.member_id}/register-d1.pdf?period=${d1Period()}`)]
            : null),
        ["submitted", "unit_approved", "accepted"].includes(b1.status) ? await transferForm(r) : null));
    });
  }

  // a change that makes this community unfit: recorded here, the member then reports anew (§4.2)
  async function transferForm(r) {
    const known = await choices();
    const out = h("div");
    const target = h("div");
    const form = h("form", { class: "stack", onsubmit: async (e) => {
      e.preventDefault();
      const f = form.elements;
      const body = { reason: f.reason.value, recorded_by: f.recorded_by.value };
      if (f.reason.value === "address_changed") body.new_home_address = f.target.value;
      if (f.reason.value === "community_changed") body.new_community_code = f.target.value.trim();
      if (f.reason.value === "unit_changed") {
        body.new_unit_id = Number(f.target.dataset.unit || 0);
        if (!body.new_unit_id) { put(out, h("div", { class: "error", role: "alert" }, "新工作单位：请输入单位名称查找，并从结果中选择（§4.2）")); return; }
      }
      const done = await attempt(out, () => post(`/communities/${c}/member-registrations/${r.id}/transfer`, body));
      if (!done) return;
      await load();
      put(detail, h("p", { class: "ok" }, `${r.name} 已登记转出。请提醒党员在 ${done.deadline} 前到新社区报到（§4.2）。`));
    } });
    const drawTarget = () => {
      const reason = form.elements.reason.value;
      if (reason === "unit_changed") {
        const box = h("input", { name: "target", placeholder: "新单位名称的一部分或统一社会信用代码", required: true });
        const hits = h("div", { class: "chips" });
        box.addEventListener("input", () => { delete box.dataset.unit; });   // edited: chosen again
        box.addEventListener("change", async () => {
          if (box.dataset.unit || box.value.trim().length < 2) return;
          const found = await attempt(out, () => get(`/units?q=${encodeURIComponent(box.value.trim())}`));
          put(hits, (found || []).map((u) => h("button", { type: "button", class: "chip", onclick: () => {
            box.value = u.name; box.dataset.unit = u.unit_id; put(hits);
          } }, u.name)));
        });
        put(target, h("label", {}, "新工作单位", box), hits);
      } else {
        put(target, h("label", {}, reason === "address_changed" ? "新家庭住址" : "新社区代码（12 位）",
          h("input", { name: "target", required: true })));
      }
    };
    put(form, h("h3", {}, "办理转出（§4.2）"),
      h("label", {}, "变动原因", h("select", { name: "reason", onchange: drawTarget },
        known.transfer_reasons.map(([code, name]) => h("option", { value: code }, name)))),
      target, h("label", {}, "登记人", h("input", { name: "recorded_by", required: true, value: me.display_name.slice(0, 10) })),
      h("button", { type: "submit", class: "plain" }, "登记转出"), out);
    drawTarget();
    return h("details", {}, h("summary", {}, "工作单位、住址或所属社区变动？办理转出"), form);
  }

  async function load() {
    put(summary, "正在加载名册…");
    search.disabled = true;
    const found = await attempt(listBox, () => get(`/communities/${c}/roster?year=${state.year}`));
    if (!found) return;
    const unitIds = new Set(found.rows.map((row) => String(row[found.columns.indexOf("unit_id")])));
    const statuses = new Set(found.rows.map((row) => row[found.columns.indexOf("status")]));
    if (!unitIds.has(state.unit)) state.unit = "";   // another year: a filter that no longer applies is dropped
    if (!statuses.has(state.status)) state.status = "";
    state.rows = found.rows.map((row) => Object.fromEntries(found.columns.map((name, i) => [name, row[i]])));
    state.rows.forEach((r) => { r.text = haystack(r); });
    const names = new Map(state.rows.map((r) => [String(r.unit_id), r.unit_name]));
    put(units, h("option", { value: "" }, `全部单位（${names.size}）`),
      [...names].sort((a, b) => a[1].localeCompare(b[1], "zh")).map(([id, name]) => h("option", { value: id, selected: id === state.unit }, name)));
    search.disabled = false;
    refilter();
  }

  show(h("h1", {}, "党员名册"),
    h("p", { class: "muted" }, "本社区本年度全部报到党员（§3.1.2、§4.2）。点姓名查看报到证、下载表单；可按状态、单位筛选，按姓名、编号、特长查找。"),
    h("div", { class: "row" }, years, h("label", { class: "inline grow" }, "查找", search), h("label", { class: "inline" }, "单位", units),
      h("button", { class: "plain", onclick: () => attempt(null, () => download(`/communities/${c}/exports/members.xlsx?year=${state.year}`)) }, "导出 Excel")),
    chips, summary, listBox, pager, detail);
  await load();
}
