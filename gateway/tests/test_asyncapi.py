"""The event catalog (AsyncAPI 3.0, gateway.asyncapi) against the AsyncAPI 3.0.0 JSON schema of
npm's @asyncapi/specs (fetched from the npm registry at test time, not kept in the repo), and every
contract's example against its own schema in the catalog."""
import json
import os
import shutil
import subprocess
import tarfile

import jsonschema_rs
import pytest

from contracts.events import EXAMPLES, SCHEMAS
from gateway.asyncapi import build_catalog

SPECS = "@asyncapi/specs@6.11.1"


@pytest.fixture(scope="module")
def asyncapi_schema(tmp_path_factory):
    if not shutil.which("npm"):
        if os.environ.get("CI"):
            pytest.fail("npm is needed to fetch the AsyncAPI schema (deploy/local/common.sh ensure_node)")
        pytest.skip("npm not installed")
    where = tmp_path_factory.mktemp("asyncapi")
    subprocess.run(["npm", "pack", SPECS, "--pack-destination", str(where), "--silent"], check=True,
                   capture_output=True, timeout=180)
    with tarfile.open(next(where.glob("*.tgz"))) as packed:
        return json.load(packed.extractfile("package/schemas/3.0.0-without-$id.json"))


def problems(schema, doc):
    return [f"{'/'.join(map(str, e.instance_path))}: {e.message[:200]}"
            for e in jsonschema_rs.Draft7Validator(schema).iter_errors(doc)]


def test_the_catalog_is_a_valid_asyncapi_3_document_with_every_event(asyncapi_schema):
    doc = build_catalog()
    assert problems(asyncapi_schema, doc) == []
    assert {(s, m["name"]) for s, c in doc["channels"].items() for m in
            (doc["components"]["messages"][r["$ref"].split("/")[-1]] for r in c["messages"].values())} == set(SCHEMAS)
    assert doc["channels"]["registration"]["bindings"]["amqp"]["exchange"] == {
        "name": "registration.events", "type": "topic", "durable": True, "autoDelete": False, "vhost": "/"}


def test_a_misspelled_field_anywhere_in_the_catalog_fails(asyncapi_schema):
    doc = build_catalog()
    top = {**{k: v for k, v in doc.items() if k != "channels"}, "chanels": doc["channels"]}
    assert problems(asyncapi_schema, top)
    message = json.loads(json.dumps(doc))
    first = next(iter(message["components"]["messages"].values()))
    first["payloads"] = first.pop("payload")
    assert problems(asyncapi_schema, message)
    operation = json.loads(json.dumps(doc))
    operation["operations"]["scoring_settlement_published"]["acton"] = "send"
    assert problems(asyncapi_schema, operation)
    # (the AMQP binding's schema takes unknown keys: a misspelled binding field is not caught here)


def test_every_contract_has_an_example_and_it_fits_its_schema_in_the_catalog():
    assert set(EXAMPLES) == set(SCHEMAS)
    doc = build_catalog()
    checked = 0
    for message in doc["components"]["messages"].values():
        root = {"$ref": message["payload"]["$ref"], "components": doc["components"]}
        for example in message["examples"]:
            assert problems(root, example["payload"]) == [], message["name"]
            checked += 1
    assert checked == len(SCHEMAS)
    wrong = dict(EXAMPLES[("scoring", "settlement_published")], occurred_at=17)   # the check can fail
    ref = doc["components"]["messages"]["scoring.settlement_published"]["payload"]["$ref"]
    assert problems({"$ref": ref, "components": doc["components"]}, wrong)
