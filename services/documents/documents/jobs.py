"""Batches as jobs with progress. A job is split into parts, one per community, each announced
by an event of this service's own (through its outbox, `document_part_requested`), so that any
number of documents processes share the parts (competing consumers, ARCHITECTURE rule 7). A part
renders its community's forms a chunk at a time and says after each how far it is; the job's
progress is the sum of its parts'. Its file is the part's PDF (one community) or a ZIP of the
parts' PDFs (a district), made when the last part is done.

A part is redone whole if its message comes again (a crash, a redelivery): the same data renders
to the same bytes under the same key, so a part done twice is done once."""
import collections
import io
import logging
import os
import time
import zipfile

import eventlet
from sqlalchemy import func, insert, select, text, update

from contracts.access import Caller
from contracts.errors import NotFound

from . import certificates, feedback, registers, render
from .models import job_parts, jobs

log = logging.getLogger(__name__)
# forms per Typst compile: a batch needs the memory of a chunk (about 0.8 MB a certificate), not its
# own, and shows its progress chunk by chunk
CHUNK = int(os.environ.get("DOCUMENTS_CHUNK") or 500)
PAGE = 500        # certificates per question to registration

KINDS = {"certificates": "报到证 B.1", "registers": "积分评星登记表 D.1", "tables": "反馈通知单及汇总表 E/F"}
UNITS_PER_PART = int(os.environ.get("DOCUMENTS_UNITS_PER_PART") or 200)   # a district's notices: units a part


def start(uow, caller, kind, area_code, communities, params, totals):
    """A job of `kind` over `communities` (one part each; a district's notices: the district's
    code, once for each group of units), and the event of each part."""
    job_id = uow.conn.execute(insert(jobs).values(
        kind=kind, area_code=area_code, params=params, requested_by=caller.username, caller=_caller_data(caller),
        total=sum(totals)).returning(jobs.c.id)).scalar()
    uow.conn.execute(insert(job_parts), [{"job_id": job_id, "part": n, "community_code": code, "total": total}
                                         for n, (code, total) in enumerate(zip(communities, totals), 1)])
    for n, code in enumerate(communities, 1):
        uow.emit("document_part_requested", _area_scope(code), job_id=job_id, part=n, kind=kind)
    return job_id


def _caller_data(caller):
    return {"account_id": caller.account_id, "username": caller.username, "role": caller.role, "scope": caller.scope}


def caller_of(job):
    return Caller(**job["caller"])


def status(conn, area_code, job_id, caller):
    """A job as its progress bar shows it; 404 for a job not there and a job not of this area (or
    of an area the caller does not cover) alike."""
    job = conn.execute(select(jobs).where(jobs.c.id == job_id)).mappings().first()
    if job is None or job["area_code"].strip() != area_code or not caller.covers_area(area_code):
        raise NotFound("job_not_found", f"任务 {job_id} 不存在")
    parts = conn.execute(select(job_parts).where(job_parts.c.job_id == job_id).order_by(job_parts.c.part)).mappings()
    done = job["status"] == "done"
    return {"job_id": job["id"], "kind": job["kind"], "kind_cn": KINDS.get(job["kind"], job["kind"]),
            "area_code": job["area_code"].strip(), "params": job["params"], "status": job["status"],
            "done": job["done"], "total": job["total"],
            "percent": 100 if done else (int(100 * job["done"] / job["total"]) if job["total"] else 0),
            "requested_by": job["requested_by"], "created_at": job["created_at"], "finished_at": job["finished_at"],
            "file": {"name": job["result_name"], "bytes": job["result_bytes"], "sha256": job["result_sha256"]}
            if done else None,
            "error": job["error"],
            "parts": [{"part": p["part"], "community_code": p["community_code"].strip(), "status": p["status"],
                       "done": p["done"], "total": p["total"]} for p in parts]}


def job_row(conn, job_id):
    return conn.execute(select(jobs).where(jobs.c.id == job_id)).mappings().first()


def _total(store, job_id, part, total):
    """How many forms the part has, once its data says so (a district's registers: known only
    when each community is asked): the job's total is its parts'."""
    with store.unit_of_work() as uow:
        uow.conn.execute(update(job_parts).where(job_parts.c.job_id == job_id, job_parts.c.part == part,
                                                 job_parts.c.status != "done").values(total=total))
        uow.conn.execute(text("UPDATE documents.jobs SET total = (SELECT sum(total) FROM documents.job_parts "
                              "WHERE job_id = :j) WHERE id = :j AND status <> 'done'"), {"j": job_id})


def _progress(store, job_id, part, done):
    with store.unit_of_work() as uow:  # a part done (by a copy of its message elsewhere) stays done
        uow.conn.execute(update(job_parts).where(job_parts.c.job_id == job_id, job_parts.c.part == part,
                                                 job_parts.c.status != "done").values(done=done, status="running"))
        uow.conn.execute(text("UPDATE documents.jobs SET status = CASE WHEN status = 'queued' THEN 'running' "
                              "ELSE status END, done = (SELECT sum(done) FROM documents.job_parts "
                              "WHERE job_id = :j) WHERE id = :j"), {"j": job_id})


# --- what a part's pages are, by kind ------------------------------------------------------------

def _certificates(remote, job, part, community_code, personal, on_total):
    """(page, date) of each certificate of the community's year, asked a page at a time."""
    after = 0
    while True:
        page = remote.registration.community_certificates(community_code, job["params"]["year"], after, PAGE)
        if page.get("total") is not None:
            on_total(page["total"])
        for cert in page["items"]:
            yield certificates.b1(cert, remote.base_url, personal), certificates.b1_as_of([cert])
        if len(page["items"]) < PAGE:
            return
        after = page["items"][-1]["id"]


def _registers(remote, job, part, community_code, personal, on_total):
    """(page, date) of each member's register D.1 of the community's half year: three questions
    for the whole community (scoring's lines, registration's profiles, volunteering's posts)."""
    period = job["params"]["period"]
    found = remote.scoring.community_registers_d1(community_code, period)
    on_total(len(found))
    profiles = remote.registration.community_profiles(community_code)
    posts = remote.volunteering.community_member_posts(community_code)
    name = remote.community_name(community_code)
    for register in found:
        member = str(register["member"]["member_id"])
        yield (registers.d1(register, profiles.get(member), posts.get(member), name, personal),
               registers.as_of([register]))


def _tables(remote, job, part, district_code, personal, on_total):
    """(page, date) of the notice E with its table F the district released to each unit of this
    part's group: as sent, one question to the feedback service for the group."""
    units = job["params"]["units"][part - 1]
    found = remote.feedback.released_notices(district_code, job["params"]["period"], units)
    on_total(len(found))
    for n in found:
        yield feedback.notice(n), str(n["released_at"])[:10]


PAGES = {"certificates": ("b1", _certificates), "registers": ("d1", _registers), "tables": ("ef", _tables)}


def render_part(store, files, remote, event):
    """One community's part of a job: its pages made a chunk at a time, each chunk set by Typst
    while the next one's pages are made (Typst runs outside the GIL), merged into one PDF, kept;
    the job done when its last part is."""
    job_id, part = event["job_id"], event["part"]
    with store.unit_of_work() as uow:
        job = job_row(uow.conn, job_id)
        state = uow.conn.execute(select(job_parts.c.status).where(
            job_parts.c.job_id == job_id, job_parts.c.part == part)).scalar()
    if job is None or state in (None, "done", "failed"):
        return  # a part of no job here, or done (or given up) already: its message came again
    form, pages_of = PAGES[job["kind"]]
    with store.unit_of_work() as uow:  # where the part is, as the job has it (not as a message says)
        community_code = uow.conn.execute(select(job_parts.c.community_code).where(
            job_parts.c.job_id == job_id, job_parts.c.part == part)).scalar().strip()
    personal = caller_of(job).sees_personal_data
    started = time.perf_counter()
    _progress(store, job_id, part, 0)
    try:
        pdfs, chunk, days, pending = [], [], [], collections.deque()
        waited = [0.0]  # for the log: the time spent waiting for Typst, not making pages
        for page, day in pages_of(remote, job, part, community_code, personal,
                                  lambda n: _total(store, job_id, part, n)):
            chunk.append(page)
            days.append(day)
            if len(chunk) == CHUNK:
                _hand_over(store, job_id, part, form, pdfs, pending, chunk, max(days), waited)
                chunk, days = [], []
        if chunk:
            _hand_over(store, job_id, part, form, pdfs, pending, chunk, max(days), waited)
        done = sum(n for _, n in pdfs)
        while pending:  # the last chunks: each one done is progress too
            done += _collect(pdfs, pending, waited)
            if pending:
                _progress(store, job_id, part, done)
        pdfs = [pdf for pdf, _ in pdfs]
        name = f"{KINDS[job['kind']].split()[0]}-{community_code}-{_label(job)}{_part_label(job, part)}.pdf"
        rendered = time.perf_counter()
        whole = render.merge(pdfs) if pdfs else None
        key = f"jobs/{job_id}/{name}"
        if whole is not None:
            files.put(key, whole)
        _part_done(store, files, job_id, part, done, key if whole is not None else None)
        log.info("job %s part %s (%s): %d forms in %.2fs (pages asked and made %.2fs, then waiting for Typst "
                 "%.2fs; merged and kept %.2fs)", job_id, part, community_code, done, time.perf_counter() - started,
                 rendered - started - waited[0], waited[0], time.perf_counter() - rendered)
    except Exception as exc:
        log.exception("job %s part %s failed", job_id, part)
        if not (_transient(exc) and _again(store, job_id, part, job["kind"], community_code)):
            _part_failed(store, job_id, part, exc)


def _label(job):
    return str(job["params"].get("year") or job["params"].get("period"))


def _part_label(job, part):
    # a district's notices: every part is the district's, told apart by its group of units
    return f"-第{part}组" if job["kind"] == "tables" else ""


def _hand_over(store, job_id, part, form, pdfs, pending, chunk, as_of, waited):
    """Set this chunk (in a render thread), as many at once as there are render threads; when
    they are all busy, wait for the oldest (its pages are done: progress)."""
    if len(pending) >= render.THREADS:
        _collect(pdfs, pending, waited)
        _progress(store, job_id, part, sum(n for _, n in pdfs))
    pending.append((eventlet.spawn(render.pdf, form, chunk, as_of), len(chunk)))


def _collect(pdfs, pending, waited):
    """The oldest chunk's PDF, in order (the batch's pages stay in the order they were asked)."""
    thread, n = pending.popleft()
    began = time.perf_counter()
    pdfs.append((thread.wait(), n))
    waited[0] += time.perf_counter() - began
    return n


def _part_done(store, files, job_id, part, done, key):
    with store.unit_of_work() as uow:
        uow.conn.execute(update(job_parts).where(job_parts.c.job_id == job_id, job_parts.c.part == part)
                         .values(status="done", done=done, total=done, file_key=key, error=None))
        # the job's row locked: of two parts finishing at once, the second makes the file
        job = uow.conn.execute(select(jobs).where(jobs.c.id == job_id).with_for_update()).mappings().first()
        parts = uow.conn.execute(select(job_parts).where(job_parts.c.job_id == job_id)
                                 .order_by(job_parts.c.part)).mappings().all()
        total = sum(p["done"] for p in parts)
        if any(p["status"] != "done" for p in parts) or job["status"] == "done":
            uow.conn.execute(update(jobs).where(jobs.c.id == job_id).values(done=total))
            return
        keys = [p["file_key"] for p in parts if p["file_key"]]
        if len(parts) == 1 and keys:
            result_key = keys[0]
            data = files.get(result_key)
        else:  # a ZIP of the communities' PDFs, its dates the job's own (the same parts, the same bytes)
            result_key = f"jobs/{job_id}/{KINDS[job['kind']].split()[0]}-{job['area_code'].strip()}-{_label(job)}.zip"
            data = _zip([(k.rsplit("/", 1)[1], files.get(k)) for k in keys], job["created_at"])
            files.put(result_key, data)
        import hashlib
        digest = hashlib.sha256(data).hexdigest()
        name = result_key.rsplit("/", 1)[1]
        uow.conn.execute(update(jobs).where(jobs.c.id == job_id).values(
            status="done", done=total, total=total, result_key=result_key, result_name=name, result_sha256=digest,
            result_bytes=len(data), finished_at=func.now(), error=None))
        uow.emit("document_job_finished", _area_scope(job["area_code"].strip()), job_id=job_id, kind=job["kind"],
                 status="done", file_name=name, sha256=digest)


def _zip(entries, when):
    out = io.BytesIO()
    stamp = (when.year, when.month, when.day, 0, 0, 0)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:  # PDFs are compressed already
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.flag_bits |= 0x800  # the names are UTF-8 (Chinese)
            archive.writestr(info, data)
    return out.getvalue()


def _area_scope(code):
    return {"district_code": code[:6], "street_code": code[:9] if len(code) >= 9 else None,
            "community_code": code if len(code) == 12 else None}


ATTEMPTS = 3  # a part whose data could not be asked (a service away, a deploy) is tried this often


def _transient(exc):
    """A failure that may pass: a service away or too slow, the database or the broker away."""
    from sqlalchemy.exc import OperationalError
    from contracts.errors import Unavailable
    return isinstance(exc, (Unavailable, OperationalError, ConnectionError, TimeoutError))


def _again(store, job_id, part, kind, community_code):
    """Put the part back in the queue, through the outbox, unless it has been tried ATTEMPTS times;
    True if it was."""
    with store.unit_of_work() as uow:
        tried = uow.conn.execute(update(job_parts).where(
            job_parts.c.job_id == job_id, job_parts.c.part == part, job_parts.c.status != "done",
            job_parts.c.attempts < ATTEMPTS).values(attempts=job_parts.c.attempts + 1, status="queued", done=0)
            .returning(job_parts.c.attempts)).scalar()
        if tried is None:
            return False
        uow.emit("document_part_requested", _area_scope(community_code), job_id=job_id, part=part, kind=kind)
    log.warning("job %s part %s: tried again (attempt %d of %d)", job_id, part, tried, ATTEMPTS)
    return True


def _part_failed(store, job_id, part, exc):
    message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
    with store.unit_of_work() as uow:
        failed = uow.conn.execute(update(job_parts).where(
            job_parts.c.job_id == job_id, job_parts.c.part == part, job_parts.c.status != "done")
            .values(status="failed", error=message[:500])).rowcount
        job = uow.conn.execute(select(jobs).where(jobs.c.id == job_id).with_for_update()).mappings().first()
        if failed and job["status"] not in ("failed", "done"):
            uow.conn.execute(update(jobs).where(jobs.c.id == job_id).values(
                status="failed", error=message[:500], finished_at=func.now()))
            uow.emit("document_job_finished", _area_scope(job["area_code"].strip()), job_id=job_id, kind=job["kind"],
                     status="failed", file_name=None, sha256=None)
