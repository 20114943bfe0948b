"""Concurrent redemptions at the supermarket (I3, §3.6.3) against three scoring processes.

    .venv/bin/python bench/redemption_bench.py                 # 20 rounds of 20 concurrent redemptions
    .venv/bin/python bench/redemption_bench.py --rounds 5 --concurrent 50

Issue figure: "20 concurrent redemptions against a balance that pays for 3: exactly 3 succeed."

Isolation: PostgreSQL database `bench_redeem` (schema `scoring` dropped and migrated), RabbitMQ
vhost `sbd_bench_redeem` (recreated), web ports 18711-18713, logs in /tmp/redemption_bench. The
process and database helpers are scoring_intake_bench.py's, pointed at these.

What it does: starts three `nameko run scoring.service` processes (competing consumers of one
RPC queue: the 20 requests land on all three). Each round gives a fresh member 100 points (five
一事一记 merit entries of 20, through the service as a community's staff) and puts goods priced 30
points on the shelf, then fires --concurrent redemptions of one item at once, each from its own
thread and its own RPC connection, as the member. Exactly 3 must succeed (3 × 30 <= 100 < 4 × 30);
the rest must be refused `balance_insufficient`; the balance must end at 10 and the stock 3 down.
A second check per round: goods with a stock of 2 and a member rich enough for all of them: exactly
2 of the concurrent requests succeed, the rest are refused `out_of_stock`. Exit status 1 if any
round is off.
"""
import argparse
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scoring_intake_bench as sib  # noqa: E402

sib.DB_NAME, sib.VHOST, sib.PORTS = "bench_redeem", "sbd_bench_redeem", [18711, 18712, 18713]
sib.LOG_DIR = Path("/tmp/redemption_bench")
sib.point_gb_here()
say = sib.say
COMMUNITY = "410106001001"


def caller(account_id, username, role, scope):
    """Signed at each call of the proxy (a signature lives for seconds: contracts.access)."""
    from contracts.access import Caller
    from toolkit.caller import SignedAtEachCall
    return SignedAtEachCall(Caller(account_id, username, role, scope))


STAFF = caller(1, "bench.staff", "community_staff", COMMUNITY)


def rpc(context):
    from nameko.standalone.rpc import ClusterRpcProxy
    return ClusterRpcProxy({"AMQP_URI": sib.amqp_uri()}, context_data=context, timeout=60)


def fund(member_id, points):
    with rpc(STAFF) as p:
        for _ in range(points // 20):
            p.scoring.record_merit({"community_code": COMMUNITY, "member_id": member_id, "category": "见义勇为",
                                    "reason": "压力测试：一事一记加分", "points": 20,
                                    "occurred_on": time.strftime("%Y-%m-%d")})


def shelf(price, stock):
    with rpc(STAFF) as p:
        return p.scoring.add_goods({"community_code": COMMUNITY, "name": f"兑换品{time.time_ns() % 10**8}",
                                    "kind": "goods", "price_points": price, "stock": stock})["id"]


def burst(member_id, goods_id, n):
    """n redemptions at once, each on its own connection; their outcomes."""
    from contracts import errors
    import toolkit.errors  # noqa: F401  (registers the typed remote errors: a refusal comes back as itself)
    proxies = [rpc(caller(1000 + member_id, f"m{member_id}", "member", str(member_id))) for _ in range(n)]
    started = [p.start() for p in proxies]  # connections open before the gate
    gate, outcomes = threading.Event(), [None] * n

    def one(i):
        gate.wait()
        try:
            outcomes[i] = ("ok", started[i].scoring.redeem(member_id, {"goods_id": goods_id})["id"])
        except errors.DomainError as refused:
            outcomes[i] = ("refused", refused.code)
        except Exception as exc:  # noqa: BLE001 - reported, counts as a failure
            outcomes[i] = ("error", repr(exc))
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    t0 = time.perf_counter()
    gate.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    for p in proxies:
        p.stop()
    return outcomes, elapsed


def state(member_id, goods_id):
    (balance,), = sib.sql("SELECT earned - spent FROM scoring.accounts WHERE holder_kind = 'member' "
                          "AND holder_id = %s", (member_id,))
    (stock,), = sib.sql("SELECT stock FROM scoring.goods WHERE id = %s", (goods_id,))
    return balance, stock


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--concurrent", type=int, default=20)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)
    sib.prepare_database(raw_table=False)
    sib.prepare_broker()
    procs, failures = [], []
    try:
        for i, port in enumerate(sib.PORTS):
            sib.start_scoring(procs, f"scoring{i + 1}", port)
        sib.wait_health(list(zip(procs, sib.PORTS)))
        say(f"3 scoring processes up; {args.rounds} rounds of {args.concurrent} concurrent redemptions")
        for r in range(args.rounds):
            member = 50_000 + r
            fund(member, 100)
            goods = shelf(30, 50)
            outcomes, elapsed = burst(member, goods, args.concurrent)
            ok = sum(1 for kind, _ in outcomes if kind == "ok")
            refused = sorted({code for kind, code in outcomes if kind == "refused"})
            errors_ = [code for kind, code in outcomes if kind == "error"]
            balance, stock = state(member, goods)
            rich, scarce = 60_000 + r, shelf(1, 2)
            fund(rich, 100)
            outcomes2, _ = burst(rich, scarce, args.concurrent)
            ok2 = sum(1 for kind, _ in outcomes2 if kind == "ok")
            _, stock2 = state(rich, scarce)
            line = (f"round {r + 1:2d}: balance for 3 -> {ok} succeeded, refused {refused}, balance {balance}, "
                    f"stock 50->{stock} ({elapsed * 1000:.0f} ms); stock of 2 -> {ok2} succeeded, stock {stock2}")
            print(line)
            if r == 0 and args.verbose:
                print(outcomes)
            if ok != 3 or balance != 10 or stock != 47 or errors_ or refused != ["balance_insufficient"] \
                    or ok2 != 2 or stock2 != 0:
                failures.append(line + (f" errors: {errors_}" if errors_ else ""))
        by_process = [p.log_path for p in procs]
        print(f"\n{args.rounds} rounds x {args.concurrent} concurrent redemptions over 3 processes: "
              f"{args.rounds - len(failures)} exactly right, {len(failures)} wrong (logs: {by_process[0].parent})")
    finally:
        for p in procs:
            p.stop()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
