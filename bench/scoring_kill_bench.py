"""Scoring under a crash: kill -9 one of three scoring processes while events flow, restart it.

    .venv/bin/python bench/scoring_kill_bench.py                        # 100,000 events (the issue's size)
    .venv/bin/python bench/scoring_kill_bench.py --events 10000         # a quick check
    .venv/bin/python bench/scoring_kill_bench.py --duplicates 0         # no re-published duplicates

Issue figure: "Kill -9 one of three scoring processes while 100,000 events flow, restart it:
ledger entries counted against events sent; goal 0 lost and 0 doubled."

Isolation: PostgreSQL database `bench_scoring_kill` (created if missing; schema `scoring` dropped
and migrated from services/scoring), RabbitMQ vhost `sbd_bench_scoring_kill` (deleted and
recreated), web ports 18693-18695, logs in /tmp/scoring_kill_bench. The helpers (events,
publishing, processes, CPU meter) are scoring_intake_bench.py's, pointed at these.

What it does, in order:
  1. declares nameko's queue of ScoringService.on_service_completed (so nothing published before
     a consumer is up can be dropped) and starts three `nameko run --config config.yaml
     scoring.service` processes as deploy/local/run.sh starts them (config.yaml's max_workers),
     waiting until each answers /health;
  2. a publisher thread sends --events distinct service_completed events (valid, as in the intake
     bench) to `volunteering.events`, persistent, publisher confirms per batch of 500, keeping at
     most --backlog messages ready in the queue (as a producer roughly matched to its consumers:
     publishing goes on during the kill and the restart). After every 20 new events it re-sends one
     already-sent event (same event_id, same body) until --duplicates are sent: duplicates are in
     the stream before, during and after the kill, and must add nothing;
  3. when --kill-at (30%) of the events are entries, SIGKILL to the second process (its pid only),
     which dies with up to config.yaml's max_workers messages delivered and unacknowledged, some
     of them mid-transaction and some possibly committed but not yet acknowledged; RabbitMQ
     redelivers them to the others. After --down seconds (2) the process is started again on the
     same port;
  4. waits until the publisher is done, the queue holds nothing (ready or unacknowledged, per
     rabbitmqctl) and the ledger count has not moved for 3 s; stops every process it started (by
     its own pid; never by name: other nameko processes on this machine are not ours);
  5. counts: events sent (distinct ids), messages published (with the duplicates), ledger rows,
     distinct source_event_id, inbox rows; lost = sent ids without an entry, doubled = rows -
     distinct ids, unknown = entries for ids never sent; the points of the ledger against the sum
     of the events' points; each member's red account (scoring.accounts.earned, credited in the
     entry's statement) against their entries; entrypoint errors from the surviving processes' /metrics (an error
     would be acked by nameko, i.e. lost) and ERROR lines in the logs.

Exit status 1 unless lost == 0, doubled == 0 and unknown == 0, the points and the accounts agree
with the entries, and the kill did happen.
"""
import argparse
import os
import random
import re
import signal
import sys
import threading
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore", category=DeprecationWarning)  # eventlet's notice, via nameko

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gateway_bench as gb  # noqa: E402
import scoring_intake_bench as sib  # noqa: E402

# the intake bench's helpers read these when they run: pointed here, they prepare, start and
# measure this bench's database, vhost, ports and logs
sib.DB_NAME = "bench_scoring_kill"
sib.VHOST = "sbd_bench_scoring_kill"
sib.PORTS = [18693, 18694, 18695]
sib.LOG_DIR = Path(os.environ.get("SCORING_KILL_BENCH_LOGS", "/tmp/scoring_kill_bench"))
sib.point_gb_here()

HOST = gb.HOST
QUEUE = sib.SCORING_QUEUE
VICTIM = 1  # the second of the three processes
say = gb.say


class Publisher(threading.Thread):
    """Sends the events (and the duplicates among them), never more than `backlog` ready."""

    def __init__(self, events, duplicates, backlog, batch=500, every=20, seed=7):
        super().__init__(daemon=True)
        self.events, self.duplicates, self.backlog, self.batch, self.every = events, duplicates, backlog, batch, every
        self.rng = random.Random(seed)
        self.sent_ids = []       # distinct events, in order
        self.messages = 0        # messages published and confirmed, duplicates included
        self.dup_sent = 0
        self.dup_during_kill = 0
        self.done = threading.Event()
        self.error = None
        self.killed_at = self.restarted_at = None   # set by the main thread (perf_counter)
        self.finished_at = None

    def stream(self):
        """The events in order, one duplicate of an already-sent one after every `every` new."""
        for i, e in enumerate(self.events):
            yield e, False
            if (i + 1) % self.every == 0 and self.dup_sent < self.duplicates:
                self.dup_sent += 1
                yield self.events[self.rng.randrange(i + 1)], True
        while self.dup_sent < self.duplicates:  # more duplicates asked than events/every: the rest at the end
            self.dup_sent += 1
            yield self.events[self.rng.randrange(len(self.events))], True

    def run(self):
        broker = sib.Broker()
        try:
            pending = []
            for e, dup in self.stream():
                pending.append(e)
                if not dup:
                    self.sent_ids.append(e["event_id"])
                elif self.killed_at is not None and self.restarted_at is None:
                    self.dup_during_kill += 1
                if len(pending) == self.batch:
                    self._send(broker, pending)
                    pending = []
            if pending:
                self._send(broker, pending)
        except Exception as exc:  # reported by the main thread
            self.error = exc
        finally:
            self.finished_at = time.perf_counter()
            broker.close()
            self.done.set()

    def _send(self, broker, batch):
        while broker.ready(QUEUE) > self.backlog:
            time.sleep(0.05)
        broker.publish(batch, batch=len(batch))
        self.messages += len(batch)


def ledger_counts():
    ((rows, distinct, inbox, points),) = sib.sql(
        "SELECT (SELECT count(*) FROM scoring.ledger), (SELECT count(DISTINCT source_event_id) FROM scoring.ledger), "
        "(SELECT count(*) FROM scoring.inbox), (SELECT coalesce(sum(points), 0) FROM scoring.ledger)")
    return rows, distinct, inbox, points


_poll = []  # one connection for the polls, not one per poll


def ledger_rows():
    if not _poll:
        _poll.append(sib.connect())
    with _poll[0].cursor() as cur:
        cur.execute("SELECT count(*) FROM scoring.ledger")
        return cur.fetchone()[0]


def entrypoint_outcomes(port):
    """{outcome: calls} of on_service_completed from a process's /metrics."""
    import requests
    out = {}
    pattern = re.compile(r'^sbd_entrypoint_calls_total\{(.*?)\} (\S+)$')
    for line in requests.get(f"http://{HOST}:{port}/metrics", timeout=5).text.splitlines():
        m = pattern.match(line)
        if m and 'entrypoint="on_service_completed"' in m.group(1):
            outcome = re.search(r'outcome="([^"]*)"', m.group(1)).group(1)
            out[outcome] = out.get(outcome, 0) + int(float(m.group(2)))
    return out


def error_lines(paths):
    lines = []
    for path in paths:
        if path.exists():
            for line in path.read_text(errors="replace").splitlines():
                if " ERROR " in line or line.startswith("Traceback"):
                    lines.append(f"{path.name}: {line[:200]}")
    return lines


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--duplicates", type=int, default=5_000, help="already-sent events sent again, interleaved")
    ap.add_argument("--kill-at", type=float, default=0.30, help="share of the events entered when the kill comes")
    ap.add_argument("--down", type=float, default=2.0, help="seconds between the kill and the restart")
    ap.add_argument("--backlog", type=int, default=5_000, help="most messages ready in the queue while publishing")
    ap.add_argument("--timeout", type=float, default=120, help="give up after this long without progress")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind through `finally`
    in_use = [p for p in sib.PORTS if not gb.port_free(p)]
    if in_use:
        sys.exit(f"ports in use: {in_use}; is another scoring kill benchmark running?")

    n = args.events
    say(f"== scoring kill benchmark: {n} events + {args.duplicates} duplicates, 3 scoring processes, kill -9 of one "
        f"at {100 * args.kill_at:.0f}% entered, restart after {args.down:g} s; {os.cpu_count()} CPUs; "
        f"logs in {sib.LOG_DIR} ==")
    failures = []
    events = sib.make_events(n, seed=4242)
    sib.check_events(events, failures)
    say(f"setting up: vhost {sib.VHOST}, database {sib.DB_NAME}")
    sib.prepare_broker()
    sib.prepare_database(raw_table=False)
    procs, logs = [], []
    publisher = Publisher(events, args.duplicates, args.backlog)
    kill = {}
    try:
        broker = sib.Broker()
        broker.declare(QUEUE)
        broker.close()
        # three processes, and a fourth pool while the killed one's connections are being closed
        sib.wait_connections(4 * sib.SCORING_CONNECTIONS + 3, sib.WAIT_CONNECTIONS)
        started = [(sib.start_scoring(procs, f"scoring{i + 1}", port), port) for i, port in enumerate(sib.PORTS)]
        logs.extend(p.log_path for p, _ in started)
        health = sib.wait_health(started)
        say(f"  3 processes up (pids {', '.join(str(p.pid) for p, _ in started)}; /health after "
            f"{', '.join(f'{s:.1f}' for s in health.values())} s)")
        t0, t0m = time.perf_counter(), time.monotonic()
        publisher.start()
        victim, port = started[VICTIM]
        kill_at = int(args.kill_at * n)
        last, last_change = -1, time.monotonic()
        restarted = None
        while True:
            rows = ledger_rows()
            now = time.monotonic()
            if rows != last:
                last, last_change = rows, now
            if not kill and rows >= kill_at:
                os.kill(victim.pid, signal.SIGKILL)   # this process only: the pid we started
                victim.popen.wait(10)
                publisher.killed_at = time.perf_counter()
                kill.update(pid=victim.pid, rows=rows, published=publisher.messages, t=publisher.killed_at - t0,
                            depth=sib.queue_depth(QUEUE))
                say(f"  kill -9 {victim.label} (pid {victim.pid}) at {rows} entries, {kill['published']} messages "
                    f"published, {kill['t']:.1f} s in; queue (ready, unacked, consumers) {kill['depth']}")
                time.sleep(args.down)
                restarted = sib.start_scoring(procs, f"{victim.label}-restarted", port)
                logs.append(restarted.log_path)
                up = sib.wait_health([(restarted, port)])[restarted.label]
                publisher.restarted_at = time.perf_counter()
                kill.update(restart_pid=restarted.pid, restart_rows=ledger_rows(),
                            restart_t=publisher.restarted_at - t0)
                say(f"  restarted as pid {restarted.pid} after {args.down:g} s down; /health after {up:.1f} s; "
                    f"{kill['restart_rows']} entries by then")
                continue
            if publisher.done.is_set() and publisher.error:
                raise RuntimeError(f"publisher failed: {publisher.error!r}")
            if publisher.done.is_set() and now - last_change >= 3:
                # the count has not moved for 3 s: done if nothing is left in the queue (rabbitmqctl
                # is asked only now, it costs a second of CPU)
                depth = sib.queue_depth(QUEUE)
                if depth and depth[0] == 0 and depth[1] == 0:
                    break
            if now - last_change > args.timeout:
                say(f"!! no progress for {args.timeout:g} s: {rows} entries, queue {sib.queue_depth(QUEUE)}")
                break
            for p in procs:
                if p is not victim and not p.alive():
                    raise RuntimeError(f"{p.label} exited; see {p.log_path}")
            time.sleep(0.25)
        elapsed = last_change - t0m  # to the poll that saw the last entry
        outcomes = {}
        for p, prt in [(p, prt) for p, prt in started if p is not victim] + ([(restarted, port)] if restarted else []):
            for k, v in entrypoint_outcomes(prt).items():
                outcomes[k] = outcomes.get(k, 0) + v
        depth = sib.queue_depth(QUEUE)
    finally:
        gb.stop_all(procs)
        for conn in _poll:
            conn.close()

    rows, distinct, inbox, points = ledger_counts()
    in_ledger = {r[0] for r in sib.sql("SELECT source_event_id::text FROM scoring.ledger")}
    sent = set(publisher.sent_ids)
    lost = len(sent - in_ledger)
    unknown = len(in_ledger - sent)
    doubled = rows - distinct
    expected_points = sum(e["points"] for e in events if e["event_id"] in sent)
    errors = error_lines(logs)
    mismatched = sib.account_mismatches()

    say("")
    say("== results ==")
    say(f"events sent (distinct ids)            : {len(sent)}")
    say(f"messages published                    : {publisher.messages} ({publisher.dup_sent} duplicates of "
        f"already-sent ids, {publisher.dup_during_kill} of them while the victim was down)")
    if kill:
        head = f"kill -9 of {victim.label} (pid {kill['pid']})"
        say(f"{head:<38}: at {kill['rows']} entries ({kill['t']:.1f} s), "
            f"{kill['published']} messages published by then; restarted (pid {kill.get('restart_pid')}) at "
            f"{kill.get('restart_t', float('nan')):.1f} s")
    say(f"publishing took                       : {publisher.finished_at - t0:.1f} s; last entry seen "
        f"after {elapsed:.1f} s ({len(sent) / elapsed:.0f} events/s overall)")
    say(f"ledger rows                           : {rows}")
    say(f"distinct event ids in the ledger      : {distinct}")
    say(f"inbox rows                            : {inbox}")
    say(f"lost (sent ids with no entry)         : {lost}")
    say(f"doubled (rows - distinct event ids)   : {doubled}")
    say(f"unknown (entries for ids never sent)  : {unknown}")
    say(f"points: ledger {points}, sent events {expected_points}")
    if mismatched is not None:
        say(f"members whose red account's earned differs from their entries: {mismatched}")
    say(f"duplicates: {publisher.dup_sent} re-sent messages added {rows - len(sent) if rows >= len(sent) else 0} "
        f"entries (rows beyond the events sent)")
    say(f"queue afterwards (ready, unacked, consumers): {depth}")
    say(f"on_service_completed outcomes in the surviving and restarted processes' /metrics: {outcomes} "
        f"(the killed process's counts died with it)")
    if errors:
        say(f"ERROR lines in the logs ({len(errors)}), the first 10:")
        for line in errors[:10]:
            say(f"  {line}")
    else:
        say("ERROR lines in the logs: none")
    ok = bool(kill) and lost == 0 and doubled == 0 and unknown == 0 and not failures
    say(f"goal: 0 lost and 0 doubled             : {'PASS' if lost == 0 and doubled == 0 else 'FAIL'} "
        f"(lost {lost}, doubled {doubled})")
    if not kill:
        say("!! the kill never happened (too few events entered?)")
    if points != expected_points:
        say("!! the ledger's points differ from the events'")
        ok = False
    if mismatched:
        say("!! accounts credited otherwise than their entries (a doubled or lost credit)")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
