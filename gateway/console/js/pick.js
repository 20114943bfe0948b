// Choosing people and values the way a clerk thinks of them: members by name (from the community's
// roster, the accepted ones), never by number; the choices of a form from the platform's own list
// (GET /choices), never from a copy in the page.
import { currentPeriod, get } from "./api.js";
import { h, put } from "./ui.js";

const rosters = new Map();
let choicesOnce = null;

/** The values forms offer ({skills, education, genders: [[code, 中文]], ...}), asked once. */
export function choices() {
  choicesOnce = choicesOnce || get("/choices").catch((err) => { choicesOnce = null; throw err; });
  return choicesOnce;
}

/** The community's accepted members of this year, [{member_id, name, unit_name, unit_id}], asked once a page. */
export async function acceptedMembers(c) {
  const key = `${c}/${currentPeriod().slice(0, 4)}`;
  if (!rosters.has(key)) {
    rosters.set(key, get(`/communities/${c}/roster`).then((found) => found.rows
      .map((row) => Object.fromEntries(found.columns.map((name, i) => [name, row[i]])))
      .filter((r) => r.status === "accepted")).catch((err) => { rosters.delete(key); throw err; }));
  }
  return rosters.get(key);
}

/** Forget the rosters asked so far (each page asks afresh: app.js on every page change). */
export function forget() {
  rosters.clear();
}

/**
 * A member picker: type a name (or unit), pick from the list; `multiple` keeps a list of chips.
 * Returns the element; element.ids() gives the chosen member ids, element.clear() empties it.
 */
export function memberPicker(c, { name, label, multiple = false, placeholder = "输入姓名或单位查找", onchange = null } = {}) {
  const list = `pick-${name}-${Math.random().toString(36).slice(2, 8)}`;
  const chosen = new Map();
  const chips = h("span", { class: "chips" });
  const input = h("input", { name, list, placeholder, autocomplete: "off", "aria-label": label });
  const options = h("datalist", { id: list });
  let members = [];
  const text = (m) => `${m.name}（${m.unit_name}）#${m.member_id}`;
  const draw = () => put(chips, [...chosen.values()].map((m) => h("span", { class: "badge" }, `${m.name}（${m.unit_name}）`,
    h("button", { type: "button", class: "plain small", "aria-label": `去掉${m.name}`, onclick: () => { chosen.delete(m.member_id); draw(); } }, "×"))));
  const take = () => {
    const m = members.find((x) => text(x) === input.value);
    if (!m) return;
    if (!multiple) chosen.clear();
    chosen.set(m.member_id, m);
    input.value = "";
    draw();
    if (onchange) onchange([...chosen.values()]);
  };
  input.addEventListener("change", take);
  input.addEventListener("input", () => { if (members.some((x) => text(x) === input.value)) take(); });
  acceptedMembers(c).then((found) => {
    members = found;
    put(options, found.map((m) => h("option", { value: text(m) })));
  }).catch(() => { input.placeholder = "名册暂不可用，请稍后刷新"; });
  const box = h("label", {}, label, h("span", { class: "picker" }, input, options, chips));
  box.ids = () => [...chosen.keys()];
  box.typed = () => input.value.trim();   // a name typed and not picked from the list
  /** The chosen ids, or null with `say` told which field, in people's words, when none is. */
  box.required = (say) => {
    if (chosen.size) return [...chosen.keys()];
    say(`${label}：${box.typed() ? `没有找到“${box.typed()}”，请从列表中选择` : "请输入姓名并从列表中选择"}`);
    return null;
  };
  box.clear = () => { chosen.clear(); draw(); };
  box.addAll = (more) => { more.forEach((m) => chosen.set(m.member_id, m)); draw(); };
  return box;
}
