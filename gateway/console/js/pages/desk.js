// The registration desk (报到登记): a unit's Party organization reporting to the community (§3.1.1,
// a co-building pair formed with it), and a member reporting in person with the certificate B.1
// (§3.1.2), typed as it is written on the paper (1985/4/3, 138 1234 5678, 男).
import { get, post } from "../api.js";
import { choices } from "../pick.js";
import { attempt, h, put, show, toast } from "../ui.js";

const input = (name, attrs = {}) => h("input", { name, ...attrs });
const labelled = (text, el) => h("label", {}, text, el);
const list = (value) => value.split(/[、,，;；\s]+/).map((s) => s.trim()).filter(Boolean);

export async function desk({ me }) {
  const c = me.scope;
  const out = h("div");
  const unitOut = h("div");
  const known = await attempt(out, () => choices());
  if (!known) { show(h("h1", {}, "报到登记"), out); return; }
  const option = ([code, name]) => h("option", { value: code }, name);

  // --- a unit reports (§3.1.1) ---
  const unitForm = h("form", { class: "card", onsubmit: async (e) => {
    e.preventDefault();
    const f = unitForm.elements;
    const done = await attempt(unitOut, () => post(`/communities/${c}/unit-registrations`, {
      unit: { name: f.unit_name.value, credit_code: f.credit_code.value.trim(), type: f.unit_type.value,
        party_org_name: f.party_org_name.value, address: f.unit_address.value },
      contact_officer: f.contact_officer.value, contact_phone: f.contact_phone.value, resources: list(f.resources.value) }));
    if (!done) return;
    put(unitOut, h("p", { class: "ok" }, `${f.unit_name.value} 已报到，结成共驻共建对子（单位编号 ${done.unit_id}）。`));
    unitForm.reset();
  } },
  h("div", { class: "form-grid" },
    labelled("单位名称", input("unit_name", { required: true })),
    labelled("统一社会信用代码", input("credit_code", { required: true, maxlength: 18, placeholder: "18 位" })),
    labelled("单位党组织类型", h("select", { name: "unit_type" }, known.unit_types.map(option))),
    labelled("单位党组织名称", input("party_org_name", { required: true, placeholder: "中共××支部委员会" })),
    labelled("单位地址", input("unit_address", { required: true })),
    labelled("联系人", input("contact_officer", { required: true })),
    labelled("联系电话", input("contact_phone", { required: true, placeholder: "如 0371-67181234 或 138 1234 5678" })),
    labelled("可提供资源（顿号分隔）", input("resources", { placeholder: "会议室、义诊、法律咨询" }))),
  h("button", { type: "submit" }, "登记单位报到"), unitOut);

  // --- a member reports with the certificate B.1 (§3.1.2) ---
  const memberOut = h("div");
  const found = h("div");
  const unitId = h("input", { type: "hidden", name: "unit_id" });
  const unitChosen = h("span", { class: "muted" }, "尚未选择");
  const search = input("unit_search", { placeholder: "单位名称的一部分或统一社会信用代码" });
  const findUnit = async () => {
    const words = search.value.trim();
    if (words.length < 2) { put(found, h("p", { class: "muted" }, "请至少输入两个字")); return; }
    const units = await attempt(found, () => get(`/units?q=${encodeURIComponent(words)}`));
    if (!units) return;
    put(found, units.length ? h("div", { class: "chips" }, units.map((u) => h("button", { type: "button", class: "chip", onclick: () => {
      unitId.value = u.unit_id;
      put(unitChosen, `${u.name}（${u.party_org_name}）`);
      put(found);
    } }, `${u.name} · ${u.community_name}`))) : h("p", { class: "muted" }, "没有找到。单位须先报到（见上方“单位报到”）。"));
  };
  search.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); findUnit(); } });
  const skills = known.skills.map((s) => h("label", { class: "inline" }, h("input", { type: "checkbox", name: "skills", value: s }), s));
  const memberForm = h("form", { class: "card", onsubmit: async (e) => {
    e.preventDefault();
    const f = memberForm.elements;
    if (!unitId.value) { put(memberOut, h("div", { class: "error" }, "工作单位（unit_id）：请先查找并选择工作单位（附录B.1）")); return; }
    const body = { community_choice: f.community_choice.value, name: f.name.value, gender: f.gender.value,
      birth_date: f.birth_date.value, id_number: f.id_number.value.trim(), education: f.education.value,
      party_join_date: f.party_join_date.value, unit_id: Number(unitId.value), position: f.position.value,
      phone: f.phone.value, home_address: f.home_address.value,
      skills: [...memberForm.querySelectorAll("input[name=skills]:checked")].map((x) => x.value),
      other_skill: f.other_skill.value || null, service_intentions: list(f.service_intentions.value) };
    const done = await attempt(memberOut, () => post(`/communities/${c}/member-registrations`, body));
    if (!done) return;
    put(memberOut, h("p", { class: "ok" }, `${body.name} 已报到，报到证编号 ${done.certificate_no}${done.late ? "（3月31日后报到）" : ""}。`,
      "请单位党组织签署意见后，在“报到接收”中接收。"));
    memberForm.reset();
    unitId.value = "";
    put(unitChosen, "尚未选择");
  } },
  h("div", { class: "form-grid" },
    labelled("姓名", input("name", { required: true })),
    labelled("性别", h("select", { name: "gender" }, known.genders.map(option))),
    labelled("出生日期", input("birth_date", { required: true, placeholder: "如 1985/4/3" })),
    labelled("公民身份号码", input("id_number", { required: true, maxlength: 18 })),
    labelled("学历", h("select", { name: "education" }, known.education.map((x) => h("option", {}, x)))),
    labelled("入党时间", input("party_join_date", { required: true, placeholder: "如 2008/7/1" })),
    labelled("职务", input("position", { required: true })),
    labelled("联系电话", input("phone", { required: true, placeholder: "如 138 1234 5678" })),
    labelled("家庭住址", input("home_address", { required: true })),
    labelled("报到社区类别", h("select", { name: "community_choice" }, known.community_choices.map(option)))),
  h("fieldset", {}, h("legend", {}, "工作单位"), h("div", { class: "row" }, search,
    h("button", { type: "button", class: "plain", onclick: findUnit }, "查找单位")), found, h("p", {}, "已选：", unitChosen), unitId),
  h("fieldset", {}, h("legend", {}, "技能特长（可多选）"), skills,
    labelled("其它技能（选“其它”时填写）", input("other_skill"))),
  labelled("服务意向（顿号分隔，至少一项）", input("service_intentions", { required: true, placeholder: "助老服务、政策宣传" })),
  h("button", { type: "submit" }, "登记党员报到"), memberOut);

  show(h("h1", {}, "报到登记"),
    h("p", { class: "muted" }, "单位党组织到驻地社区报到（§3.1.1）；在职党员持报到证到社区报到（§3.1.2、附录B.1）。日期、电话按平常写法填写即可。"),
    out, h("h2", {}, "单位报到"), unitForm, h("h2", {}, "党员报到"), memberForm);
}
