"""ARM's request budget, spent on purpose: requests are paced per subscription, not thrown at ARM.

Azure Resource Manager throttles with a token bucket per subscription (and region and principal):
reads start with 250 tokens, refilled at 25 a second; writes and deletes with 200, refilled at 10
a second; a request without a token is answered 429 with `Retry-After` ("Understand how Azure
Resource Manager throttles requests", Learn: "Regional throttling and token bucket algorithm").
A failover of a thousand resources issues thousands of reads in a minute, so without pacing the
reads that decide things (is the primary down? is the target healthy?) come back 429 just when they
matter. `BudgetPolicy` keeps a bucket of the same shape per subscription and kind in this process,
takes a token before each request (waiting for one when the bucket is empty), and lowers its count
to what ARM says is left (`x-ms-ratelimit-remaining-subscription-<kind>`), so other clients of the
subscription are accounted for too. A 429 that still comes is retried after its Retry-After
(clients.py); throttling never counts as a region's answer (regionshift.safety).

When tokens are short, requests wait in line, and the requests of the critical path go first
(`critical()`: the reads and writes that start the longest operations, the failover resource group
and its scale sets' creation), so that a thousand data branches' reads never delay the start of
the operation that bounds the run's RTO. The line does not spend more than ARM gives: it only
decides who gets the next token.

`time_scale` is the embedded host's clock speed (1 in Azure): under `--simulate` time runs faster,
and so does the emulator's own bucket.
"""

from __future__ import annotations

import heapq
import itertools
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from azure.core.pipeline import PipelineRequest, PipelineResponse
from azure.core.pipeline.policies import SansIOHTTPPolicy

# (burst, refill per second), ARM's documented defaults.
LIMITS = {"reads": (250.0, 25.0), "writes": (200.0, 10.0), "deletes": (200.0, 10.0)}
_SUBSCRIPTION = re.compile(r"/subscriptions/([^/?]+)", re.IGNORECASE)


@dataclass
class Bucket:
    capacity: float
    refill: float  # tokens per (scaled) second
    tokens: float = field(init=False)
    stamp: float = field(default_factory=time.monotonic)

    line: list[tuple[int, int]] = field(default_factory=list)  # (0 critical | 1 other, arrival): a heap

    def __post_init__(self) -> None:
        self.tokens = self.capacity

    def refresh(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + max(0.0, now - self.stamp) * self.refill)
        self.stamp = max(self.stamp, now)

    def take(self, now: float) -> float:
        """Take a token; the seconds to wait first (0 when one is there)."""
        self.refresh(now)
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.refill


_CRITICAL = threading.local()


@contextmanager
def critical() -> Iterator[None]:
    """The requests this thread makes inside go first when their subscription's tokens are short."""
    _CRITICAL.depth = getattr(_CRITICAL, "depth", 0) + 1
    try:
        yield
    finally:
        _CRITICAL.depth -= 1


class Budget:
    """Every bucket of this process, per subscription and kind (reads, writes, deletes)."""

    def __init__(self, time_scale: float = 1.0) -> None:
        self.time_scale = time_scale
        self._lock = threading.Condition()
        self._buckets: dict[tuple[str, str], Bucket] = {}
        self._arrivals = itertools.count()

    def wait(self, subscription: str, kind: str) -> None:
        """Take a token of the subscription's `kind`, in line: critical requests first, then in order
        of arrival; the head of the line waits for the next token, the others for their turn."""
        burst, refill = LIMITS[kind]
        place = (0 if getattr(_CRITICAL, "depth", 0) else 1, next(self._arrivals))
        with self._lock:
            bucket = self._buckets.get((subscription, kind))
            if bucket is None:
                bucket = self._buckets[(subscription, kind)] = Bucket(burst, refill * self.time_scale, time.monotonic())
            heapq.heappush(bucket.line, place)
            try:
                while True:
                    bucket.refresh(time.monotonic())
                    if bucket.line[0] == place and bucket.tokens >= 1:
                        bucket.tokens -= 1
                        return
                    head = bucket.line[0] == place
                    self._lock.wait((1 - bucket.tokens) / bucket.refill if head else None)
            finally:  # served, or interrupted: out of the line either way, and the next may go
                bucket.line.remove(place)
                heapq.heapify(bucket.line)
                self._lock.notify_all()

    def observe(self, subscription: str, kind: str, remaining: int) -> None:
        """ARM says how many are left: never believe there are more (other clients spend them too)."""
        with self._lock:
            bucket = self._buckets.get((subscription, kind))
            if bucket is not None:
                bucket.tokens = min(bucket.tokens, float(remaining))


def kind_of(method: str) -> str:
    return "reads" if method in ("GET", "HEAD") else ("deletes" if method == "DELETE" else "writes")


class BudgetPolicy(SansIOHTTPPolicy[Any, Any]):
    """Pace each ARM request to its subscription's budget (a per-call pipeline policy)."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget

    def on_request(self, request: PipelineRequest[Any]) -> None:
        found = _SUBSCRIPTION.search(request.http_request.url)
        if found:
            self.budget.wait(found.group(1).lower(), kind_of(request.http_request.method.upper()))

    def on_response(self, request: PipelineRequest[Any], response: PipelineResponse[Any, Any]) -> None:
        found = _SUBSCRIPTION.search(request.http_request.url)
        if not found:
            return
        kind = kind_of(request.http_request.method.upper())
        remaining = response.http_response.headers.get(f"x-ms-ratelimit-remaining-subscription-{kind}")
        if remaining and remaining.isdigit():
            self.budget.observe(found.group(1).lower(), kind, int(remaining))
