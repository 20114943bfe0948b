"""Annex A drawn from a community's structure: every level named, what runs its volunteering
counted, the units paired to it; as PDF (fonts embedded) and as SVG for a screen."""
import os
import shutil
import subprocess

import pytest

from documents import chart, render

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None and not os.environ.get("CI"),
                                reason="poppler-utils (pdftotext) not installed")

PAGE = chart.community(
    {"district": "金水区", "street": "建设路街道", "community": "和平社区"},
    {"members": {"reported": 35, "accepted": 30}},
    [{"unit_name": f"单位{i}", "party_org_name": f"中共单位{i}支部委员会"} for i in range(6)],
    [{"title": "独居老人周末探访"}, {"title": "法律咨询"}],
    {"teams": [{"name": "银龄关爱服务队"}], "studios": [], "projects": [{"id": 1}, {"id": 2}]}, 2026)


def test_the_chart_names_every_level_and_counts_what_runs_the_volunteering(tmp_path):
    path = tmp_path / "a.pdf"
    path.write_bytes(render.pdf("a", [PAGE], "2026-01-01"))
    flat = "".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split())
    for expected in ("党员志愿服务组织运行图", "中共郑州市委组织部", "金水区委组织部", "建设路街道党（工）委",
                     "和平社区党组织（党群服务中心）", "驻地单位党组织6个", "联建项目2个", "等6个", "志愿服务队1支",
                     "银龄关爱服务队", "党员工作室0个", "志愿服务岗位2个", "独居老人周末探访", "在职党员35名（已接收30名）"):
        assert expected in flat, expected
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)


def test_the_chart_as_svg_for_a_screen():
    svg = render.compile_svg("a", [PAGE])
    assert svg.lstrip().startswith(b"<svg") and b"</svg>" in svg
