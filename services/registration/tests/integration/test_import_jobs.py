"""Import jobs are claimed by one replica at a time, and taken up again when one died mid-job.
(A module of its own: no registration service runs here, so no timer claims the jobs first.)"""
import pytest
from sqlalchemy import text

pytestmark = pytest.mark.integration


@pytest.fixture
def place(city):
    unit = city.units[0]
    return {"community": unit["community_code"], "unit": unit["id"]}


def test_a_job_left_by_a_dead_replica_is_taken_up_again(migrated, place):
    from registration import importer
    with migrated.begin() as conn:
        job = conn.execute(text(
            "insert into registration.import_jobs (unit_id, filename, content, submitted_by, status, started_at,"
            " community_code, street_code, district_code) values (:u, 'x.csv', '', '王书记', 'writing',"
            " now() - interval '2 hours', :c, :s, :d) returning id"),
            {"u": place["unit"], "c": place["community"], "s": place["community"][:9], "d": place["community"][:6]}).scalar()
        fresh = conn.execute(text(
            "insert into registration.import_jobs (unit_id, filename, content, submitted_by, status, started_at,"
            " community_code, street_code, district_code) values (:u, 'y.csv', '', '王书记', 'writing',"
            " now(), :c, :s, :d) returning id"),
            {"u": place["unit"], "c": place["community"], "s": place["community"][:9], "d": place["community"][:6]}).scalar()
    claimed = importer.claim_next_job(migrated)
    assert claimed == job and claimed != fresh
    with migrated.begin() as conn:  # leave no job for the service's timer to trip over
        conn.execute(text("update registration.import_jobs set status='failed' where id in (:a, :b)"), {"a": job, "b": fresh})
