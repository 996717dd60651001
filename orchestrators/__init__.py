"""Orchestrators: deterministic Durable generators. They only yield activities,
sub-orchestrations, timers and events — no I/O, clock, randomness or uuids.

Each module exposes a `bp` blueprint that function_app.py registers.
"""

from orchestrators import compute, dns, drill, failback, failover, fanout, readiness, replicas, scheduled_check

blueprints = [
    failover.bp,
    failback.bp,
    drill.bp,
    compute.bp,
    replicas.bp,
    dns.bp,
    fanout.bp,
    readiness.bp,
    scheduled_check.bp,
]
