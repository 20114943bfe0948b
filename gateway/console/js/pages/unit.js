// The unit's Party organization (驻地单位党组织): its members' reports to give an opinion on (one
// opinion for many), the import of a member list with its progress and row errors, and the
// feedback notices (附录E、F) to read, acknowledge and print.
import { api, download, get, post } from "../api.js";
import { STATUS_CN, add, attempt, h, progress, put, show, table, toast, when } from "../ui.js";

const unitOf = (me) => me.scope;

export async function reports({ me }) {
  const u = unitOf(me);
  const list = h("div");
  const out = h("div");
  const officer = h("input", { name: "officer", value: localStorage.getItem("sbd.unit_officer") || "", required: true,
    placeholder: "审核人姓名" });
  let boxes = [];
  const draw = () => attempt(list, async () => {
    const found = await get(`/units/${u}/member-registrations?status=submitted&page_size=200`);
    boxes = found.items.map((r) => h("input", { type: "checkbox", value: r.id, checked: true, "aria-label": r.name }));
    put(list, h("p", {}, `待签署意见 ${found.total} 人${found.total > found.items.length ? `（本页 ${found.items.length} 人）` : ""}。`),
      table([{ title: "", value: (r) => boxes[found.items.indexOf(r)] }, { title: "姓名", value: (r) => r.name },
        { title: "报到社区", value: (r) => r.community_code }, { title: "服务意向", value: (r) => (r.service_intentions || []).join("、"), narrow: false },
        { title: "状态", value: (r) => STATUS_CN[r.status] || r.status }], found.items, "没有等待签署意见的报到"));
  });
  const decide = (decision) => async () => {
    const ids = boxes.filter((b) => b.checked).map((b) => Number(b.value));
    if (!ids.length) { toast("请先勾选党员"); return; }
    localStorage.setItem("sbd.unit_officer", officer.value);
    const answer = await attempt(out, () => post(`/units/${u}/member-registrations/opinions`,
      { registration_ids: ids, decision, officer: officer.value }));
    if (!answer) return;
    put(out, h("p", { class: "ok" }, `已签署 ${answer.done} 人（${decision === "approve" ? "同意" : "不同意"}）。`),
      answer.failed ? h("div", { class: "error" }, h("ul", {}, answer.results.filter((r) => r.error)
        .map((r) => h("li", {}, `报到 ${r.registration_id}：${r.error.message}`)))) : null);
    await draw();
  };
  show(h("h1", {}, "党员报到：单位党组织意见"), h("p", { class: "muted" }, "对本单位党员到社区报到签署意见（附录B.1）；可一次勾选多人。"),
    h("div", { class: "row" }, h("label", {}, "审核人", officer), h("button", { onclick: decide("approve") }, "同意所选"),
      h("button", { class: "plain", onclick: decide("reject") }, "不同意所选")), out, list);
  await draw();
}

export function importPage({ me }) {
  const u = unitOf(me);
  const out = h("div");
  const state = h("div");
  const input = h("input", { type: "file", name: "file", accept: ".csv,.xlsx", required: true });
  const form = h("form", { class: "stack", onsubmit: async (e) => {
    e.preventDefault();
    const file = input.files[0];
    if (!file) return;
    const body = new FormData();
    add(body, "file", file);
    const started = await attempt(out, async () => (await api("POST", `/units/${u}/member-imports`, body,
      { raw: true })).json());
    if (!started) return;
    await watch(started.job_id);
  } }, h("label", {}, "党员名单（CSV 或 XLSX；表头使用报到证 B.1 的项目名称：姓名、性别、出生日期、身份证号……）", input),
  h("button", { type: "submit" }, "上传并导入"), out);

  async function watch(jobId) {
    for (;;) {
      const job = await attempt(state, () => get(`/units/${u}/member-imports/${jobId}`));
      if (!job) return;
      const total = job.total_rows || 0;
      put(state, h("p", {}, `导入任务 ${jobId}：${{ queued: "排队中", validating: "逐行检查中", writing: "写入中",
        succeeded: "全部导入成功", failed: "未导入（有错误，全部未写入）" }[job.status] || job.status}`), progress(job.processed_rows, total));
      if (job.status === "succeeded") { toast(`已导入 ${total} 人`); return; }
      if (job.status === "failed") {
        add(state, h("p", {}, `共 ${job.error_count} 处错误，请改正后重新上传：`),
          table([{ title: "行", value: (e) => e.row }, { title: "列", value: (e) => e.column || e.label || e.field },
            { title: "问题", value: (e) => e.message }], job.errors));
        return;
      }
      await new Promise((r) => setTimeout(r, 800));
    }
  }
  show(h("h1", {}, "批量导入党员报到"), h("p", { class: "muted" },
    "整个文件检查无误才写入；有错误时逐行列出，全部不写入。性别可写“男/女”，日期可写 1985/4/3，电话可带空格或 +86。"), form, state);
}

export async function notices({ me }) {
  const u = unitOf(me);
  const list = h("div");
  const reading = h("div");
  const out = h("div");
  const open = (n) => async () => {
    const found = await attempt(out, () => get(`/units/${u}/notices/${n.notice_id}`));
    if (!found) return;
    put(reading, h("div", { class: "card" }, h("h2", {}, `在职党员志愿服务情况反馈通知单（${found.period}，第 ${found.revision} 版）`),
      h("pre", { style: "white-space:pre-wrap;font:inherit" }, found.notice_text),
      table([{ title: "序号", value: (r) => r.seq }, { title: "姓名", value: (r) => r.name }, { title: "是否报到", value: (r) => r.reported_cn },
        { title: "积分情况", value: (r) => r.points_cn }, { title: "评星情况", value: (r) => r.stars_cn },
        { title: "社区评语", value: (r) => r.comment }], found.table),
      h("div", { class: "row" },
        h("button", { onclick: async () => {
          if (await attempt(out, () => post(`/units/${u}/notices/${n.notice_id}/acknowledgement`))) { toast("已确认收到"); await draw(); }
        } }, "确认收到"),
        h("button", { class: "plain", onclick: () => attempt(out, () => download(`/units/${u}/notices/${n.notice_id}/notice.pdf`)) }, "下载 PDF"),
        h("button", { class: "plain", onclick: () => attempt(out, () => download(`/units/${u}/notices/${n.notice_id}/notice.docx`)) }, "下载 Word"),
        h("button", { class: "plain", onclick: () => attempt(out, () => download(`/units/${u}/notices/${n.notice_id}/table.xlsx`)) }, "汇总表 Excel"))));
    await draw();
  };
  const draw = () => attempt(list, async () => {
    const found = await get(`/units/${u}/notices`);
    put(list, h("p", {}, `未读 ${found.unread} 份。`), table([{ title: "半年度", value: (n) => n.period },
      { title: "版本", value: (n) => n.revision }, { title: "发布时间", value: (n) => when(n.released_at) },
      { title: "状态", value: (n) => n.status_cn }, { title: "", value: (n) => h("button", { class: "plain", onclick: open(n) }, "阅读") }],
    found.items, "还没有收到反馈通知"));
  });
  show(h("h1", {}, "反馈通知（附录E、F）"), out, list, reading);
  await draw();
}


export async function archive({ me }) {
  const body = h("div");
  show(h("h1", {}, "“双报到”工作档案（§4.1）"), h("p", { class: "muted" }, "本单位报到、收到的反馈通知、征求的意见、提出的异议和信息变更，按时间排列。"), body);
  await attempt(body, async () => {
    const found = await get(`/units/${unitOf(me)}/archive`);
    put(body, table([{ title: "时间", value: (i) => when(i.at) }, { title: "类别", value: (i) => i.kind_cn },
      { title: "事项", value: (i) => i.title }, { title: "状态", value: (i) => i.status_cn }], found.items, "档案中还没有记录"));
  });
}


export async function objections({ me }) {
  const u = unitOf(me);
  const out = h("div");
  const list = h("div");
  const form = h("form", { class: "stack", onsubmit: async (e) => {
    e.preventDefault();
    const f = form.elements;
    const made = await attempt(out, () => post(`/units/${u}/objections`, { target: f.target.value,
      community_code: f.community_code.value || null, period: f.period.value || null, content: f.content.value }));
    if (made) { toast("异议已提交，报到社区将调查核实"); form.reset(); await draw(); }
  } }, h("label", {}, "异议对象", h("select", { name: "target" }, h("option", { value: "result" }, "半年度积分评星结果"),
    h("option", { value: "missing_service" }, "漏记的服务"))),
  h("label", {}, "党员报到社区代码", h("input", { name: "community_code", placeholder: "12 位，见反馈通知单" })),
  h("label", {}, "半年度", h("input", { name: "period", placeholder: "如 2026H1" })),
  h("label", {}, "提出意见及建议内容", h("textarea", { name: "content", rows: 3, required: true })), h("button", { type: "submit" }, "提出异议"), out);
  const draw = () => attempt(list, async () => {
    const found = await get(`/units/${u}/objections`);
    put(list, table([{ title: "提出时间", value: (o) => when(o.raised_at) }, { title: "内容", value: (o) => `${o.target_cn}：${o.content}` },
      { title: "执行部门", value: (o) => o.department_cn }, { title: "处理结果", value: (o) => o.result_cn }], found.items, "还没有提出异议"));
  });
  show(h("h1", {}, "本单位的异议（附录G）"), h("p", { class: "muted" }, "对本单位党员在社区的半年度结果或漏记的服务有不同意见，向报到社区提出（§5.3.4）。"),
    form, h("h2", {}, "处理情况"), list);
  await draw();
}
