"""Next steps after a run: one test per end state, each naming where things are and the exact commands."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rich.console import Console

from regionshift.contracts import NextStep, Resume, RunReport, StepOutcome
from regionshift.reports import render_html, render_text_summary
from regionshift.reports.next_steps import end_state, next_steps

T0 = datetime(2025, 3, 14, 2, 0, tzinfo=UTC)
SUB = "/subscriptions/00000000-0000-0000-0000-000000000000"
GROUP = f"{SUB}/resourceGroups/contoso-dr"
WEB = f"{GROUP}/providers/Microsoft.Compute/virtualMachineScaleSets/web"
FG = f"{SUB}/resourceGroups/rg-data-eus2/providers/Microsoft.Sql/servers/sql-eus2/failoverGroups/fg-orders"
COSMOS = f"{SUB}/resourceGroups/rg-dr-cus/providers/Microsoft.DocumentDB/databaseAccounts/cosmos-orders"


def step(kind: str, resource: str, action: str, status: str, detail: str = "", **data: Any) -> StepOutcome:
    return StepOutcome(kind=kind, resource=resource, action=action, status=status, detail=detail, data=data)  # type: ignore[arg-type]


def run(operation: str, status: str, steps: list[StepOutcome], **fields: Any) -> RunReport:
    return RunReport(
        operation=operation,  # type: ignore[arg-type]
        plan="contoso-web",
        instance_id=f"{operation}-contoso-web",
        status=status,  # type: ignore[arg-type]
        started_at=T0,
        ended_at=T0,
        steps=steps,
        **fields,
    )


def dns(points_at: str) -> list[dict[str, Any]]:
    return [{"kind": "dns", "record": "www.contoso.com CNAME", "points_at": points_at}]


def commands(steps: list[NextStep]) -> list[str]:
    return [c for s in steps for c in s.commands]


def text(steps: list[NextStep]) -> str:
    return " ".join(f"{s.title} {s.detail}" for s in steps)


COMPUTE_UP = [
    step("resource_group", GROUP, "create", "succeeded"),
    step("scale_set", WEB, "create", "succeeded", capacity=4),
]


def test_failover_refused_by_forbid_while_the_primary_is_down_offers_the_three_ways_on() -> None:
    refused = "the primary is down (...), so only a data-loss action would work, and policy.data_loss is 'forbid'"
    report = run(
        "failover",
        "failed",
        [
            *COMPUTE_UP,
            step("sql", FG, "planned_failover", "failed", refused, rule="data_loss_needs_policy"),
            step("dns", "www.contoso.com CNAME", "switch_to_secondary", "skipped"),
        ],
        resources=dns("primary"),
    )
    steps = next_steps(report)
    titles = [s.title for s in steps]
    assert titles[0] == "Allow data loss and run the failover again"
    assert any("wait for the primary" in t for t in titles)
    assert any("Release the secondary's compute" in t for t in titles)
    assert "Compute runs in the secondary (web)" in steps[0].detail
    assert "DNS points at the primary" in steps[0].detail
    assert "regionshift failover plans/contoso-web.yaml" in commands(steps)
    assert "regionshift failback plans/contoso-web.yaml" in commands(steps)
    assert "az group delete --name contoso-dr --yes" in commands(steps)
    assert "policy.data_loss: allow" in text(steps)


def test_failover_that_succeeded_points_at_failback_and_at_lost_writes_when_forced() -> None:
    report = run(
        "failover",
        "succeeded",
        [*COMPUTE_UP, step("sql", FG, "forced_failover", "succeeded"), step("dns", "www", "switch", "succeeded")],
        resources=dns("secondary"),
        rpo_seconds=4.2,
    )
    steps = next_steps(report)
    assert steps[0].title.startswith("The workload serves from the secondary")
    assert "DNS points at the secondary" in steps[0].detail
    assert any("lost" in s.title and "RPO estimate 4 s" in s.detail for s in steps)
    assert commands(steps)[-1] == "regionshift failback plans/contoso-web.yaml"


def test_failover_that_failed_before_any_write_says_nothing_changed() -> None:
    report = run(
        "failover",
        "failed",
        [
            step("resource_group", GROUP, "create", "failed", "AuthorizationFailed"),
            step("sql", FG, "planned_failover", "failed", "the target does not answer"),
            step("dns", "www", "switch_to_secondary", "skipped"),
        ],
        reason="resource_group contoso-dr: AuthorizationFailed",
    )
    state = end_state(report)
    assert not state.wrote and not state.data_moved and state.dns == "primary"
    (only,) = next_steps(report)
    assert only.title.startswith("Nothing changed")
    assert "DNS points at the primary" in only.detail and "AuthorizationFailed" in only.detail
    assert only.commands == ["regionshift plan plans/contoso-web.yaml", "regionshift failover plans/contoso-web.yaml"]


def test_failover_with_the_data_split_between_regions_says_so_first() -> None:
    report = run(
        "failover",
        "failed",
        [
            *COMPUTE_UP,
            step("sql", FG, "forced_failover", "succeeded"),
            step("cosmos", COSMOS, "offline_region", "failed", "Cosmos DB answered 503"),
            step("dns", "www", "switch_to_secondary", "skipped"),
        ],
        resources=dns("primary"),
    )
    steps = next_steps(report)
    assert steps[0].title.startswith("The data is split between the regions")
    assert "In the secondary now: fg-orders" in steps[0].detail
    assert "Still in the primary: cosmos-orders" in steps[0].detail
    assert "regionshift failover plans/contoso-web.yaml" in commands(steps)
    assert "regionshift failback plans/contoso-web.yaml" in commands(steps)


def test_failover_stopped_by_readiness_offers_check_and_force() -> None:
    report = run("failover", "failed", [], reason="stopped before any write: compute_quota centralus: needs 24 cores")
    steps = next_steps(report)
    assert steps[0].title.startswith("Nothing changed: fix the failing readiness checks")
    assert "needs 24 cores" in steps[0].detail
    assert "regionshift failover plans/contoso-web.yaml --force" in commands(steps)


def test_failover_not_approved_says_how_a_person_starts_it() -> None:
    report = run("failover", "failed", [step("approval", "contoso-web", "approve", "failed", "rejected by ana")])
    steps = next_steps(report)
    assert steps[0].title == "Nothing changed: the failover was not approved"
    assert "rejected by ana" in steps[0].detail
    assert "POST /api/plans/contoso-web/failover  (the Functions app, with its function key)" in commands(steps)


def test_a_run_refused_by_the_lease_names_the_holder_and_break_glass() -> None:
    lease = {"granted": False, "holder": {"instance_id": "failover-contoso-web", "host": "laptop-ana"}}
    report = run("failback", "failed", [], lease=lease, reason="another run holds this plan")
    steps = next_steps(report)
    assert "failover-contoso-web holds this plan's run lease" in steps[0].detail
    assert "GET /api/runs/failover-contoso-web/page" in steps[0].commands
    assert steps[1].commands == ["regionshift failback plans/contoso-web.yaml --break-lease"]
    assert "dead" in steps[1].title


def test_failback_refused_keeps_the_workload_in_the_secondary() -> None:
    report = run("failback", "failed", [], reason="sql-eus2 does not answer")
    (only,) = next_steps(report)
    assert only.title == "Nothing changed: the primary is not ready yet"
    assert "stays in the secondary" in only.detail and "sql-eus2 does not answer" in only.detail
    assert only.commands[-1] == "regionshift failback plans/contoso-web.yaml"


def test_failback_that_restored_compute_says_the_secondary_serves_again() -> None:
    report = run(
        "failback",
        "failed",
        [
            step("scale_set", WEB, "scale", "succeeded", capacity=0),
            step("sql", FG, "planned_failover", "failed", "FailoverGroupBusy"),
            step("scale_set", WEB, "restore_scale", "succeeded", capacity=4),
            step("dns", "www", "switch_to_primary", "skipped"),
        ],
        resources=dns("secondary"),
    )
    (only,) = next_steps(report)
    assert only.title.startswith("The workload serves from the secondary again")
    assert "DNS points at the secondary" in only.detail
    assert "restore failed" not in only.detail


def test_failback_that_succeeded_suggests_a_drill() -> None:
    report = run("failback", "succeeded", [step("dns", "www", "switch_to_primary", "succeeded")])
    (only,) = next_steps(report)
    assert only.title.startswith("Home")
    assert only.commands == ["regionshift drill plans/contoso-web.yaml"]


def test_drill_passed_and_failed_and_a_drill_group_left_behind() -> None:
    passed = run("drill", "succeeded", [step("resource_group", f"{GROUP}-drill-1", "delete", "succeeded")])
    assert next_steps(passed)[-1].title == "A failover would work now"
    failed = run(
        "drill",
        "failed",
        [step("resource_group", f"{GROUP}-drill-1", "delete", "failed", "409 Conflict")],
        reason="readiness: image_replicated gal/web: no replica in centralus",
    )
    steps = next_steps(failed)
    assert steps[0].commands == ["az group delete --name contoso-dr-drill-1 --yes"]
    assert "no replica in centralus" in steps[-1].detail
    assert steps[-1].commands[-1] == "regionshift drill plans/contoso-web.yaml"


def test_commands_use_the_plan_file_the_caller_knows() -> None:
    report = run("failback", "failed", [], reason="not ready")
    assert next_steps(report, "/srv/dr/contoso.yaml")[0].commands[-1] == "regionshift failback /srv/dr/contoso.yaml"


def test_a_resumed_run_says_so_with_both_start_times_in_the_page_and_the_summary() -> None:
    resumed = Resume(at="2025-03-14T02:41:07+00:00", by="cli:ana", previous_start=T0.isoformat())
    report = run("failback", "succeeded", [], resumes=[resumed])
    page = render_html(report)
    assert "This run was interrupted and resumed" in page
    assert "2025-03-14 02:00:00 UTC" in page and "2025-03-14T02:41:07+00:00 by cli:ana" in page
    console = Console(width=200, record=True, color_system=None)
    console.print(render_text_summary(report))
    summary = console.export_text()
    assert "started 2025-03-14 02:00:00 UTC, resumed 2025-03-14T02:41:07+00:00 by cli:ana" in summary


def test_page_and_summary_end_with_the_next_steps_and_their_commands() -> None:
    report = run("failback", "failed", [], reason="not <ready>")
    page = render_html(report)
    assert "What to do next" in page
    assert "<code>regionshift failback plans/contoso-web.yaml</code>" in page
    assert "not &lt;ready&gt;" in page and "not <ready>" not in page
    console = Console(width=200, record=True, color_system=None)
    console.print(render_text_summary(report, "plans/x.yaml"))
    assert "$ regionshift failback plans/x.yaml" in console.export_text()
