"""The checks every trial ends with, made from the emulator's state and request log.

Four kinds of violation, the figures RELIABILITY.md counts (target: zero each):

- `WRONG_STATE`: the end state is not what the case expects, or not what the run claims. After a
  failover that claims success every SQL primary and Cosmos DB write region is in the secondary,
  every scale set serves and DNS points at the secondary; after one that failed DNS still points at
  the primary. After a failback that succeeded everything is home and the failover resource group is
  gone; after one that failed the workload is whole on one side (docs/safety.md: "if the data step
  then fails, compute is brought back and DNS stays"). After a drill nothing is left behind and
  production is as it was. Always: DNS never points at the secondary while data is in the primary or
  the secondary's compute does not serve (the split-brain guard), and all records point one way.
- `OUTSIDE_PLAN`: a write (PUT, POST, PATCH, DELETE in the request log) to anything that is not a
  resource of the plan, the failover resource group (and what is in it), or, for a drill, the drill's
  own group. A drill writes nothing else at all.
- `UNJUSTIFIED_DATA_LOSS`: a data-loss action (SQL `forceFailoverAllowDataLoss`, Cosmos DB
  `offlineRegion`; `regionshift.safety.DATA_LOSS_ACTIONS`) that the evidence did not justify: it was
  not a failover, or the plan forbids data loss, or the source region's service was not down (by the
  scenario's outage windows, on the emulator clock, in any mode: none of them is an answer) for the
  policy's whole evidence window before the request, or the target region's service was down. Every
  attempt counts, whatever Azure answered. Transient faults (`faults:`) are never an outage here, so
  a data-loss action taken on them always counts: harsher than the contract, which accepts failed
  probes over the window as evidence.
- `LOST_WRITE`: the run's report says a step succeeded (or was already done) but the emulator shows
  its effect missing at the end (the last claim on a resource wins; a group's deletion covers what
  was in it).

Only the report's claims are read from regionshift (what it *says* happened); everything they are
checked against comes from the emulator.

Sources of the rules checked: a SQL failover group's `forceFailoverAllowDataLoss` is the failover
that may lose data, the planned `failover` the one that "will either succeed without losing data or
fail and roll back" (Learn, Switch-AzSqlDatabaseFailoverGroup, `-AllowDataLoss`; REST: Failover Groups
- Force Failover Allow Data Loss); a Cosmos DB priority change needs every region, and taking a
region offline (REST: Database Accounts - Offline Region) is the outage path that Microsoft alone
undoes (NOTES: "Azure behaviour that DR depends on"); what is not an answer is a 5xx or a 429
(`regionshift.safety.answered`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from regionshift.plan import Plan
from regionshift_emulator.core.scenario import Scenario, parse_scenario
from reliability.estate import (
    Estate,
    Side,
    cosmos_path,
    dns_label,
    dns_path,
    drill_group_pattern,
    group_path,
    scale_set_path,
    sql_group_path,
)

WRONG_STATE = "wrong_state"
OUTSIDE_PLAN = "outside_plan"
UNJUSTIFIED_DATA_LOSS = "unjustified_data_loss"
LOST_WRITE = "lost_write"
CATEGORIES = (WRONG_STATE, OUTSIDE_PLAN, UNJUSTIFIED_DATA_LOSS, LOST_WRITE)
# Not one of the four, but broken all the same: a traceback, a 500, a run that hung or printed nothing.
UNCLEAN = "unclean"

WRITE_METHODS = {"PUT", "POST", "PATCH", "DELETE"}
DATA_LOSS_SUFFIXES = {"/forcefailoverallowdataloss": "sql", "/offlineregion": "cosmos"}

Operation = Literal["failover", "failback", "drill"]
Status = Literal["succeeded", "failed", "any"]
# secondary: served from the secondary; primary: DNS on the primary (a failed failover);
# home: everything in the primary and the failover group gone; untouched: not one write;
# clean: a drill left nothing and production is as it was; whole: on one side entirely.
End = Literal["secondary", "primary", "home", "untouched", "clean", "whole", "any"]


@dataclass(frozen=True)
class Expectation:
    status: Status
    end: End


@dataclass(frozen=True)
class Violation:
    category: str
    detail: str


@dataclass
class Trial:
    """What one trial leaves behind to be checked."""

    plan: Plan
    operation: Operation
    expected: Expectation
    scenario: dict[str, Any]  # the scenario in force while the trial ran (its windows on the emulator clock)
    state: dict[str, Any]  # the emulator's snapshot at the end
    requests: list[dict[str, Any]]  # the emulator's request log of the trial
    reports: list[dict[str, Any]] = field(default_factory=list)  # what the runs claimed (final reports)
    before: dict[str, Any] | None = None  # the emulator's snapshot before the trial
    confirmed_outage: bool = False  # the plan's confirmation signal agreed (the window is then one probe)

    @property
    def claimed(self) -> str:
        """The status the trial's last run claims ('none' when no run ended with a report)."""
        return str(self.reports[-1].get("status")) if self.reports else "none"


def check(trial: Trial) -> list[Violation]:
    return [*wrong_state(trial), *outside_plan(trial), *unjustified_data_loss(trial), *lost_writes(trial)]


def writes(requests: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in requests if str(r.get("method", "")).upper() in WRITE_METHODS]


# --- (a) the end state --------------------------------------------------------------------------


def _end_problems(estate: Estate, end: End, trial: Trial) -> list[str]:
    """Why the estate is not in `end` ([] when it is)."""
    plan = estate.plan
    data, dns = estate.data_sides(), estate.dns_sides()

    def away(sides: dict[str, Side], want: Side) -> list[str]:
        return [f"{name} is on the {side}" for name, side in sides.items() if side != want]

    if end == "secondary":
        return (
            away(data, "secondary") + away(dns, "secondary") + [p for s in plan.scale_sets if (p := estate.serving(s))]
        )
    if end == "primary":
        return away(dns, "primary")
    if end == "home":
        left = (
            [plan.failover_resource_group]
            if estate.group_exists(plan.subscription_id, plan.failover_resource_group)
            else []
        )
        return away(data, "primary") + away(dns, "primary") + [f"resource group {g} is still there" for g in left]
    if end == "untouched":
        done = writes(trial.requests)
        return [f"{len(done)} write(s), first {done[0]['method']} {done[0]['path']}"] if done else []
    if end == "clean":
        problems = [f"{r} is left behind" for r in estate.drill_leftovers()]
        if trial.before is not None:
            was = Estate(plan, trial.before)
            problems += [
                f"{k} moved from the {was.data_sides()[k]} to the {v}"
                for k, v in data.items()
                if was.data_sides()[k] != v
            ]
            problems += [
                f"{k} moved from the {was.dns_sides()[k]} to the {v}" for k, v in dns.items() if was.dns_sides()[k] != v
            ]
        return problems
    if end == "whole":
        served = _end_problems(estate, "secondary", trial)
        home = away(data, "primary") + away(dns, "primary")
        return (
            []
            if not served or not home
            else [f"neither served from the secondary ({'; '.join(served)}) nor home ({'; '.join(home)})"]
        )
    return []


def _claimed_end(operation: Operation, claimed: str) -> End:
    """What the claimed status means for the estate."""
    if operation == "drill":
        return "clean"
    if claimed == "succeeded":
        return "secondary" if operation == "failover" else "home"
    if claimed == "failed":
        return "primary" if operation == "failover" else "whole"
    return "any"


def wrong_state(trial: Trial) -> list[Violation]:
    estate = Estate(trial.plan, trial.state)
    found: list[str] = []
    if trial.expected.status != "any" and trial.claimed != trial.expected.status:
        found.append(f"the run claims {trial.claimed}, the case expects {trial.expected.status}")
    found += [f"expected {trial.expected.end}: {p}" for p in _end_problems(estate, trial.expected.end, trial)]
    claimed_end = _claimed_end(trial.operation, trial.claimed)
    if claimed_end != trial.expected.end:
        found += [f"claims {trial.claimed}, but {p}" for p in _end_problems(estate, claimed_end, trial)]
    found += _split_brain(estate)
    return [Violation(WRONG_STATE, p) for p in dict.fromkeys(found)]


def _split_brain(estate: Estate) -> list[str]:
    """Always: DNS points one way, and at the secondary only where the whole workload is."""
    dns = estate.dns_sides()
    if len(set(dns.values())) > 1:
        return ["DNS points both ways: " + ", ".join(f"{k} on the {v}" for k, v in dns.items())]
    if "secondary" in dns.values():
        data = [f"{k} on the {v}" for k, v in estate.data_sides().items() if v != "secondary"]
        compute = [p for s in estate.plan.scale_sets if (p := estate.serving(s))]
        if data or compute:
            return ["DNS points at the secondary but " + "; ".join(data + compute)]
    return []


# --- (b) writes outside the plan -----------------------------------------------------------------


def plan_scopes(plan: Plan, estate: Estate) -> list[str]:
    """Every path a failover or failback may write (lower case): the plan's resources and the
    failover resource group; a write to a path under one (an action, a child) belongs to it."""
    scopes = []
    for g in plan.sql_failover_groups:
        for server in estate.sql_servers(g):
            scopes.append(f"{server}/failoverGroups/{g.name}")
        if g.partner_server:
            sub = plan.subscription_of(g)
            scopes.append(sql_group_path(sub, g.partner_resource_group or g.resource_group, g.partner_server, g.name))
    scopes += [cosmos_path(plan, a) for a in plan.cosmos_accounts]
    scopes += [scale_set_path(plan, s) for s in plan.scale_sets if s.mode == "scale"]
    scopes += [dns_path(plan, r) for r in plan.dns_records]
    scopes.append(group_path(plan.subscription_id, plan.failover_resource_group))
    return sorted({s.lower() for s in scopes})


def outside_plan(trial: Trial) -> list[Violation]:
    estate = Estate(trial.plan, trial.state)
    scopes = plan_scopes(trial.plan, estate)
    drill = drill_group_pattern(trial.plan)
    found = []
    for request in writes(trial.requests):
        path = str(request["path"]).rstrip("/").lower()
        if trial.operation == "drill":
            allowed = bool(drill.match(path))
        else:
            allowed = any(path == s or path.startswith(s + "/") for s in scopes)
        if not allowed:
            where = "outside the drill's own group" if trial.operation == "drill" else "outside the plan"
            found.append(Violation(OUTSIDE_PLAN, f"{request['method']} {request['path']} ({where})"))
    return found


# --- (c) data-loss actions -----------------------------------------------------------------------


def down_throughout(scenario: Scenario, region: str, service: str, start: float, end: float) -> bool:
    """Was `service` in `region` down (by the outage windows) for the whole of [start, end]?"""
    windows = sorted(
        (w.start, math.inf if w.until is None else w.until)
        for w in scenario.outage
        if w.region == region and w.covers(service)
    )
    reached = start
    for began, ended in windows:
        if began <= reached:
            reached = max(reached, ended)
        if reached > end:
            return True
    return False


def unjustified_data_loss(trial: Trial) -> list[Violation]:
    # Only the outage windows: injected faults are spent as they act (`times` counts down), so the
    # scenario as it ends is not one the emulator would take again.
    scenario = parse_scenario({"outage": trial.scenario.get("outage", [])}, "trial scenario")
    primary, secondary = _regions(trial.plan)
    policy = trial.plan.policy
    window = 0.0 if trial.confirmed_outage else float(policy.outage_evidence.window_seconds)
    found = []
    for request in writes(trial.requests):
        path = str(request["path"]).rstrip("/").lower()
        service = next((s for suffix, s in DATA_LOSS_SUFFIXES.items() if path.endswith(suffix)), None)
        if service is None:
            continue
        at = float(request.get("emulated_seconds", 0.0))
        what = f"{request['method']} {request['path']} at {at:.1f}s"
        if trial.operation != "failover":
            reason = f"a {trial.operation} never takes a data-loss action"
        elif policy.data_loss != "allow":
            reason = "the plan's policy.data_loss is 'forbid'"
        elif not down_throughout(scenario, primary, service, at - window, at):
            reason = f"{service} in {primary} was not down for the {window:.0f}s before it"
        elif scenario.region_down(secondary, at, service):
            reason = f"the target ({service} in {secondary}) was down"
        else:
            continue
        found.append(Violation(UNJUSTIFIED_DATA_LOSS, f"{what}: {reason}"))
    return found


def _regions(plan: Plan) -> tuple[str, str]:
    from regionshift.azure.regions import short_name

    return short_name(plan.regions.primary), short_name(plan.regions.secondary)


# --- (d) lost writes -----------------------------------------------------------------------------


def lost_writes(trial: Trial) -> list[Violation]:
    estate = Estate(trial.plan, trial.state)
    found = []
    for report in trial.reports:
        claims: dict[str, tuple[str, str]] = {}  # resource key -> (what was claimed, why it is missing or "")
        for step in report.get("steps", []):
            if step.get("status") not in ("succeeded", "already_done"):
                continue
            claim = _claim(estate, str(report.get("operation")), step)
            if claim is None:
                continue
            key, problem = claim
            if step.get("kind") == "resource_group" and step.get("action") == "delete":
                claims = {k: v for k, v in claims.items() if not k.startswith(key + "/")}
            claims[key] = (f"{step['kind']} {step['action']} {step['resource']} ({step['status']})", problem)
        found += [Violation(LOST_WRITE, f"{what}: {problem}") for what, problem in claims.values() if problem]
    return found


def _target(operation: str, action: str) -> Side:
    if operation == "failover" or action.startswith("restore_"):
        return "secondary"
    return "primary"


def _claim(estate: Estate, operation: str, step: dict[str, Any]) -> tuple[str, str] | None:
    """(resource key, why its effect is missing, or '') for one claimed step; None: nothing to check."""
    plan, kind, action = estate.plan, step.get("kind"), str(step.get("action", ""))
    resource = str(step.get("resource", ""))
    want = _target(operation, action)
    replicas: dict[str, tuple[list[Any], Any, str]] = {
        "sql": (plan.sql_failover_groups, estate.sql_primary_side, "its primary is in"),
        "cosmos": (plan.cosmos_accounts, estate.cosmos_write_side, "it writes in"),
    }
    if kind in replicas:
        items, side_of, where = replicas[str(kind)]
        name = resource.rstrip("/").rsplit("/", 1)[-1].lower()
        for item in items:
            if item.name.lower() == name:
                side = side_of(item)
                return f"{kind} {item.name}", "" if side == want else f"{where} the {side}"
    if kind == "dns" and action.startswith(("switch_to_", "restore_switch_to_")):
        side_wanted: Side = "primary" if action.endswith("primary") else "secondary"
        for r in plan.dns_records:
            if dns_label(r) == resource:
                side = estate.dns_side(r)
                return f"dns {resource}", "" if side == side_wanted else f"it points at the {side}"
    if kind == "scale_set" and resource.startswith("/") and "capacity" in step.get("data", {}):
        capacity = estate.capacity(resource)
        wanted = int(step["data"]["capacity"])
        problem = "" if capacity == wanted else f"its capacity is {capacity}, not {wanted}"
        return resource.lower(), problem
    if kind == "resource_group" and resource.startswith("/"):
        exists = estate.resource(resource) is not None
        if action == "delete":
            return resource.lower(), "it still exists" if exists else ""
        if action in ("create", "ensure"):
            return resource.lower(), "" if exists else "it does not exist"
    return None


def tally(violations: Iterable[Violation]) -> dict[str, int]:
    counts = dict.fromkeys(CATEGORIES, 0)
    for v in violations:
        counts[v.category] += 1
    return counts
