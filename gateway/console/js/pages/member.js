// The member, on a phone first (375 px): my certificate, suggested posts to claim, activities to
// sign up for and check in to (typing the organizer's code or scanning its QR code, which opens
// this page with the code filled in), my points, stars and entries, and the supermarket.
import { currentPeriod, download, get, post } from "../api.js";
import { STATUS_CN, attempt, h, put, show, stars, table, toast, when } from "../ui.js";

async function myRegistration() {
  const regs = await get("/me/member-registrations");
  const year = Number(currentPeriod().slice(0, 4));
  return regs.find((r) => r.year === year && r.status !== "transferred") || regs[0];
}

export async function home() {
  const body = h("div");
  show(h("h1", {}, "我的“双报到”"), body);
  await attempt(body, async () => {
    const [reg, points] = await Promise.all([myRegistration(), get(`/me/points?period=${currentPeriod()}`)]);
    put(body, 
      reg ? h("div", { class: "card" }, h("h2", {}, "在职党员社区报到证"),
        table([{ title: "项目", value: (r) => r[0] }, { title: "内容", value: (r) => r[1] }], [
          ["编号", reg.certificate_no], ["姓名", reg.name], ["报到社区", reg.community_name || reg.community_code], ["工作单位", reg.unit_name], ["状态", STATUS_CN[reg.status] || reg.status],
          ["技能特长", (reg.skills || []).join("、")], ["服务意向", (reg.service_intentions || []).join("、")]]))
        : h("p", {}, "本年度还没有报到记录。"),
      h("div", { class: "cards" }, h("div", { class: "stat" }, h("b", {}, points.points), `${currentPeriod()} 积分`),
        h("div", { class: "stat" }, h("b", {}, stars(points.stars)), "星级")),
      h("div", { class: "row" }, h("a", { class: "button", href: "#/me/posts" }, "找岗位"), h("a", { class: "button", href: "#/me/activities" }, "活动签到"),
        h("button", { class: "plain", onclick: () => attempt(null, () => download("/me/certificate.pdf")) }, "下载报到证 B.1"),
        h("button", { class: "plain", onclick: () => attempt(null, () => download(`/me/register-d1.pdf?period=${currentPeriod()}`)) }, "下载登记表 D.1")));
  });
}

export async function posts() {
  const body = h("div");
  const out = h("div");
  show(h("h1", {}, "推荐岗位"), h("p", { class: "muted" }, "按您的技能特长和服务意向推荐本社区的岗位（§3.2.2）。"), out, body);
  await attempt(body, async () => {
    const found = await get("/me/suggested-posts");
    put(body, ...(found.length ? found.map((p) => h("div", { class: "card" }, h("b", {}, p.title), ` · ${p.category}`,
      h("div", { class: "muted" }, `${p.place} · ${p.schedule}`), h("div", {}, `推荐理由：${p.reason}`),
      h("button", { onclick: async () => {
        if (await attempt(out, () => post("/me/post-claims", { post_id: p.post_id }))) toast("已申请认领，等待社区审核");
      } }, "认领"))) : [h("p", { class: "muted" }, "暂时没有与您的特长和意向相符的空缺岗位。")]));
  });
}

export async function activities() {
  const body = h("div");
  const out = h("div");
  show(h("h1", {}, "活动报名与签到"), out, body);
  await attempt(body, async () => {
    const reg = await myRegistration();
    const board = await get(`/communities/${reg.community_code}/board`);
    const now = Date.now();
    const upcoming = board.activities.filter((a) => new Date(a.ends_at).getTime() > now);
    put(body, ...(upcoming.length ? upcoming.map((a) => h("div", { class: "card" }, h("b", {}, a.title),
      h("div", { class: "muted" }, `${when(a.starts_at)} · ${a.place}`), h("div", { class: "row" },
        h("button", { onclick: async () => {
          if (await attempt(out, () => post("/me/activity-signups", { activity_id: a.id }))) toast("已报名");
        } }, "报名"), h("a", { class: "button plain", href: `#/me/checkin/${a.id}` }, "签到 / 签退")))) :
      [h("p", { class: "muted" }, "本社区近期没有活动。")]));
  });
}

export function checkIn({ args: [id, code] }) {
  const out = h("div");
  const input = h("input", { name: "code", inputmode: "numeric", autocomplete: "one-time-code", value: code || "",
    placeholder: "组织者屏幕上的 6 位数字", required: true });
  const act = (what) => async () => {
    const typed = input.value.replace(/\s/g, "");
    const done = await attempt(out, () => post(`/me/activities/${id}/${what}`, { code: typed }));
    if (done) put(out, h("p", { class: "ok" }, what === "check-in" ? "✔ 签到成功" : "✔ 签退成功，服务时长已记录"));
  };
  show(h("h1", {}, "活动签到"), h("p", { class: "muted" }, "扫描组织者屏幕上的二维码会自动填入签到码；也可以手动输入。签到码每分钟更换。"),
    h("div", { class: "stack" }, h("label", {}, "签到码", input),
      h("div", { class: "row" }, h("button", { onclick: act("check-in") }, "签到"), h("button", { class: "plain", onclick: act("check-out") }, "签退"))),
    out);
}

export async function points() {
  const body = h("div");
  const period = currentPeriod();
  show(h("h1", {}, `我的积分 · ${period}`), body);
  await attempt(body, async () => {
    const found = await get(`/me/points?period=${period}`);
    put(body, h("div", { class: "cards" }, h("div", { class: "stat" }, h("b", {}, found.points), "积分"),
      h("div", { class: "stat" }, h("b", {}, stars(found.stars)), "星级")),
    h("h2", {}, "积分明细"), table([{ title: "时间", value: (e) => when(e.occurred_at) }, { title: "内容", value: (e) => e.reason },
      { title: "积分", value: (e) => e.points },
      { title: "", value: (e) => h("a", { href: `#/me/objections?entry=${e.id}`, class: "button plain" }, "有异议") }],
    found.entries, "本半年度还没有积分记录"));
  });
}

export async function supermarket() {
  const body = h("div");
  const out = h("div");
  show(h("h1", {}, "志愿服务超市"), out, body);
  const draw = () => attempt(body, async () => {
    const found = await get("/me/supermarket");
    put(body, h("p", {}, `积分余额：${found.balance.balance} 分（累计获得 ${found.balance.earned}，已兑换 ${found.balance.spent}）`),
      ...(found.items.length ? found.items.map((g) => h("div", { class: "card" }, h("b", {}, g.name), ` · ${g.price_points} 积分 · 库存 ${g.stock}`,
        h("div", {}, h("button", { disabled: g.stock < 1 || found.balance.balance < g.price_points, onclick: async () => {
          if (await attempt(out, () => post("/me/redemptions", { goods_id: g.id }))) { toast("兑换成功"); await draw(); }
        } }, "兑换")))) : [h("p", { class: "muted" }, "超市暂时没有物品或服务。")]));
  });
  await draw();
}


export async function objections({ args: [entry] }) {
  const out = h("div");
  const list = h("div");
  const content = h("textarea", { name: "content", rows: 3, placeholder: "写明哪里不对、应当如何（至少 5 个字）" });
  const form = h("form", { class: "stack", onsubmit: async (e) => {
    e.preventDefault();
    const made = await attempt(out, () => post("/me/objections", entry
      ? { target: "entry", entry_id: Number(entry), content: content.value }
      : { target: "missing_service", content: content.value }));
    if (made) { toast("异议已提交，社区将调查核实"); form.reset(); await draw(); }
  } }, h("label", {}, entry ? `对积分记录 ${entry} 的异议` : "漏记的服务", content), h("button", { type: "submit" }, "提交异议"), out);
  const draw = () => attempt(list, async () => {
    const found = await get("/me/objections");
    put(list, table([{ title: "提出时间", value: (o) => when(o.raised_at) }, { title: "内容", value: (o) => o.content },
      { title: "处理进度与结果", value: (o) => o.result_cn }], found.items, "还没有提出异议"));
  });
  show(h("h1", {}, "我的异议"), h("p", { class: "muted" }, "对积分记录、漏记的服务有不同意见，可向报到社区提出；社区分派、调查核实后作出决定（附录G，§5.3.4–§5.3.5）。"),
    form, h("h2", {}, "处理情况"), list);
  await draw();
}
