// Pages for everyone, without login: the vanguard board for a hall's screen (§3.5.6), the honour
// list of ten-star members (§3.6.2), and the check of a certificate's number (附录B.1).
import { currentPeriod, get } from "../api.js";
import { attempt, h, put, show, stars, table } from "../ui.js";

function previous(period) {
  const year = Number(period.slice(0, 4));
  return period.endsWith("H2") ? `${year}H1` : `${year - 1}H2`;
}

function halfYear(period) {
  return `${period.slice(0, 4)}年${period.endsWith("1") ? "上" : "下"}半年`;
}

/** The newest published half year of the area: the one asked for, or the current one, else the one before. */
async function published(path, area, period) {
  if (period) return [period, await get(`${path}/${area}/${period}`, { public: true })];
  let p = currentPeriod();
  for (let i = 0; i < 2; i++, p = previous(p)) {
    const found = await get(`${path}/${area}/${p}`, { public: true });
    if (found.items.length) return [p, found];
  }
  return [currentPeriod(), { items: [] }];
}

export async function board({ args: [area, period] }) {
  const out = h("div", { class: "board" });
  const draw = async () => {
    await attempt(out, async () => {
      const [p, found] = await published("/public/boards", area, period);
      put(out, h("h1", {}, `先锋榜 · ${halfYear(p)}`),
        h("p", { class: "muted", style: "text-align:center" }, `区域 ${area} · 已公布 ${found.communities_published ?? 0} 个社区 · 每 5 分钟自动更新`),
        table([{ title: "名次", value: (r) => r.rank, class: "rank" }, { title: "姓名", value: (r) => r.name },
          { title: "积分", value: (r) => r.points }, { title: "星级", value: (r) => stars(r.stars) }],
        found.items, "本半年度尚未公布积分评星结果"));
    });
  };
  show(out);
  await draw();
  const timer = setInterval(draw, 5 * 60 * 1000);
  return () => clearInterval(timer);
}

export async function honour({ args: [area, period] }) {
  const out = h("div", { class: "board" });
  show(out);
  await attempt(out, async () => {
    const [p, found] = await published("/public/honour-list", area, period);
    put(out, h("h1", {}, `十星级党员志愿者 · ${halfYear(p)}`),
      table([{ title: "姓名", value: (r) => r.name }, { title: "积分", value: (r) => r.points },
        { title: "星级", value: (r) => stars(r.stars) }, { title: "社区", value: (r) => r.community_code }],
      found.items, "本半年度尚无十星级党员志愿者"));
  });
}

export function check() {
  const out = h("div");
  const form = h("form", { class: "stack", onsubmit: async (e) => {
    e.preventDefault();
    let number = form.number.value.trim();
    let token = form.token.value.trim();
    const link = number.match(/\/check\/([^?]+)\?t=([A-Za-z2-7]+)/);   // the QR code's whole link pasted
    if (link) [number, token] = [decodeURIComponent(link[1]), link[2]];
    const found = await attempt(out, () => get(`/public/certificates/${encodeURIComponent(number)}?t=${encodeURIComponent(token)}`,
      { public: true }));
    if (found) {
      put(out, h("div", { class: "card" },
        h("h2", { class: found.valid ? "ok" : "" }, found.valid ? "✔ 报到证真实有效" : "报到证真实，但已失效"),
        table([{ title: "项目", value: (r) => r[0] }, { title: "内容", value: (r) => r[1] }],
          [["编号", found.number], ["姓名", found.member_name], ["报到社区", found.community_name],
            ["报到日期", found.reported_on], ["状态", found.status]])));
    }
  } },
  h("label", {}, "报到证编号（或扫码得到的完整链接）", h("input", { name: "number", required: true, placeholder: "2026-410105001001-000001-8" })),
  h("label", {}, "校验码（二维码链接中 t= 之后的 16 位字母数字）", h("input", { name: "token", placeholder: "扫码查验时自动带出" })),
  h("button", { type: "submit" }, "查验"), out);
  show(h("h1", {}, "报到证查验"), h("p", { class: "muted" },
    "用手机扫描报到证上的二维码即可直接查验；也可在此输入编号与校验码。只显示编号、脱敏姓名、社区、日期和状态。"), form);
}
