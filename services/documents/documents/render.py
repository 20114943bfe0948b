"""The typesetter: Typst (PyPI `typst`), measured against reportlab and WeasyPrint for the team
(../shared/notes/forms-engines.md: 1,000 B.1 several times faster, fonts embedded, CJK right).

- Fonts are Debian's (fonts-noto-cjk for the Chinese, DejaVu Sans for ☐ ☑); every PDF embeds
  the subsets it uses.
- The same data renders to the same bytes: the file's date is the data's (`as_of`), never the
  clock's, so a document can be cached and checked by its hash.
- A Compiler may not be shared between threads, so each OS thread keeps its own per form, all of
  them on one set of fonts (typst.Fonts, read once per process). Under nameko (eventlet) a
  compile runs in eventlet's thread pool, of THREADS threads (DOCUMENTS_RENDER_THREADS, by default
  the machine's cores, at most 4): Typst releases the GIL, so a batch sets that many chunks at
  once while its green threads make the next chunk's pages. With eventlet's default of 20 threads
  each chunk met a cold Compiler: 1,000 certificates took 3.1 s to set instead of 1.6 s."""
import datetime
import json
import os
import threading
from pathlib import Path

FORMS = Path(__file__).parent / "forms"
CITY_TZ = datetime.timezone(datetime.timedelta(hours=8))
THREADS = int(os.environ.get("DOCUMENTS_RENDER_THREADS") or min(4, os.cpu_count() or 1))
_local = threading.local()
_fonts = []


def _shared_fonts():
    # no lock: under eventlet a green lock taken in a render thread (a real one) hangs it; two
    # threads starting at once may each read the fonts, and one set is kept
    import typst
    if not _fonts:
        _fonts.append(typst.Fonts(include_system_fonts=True))
    return _fonts[0]


def _compiler(form):
    import typst
    compilers = getattr(_local, "compilers", None)
    if compilers is None:
        compilers = _local.compilers = {}
    if form not in compilers:
        compilers[form] = typst.Compiler(str(FORMS / f"{form}.typ"), root=str(FORMS), font_paths=_shared_fonts())
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


def compile_svg(form, pages):
    """The first page as SVG (the chart of Annex A, for a screen)."""
    data = json.dumps(pages, ensure_ascii=False, default=str, separators=(",", ":"))
    out = _compiler(form).compile(format="svg", sys_inputs={"data": data})
    return out[0] if isinstance(out, list) else out


def pdf(form, pages, as_of):
    """compile_pdf off the event loop when running under eventlet (a nameko service), else here."""
    try:
        import eventlet.patcher
        if eventlet.patcher.is_monkey_patched("thread"):
            from eventlet import tpool
            if not tpool._setup_already:  # before its threads start: how many there are
                tpool.set_num_threads(THREADS)
            return tpool.execute(compile_pdf, form, pages, as_of)
    except ImportError:
        pass
    return compile_pdf(form, pages, as_of)


def merge(parts):
    """One PDF of several (a batch rendered in chunks: memory stays that of a chunk). pikepdf (qpdf,
    C++): 0.13 s for 1,000 certificates where pypdf took 0.5 s; its file ID made from the content,
    so the same parts give the same bytes."""
    import io
    import pikepdf
    if len(parts) == 1:
        return parts[0]
    whole = pikepdf.Pdf.new()
    for part in parts:
        whole.pages.extend(pikepdf.Pdf.open(io.BytesIO(part)).pages)
    out = io.BytesIO()
    whole.save(out, deterministic_id=True)
    return out.getvalue()
