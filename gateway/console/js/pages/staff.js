// The community's daily desk (社区党群服务中心): reports to accept, activities with the check-in
// code on a screen, the assessment of all participants at once, posts and claims, the half year's
// draft, review and publication, the supermarket's desk, and the forms to print.
import { currentPeriod, download, everyPage as all, get, post, settlingPeriod } from "../api.js";
import { STATUS_CN, add, attempt, errorBox, h, periodPicker, progress, put, show, stars, table, toast, when } from "../ui.js";

const community = (me) => me.scope;
const remembered = (key, fallback = "") => localStorage.getItem(`sbd.${key}`) || fallback;
const remember = (key, value) => localStorage.setItem(`sbd.${key}`, value);

// --- reports to accept (§3.1.3), one by one or an imported list at once ---------------------------

export async function reports({ me }) {
  const c = community(me);
  const out = h("div");
  const result = h("div");
  const list = h("div");
  const unitsBox = h("div");
  const officer = h("input", { name: "officer", value: remembered("officer", me.display_name.slice(0, 10)), required: true });
  const phone = h("input", { name: "officer_phone", value: remembered("officer_phone"), placeholder: "如 0371-68901234",
    required: true });
  let waiting = [];

  const draw = async () => {
    await attempt(list, async () => {
      waiting = await all(`/communities/${c}/member-registrations?status=unit_approved`);
      const submitted = await get(`/communities/${c}/member-registrations?status=submitted&page_size=1`);
      const boxes = waiting.map((r) => h("input", { type: "checkbox", value: r.id, checked: true, "aria-label": r.name }));
      const pick = h("input", { type: "checkbox", checked: true, onchange: (e) => boxes.forEach((b) => { b.checked = e.target.checked; }) });
      put(list, 
        h("p", {}, `待接收 ${waiting.length} 人（单位已同意）；另有 ${submitted.total} 人等待单位党组织签署意见。`),
        waiting.length ? h("label", { class: "inline" }, pick, "全选") : null,
        table([{ title: "", value: (r) => boxes[waiting.indexOf(r)] }, { title: "姓名", value: (r) => r.name },
          { title: "单位", value: (r) => r.unit_name }, { title: "报到证编号", value: (r) => r.certificate_no, narrow: false },
          { title: "报到时间", value: (r) => when(r.reported_at), narrow: false },
          { title: "逾期", value: (r) => (r.late ? h("span", { class: "badge" }, "3月31日后报到") : "") }],
        waiting, "没有待接收的报到"));
      list.boxes = boxes;
    });
  };

  const accept = async () => {
    const ids = (list.boxes || []).filter((b) => b.checked).map((b) => Number(b.value));
    if (!ids.length) { toast("请先勾选要接收的报到"); return; }
    remember("officer", officer.value);
    remember("officer_phone", phone.value);
    let done = 0, failed = [];
    put(result, progress(0, ids.length));
    for (let i = 0; i < ids.length; i += 100) {   // 100 a call: each answers well within the gateway's time
      const answer = await attempt(result, () => post(`/communities/${c}/member-registrations/acceptances`,
        { registration_ids: ids.slice(i, i + 100), officer: officer.value, officer_phone: phone.value }));
      if (!answer) return;
      done += answer.done;
      failed = failed.concat(answer.results.filter((r) => r.error));
      put(result, progress(done + failed.length, ids.length));
    }
    add(result, h("p", { class: "ok" }, `已接收 ${done} 人，已出具回执单并开设红色账户。`),
      failed.length ? h("div", { class: "error" }, `${failed.length} 条未能接收：`,
        h("ul", {}, failed.map((f) => h("li", {}, `报到 ${f.registration_id}：${f.error.message}`)))) : null);
    await draw();
  };

  show(h("h1", {}, "报到接收"),
    h("p", { class: "muted" }, "单位党组织签署同意后，社区接收报到、出具回执单（附录B.2，§3.1.3）。批量导入的名单可一次接收。"),
    h("div", { class: "row" }, h("label", {}, "经办人", officer), h("label", {}, "经办人电话", phone),
      h("button", { onclick: accept }, "接收所选")), result, list, out, h("h2", {}, "本社区报到单位（党建联建）"), unitsBox);
  await Promise.all([draw(), units(c, unitsBox)]);
}

async function units(c, box) {
  await attempt(box, async () => {
    const found = await get(`/communities/${c}/unit-registrations?page_size=200`);
    put(box, table([{ title: "单位", value: (u) => u.unit_name || u.name },
      { title: "联系人", value: (u) => u.contact_officer }, { title: "可提供资源", value: (u) => (u.resources || []).join("、") }],
    found.items, "本年度尚无单位报到"));
  });
}

// --- activities, the check-in screen and the assessment (§3.3.2, §3.5.2) ------------------------

export async function activities({ me }) {
  const c = community(me);
  const list = h("div");
  const out = h("div");
  const draw = () => attempt(list, async () => {
    const found = await get(`/communities/${c}/activities?page_size=50`);
    put(list, table([{ title: "活动", value: (a) => a.title }, { title: "时间", value: (a) => `${when(a.starts_at)} – ${when(a.ends_at).slice(11)}` },
      { title: "地点", value: (a) => a.place, narrow: false }, { title: "报名", value: (a) => `${a.signed_up} / ${a.capacity}` },
      { title: "", value: (a) => h("span", { class: "row" }, h("a", { class: "button", href: `#/staff/activities/${a.id}/screen` }, "签到码大屏"),
        h("a", { class: "button plain", href: `#/staff/activities/${a.id}/assessment` }, "评价")) }],
    found.items, "还没有发布活动"));
  });
  const form = h("form", { class: "stack", onsubmit: async (e) => {
    e.preventDefault();
    const f = form.elements;
    const made = await attempt(out, () => post(`/communities/${c}/activities`, {
      kind: "regular", title: f.title.value, content: f.content.value, place: f.place.value, contact: f.contact.value,
      starts_at: f.starts_at.value, ends_at: f.ends_at.value, capacity: Number(f.capacity.value) }));
    if (made) { toast(`已发布活动“${made.title}”`); form.reset(); await draw(); }
  } },
  h("label", {}, "活动名称", h("input", { name: "title", required: true })),
  h("label", {}, "服务内容", h("textarea", { name: "content", required: true, rows: 2 })),
  h("label", {}, "地点", h("input", { name: "place", required: true })),
  h("label", {}, "联系方式", h("input", { name: "contact", required: true, placeholder: "李娜 0371-68901234" })),
  h("label", {}, "开始时间", h("input", { name: "starts_at", type: "datetime-local", required: true })),
  h("label", {}, "结束时间", h("input", { name: "ends_at", type: "datetime-local", required: true })),
  h("label", {}, "人数上限", h("input", { name: "capacity", type: "number", min: 1, value: 20, required: true })),
  h("button", { type: "submit" }, "发布活动"), out);
  show(h("h1", {}, "服务活动"), list, h("h2", {}, "发布服务活动（§3.3.2）"), form);
  await draw();
}

export async function checkInScreen({ me, args: [id] }) {
  const c = community(me);
  const box = h("div", { class: "screen" });
  const draw = () => attempt(box, async () => {
    const code = await get(`/communities/${c}/activities/${id}/check-in-code`);
    const link = `${location.origin}/console/#/me/checkin/${id}?code=${code.code}`;
    put(box, h("h1", {}, "扫码或输入签到码"), h("div", { class: "code", "data-code": code.code }, code.code),
      h("img", { src: `/qr.svg?text=${encodeURIComponent(link)}`, alt: "签到二维码" }),
      h("p", { class: "muted" }, `每分钟更换，本码 ${when(code.expires_at).slice(11)} 前有效（北京时间）。党员用手机扫码或在“活动签到”中输入。`));
  });
  show(box);
  await draw();
  const timer = setInterval(draw, 10 * 1000);   // the code changes each minute: the screen follows within 10 s
  return () => clearInterval(timer);
}

export async function assessment({ me, args: [id] }) {
  const c = community(me);
  const out = h("div");
  const box = h("div");
  show(h("h1", {}, "服务评价"), h("p", { class: "muted" },
    "对每位参与党员的服务质量和成效评价：基础分 5 分，按表现加减，最多 ±3 分（第 1 版规则，§3.5.2）。评价一次，积分随即记入。"), box, out);
  await attempt(box, async () => {
    const found = await get(`/communities/${c}/activities/${id}/participants`);
    // only who checked in and out can be assessed (§3.5.2); a no-show is shown, not sent
    const served = (p) => p.checked_in_at && p.checked_out_at;
    const open = found.items.filter((p) => !p.assessed && served(p));
    const inputs = new Map(open.map((p) => [p.member_id, h("input", { type: "number", min: -3, max: 3, value: 0, style: "width:5em",
      "aria-label": `${p.name} 加减分` })]));
    put(box, table([{ title: "姓名", value: (p) => p.name }, { title: "签到", value: (p) => when(p.checked_in_at) },
      { title: "签退", value: (p) => when(p.checked_out_at), narrow: false },
      { title: "加减分", value: (p) => (p.assessed ? `已评：${p.points} 分` : served(p) ? inputs.get(p.member_id)
        : h("span", { class: "muted" }, p.checked_in_at ? "未签退，不能评价" : "未签到，不能评价")) }],
    found.items, "还没有党员报名"),
    open.length ? h("button", { onclick: async () => {
      const participants = open.map((p) => ({ member_id: p.member_id, adjustment: Number(inputs.get(p.member_id).value) }));
      const done = await attempt(out, () => post(`/communities/${c}/activities/${id}/assessment`, { participants }));
      if (done) { toast(`已评价 ${participants.length} 人`); location.reload(); }
    } }, `提交 ${open.length} 人的评价`) : null);
  });
}

// --- posts and claims (§3.2.2) ------------------------------------------------------------------

export async function posts({ me }) {
  const c = community(me);
  const claims = h("div");
  const list = h("div");
  const out = h("div");
  const draw = async () => {
    await attempt(claims, async () => {
      const found = await get(`/communities/${c}/post-claims?status=pending&page_size=200`);
      const review = (claim, decision) => async () => {
        if (await attempt(claims, () => post(`/communities/${c}/post-claims/${claim.id}/review`, { decision }))) {
          toast(decision === "approve" ? "已同意" : "已不同意");
          await draw();
        }
      };
      put(claims, table([{ title: "党员", value: (r) => r.member_name }, { title: "岗位", value: (r) => r.post_title },
        { title: "", value: (r) => h("span", { class: "row" }, h("button", { onclick: review(r, "approve") }, "同意"),
          h("button", { class: "plain", onclick: review(r, "reject") }, "不同意")) }], found.items, "没有待审核的认岗申请"));
    });
    await attempt(list, async () => {
      const found = await get(`/communities/${c}/posts?page_size=200`);
      put(list, table([{ title: "岗位", value: (p) => p.title }, { title: "类别", value: (p) => p.category },
        { title: "已认领", value: (p) => `${p.claimed ?? 0} / ${p.capacity}` }, { title: "地点与时间", value: (p) => `${p.place} · ${p.schedule}`, narrow: false }],
      found.items, "还没有岗位"));
    });
  };
  const form = h("form", { class: "stack", onsubmit: async (e) => {
    e.preventDefault();
    const f = form.elements;
    const made = await attempt(out, () => post(`/communities/${c}/posts`, { category: f.category.value, title: f.title.value,
      capacity: Number(f.capacity.value), place: f.place.value, schedule: f.schedule.value, skills: f.skills.value }));
    if (made) { toast("岗位已发布"); form.reset(); await draw(); }
  } },
  h("label", {}, "需求类别", h("input", { name: "category", required: true, placeholder: "如 医疗保健、助老服务" })),
  h("label", {}, "岗位名称", h("input", { name: "title", required: true })),
  h("label", {}, "人数", h("input", { name: "capacity", type: "number", min: 1, value: 5, required: true })),
  h("label", {}, "地点", h("input", { name: "place", required: true })),
  h("label", {}, "时间", h("input", { name: "schedule", required: true, placeholder: "每周六上午" })),
  h("label", {}, "所需特长（可不填，多项用顿号分隔）", h("input", { name: "skills", placeholder: "医疗保健、心理辅导" })),
  h("button", { type: "submit" }, "发布岗位"), out);
  show(h("h1", {}, "岗位与认领"), h("h2", {}, "待审核的认岗申请"), claims, h("h2", {}, "本社区岗位"), list,
    h("h2", {}, "按居民需求设计岗位（§3.2.2）"), form);
  await draw();
}

// --- the half year: draft, members' congress, publication (§3.5.4–§3.5.6) ------------------------

export async function settlement({ me, args: [chosen] }) {
  const c = community(me);
  const period = chosen || settlingPeriod();
  const box = h("div");
  const out = h("div");
  const act = (path, body, done) => async () => {
    if (await attempt(out, () => post(`/communities/${c}/settlements/${period}/${path}`, body && body()))) {
      toast(done);
      await draw();
    }
  };
  const congress = h("form", { class: "stack" },
    h("label", {}, "党员群众代表大会日期", h("input", { name: "congress_date", type: "date", required: true,
      value: new Date().toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" }) })),   // today, in the city
    h("label", {}, "参会人数", h("input", { name: "attendees", type: "number", min: 3, value: 30 })),
    h("label", {}, "审议意见", h("input", { name: "minutes", value: "党员群众代表大会审议通过" })));
  const draw = () => attempt(box, async () => {
    let found;
    try {
      found = await get(`/communities/${c}/settlements/${period}`);
    } catch (err) {
      if (err.status !== 404) throw err;
      put(box, h("p", {}, `${period} 尚未生成清算草稿。`), h("button", { onclick: act("draft", null, "草稿已生成") }, "生成清算草稿"));
      return;
    }
    const s = found.current;
    const steps = {
      draft: [h("button", { class: "plain", onclick: act("draft", null, "草稿已重新生成") }, "重新生成草稿"), congress,
        h("button", { onclick: act("review", () => ({ congress_date: congress.elements.congress_date.value,
          attendees: Number(congress.elements.attendees.value), minutes: congress.elements.minutes.value }), "已登记审议") }, "登记审议")],
      reviewed: [h("button", { onclick: act("publication", null, "已公布：上先锋榜并向各单位反馈") }, "公布结果")],
      published: [h("p", { class: "ok" }, `已于 ${when(s.published_at)} 公布。`), h("a", { href: `#/public/board/${c}/${period}` }, "查看先锋榜大屏")],
    };
    put(box, h("p", {}, `${period} · 第 ${s.revision} 版 · `, h("span", { class: "badge" }, s.status_cn)),
      ...(steps[s.status] || []),
      table([{ title: "姓名", value: (m) => m.name }, { title: "积分", value: (m) => m.points }, { title: "星级", value: (m) => stars(m.stars) },
        { title: "记录", value: (m) => m.entries, narrow: false }], s.members, "本半年度没有党员"));
  });
  show(h("h1", {}, "半年清算"), h("p", { class: "muted" }, "生成草稿 → 党员群众代表大会审议 → 公布（上先锋榜，向各单位反馈）。"),
    periodPicker(period, (p) => { location.hash = `#/staff/settlement/${p}`; }), out, box);
  await draw();
}

// --- the supermarket's desk (§3.6.3) --------------------------------------------------------------

export async function supermarket({ me }) {
  const c = community(me);
  const goods = h("div");
  const redemptions = h("div");
  const out = h("div");
  const draw = async () => {
    await attempt(goods, async () => {
      const found = await get(`/communities/${c}/supermarket/goods`);
      const items = found.items || found;
      put(goods, table([{ title: "编号", value: (g) => g.id }, { title: "名称", value: (g) => g.name },
        { title: "所需积分", value: (g) => g.price_points }, { title: "库存", value: (g) => g.stock },
        { title: "状态", value: (g) => (g.active ? "在架" : "已下架") }], items, "超市还没有物品或服务"));
    });
    await attempt(redemptions, async () => {
      const found = await get(`/communities/${c}/supermarket/redemptions`);
      const items = found.items || found;
      put(redemptions, table([{ title: "党员", value: (r) => r.member_name || r.member_id },
        { title: "物品", value: (r) => r.goods_name || r.goods_id }, { title: "积分", value: (r) => r.points },
        { title: "状态", value: (r) => (r.status === "redeemed" ? "已兑换" : "已撤销") },
        { title: "", value: (r) => (r.status === "redeemed" ? h("button", { class: "plain", onclick: async () => {
          if (await attempt(out, () => post(`/communities/${c}/supermarket/redemptions/${r.id}/cancellation`, { reason: "柜台撤销" }))) {
            toast("已撤销，积分与库存已退回");
            await draw();
          }
        } }, "撤销") : "") }], items.slice(0, 50), "还没有兑换记录"));
    });
  };
  const desk = h("form", { class: "row", onsubmit: async (e) => {
    e.preventDefault();
    const f = desk.elements;
    if (await attempt(out, () => post(`/communities/${c}/supermarket/redemptions`, { member_id: Number(f.member_id.value),
      goods_id: Number(f.goods_id.value), quantity: Number(f.quantity.value) }))) {
      toast("兑换成功");
      desk.reset();
      await draw();
    }
  } }, h("label", {}, "党员编号", h("input", { name: "member_id", type: "number", required: true })),
  h("label", {}, "物品编号", h("input", { name: "goods_id", type: "number", required: true })),
  h("label", {}, "数量", h("input", { name: "quantity", type: "number", min: 1, value: 1 })), h("button", { type: "submit" }, "为党员兑换"));
  const shelf = h("form", { class: "row", onsubmit: async (e) => {
    e.preventDefault();
    const f = shelf.elements;
    if (await attempt(out, () => post(`/communities/${c}/supermarket/goods`, { name: f.name.value, kind: f.kind.value,
      price_points: Number(f.price_points.value), stock: Number(f.stock.value) }))) {
      toast("已上架");
      shelf.reset();
      await draw();
    }
  } }, h("label", {}, "名称", h("input", { name: "name", required: true })),
  h("label", {}, "类别", h("select", { name: "kind" }, h("option", { value: "service" }, "服务"), h("option", { value: "goods" }, "物品"))),
  h("label", {}, "所需积分", h("input", { name: "price_points", type: "number", min: 1, required: true })),
  h("label", {}, "库存", h("input", { name: "stock", type: "number", min: 0, value: 10 })), h("button", { type: "submit" }, "上架"));
  show(h("h1", {}, "志愿服务超市"), out, h("h2", {}, "柜台兑换"), desk, h("h2", {}, "物品与服务"), goods, shelf,
    h("h2", {}, "兑换记录"), redemptions);
  await draw();
}

// --- forms to print (the documents service) -------------------------------------------------------

export async function forms({ me }) {
  const c = community(me);
  const year = currentPeriod().slice(0, 4);
  const out = h("div");
  const job = h("div");
  const file = (label, path) => h("button", { class: "plain", onclick: async () => {
    const name = await attempt(out, () => download(path));
    if (name) toast(`已下载 ${name}`);
  } }, label);
  const batch = async () => {
    const started = await attempt(out, () => post(`/communities/${c}/documents/certificates`, { year: Number(year) }));
    if (!started) return;
    for (;;) {
      const state = await attempt(job, () => get(`/communities/${c}/documents/jobs/${started.job_id}`));
      if (!state) return;
      put(job, h("p", {}, `批量打印报到证：${state.status === "done" ? "已完成" : "进行中"}`), progress(state.done, state.total));
      if (state.status === "done") {
        add(job, file("下载 PDF", `/communities/${c}/documents/jobs/${started.job_id}/file`));
        return;
      }
      if (state.status === "failed") { add(job, errorBox({ message: state.error || "任务失败" })); return; }
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  show(h("h1", {}, "打印表单"), out,
    h("div", { class: "card" }, h("h2", {}, "报到证 B.1（本社区本年度全部，批量）"), h("button", { onclick: batch }, "开始批量打印"), job),
    h("div", { class: "card" }, h("h2", {}, "名单（Excel）"), h("div", { class: "row" },
      file("本年度报到党员", `/communities/${c}/exports/members.xlsx?year=${year}`),
      file("去年报到、今年未报到", `/communities/${c}/exports/unreported.xlsx?year=${year}`),
      file("转出及逾期", `/communities/${c}/exports/transfers.xlsx`),
      file(`${currentPeriod()} 登记表 D.1 全部记录`, `/communities/${c}/exports/register-d1-lines.xlsx?period=${currentPeriod()}`))),
    h("div", { class: "card" }, h("h2", {}, "意见反馈表 G"), h("div", { class: "row" },
      file("PDF", `/communities/${c}/objections.pdf`), file("Word", `/communities/${c}/objections.docx`),
      file("Excel", `/communities/${c}/objections.xlsx`))),
    h("div", { class: "card" }, h("h2", {}, "党员志愿服务组织运行图（附录A）"), file("下载 PDF", `/communities/${c}/org-chart.pdf?year=${year}`)));
}
