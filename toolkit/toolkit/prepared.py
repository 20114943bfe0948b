"""Statements planned once per connection (PREPARE / EXECUTE) for the hottest paths."""
import re


class Prepared:
    """A hot statement PostgreSQL parses and plans once per connection, not at every call: it is
    PREPAREd on a connection's first use and EXECUTEd after. For a report (a few inserts with
    their indexes and checks) planning cost PostgreSQL twice what executing did.

    Written like text(), with :named parameters; `types` gives the PostgreSQL type of those
    that are not `text` (PREPARE must know each one: a date, a number, a char(n) key compared
    with an index). Called with a connection and the parameters; returns the result."""

    _PARAM = re.compile(r"(?<![:\w]):(\w+)")

    def __init__(self, name, sql, **types):
        names = []

        def number(match):
            if match.group(1) not in names:
                names.append(match.group(1))
            return f"${names.index(match.group(1)) + 1}"
        body = self._PARAM.sub(number, sql)
        unknown = set(types) - set(names)
        if unknown:
            raise ValueError(f"{name}: types given for parameters it does not have: {sorted(unknown)}")
        self.name = name
        self.prepare = f"PREPARE {name} ({', '.join(types.get(n, 'text') for n in names)}) AS {body}"
        self.execute = f"EXECUTE {name} ({', '.join(f'%({n})s' for n in names)})"

    def __call__(self, conn, params):
        # per DBAPI connection (a prepared statement lives as long as its session; PREPARE is not
        # undone by a rollback); a new connection after a restart prepares again
        prepared = conn.connection.info.setdefault("prepared", set())
        if self.name not in prepared:
            conn.exec_driver_sql(self.prepare)
            prepared.add(self.name)
        return conn.exec_driver_sql(self.execute, params)
