// The member's own service (我的服务), on a phone: the year's public commitment and how far it has
// come (§3.3.3), the community's service teams to join (§3.2.3), the posts claimed (§3.2.2), and for
// a member cadre the households to visit, each visit recorded on the spot (§3.4.5).
import { currentPeriod, get, post } from "../api.js";
import { choices } from "../pick.js";
import { attempt, h, progress, put, show, table, toast } from "../ui.js";

const CLAIM_CN = { pending: "待社区审核", approved: "已认领" };
const list = (value) => value.split(/[、,，;；\s]+/).map((s) => s.trim()).filter(Boolean);

export async function service() {
  const year = Number(currentPeriod().slice(0, 4));
  const out = h("div");
  const body = h("div");
  show(h("h1", {}, "我的服务"), out, body);
  const known = await choices().catch(() => ({ visit_kinds: ["查民情", "讲政策", "解难题", "办实事"] }));

  const promise = () => {
    const form = h("form", { class: "stack card", onsubmit: async (e) => {
      e.preventDefault();
      const f = form.elements;
      if (await attempt(out, () => post("/me/commitments", { year, items: list(f.items.value), services: Number(f.services.value),
        hours: Number(f.hours.value), mode: f.mode.value }))) { toast("承诺已公开"); await draw(); }
    } }, h("p", {}, `公开本人 ${year} 年的服务承诺：做什么、做几次、多少小时、怎么做（§3.3.3）。每年一份，公开后不能修改。`),
    h("label", {}, "服务项目（顿号分隔）", h("input", { name: "items", required: true, placeholder: "如 义诊、健康讲座" })),
    h("label", {}, "服务次数", h("input", { name: "services", type: "number", min: 1, max: 365, required: true, value: 6 })),
    h("label", {}, "服务时长（小时）", h("input", { name: "hours", type: "number", min: 1, max: 2000, step: "0.5", required: true, value: 12 })),
    h("label", {}, "服务方式", h("input", { name: "mode", required: true, placeholder: "如 每月第一个周六到社区坐诊" })),
    h("button", { type: "submit" }, "公开承诺"));
    return form;
  };

  const visitForm = (x) => {
    const form = h("form", { class: "stack", onsubmit: async (e) => {
      e.preventDefault();
      const kinds = [...form.querySelectorAll("input[name=kinds]:checked")].map((k) => k.value);
      if (await attempt(out, () => post("/me/household-visits", { household_id: x.household_id, visited_on: form.elements.visited_on.value,
        kinds, note: form.elements.note.value }))) { toast(`已登记走访 ${x.head_name} 户`); await draw(); }
    } }, h("div", { class: "row" }, known.visit_kinds.map((k) => h("label", { class: "inline" }, h("input", { type: "checkbox", name: "kinds", value: k }), k))),
    h("label", {}, "走访日期", h("input", { name: "visited_on", required: true, value: new Date().toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" }) })),
    h("label", {}, "情况记录", h("input", { name: "note", placeholder: "如 反映楼道灯不亮，已报物业" })),
    h("button", { type: "submit" }, "登记走访"));
    return form;
  };

  const draw = () => attempt(body, async () => {
    const mine = await get(`/me/service?year=${year}`);
    if (!mine.active) { put(body, h("p", {}, "社区接收您的报到后，这里可以公开承诺、加入服务队和登记走访；转到新社区的，在新社区报到并被接收后可用。")); return; }
    const c = mine.commitment;
    put(body,
      h("h2", {}, `${year} 年服务承诺`),
      c ? h("div", { class: "card" }, h("b", {}, c.items.join("、")), h("div", { class: "muted" }, `${c.mode} · 承诺 ${c.services} 次、${c.hours} 小时`),
        h("div", {}, "践诺进度（已评价的服务）"), progress(c.services_done, c.services), h("div", { class: "muted" }, `已服务 ${c.hours_done} 小时`))
        : promise(),
      h("h2", {}, "服务队（§3.2.3）"),
      table([{ title: "服务队", value: (t) => t.name }, { title: "队长", value: (t) => t.leader }, { title: "队员", value: (t) => t.members },
        { title: "", value: (t) => (t.leads ? h("span", { class: "muted" }, "队长") : h("button", { class: t.joined ? "plain" : null, onclick: async () => {
          if (await attempt(out, () => post(`/me/teams/${t.id}/${t.joined ? "leave" : "join"}`))) { toast(t.joined ? "已退出" : "已加入"); await draw(); }
        } }, t.joined ? "退出" : "加入")) }], mine.teams, "本社区还没有服务队"),
      h("h2", {}, "我认领的岗位"),
      table([{ title: "岗位", value: (x) => x.title }, { title: "地点与时间", value: (x) => `${x.place} · ${x.schedule}` },
        { title: "状态", value: (x) => CLAIM_CN[x.status] || x.status },
        { title: "", value: (x) => h("button", { class: "plain", onclick: async () => {
          if (await attempt(out, () => post(`/me/post-claims/${x.id}/leave`))) { toast("已退出岗位"); await draw(); }
        } }, "退出") }], mine.claims, "还没有认领岗位：去“岗位”看看推荐"),
      mine.households.length ? [h("h2", {}, `我的联系户（${mine.households.length} 户，§3.4.5）`),
        ...mine.households.map((x) => h("details", { class: "card" }, h("summary", {}, h("b", {}, x.head_name), ` · ${x.home_address}`,
          h("span", { class: "muted" }, x.last_visit ? ` · 最近走访 ${x.last_visit}（共 ${x.visits} 次）` : " · 尚未走访")),
        x.phone ? h("div", {}, "电话：", h("a", { href: `tel:${x.phone}` }, x.phone)) : null, visitForm(x)))] : null);
  });
  await draw();
}
