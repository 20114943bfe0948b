"""The city's manifests are checked offline (deploy/k8s/validate.py), and the check fails on what it
must: a misspelled field in a built-in kind or an operator's kind, an out-of-date KEDA trigger, a
compose file out of step, a connection budget the database cannot hold."""
import pathlib
import shutil
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy" / "k8s"))
import validate  # noqa: E402


def test_every_manifest_validates_and_is_in_step():
    assert validate.problems() == []


@pytest.fixture
def copy(tmp_path):
    target = tmp_path / "k8s"
    shutil.copytree(ROOT / "deploy" / "k8s", target)
    return target


# (file, what is written, what is written instead, what the problem names)
MISSPELLINGS = [
    ("gateway.yaml", "terminationGracePeriodSeconds: 30", "terminationGracePeriodSecond: 30", "terminationGracePeriodSecond"),
    ("network.yaml", "policyTypes: [Ingress, Egress]", "policyType: [Ingress, Egress]", "policyType"),
    ("scaling.yaml", "minReplicaCount: 2 ", "minReplicaCont: 2 ", "minReplicaCont"),
    ("broker.yaml", "replicas: 3", "replica: 3", "replica"),
    ("database.yaml", "instances: 2                      #", "instance: 2                      #", "instance"),
    ("database.yaml", "poolMode: transaction", "pool_mode: transaction", "pool_mode"),
]


@pytest.mark.parametrize("name, right, wrong, named", MISSPELLINGS, ids=[m[2].split(":")[0] for m in MISSPELLINGS])
def test_a_misspelled_field_fails(copy, name, right, wrong, named):
    path = copy / name
    text = path.read_text()
    assert text.count(right) == 1
    path.write_text(text.replace(right, wrong))
    found = validate.check_schemas(validate.manifest_files(copy))
    assert found and named in "\n".join(found)


def test_an_old_style_keda_trigger_fails(copy):
    path = copy / "scaling.yaml"
    text = path.read_text()
    old = '        mode: QueueLength\n        value: "2000"\n'
    assert old in text
    path.write_text(text.replace(old, '        queueLength: "2000"\n        host: amqp://guest:guest@rabbitmq:5672/\n'))
    found = "\n".join(validate.check_scaling(validate.manifest_files(copy)))
    assert "['host', 'queueLength'] unknown to KEDA" in found and "mode None" in found


def test_a_trigger_on_a_queue_no_service_declares_fails(copy):
    path = copy / "scaling.yaml"
    path.write_text(path.read_text().replace("evt-documents-document_part_requested--documents.document_part",
                                             "evt-documents-document_part_requested--documents.document_parts"))
    assert "declared by no service" in "\n".join(validate.check_scaling(validate.manifest_files(copy)))


def test_compose_out_of_step_fails(copy, tmp_path):
    compose = tmp_path / "compose.yaml"
    text = (ROOT / "deploy" / "compose.yaml").read_text()
    compose.write_text(text.replace("SCORING_DATABASE_URL: *db", "SCORING_DB_URL: *db")
                       .replace("command: nameko run --config config.yaml feedback.service",
                                "command: nameko run --config config.yml feedback.service"))
    found = "\n".join(validate.check_compose(validate.manifest_files(copy), compose=compose))
    assert "scoring: variables only in the manifests ['SCORING_DATABASE_URL'], only in compose.yaml ['SCORING_DB_URL']" in found
    assert "feedback: command" in found


def test_a_budget_the_database_cannot_hold_fails(copy):
    path = copy / "scaling.yaml"
    path.write_text(path.read_text().replace("maxReplicaCount: 12", "maxReplicaCount: 120"))
    lines, found = validate.k8s_budget(validate.manifest_files(copy))
    assert any(line.startswith("scoring") and "120 x  22 = 2640" in line for line in lines)
    assert found and "max_client_conn" in found[0]
    path = copy / "database.yaml"
    path.write_text(path.read_text().replace('max_connections: "300"', 'max_connections: "200"'))
    assert any("max_connections 200" in p for p in validate.k8s_budget(validate.manifest_files(copy))[1])
