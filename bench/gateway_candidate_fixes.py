"""Candidate fixes proposed by the gateway benchmark, as patches applied at import: measured by
`gateway_bench.py --fixes ...`, NOT applied to the services. Each is a prototype of a change
the report proposes for the real code; the services' files stay as they are.

    GATEWAY_BENCH_FIXES=sql,conn,schema,transient   (any subset; set by gateway_bench.py)
    (cd services/registration && PYTHONPATH=../../bench nameko run --config config.yaml gateway_candidate_fixes:RegistrationService)
    (cd gateway && PYTHONPATH=../bench nameko run --config config.yaml gateway_candidate_fixes:GatewayService)

sql        report_member with cacheable statements: sqlalchemy.dialects.postgresql.insert() has
           inherit_cache = False, so every statement built with it is compiled again on every
           call ("[no key]" in the engine log); 3 of report_member's statements are. Here the two
           upserts are text() (cached by their SQL) and the plain INSERT is sqlalchemy.insert().
conn       the unit of work on a Core Connection instead of an ORM Session (the handlers only
           use execute() and begin_nested(), which a Connection has), and no pool_pre_ping
           (a "SELECT 1" round trip on every checkout, i.e. on every request).
schema     one marshmallow schema instance per class instead of one per call (Schema() copies
           all its declared fields; a schema without per-call options can be reused).
transient  the gateway's RPC requests as transient messages: RabbitMQ then never writes them to
           disk before confirming (an RPC request whose caller gives up after 15 s has no use
           for durability).
fewer      (implies sql) 3 round trips fewer in report_member: the community and the unit are
           checked in one query, and the registration is inserted with ON CONFLICT DO NOTHING on
           the one-active-registration index instead of inside SAVEPOINT ... RELEASE.
relay      the outbox relay woken at most every 50 ms instead of after every commit, so it
           publishes batches instead of one event per transaction of its own.
pool       a connection pool as large as the service's max_workers (+ the relay): with the default
           pool_size=10 and 20 workers, every connection returned while 10 are idle is closed
           and the next one is a new PostgreSQL backend (fork, authentication, cold caches).
reply      the service's RPC replies published without waiting for the broker's confirm (a lost
           reply surfaces as the gateway's RPC timeout, i.e. a 503, not as lost data: the
           registration is committed before the reply is sent either way).
"""
import os
from contextlib import contextmanager

FIXES = {f.strip() for f in os.environ.get("GATEWAY_BENCH_FIXES", "").split(",") if f.strip()}
KNOWN = {"sql", "conn", "schema", "transient", "fewer", "relay", "reply", "pool"}
if FIXES - KNOWN:
    raise SystemExit(f"unknown GATEWAY_BENCH_FIXES {sorted(FIXES - KNOWN)}; known: {sorted(KNOWN)}")

from sqlalchemy import insert as core_insert, select, text  # noqa: E402

import toolkit.validation  # noqa: E402
from toolkit import db as toolkit_db  # noqa: E402
from gateway import service as gateway_service  # noqa: E402
from registration import handlers, service as registration_service  # noqa: E402
from registration.models import communities, member_registrations as regs  # noqa: E402

GatewayService = gateway_service.GatewayService
RegistrationService = registration_service.RegistrationService


# --- sql: cacheable statements in report_member ------------------------------------------------

UPSERT_MEMBER = text("""
    INSERT INTO registration.members (id_number, name, gender, birth_date, party_join_date, education,
                                      unit_id, position, phone, home_address)
    VALUES (:id_number, :name, :gender, :birth_date, :party_join_date, :education,
            :unit_id, :position, :phone, :home_address)
    ON CONFLICT (id_number) DO UPDATE SET
        name = EXCLUDED.name, gender = EXCLUDED.gender, birth_date = EXCLUDED.birth_date,
        party_join_date = EXCLUDED.party_join_date, education = EXCLUDED.education,
        unit_id = EXCLUDED.unit_id, position = EXCLUDED.position, phone = EXCLUDED.phone,
        home_address = EXCLUDED.home_address, updated_at = :updated_at
    RETURNING id""")

NEXT_SEQ = text("""
    INSERT INTO registration.certificate_counters (community_code, year, last_seq) VALUES (:code, :year, :n)
    ON CONFLICT (community_code, year) DO UPDATE
    SET last_seq = registration.certificate_counters.last_seq + EXCLUDED.last_seq
    RETURNING last_seq""")


def next_certificate_seqs(session, community_code, year, n=1):
    last = session.execute(NEXT_SEQ, {"code": community_code, "year": year, "n": n}).scalar_one()
    return range(last - n + 1, last + 1)


def report_member(uow, req, source="form"):
    """registration.handlers.report_member, statement for statement, with the three uncached
    ones replaced (members upsert, certificate counter, registration insert)."""
    h = handlers
    s = uow.session
    community = h.community_scope(s, req["community_code"])
    scope = h._scope(community)
    h._unit_or_invalid(s, req["unit_id"])
    reported_at = h.now()
    year = reported_at.year
    current = {k: req[k] for k in h.MEMBER_FIELDS}
    member_id = s.execute(UPSERT_MEMBER, {**current, "id_number": req["id_number"].upper(),
                                          "updated_at": reported_at}).scalar_one()
    active = s.execute(
        select(regs.c.certificate_no, communities.c.name)
        .join(communities, communities.c.code == regs.c.community_code)
        .where(regs.c.member_id == member_id, regs.c.year == year, regs.c.status.in_(h.ACTIVE))).first()
    if active is not None:
        raise h._already_reported(year, active)
    seq = next_certificate_seqs(s, scope["community_code"], year)[0]
    cert = h.domain.certificate_no(year, scope["community_code"], seq)
    late = h.domain.is_late(reported_at, year)
    values = {k: req[k] for k in h.CERTIFICATE_FIELDS}
    reg_id = h._insert_unique(
        s, core_insert(regs).values(certificate_no=cert, member_id=member_id, year=year, status="submitted",
                                    late=late, source=source, reported_at=reported_at, **values, **scope)
        .returning(regs.c.id),
        h._already_reported(year, None)).scalar_one()
    h._close_transfer(s, member_id, reg_id)
    uow.emit("member_reported", scope, registration_id=reg_id, certificate_no=cert, member_id=member_id,
             unit_id=req["unit_id"], year=year, late=late, community_choice=req["community_choice"],
             skills=req["skills"], service_intentions=req["service_intentions"], source=source)
    return {"registration_id": reg_id, "certificate_no": cert, "member_id": member_id, "year": year,
            "status": "submitted", "late": late, "community_name": community["name"], **scope}


# --- fewer: 3 round trips fewer ------------------------------------------------------------------

SCOPE_AND_UNIT = text("""
    SELECT c.code, c.name, c.street_code, c.district_code, c.service_center_phone, u.id AS unit_id
    FROM registration.communities c LEFT JOIN registration.units u ON u.id = :unit_id
    WHERE c.code = :code""")

REG_COLUMNS = ("certificate_no", "member_id", "year", "status", "late", "source", "reported_at",
               "district_code", "street_code", "community_code") + handlers.CERTIFICATE_FIELDS
INSERT_REGISTRATION = text(
    f"INSERT INTO registration.member_registrations ({', '.join(REG_COLUMNS)}) "
    f"VALUES ({', '.join(':' + c for c in REG_COLUMNS)}) "
    "ON CONFLICT (member_id, year) WHERE status IN ('submitted', 'unit_approved', 'accepted') DO NOTHING "
    "RETURNING id")


def report_member_fewer(uow, req, source="form"):
    h = handlers
    s = uow.session
    row = s.execute(SCOPE_AND_UNIT, {"code": req["community_code"], "unit_id": req["unit_id"]}).mappings().first()
    if row is None:
        h.community_scope(s, req["community_code"])  # raises the handlers' own error
    if row["unit_id"] is None:
        h._unit_or_invalid(s, req["unit_id"])  # raises the handlers' own error
    community = row
    scope = h._scope(community)
    reported_at = h.now()
    year = reported_at.year
    current = {k: req[k] for k in h.MEMBER_FIELDS}
    member_id = s.execute(UPSERT_MEMBER, {**current, "id_number": req["id_number"].upper(),
                                          "updated_at": reported_at}).scalar_one()
    active = s.execute(
        select(regs.c.certificate_no, communities.c.name)
        .join(communities, communities.c.code == regs.c.community_code)
        .where(regs.c.member_id == member_id, regs.c.year == year, regs.c.status.in_(h.ACTIVE))).first()
    if active is not None:
        raise h._already_reported(year, active)
    seq = next_certificate_seqs(s, scope["community_code"], year)[0]
    cert = h.domain.certificate_no(year, scope["community_code"], seq)
    late = h.domain.is_late(reported_at, year)
    values = {k: req[k] for k in h.CERTIFICATE_FIELDS}
    reg_id = s.execute(INSERT_REGISTRATION, dict(
        certificate_no=cert, member_id=member_id, year=year, status="submitted", late=late, source=source,
        reported_at=reported_at, **values, **scope)).scalar()
    if reg_id is None:  # a concurrent report of the same member won the unique index
        raise h._already_reported(year, None)
    h._close_transfer(s, member_id, reg_id)
    uow.emit("member_reported", scope, registration_id=reg_id, certificate_no=cert, member_id=member_id,
             unit_id=req["unit_id"], year=year, late=late, community_choice=req["community_choice"],
             skills=req["skills"], service_intentions=req["service_intentions"], source=source)
    return {"registration_id": reg_id, "certificate_no": cert, "member_id": member_id, "year": year,
            "status": "submitted", "late": late, "community_name": community["name"], **scope}


# the service calls handlers.report_member at call time, so replacing the attribute is enough
if "fewer" in FIXES:
    handlers.report_member = report_member_fewer
elif "sql" in FIXES:
    handlers.report_member = report_member


# --- conn: a Core Connection per unit of work, no pre-ping -------------------------------------

@contextmanager
def unit_of_work(self):
    with self.engine.connect() as conn:
        tx = conn.begin()
        uow = toolkit_db.UnitOfWork(conn, self.outbox)
        try:
            yield uow
            tx.commit()
        except BaseException:
            tx.rollback()
            raise
    if uow.events and self.relay_loop is not None:
        self.relay_loop.notify()


def setup(self):
    """toolkit.db.Database.setup with the engine options of the `conn` and `pool` fixes."""
    config = self.container.config
    relay = self.relay and str(config.get("OUTBOX_RELAY", "on")).lower() not in ("off", "false", "0")
    options = {}
    if "conn" in FIXES:
        options["pool_pre_ping"] = False
    if "pool" in FIXES:
        # one connection per worker, one for the relay, one for the import timer; never closed on return
        options.update(pool_size=int(config.get("max_workers", 10)) + 2, max_overflow=10)
    self.store = toolkit_db.Store(self.container.service_name, self.metadata, url=config.get("DATABASE_URL"),
                                  amqp=config.get("AMQP_URI"), relay=relay, **options)


if "conn" in FIXES:
    toolkit_db.Store.unit_of_work = unit_of_work
if FIXES & {"conn", "pool"}:
    toolkit_db.Database.setup = setup


# --- schema: reuse schema instances -------------------------------------------------------------

_original_load = toolkit.validation.load
_schemas = {}


def load(schema_cls, data, **kwargs):
    if kwargs or not isinstance(data, dict):
        return _original_load(schema_cls, data, **kwargs)
    schema = _schemas.get(schema_cls)
    if schema is None:
        schema = _schemas[schema_cls] = schema_cls()
    try:
        return schema.load(data)
    except toolkit.validation.ValidationError as exc:
        raise toolkit.validation.ValidationFailed(fields=toolkit.validation.field_errors(exc.messages)) from None


if "schema" in FIXES:
    # each module imported `load` by name, so each name is replaced
    toolkit.validation.load = gateway_service.load = registration_service.load = load


# --- transient: RPC requests not persisted by RabbitMQ -----------------------------------------

if "transient" in FIXES:
    from nameko.rpc import RpcProxy
    GatewayService.registration = RpcProxy("registration", expiration=gateway_service.RPC_TIMEOUT, delivery_mode=1)


# --- relay: coalesce wake-ups -------------------------------------------------------------------

RELAY_COALESCE = 0.05


def notify(self):
    """Wake the relay once, 50 ms after the first commit since it last ran; commits in between
    ride along in the same batch. (threading.Timer is a green thread under nameko's eventlet.)"""
    if getattr(self, "_armed", False):
        return
    self._armed = True

    def fire():
        self._armed = False
        self.wake.set()
    import threading
    timer = threading.Timer(RELAY_COALESCE, fire)
    timer.daemon = True
    timer.start()


if "relay" in FIXES:
    from toolkit.outbox import RelayLoop
    RelayLoop.notify = notify


# --- reply: RPC replies without publisher confirms ----------------------------------------------

if "reply" in FIXES:
    from nameko import rpc as nameko_rpc
    from nameko.amqp.publish import Publisher

    class UnconfirmedPublisher(Publisher):
        use_confirms = False

    nameko_rpc.Responder.publisher_cls = UnconfirmedPublisher
