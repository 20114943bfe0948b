"""Annexes E, F and G rendered for real: the notice as the district released it, its table with
every member (one who did not report: 否), a revision saying what changed; a community's
objections with the department and the result."""
import os
import shutil
import subprocess

import pytest

from documents import feedback, render

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None and not os.environ.get("CI"),
                                reason="poppler-utils (pdftotext) not installed")

NOTICE = {
    "unit_name": "上街区人民医院", "period": "2026H1", "revision": 2, "released_at": "2026-07-10T10:00:00+08:00",
    "notice_text": "中共上街区人民医院委员会：\n现将贵单位在职党员 2026 年上半年……参与志愿服务的情况反馈给你单位。\n中共郑州市上街区委组织部",
    "changes": [{"member_id": 40, "name": "刘芳", "field": "points", "before": "12.0", "after": "15.0",
                 "reason": "异议第 3 号成立"}],
    "table": [{"name": "刘芳", "reported_cn": "是", "points_cn": "15 分", "stars_cn": "1 星", "comment": "积极参加义诊",
               "community_name": "和平社区"},
              {"name": "王未报", "reported_cn": "否", "points_cn": "未报到", "stars_cn": "—", "comment": "",
               "community_name": "和平社区"}] * 30,
}
OBJECTIONS = [{"id": 3, "objector_cn": "党员本人（刘芳）", "content": "义诊时长少记了一小时", "department_cn": "社区党委组织委员",
               "result_cn": "异议成立：经核实属实；补记 +3 分", "raised_at": "2026-07-01"},
              {"id": 4, "objector_cn": "单位（上街区人民医院）", "content": "评语与事实不符", "department_cn": "待分派",
               "result_cn": "待分派", "raised_at": "2026-07-02"}]


def flat_text(data, tmp_path):
    path = tmp_path / "f.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    pages = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return "".join(text.split()), int(next(line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:")))


def test_notice_e_with_table_f_every_member_and_what_the_revision_changed(tmp_path):
    flat, pages = flat_text(render.pdf("ef", [feedback.notice(NOTICE)], "2026-07-10"), tmp_path)
    for expected in ("在职党员志愿服务情况反馈通知单", "2026年上半年第2版（修订）", "中共上街区人民医院委员会：",
                     "本版与上一版相比", "刘芳：积分12.0→15.0（异议第3号成立）", "中共郑州市上街区委组织部", "2026年7月10日",
                     "在职党员志愿服务情况汇总表", "序号", "是否报到", "积分情况", "评星情况", "社区评语", "1刘芳是15分1星积极参加义诊",
                     "2王未报否未报到—", "60王未报否"):
        assert expected in flat, expected
    assert pages >= 3   # E, then F running on


def test_table_g_lists_each_objection_with_its_department_and_result(tmp_path):
    flat, _ = flat_text(render.pdf("g", [feedback.objections("和平社区", OBJECTIONS)], "2026-07-02"), tmp_path)
    for expected in ("在职党员志愿服务情况意见反馈表", "提出意见单位/个人", "提出意见及建议内容", "执行部门", "处理结果",
                     "义诊时长少记了一小时", "社区党委组织委员", "异议成立", "评语与事实不符", "待分派"):
        assert expected in flat, expected
    empty, _ = flat_text(render.pdf("g", [feedback.objections("和平社区", [])], "2026-07-02"), tmp_path)
    assert "（暂无）" in empty
