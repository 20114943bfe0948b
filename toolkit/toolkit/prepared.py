"""Statements planned once per connection (PREPARE / EXECUTE) for the hottest paths."""
import re


class Prepared:
    """A hot statement PostgreSQL parses and plans once per connection, not at every call: it is
    PREPAREd on a connection's first use and EXECUTEd after. For a report (a few inserts with
    their indexes and checks) planning cost PostgreSQL twice what executing did.

    Written with :named parameters (not inside quotes or comments: `::` casts are left alone);
    `types` gives the PostgreSQL type of those that are not `text` (PREPARE must know each one:
    a date, a number, a char(n) key compared with an index). Called with a connection and the
    parameters; returns the result. Each name stands for one statement in the whole process."""

    # a quoted literal, a quoted identifier or a comment (kept as is), or a :name
    _TOKEN = re.compile(r"""('(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|/\*.*?\*/)|(?<![:\w]):(\w+)""", re.S)
    _names = {}

    def __init__(self, name, sql, **types):
        if Prepared._names.setdefault(name, sql) != sql:
            raise ValueError(f"another statement is prepared as {name}")
        names = []

        def number(match):
            if match.group(1):
                return match.group(1)
            if match.group(2) not in names:
                names.append(match.group(2))
            return f"${names.index(match.group(2)) + 1}"
        body = self._TOKEN.sub(number, sql)
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
            # on the driver's cursor, without parameters: a % in the statement stays a %
            conn.connection.dbapi_connection.cursor().execute(self.prepare)
            prepared.add(self.name)
        return conn.exec_driver_sql(self.execute, params)
