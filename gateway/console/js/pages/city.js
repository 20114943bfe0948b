// The city administrator (市级管理员): the platform's accounts and the audit log (who read or
// changed what, with which role, when, from where).
import { get, post } from "../api.js";
import { attempt, h, put, show, table, toast, when } from "../ui.js";

export async function accounts() {
  const out = h("div");
  const list = h("div");
  const act = (path, body, done) => async () => {
    if (await attempt(out, () => post(path, body))) { toast(done); await draw(); }
  };
  const draw = () => attempt(list, async () => {
    const found = await get("/accounts?page_size=200");
    put(list, h("p", {}, `共 ${found.total} 个账号。`), table([{ title: "用户名", value: (a) => a.username },
      { title: "名称", value: (a) => a.display_name }, { title: "角色", value: (a) => a.role_name },
      { title: "管辖范围", value: (a) => a.scope || "全市" }, { title: "状态", value: (a) => (a.disabled ? "已停用" : a.locked_until ? "已锁定" : "正常") },
      { title: "", value: (a) => h("span", { class: "row" },
        h("button", { class: "plain", onclick: act(`/accounts/${a.id}/state`, a.disabled ? { disabled: false } : { disabled: true },
          a.disabled ? "已启用" : "已停用，其会话随即结束") }, a.disabled ? "启用" : "停用"),
        a.locked_until ? h("button", { class: "plain", onclick: act(`/accounts/${a.id}/state`, { unlock: true }, "已解锁") }, "解锁") : null,
        h("button", { class: "plain", onclick: act(`/accounts/${a.id}/revocation`, {}, "已吊销其全部会话") }, "吊销会话")) }],
    found.items));
  });
  const form = h("form", { class: "row", onsubmit: async (e) => {
    e.preventDefault();
    const f = form.elements;
    if (await attempt(out, () => post("/accounts", { username: f.username.value, display_name: f.display_name.value,
      role: f.role.value, scope: f.scope.value, password: f.password.value }))) { toast("账号已创建"); form.reset(); await draw(); }
  } }, h("label", {}, "用户名", h("input", { name: "username", required: true })), h("label", {}, "名称", h("input", { name: "display_name", required: true })),
  h("label", {}, "角色", h("select", { name: "role" }, [["community_staff", "社区党群服务中心"], ["unit_officer", "驻地单位党组织"],
    ["street_officer", "街道党（工）委"], ["district_officer", "县（区）组织部门"], ["member", "在职党员"], ["city_admin", "市级管理员"]]
    .map(([v, t]) => h("option", { value: v }, t)))),
  h("label", {}, "管辖范围（社区、街道、县区代码，单位或党员编号）", h("input", { name: "scope" })),
  h("label", {}, "初始密码", h("input", { name: "password", type: "password", required: true })), h("button", { type: "submit" }, "创建账号"));
  show(h("h1", {}, "账号"), out, form, list);
  await draw();
}

export async function audit() {
  const out = h("div");
  const list = h("div");
  const search = async () => {
    const f = form.elements;
    const q = new URLSearchParams({ page_size: "100" });
    if (f.username.value) q.set("username", f.username.value);
    if (f.member_id.value) q.set("member_id", f.member_id.value);
    await attempt(out, async () => {
      const found = await get(`/audit?${q}`);
      put(list, h("p", {}, `共 ${found.total} 条。`), table([{ title: "时间", value: (a) => when(a.at) }, { title: "账号", value: (a) => a.username },
        { title: "角色", value: (a) => a.role }, { title: "操作", value: (a) => `${a.method} ${a.path}` }, { title: "结果", value: (a) => a.status },
        { title: "个人信息", value: (a) => (a.personal_data ? (a.personal_fields || []).join("、") : "") }, { title: "地址", value: (a) => a.client_ip }],
      found.items));
    });
  };
  const form = h("form", { class: "row", onsubmit: async (e) => { e.preventDefault(); await search(); } },
    h("label", {}, "账号", h("input", { name: "username" })), h("label", {}, "涉及的党员编号", h("input", { name: "member_id", type: "number" })),
    h("button", { type: "submit" }, "查询"));
  show(h("h1", {}, "审计日志"), h("p", { class: "muted" }, "谁、何时、以何角色读取或更改了什么；读取个人信息的每一次都有记录。"), form, out, list);
  await search();
}
