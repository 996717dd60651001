"""The run pages through the app's triggers and the real Durable client, on the embedded host's HTTP
API: every branch of a large run is on its page (its sub-orchestrations are listed by the run's id
prefix, page after page of 100), the recent-runs page lists runs and not their branches, and what
is not a run, or has no report yet, says so."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from regionshift.host import DurableHost, ScaledClock
from regionshift.names import Orchestrators
from regionshift.serve import FunctionsHost

KEY = "run-pages-test-key-0123456789"
RUN = "failover-big"
BRANCHES = 130  # more than one page of the list API (100)


@pytest.fixture
def functions(tmp_path: Path) -> Iterator[FunctionsHost]:
    import function_app

    # Never started: the instances stay Pending and nothing runs; only reading them is exercised.
    clock = ScaledClock(1000.0, start=datetime(2030, 1, 1, tzinfo=UTC))
    host = DurableHost(function_app.app, tmp_path / "durable.sqlite", clock=clock)
    plan = {"name": "big", "dns_records": [{"zone": "contoso.com", "name": "www", "type": "CNAME"}]}
    host.start_new(Orchestrators.FAILOVER, {"plan": plan}, instance_id=RUN)
    for i in range(BRANCHES):
        item = {"item": {"server": "sql-eus2", "name": f"fg-{i:03}"}}
        host.start_new(Orchestrators.SQL_BRANCH, item, instance_id=f"{RUN}:b{i // 25}:sql{i}")
    host.start_new(Orchestrators.SQL_BRANCH, {"item": {"name": "other"}}, instance_id="failover-bigger:sql0")
    try:
        yield FunctionsHost(function_app.app, host.serve_client_api(), function_key=KEY)
    finally:
        host.close()


def _get(functions: FunctionsHost, path: str, key: bool = True) -> tuple[int, str]:
    answer = functions.handle("GET", path, {"x-functions-key": KEY} if key else {}, b"")
    return answer.status, answer.body.decode()


def test_every_branch_of_a_large_run_is_on_its_page(functions: FunctionsHost) -> None:
    status, page = _get(functions, f"/api/runs/{RUN}/page")
    assert status == 200, page[:500]
    rows = [f"sql-eus2/fg-{i:03}" for i in range(BRANCHES)]
    assert all(f'data-resource="{row}"' in page for row in rows)
    assert 'data-resource="other"' not in page  # another run's branch, though its id shares the prefix text
    assert 'data-resource="www.contoso.com CNAME"' in page


def test_the_recent_runs_page_lists_runs_not_branches(functions: FunctionsHost) -> None:
    status, page = _get(functions, "/api/runs?format=html")
    assert status == 200
    assert f"/api/runs/{RUN}/page" in page and f"{RUN}:b0" not in page


def test_what_is_not_a_run_or_has_no_report_says_so(functions: FunctionsHost) -> None:
    assert _get(functions, "/api/runs/nope/page")[0] == 404
    assert _get(functions, f"/api/runs/{RUN}:b0:sql0/page")[0] == 404  # a branch is not a run
    status, body = _get(functions, f"/api/runs/{RUN}/report")
    assert status == 409 and "has no report yet" in body
    assert _get(functions, f"/api/runs/{RUN}/page", key=False)[0] == 401
