"""Helpers shared by the run lease tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from regionshift.lease import LeaseRequest


def request_for(plan: dict[str, Any], run_id: str, *, operation: str = "failover", **extra: Any) -> LeaseRequest:
    return LeaseRequest(
        plan=plan,
        operation=operation,  # type: ignore[arg-type]
        instance_id=f"{operation}-{plan['name']}",
        run_id=run_id,
        started_by=extra.pop("started_by", f"cli:{run_id}"),
        **extra,
    )


def race_threads(run_ids: list[str], attempt: Callable[[str], bool]) -> list[str]:
    """Start one thread per run, release them together, and return the runs whose attempt won."""
    barrier = threading.Barrier(len(run_ids))
    won: list[str] = []

    def one(run_id: str) -> None:
        barrier.wait()
        if attempt(run_id):
            won.append(run_id)

    threads = [threading.Thread(target=one, args=(run_id,)) for run_id in run_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return won
