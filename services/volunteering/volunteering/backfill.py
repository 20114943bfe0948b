"""Learn the active members a volunteering service missed (it was deployed, or its queues were
created, after the registration service had published them).

    python -m volunteering.backfill [--year 2026]

Asks the registration service over RPC for the year's accepted registrations, a page at a time,
and applies each as a member_registration_accepted would be: the same upsert, so a member already
known from a newer event is left as it is, and running it twice changes nothing. It runs as the
city's administrator (the list is the whole city's). Progress is shown as it goes.
"""
import argparse
import sys

from nameko.standalone.rpc import ClusterRpcProxy

from contracts.access import CONTEXT_SKEW, CONTEXT_TTL, Caller
from toolkit.caller import SignedAtEachCall
from toolkit.config import amqp_uri, database_url, today
from toolkit.db import Store

from . import handlers
from .models import metadata

SYSTEM = Caller(0, "volunteering-backfill", "city_admin", "")


def backfill(store, registration, year, page=1000, progress=lambda n: None):
    after, applied = 0, 0
    while rows := registration.accepted_members(year, after, page):
        with store.unit_of_work() as uow:
            for row in rows:
                handlers.member_accepted(uow.conn, row)
        applied += len(rows)
        after = rows[-1]["registration_id"]
        progress(len(rows))
    return applied


def main(argv=None):
    from tqdm import tqdm
    parser = argparse.ArgumentParser(prog="python -m volunteering.backfill", description=__doc__.split("\n\n")[0])
    parser.add_argument("--year", type=int, default=today().year)
    args = parser.parse_args(argv)
    store = Store("volunteering", metadata, url=database_url("volunteering"), relay=False, pool_size=1)
    # a fresh signature for each page: a signed caller lives for seconds (contracts.access), a
    # backfill may take minutes
    context = SignedAtEachCall(SYSTEM)
    # a page waits less than its signature lives: late, it is a timeout, not a refusal
    timeout = CONTEXT_TTL - CONTEXT_SKEW - 5
    with ClusterRpcProxy({"AMQP_URI": amqp_uri()}, context_data=context, timeout=timeout) as rpc:
        with tqdm(desc="members", unit="member", file=sys.stderr) as bar:
            n = backfill(store, rpc.registration, args.year, progress=bar.update)
    store.dispose()
    print(f"applied {n} accepted registrations of {args.year}")


if __name__ == "__main__":
    main()
