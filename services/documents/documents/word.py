"""The forms as Word files (.docx), editable, for the offices that print from Word: built from the
same data as the PDFs (python-docx). Chinese needs the east-Asian font set on each run (w:eastAsia),
and LibreOffice takes a table's widths from its grid, so both are set."""
import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

FONT = "Noto Serif CJK SC"   # what the PDFs use; Word falls back to SimSun where it is missing


def _document():
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(1.8)
    section.top_margin = section.bottom_margin = Cm(1.6)
    # the file's own dates: the data's, not the clock's (the same data, the same file)
    doc.core_properties.author = "双报到平台"
    return doc


def _title(doc, text, sub=None):
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(text)
    run.bold, run.font.size = True, Pt(17)
    if sub:
        doc.add_paragraph(sub).alignment = WD_ALIGN_PARAGRAPH.CENTER


def _table(doc, rows, widths_cm):
    table = doc.add_table(rows=len(rows), cols=len(widths_cm))
    table.style = "Table Grid"
    table.autofit = False
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths_cm):
        col.set(qn("w:w"), str(int(width * 567)))   # twips: LibreOffice reads the grid, Word the cells
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.width = Cm(widths_cm[c])
            cell.text = "" if value is None else str(value)
    return table


def _bytes(doc, as_of):
    from datetime import datetime, timezone
    day = datetime.fromisoformat(str(as_of)[:10]).replace(tzinfo=timezone.utc)
    doc.core_properties.created = doc.core_properties.modified = day
    doc.core_properties.last_printed = day
    out = io.BytesIO()
    doc.save(out)
    return _stamped(out.getvalue(), day)


def _stamped(docx, day):
    """The package again, every part dated `day`: python-docx dates them with the clock, so two
    saves a second apart differed (the same data must make the same bytes)."""
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=(day.year, day.month, day.day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, src.read(item.filename))
    return out.getvalue()


def agreement(d, as_of):
    """Agreement C (the community's wording, the project's particulars), as a Word document."""
    doc = _document()
    _title(doc, "社区党组织党建联建协议书")
    for line in (f"甲方：{d['party_a']}", f"乙方：{d['party_b']}", d["preamble"], "一、指导思想", d["guidance"],
                 "二、联建目标", d["goals"], f"本项目（{d['project']['title']}）的目标：{d['project']['goals']}",
                 "三、联建内容", "以“五联”为主要内容："):
        para = doc.add_paragraph(line)
        if line.startswith(("一、", "二、", "三、")):
            para.runs[0].bold = True
    for i, link in enumerate(d["links"], 1):
        doc.add_paragraph(f"{i}、{link['name']}。{link['text']}" + (f"本项目：{link['project']}" if link["project"] else ""))
    p = d["project"]
    doc.add_paragraph(f"预期效果：{p['effects']}")
    doc.add_paragraph(f"完成时限：{_cn(p['deadline'])}。乙方党组织公开承诺：服务{p['count']}次，服务时长{p['hours']}小时，"
                      f"服务方式：{p['mode']}。")
    doc.add_paragraph("四、工作要求").runs[0].bold = True
    for i, r in enumerate(d["requirements"], 1):
        doc.add_paragraph(f"{i}、{r}")
    for c in d["closing"]:
        doc.add_paragraph(c)
    _table(doc, [[f"甲方：{d['party_a']}", f"乙方：{d['party_b']}"], ["负责人：", f"负责人：{d['party_b_head']}"],
                 ["（盖章）", "（盖章）"]], [8.7, 8.7])
    doc.add_paragraph(_cn(d["signed_on"])).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return _bytes(doc, as_of)


def receipt(d, as_of):
    """Receipt B.2 as a Word document."""
    doc = _document()
    _title(doc, "在职党员社区报到回执单")
    doc.add_paragraph(f"报到地党组织：{d['reporting_org']}　　编号：{d['number']}")
    y, m, day = d["reported_on"].split("-")
    _table(doc, [[f"{d['addressee']}：", ""],
                 [f"　　贵单位{d['member_name']}同志已于{y}年{int(m)}月{int(day)}日到我社区报到，并申报"
                  f"{'、'.join(d['service_intentions'])}等志愿服务项目。特此回复。\n\n（盖章）{_cn(d['stamp_date'])}", ""],
                 [f"经办人：{d['officer']}", f"联系电话：{d['officer_phone']}"]], [8.7, 8.7])
    doc.add_paragraph(f"注：{d['note']}")
    return _bytes(doc, as_of)


def register(d, as_of):
    """Register D.1 as a Word document: the member, the unit, every line, the half year's result."""
    doc = _document()
    _title(doc, "（半年度）在职党员志愿服务积分评星登记表", f"{d['half_year']}　{d['community']}")
    _table(doc, [["姓名", d["name"], "性别", d["gender"], "年龄", d["age"]],
                 ["工作单位及岗位职务", d["unit_and_position"], "手机", d["phone"], "个人特长", d["skills"]],
                 ["认岗情况", d["posts"], "单位党支部名称", d["branch"], "书记姓名", d["secretary"]],
                 ["办公固话", d["office_phone"], "书记手机", d["secretary_mobile"], "电子邮箱", d["email"]]],
           [2.4, 3.4, 2.4, 3.4, 2.4, 3.4])
    doc.add_paragraph()
    _table(doc, [["序号", "服务时间", "服务内容", "积分"]] +
           [[line["no"], line["served_at"], line["content"], line["points"]] for line in d["lines"]] +
           [["半年积分情况", "", "", d["points"]], ["半年评定星级情况", "", "", d["stars"]]], [1.4, 3.0, 10.6, 2.4])
    doc.add_paragraph(f"{d['status']}。　社区党组织（盖章）")
    return _bytes(doc, as_of)


def notice(d, as_of):
    """Notice E and table F (documents.feedback.notice) as a Word document: the notice, then the
    table on a page of its own, its head repeated on each page."""
    doc = _document()
    _title(doc, "在职党员志愿服务情况反馈通知单", d["title_note"])
    doc.add_paragraph(d["addressee"])
    for line in d["body"]:
        doc.add_paragraph(line).paragraph_format.first_line_indent = Pt(21)
    if d["changes"]:
        doc.add_paragraph("本版与上一版相比：").runs[0].bold = True
        for change in d["changes"]:
            doc.add_paragraph(f"· {change}")
    closing = doc.add_paragraph(f"{d['signer']}\n{_cn(d['released_on'])}")
    closing.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_page_break()
    _title(doc, "在职党员志愿服务情况汇总表")
    _head_repeats(_table(doc, [["序号", "姓名", "是否报到", "积分情况", "评星情况", "社区评语"]] +
                         [[r["no"], r["name"], r["reported"], r["points"], r["stars"], r["comment"]] for r in d["rows"]],
                         [1.2, 2.4, 2.0, 2.2, 2.0, 7.6]))
    return _bytes(doc, as_of)


def objections(d, as_of):
    """Table G (documents.feedback.objections) as a Word document."""
    doc = _document()
    _title(doc, "在职党员志愿服务情况意见反馈表", d["community"])
    _head_repeats(_table(doc, [["序号", "提出意见单位/个人", "提出意见及建议内容", "执行部门", "处理结果"]] +
                         [[r["no"], r["who"], r["content"], r["department"], r["result"]] for r in d["rows"]],
                         [1.2, 3.4, 6.0, 2.6, 4.2]))
    return _bytes(doc, as_of)


def _head_repeats(table):
    # the table's first row is its head, printed again at the top of each page it runs to
    from docx.oxml import OxmlElement
    row_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row_pr.append(header)
    for cell in table.rows[0].cells:
        for run in cell.paragraphs[0].runs:
            run.bold = True
    return table


def _cn(day):
    if not day:
        return "    年  月  日"
    y, m, d = str(day)[:10].split("-")
    return f"{y}年{int(m)}月{int(d)}日"
