"""A job's part against the real PostgreSQL (and Typst): a service away is tried again through the
outbox, up to ATTEMPTS times, then the job fails; a part done is not undone by a late copy of its
message; the total of a district's job grows as its communities are asked."""
import pytest
from sqlalchemy import text

from contracts.access import Caller, DISTRICT_OFFICER
from contracts.errors import Unavailable
from documents import files, jobs
from documents.models import metadata
from toolkit.db import Store

pytestmark = pytest.mark.integration
CODE = "410106001001"


@pytest.fixture
def store(documents_db, database_url):
    s = Store("documents", metadata, url=database_url, relay=False, pool_size=2)
    with s.engine.begin() as conn:
        conn.execute(text("TRUNCATE documents.job_parts, documents.jobs, documents.outbox"))
    yield s
    s.dispose()


class Remote:
    """The services a part asks, answering after `failures` unavailable answers."""

    def __init__(self, failures=0, error=Unavailable):
        self.failures, self.error, self.base_url = failures, error, "http://127.0.0.1:8000"
        self.scoring, self.registration, self.volunteering = self, self, self

    def community_registers_d1(self, code, period):
        if self.failures:
            self.failures -= 1
            raise self.error(message="scoring 暂时不可用") if self.error is Unavailable else self.error("bad data")
        return [{"community_code": code, "period": period, "member": {"member_id": m, "name": f"党员{m}"},
                 "lines": [{"no": 1, "served_at": "2026-03-02", "content": "义诊", "points": 5}],
                 "half_year_points": 5, "half_year_stars": 0, "status": "已公布（第 1 版）"} for m in (1, 2, 3)]

    def community_profiles(self, code):
        return {}

    def community_member_posts(self, code):
        return {}

    def community_name(self, code):
        return "和平社区"


def start(store):
    caller = Caller(9, "district01", DISTRICT_OFFICER, CODE[:6])
    with store.unit_of_work() as uow:
        job_id = jobs.start(uow, caller, "registers", CODE[:6], [CODE], {"district_code": CODE[:6], "period": "2026H1"},
                            [0])
    return job_id, {"job_id": job_id, "part": 1, "kind": "registers", "community_code": CODE}


def state(store, job_id):
    with store.engine.connect() as conn:
        job = conn.execute(text("SELECT status, done, total FROM documents.jobs WHERE id = :j"), {"j": job_id}).one()
        part = conn.execute(text("SELECT status, attempts FROM documents.job_parts WHERE job_id = :j"), {"j": job_id}).one()
        requeued = conn.execute(text("SELECT count(*) FROM documents.outbox WHERE event_type = 'document_part_requested'"
                                     )).scalar()
    return tuple(job), tuple(part), requeued


def test_a_part_whose_service_is_away_is_tried_again_and_then_done(store, tmp_path):
    job_id, event = start(store)
    remote = Remote(failures=1)
    jobs.render_part(store, files.Directory(tmp_path), remote, event)
    assert state(store, job_id) == (("running", 0, 0), ("queued", 2), 2)   # put back: a second event in the outbox
    jobs.render_part(store, files.Directory(tmp_path), remote, event)
    assert state(store, job_id) == (("done", 3, 3), ("done", 2), 2)
    jobs.render_part(store, files.Directory(tmp_path), Remote(failures=9), event)   # a late copy: nothing undone
    assert state(store, job_id)[:2] == (("done", 3, 3), ("done", 2))


def test_a_part_given_up_after_its_attempts_fails_the_job(store, tmp_path):
    job_id, event = start(store)
    remote = Remote(failures=jobs.ATTEMPTS)
    for _ in range(jobs.ATTEMPTS):
        jobs.render_part(store, files.Directory(tmp_path), remote, event)
    (job, part, _) = state(store, job_id)
    assert job[0] == "failed" and part == ("failed", jobs.ATTEMPTS)


def test_a_failure_that_will_not_pass_fails_at_once(store, tmp_path):
    job_id, event = start(store)
    jobs.render_part(store, files.Directory(tmp_path), Remote(failures=1, error=ValueError), event)
    assert state(store, job_id)[:2] == (("failed", 0, 0), ("failed", 1))
