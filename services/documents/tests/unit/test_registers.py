"""Register D.1 rendered for real: every field of the form, every line with its points, the half
year's points and stars; a long half year runs to further pages; phones masked when asked."""
import os
import shutil
import subprocess

import pytest

from documents import registers, render

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None and not os.environ.get("CI"),
                                reason="poppler-utils (pdftotext) not installed")

PROFILE = {"member_id": 93, "name": "刘芳", "gender": "female", "age": 38, "position": "主治医师", "phone": "13838112299",
           "skills": ["医疗保健", "心理辅导"], "unit_name": "上街区人民医院", "party_org_name": "中共上街区人民医院支部委员会",
           "branch_contact": "王书记", "branch_contact_phone": "0371-68112233"}
POSTS = [{"post_id": 4, "title": "独居老人周末探访", "category": "助老服务", "community_code": "410106001001"}]


def register(lines):
    return {"community_code": "410106001001", "period": "2026H1",
            "member": {"member_id": 93, "name": "刘芳", "unit_id": 3, "account_no": "RA-M-00000093"},
            "lines": [{"no": i, "served_at": f"2026-03-{(i % 28) + 1:02d}T09:00:00+08:00", "content": f"义诊服务第{i}次",
                       "points": 5, "entry_id": i, "kind": "service"} for i in range(1, lines + 1)],
            "half_year_points": 5 * lines, "half_year_stars": min(10, 5 * lines // 10),
            "status": "已公布（第 1 版）"}


def text_of(data, tmp_path):
    path = tmp_path / "d1.pdf"
    path.write_bytes(data)
    # by rows (-layout) for the lines; the labels wrapped in a narrow column come by reading order
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    text += subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    return "".join(text.split()), pages, fonts


def test_a_register_holds_every_field_and_line_of_d1(tmp_path):
    r = register(6)
    page = registers.d1(r, PROFILE, POSTS, "和平社区")
    flat, pages, fonts = text_of(render.pdf("d1", [page], registers.as_of([r])), tmp_path)
    for expected in ("（半年度）在职党员志愿服务积分评星登记表", "2026年上半年", "和平社区", "志愿者个人信息", "刘芳", "女", "38",
                     "上街区人民医院主治医师", "13838112299", "医疗保健、心理辅导", "独居老人周末探访", "所在单位信息",
                     "中共上街区人民医院支部委员会", "王书记", "办公固话0371-68112233", "电子邮箱", "序号服务时间服务内容积分",
                     "2026-03-02", "义诊服务第1次", "义诊服务第6次", "半年积分情况", "30", "半年评定星级情况", "3星",
                     "已公布（第1版）"):
        assert expected in flat, expected
    assert pages == 1 and fonts and all(line.split()[-5] == "yes" for line in fonts)


def test_a_long_half_year_runs_to_further_pages_with_every_line(tmp_path):
    r = register(90)
    flat, pages, _ = text_of(render.pdf("d1", [registers.d1(r, PROFILE, POSTS, "和平社区")], "2026-06-30"), tmp_path)
    assert pages >= 2
    assert all(f"义诊服务第{i}次" in flat for i in range(1, 91))


def test_phones_are_masked_for_those_who_may_not_see_them():
    page = registers.d1(register(1), {**PROFILE, "branch_contact_phone": "13900001111"}, POSTS, "和平社区",
                        personal=False)
    assert page["phone"] == "138****2299" and page["secretary_mobile"] == "139****1111"
    assert registers.d1(register(1), None, [], "和平社区")["name"] == "刘芳"   # no profile: the points still shown
