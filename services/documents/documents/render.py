"""The typesetter: Typst (PyPI `typst`), measured against reportlab and WeasyPrint for the team
(../shared/notes/forms-engines.md: 1,000 B.1 several times faster, fonts embedded, CJK right).

- Fonts are Debian's (fonts-noto-cjk for the Chinese, DejaVu Sans for ☐ ☑); every PDF embeds
  the subsets it uses.
- The same data renders to the same bytes: the file's date is the data's (`as_of`), never the
  clock's, so a document can be cached and checked by its hash.
- A Compiler may not be shared between threads, so each OS thread keeps its own per form. Under
  nameko (eventlet) a compile runs in eventlet's thread pool: Typst releases the GIL, and the
  process's other green threads (RPCs, the next chunk's data) go on meanwhile."""
import datetime
import json
import threading
from pathlib import Path

FORMS = Path(__file__).parent / "forms"
CITY_TZ = datetime.timezone(datetime.timedelta(hours=8))
_local = threading.local()


def _compiler(form):
    import typst
    compilers = getattr(_local, "compilers", None)
    if compilers is None:
        compilers = _local.compilers = {}
    if form not in compilers:
        compilers[form] = typst.Compiler(str(FORMS / f"{form}.typ"), root=str(FORMS))
    return compilers[form]


def _stamp(as_of):
    if isinstance(as_of, datetime.datetime):
        return as_of.astimezone(CITY_TZ) if as_of.tzinfo else as_of.replace(tzinfo=CITY_TZ)
    if isinstance(as_of, str):
        as_of = datetime.date.fromisoformat(as_of[:10])
    return datetime.datetime(as_of.year, as_of.month, as_of.day, tzinfo=CITY_TZ)


def compile_pdf(form, pages, as_of):
    """PDF bytes of `pages` (a list of one form's data, one page or more each) in this thread."""
    data = json.dumps(pages, ensure_ascii=False, default=str, separators=(",", ":"))
    return _compiler(form).compile(format="pdf", sys_inputs={"data": data}, pdf_tags=False,
                                   timestamp=_stamp(as_of))


def pdf(form, pages, as_of):
    """compile_pdf off the event loop when running under eventlet (a nameko service), else here."""
    try:
        import eventlet.patcher
        if eventlet.patcher.is_monkey_patched("thread"):
            from eventlet import tpool
            return tpool.execute(compile_pdf, form, pages, as_of)
    except ImportError:
        pass
    return compile_pdf(form, pages, as_of)


def merge(parts):
    """One PDF of several (a batch rendered in chunks: memory stays that of a chunk)."""
    import io
    from pypdf import PdfReader, PdfWriter
    if len(parts) == 1:
        return parts[0]
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
