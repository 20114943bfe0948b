"""B.1 and B.2 rendered for real (Typst, Debian's fonts): the text of the PDF holds every field
(pdftotext), every font is embedded (pdffonts), and the same data gives the same bytes."""
import os
import shutil
import subprocess

import pytest

from documents import certificates, check, render

# CI installs poppler-utils (deploy/local/common.sh): there a missing pdftotext fails, never skips
pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None and not os.environ.get("CI"),
                                reason="poppler-utils (pdftotext) not installed")

CERT = {
    "id": 41, "certificate_no": "2026-410105001001-000041-5", "community_name": "经三路社区", "name": "张伟",
    "gender": "male", "age": 41, "education": "本科", "party_join_date": "2008-07-01", "unit_name": "金水区教育局",
    "position": "科长", "phone": "13812345678", "home_address": "金水区经三路12号院3号楼",
    "skills": ["写作", "法律", "电脑操作"], "other_skill": "无人机航拍", "service_intentions": ["政策宣传", "法律咨询"],
    "unit_decision": "approve", "unit_officer": "王书记", "unit_opinion_date": "2026-03-03", "unit_comment": "",
    "status": "accepted", "reported_at": "2026-03-02T09:30:00+08:00", "accepted_at": "2026-03-05T10:00:00+08:00",
}
RECEIPT = {"number": CERT["certificate_no"], "reporting_org": "经三路社区党组织", "addressee": "金水区教育局机关党委",
           "member_name": "张伟", "reported_on": "2026-03-02", "service_intentions": ["政策宣传", "法律咨询"],
           "stamp_date": "2026-03-05", "officer": "李娜", "officer_phone": "0371-68901234",
           "note": "回执单加盖社区党组织公章后，由在职党员送达所在单位党支部。"}


def pdf_text(data, tmp_path):
    path = tmp_path / "form.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return text, fonts.splitlines()[2:]


def test_a_certificate_holds_every_field_of_b1_with_its_boxes_ticked_and_its_fonts_embedded(tmp_path):
    data = render.pdf("b1", [certificates.b1(CERT, "https://sbd.example.cn")], certificates.b1_as_of([CERT]))
    text, fonts = pdf_text(data, tmp_path)
    flat = "".join(text.split())
    for expected in ("在职党员社区报到证", "报到地党组织：经三路社区党组织", "编号：2026-410105001001-000041-5",
                     "张伟", "男", "41", "本科", "2008年7月", "金水区教育局科长", "13812345678", "金水区经三路12号院3号楼",
                     "技能特长", "写作☑", "主持☐", "法律☑", "电脑操作☑", "体育健身☐", "其它☑", "无人机航拍",
                     "1.政策宣传", "2.法律咨询", "同意", "王书记", "2026年3月3日", "社区已接收"):
        assert expected in flat, expected
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts   # the emb column
    assert any("NotoSerifCJK" in line for line in fonts) and any("DejaVuSans" in line for line in fonts)


def test_the_same_certificate_renders_to_the_same_bytes():
    pages = [certificates.b1(CERT, "https://sbd.example.cn")]
    assert render.pdf("b1", pages, "2026-03-05") == render.pdf("b1", pages, "2026-03-05")


def test_a_receipt_holds_the_sentence_of_b2_the_officer_and_the_phone(tmp_path):
    data = render.pdf("b2", [certificates.b2(RECEIPT, "https://sbd.example.cn")], "2026-03-05")
    text, fonts = pdf_text(data, tmp_path)
    flat = "".join(text.split())
    for expected in ("在职党员社区报到回执单", "金水区教育局机关党委：", "贵单位张伟同志已于2026年3月2日到我社区报到",
                     "并申报政策宣传、法律咨询等志愿服务项目。特此回复。", "（盖章）2026年3月5日", "经办人：李娜",
                     "联系电话：0371-68901234", "回执单加盖社区党组织公章后"):
        assert expected in flat, expected
    assert all(line.split()[-5] == "yes" for line in fonts)


def test_the_qr_token_is_the_numbers_own_and_a_changed_number_or_token_fails(monkeypatch):
    monkeypatch.setenv("DOCUMENTS_CHECK_SECRET", "a-secret-of-the-tests")
    number = CERT["certificate_no"]
    token = check.token(number)
    assert check.genuine(number, token) and check.genuine(number, token.lower())
    assert not check.genuine("2026-410105001001-000042-3", token)
    assert not check.genuine(number, token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert not check.genuine(number, "×ûáYæû校验码") and not check.genuine(number, None)
    assert check.url("https://sbd.example.cn/", number) == f"https://sbd.example.cn/check/{number}?t={token}"
    png = check.qr_png(check.url("https://sbd.example.cn", number))
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png == check.qr_png(check.url("https://sbd.example.cn", number))
