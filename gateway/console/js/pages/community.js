// The community's other work: objections and their investigation (附录G, §5.3.4–§5.3.5), changes
// of members' details (§5.3.2) and units' requests for an opinion (§4.1); service teams and
// studios (§3.2.3, §3.2.4); households and their visits (§3.4.5).
import { api, download, everyPage, get, post, settlingPeriod } from "../api.js";
import { memberPicker } from "../pick.js";
import { attempt, h, periodPicker, put, show, table, toast, when } from "../ui.js";

const field = (name, placeholder, attrs = {}) => h("input", { name, placeholder, ...attrs });
const FORMATIONS = { org_led: "组织领建", profession: "专业同建", interest: "兴趣联建" };

export async function feedback({ me }) {
  const c = me.scope;
  const out = h("div");
  const objections = h("div");
  const changes = h("div");
  const opinions = h("div");
  const act = (path, body, done) => async () => {
    if (await attempt(out, () => post(`/communities/${c}/${path}`, body()))) { toast(done); await draw(); }
  };
  const step = (o) => {
    if (o.status === "submitted") {
      const dept = field("department", "执行部门", { value: "社区党委组织委员" });
      const who = field("assignee", "承办人");
      return h("span", { class: "row" }, dept, who, h("button", { onclick: act(`objections/${o.id}/assignment`,
        () => ({ department: dept.value, assignee: who.value || null }), "已分派") }, "分派"));
    }
    if (o.status === "investigating") {
      const found = field("findings", "调查核实情况（至少 5 个字）");
      return h("span", { class: "row" }, found, h("button", { onclick: act(`objections/${o.id}/findings`,
        () => ({ findings: found.value }), "已记录调查情况") }, "记录核实"));
    }
    if (o.status === "investigated") {
      const reason = field("reason", "处理理由（至少 5 个字）");
      const points = field("points", "补记分数", { type: "number", style: "width:6em" });
      return h("span", { class: "row" }, reason, points,
        h("button", { onclick: act(`objections/${o.id}/decision`, () => ({ decision: "upheld", reason: reason.value,
          points: points.value === "" ? null : Number(points.value) }), "异议成立，已补记并修订") }, "异议成立"),
        h("button", { class: "plain", onclick: act(`objections/${o.id}/decision`, () => ({ decision: "rejected",
          reason: reason.value }), "已作出不成立的决定") }, "不成立"));
    }
    return "";
  };
  const draw = async () => {
    await attempt(objections, async () => {
      const found = await get(`/communities/${c}/objections`);
      put(objections, table([{ title: "编号", value: (o) => o.id }, { title: "提出人", value: (o) => o.objector_cn },
        { title: "内容", value: (o) => `${o.target_cn}：${o.content}` }, { title: "执行部门", value: (o) => o.department_cn, narrow: false },
        { title: "处理结果", value: (o) => o.result_cn }, { title: "", value: step }], found.items, "没有异议"));
    });
    await attempt(changes, async () => {
      const found = await get(`/communities/${c}/detail-changes?status=pending`);
      put(changes, table([{ title: "党员", value: (d) => d.member_name }, { title: "变更", value: (d) =>
        Object.entries(d.changes).map(([k, v]) => `${{ position: "职务", phone: "联系方式", service_intentions: "服务意向" }[k] || k}：${[].concat(v).join("、")}`).join("；") },
      { title: "", value: (d) => h("span", { class: "row" },
        h("button", { onclick: act(`detail-changes/${d.id}/decision`, () => ({ decision: "apply" }), "已更新") }, "更新"),
        h("button", { class: "plain", onclick: act(`detail-changes/${d.id}/decision`, () => ({ decision: "decline",
          reason: "与社区掌握的情况不符" }), "未采纳") }, "不采纳")) }], found.items, "没有待处理的信息变更"));
    });
    await attempt(opinions, async () => {
      const found = await get(`/communities/${c}/opinion-requests`);
      const open = found.items.filter((q) => q.status !== "answered");
      put(opinions, table([{ title: "单位", value: (q) => q.unit_name || q.unit_id }, { title: "党员", value: (q) => q.member_name || q.member_id },
        { title: "事由", value: (q) => q.purpose }, { title: "", value: (q) => {
          const text = field("opinion", "社区意见（至少 5 个字）", { value: "该同志积极参加社区志愿服务，同意推荐" });
          return h("span", { class: "row" }, text, h("button", { onclick: act(`opinion-requests/${q.id}/answer`,
            () => ({ opinion: text.value }), "已答复") }, "答复"));
        } }], open, "没有待答复的征求意见"));
    });
  };
  show(h("h1", {}, "异议与反馈"), out, h("h2", {}, "异议（附录G，§5.3.4–§5.3.5）"), objections,
    h("h2", {}, "党员信息变更（§5.3.2）"), changes, h("h2", {}, "单位征求意见（§4.1）"), opinions);
  await draw();
}

export async function teams({ me }) {
  const c = me.scope;
  const out = h("div");
  const list = h("div");
  const draw = () => attempt(list, async () => {
    const board = await get(`/communities/${c}/board`);
    put(list, h("h2", {}, "服务队（§3.2.3）"), table([{ title: "名称", value: (t) => t.name }, { title: "组建方式", value: (t) => FORMATIONS[t.formation] || t.formation },
      { title: "队长", value: (t) => t.leader }, { title: "队员", value: (t) => t.members }], board.teams, "还没有服务队"),
    h("h2", {}, "特长党员工作室（§3.2.4）"), table([{ title: "名称", value: (s) => s.name }, { title: "单位", value: (s) => s.unit_name },
      { title: "服务项目", value: (s) => (s.service_items || []).join("、") }, { title: "开放时间", value: (s) => s.opening_hours }],
    board.studios, "还没有工作室"));
  });
  const leader = memberPicker(c, { name: "leader", label: "队长" });
  const crew = memberPicker(c, { name: "crew", label: "队员", multiple: true });
  const say = (text) => put(out, h("div", { class: "error", role: "alert" }, text));
  const team = h("form", { class: "row", onsubmit: async (e) => {
    e.preventDefault();
    const f = team.elements;
    const captain = leader.required(say);
    const members = captain && crew.required(say);
    if (!members) return;
    if (await attempt(out, () => post(`/communities/${c}/teams`, { name: f.name.value, formation: f.formation.value,
      leader_member_id: captain[0], member_ids: members }))) {
      toast("服务队已组建"); team.reset(); leader.clear(); crew.clear(); await draw();
    }
  } }, h("label", {}, "名称", field("name", "健康服务队", { required: true })),
  h("label", {}, "组建方式", h("select", { name: "formation" }, h("option", {}, "组织领建"), h("option", {}, "专业同建"), h("option", {}, "兴趣联建"))),
  leader, crew, h("button", { type: "submit" }, "组建服务队"));
  const owner = memberPicker(c, { name: "studio_member", label: "党员" });
  const studio = h("form", { class: "row", onsubmit: async (e) => {
    e.preventDefault();
    const f = studio.elements;
    const who = owner.required(say);
    if (!who) return;
    if (await attempt(out, () => post(`/communities/${c}/studios`, { member_id: who[0], name: f.name.value,
      unit_name: f.unit_name.value, service_items: f.service_items.value, opening_hours: f.opening_hours.value }))) {
      toast("工作室已开设"); studio.reset(); owner.clear(); await draw();
    }
  } }, owner,
  h("label", {}, "工作室名称", field("name", "以党员名字命名", { required: true })), h("label", {}, "所在单位", field("unit_name", "", { required: true })),
  h("label", {}, "服务项目（顿号分隔）", field("service_items", "健康咨询、心理疏导", { required: true })),
  h("label", {}, "开放时间", field("opening_hours", "每周六上午", { required: true })), h("button", { type: "submit" }, "开设工作室"));
  show(h("h1", {}, "服务队与工作室"), out, h("h2", {}, "组建服务队"), team, h("h2", {}, "开设特长党员工作室（§3.2.4）"), studio, list);
  await draw();
}

export async function households({ me }) {
  const c = me.scope;
  const out = h("div");
  const list = h("div");
  const draw = () => attempt(list, async () => {
    const [all, unvisited] = await Promise.all([everyPage(`/communities/${c}/households`),
      get(`/communities/${c}/households/unvisited?page_size=1`)]);
    put(list, h("p", {}, `联系户 ${all.length} 户，30 天内未走访 ${unvisited.total} 户。选定党员干部后，勾选其联系的户（已联系的户自动勾上）。`),
      table([{ title: "", value: (x) => h("input", { type: "checkbox", name: "household", value: x.household_id, "aria-label": x.head_name }) },
        { title: "编号", value: (x) => x.household_id }, { title: "户主", value: (x) => x.head_name }, { title: "住址", value: (x) => x.home_address },
        { title: "联系的党员干部", value: (x) => x.cadre_name || "未分配" },
        { title: "最近走访", value: (x) => (x.last_visit ? when(x.last_visit).slice(0, 10) : "未走访") }], all, "还没有登记联系户"));
    list.households = all;
  });
  const form = h("form", { class: "row", onsubmit: async (e) => {
    e.preventDefault();
    const f = form.elements;
    if (await attempt(out, () => post(`/communities/${c}/households`, { head_name: f.head_name.value,
      home_address: f.home_address.value, phone: f.phone.value || null }))) { toast("已登记"); form.reset(); await draw(); }
  } }, h("label", {}, "户主", field("head_name", "", { required: true })), h("label", {}, "住址", field("home_address", "", { required: true })),
  h("label", {}, "电话", field("phone", "")), h("button", { type: "submit" }, "登记联系户"));
  // the cadre's households as they stand are ticked: the list sent replaces them (§3.4.5)
  const cadre = memberPicker(c, { name: "cadre", label: "党员干部", onchange: ([m]) => {
    const theirs = new Set((list.households || []).filter((x) => x.cadre_member_id === m.member_id).map((x) => String(x.household_id)));
    list.querySelectorAll("input[name=household]").forEach((box) => { box.checked = theirs.has(box.value); });
  } });
  const say = (text) => put(out, h("div", { class: "error", role: "alert" }, text));
  const cover = h("form", { class: "row", onsubmit: async (e) => {
    e.preventDefault();
    const ids = [...list.querySelectorAll("input[name=household]:checked")].map((x) => Number(x.value));
    const who = cadre.required(say);
    if (!who) return;
    if (await attempt(out, () => post(`/communities/${c}/household-coverage`, { member_id: who[0], household_ids: ids }))) {
      toast(`已为党员干部确定 ${ids.length} 户联系户`); cadre.clear(); await draw();
    }
  } }, cadre, h("button", { type: "submit" }, "把勾选的户（10–15 户）交给该党员干部联系"));
  show(h("h1", {}, "联系户与走访（§3.4.5）"), h("p", { class: "muted" }, "每名党员干部联系 10–15 户，定期走访：查民情、讲政策、解难题、办实事。"),
    out, form, cover, list);
  await draw();
}

const LINKS = { organization: "组织联建", members: "党员联管", activities: "活动联搞", resources: "资源联用", services: "服务联做" };
const PROJECT_CN = { signed: "已签订", in_progress: "实施中", completed: "已完成", cancelled: "已取消" };

export async function projects({ me }) {
  const c = me.scope;
  const out = h("div");
  const list = h("div");
  const units = h("select", { name: "unit_id", required: true });
  const file = (label, path) => h("button", { class: "plain", onclick: () => attempt(out, () => download(path)) }, label);
  const draw = () => attempt(list, async () => {
    const registered = await get(`/communities/${c}/unit-registrations?page_size=200`);
    const names = Object.fromEntries(registered.items.map((u) => [u.unit_id, u.unit_name || u.name]));
    put(units, registered.items.map((u) => h("option", { value: u.unit_id }, names[u.unit_id])));
    const found = await get(`/communities/${c}/projects?page_size=200`);
    put(list, table([{ title: "项目", value: (p) => p.title }, { title: "单位", value: (p) => names[p.unit_id] || p.unit_id },
      { title: "完成时限", value: (p) => p.deadline }, { title: "状态", value: (p) => PROJECT_CN[p.status] || p.status },
      { title: "协议书（附录C）", value: (p) => h("span", { class: "row" }, file("PDF", `/communities/${c}/projects/${p.id}/agreement.pdf`),
        file("Word", `/communities/${c}/projects/${p.id}/agreement.docx`)) },
      { title: "进展与评价（§3.4.1、§3.5.1）", value: (p) => progressOf(p) }], found.items, "还没有党建联建项目"));
  });
  const change = (p, status) => async () => {
    if (await attempt(out, () => post(`/communities/${c}/projects/${p.id}/status`, { status }))) { toast(`已标记为${PROJECT_CN[status]}`); await draw(); }
  };
  const progressOf = (p) => {
    if (p.status === "cancelled") return "";
    const score = h("input", { type: "number", min: 0, max: 30, value: 25, style: "width:5em", "aria-label": `${p.title} 评分` });
    const rater = h("select", {}, h("option", { value: "community" }, "社区评价"), h("option", { value: "residents" }, "服务对象评价"));
    return h("span", { class: "row" },
      p.status === "signed" ? h("button", { class: "plain", onclick: change(p, "in_progress") }, "开始实施") : null,
      p.status === "in_progress" ? h("button", { class: "plain", onclick: change(p, "completed") }, "已完成") : null,
      p.status !== "completed" ? h("button", { class: "plain", onclick: change(p, "cancelled") }, "取消") : null,
      p.status === "completed" ? [rater, score, h("button", { onclick: async () => {
        if (await attempt(out, () => post(`/communities/${c}/projects/${p.id}/ratings`, { rater: rater.value,
          score: Number(score.value), rated_by: me.display_name.slice(0, 60) }))) { toast("评价已记入"); await draw(); }
      } }, "评价")] : null);
  };
  const linkInputs = Object.entries(LINKS).map(([key, name]) => h("label", {}, `${name}（可不填）`, h("input", { name: `link_${key}` })));
  const form = h("form", { class: "stack", onsubmit: async (e) => {
    e.preventDefault();
    const f = form.elements;
    const links = Object.fromEntries(Object.keys(LINKS).map((k) => [k, f[`link_${k}`].value.trim()]).filter(([, v]) => v));
    const made = await attempt(out, () => post(`/communities/${c}/projects`, { unit_id: Number(f.unit_id.value), title: f.title.value,
      goals: f.goals.value, expected_effects: f.expected_effects.value, deadline: f.deadline.value, links,
      service_count: Number(f.service_count.value), service_hours: Number(f.service_hours.value), service_mode: f.service_mode.value }));
    if (made) { toast("联建项目已签订，可打印协议书"); form.reset(); await draw(); }
  } }, h("label", {}, "驻地单位", units), h("label", {}, "项目名称", h("input", { name: "title", required: true })),
  h("label", {}, "项目目标", h("textarea", { name: "goals", rows: 2, required: true })),
  h("label", {}, "预期效果", h("textarea", { name: "expected_effects", rows: 2, required: true })),
  h("label", {}, "完成时限", h("input", { name: "deadline", type: "date", required: true })), ...linkInputs,
  h("label", {}, "承诺服务次数", h("input", { name: "service_count", type: "number", min: 1, value: 12 })),
  h("label", {}, "承诺服务时长（小时）", h("input", { name: "service_hours", type: "number", min: 1, value: 48 })),
  h("label", {}, "服务方式", h("input", { name: "service_mode", value: "每月一次" })), h("button", { type: "submit" }, "签订联建项目"));
  show(h("h1", {}, "党建联建（§3.3.1）"), h("p", { class: "muted" }, "社区与驻地单位党组织以“五联”为内容签订联建项目，打印协议书（附录C，按本社区现行文本）。"),
    out, list, h("h2", {}, "签订联建项目"), form);
  await draw();
}

// --- the community's comments on its published half year (社区评语, 附录F, §5.3.3) ------------------

export async function comments({ me, args: [chosen] }) {
  const c = me.scope;
  const period = chosen || settlingPeriod();
  const out = h("div");
  const box = h("div");
  const suggestion = (m) => (m.stars >= 5 ? "积极参加社区志愿服务，表现突出" : m.stars >= 3 ? "能够参加社区志愿服务，表现良好"
    : m.points > 0 ? "参加了社区志愿服务，希望继续发挥作用" : "本半年度参加社区服务较少");
  const draw = () => attempt(box, async () => {
    let found;
    try {
      found = await get(`/communities/${c}/feedback/${period}`);
    } catch (err) {
      if (err.status === 404) { put(box, h("p", { class: "muted" }, err.message)); return; }
      throw err;
    }
    const inputs = found.items.map((m) => h("input", { name: "comment", value: m.comment || "", placeholder: suggestion(m),
      "aria-label": `${m.name} 的社区评语`, "data-member": m.member_id, "data-saved": m.comment || "" }));
    const fill = h("button", { class: "plain", onclick: () => inputs.forEach((x, i) => { if (!x.value) x.value = suggestion(found.items[i]); }) },
      "空白处按星级填入建议评语");
    const save = h("button", { onclick: async () => {
      const changed = inputs.filter((x) => x.value.trim() && x.value.trim() !== x.dataset.saved)
        .map((x) => ({ member_id: Number(x.dataset.member), comment: x.value.trim() }));
      if (!changed.length) { toast("没有新填写或修改的评语"); return; }
      for (let i = 0; i < changed.length; i += 1000) {
        if (!await attempt(out, () => api("PUT", `/communities/${c}/feedback/${period}/comments`, { comments: changed.slice(i, i + 1000) }))) return;
      }
      toast(`已保存 ${changed.length} 条评语`);
      await draw();
    } }, "保存评语");
    put(box, h("p", {}, `${period} 已公布：${found.members} 名党员，尚缺评语 ${found.missing_comments} 人。`,
      "评语填齐后，县（区）委组织部方可向各单位发布反馈通知（§5.3.1）。"),
    h("div", { class: "row" }, fill, save),
    table([{ title: "党员", value: (m) => m.name }, { title: "单位", value: (m) => m.unit_name || "—", narrow: false },
      { title: "积分", value: (m) => m.points }, { title: "星级", value: (m) => m.stars },
      { title: "社区评语", value: (m) => inputs[found.items.indexOf(m)] }], found.items, "本半年度没有报到党员的积分结果"));
  });
  show(h("h1", {}, "社区评语（附录F，§5.3.3）"),
    periodPicker(period, (p) => { location.hash = `#/staff/comments/${p}`; }), out, box);
  await draw();
}
