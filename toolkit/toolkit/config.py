"""Configuration from the environment, with defaults for a local run.

Nothing here connects to anything: values are read when a service starts, never at import.
"""
import os
from datetime import datetime
from zoneinfo import ZoneInfo

CITY_TZ = ZoneInfo("Asia/Shanghai")  # the city runs on Beijing time: periods, deadlines, "today"

DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672//"
DEFAULT_DATABASE_URL = "postgresql+psycopg2://root@127.0.0.1:5432/root"


def env(name, default=None):
    value = os.environ.get(name)
    return default if value in (None, "") else value


def amqp_uri():
    return env("AMQP_URI", DEFAULT_AMQP_URI)


def database_url(service):
    """`<SERVICE>_DATABASE_URL` if set, else `DATABASE_URL`, else the local default."""
    return env(f"{service.upper()}_DATABASE_URL") or env("DATABASE_URL", DEFAULT_DATABASE_URL)


def now():
    """The current time, timezone-aware, in the city's zone."""
    return datetime.now(CITY_TZ)


def today():
    return now().date()
