"""The envelope every event carries (contracts.events.Envelope)."""
import uuid

from .config import now

SCOPE_KEYS = ("district_code", "street_code", "community_code")


def envelope(event_type, scope, payload):
    """A complete event: a fresh id, the time in Asia/Shanghai, the scope codes, the payload."""
    event = {"event_id": str(uuid.uuid4()), "event_type": event_type,
             "occurred_at": now().isoformat()}
    for key in SCOPE_KEYS:
        event[key] = scope.get(key)
    event.update(payload)
    return event
