"""Answers travel compressed when large, and console files are revalidated by their ETag."""
import gzip
import json

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from gateway import transfer


def request(**headers):
    return Request(EnvironBuilder(headers=headers).get_environ())


def roster(n):
    return json.dumps({"items": [{"id": i, "name": f"党员{i}", "unit_name": "郑州市某局"} for i in range(n)]},
                      ensure_ascii=False)


def test_a_large_json_answer_is_gzipped_for_a_client_that_accepts_it_and_reads_back_the_same():
    body = roster(2000)
    sent = transfer.compress(request(**{"Accept-Encoding": "gzip, deflate"}), Response(body, mimetype="application/json"))
    assert sent.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in sent.headers["Vary"]
    assert len(sent.get_data()) < len(body.encode()) / 4
    assert gzip.decompress(sent.get_data()).decode() == body


def test_small_answers_files_and_clients_without_gzip_go_as_they_are():
    small = roster(3)
    assert "Content-Encoding" not in transfer.compress(request(**{"Accept-Encoding": "gzip"}),
                                                       Response(small, mimetype="application/json")).headers
    large = roster(2000)
    plain = transfer.compress(request(), Response(large, mimetype="application/json"))
    assert "Content-Encoding" not in plain.headers and plain.get_data(as_text=True) == large
    pdf = transfer.compress(request(**{"Accept-Encoding": "gzip"}), Response(large.encode(), mimetype="application/pdf"))
    assert "Content-Encoding" not in pdf.headers   # a PDF, an XLSX, a ZIP: compressed already


def test_a_console_file_is_sent_once_then_answered_304_while_it_is_the_same():
    data = ("export const x = 1;\n" * 400).encode()
    first = transfer.static(request(**{"Accept-Encoding": "gzip"}), data, Response, "text/javascript; charset=utf-8")
    assert first.status_code == 200 and gzip.decompress(first.get_data()) == data
    assert first.headers["Content-Type"] == "text/javascript; charset=utf-8"
    tag = first.headers["ETag"]
    again = transfer.static(request(**{"If-None-Match": tag, "Accept-Encoding": "gzip"}), data, Response,
                            "text/javascript; charset=utf-8")
    assert again.status_code == 304 and again.get_data() == b""
    plain = transfer.static(request(**{"If-None-Match": tag}), data, Response, "text/javascript")
    assert plain.status_code == 200 and plain.get_data() == data   # the gzipped bytes' tag is not the plain bytes'
    assert plain.headers["ETag"] != tag
    changed = transfer.static(request(**{"If-None-Match": tag}), data + b"//", Response, "text/javascript")
    assert changed.status_code == 200 and changed.get_data() == data + b"//"


def test_an_api_answer_is_kept_by_no_cache():
    assert transfer.private(Response("{}", mimetype="application/json")).headers["Cache-Control"] == "no-store"
