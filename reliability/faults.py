"""The fault matrix: every fault the emulator can inject, for each operation, with its expected end.

A case is a fault (docs/emulator.md, "Scenarios": outages per region and per service in the modes
timeout, error, hang and reset, timed windows that start or end mid-run, and the injected faults
reset, fail_operation, never_complete, hang_seconds, 429 bursts with Retry-After and throttling,
probability with a seed) x an operation (failover, failback, drill), and the end state it must reach
(`reliability.invariants.Expectation`). Each case runs the real app on the embedded Durable host
(`DurableHost`, as `regionshift failover` does: host.json's limits, a clock 60 times faster than
real time) against a fresh emulator whose clock runs at the same speed, so outage windows, Retry-After
and the evidence window are all counted in the same (emulated) seconds. A failback case first fails
the plan over with nothing broken, then breaks what the case says.

Outage windows in a case are relative to the start of its run; the runner shifts them onto the
emulator's clock before the run starts, and the invariants read the shifted scenario.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from regionshift.azure.clients import reset_default_clients
from regionshift.contracts import RunReport, RunRequest
from regionshift.host import DurableHost, HostOptions
from regionshift.host.clock import ScaledClock
from regionshift.names import Orchestrators
from regionshift.plan import Plan
from regionshift_emulator.harness import app_on_emulator
from regionshift_emulator.server import Emulator
from reliability.invariants import WRONG_STATE, Expectation, Operation, Trial, Violation, check
from reliability.processes import SPEED

ORCHESTRATORS = {"failover": Orchestrators.FAILOVER, "failback": Orchestrators.FAILBACK, "drill": Orchestrators.DRILL}


@dataclass(frozen=True)
class Case:
    name: str
    operation: Operation
    injected: str  # what is broken, in words (the matrix's column)
    expected: Expectation
    scenario: dict[str, Any] = field(default_factory=dict)  # outage windows relative to the run's start
    policy: dict[str, Any] = field(default_factory=dict)  # plan policy overrides (outage_evidence, data_loss)
    without: tuple[str, ...] = ()  # plan sections left out
    timeout: float = 240.0  # real seconds the run may take
    # Emulated seconds per real second (host and emulator alike). Socket timeouts are real seconds:
    # a held request's 20 s probe timeout counts `speed` times over against a branch's deadline.
    speed: float = SPEED


def _down(region: str, **window: Any) -> dict[str, Any]:
    return {"outage": [{"region": region, **window}]}


def _faults(*faults: dict[str, Any], **rest: Any) -> dict[str, Any]:
    return {"faults": list(faults), **rest}


def _x(status: str, end: str) -> Expectation:
    return Expectation(status, end)  # type: ignore[arg-type]


P, S = "eastus2", "centralus"
SERVED, HELD, UNTOUCHED = _x("succeeded", "secondary"), _x("failed", "primary"), _x("failed", "untouched")
HOME, WHOLE = _x("succeeded", "home"), _x("failed", "whole")
CLEAN, CLEAN_FAILED, CLEAN_ANY = _x("succeeded", "clean"), _x("failed", "clean"), _x("any", "clean")
PRIMARY_FG = "*/servers/sql-eus2/failoverGroups/fg-orders"
VMSS_WEB, DRILL_GROUP = "*/virtualMachineScaleSets/web", "*/resourcegroups/contoso-dr-drill-*"
LONG_WINDOW = {"outage_evidence": {"failed_probes": 3, "window_seconds": 600}}
NO_FORCE = ["Microsoft.Sql/servers/failoverGroups/forceFailoverAllowDataLoss/action"]


def _bursts(*methods: str, path: str = "*/providers/*") -> list[dict[str, Any]]:
    """Two 429s with a Retry-After of 5 s for each method's first writes."""
    return [{"path": path, "method": m, "status": 429, "times": 2, "retry_after": 5} for m in methods]


THROTTLED = {"enabled": True, "writes": {"burst": 5, "per_second": 1}, "deletes": {"burst": 1, "per_second": 0.5}}
MATRIX: list[Case] = [
    # --- failover ------------------------------------------------------------------------------
    Case("F01", "failover", "nothing", SERVED),
    Case("F02", "failover", "primary down (timeout: 504)", SERVED, _down(P)),
    Case("F03", "failover", "primary down (error: 503 + Retry-After)", SERVED, _down(P, mode="error")),
    Case("F04", "failover", "primary down (reset: connection dropped)", SERVED, _down(P, mode="reset")),
    Case(
        "F05",
        "failover",
        "primary down (hang: held until the client gives up; clock 5x, not 60x)",
        SERVED,
        _down(P, mode="hang"),
        timeout=900,
        speed=5.0,
    ),
    Case("F06", "failover", "primary down, policy.data_loss forbid", HELD, _down(P), {"data_loss": "forbid"}),
    Case("F07", "failover", "secondary down (case 1)", UNTOUCHED, _down(S)),
    Case("F08", "failover", "secondary Cosmos DB only down", UNTOUCHED, _down(S, services=["cosmos"])),
    Case("F09", "failover", "secondary compute only down", UNTOUCHED, _down(S, services=["compute"])),
    Case("F10", "failover", "primary SQL only down", SERVED, _down(P, services=["sql"])),
    Case("F11", "failover", "primary Cosmos DB only down", SERVED, _down(P, services=["cosmos"])),
    Case("F12", "failover", "primary outage starts mid-run (from 20 s)", SERVED, _down(P, **{"from": 20})),
    Case(
        "F13",
        "failover",
        "primary outage ends mid-run (until 60 s; evidence window 600 s)",
        SERVED,
        _down(P, until=60),
        LONG_WINDOW,
    ),
    Case("F14", "failover", "secondary outage starts mid-run (from 20 s)", HELD, _down(S, **{"from": 20})),
    Case(
        "F15",
        "failover",
        "two 503s on a GET of the primary's failover group (case 2)",
        SERVED,
        _faults({"path": PRIMARY_FG, "method": "GET", "status": 503, "times": 2}),
    ),
    Case(
        "F16",
        "failover",
        "Cosmos DB priority change refused (503), both regions up (case 2)",
        HELD,
        _faults({"path": "*/failoverPriorityChange", "method": "POST", "status": 503}),
    ),
    Case(
        "F17",
        "failover",
        "429 bursts with Retry-After on every write, ARM throttling on",
        SERVED,
        _faults(*_bursts("PUT", "POST", "PATCH"), throttling=THROTTLED),
    ),
    Case(
        "F18",
        "failover",
        "connection resets on DNS writes (probability 0.5, seed 7)",
        SERVED,
        _faults({"path": "*/dnsZones/*", "method": "PUT", "reset": True, "probability": 0.5}, seed=7),
    ),
    Case(
        "F19",
        "failover",
        "the scale set's creation fails (fail_operation AllocationFailed)",
        HELD,
        _faults({"path": VMSS_WEB, "method": "PUT", "fail_operation": True, "code": "AllocationFailed"}),
    ),
    Case(
        "F20",
        "failover",
        "the Cosmos DB failover never completes (never_complete)",
        HELD,
        _faults({"path": "*/failoverPriorityChange", "method": "POST", "never_complete": True}),
    ),
    Case(
        "F21",
        "failover",
        "slow DNS answers (hang_seconds 2)",
        SERVED,
        _faults({"path": "*/dnsZones/*", "hang_seconds": 2}),
    ),
    Case("F22", "failover", "Azure DNS down (global)", UNTOUCHED, _down("global", services=["dns"])),
    Case(
        "F23",
        "failover",
        "primary down, forced failover not permitted to the identity",
        UNTOUCHED,
        {**_down(P), "missing_permissions": NO_FORCE},
    ),
    Case("F24", "failover", "primary and secondary both down", UNTOUCHED, {"outage": [{"region": P}, {"region": S}]}),
    # --- failback (after a failover with nothing broken) ----------------------------------------
    Case("B01", "failback", "nothing", HOME),
    Case("B02", "failback", "primary down (case 6)", UNTOUCHED, _down(P)),
    Case("B03", "failback", "primary SQL only down", UNTOUCHED, _down(P, services=["sql"])),
    Case(
        "B04",
        "failback",
        "primary Cosmos DB only down, plan without SQL (case 6)",
        UNTOUCHED,
        _down(P, services=["cosmos"]),
        without=("sql_failover_groups",),
    ),
    Case(
        "B05",
        "failback",
        "the planned SQL failback refused (500) (case 6)",
        WHOLE,
        _faults({"path": "*/sql-eus2/*/failover", "status": 500}),
    ),
    Case("B06", "failback", "secondary down", WHOLE, _down(S)),
    # Mid-run: after readiness, while the secondary's compute is quiesced, before the data moves (the
    # quiesce waits on 10 s instance polls, so the data phase starts 10 s or more in; a slower host
    # only makes the outage come earlier). At 15 s it raced the data phase once the failback got
    # faster: an outage after the data moved home is another case, and no failback can end whole.
    Case("B07", "failback", "primary outage starts mid-run (from 6 s)", WHOLE, _down(P, **{"from": 6})),
    Case(
        "B08",
        "failback",
        "429 bursts with Retry-After on every write",
        HOME,
        _faults(*_bursts("POST", "PATCH", "PUT", "DELETE")),
    ),
    Case(
        "B09",
        "failback",
        "the failover group's deletion fails once (fail_operation)",
        HOME,
        _faults({"path": "*/resourcegroups/contoso-dr", "method": "DELETE", "fail_operation": True, "times": 1}),
    ),
    Case(
        "B10",
        "failback",
        "connection resets on scale set writes (probability 0.5, seed 3)",
        _x("any", "whole"),
        _faults({"path": "*/virtualMachineScaleSets/*", "method": "PATCH", "reset": True, "probability": 0.5}, seed=3),
    ),
    # --- drill ----------------------------------------------------------------------------------
    Case("D01", "drill", "nothing", CLEAN),
    Case("D02", "drill", "primary down", CLEAN, _down(P)),
    Case("D03", "drill", "secondary down", CLEAN_FAILED, _down(S)),
    Case("D04", "drill", "secondary compute only down", CLEAN_FAILED, _down(S, services=["compute"])),
    Case(
        "D05",
        "drill",
        "two 503s on the drill group's deletion (case 9)",
        CLEAN,
        _faults({"path": DRILL_GROUP, "method": "DELETE", "status": 503, "times": 2}),
    ),
    Case(
        "D06",
        "drill",
        "the scale set's creation fails (fail_operation)",
        CLEAN_FAILED,
        _faults({"path": VMSS_WEB, "method": "PUT", "fail_operation": True}),
    ),
    Case(
        "D07",
        "drill",
        "429 bursts with Retry-After, ARM throttling on",
        CLEAN,
        _faults(*_bursts("PUT", "DELETE", path="*"), throttling=THROTTLED),
    ),
    Case(
        "D08",
        "drill",
        "secondary ARM down mid-drill, back 120 s later",
        CLEAN_ANY,
        _down(S, services=["resources"], **{"from": 10, "until": 130}),
    ),
    Case(
        "D09",
        "drill",
        "resets on the drill group's writes (probability 0.4, seed 11)",
        CLEAN_ANY,
        _faults({"path": DRILL_GROUP, "reset": True, "probability": 0.4}, seed=11),
    ),
    Case(
        "D10",
        "drill",
        "the scale set's creation never completes (drill timeout)",
        CLEAN_FAILED,
        _faults({"path": VMSS_WEB, "method": "PUT", "never_complete": True}),
    ),
]


@dataclass
class CaseResult:
    case: Case
    claimed: str
    violations: list[Violation]
    seconds: float
    requests: int
    note: str = ""
    plan: str = ""  # the plan's name and size

    @property
    def passed(self) -> bool:
        return not self.violations


def variant(plan: Plan, case: Case) -> Plan:
    data = plan.model_dump(mode="json")
    data["policy"].update(case.policy)
    for key in case.without:
        data[key] = []
    return Plan.model_validate(data)


def shifted(scenario: dict[str, Any], now: float, speed: float, estate: dict[str, Any]) -> dict[str, Any]:
    """The case's scenario on the emulator's clock (outage windows moved by `now`), over `estate`."""
    windows = []
    for window in scenario.get("outage", []):
        moved = {**window, "from": now + float(window.get("from", 0))}
        if window.get("until") is not None:
            moved["until"] = now + float(window["until"])
        windows.append(moved)
    return {"latencies": {"default": 0}, **estate, **scenario, "outage": windows, "speed": speed}


def open_host(workdir: Path, speed: float) -> DurableHost:
    import function_app

    options = HostOptions.from_host_json(Path(function_app.__file__).with_name("host.json"))
    return DurableHost(function_app.app, workdir / "durable.sqlite", options=options, clock=ScaledClock(speed))


def run_operation(plan: Plan, workdir: Path, operation: Operation, instance_id: str, case: Case) -> dict[str, Any]:
    """One run to its end on a host of its own; its report (a run that ended without one: {})."""
    with open_host(workdir, case.speed) as host:
        request = RunRequest.new(plan, started_by="reliability", approved=True)
        host.start_new(ORCHESTRATORS[operation], request.model_dump(mode="json"), instance_id=instance_id)
        status = host.wait_for_completion(instance_id, timeout=case.timeout)
    if not status.is_terminal or status.output is None:
        return {}
    return RunReport.model_validate(status.output).model_dump(mode="json")


@contextmanager
def emulator(plan: Plan, workdir: Path, speed: float, estate: dict[str, Any]) -> Iterator[Emulator]:
    """A fresh emulator the app's settings point at, with the app's own retry policy (the harness
    turns retries down for tests that only read)."""
    with (
        pytest.MonkeyPatch.context() as patch,
        app_on_emulator(plan, {**estate, "speed": speed}, workdir, patch) as emu,
    ):
        patch.delenv("REGIONSHIFT_RETRY_TOTAL")
        reset_default_clients()
        yield emu


def run_case(case: Case, plan: Plan, workdir: Path, estate: dict[str, Any] | None = None) -> CaseResult:
    """Run one case on a fresh emulator and check the invariants. `estate`: scenario keys the plan
    needs whatever the case (a large plan's vCPU quotas)."""
    plan = variant(plan, case)
    estate = estate or {}
    began = time.monotonic()
    with emulator(plan, workdir, case.speed, estate) as emu:
        note = ""
        if case.operation == "failback":
            setup = run_operation(plan, workdir, "failover", "setup-failover", case)
            if setup.get("status") != "succeeded":
                note = f"the failover before the failback claims {setup.get('status') or 'nothing'}"
        emu.state.tick()
        before = emu.state.snapshot()
        emu.state.request_log.clear()
        emu.set_scenario(shifted(case.scenario, emu.state.clock.now(), case.speed, estate))
        report = run_operation(plan, workdir, case.operation, f"{case.operation}-{case.name}", case)
        emu.state.tick()
        trial = Trial(
            plan=plan,
            operation=case.operation,
            expected=case.expected,
            scenario=emu.state.scenario.model_dump(mode="json", by_alias=True),
            state=emu.state.snapshot(),
            requests=list(emu.state.request_log),
            reports=[report] if report else [],
            before=before,
        )
    violations = check(trial)
    if note:
        violations.insert(0, Violation(WRONG_STATE, note))
    size = len(plan.sql_failover_groups) + len(plan.cosmos_accounts) + len(plan.scale_sets) + len(plan.dns_records)
    seconds = time.monotonic() - began
    return CaseResult(case, trial.claimed, violations, seconds, len(trial.requests), note, f"{plan.name} ({size})")


# The bounded form tests/reliability runs in CI: one case of each kind of fault, quick ones.
CI_CASES = ("F02", "F06", "F07", "F08", "F14", "F22", "F23", "B02", "B04", "B10", "D03", "D05")
# Cases that name no resource of the example plan, run again on a generated estate
# (regionshift_emulator.estates) of ESTATE_SIZE resources, with the quotas it needs.
ESTATE_CASES = ("F01", "F02", "F03", "F07", "F08", "F10", "F11", "F12", "F14", "B01", "B02", "B03", "D01", "D03")
ESTATE_SIZE = 100
ESTATE_QUOTAS = {"quotas": {"standardDSv5Family": 10_000, "cores": 10_000}}
