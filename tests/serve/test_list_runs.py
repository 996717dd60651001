"""`GET /api/runs` reads every page of the task hub's instances, not the SDK's first page only."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

from regionshift.host import DurableHost, ScaledClock
from regionshift.names import Orchestrators
from regionshift.serve import FunctionsHost

KEY = "list-runs-test-key-0123456789"


def test_recent_runs_are_found_past_the_first_page_of_instances(tmp_path: Path) -> None:
    import function_app

    # The host is never started: the instances stay Pending, nothing runs, only the listing is
    # exercised. Each start is an hour after the last on the host's clock.
    clock = ScaledClock(3_600_000.0, start=datetime(2030, 1, 1, tzinfo=UTC))
    host = DurableHost(function_app.app, tmp_path / "durable.sqlite", clock=clock)
    try:
        started = []
        for i in range(130):
            # Older runs sort late ("z..."), the newest early ("a..."): in instance-id order, which
            # is how Azure Storage lists, the newest are not all on the first page of 100.
            instance_id = f"drill-{'a' if i >= 120 else 'z'}{i:03}"
            host.start_new(Orchestrators.DRILL, {"plan": {}}, instance_id=instance_id)
            started.append(instance_id)
            host.start_new(Orchestrators.READINESS, {"plan": {}}, instance_id=f"{instance_id}:readiness")
        assert len(host.list_instances()) == 100 and host.list_instances().continuation

        functions = FunctionsHost(function_app.app, host.serve_client_api(), function_key=KEY)
        answer = functions.handle("GET", "/api/runs?limit=15", {"x-functions-key": KEY}, b"")
    finally:
        host.close()

    assert answer.status == 200, answer.body[:500]
    runs = json.loads(answer.body)["runs"]
    newest_first = list(reversed(started))[:15]
    assert [r["instance_id"] for r in runs] == newest_first  # not sub-orchestrations, newest first
    created = [datetime.fromisoformat(r["created"]) for r in runs]
    assert all(a - b >= timedelta(minutes=1) for a, b in pairwise(created))
