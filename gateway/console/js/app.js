// The console's frame: the pages by address (#/...), the navigation of each role, signing in and
// out, and the page for a session that has ended.
import { login, logout, session } from "./api.js";
import { attempt, h, put, show } from "./ui.js";
import { forget } from "./pick.js";
import * as publicPages from "./pages/public.js";
import * as staff from "./pages/staff.js";
import * as roster from "./pages/roster.js";
import * as desk from "./pages/desk.js";
import * as service from "./pages/service.js";
import * as mine from "./pages/mine.js";
import * as unit from "./pages/unit.js";
import * as area from "./pages/area.js";
import * as member from "./pages/member.js";
import * as community from "./pages/community.js";
import * as city from "./pages/city.js";

const NAV = {
  community_staff: [["#/staff/desk", "报到登记"], ["#/staff/reports", "报到接收"], ["#/staff/members", "党员名册"], ["#/staff/activities", "服务活动"], ["#/staff/posts", "岗位与认领"],
    ["#/staff/teams", "服务队"], ["#/staff/projects", "党建联建"], ["#/staff/households", "联系户"], ["#/staff/service", "承诺与帮扶"], ["#/staff/settlement", "半年清算"],
    ["#/staff/comments", "社区评语"], ["#/staff/feedback", "异议与反馈"], ["#/staff/supermarket", "志愿服务超市"], ["#/staff/forms", "打印表单"]],
  unit_officer: [["#/unit/reports", "党员报到"], ["#/unit/import", "批量导入"], ["#/unit/notices", "反馈通知"],
    ["#/unit/objections", "异议"], ["#/unit/archive", "工作档案"]],
  district_officer: [["#/area/dashboard", "工作概览"], ["#/area/candidates", "评选候选"], ["#/area/runs", "清算任务"],
    ["#/area/notices", "反馈通知"], ["#/area/campaigns", "节日集中服务"]],
  street_officer: [["#/area/dashboard", "工作概览"], ["#/area/runs", "清算任务"]],
  city_admin: [["#/area/dashboard", "工作概览"], ["#/city/accounts", "账号"], ["#/city/audit", "审计日志"]],
  member: [["#/me", "我的"], ["#/me/service", "我的服务"], ["#/me/posts", "岗位"], ["#/me/activities", "活动签到"], ["#/me/points", "积分"],
    ["#/me/supermarket", "超市"], ["#/me/objections", "异议"]],
};
const HOME = { community_staff: "#/staff/reports", unit_officer: "#/unit/reports", district_officer: "#/area/dashboard",
  street_officer: "#/area/dashboard", city_admin: "#/area/dashboard", member: "#/me" };

// [pattern, page, needs a session]
const PAGES = [
  [/^#\/login$/, loginPage, false],
  [/^#\/expired$/, expiredPage, false],
  [/^#\/public\/board\/(\d{4,12})(?:\/(20\d\dH[12]))?$/, publicPages.board, false],
  [/^#\/public\/honour\/(\d{4,12})(?:\/(20\d\dH[12]))?$/, publicPages.honour, false],
  [/^#\/public\/check$/, publicPages.check, false],
  [/^#\/staff\/reports$/, staff.reports, true],
  [/^#\/staff\/members$/, roster.members, true],
  [/^#\/staff\/desk$/, desk.desk, true],
  [/^#\/staff\/service$/, service.service, true],
  [/^#\/me\/service$/, mine.service, true],
  [/^#\/staff\/activities$/, staff.activities, true],
  [/^#\/staff\/activities\/(\d+)\/screen$/, staff.checkInScreen, true],
  [/^#\/staff\/activities\/(\d+)\/assessment$/, staff.assessment, true],
  [/^#\/staff\/posts$/, staff.posts, true],
  [/^#\/staff\/settlement(?:\/(20\d\dH[12]))?$/, staff.settlement, true],
  [/^#\/staff\/supermarket$/, staff.supermarket, true],
  [/^#\/staff\/forms$/, staff.forms, true],
  [/^#\/staff\/feedback$/, community.feedback, true],
  [/^#\/staff\/teams$/, community.teams, true],
  [/^#\/staff\/projects$/, community.projects, true],
  [/^#\/staff\/households$/, community.households, true],
  [/^#\/unit\/archive$/, unit.archive, true],
  [/^#\/unit\/objections$/, unit.objections, true],
  [/^#\/city\/accounts$/, city.accounts, true],
  [/^#\/city\/audit$/, city.audit, true],
  [/^#\/me\/objections(?:\?entry=(\d+))?$/, member.objections, true],
  [/^#\/unit\/reports$/, unit.reports, true],
  [/^#\/unit\/import$/, unit.importPage, true],
  [/^#\/unit\/notices$/, unit.notices, true],
  [/^#\/area\/dashboard$/, area.dashboard, true],
  [/^#\/area\/campaigns$/, area.campaigns, true],
  [/^#\/area\/notices(?:\/(20\d\dH[12]))?$/, area.notices, true],
  [/^#\/staff\/comments(?:\/(20\d\dH[12]))?$/, community.comments, true],
  [/^#\/area\/candidates(?:\/(20\d\dH[12]))?$/, area.candidates, true],
  [/^#\/area\/runs(?:\/(20\d\dH[12]))?$/, area.runs, true],
  [/^#\/me$/, member.home, true],
  [/^#\/me\/posts$/, member.posts, true],
  [/^#\/me\/activities$/, member.activities, true],
  [/^#\/me\/checkin\/(\d+)(?:\?code=(\d+))?$/, member.checkIn, true],
  [/^#\/me\/points$/, member.points, true],
  [/^#\/me\/supermarket$/, member.supermarket, true],
];

// Each page shows itself at once and fills in as its answers come; a page that refreshes by itself
// (the check-in screen, the hall's board) is stopped when another is shown, even if it is still
// loading then.
let stopPage = null;
let shown = 0;

function frame(me) {
  const nav = document.getElementById("nav");
  const who = document.getElementById("who");
  const links = me ? NAV[me.role] || [] : [];
  // the page's own entry: the longest one its address starts with (#/me/points is not #/me)
  const here = links.map(([href]) => href).filter((href) => location.hash.startsWith(href))
    .sort((a, b) => b.length - a.length)[0];
  put(nav, ...links.map(([href, text]) => h("a", { href, class: href === here ? "here" : null }, text)));
  put(who, ...(me ? [`${me.display_name}（${me.role_name}）`,
    h("button", { class: "plain", onclick: async () => { await logout(); location.hash = "#/login"; } }, "退出登录")] : []));
}

async function route() {
  if (stopPage) { stopPage(); stopPage = null; }
  forget();   // each page asks the roster afresh: members accepted on another page are in it
  const s = session.get();
  const hash = location.hash || "#/";
  if (hash === "#/" || hash === "#") {
    location.hash = s && s.me ? HOME[s.me.role] || "#/login" : "#/login";
    return;
  }
  for (const [pattern, page, needsSession] of PAGES) {
    const m = hash.match(pattern);
    if (!m) continue;
    if (needsSession && !(s && s.me)) {   // after the login, on to where they were going (a scanned QR code)
      sessionStorage.setItem("sbd.after_login", hash);
      location.hash = "#/login";
      return;
    }
    frame(needsSession ? s.me : (s && s.me));
    const mine = ++shown;
    const stop = await page({ me: s && s.me, args: m.slice(1) });
    if (typeof stop === "function") {
      if (mine === shown) stopPage = stop;
      else stop();
    }
    return;
  }
  frame(s && s.me);
  show(h("h1", {}, "没有这个页面"), h("p", {}, h("a", { href: "#/" }, "回到首页")));
}

function loginPage() {
  const out = h("div");
  const form = h("form", { class: "stack", onsubmit: async (e) => {
    e.preventDefault();
    const me = await attempt(out, () => login(form.username.value.trim(), form.password.value));
    if (!me) return;
    const wanted = sessionStorage.getItem("sbd.after_login");
    sessionStorage.removeItem("sbd.after_login");
    location.hash = wanted && wanted !== "#/login" && wanted !== "#/expired" ? wanted : HOME[me.role] || "#/";
  } },
  h("label", {}, "用户名", h("input", { name: "username", autocomplete: "username", required: true })),
  h("label", {}, "密码", h("input", { name: "password", type: "password", autocomplete: "current-password", required: true })),
  h("button", { type: "submit" }, "登录"), out);
  show(h("div", { class: "login" }, h("h1", {}, "登录"),
    h("p", { class: "muted" }, "使用平台为您开设的账号登录：社区、单位、街道、县（区）和在职党员各用本人账号。"), form,
    h("p", { class: "muted" }, "无需登录：", h("a", { href: "#/public/check" }, "报到证查验"))));
}

function expiredPage() {
  show(h("div", { class: "login" }, h("h1", {}, "登录已过期"),
    h("p", {}, "为保护个人信息，长时间未操作或在别处退出后，本次登录已结束。请重新登录，继续刚才的工作。"),
    h("a", { class: "button", href: "#/login" }, "重新登录")));
}

window.addEventListener("hashchange", route);
route();
