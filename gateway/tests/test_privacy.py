"""Masking of members' personal data, and what the audit line records of it."""
from gateway.privacy import mask, scan


def test_masks_keep_only_what_identifies_nobody():
    assert mask("phone", "13838112233") == "138****2233"
    assert mask("phone", "0371-68901234") not in ("0371-68901234", "")
    assert mask("id_number", "410105198803169302") == "410105********9302"
    assert mask("home_address", "郑州市金水区经三路12号院3号楼") == "郑州市金水区****"


def test_scan_masks_in_place_for_officers_and_reports_nothing():
    body = {"items": [{"member_id": 1, "phone": "13838112233", "home_address": "郑州市金水区经三路12号"}]}
    assert scan(body, masked=True) == ([], [])
    assert body["items"][0]["phone"] == "138****2233"


def test_scan_names_fields_and_members_when_shown():
    body = [{"id": 7, "name": "刘芳", "phone": "13838112233"},
            {"member_id": 8, "registration_id": 3, "home_address": "郑州市金水区经三路12号"},
            {"officer_phone": "0371-68901234", "service_center_phone": "0371-1"}]
    assert scan(body, masked=False) == (["home_address", "phone"], ["member:7", "member:8", "registration:3"])
    assert body[0]["phone"] == "13838112233"


def test_a_households_address_is_logged_as_the_households():
    body = [{"household_id": 5, "home_address": "郑州市金水区经三路12号", "cadre_member_id": 9}]
    assert scan(body, masked=False) == (["home_address"], ["household:5"])


def test_the_access_log_shows_paging_not_names():
    from werkzeug.test import EnvironBuilder
    from gateway.service import _logged_path
    request = EnvironBuilder(path="/api/v1/units/7/member-imports",
                             query_string="submitted_by=王书记&filename=张三名单.csv&page=2").get_request()
    assert _logged_path(request) == "/api/v1/units/7/member-imports?submitted_by=…&filename=…&page=2"
    assert _logged_path(EnvironBuilder(path="/api/v1/me").get_request()) == "/api/v1/me"


def test_a_table_answer_is_masked_and_logged_by_its_columns_as_records_are():
    body = {"columns": ["id", "member_id", "name", "phone"], "rows": [[1, 7, "张三", "13812345678"], [2, 8, "李四", ""]]}
    assert scan(body, masked=True) == ([], [])
    assert body["rows"][0][3] == "138****5678" and body["rows"][1][3] == ""
    shown = {"columns": ["id", "member_id", "phone"], "rows": [[1, 7, "13812345678"]]}
    assert scan(shown, masked=False) == (["phone"], ["member:7"])
    assert scan({"columns": ["id", "name"], "rows": [[1, "张三"]]}, masked=False) == ([], [])


def test_a_table_of_households_is_logged_as_households_as_its_records_would_be():
    body = {"columns": ["household_id", "head_name", "home_address"], "rows": [[5, "王大爷", "郑州市金水区经三路12号"]]}
    assert scan(body, masked=False) == (["home_address"], ["household:5"])
    with_registration = {"columns": ["registration_id", "member_id", "phone"], "rows": [[3, 8, "13812345678"]]}
    assert scan(with_registration, masked=False) == (["phone"], ["member:8", "registration:3"])
