"""Half years (S4, §3.5.4) as the feedback service names them: 2026H1 = January to June, in the
city's time."""
from datetime import datetime

from toolkit.config import CITY_TZ


def period_of(moment):
    local = moment.astimezone(CITY_TZ) if isinstance(moment, datetime) else moment
    return f"{local.year}H{1 if local.month <= 6 else 2}"


def previous(period):
    return f"{period[:4]}H1" if period.endswith("2") else f"{int(period[:4]) - 1}H2"
