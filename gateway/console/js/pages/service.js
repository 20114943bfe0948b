// The community's record of what members do beyond posts and activities: their public commitments
// and how far each has come (§3.3.3), organization life and theme activities attended in the
// community (§4.2: at least one a year), and support pairings with vulnerable residents (§3.4.4).
import { currentPeriod, everyPage as all, post } from "../api.js";
import { acceptedMembers, choices, memberPicker } from "../pick.js";
import { attempt, h, progress, put, show, table, toast } from "../ui.js";

export async function service({ me }) {
  const c = me.scope;
  const year = Number(currentPeriod().slice(0, 4));
  const known = await choices().catch(() => null);
  const commitmentsBox = h("div");
  const missingBox = h("div");
  const pairingsBox = h("div");
  const lifeOut = h("div");
  const pairOut = h("div");
  const names = new Map();
  const nameOf = (id) => names.get(id) || `党员 ${id}`;

  const drawCommitments = () => attempt(commitmentsBox, async () => {
    const rows = await all(`/communities/${c}/commitments?year=${year}`);
    put(commitmentsBox, table([{ title: "党员", value: (r) => r.member_name || nameOf(r.member_id) },
      { title: "服务项目", value: (r) => (r.items || []).join("、") }, { title: "方式", value: (r) => r.mode, narrow: false },
      { title: "承诺", value: (r) => `${r.services} 次 / ${r.hours} 小时` },
      { title: "践诺进度", value: (r) => progress(r.services_done, r.services) }], rows, `${year} 年还没有党员公开承诺`));
  });
  const drawMissing = () => attempt(missingBox, async () => {
    const rows = await all(`/communities/${c}/organization-life/missing?year=${year}`);
    put(missingBox, h("p", {}, rows.length ? `${year} 年尚有 ${rows.length} 名党员未在本社区参加组织生活或主题活动（每年至少一次，§4.2）：`
      : `${year} 年本社区报到党员均已参加组织生活或主题活动。`),
    rows.length ? h("p", { class: "muted" }, rows.slice(0, 60).map((r) => r.name).join("、") + (rows.length > 60 ? "……" : "")) : null);
  });
  const drawPairings = () => attempt(pairingsBox, async () => {
    const rows = await all(`/communities/${c}/support-pairings`);
    put(pairingsBox, table([{ title: "帮扶对象", value: (r) => r.resident_name }, { title: "类别", value: (r) => r.resident_category },
      { title: "方式", value: (r) => (r.mode === "one_to_one" ? "一对一" : "多对一") },
      { title: "结对党员", value: (r) => r.member_ids.map(nameOf).join("、") }, { title: "备注", value: (r) => r.note, narrow: false }],
    rows, "还没有结对帮扶"));
  });

  // organization life: who attended, picked by name or a unit at a time
  const attendees = memberPicker(c, { name: "attendees", label: "参加的党员", multiple: true });
  const byUnit = h("select", { name: "by_unit" }, h("option", { value: "" }, "按单位添加全部党员…"));
  byUnit.addEventListener("change", async () => {
    const everyone = await acceptedMembers(c);
    attendees.addAll(everyone.filter((m) => String(m.unit_id) === byUnit.value));
    byUnit.value = "";
  });
  const life = h("form", { class: "card", onsubmit: async (e) => {
    e.preventDefault();
    const f = life.elements;
    if (!attendees.ids().length) { put(lifeOut, h("div", { class: "error" }, "参加的党员（attendee_ids）：请至少选择一名党员（§4.2）")); return; }
    const done = await attempt(lifeOut, () => post(`/communities/${c}/organization-life`, { kind: f.kind.value, title: f.title.value,
      held_on: f.held_on.value, attendee_ids: attendees.ids() }));
    if (!done) return;
    toast(`已登记 ${attendees.ids().length} 人参加`);
    life.reset();
    attendees.clear();
    await drawMissing();
  } },
  h("div", { class: "form-grid" },
    h("label", {}, "类型", h("select", { name: "kind" }, (known ? known.organization_life_kinds : [["organization_life", "组织生活"], ["theme_activity", "主题活动"]])
      .map(([code, name]) => h("option", { value: code }, name)))),
    h("label", {}, "名称", h("input", { name: "title", required: true, placeholder: "如 七一主题党日" })),
    h("label", {}, "日期", h("input", { name: "held_on", required: true, placeholder: "如 2026/7/1" }))),
  attendees, byUnit, h("button", { type: "submit" }, "登记组织生活"), lifeOut);

  // support pairings: a resident and the member(s) who help
  const helpers = memberPicker(c, { name: "helpers", label: "结对党员（一对一选一人，多对一选多人）", multiple: true });
  const pairing = h("form", { class: "card", onsubmit: async (e) => {
    e.preventDefault();
    const f = pairing.elements;
    const ids = helpers.required((text) => put(pairOut, h("div", { class: "error", role: "alert" }, text)));
    if (!ids) return;
    const done = await attempt(pairOut, () => post(`/communities/${c}/support-pairings`, { resident_name: f.resident_name.value,
      resident_category: f.resident_category.value, mode: ids.length > 1 ? "many_to_one" : "one_to_one", member_ids: ids,
      note: f.note.value }));
    if (!done) return;
    toast("已结对");
    pairing.reset();
    helpers.clear();
    await drawPairings();
  } },
  h("div", { class: "form-grid" },
    h("label", {}, "帮扶对象姓名", h("input", { name: "resident_name", required: true })),
    h("label", {}, "类别", h("select", { name: "resident_category" }, (known ? known.resident_categories : ["困难党员群众", "残疾人", "空巢老人"])
      .map((x) => h("option", {}, x)))),
    h("label", {}, "备注", h("input", { name: "note", placeholder: "如 每周电话问候一次" }))),
  helpers, h("button", { type: "submit" }, "结对"), pairOut);

  show(h("h1", {}, "承诺、组织生活与结对帮扶"),
    h("h2", {}, `${year} 年党员公开承诺与践诺（§3.3.3）`), commitmentsBox,
    h("h2", {}, "组织生活与主题活动（§4.2）"), life, missingBox,
    h("h2", {}, "结对帮扶（§3.4.4）"), pairing, pairingsBox);
  const everyone = await acceptedMembers(c).catch(() => []);
  everyone.forEach((m) => names.set(m.member_id, m.name));
  const units = new Map(everyone.map((m) => [String(m.unit_id), m.unit_name]));
  byUnit.append(...[...units].map(([id, name]) => h("option", { value: id }, name)));
  await Promise.all([drawCommitments(), drawMissing(), drawPairings()]);
}
