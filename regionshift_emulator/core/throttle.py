"""ARM request throttling: a token bucket per subscription and operation kind, on the emulator clock.

Off unless the scenario enables it. Reads are GET/HEAD, deletes DELETE, writes everything else,
as ARM counts them. Every answer carries `x-ms-ratelimit-remaining-subscription-<kind>`; an empty
bucket answers 429 with `Retry-After`: the emulated seconds until one token is back (every
Retry-After the emulator sends counts emulated seconds, see `core.lro`). ARM's buckets and headers:
Learn, "Understand how Azure Resource Manager throttles requests".
"""

from __future__ import annotations

import math

from regionshift_emulator.core.clock import Clock
from regionshift_emulator.core.errors import TooManyRequests
from regionshift_emulator.core.scenario import Bucket, Throttling


def kind_of(method: str) -> str:
    if method in ("GET", "HEAD"):
        return "reads"
    return "deletes" if method == "DELETE" else "writes"


class Throttle:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}  # key → (tokens, at)

    def reset(self) -> None:
        self._buckets.clear()

    def take(self, config: Throttling, subscription_id: str, method: str) -> dict[str, str]:
        """Spend one token; the rate-limit headers to send, or TooManyRequests (429)."""
        if not config.enabled:
            return {}
        kind = kind_of(method)
        bucket: Bucket = getattr(config, kind)
        key = (subscription_id.lower(), kind)
        now = self.clock.now()
        tokens, at = self._buckets.get(key, (float(bucket.burst), now))
        tokens = min(float(bucket.burst), tokens + (now - at) * bucket.per_second)
        header = f"x-ms-ratelimit-remaining-subscription-{kind}"
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            wait = (1 - tokens) / bucket.per_second
            raise TooManyRequests(
                f"Number of '{kind}' requests for subscription '{subscription_id}' exceeded the limit. "
                "Please try again after some time.",
                headers={"Retry-After": str(max(1, math.ceil(wait))), header: "0"},
            )
        tokens -= 1
        self._buckets[key] = (tokens, now)
        return {header: str(int(tokens))}
