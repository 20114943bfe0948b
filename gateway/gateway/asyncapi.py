"""The event catalog: an AsyncAPI 3.0 document generated from the contracts (contracts.events), for
the city systems that subscribe. One channel per service exchange (`<service>.events`, topic,
durable), one message per event type with its JSON schema (apispec's MarshmallowPlugin, as the
OpenAPI document's) and its example; the routing key is the event type. Served by the gateway at
/asyncapi.json; examples/subscriber.py is the subscriber to copy."""
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import fields

from contracts.events import EXAMPLES, SCHEMAS

SERVICES = ("registration", "volunteering", "scoring", "feedback", "documents")


def _schemas():
    """name -> JSON schema of every event contract, with their nested schemas, refs inside
    #/components/schemas (the same place in AsyncAPI as in OpenAPI)."""
    plugin = MarshmallowPlugin()
    spec = APISpec(title="events", version="1", openapi_version="3.0.3", plugins=[plugin])
    plugin.converter.add_attribute_function(_decimal_as_written)
    for schema in sorted({s for s in SCHEMAS.values()}, key=lambda s: s.__name__):
        spec.components.schema(schema.__name__, schema=schema)
    return _json_schema(spec.to_dict()["components"]["schemas"])


def _decimal_as_written(self, field, **kwargs):
    """Points travel as strings ("27.5", exact decimals): say so, not `number` as apispec would."""
    if isinstance(field, fields.Decimal) and field.as_string:
        return {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "format": "decimal"}
    return {}


def _json_schema(node):
    """OpenAPI 3.0's `nullable` written as JSON Schema's null type (AsyncAPI's schemas are JSON
    Schema draft 07, which has no `nullable`)."""
    if isinstance(node, dict):
        node = {k: _json_schema(v) for k, v in node.items()}
        if node.pop("nullable", False) and "type" in node:
            node["type"] = [node["type"], "null"] if isinstance(node["type"], str) else [*node["type"], "null"]
        return node
    if isinstance(node, list):
        return [_json_schema(v) for v in node]
    return node


def _message_key(service, event_type):
    return f"{service}.{event_type}"


def build_catalog(version="1.0.0", broker="rabbitmq:5672"):
    channels, operations, messages = {}, {}, {}
    for service in SERVICES:
        events = sorted(e for s, e in SCHEMAS if s == service)
        address = f"{service}.events"
        channels[service] = {
            "address": address,
            "title": f"{service} 的事件",
            "description": f"The topic exchange `{address}`: bind a durable queue of your own with the event types "
                           "you want as routing keys.",
            "messages": {event: {"$ref": f"#/components/messages/{_message_key(service, event)}"} for event in events},
            "bindings": {"amqp": {"is": "routingKey", "exchange": {"name": address, "type": "topic", "durable": True,
                                                                   "autoDelete": False, "vhost": "/"},
                                  "bindingVersion": "0.3.0"}},
        }
        for event in events:
            key = _message_key(service, event)
            schema = SCHEMAS[(service, event)]
            messages[key] = {
                "name": event,
                "title": event,
                "summary": (schema.__doc__ or event).strip().split("\n")[0],
                "contentType": "application/json",
                "payload": {"$ref": f"#/components/schemas/{schema.__name__}"},
                "bindings": {"amqp": {"contentEncoding": "utf-8", "messageType": event, "bindingVersion": "0.3.0"}},
                **({"examples": [{"name": event, "payload": EXAMPLES[(service, event)]}]}
                   if (service, event) in EXAMPLES else {}),
            }
            operations[f"{service}_{event}"] = {
                "action": "send",
                "channel": {"$ref": f"#/channels/{service}"},
                "messages": [{"$ref": f"#/channels/{service}/messages/{event}"}],
                "summary": f"{service} publishes {event} with routing key {event}",
                "bindings": {"amqp": {"cc": [event], "deliveryMode": 2, "bindingVersion": "0.3.0"}},
            }
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "双报到 平台事件目录", "version": version,
                 "description": "Every event of the platform: at-least-once (deduplicate on `event_id`), JSON bodies, "
                                "the envelope's `event_id`, `event_type`, `occurred_at` (+08:00) and the district, street "
                                "and community codes on each. Producers add fields, never remove them."},
        "defaultContentType": "application/json",
        "servers": {"broker": {"host": broker, "protocol": "amqp", "protocolVersion": "0.9.1",
                               "description": "The city's RabbitMQ (its address and vhost from the platform's operators)"}},
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": _schemas()},
    }
