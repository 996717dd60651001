"""ARM's request budget: paced per subscription, and a throttled probe waits and asks again."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from activities.sql import sql_assess
from orchestrators.steps import activity_input
from regionshift.azure import budget as budget_module
from regionshift.azure.budget import Bucket, Budget, critical, kind_of
from regionshift_emulator.harness import app_on_emulator, example_plan
from regionshift_emulator.testing import wait_until


def test_a_bucket_gives_its_burst_then_one_token_per_refill_interval() -> None:
    bucket = Bucket(capacity=3, refill=2.0)
    bucket.stamp = 100.0
    assert [bucket.take(100.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take(100.0) == pytest.approx(0.5)  # the fourth waits for the next token
    assert bucket.take(101.0) == pytest.approx(0.0)  # a second later two more came (one was owed)


def test_arm_says_how_many_are_left_and_the_budget_never_believes_in_more() -> None:
    budget = Budget()
    budget.wait("sub", "reads")
    budget.observe("sub", "reads", 3)
    bucket = budget._buckets[("sub", "reads")]
    assert bucket.tokens == 3
    budget.observe("sub", "reads", 100)
    assert bucket.tokens == 3


def test_methods_count_against_arms_three_buckets() -> None:
    assert [kind_of(m) for m in ("GET", "HEAD", "PUT", "POST", "PATCH", "DELETE")] == [
        "reads",
        "reads",
        "writes",
        "writes",
        "writes",
        "deletes",
    ]


def test_a_throttled_probe_waits_out_retry_after_and_gets_its_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = example_plan()
    throttling = {"enabled": True, "reads": {"burst": 2, "per_second": 20}}
    with app_on_emulator(plan, {"throttling": throttling}, tmp_path, monkeypatch) as emu:
        found = [sql_assess(activity_input(plan, plan.sql_failover_groups[0])) for _ in range(4)]
        assert all(f["target"]["answered"] and f["source"]["answered"] for f in found), found
        assert any(r["status"] == 429 for r in emu.state.request_log)  # ARM did throttle them


def test_when_tokens_are_short_the_critical_path_is_served_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """A read that starts a scale set's creation, made while other reads wait for the
    subscription's tokens, takes the next token: the line decides who goes, not how many. The
    budget's clock is held still until all three wait, then moved one token at a time."""
    now = [time.monotonic()]
    monkeypatch.setattr(budget_module, "time", SimpleNamespace(monotonic=lambda: now[0]))
    monkeypatch.setitem(budget_module.LIMITS, "reads", (1.0, 20.0))  # one token, then one every 50 ms
    budget = Budget()
    budget.wait("sub", "reads")  # the burst is spent
    bucket = budget._buckets[("sub", "reads")]
    served: list[str] = []

    def ask(name: str, first: bool) -> None:
        if first:
            with critical():
                budget.wait("sub", "reads")
        else:
            budget.wait("sub", "reads")
        served.append(name)

    threads = [
        threading.Thread(target=ask, args=args) for args in (("other0", False), ("other1", False), ("critical", True))
    ]
    for count, thread in enumerate(threads, start=1):
        thread.start()
        wait_until(lambda count=count: len(bucket.line) == count, what=f"{count} in line")
    for served_now in (1, 2, 3):
        now[0] += 0.06  # one more token (and a little: the clock is a float)
        wait_until(lambda n=served_now: len(served) == n, what=f"{served_now} served")
    for thread in threads:
        thread.join(10)
    assert served == ["critical", "other0", "other1"]
    assert bucket.line == []
