"""Run a service's outbox relay as a process of its own.

    python -m toolkit.relay registration [--once]

Services run their relay inside each replica by default; operations may instead set
OUTBOX_RELAY=off on the replicas and run this (any number of copies: rows are claimed with
SKIP LOCKED). --once publishes what is pending and exits, with a count.
"""
import argparse
import logging
import signal

from sqlalchemy import MetaData

from .config import amqp_uri, database_url
from .db import make_engine
from .outbox import Relay, RelayLoop
from .tables import outbox_table


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m toolkit.relay")
    parser.add_argument("service")
    parser.add_argument("--once", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s relay %(message)s")
    engine = make_engine(database_url(args.service), pool_size=2)
    relay = Relay(engine, outbox_table(MetaData(schema=args.service)), args.service, amqp_uri())
    if args.once:
        print(f"published {relay.drain()} events of {args.service}")
        return
    loop = RelayLoop(relay)
    signal.signal(signal.SIGTERM, lambda *_: loop.stop())
    try:
        loop.run()
    except KeyboardInterrupt:
        loop.stop()


if __name__ == "__main__":
    main()
