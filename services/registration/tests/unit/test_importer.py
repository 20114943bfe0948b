"""Reading and checking import files, without a database."""
import io

import pytest
from openpyxl import Workbook

from contracts.registration import IMPORT_COLUMNS
from registration import importer
from registration.city import generate, import_file_rows


def city_rows(n=5):
    city = generate(districts=("410106",), streets=1, communities=1, units=1, members=n, seed=3)
    for m in city.members:
        m["community_code"] = "410106001001"
    return list(import_file_rows(city))


def csv_bytes(rows, encoding="utf-8"):
    import csv
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode(encoding)


def xlsx_bytes(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("name,content", [
    ("m.csv", lambda rows: csv_bytes(rows)),
    ("m.csv", lambda rows: csv_bytes(rows, "gb18030")),   # what Excel in China saves
    ("m.xlsx", lambda rows: xlsx_bytes(rows)),
])
def test_csv_gbk_and_xlsx_read_alike(name, content):
    rows = city_rows()
    read = list(importer.read_rows(name, content(rows)))
    assert [line for line, _ in read] == [2, 3, 4, 5, 6]
    good, errors = importer.validate_rows(read, 1, {"410106001001"})
    assert errors == [] and len(good) == 5


def test_a_missing_column_is_named():
    rows = city_rows()
    keep = [i for i, h in enumerate(rows[0]) if h != "服务意向"]
    with pytest.raises(importer.FileError, match="服务意向"):
        list(importer.read_rows("m.csv", csv_bytes([[r[i] for i in keep] for r in rows])))


def test_every_bad_row_is_reported_with_its_line_and_column():
    rows = city_rows(4)
    col = {h: i for i, h in enumerate(rows[0])}
    rows[1][col["服务意向"]] = "政策宣讲"          # one intention only
    rows[2] = list(rows[3])                          # the same member twice
    rows[4][col["报到社区代码"]] = "410106009009"     # no such community
    good, errors = importer.validate_rows(importer.read_rows("m.csv", csv_bytes(rows)), 1, {"410106001001"})
    found = {(e["row"], e["column"], e["code"]) for e in errors}
    assert (2, "服务意向", "too_few_intentions") in found
    assert (4, "身份证号", "duplicate_in_file") in found
    assert (5, "报到社区代码", "unknown_community") in found
    assert all(e["message"] for e in errors)


def test_form_words_become_request_values():
    raw = {h: "" for h in IMPORT_COLUMNS} | {"性别": "女", "报到社区类别": "工作所在地社区", "技能特长": "写作，法律;音乐",
                                             "出生日期": "1985/5/2", "身份证号": "41010619850502002x"}
    req = importer.to_request(raw, 7)
    assert req["gender"] == "female" and req["community_choice"] == "work"
    assert req["skills"] == ["写作", "法律", "音乐"] and req["birth_date"] == "1985-05-02"
    assert req["id_number"].endswith("X") and req["unit_id"] == 7
