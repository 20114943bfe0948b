// Street and district officers (and the city): a dashboard of their area — units and members
// reported by community, late and not reported, overdue transfers, points and stars by community
// as charts — the award candidates (§5.4.2) and settlement runs with their progress.
import { currentPeriod, get, post, settlingPeriod } from "../api.js";
import { attempt, barChart, h, periodPicker, progress, put, show, stat, table, toast, when } from "../ui.js";

const LEVEL = { 6: "districts", 9: "streets" };

function areaPath(me) {
  if (me.role === "city_admin") return "/city";
  return `/${LEVEL[me.scope.length]}/${me.scope}`;
}

export async function dashboard({ me }) {
  const period = currentPeriod();
  const body = h("div");
  show(h("h1", {}, `工作概览 · ${me.role === "city_admin" ? "全市" : me.scope}`), body);
  await attempt(body, async () => {
    const base = areaPath(me);
    const [db, assessment, transfers] = await Promise.all([
      get(`${base}/database`),
      me.role === "city_admin" ? null : get(`${base}/assessment?period=${period}`),
      me.role === "city_admin" ? null : get(`${base}/transfers?overdue=true&page_size=200`)]);
    const byCommunity = db.by_community || [];
    // a community's name with its street's number: names repeat across streets (和平社区)
    const names = Object.fromEntries(byCommunity.map((c) => [c.code, me.scope.length === 9 ? c.name : `${c.name}（${c.code.slice(6, 9)}）`]));
    const parts = [
      h("div", { class: "cards" }, stat("报到单位", db.units.total), stat("报到党员", db.members.reported),
        stat("社区已接收", db.members.accepted), stat("3月31日后报到", db.members.late),
        transfers ? stat("逾期未到新社区报到", transfers.total) : null),
    ];
    if (byCommunity.length) {
      parts.push(h("h2", {}, `${db.year} 年各社区报到情况`),
        barChart(byCommunity.map((c) => ({ label: names[c.code], values: [c.units, c.reported, c.late, c.not_reported] })),
          ["报到单位", "报到党员", "逾期报到", "去年报到今年未报"]),
        table([{ title: "社区", value: (c) => names[c.code] }, { title: "单位", value: (c) => c.units }, { title: "党员", value: (c) => c.reported },
          { title: "已接收", value: (c) => c.accepted }, { title: "逾期报到", value: (c) => c.late },
          { title: "未报到", value: (c) => c.not_reported }], byCommunity));
    }
    if (assessment && assessment.communities.length) {
      parts.push(h("h2", {}, `${period} 各社区积分与星级`),
        barChart(assessment.communities.map((c) => ({ label: names[c.community_code] || c.community_code, values: [c.points] })),
          ["积分合计"]),
        barChart(assessment.communities.map((c) => ({ label: names[c.community_code] || c.community_code,
          values: [c.stars, c.members_starred] })), ["星级合计（已公布）", "获星党员"]),
        table([{ title: "社区", value: (c) => names[c.community_code] || c.community_code },
          { title: "参与率", value: (c) => (c.participation === null ? "—" : `${Math.round(c.participation * 100)}%`) },
          { title: "清算", value: (c) => c.settlement_cn }, { title: "获星党员", value: (c) => c.members_starred }], assessment.communities));
    }
    if (transfers && transfers.items.length) {
      parts.push(h("h2", {}, "逾期未到新社区报到（§4.2）"), table([{ title: "党员", value: (t) => t.member_name || t.member_id },
        { title: "原社区", value: (t) => t.community_code }, { title: "期限", value: (t) => t.deadline },
        { title: "逾期天数", value: (t) => t.days_overdue }], transfers.items));
    }
    put(body, ...parts);
  });
}

export async function candidates({ me, args: [chosen] }) {
  const period = chosen || settlingPeriod();
  const body = h("div");
  show(h("h1", {}, "评选候选名单"), periodPicker(period, (p) => { location.hash = `#/area/candidates/${p}`; }),
    h("p", { class: "muted" }, "“最美党员”“荣誉居民”“志愿服务先进集体”，星级优先（§5.4.2）。"), body);
  await attempt(body, async () => {
    const found = await get(`/districts/${me.scope}/award-candidates?period=${period}`);
    const lists = Object.entries(found).filter(([, v]) => Array.isArray(v));
    put(body, ...(lists.length ? lists : [["", []]]).map(([key, items]) => h("div", {},
      h("h2", {}, { most_beautiful_members: "“最美党员”候选", honorary_residents: "“荣誉居民”候选（连续两个半年度十星）",
        advanced_collectives: "“志愿服务先进集体”候选" }[key] || key),
      table([{ title: "名称", value: (r) => r.name }, { title: "积分", value: (r) => r.points }, { title: "星级", value: (r) => r.stars ?? "—" }],
        items, "本半年度尚无公布的结果"))));
  });
}

export async function runs({ me, args: [chosen] }) {
  const period = chosen || settlingPeriod();
  const state = h("div");
  const out = h("div");
  const base = areaPath(me);
  const watch = async (id) => {
    for (;;) {
      const run = await attempt(state, () => get(`${base}/settlement-runs/${id}`));
      if (!run) return;
      put(state, h("p", {}, `清算任务 ${id}：${run.done ? "已完成" : "进行中"}（开始于 ${when(run.started_at)}）：` +
        `已生成草稿 ${run.drafted}，跳过 ${run.skipped}，失败 ${run.failed}`), progress(run.total - run.pending, run.total),
        run.skipped_communities.length ? table([{ title: "社区", value: (c) => c.community_code },
          { title: "原因", value: (c) => c.note || c.status }], run.skipped_communities) : null);
      if (run.done) return;
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  show(h("h1", {}, "清算任务"), periodPicker(period, (p) => { location.hash = `#/area/runs/${p}`; }),
    h("p", { class: "muted" }, `为本区域各社区生成 ${period} 的清算草稿（逐社区并行），完成后由各社区审议、公布。`),
    h("button", { onclick: async () => {
      const run = await attempt(out, () => post(`${base}/settlement-runs`, { period }));
      if (run) { toast("任务已开始"); await watch(run.run_id); }
    } }, `开始生成 ${period} 清算草稿`), out, state);
}

// --- a district's festival campaign (§3.4.2): the same service in many communities at once -------

export async function campaigns({ me }) {
  const d = me.scope;
  const out = h("div");
  const body = h("div");
  show(h("h1", {}, "节日集中服务（§3.4.2）"),
    h("p", { class: "muted" }, "七一、端午、重阳、春节，县（区）组织党员在所选社区集中开展服务：每个社区各发布一场活动，党员在本社区报名、签到。"),
    out, body);
  await attempt(body, async () => {
    const year = Number(currentPeriod().slice(0, 4));
    const [db, days, next] = await Promise.all([get(`/districts/${d}/database`), get(`/festivals/${year}`), get(`/festivals/${year + 1}`)]);
    const today = new Date().toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" });
    const coming = days.concat(next).filter((f) => f.date >= today);
    const communities = db.by_community || [];
    const boxes = communities.map((c) => h("input", { type: "checkbox", name: "community", value: c.code, checked: true }));
    const form = h("form", { class: "stack", onsubmit: async (e) => {
      e.preventDefault();
      const f = form.elements;
      const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
      const [festival, day] = f.festival.value.split("|");
      const done = await attempt(out, () => post(`/districts/${d}/festival-campaigns`, { festival, community_codes: chosen,
        title: f.title.value, content: f.content.value, place: f.place.value, contact: f.contact.value,
        starts_at: `${day} ${f.starts.value}`, ends_at: `${day} ${f.ends.value}`, capacity: Number(f.capacity.value) }));
      if (done) put(out, h("p", { class: "ok" }, `已在 ${done.activity_ids.length} 个社区发布活动，党员可在本社区报名。`));
    } },
    h("label", {}, "节日", h("select", { name: "festival" }, coming.map((x) => h("option", { value: `${x.festival}|${x.date}` }, `${x.name}（${x.date}）`)))),
    h("label", {}, "活动名称", h("input", { name: "title", required: true, placeholder: "如 重阳敬老集中服务" })),
    h("label", {}, "服务内容", h("textarea", { name: "content", rows: 2, required: true, placeholder: "如 为辖区老人义诊、理发、维修小家电" })),
    h("label", {}, "服务地点", h("input", { name: "place", required: true, value: "各社区党群服务中心" })),
    h("label", {}, "联系方式", h("input", { name: "contact", required: true, placeholder: "如 区委组织部 0371-67180000" })),
    h("div", { class: "row" }, h("label", {}, "开始", h("input", { name: "starts", value: "09:00", required: true })),
      h("label", {}, "结束", h("input", { name: "ends", value: "11:30", required: true })),
      h("label", {}, "每个社区人数上限", h("input", { name: "capacity", type: "number", min: 1, max: 2000, value: 30, required: true }))),
    h("fieldset", {}, h("legend", {}, `社区（${communities.length} 个，默认全选）`),
      communities.map((c, i) => h("label", { class: "inline" }, boxes[i], c.name, h("span", { class: "muted" }, `（${c.code.slice(6, 9)}）`)))),
    h("button", { type: "submit" }, "发布集中服务"));
    put(body, communities.length ? form : h("p", { class: "muted" }, "本县（区）还没有社区数据。"));
  });
}

// --- the district's feedback notices to units (附录E、F, §5.3.1) ------------------------------------

const NOTICE_STATES = ["prepared", "changed", "released", "read", "acknowledged"];

export async function notices({ me, args: [chosen] }) {
  const d = me.scope;
  const period = chosen || settlingPeriod();
  const out = h("div");
  const box = h("div");
  const preview = h("div");
  const open = (u) => attempt(preview, async () => {
    const n = await get(`/districts/${d}/notices/${period}/units/${u.unit_id}`);
    put(preview, h("section", { class: "card" }, h("h2", {}, `${n.unit_name}：反馈通知单（附录E）预览`),
      h("p", { style: "white-space:pre-wrap" }, n.notice_text),
      table([{ title: "序号", value: (r) => r.seq }, { title: "姓名", value: (r) => r.name },
        { title: "是否报到", value: (r) => (r.reported ? "是" : "否") }, { title: "积分", value: (r) => r.points ?? "—" },
        { title: "评星", value: (r) => r.stars ?? "—" }, { title: "社区评语", value: (r) => r.comment || "—" }], n.table)));
    preview.scrollIntoView({ block: "nearest" });
  });
  const draw = () => attempt(box, async () => {
    const found = await get(`/districts/${d}/notices/${period}`);
    const release = h("button", { disabled: !found.ready, onclick: async () => {
      const done = await attempt(out, () => post(`/districts/${d}/notices/${period}/release`));
      if (!done) return;
      put(out, h("p", { class: "ok" }, `已向 ${done.released.length} 个单位发布反馈通知。`),
        done.waiting_for_comments.length ? h("p", {}, `${done.waiting_for_comments.length} 个单位等待社区评语：`,
          done.waiting_for_comments.slice(0, 20).map((w) => `${w.unit_name || w.unit_id}（社区 ${w.communities_missing_comments.join("、")}）`).join("；")) : null);
      await draw();
    } }, `发布全部已就绪的通知（${found.ready}）`);
    put(box, h("div", { class: "cards" }, NOTICE_STATES.map((s) => stat(
      { prepared: "待发布", changed: "有更新待发布", released: "已发布", read: "单位已阅", acknowledged: "单位已确认" }[s], found.counts[s] || 0))),
    h("div", { class: "row" }, release),
    table([{ title: "单位", value: (u) => h("a", { href: "javascript:void 0", onclick: () => open(u) }, u.unit_name || `单位 ${u.unit_id}`) },
      { title: "党员", value: (u) => `${u.reported} 报到 / ${u.not_reported} 未报到` },
      { title: "状态", value: (u) => u.state_cn },
      { title: "尚缺评语", value: (u) => (u.communities_missing_comments.length ? `${u.missing_comments} 人（社区 ${u.communities_missing_comments.join("、")}）` : "—") }],
    found.items.slice(0, 300), "本半年度还没有社区公布积分评星结果"),
    found.items.length > 300 ? h("p", { class: "muted" }, `仅列出前 300 个单位，共 ${found.units} 个；“发布全部”对全部单位生效。`) : null);
  });
  show(h("h1", {}, "反馈通知（附录E、F，§5.3.1）"),
    h("p", { class: "muted" }, "各社区公布半年度积分评星结果并填写社区评语后，由县（区）委组织部向党员所在单位发布反馈通知。"),
    periodPicker(period, (p) => { location.hash = `#/area/notices/${p}`; }), out, box, preview);
  await draw();
}
