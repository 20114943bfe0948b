"""Checks the city's manifests offline, as CI does, before anyone applies them:

    python deploy/k8s/validate.py            # exit 1 and one line per problem
    python deploy/k8s/validate.py --budget   # the PostgreSQL connections, process by process

- the built-in kinds with `kubernetes-validate --strict` (an unknown field is an error, not
  silently dropped by the API server);
- the operators' kinds (KEDA, RabbitMQ, CloudNativePG) with `check-jsonschema` against the strict
  schemas in deploy/k8s/schemas/ (made from the operators' CRDs by crd2schema.py); a kind with no
  schema there is an error;
- what neither schema can know: KEDA's rabbitmq triggers (their metadata is a free map), that the
  queues they watch are queues the services declare, that every manifest is in kustomization.yaml,
  that deploy/compose.yaml runs the same processes with the same variables, and that the
  connections every process may open fit the pooler and the database.
"""
import json
import pathlib
import re
import shlex
import subprocess
import sys
import tempfile
import warnings

import yaml

warnings.simplefilter("ignore", DeprecationWarning)   # eventlet's, when the budget imports the toolkit

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SCHEMAS = HERE / "schemas"
BIN = pathlib.Path(sys.executable).parent
BUILTIN_GROUPS = {"v1", "apps/v1", "batch/v1", "policy/v1", "networking.k8s.io/v1", "autoscaling/v2"}
# KEDA's rabbitmq scaler reads these from a trigger's metadata (pkg/scalers/rabbitmq_scaler.go);
# `queueLength` is the old spelling, `host` belongs in a TriggerAuthentication
# the demo city is loaded on one host only, never in a city's cluster
COMPOSE_ONLY = {"SBD_DEMO"}
RABBITMQ_TRIGGER_KEYS = {"queueName", "mode", "value", "activationValue", "protocol", "vhostName", "useRegex",
                         "excludeUnacknowledged", "pageSize", "operation", "timeout", "unsafeSsl"}


def manifest_files(root=HERE):
    return sorted(p for p in root.glob("*.yaml") if p.name != "kustomization.yaml")


def documents(paths):
    """(path, document) of every non-empty YAML document."""
    for path in paths:
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                yield path, doc


def schema_for(doc):
    group_version = doc.get("apiVersion", "")
    group, _, version = group_version.rpartition("/")
    return SCHEMAS / f"{doc.get('kind', '').lower()}-{group}-{version}.json"


def _run(args):
    done = subprocess.run(args, capture_output=True, text=True)
    return done.returncode, (done.stdout + done.stderr).strip()


def check_schemas(paths):
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        builtin, custom = [], {}
        for n, (path, doc) in enumerate(documents(paths)):
            name = f"{path.stem}-{n}-{doc.get('kind')}-{(doc.get('metadata') or {}).get('name')}.json"
            target = pathlib.Path(tmp) / name
            target.write_text(json.dumps(doc))
            if doc.get("apiVersion") in BUILTIN_GROUPS:
                builtin.append(str(target))
            elif schema_for(doc).exists():
                custom.setdefault(schema_for(doc), []).append(str(target))
            else:
                problems.append(f"{path.name}: {doc.get('kind')} {doc.get('apiVersion')}: no schema in "
                                f"deploy/k8s/schemas (add the operator's CRD with crd2schema.py)")
        if builtin:
            code, out = _run([str(BIN / "kubernetes-validate"), "--strict", "--quiet", *builtin])
            if code:
                problems.append(out)
        for schema, files in custom.items():
            code, out = _run([str(BIN / "check-jsonschema"), "--schemafile", str(schema), *files])
            if code:
                problems.append(out)
    return problems


def declared_queues():
    """The queue names the services' consumers declare, read from their source: nameko's
    evt-<source>-<event>--<service>.<method> and toolkit.batches' batch-<source>-<event>--<service>."""
    queues = set()
    for source in ROOT.glob("services/*/*/service.py"):
        service = source.parent.name
        text = source.read_text()
        for src, event, method in re.findall(r'@event_handler\("(\w+)", "(\w+)"[^)]*\)\s*\n\s*def (\w+)', text):
            queues.add(f"evt-{src}-{event}--{service}.{method}")
        for src, event in re.findall(r'BatchConsumer\("(\w+)", "(\w+)"', text):
            queues.add(f"batch-{src}-{event}--{service}")
    return queues


def check_scaling(paths):
    problems, docs = [], [doc for _, doc in documents(paths)]
    auths = {d["metadata"]["name"] for d in docs if d.get("kind") == "TriggerAuthentication"}
    deployments = {d["metadata"]["name"] for d in docs if d.get("kind") == "Deployment"}
    queues = declared_queues()
    for doc in (d for d in docs if d.get("kind") == "ScaledObject"):
        name = doc["metadata"]["name"]
        if doc["spec"]["scaleTargetRef"]["name"] not in deployments:
            problems.append(f"ScaledObject {name}: scales {doc['spec']['scaleTargetRef']['name']}, no such Deployment")
        for trigger in doc["spec"]["triggers"]:
            meta = trigger.get("metadata", {})
            if trigger["type"] != "rabbitmq":
                continue
            unknown = set(meta) - RABBITMQ_TRIGGER_KEYS
            if unknown:
                problems.append(f"ScaledObject {name}: rabbitmq trigger metadata {sorted(unknown)} unknown to KEDA "
                                f"(the host comes from a TriggerAuthentication; queueLength is now mode + value)")
            if meta.get("mode") != "QueueLength":
                problems.append(f"ScaledObject {name}: mode {meta.get('mode')!r}, the platform scales on QueueLength")
            if (trigger.get("authenticationRef") or {}).get("name") not in auths:
                problems.append(f"ScaledObject {name}: authenticationRef names no TriggerAuthentication")
            if meta.get("queueName") not in queues:
                problems.append(f"ScaledObject {name}: queue {meta.get('queueName')} is declared by no service")
    return problems


def check_kustomization(root=HERE):
    listed = set(yaml.safe_load((root / "kustomization.yaml").read_text())["resources"])
    present = {p.name for p in manifest_files(root)}
    return [f"kustomization.yaml: {name} is not listed" for name in sorted(present - listed)] + \
           [f"kustomization.yaml: {name} does not exist" for name in sorted(listed - present)]


def _k8s_processes(paths):
    """Deployment or Job name -> (command, variable names), the ConfigMap's keys included."""
    docs = [doc for _, doc in documents(paths)]
    config = set().union(*[d.get("data", {}) for d in docs if d.get("kind") == "ConfigMap"])
    out = {}
    for doc in docs:
        if doc.get("kind") not in ("Deployment", "Job"):
            continue
        container = doc["spec"]["template"]["spec"]["containers"][0]
        names = {e["name"] for e in container.get("env", [])}
        if any("configMapRef" in e for e in container.get("envFrom", [])):
            names |= config
        name = "migrate" if doc["kind"] == "Job" else doc["metadata"]["name"]
        out[name] = (container["command"], names)
    return out


def _compose_processes(path):
    compose = yaml.safe_load(path.read_text())
    out = {}
    for name, service in compose["services"].items():
        if (service.get("build") or {}).get("context") != "..":
            continue  # not the platform's image: the engines (postgres, rabbitmq, pgbouncer)
        command = service.get("command")
        variables = set(service.get("environment", {})) - COMPOSE_ONLY
        out[name] = (shlex.split(command) if isinstance(command, str) else command, variables)
    return out


def check_compose(paths, compose=ROOT / "deploy" / "compose.yaml"):
    k8s, local = _k8s_processes(paths), _compose_processes(compose)
    problems = [f"compose.yaml has no {n} (the manifests run it)" for n in sorted(set(k8s) - set(local))]
    problems += [f"the manifests have no {n} (compose.yaml runs it)" for n in sorted(set(local) - set(k8s))]
    for name in sorted(set(k8s) & set(local)):
        (k_cmd, k_vars), (c_cmd, c_vars) = k8s[name], local[name]
        if name != "migrate" and k_cmd != c_cmd:
            problems.append(f"{name}: command {k_cmd} in the manifests, {c_cmd} in compose.yaml")
        if k_vars != c_vars:
            problems.append(f"{name}: variables only in the manifests {sorted(k_vars - c_vars)}, "
                            f"only in compose.yaml {sorted(c_vars - k_vars)}")
    return problems


# PostgreSQL connections kept outside the pooler: superuser_reserved_connections (3), the
# operator's and the standby's, a migration, a DBA's psql
OUTSIDE_POOLER = 12


def _budget(processes, pooler, max_connections):
    """processes: (name, replicas, workers, one_statement). Returns (table lines, problems)."""
    from toolkit.db import pool_limit
    lines, clients = [], 0
    for name, replicas, workers, one_statement in processes:
        each = pool_limit(workers, one_statement)
        clients += replicas * each
        why = f"{workers} workers + {pool_limit(workers) - workers} relay/spare" + (
            f", + {workers} autocommit" if one_statement else "")
        lines.append(f"{name:<13} {replicas:>3} x {each:>3} = {replicas * each:>4}   ({why})")
    server = pooler["instances"] * pooler["pairs"] * pooler["default_pool_size"]
    lines += [f"{'clients':<13} {clients:>17}   to the pooler, max_client_conn {pooler['max_client_conn']} per instance",
              f"{'server':<13} {server:>17}   {pooler['instances']} pooler(s) x {pooler['pairs']} (user, database) "
              f"x default_pool_size {pooler['default_pool_size']}",
              f"{'database':<13} {server + OUTSIDE_POOLER:>17}   + {OUTSIDE_POOLER} outside the pooler, "
              f"of max_connections {max_connections}"]
    found = []
    if clients > pooler["max_client_conn"]:
        found.append(f"{clients} client connections at the largest scale exceed the pooler's max_client_conn "
                     f"{pooler['max_client_conn']}")
    if server + OUTSIDE_POOLER > max_connections:
        found.append(f"the pooler may open {server} server connections (+{OUTSIDE_POOLER}): more than "
                     f"max_connections {max_connections}")
    return lines, found


def k8s_budget(paths):
    docs = [doc for _, doc in documents(paths)]
    config = {k: v for d in docs if d.get("kind") == "ConfigMap" for k, v in d["data"].items()}
    most = {}
    for d in docs:
        if d.get("kind") == "Deployment" and "replicas" in d["spec"]:
            most[d["metadata"]["name"]] = d["spec"]["replicas"]
        elif d.get("kind") == "HorizontalPodAutoscaler":
            most[d["spec"]["scaleTargetRef"]["name"]] = d["spec"]["maxReplicas"]
        elif d.get("kind") == "ScaledObject":
            most[d["spec"]["scaleTargetRef"]["name"]] = d["spec"]["maxReplicaCount"]
    processes = [(name, most[name], int(config[f"{name.upper()}_MAX_WORKERS"]), name == "registration")
                 for name in sorted(d["metadata"]["name"] for d in docs if d.get("kind") == "Deployment")]
    pooler = next(d for d in docs if d.get("kind") == "Pooler")
    cluster = next(d for d in docs if d.get("kind") == "Cluster")
    params = pooler["spec"]["pgbouncer"]["parameters"]
    return _budget(processes, {"instances": pooler["spec"]["instances"], "pairs": 2,
                               "max_client_conn": int(params["max_client_conn"]),
                               "default_pool_size": int(params["default_pool_size"])},
                   int(cluster["spec"]["postgresql"]["parameters"]["max_connections"]))


def compose_budget(compose=ROOT / "deploy" / "compose.yaml", ini=ROOT / "deploy" / "pgbouncer" / "pgbouncer.ini"):
    import configparser
    services = yaml.safe_load(compose.read_text())["services"]
    config = services["gateway"]["environment"]
    processes = [(name, (s.get("deploy") or {}).get("replicas", 1), int(config[f"{name.upper()}_MAX_WORKERS"]),
                  name == "registration")
                 for name, s in sorted(services.items())
                 if (s.get("build") or {}).get("context") == ".." and name != "migrate"]
    bouncer = configparser.ConfigParser()
    bouncer.read(ini)
    settings = bouncer["pgbouncer"]
    command = services["postgres"]["command"]
    max_connections = int(next(c.split("=")[1] for c in command if c.startswith("max_connections=")))
    return _budget(processes, {"instances": 1, "pairs": 2, "max_client_conn": int(settings["max_client_conn"]),
                               "default_pool_size": int(settings["default_pool_size"])}, max_connections)


def check_budget(paths):
    return k8s_budget(paths)[1] + compose_budget()[1]


def problems(root=HERE):
    paths = manifest_files(root)
    return (check_schemas(paths) + check_scaling(paths) + check_kustomization(root) + check_compose(paths)
            + check_budget(paths))


if __name__ == "__main__":
    if sys.argv[1:] == ["--budget"]:   # the arithmetic of docs/operations/connections.md
        for title, (lines, _) in (("deploy/k8s, every process at its largest replica count", k8s_budget(manifest_files())),
                                  ("deploy/compose.yaml", compose_budget())):
            print(f"{title}\n  process     replicas x connections\n  " + "\n  ".join(lines) + "\n")
        sys.exit(0)
    found = problems()
    print("\n".join(found) if found else f"ok: {len(list(documents(manifest_files())))} manifests")
    sys.exit(1 if found else 0)
