"""Bulk reporting: a unit hands over its members as a CSV or XLSX file.

Every row is validated by the same schema as a single report (contracts.registration.MemberReport)
plus what needs the whole file or the database (duplicates in the file, unknown communities,
members who already reported this year). A file with any bad row writes nothing and returns a
per-row report in Chinese; a good file is written in one transaction, batch by batch while the
next batch is checked (import_rows). Progress is
committed on the job row as the work goes, so it can be watched while it runs.
"""
import base64
import csv
import io
import json
import logging
import time
from collections import Counter
from datetime import date, datetime, timedelta

import psycopg2
from marshmallow import ValidationError
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

from contracts.registration import IMPORT_COLUMNS, MemberReport
from contracts.errors import NotFound
from contracts.rules import field_errors
from contracts.written import as_code, normalize
from toolkit.config import now
from toolkit.fastload import FastLoader
from toolkit.bulk import StatementPipeline
from toolkit.validation import invalid

from . import domain
from .handlers import CLOSE_TRANSFERS, next_certificate_seqs
from .models import ACTIVE, communities, import_jobs, members, units

log = logging.getLogger(__name__)

MAX_ROWS = 200_000
KEPT_ERRORS = 2_000          # rows of the error report kept on the job; the count is exact
PROGRESS_EVERY = 2_000
BATCH_ROWS = 5_000      # rows checked, then handed to the writing green thread, at a time
COOPERATE_EVERY = 200
STALE_AFTER_MINUTES = 30  # far longer than a 200,000-row job takes
REQUIRED_COLUMNS = [h for h, f in IMPORT_COLUMNS.items() if f not in ("other_skill",)]


class FileError(Exception):
    """The file as a whole cannot be read (wrong format, missing columns, too many rows)."""


def read_rows(filename, content):
    """(line number, {heading: text}) for each data row of a CSV (UTF-8 or GB18030) or XLSX file."""
    if filename.lower().endswith(".xlsx"):
        return _xlsx_rows(content)
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK by default
        try:
            decoded = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileError("文件编码无法识别，请保存为 UTF-8 或 GBK 编码的 CSV")
    reader = csv.reader(io.StringIO(decoded))
    header = next(reader, None)
    return _with_header(header, ((n, r) for n, r in enumerate(reader, start=2)))


def _xlsx_rows(content):
    from openpyxl import load_workbook
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise FileError("无法打开 XLSX 文件，请确认文件未损坏") from None
    rows = book.worksheets[0].iter_rows(values_only=True)
    header = next(rows, None)
    return _with_header(header, ((n, r) for n, r in enumerate(rows, start=2)))


def _with_header(header, rows):
    if not header:
        raise FileError("文件为空")
    header = [str(h or "").strip() for h in header]
    missing = [h for h in REQUIRED_COLUMNS if h not in header]
    if missing:
        raise FileError("缺少列：" + "、".join(missing) + "（表头须使用报到证B.1的项目名称）")
    index = {h: i for i, h in enumerate(header) if h in IMPORT_COLUMNS}
    for line, row in rows:
        if line > MAX_ROWS + 1:
            raise FileError(f"单个文件最多 {MAX_ROWS} 行，请分批导入")
        if row is None or all(v in (None, "") for v in row):
            continue
        yield line, {h: (row[i] if i < len(row) else None) for h, i in index.items()}


def _text(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():  # XLSX cells hold numbers as floats
        value = int(value)
    return str(value).strip()


def _cell(value):
    # a date cell of XLSX stays a date (contracts.written writes it as the platform does)
    return value if isinstance(value, (date, datetime)) else _text(value)


_COLUMNS = [(heading, field) for heading, field in IMPORT_COLUMNS.items()]


def to_request(raw, unit_id):
    """A file row in the words of the form, as a MemberReport request: its values as people write
    them (男, 居住地社区, 1985/4/3, 写作、摄影) made the platform's as the API makes them
    (contracts.written), so a file and a request accept the same."""
    req = {field: _cell(raw.get(heading)) for heading, field in _COLUMNS}
    req["other_skill"] = req["other_skill"] or None
    req["unit_id"] = unit_id
    return normalize(MemberReport, req)


def _heading(field):
    for heading, f in IMPORT_COLUMNS.items():
        if f == field.split(".")[0]:
            return heading
    return field


SCHEMA = MemberReport()
FAST = FastLoader(MemberReport)


def validate_rows(rows, unit_id, known_communities, progress=None, seen=None):
    """(requests, errors): every row checked; errors as [{row, column, code, rule, message}].
    `seen` (identity number -> line) carries the file's members across batches of one file."""
    good, errors, seen = [], [], {} if seen is None else seen
    for count, (line, raw) in enumerate(rows, start=1):
        data = to_request(raw, unit_id)
        req = FAST.load(data)
        if req is None:  # a row the fast path is unsure of: the schema decides, and says why
            try:
                req = SCHEMA.load(data)
            except ValidationError as exc:
                for e in field_errors(exc.messages):
                    errors.append({"row": line, "column": _heading(e["field"]), **e})
        if req is not None:
            if req["community_code"] not in known_communities:
                errors.append({"row": line, "column": "报到社区代码", "field": "community_code",
                               "code": "unknown_community", "rule": "§4.2",
                               "message": f"社区代码 {req['community_code']} 不存在"})
            elif req["id_number"] in seen:
                errors.append({"row": line, "column": "身份证号", "field": "id_number",
                               "code": "duplicate_in_file", "rule": "§4.2",
                               "message": f"与第 {seen[req['id_number']]} 行为同一党员，每年报到一次"})
            else:
                seen[req["id_number"]] = line
                good.append((line, req))
        if count % COOPERATE_EVERY == 0:
            time.sleep(0)  # under eventlet: let the service's other workers and heartbeats run
        if progress and count % PROGRESS_EVERY == 0:
            progress(count)
    return good, errors


# A batch in one statement, sent by the writing green thread while the next batch is checked:
# its members new to the city, its registrations and their events (the same payload as
# handlers.report_member emits; tests check it against contracts.events.MemberReported). The
# rows travel as one JSON array (json.dumps and PostgreSQL's JSON reader are both C), one object
# per registration, with the member's fields once.
COMMON_COLUMNS = ("name", "gender", "birth_date", "party_join_date", "education", "unit_id", "position",
                  "phone", "home_address")
_BATCH_ROW = ("id bigint, certificate_no text, member_id bigint, new_member boolean, id_number text, "
              "community_code text, street_code text, district_code text, community_choice text, skills text[], "
              "other_skill text, service_intentions text[], name text, gender text, birth_date date, "
              "party_join_date date, education text, unit_id bigint, position text, phone text, home_address text")
_REG_ROW_COLUMNS = ("id", "certificate_no", "member_id", "community_code", "street_code", "district_code",
                    "community_choice", "skills", "other_skill", "service_intentions", *COMMON_COLUMNS)
_REG_JOB_COLUMNS = ("year", "status", "late", "source", "reported_at", "unit_decision", "unit_officer",
                    "unit_opinion_date", "unit_comment")
REG_COLUMNS = _REG_ROW_COLUMNS + _REG_JOB_COLUMNS  # what a job writes of a registration
_HEADING = {field: heading for heading, field in IMPORT_COLUMNS.items()}

_WRITE_BATCH = f"""
    WITH batch AS (
        SELECT * FROM json_to_recordset(%(rows)s::json) AS u({_BATCH_ROW})),
    new_members AS (
        INSERT INTO registration.members (id, id_number, {', '.join(COMMON_COLUMNS)})
        SELECT member_id, id_number, {', '.join(COMMON_COLUMNS)} FROM batch WHERE new_member),
    regs AS (
        INSERT INTO registration.member_registrations ({', '.join(REG_COLUMNS)})
        SELECT {', '.join(_REG_ROW_COLUMNS)},
               %(year)s, 'unit_approved', %(late)s, %(source)s, %(at)s::timestamptz, 'approve', %(officer)s,
               %(on)s::date, '单位批量报送'
        FROM batch
        RETURNING *)
    INSERT INTO registration.outbox (event_id, event_type, payload)
    SELECT r.event_id, 'member_reported', jsonb_build_object(
        'event_id', r.event_id, 'event_type', 'member_reported', 'occurred_at', %(at)s,
        'district_code', r.district_code, 'street_code', r.street_code, 'community_code', r.community_code,
        'registration_id', r.id, 'certificate_no', r.certificate_no, 'member_id', r.member_id,
        'unit_id', r.unit_id, 'year', r.year, 'late', r.late, 'community_choice', r.community_choice,
        'skills', to_jsonb(r.skills), 'service_intentions', to_jsonb(r.service_intentions),
        'source', r.source, 'member_name', r.name)
    FROM (SELECT gen_random_uuid() AS event_id, *  -- in the select list: a new id for every row
          FROM regs ORDER BY id) r"""


def _reserve_ids(cur, table, n):
    """n ids of the table's sequence, in increasing order (a failed job leaves a gap, as any
    rolled-back insert does)."""
    if n == 0:
        return iter(())
    cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", (table,))  # once: per row it costs 6 µs each
    cur.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", (cur.fetchone()[0], n))
    return iter([r[0] for r in cur.fetchall()])


class _Writing:
    """What writing needs, so that each batch can be written as soon as it is checked: the members
    already known and those who reported already this year (before the first row is checked);
    ids and certificate numbers for every row of the file, counted from its raw cells (if the
    file passes, they are its rows exactly), reserved when the first clean batch is written."""

    def __init__(self, conn, job, rows, known_communities, submitted_by):
        self.conn, self.rows, self.known_communities = conn, rows, known_communities
        self.reported_at = now()
        self.year = year = self.reported_at.year
        self.source = f"import:{job['id']}"
        self.submitted_by = submitted_by
        self.late = domain.is_late(self.reported_at, year)
        cur = conn.connection.dbapi_connection.cursor()
        self.numbers_in_file = list({as_code(_text(raw.get(_HEADING["id_number"]))) for _, raw in rows})
        cur.execute("SELECT id_number, id FROM registration.members WHERE id_number = ANY(%s)",
                    (self.numbers_in_file,))
        self.member_ids = dict(cur.fetchall())
        # only members known before this file can have reported already this year
        cur.execute("""SELECT m.id_number FROM registration.member_registrations r
                       JOIN registration.members m ON m.id = r.member_id
                       WHERE r.year = %s AND r.status = ANY(%s) AND m.id_number = ANY(%s)""",
                    (year, list(ACTIVE), list(self.member_ids)))
        self.already = {row[0] for row in cur.fetchall()}
        self.numbers = None

    def _reserve(self):
        cur = self.conn.connection.dbapi_connection.cursor()
        self.new_member_ids = _reserve_ids(cur, "registration.members",
                                           len(self.numbers_in_file) - len(self.member_ids))
        self.registration_ids = _reserve_ids(cur, "registration.member_registrations", len(self.rows))
        per_community = Counter(_text(raw.get(_HEADING["community_code"])) for _, raw in self.rows)
        # Certificate numbers are taken in a transaction of their own, committed at once: a
        # community's counter is then locked for a moment, not for the whole job (its form
        # reports would wait that long), and never before the job's member rows (a form report
        # locks member, then counter: the opposite order could deadlock). A job that fails leaves
        # its numbers unused: numbers are unique and checkable, not gapless.
        self.numbers = {}
        with self.conn.engine.begin() as own:
            for code, n in sorted(per_community.items()):  # one lock order for every job
                if code in self.known_communities:  # else every such row is an error: nothing is written
                    self.numbers[code] = domain.certificate_numbers(
                        self.year, code, next_certificate_seqs(own, code, self.year, n))

    def refused(self, line, req):
        if req["id_number"] in self.already:
            return {"row": line, "column": "身份证号", "field": "id_number", "code": "already_reported",
                    "rule": "§4.2", "message": f"该党员{self.year}年已有有效报到，每年报到一次"}
        return None

    def write(self, pipe, good):
        """Hand one batch of good rows to the writing green thread. Members already known keep
        their record until a community accepts the new report (handlers.accept_registration)."""
        if self.numbers is None:
            self._reserve()
        batch = []
        for _, row in good:
            member_id = self.member_ids.get(row["id_number"])
            new_member = member_id is None
            if new_member:
                member_id = self.member_ids[row["id_number"]] = next(self.new_member_ids)
            code = row["community_code"]
            batch.append({**{c: row[c] for c in COMMON_COLUMNS},
                          "birth_date": row["birth_date"].isoformat(),
                          "party_join_date": row["party_join_date"].isoformat(),
                          "id": next(self.registration_ids), "certificate_no": next(self.numbers[code]),
                          "member_id": member_id, "new_member": new_member, "id_number": row["id_number"],
                          "community_code": code, "street_code": code[:9], "district_code": code[:6],  # domain.scope_of_community
                          "community_choice": row["community_choice"], "skills": row["skills"],
                          "other_skill": row["other_skill"], "service_intentions": row["service_intentions"]})
        pipe.execute(_WRITE_BATCH, {"rows": json.dumps(batch, ensure_ascii=False), "year": self.year,
                                    "late": self.late, "source": self.source, "at": self.reported_at.isoformat(),
                                    "officer": self.submitted_by, "on": self.reported_at.date()})


def import_rows(conn, job, rows, known_communities, progress=None, checked=None):
    """Check every row and write the good ones in the caller's transaction, batch by batch: while
    PostgreSQL takes in one batch (a green thread of its own waits for it), the next is checked.
    From the first bad row on, nothing more is written and the caller rolls back; the rest is
    still checked, so the report names every bad row. Returns the errors ([] when all is written)."""
    writing = _Writing(conn, job, rows, known_communities, job["submitted_by"])
    errors, seen = [], {}
    with StatementPipeline(conn.connection.dbapi_connection) as pipe:
        for start in range(0, len(rows), BATCH_ROWS):
            good, bad = validate_rows(rows[start:start + BATCH_ROWS], job["unit_id"], known_communities, seen=seen,
                                      progress=progress and (lambda n, start=start: progress(start + n)))
            errors += bad
            errors += [e for e in (writing.refused(line, req) for line, req in good) if e]
            if good and not errors and not pipe.failed:
                writing.write(pipe, good)
            if progress:
                progress(min(start + BATCH_ROWS, len(rows)))
        if errors:  # the file's own faults are the report, whatever became of the batches written
            try:
                pipe.finish()
            except Exception as exc:
                log.info("import job %s: writing also failed (%s)", job["id"], type(exc).__name__)
            return errors
        if checked:
            checked()
        pipe.finish()  # the writing's own failure (a member reported meanwhile by another route) goes up
    conn.execute(text(CLOSE_TRANSFERS.format(
        reports="(SELECT id, member_id, community_code FROM registration.member_registrations"
                " WHERE source = :source)")), {"source": writing.source})
    return []


class _Rejected(Exception):
    """Rows found bad only while writing: the transaction is rolled back whole."""

    def __init__(self, errors):
        super().__init__(len(errors))
        self.errors = errors


def create_job(uow, req):
    s = uow.conn
    unit = s.execute(select(units.c.id, units.c.community_code, units.c.street_code, units.c.district_code)
                     .where(units.c.id == req["unit_id"])).mappings().first()
    if unit is None:
        raise NotFound(message=f"单位 {req['unit_id']} 不存在")
    try:
        content = base64.b64decode(req["content_b64"], validate=True)
    except ValueError:
        raise invalid("file", "bad_encoding", "", "文件内容不是有效的 base64") from None
    job_id = s.execute(import_jobs.insert().values(
        unit_id=unit["id"], filename=req["filename"], content=content, submitted_by=req["submitted_by"],
        community_code=unit["community_code"], street_code=unit["street_code"],
        district_code=unit["district_code"]).returning(import_jobs.c.id)).scalar_one()
    return {"job_id": job_id, "status": "queued"}


JOB_VIEW = [c for c in import_jobs.c if c.name != "content"]


def job_status(session, job_id, unit_id=None):
    stmt = select(*JOB_VIEW).where(import_jobs.c.id == job_id)
    if unit_id is not None:
        stmt = stmt.where(import_jobs.c.unit_id == unit_id)
    row = session.execute(stmt).mappings().first()
    if row is None:
        raise NotFound(message=f"导入任务 {job_id} 不存在")
    data = dict(row)
    total = data["total_rows"]
    data["percent"] = 100 if data["status"] == "succeeded" else (
        round(100 * data["processed_rows"] / total, 1) if total else 0)
    return data


def claim_next_job(engine):
    """Take one queued job (any replica may run this; SKIP LOCKED gives each job to one)."""
    with engine.begin() as conn:
        stale = now() - timedelta(minutes=STALE_AFTER_MINUTES)
        row = conn.execute(select(import_jobs.c.id).where(
            (import_jobs.c.status == "queued")
            # a replica died in the middle: writing is all or nothing, so the job can start over
            | (import_jobs.c.status.in_(("validating", "writing")) & (import_jobs.c.started_at < stale)))
            .order_by(import_jobs.c.id).limit(1).with_for_update(skip_locked=True)).first()
        if row is None:
            return None
        conn.execute(update(import_jobs).where(import_jobs.c.id == row.id)
                     .values(status="validating", started_at=now()))
        return row.id


def run_job(store, job_id):
    """Validate and write one job; the job row shows progress and, at the end, the outcome."""
    engine = store.engine
    started = time.perf_counter()

    def set_job(**values):
        with engine.begin() as conn:
            conn.execute(update(import_jobs).where(import_jobs.c.id == job_id).values(**values))

    with engine.connect() as conn:
        job = conn.execute(select(import_jobs).where(import_jobs.c.id == job_id)).mappings().one()
        known = {r[0] for r in conn.execute(select(communities.c.code))}
    try:
        rows = list(read_rows(job["filename"], job["content"]))
    except FileError as exc:
        return _finish(store, job, "failed", 0, [{"row": 0, "column": "", "field": "file",
                                                  "code": "bad_file", "rule": "", "message": str(exc)}])
    set_job(total_rows=len(rows))
    try:
        with engine.begin() as conn:
            errors = import_rows(conn, job, rows, known, progress=lambda n: set_job(processed_rows=n),
                                 checked=lambda: set_job(status="writing"))  # the last batches and the commit are left
            if errors:
                raise _Rejected(errors)
    except FileError as exc:
        return _finish(store, job, "failed", len(rows), [{"row": 0, "column": "", "field": "file",
                                                          "code": "bad_file", "rule": "", "message": str(exc)}])
    except _Rejected as rejected:
        return _finish(store, job, "failed", len(rows), rejected.errors)
    except (IntegrityError, psycopg2.IntegrityError) as exc:  # a member of the file reported by another route meanwhile
        # the constraint only: the error's own detail names the identity number
        diag = getattr(getattr(exc, "orig", exc), "diag", None)
        log.warning("import job %s met a concurrent report (%s)", job_id, getattr(diag, "constraint_name", "?"))
        return _finish(store, job, "failed", len(rows), [{
            "row": 0, "column": "身份证号", "field": "id_number", "code": "already_reported", "rule": "§4.2",
            "message": "导入期间，文件中有党员已通过其他途径报到；未写入任何数据，请重新提交文件以查看具体行"}])
    except Exception as exc:  # never leave a job "writing" for ever: fail it, say so, keep the cause in the log
        database_error = getattr(exc, "orig", exc)
        if isinstance(database_error, psycopg2.Error):  # its message can quote a row (identity number, phone)
            log.error("import job %s failed while writing: %s (SQLSTATE %s)", job_id,
                      type(database_error).__name__, database_error.pgcode)
        else:
            log.exception("import job %s failed while writing", job_id)
        return _finish(store, job, "failed", len(rows), [{
            "row": 0, "column": "", "field": "file", "code": "internal_error", "rule": "",
            "message": "写入时发生错误，未写入任何数据；请稍后重试，如持续出现请联系运维"}])
    log.info("import job %s: %d rows in %.1fs", job_id, len(rows), time.perf_counter() - started)
    return _finish(store, job, "succeeded", len(rows), [])


def _finish(store, job, status, total, errors):
    errors.sort(key=lambda e: e["row"])
    with store.unit_of_work() as uow:
        uow.conn.execute(update(import_jobs).where(import_jobs.c.id == job["id"]).values(
            status=status, total_rows=total, processed_rows=total,
            error_count=len(errors), errors=errors[:KEPT_ERRORS], finished_at=now()))
        uow.emit("member_import_finished", domain.scope_of_community(job["community_code"]),
                 job_id=job["id"], unit_id=job["unit_id"], status=status, rows=total)
    return status
