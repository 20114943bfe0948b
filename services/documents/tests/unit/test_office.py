"""The Word and Excel files open in LibreOffice: each converts to PDF (`libreoffice --headless
--convert-to pdf`), and the PDF holds what the file was made of."""
import os
import shutil
import subprocess
import sys

import pytest

from documents import agreements, certificates, excel, feedback, registers, word

sys.path.insert(0, os.path.dirname(__file__))
from test_agreements import PROJECT, UNIT  # noqa: E402
from test_certificates import RECEIPT  # noqa: E402
from test_feedback_forms import NOTICE, OBJECTIONS  # noqa: E402
from test_registers import POSTS, PROFILE, register  # noqa: E402

OFFICE = shutil.which("libreoffice") or shutil.which("soffice")
# CI installs LibreOffice (deploy/local/test.sh): there a missing one fails, never skips
pytestmark = pytest.mark.skipif(OFFICE is None and not os.environ.get("CI"), reason="LibreOffice not installed")


def test_word_and_excel_files_open_in_libreoffice_with_their_text(tmp_path):
    files = {
        "agreement.docx": word.agreement(agreements.agreement({"version": 0, "sections": agreements.STANDARD},
                                                              PROJECT, "和平社区", UNIT), "2026-03-10"),
        "receipt.docx": word.receipt(certificates.b2(RECEIPT, "http://127.0.0.1:8000"), "2026-03-05"),
        "register.docx": word.register(registers.d1(register(12), PROFILE, POSTS, "和平社区"), "2026-06-30"),
        "notice.docx": word.notice(feedback.notice(NOTICE), "2026-07-10"),
        "objections.docx": word.objections(feedback.objections("和平社区", OBJECTIONS), "2026-07-02"),
        "lines.xlsx": excel.workbook([("服务记录", ["姓名", "序号", "服务时间", "服务内容", "积分"],
                                       [("刘芳", i, "2026-03-02", f"义诊服务第{i}次", 5.0) for i in range(1, 40)]),
                                      ("半年结果", ["姓名", "半年积分", "评定星级"], [("刘芳", 195.0, 10)])], "2026-06-30"),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    done = subprocess.run([OFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to",
                           "pdf", "--outdir", str(tmp_path / "pdf"), *(str(tmp_path / n) for n in files)],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    expect = {"agreement": ("社区党组织党建联建协议书", "甲方：和平社区党组织", "每月第一个周六义诊", "服务联做"),
              "receipt": ("在职党员社区报到回执单", "贵单位张伟同志已于2026年3月2日到我社区报到", "经办人：李娜"),
              "register": ("在职党员志愿服务积分评星登记表", "刘芳", "义诊服务第12次", "半年积分情况"),
              "notice": ("在职党员志愿服务情况反馈通知单", "2026年上半年第2版（修订）", "本版与上一版相比",
                         "中共郑州市上街区委组织部", "2026年7月10日", "在职党员志愿服务情况汇总表", "积极参加义诊",
                         "王未报", "未报到"),
              "objections": ("在职党员志愿服务情况意见反馈表", "提出意见及建议内容", "义诊时长少记了一小时", "社区党委组织委员",
                             "异议成立"),
              "lines": ("服务时间", "义诊服务第39次", "半年积分")}
    for stem, words in expect.items():
        pdf = tmp_path / "pdf" / f"{stem}.pdf"
        assert pdf.exists(), (stem, done.stdout, done.stderr)
        text = "".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
                       .stdout.split())
        for w in words:
            assert w in text, (stem, w)


def test_the_same_data_makes_the_same_word_and_excel_bytes():
    page = certificates.b2(RECEIPT, "http://127.0.0.1:8000")
    assert word.receipt(page, "2026-03-05") == word.receipt(page, "2026-03-05")
    sheets = [("表", ["姓名"], [("刘芳",)])]
    assert excel.workbook(sheets, "2026-06-30") == excel.workbook(sheets, "2026-06-30")
