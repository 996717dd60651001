"""Property-based inputs (hypothesis): whatever comes in, no traceback, no hang, no 500, no write.

Five parts, each a property run for a budget of examples (seeded, no shrinking: every example is
counted, and every one that breaks the property is kept with its reason):

- `plans`: YAML text (the example plan with random keys changed, dropped or given odd values, and
  plain random text) through `parse_plan` and `regionshift validate`: a plan or one clear error
  (`PlanError`, exit 2), never another exception or a traceback.
- `scenarios`: emulator scenarios through `parse_scenario` and the admin API (`PUT
  /_emulator/scenario`): a scenario or `InputError` / a 400 naming the key.
- `alerts`: Common Alert Schema payloads (the samples in tests/fixtures/alerts/, mutated) POSTed to
  `/api/alerts` of a running `serve` stack (the real app, the embedded host, HTTP on loopback).
- `bodies`: every route of serve with random methods, path segments, query strings, headers and
  bodies.
- `tokens`: forged, mangled, expired and misbound approval tokens on the approve and reject links of
  a failover that waits for its approval: never a decision.

The stack is the app against the emulator in process, with one failover started by an alert and
waiting for approval, so every manual start is refused (409) and nothing may be written: at the
end the emulator's request log must hold no write, and the approval must still be waiting.
"""

from __future__ import annotations

import http.client
import json
import random
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from typer.testing import CliRunner

from regionshift.approvals import issue_token
from regionshift.azure.clients import reset_default_clients
from regionshift.cli.main import app as cli_app
from regionshift.errors import RegionshiftError
from regionshift.host import DurableHost
from regionshift.plan import parse_plan
from regionshift.serve import FunctionsHost, serve_http
from regionshift_emulator.core.scenario import parse_scenario
from regionshift_emulator.harness import EXAMPLE_PLAN, writes
from regionshift_emulator.server import Emulator
from regionshift_emulator.testing import raw
from reliability.processes import ROOT

ALERTS = sorted((ROOT / "tests" / "fixtures" / "alerts").glob("*.json"))
KEY = "reliability-fuzz-function-key-0123456789"
APPROVAL_KEY = "reliability-fuzz-approval-signing-key-0123456789"
APPROVAL = "failover-contoso-web:approval"
SHARES = {"plans": 0.35, "scenarios": 0.15, "alerts": 0.2, "bodies": 0.2, "tokens": 0.1}


@dataclass
class FuzzPart:
    name: str
    tried: int = 0
    broken: list[str] = field(default_factory=list)  # one line per example that broke the property


def run_property(
    part: FuzzPart, strategy: st.SearchStrategy[Any], check: Callable[[Any], str], examples: int, seed: int
) -> None:
    """Draw `examples` values; `check` returns why a value broke the property ('' when it held)."""

    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis_seed(seed)
    @given(strategy)
    def prop(value: Any) -> None:
        part.tried += 1
        try:
            problem = check(value)
        except Exception as exc:  # the property itself: anything escaping is a finding, not a crash of the suite
            problem = f"{type(exc).__name__}: {exc}"
        if problem:
            part.broken.append(f"{problem[:300]} <- {repr(value)[:200]}")

    prop()


# --- values --------------------------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["", "@", "..", "../../x", "eastus2", "centralu", "*", "%00", "\u202e", "a" * 300, "-1", "1e999"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


def paths_of(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path into a JSON-like value."""
    found = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            found += paths_of(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += paths_of(v, (*prefix, i))
    return found


@st.composite
def mutated(draw: st.DrawFn, base: Any, mutations: int = 3) -> Any:
    """`base` with a few of its values replaced by odd ones, or dropped."""
    value = json.loads(json.dumps(base))
    for _ in range(draw(st.integers(1, mutations))):
        targets = paths_of(value)[1:]
        if not targets:
            break
        path = draw(st.sampled_from(targets))
        parent = value
        for key in path[:-1]:
            parent = parent[key]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(json_values)
    return value


# --- plans and scenarios (no server) ------------------------------------------------------------


def clear_error(parse: Callable[[Any], Any], value: Any, what: str) -> str:
    """'' when `parse` takes the value, or refuses it with the library's error saying why; any other
    exception escapes to `run_property`, which records it."""
    try:
        parse(value)
    except RegionshiftError as exc:
        return "" if str(exc).strip() else f"a {what} error with no message"
    return ""


EXAMPLE = yaml.safe_load(EXAMPLE_PLAN.read_text())
plan_texts = st.one_of(
    mutated(EXAMPLE).map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
    st.text(max_size=400),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
)


def plan_property(workdir: Path) -> Callable[[str], str]:
    runner = CliRunner()
    target = workdir / "fuzzed.yaml"

    def check(text: str) -> str:
        problem = clear_error(parse_plan, text, "plan")
        if problem:
            return problem
        target.write_text(text, encoding="utf-8", errors="surrogateescape")
        result = runner.invoke(cli_app, ["validate", str(target)])
        if (
            result.exit_code not in (0, 2)
            or "Traceback" in result.output
            or (result.exception and not isinstance(result.exception, SystemExit))
        ):
            return f"validate exited {result.exit_code}: {result.output[-200:]} {result.exception!r}"
        return ""

    return check


SCENARIO_KEYS = [
    "speed",
    "seed",
    "outage",
    "latencies",
    "faults",
    "throttling",
    "quotas",
    "missing_permissions",
    "resource_groups",
    "cosmos_automatic_failover_after",
    "unknown",
]
scenarios = st.one_of(
    st.dictionaries(st.sampled_from(SCENARIO_KEYS), json_values, max_size=4),
    mutated(
        {
            "outage": [{"region": "eastus2", "from": 10, "until": 20, "services": ["sql"], "mode": "hang"}],
            "faults": [{"path": "*/x", "method": "GET", "status": 429, "times": 2, "retry_after": 3}],
            "latencies": {"default": 1},
            "throttling": {"enabled": True, "reads": {"burst": 1, "per_second": 1}},
        }
    ),
    json_values,
)


def scenario_property(emulator: Emulator) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        problem = clear_error(parse_scenario, value, "scenario")
        if problem:
            return problem
        status, _, body = raw(emulator, "PUT", "_emulator/scenario", body=value)
        if status not in (200, 400):
            return f"PUT /_emulator/scenario answered {status}: {body}"
        emulator.set_scenario({"latencies": {"default": 0}})
        return ""

    return check


# --- the serve stack ----------------------------------------------------------------------------


class _Hooks(BaseHTTPRequestHandler):
    posts: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.posts.append(json.loads(self.rfile.read(length) or b"{}"))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@dataclass
class Stack:
    emulator: Emulator
    port: int
    hooks: list[dict[str, Any]]

    def call(self, method: str, target: str, body: bytes, headers: dict[str, str]) -> tuple[int | str, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, target, body, headers)
            answer = connection.getresponse()
            return answer.status, answer.read()
        except (OSError, http.client.HTTPException) as exc:
            return type(exc).__name__, b""
        finally:
            connection.close()


@contextmanager
def serve_stack(workdir: Path) -> Iterator[Stack]:
    """The app on the embedded host behind serve's HTTP server, against the emulator; one failover
    started by an alert and waiting for its approval."""
    hooks = ThreadingHTTPServer(("127.0.0.1", 0), type("Hooks", (_Hooks,), {"posts": []}))
    threading.Thread(target=hooks.serve_forever, daemon=True).start()
    plan = {
        **EXAMPLE,
        "triggers": {"alerts": {"rules": ["test-rule"], "service_health": {"services": ["SQL Database"]}}},
    }
    plan["policy"] = {
        **plan["policy"],
        "approval_webhooks": [{"url": f"http://127.0.0.1:{hooks.server_port}/", "format": "json"}],
    }
    (workdir / "plan.yaml").write_text(yaml.safe_dump(plan))
    import function_app

    with (
        pytest.MonkeyPatch.context() as patch,
        Emulator(parse_plan(yaml.safe_dump(plan)), {"latencies": {"default": 0}}, workdir=workdir) as emu,
    ):
        for key, value in {
            **emu.env,
            "REGIONSHIFT_PLANS": str(workdir / "plan.yaml"),
            "REGIONSHIFT_APPROVAL_KEY": APPROVAL_KEY,
            "REGIONSHIFT_STATE_DIR": str(workdir / "state"),
            "REGIONSHIFT_LEASE_DIR": str(workdir / "leases"),
            "REGIONSHIFT_REPORT_DIR": str(workdir / "reports"),
        }.items():
            patch.setenv(key, value)
        reset_default_clients()
        host = DurableHost(function_app.app, workdir / "durable.sqlite")
        host.start()
        functions = FunctionsHost(function_app.app, host.serve_client_api(), function_key=KEY)
        server = serve_http(functions)
        patch.setenv("REGIONSHIFT_PUBLIC_URL", f"http://127.0.0.1:{server.server_port}")
        stack = Stack(emu, server.server_port, hooks.RequestHandlerClass.posts)  # type: ignore[attr-defined]
        try:
            status, _ = stack.call(
                "POST",
                "/api/alerts",
                (ALERTS[0].parent / "service_health_incident_active.json").read_bytes(),
                {"x-functions-key": KEY},
            )
            deadline = time.monotonic() + 60
            while not stack.hooks:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the alert ({status}) never led to an approval request")
                time.sleep(0.05)
            yield stack
        finally:
            server.shutdown()
            functions.close()
            host.stop()
            hooks.shutdown()
            reset_default_clients()


def http_problem(status: int | str, body: bytes) -> str:
    if not isinstance(status, int):
        return f"no answer: {status}"
    if status >= 500:
        return f"answered {status}: {body[:200]!r}"
    if b"Traceback" in body:
        return f"a traceback in the answer ({status})"
    return ""


alert_bodies = st.one_of(
    st.sampled_from(ALERTS)
    .flatmap(lambda p: mutated(json.loads(p.read_text()), 4))
    .map(lambda v: json.dumps(v).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=300),
)

segment = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["contoso-web", "failover", "failback", "drill", "..", "%2e%2e", APPROVAL, "approve", "reject", "", "%00"]
    ),
)
ROUTES = ["alerts", "plans/{0}/{1}", "approvals/{0}/{1}", "runs/{0}", "runs"]


@st.composite
def requests_(draw: st.DrawFn) -> tuple[str, str, bytes, dict[str, str]]:
    from urllib.parse import quote

    route = draw(st.sampled_from(ROUTES)).format(*(quote(draw(segment), safe="%") for _ in range(2)))
    query = draw(
        st.sampled_from(
            [
                "",
                "?limit=" + quote(draw(st.text(max_size=8))),
                "?token=" + quote(draw(st.text(max_size=20))),
                "?code=" + KEY,
            ]
        )
    )
    method = draw(st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]))
    body = draw(st.one_of(st.binary(max_size=200), json_values.map(lambda v: json.dumps(v).encode())))
    headers = {"x-functions-key": draw(st.sampled_from([KEY, KEY, "", "wrong"]))}
    headers["Content-Type"] = draw(
        st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain", ""])
    )
    return method, f"/api/{route}{query}", body, {k: v for k, v in headers.items() if v}


def _forged(draw: st.DrawFn) -> str:
    now = int(time.time())
    kind = draw(st.sampled_from(["random", "other_key", "expired", "other_run", "mangled"]))
    decision = draw(st.sampled_from(["approve", "reject"]))
    if kind == "random":
        return draw(st.text(max_size=120))
    if kind == "other_key":
        return issue_token(b"not-the-key-" * 4, APPROVAL, decision, now + 600)  # type: ignore[arg-type]
    if kind == "expired":
        return issue_token(APPROVAL_KEY.encode(), APPROVAL, decision, now - 1)  # type: ignore[arg-type]
    if kind == "other_run":
        return issue_token(APPROVAL_KEY.encode(), "failover-other:approval", decision, now + 600)  # type: ignore[arg-type]
    token = list(issue_token(b"not-the-key-" * 4, APPROVAL, decision, now + 600))  # type: ignore[arg-type]
    for _ in range(draw(st.integers(1, 4))):
        token[draw(st.integers(0, len(token) - 1))] = draw(st.sampled_from("abcXYZ019-_."))
    return "".join(token)


@st.composite
def token_requests(draw: st.DrawFn) -> tuple[str, str, bytes]:
    from urllib.parse import quote

    decision = draw(st.sampled_from(["approve", "reject"]))
    target = f"/api/approvals/{quote(APPROVAL)}/{decision}?token={quote(_forged(draw))}"
    method = draw(st.sampled_from(["GET", "POST"]))
    return method, target, b"approver=mallory&comment=fuzz"


def stack_properties(stack: Stack) -> dict[str, Callable[[Any], str]]:
    def alert(body: bytes) -> str:
        return http_problem(
            *stack.call("POST", "/api/alerts", body, {"x-functions-key": KEY, "Content-Type": "application/json"})
        )

    def request(value: tuple[str, str, bytes, dict[str, str]]) -> str:
        return http_problem(*stack.call(*value))

    def token(value: tuple[str, str, bytes]) -> str:
        method, target, body = value
        status, answer = stack.call(method, target, body, {"Content-Type": "application/x-www-form-urlencoded"})
        problem = http_problem(status, answer)
        if not problem and method == "POST" and isinstance(status, int) and status < 300:
            problem = f"a forged token decided ({status}): {answer[:200]!r}"
        return problem

    return {"alerts": alert, "bodies": request, "tokens": token}


def run_fuzz(total: int, seed: int, workdir: Path | None = None) -> list[FuzzPart]:
    """About `total` examples across the five parts (SHARES), then the no-write check."""
    workdir = workdir or Path(tempfile.mkdtemp(prefix="reliability-fuzz-"))
    workdir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    budget = {name: max(1, round(total * share)) for name, share in SHARES.items()}
    parts = {name: FuzzPart(name) for name in SHARES}
    run_property(parts["plans"], plan_texts, plan_property(workdir), budget["plans"], rng.randrange(2**32))
    with Emulator(
        parse_plan(EXAMPLE_PLAN.read_text()), {"latencies": {"default": 0}}, workdir=workdir / "scenarios"
    ) as emu:
        run_property(parts["scenarios"], scenarios, scenario_property(emu), budget["scenarios"], rng.randrange(2**32))
    (workdir / "stack").mkdir(exist_ok=True)
    with serve_stack(workdir / "stack") as stack:
        checks = stack_properties(stack)
        strategies = {"alerts": alert_bodies, "bodies": requests_(), "tokens": token_requests()}
        for name in ("alerts", "bodies", "tokens"):
            run_property(parts[name], strategies[name], checks[name], budget[name], rng.randrange(2**32))
        made = writes(stack.emulator)
        if made:
            parts["bodies"].broken.append(
                f"{len(made)} write(s) reached the emulator, first {made[0]['method']} {made[0]['path']}"
            )
        status, answer = stack.call("GET", f"/api/runs/{APPROVAL.split(':')[0]}", b"", {"x-functions-key": KEY})
        if status != 200 or json.loads(answer).get("phase") != "approval":
            parts["tokens"].broken.append(f"the failover is no longer waiting for its approval: {answer[:200]!r}")
    return list(parts.values())
