"""Members' personal data in responses: masked for the roles that do not need it, and found (which
fields, whose) for the audit log when it is shown.

A member's record is a JSON object carrying `member_id` (or, in a list of members, `id`) beside
any of PERSONAL_FIELDS, a household's carries `household_id`; officers' work phones (a community's service center, the officer who
signed a receipt) are not members' personal data and pass unmasked. A table answer ({columns,
rows}) is read the same way, a row as a record.
"""
PERSONAL_FIELDS = ("phone", "home_address", "new_home_address", "id_number")


def mask(field, value):
    if not isinstance(value, str) or not value:
        return value
    if field == "phone":
        digits = value.replace("-", "")
        return digits[:3] + "****" + digits[-4:] if len(digits) >= 11 else value[:2] + "****" + value[-2:]
    if field == "id_number":
        return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else "****"
    # addresses: the district part is enough to see where someone lives, not where exactly
    return value[:6] + "****"


def scan(body, masked):
    """Walk a response: with `masked`, replace personal values by their masked form (in place).
    Returns (fields shown unmasked, subjects whose data was shown unmasked)."""
    found, subjects = set(), set()

    def record(node, present):
        """Whose data a record shows unmasked (masked, it shows nobody's)."""
        if masked:
            return
        found.update(present)
        if node.get("household_id") is not None:  # a household's head, not a member
            subjects.add(f"household:{node['household_id']}")
        elif (who := node.get("member_id", node.get("id"))) is not None:
            subjects.add(f"member:{who}")
        if node.get("registration_id") is not None:
            subjects.add(f"registration:{node['registration_id']}")

    def walk(node):
        if isinstance(node, dict) and isinstance(node.get("columns"), list) and isinstance(node.get("rows"), list):
            table(node["columns"], node["rows"])   # a table answer: {columns, rows}, each row a record
        if isinstance(node, dict):
            present = [f for f in PERSONAL_FIELDS if node.get(f)]
            if present:
                record(node, present)
                if masked:
                    for f in present:
                        node[f] = mask(f, node[f])
            for value in node.values():
                if isinstance(value, (dict, list)):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    def table(columns, rows):
        personal = [(i, f) for i, f in enumerate(columns) if f in PERSONAL_FIELDS]
        if not personal:
            return
        # each row read as the record it stands for, by the same rules as walk()'s
        for row in rows:
            if not isinstance(row, list):
                continue
            present = [(i, f) for i, f in personal if i < len(row) and row[i]]
            if present:
                record(dict(zip(columns, row)), [f for _, f in present])
                if masked:
                    for i, f in present:
                        row[i] = mask(f, row[i])

    walk(body)
    return sorted(found), sorted(subjects)
