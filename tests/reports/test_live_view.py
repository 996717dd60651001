"""The live run view from Durable instances: rows per branch, the approval, readiness, the RTO clock;
and its page: self-contained, escaped, refreshing itself until the run has finished."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from report_samples import failover_report

from regionshift.reports.live import Instance, build_live_run, latest
from regionshift.reports.live_html import CSP, render_live_page, render_runs_page

T0 = datetime(2025, 3, 14, 2, 0, tzinfo=UTC)
FG = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Sql/servers/sql-eus2/failoverGroups/fg-orders"
HOSTILE = 'www"><script>alert(1)</script>'
PLAN = {
    "name": "contoso<b>",
    "dns_records": [{"zone": "contoso.com", "name": HOSTILE, "type": "CNAME"}],
}


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def instance(suffix: str, name: str, status: str = "Running", **fields: Any) -> Instance:
    return Instance(instance_id=f"failover-x{suffix}", name=name, runtime_status=status, **fields)


def run(status: str = "Running", **fields: Any) -> Instance:
    defaults: dict[str, Any] = {
        "created": at(0),
        "last_updated": at(30),
        "custom_status": {"phase": "data_and_compute"},
        "input": {"plan": PLAN},
    }
    return instance("", "failover", status, **{**defaults, **fields})


def sql_branch(status: str = "Running", **fields: Any) -> Instance:
    item = {"item": {"server": "sql-eus2", "name": "fg-orders"}}
    return instance(":b0:sql0", "sql_branch", status, created=at(10), last_updated=at(40), input=item, **fields)


def test_a_running_branch_shows_its_own_state_and_elapsed_time() -> None:
    branch = sql_branch(custom_status={"kind": "sql", "resource": FG, "state": "probing"})
    view = build_live_run(run(), [branch], at(70))
    (row, dns) = view.rows
    assert (row.step, row.resource, row.status, row.elapsed_s) == ("SQL failover group", "fg-orders", "probing", 60)
    assert (dns.step, dns.status) == ("DNS record", "pending")
    assert view.clock_s == 70 and view.phase_words == "failing data and compute over"


def test_a_branch_before_its_first_state_is_named_from_its_input_and_a_finished_one_from_its_outcome() -> None:
    assert build_live_run(run(), [sql_branch()], at(20)).rows[0].resource == "sql-eus2/fg-orders"
    outcome = {"kind": "sql", "resource": FG, "action": "forced_failover", "status": "succeeded"}
    done = sql_branch("Completed", output=outcome | {"detail": "forced"})
    row = build_live_run(run(), [done], at(90)).rows[0]
    assert (row.resource, row.status, row.detail, row.elapsed_s) == ("fg-orders", "succeeded", "forced", 30)


def test_dns_rows_follow_the_phase() -> None:
    assert build_live_run(run(custom_status={"phase": "dns"}), [], at(5)).rows[0].status == "running"
    assert build_live_run(run(custom_status={"phase": "publishing"}), [], at(5)).rows[0].status == "finishing"


def test_the_resource_group_is_done_once_a_scale_set_of_its_group_exists() -> None:
    compute = instance(":compute", "provision_compute", created=at(1), input={"resource_group": "contoso-dr"})
    vmss = instance(":compute:vmss-web", "scale_set_branch", created=at(2), input={"item": {"name": "web"}})
    assert build_live_run(run(), [compute], at(3)).rows[0].status == "running"
    rows = build_live_run(run(), [compute, vmss], at(3)).rows
    assert [(r.resource, r.status) for r in rows[:2]] == [("contoso-dr", "succeeded"), ("web", "running")]


def test_approval_waiting_then_decided() -> None:
    ledger = {"required": 2, "approvers": ["ana"]}
    waiting = instance(
        ":approval",
        "approval",
        created=at(0),
        custom_status={"phase": "awaiting_approval", "approval": ledger, "expires_at": "soon"},
    )
    view = build_live_run(run(custom_status={"phase": "approval"}), [waiting], at(45))
    assert view.approval is not None
    assert (view.approval.state, view.approval.waited_s, view.approval.required) == ("waiting", 45, 2)
    assert view.approval.decided_by == ["ana"]
    decided = instance(
        ":approval",
        "approval",
        "Completed",
        created=at(0),
        last_updated=at(50),
        output={"decision": "rejected", "rejected_by": {"approver": "bo"}},
    )
    view = build_live_run(run(), [decided], at(60))
    assert view.approval is not None and (view.approval.state, view.approval.decided_by) == ("rejected", ["bo"])


def test_readiness_results_once_the_checks_are_done() -> None:
    check = {"kind": "check", "resource": "quota", "action": "compute_quota", "status": "failed", "detail": "no"}
    assert build_live_run(run(), [instance(":readiness", "readiness")], at(1)).readiness is None
    done = instance(":readiness", "readiness", "Completed", output=[check])
    readiness = build_live_run(run(), [done], at(1)).readiness
    assert readiness is not None and [c.status for c in readiness] == ["failed"]


def test_a_finished_run_shows_its_reports_steps_and_rto() -> None:
    report = failover_report()
    view = build_live_run(run("Completed", output=report.model_dump(mode="json")), [], at(300))
    assert view.finished and view.clock_s == report.rto_seconds
    assert [r.resource for r in view.rows][:2] == ["fg-orders", "cosmos-orders"]


def test_now_is_the_latest_moment_an_instance_reports_when_the_wall_clock_is_behind() -> None:
    assert latest([run(last_updated=at(500))], at(100)) == at(500)
    assert latest([run(last_updated=at(50))], at(100)) == at(100)


def test_the_page_escapes_plan_data_and_allows_only_its_own_script() -> None:
    branch = sql_branch(custom_status={"resource": HOSTILE, "state": "waiting"})
    page = render_live_page(build_live_run(run(), [branch], at(70)), "code=k%26y")
    assert "<script>alert" not in page and "contoso<b>" not in page
    assert "www&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<script>") == 1
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'", CSP) and "unsafe-inline'; img" in CSP
    assert "http://" not in page and "https://" not in page  # nothing from outside
    assert 'data-final="no"' in page and '<meta http-equiv="refresh"' in page  # noscript fallback


def test_the_finished_page_links_the_report_with_the_key_and_stops_refreshing() -> None:
    report = failover_report().model_copy(update={"links": ["reports/x.html"]})
    page = render_live_page(
        build_live_run(run("Completed", output=report.model_dump(mode="json")), [], at(1)), "code=abc"
    )
    assert 'data-final="yes"' in page and 'http-equiv="refresh"' not in page
    assert 'href="/api/runs/failover-x/report?code=abc"' in page
    assert "What to do next" in page and "reports/x.html" in page


def test_the_runs_page_groups_by_plan_newest_first() -> None:
    old = build_live_run(run(created=at(0)), [], at(900))
    new = build_live_run(instance("-2", "failback", "Running", created=at(600), input={"plan": PLAN}), [], at(900))
    page = render_runs_page([old, new], "code=abc")
    assert page.index("failover-x-2") < page.index("failover-x/page")
    assert "contoso&lt;b&gt;" in page and 'href="/api/runs/failover-x-2/page?code=abc"' in page
