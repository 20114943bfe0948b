"""Agreement C: the standard's wording filled with a project's particulars, and a community's own
wording where it changed one (§3.3.1); a section that does not exist, or an empty one, is refused."""
import os
import shutil
import subprocess

import pytest

from contracts.errors import ValidationFailed
from documents import agreements, render

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None and not os.environ.get("CI"),
                                reason="poppler-utils (pdftotext) not installed")

PROJECT = {"id": 3, "unit_id": 7, "title": "健康进社区", "goals": "为辖区老人提供每月义诊", "expected_effects": "覆盖全社区独居老人",
           "deadline": "2026-12-31", "links": {"services": "每月第一个周六义诊", "resources": "医院会议室向社区开放"},
           "service_count": 12, "service_hours": 48.0, "service_mode": "每月一次，线下", "created_at": "2026-03-10T10:00:00+08:00"}
UNIT = {"unit_id": 7, "unit_name": "上街区人民医院", "party_org_name": "中共上街区人民医院委员会", "contact_officer": "周华"}


def flat_text(data, tmp_path):
    path = tmp_path / "c.pdf"
    path.write_bytes(data)
    return "".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
                   .stdout.split())


def test_an_agreement_in_the_standards_wording_with_the_projects_particulars(tmp_path):
    wording = {"version": 0, "sections": agreements.STANDARD}
    page = agreements.agreement(wording, PROJECT, "和平社区", UNIT)
    flat = flat_text(render.pdf("c", [page], "2026-03-10"), tmp_path)
    for expected in ("社区党组织党建联建协议书", "甲方：和平社区党组织", "乙方：中共上街区人民医院委员会", "一、指导思想",
                     "二、联建目标", "为辖区老人提供每月义诊", "三、联建内容", "组织联建", "党员联管", "活动联搞", "资源联用",
                     "服务联做", "本项目：每月第一个周六义诊", "本项目：医院会议室向社区开放", "覆盖全社区独居老人",
                     "2026年12月31日", "服务12次", "服务时长48小时", "每月一次，线下", "四、工作要求",
                     "本协议一式贰份，甲乙双方各执壹份。", "负责人：周华", "2026年3月10日", "本协议采用标准文本"):
        assert expected in flat, expected


def test_a_communitys_own_wording_replaces_only_what_it_changed(tmp_path):
    sections = agreements.check_sections({"goals": "  推动驻区单位与社区资源共享  ", "closing": ["本协议一式叁份。"]})
    wording = {"version": 2, "sections": {**agreements.STANDARD, **sections}}
    flat = flat_text(render.pdf("c", [agreements.agreement(wording, PROJECT, "和平社区", UNIT)], "2026-03-10"), tmp_path)
    assert "推动驻区单位与社区资源共享" in flat and "本协议一式叁份。" in flat and "一式贰份" not in flat
    assert "打破条块分割" not in flat and "以“项目化运作”为载体" in flat   # goals replaced, guidance kept
    assert "本社区修订的第2版" in flat


@pytest.mark.parametrize("sections,field", [({"nonsense": "x"}, "sections.nonsense"), ({"goals": " "}, "sections.goals"),
                                            ({"closing": []}, "sections.closing"), ({}, "sections")])
def test_a_wording_that_is_not_the_agreements_is_refused_with_its_field(sections, field):
    with pytest.raises(ValidationFailed) as refused:
        agreements.check_sections(sections)
    assert field in str(refused.value.fields or refused.value)
