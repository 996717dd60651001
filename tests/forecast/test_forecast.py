"""The RTO forecast: figures by step kind from a plan's reports, else documented ones; the critical
path; the target; and the compact shape an approval request forecasts from."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from regionshift.azure.planned import PlannedStep
from regionshift.contracts import RunReport, StepOutcome
from regionshift.forecast import DOCUMENTED, forecast, forecast_shape, history_from_reports, percentile, shape
from regionshift.forecast_history import reports_in_folder
from regionshift.reports.target import rto_against_target
from regionshift_emulator.harness import example_plan

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def step(kind: str, action: str, start: float, end: float, status: str = "succeeded") -> StepOutcome:
    return StepOutcome(
        kind=kind,  # type: ignore[arg-type]
        resource=kind,
        action=action,
        status=status,  # type: ignore[arg-type]
        started_at=T0 + timedelta(seconds=start),
        ended_at=T0 + timedelta(seconds=end),
    )


def report(steps: list[StepOutcome], plan: str = "contoso-web", operation: str = "failover") -> RunReport:
    return RunReport(
        operation=operation,  # type: ignore[arg-type]
        plan=plan,
        instance_id=f"{operation}-{plan}",
        status="succeeded",
        started_at=T0,
        ended_at=max(s.ended_at for s in steps if s.ended_at),
        steps=steps,
    )


def planned(kind: str, action: str, status: str = "to_do") -> PlannedStep:
    return PlannedStep(kind=kind, resource=f"{kind}-1", action=action, status=status)  # type: ignore[arg-type]


def test_nearest_rank_percentiles() -> None:
    assert (percentile([5.0], 0.5), percentile([5.0], 0.9)) == (5.0, 5.0)
    values = [float(v) for v in range(1, 11)]
    assert (percentile(values, 0.5), percentile(values, 0.9)) == (5.0, 9.0)


def test_history_counts_succeeded_steps_and_the_start_of_runs_without_approval() -> None:
    runs = [
        report(
            [
                step("sql", "planned_failover", 10, 70),
                step("scale_set", "create", 12, 212),
                step("dns", "switch_to_secondary", 220, 222),
            ]
        ),
        report([step("sql", "planned_failover", 8, 100, status="failed"), step("approval", "approve", 0, 0)]),
    ]
    history = history_from_reports(runs)
    assert history == {
        "sql.planned_failover": [60.0],
        "scale_set.create": [200.0],
        "dns.switch": [2.0],
        "phase.start": [10.0],
    }


def test_without_history_the_documented_figures_are_used_and_cited() -> None:
    plan = example_plan(data_loss="forbid")
    steps = [
        planned("sql", "planned_failover"),
        planned("cosmos", "planned_failover"),
        planned("dns", "switch_to_secondary"),
    ]
    predicted = forecast(plan, steps, {}, dns_ttl=60)
    cosmos = DOCUMENTED["cosmos.planned_failover"]
    expected = DOCUMENTED["phase.start"].p50 + cosmos.p50 + DOCUMENTED["phase.guard"].p50 + DOCUMENTED["dns.switch"].p50
    assert predicted.p50_seconds == expected
    assert predicted.critical == "cosmos-1"
    assert "Consistency levels in Azure Cosmos DB" in predicted.legs[1].source
    assert predicted.notes == ["clients may keep the old DNS answer up to 60 s (the largest TTL) after the RTO"]


def test_a_forced_step_without_history_waits_the_evidence_window_first() -> None:
    plan = example_plan(outage_evidence={"failed_probes": 3, "window_seconds": 600})
    predicted = forecast(plan, [planned("sql", "forced_failover")], {})
    (leg,) = [leg for leg in predicted.legs if leg.phase == "fan_out"]
    assert (leg.p50_seconds, leg.p90_seconds) == (30 + 600, 60 + 600)
    assert "600 s evidence window" in leg.source


def test_the_compute_branch_is_its_group_then_its_slowest_scale_set() -> None:
    history = {"resource_group.create": [4.0], "scale_set.create": [100.0, 300.0], "sql.planned_failover": [50.0]}
    steps = [planned("resource_group", "create"), planned("scale_set", "create"), planned("sql", "planned_failover")]
    predicted = forecast(example_plan(), steps, history)
    fan_out = next(leg for leg in predicted.legs if leg.phase == "fan_out")
    assert (fan_out.key, fan_out.p50_seconds, fan_out.p90_seconds) == (
        "resource_group.create+scale_set.create",
        104.0,
        304.0,
    )
    assert fan_out.source == "1 recent run step(s) of this plan; 2 recent run step(s) of this plan"


def test_a_p90_over_the_target_warns_first() -> None:
    plan = example_plan(rto_target_minutes=5)
    predicted = forecast(plan, [planned("cosmos", "planned_failover")], {})
    assert predicted.over_target and predicted.target_seconds == 300
    assert predicted.notes[0].startswith("the p90 (") and "exceeds the RTO target (5.0 min)" in predicted.notes[0]
    assert "OVER the target of 5.0 min" in predicted.summary()


def test_a_shape_is_one_step_per_kind_whatever_the_plan_size() -> None:
    from regionshift_emulator.estates import generated_plan

    plan = generated_plan(1000)
    data = shape(plan, forced=True)
    assert [(s["kind"], s["action"]) for s in data["steps"]] == [  # type: ignore[attr-defined]
        ("sql", "forced_failover"),
        ("cosmos", "forced_failover"),
        ("resource_group", "create"),
        ("scale_set", "create"),
        ("scale_set", "scale"),
        ("dns", "switch_to_secondary"),
    ]
    full = [planned("sql", "forced_failover")] * 3
    assert forecast_shape(data, {}).p50_seconds >= forecast(plan, full, {}).p50_seconds


def test_reports_are_read_for_this_plan_only(tmp_path: Path) -> None:
    ours = report([step("sql", "planned_failover", 1, 31)])
    other = report([step("sql", "planned_failover", 1, 99)], plan="contoso-web-2")
    (tmp_path / "failover-contoso-web-20260101T000000Z.json").write_text(ours.model_dump_json())
    (tmp_path / "failover-contoso-web-2-20260101T000000Z.json").write_text(other.model_dump_json())
    (tmp_path / "failover-contoso-web-20260102T000000Z.json").write_text("{not json")
    assert reports_in_folder("contoso-web", tmp_path) == [ours]


def test_the_report_says_how_the_rto_compares_with_the_target() -> None:
    base = report([step("sql", "planned_failover", 1, 31)])
    assert rto_against_target(base) is None
    within = base.model_copy(update={"rto_seconds": 240.0, "rto_target_seconds": 300.0})
    over = base.model_copy(update={"rto_seconds": 420.0, "rto_target_seconds": 300.0})
    assert rto_against_target(within) == ("within the target of 5 m 00 s", False)
    assert rto_against_target(over) == ("over the target of 5 m 00 s by 2 m 00 s", True)
    assert rto_against_target(within.model_copy(update={"rto_seconds": None})) == ("target 5 m 00 s: not reached", True)


def test_the_html_page_and_the_summary_show_the_rto_against_the_target() -> None:
    from rich.console import Console

    from regionshift.reports import render_html, render_text_summary

    over = report([step("sql", "planned_failover", 1, 31)]).model_copy(
        update={"rto_seconds": 420.0, "rto_target_seconds": 300.0}
    )
    assert "over the target of 5 m 00 s by 2 m 00 s" in render_html(over)
    console = Console(width=200, record=True)
    console.print(render_text_summary(over))
    assert "(over the target of 5 m 00 s by 2 m 00 s)" in console.export_text()


def test_a_run_report_carries_the_plan_target() -> None:
    from orchestrators.steps import report as build

    plan = example_plan(rto_target_minutes=15)
    built = build("failover", plan, "failover-x", T0, T0 + timedelta(seconds=60), [], "test")
    assert (built["rto_seconds"], built["rto_target_seconds"]) == (60.0, 900.0)
