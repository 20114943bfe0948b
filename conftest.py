"""Shared fixtures. nameko runs on eventlet: patch before anything imports sockets or threads
(nameko's pytest plugin no longer does it)."""
import eventlet

eventlet.monkey_patch()

import os  # noqa: E402
import secrets  # noqa: E402

# callers in RPC contexts are signed (contracts.access); the services the tests start, in this
# process or as subprocesses, share this run's secret. Set before any test module makes a context.
os.environ.setdefault("RPC_CONTEXT_SECRET", "tests-" + secrets.token_hex(16))

import pytest  # noqa: E402
from sqlalchemy import text  # noqa: E402

from toolkit.config import amqp_uri  # noqa: E402

ROOT = os.path.dirname(os.path.abspath(__file__))
TEST_DATABASE_URL = "postgresql+psycopg2://root@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def database_url():
    """Tests use the `test` database unless DATABASE_URL names another (CI exports it)."""
    url = os.environ.get("DATABASE_URL") or TEST_DATABASE_URL
    os.environ["DATABASE_URL"] = url
    return url


@pytest.fixture(scope="session")
def amqp():
    return amqp_uri()


def _fresh_schema(database_url, schema, where):
    """An engine on a schema dropped and migrated again by its own Alembic history."""
    from toolkit.db import make_engine
    from toolkit.migrate import upgrade
    # the suite runs beside `make run` (about 45 idle connections of PostgreSQL's 100): keep two
    # idle per engine, and close the rest after use
    engine = make_engine(database_url, pool_size=2, max_overflow=20)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    upgrade(os.path.join(ROOT, *where))
    return engine


@pytest.fixture(scope="session")
def migrated(database_url):
    """A fresh registration schema."""
    engine = _fresh_schema(database_url, "registration", ("services", "registration"))
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def city(migrated, amqp):
    """A small generated city in the test database (the demo's shape, its own seed). Its events
    are published by whichever registration service runs first, maybe long before the platform of
    the end-to-end tests: the subscribers' queues are declared first, or on a fresh broker those
    events would be dropped and the subscribers would never hear of the city's members."""
    from registration.city import generate, load
    from scoring.service import ScoringService
    from toolkit.subscriptions import declare_event_queues
    from volunteering.service import VolunteeringService
    declare_event_queues(amqp, VolunteeringService, ScoringService)
    data = generate(districts=("410106", "410102"), streets=2, communities=2, units=2, members=4, seed=11)
    load(migrated, data)
    return data


@pytest.fixture(scope="session")
def gateway_db(database_url):
    """A fresh gateway schema (accounts, sessions, audit log)."""
    engine = _fresh_schema(database_url, "gateway", ("gateway",))
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def volunteering_db(database_url):
    """A fresh volunteering schema."""
    engine = _fresh_schema(database_url, "volunteering", ("services", "volunteering"))
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def feedback_db(database_url):
    """A fresh feedback schema (notices, objections)."""
    engine = _fresh_schema(database_url, "feedback", ("services", "feedback"))
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def documents_db(database_url):
    """A fresh documents schema (batch jobs)."""
    engine = _fresh_schema(database_url, "documents", ("services", "documents"))
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def scoring_db(database_url):
    """A fresh scoring schema (the ledger)."""
    engine = _fresh_schema(database_url, "scoring", ("services", "scoring"))
    yield engine
    engine.dispose()
