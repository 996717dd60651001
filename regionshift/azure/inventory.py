"""Reading a plan's resources in slices: the report's final state, and the guard before DNS.

`slices` cuts a plan into parts of at most `size` resources (pure: orchestrators call it while
replaying); `describe_slice` and `read_slice` read one part, a few resources at a time in
threads, so a thousand resources are read in seconds, not one after another.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from regionshift.azure import compute, cosmos, dns, resources, sql
from regionshift.azure.clients import AzureClients
from regionshift.contracts import PlanSlice
from regionshift.plan import CosmosAccount, DnsRecord, Plan, PlanContext, ScaleSet, SqlFailoverGroup
from regionshift.safety import Reading

T = TypeVar("T")
SLICE_SIZE = 25
READ_THREADS = 4  # per activity: with many activities at once, ARM's read budget is the limit


def slices(
    plan: Plan, *, size: int = SLICE_SIZE, data: bool = True, dns: bool = True, compute: bool = True, **fields: Any
) -> list[PlanSlice]:
    """The plan's resources in parts of at most `size`, in plan order (SQL, Cosmos, compute, DNS)."""
    items: list[tuple[str, dict[str, Any]]] = []
    if data:
        items += [("sql_failover_groups", g.model_dump(mode="json")) for g in plan.sql_failover_groups]
        items += [("cosmos_accounts", a.model_dump(mode="json")) for a in plan.cosmos_accounts]
    if compute:
        items += [("scale_sets", s.model_dump(mode="json")) for s in plan.scale_sets]
    if dns:
        items += [("dns_records", r.model_dump(mode="json")) for r in plan.dns_records]
    context = plan.context().model_dump(mode="json")
    parts: list[PlanSlice] = []
    for start in range(0, max(len(items), 1), size):
        lists: dict[str, list[dict[str, Any]]] = {}
        for key, item in items[start : start + size]:
            lists.setdefault(key, []).append(item)
        parts.append(PlanSlice.model_validate({"plan": context, **lists, **fields}))
    return parts


# One pool for the process: its threads keep their clients (one per thread, see clients.py) and so
# their connections, instead of a TLS handshake per read.
_POOL = ThreadPoolExecutor(READ_THREADS * 4, thread_name_prefix="regionshift-read")


def in_parallel(work: list[Callable[[], T]]) -> list[T]:
    """Run the reads in a few threads of the shared pool; their results in the order given."""
    if len(work) <= 1:
        return [w() for w in work]
    chunks = [work[i::READ_THREADS] for i in range(min(READ_THREADS, len(work)))]
    results = list(_POOL.map(lambda chunk: [w() for w in chunk], chunks))
    # back in the order given
    out: list[T] = [None] * len(work)  # type: ignore[list-item]
    for i, chunk_results in enumerate(results):
        out[i :: len(chunks)] = chunk_results
    return out


def describe_slice(clients: AzureClients, part: PlanSlice) -> list[dict[str, Any]]:
    """Read-only: one entry per resource, each saying where it stands now (or why it cannot be read)."""
    plan = PlanContext.model_validate(part.plan)
    group = part.resource_group or plan.failover_resource_group
    work: list[Callable[[], dict[str, Any]]] = []
    work += [partial(sql.describe, clients, plan, SqlFailoverGroup.model_validate(g)) for g in part.sql_failover_groups]
    work += [partial(cosmos.describe, clients, plan, CosmosAccount.model_validate(a)) for a in part.cosmos_accounts]
    if part.include_group:
        work.append(partial(resources.describe_group, clients, plan.subscription_id, group))
    work += [partial(compute.describe, clients, plan, ScaleSet.model_validate(s), group) for s in part.scale_sets]
    work += [partial(dns.describe, clients, plan, DnsRecord.model_validate(r)) for r in part.dns_records]
    return in_parallel(work)


def read_slice(clients: AzureClients, part: PlanSlice) -> list[Reading]:
    """The split-brain guard's reads: is every data primary, write region and scale set in the target?"""
    plan = PlanContext.model_validate(part.plan)
    back = part.direction == "to_primary"
    group = part.resource_group or plan.failover_resource_group
    work: list[Callable[[], Reading]] = []
    work += [
        partial(sql.reading, clients, plan, SqlFailoverGroup.model_validate(g), to_primary=back)
        for g in part.sql_failover_groups
    ]
    work += [
        partial(cosmos.reading, clients, plan, CosmosAccount.model_validate(a), to_primary=back)
        for a in part.cosmos_accounts
    ]
    scale_sets = [ScaleSet.model_validate(s) for s in part.scale_sets]
    return in_parallel(work) + compute.readings(clients, plan, scale_sets, group, part.capacity)
