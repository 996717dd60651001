"""The replication link of a SQL failover group after failovers: its state and lag over time.

A group's link (`internal["link"]`) is:
- `healthy`: geo-replication runs; `replicationState` is CATCH_UP while the partner answers and
  SUSPENDED while it does not; the lag grows while the secondary cannot receive and freezes while
  the primary is down (nothing new is written there).
- `suspended`, after a forced failover: the old primary is cut off. "When the original primary
  server is back online, all formerly primary databases in it will switch to the secondary role"
  (Switch-AzSqlDatabaseFailoverGroup, Learn); until then, and until it has reconnected, the link
  shows SUSPENDED (as a forced failover leaves the old primary's databases: "transition into the
  SUSPENDED state", Learn, forced failover of an availability group). The lag grows with every
  second the new primary writes.
- `reconnecting`: the old primary's region is back; it reconnects as secondary after `sql.reconnect`
  emulated seconds, counted from when the emulator first sees the region back (the region going down
  again puts the link back to `suspended`). Still SUSPENDED.
- `catching_up`: reconnected; replicationState CATCH_UP and the lag falls linearly to the normal few
  seconds over `sql.catchUp` emulated seconds; then `healthy` again.
Azure documents neither duration: both are scenario `latencies` (defaults in the SQL ServiceSpec),
and a planned failover is refused (times out) until the link has reconnected, the harsher reading of
"a planned failover synchronises data before switching roles".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from regionshift_emulator.core.store import Resource

if TYPE_CHECKING:
    from regionshift_emulator.core.state import EmulatorState

NORMAL_LAG_SECONDS = 5.0  # geo-replication is asynchronous; a few seconds behind is typical
RECONNECT = "sql.reconnect"
CATCH_UP = "sql.catchUp"
SERVICE = "sql"


def suspend(group: Resource, now: float) -> None:
    """A forced failover just completed: the old primary is cut off."""
    group.internal.update(link="suspended", link_since=now, lag_at_reconnect=None)


def can_sync(group: Resource) -> bool:
    """Can a planned failover synchronise both sides (the link is up, or catching up)?"""
    return group.internal.get("link", "healthy") in ("healthy", "catching_up")


def replication_state(group: Resource, partner_answers: bool) -> str:
    link = group.internal.get("link", "healthy")
    if link in ("suspended", "reconnecting"):
        return "SUSPENDED"
    if link == "catching_up":
        return "CATCH_UP"
    return "CATCH_UP" if partner_answers else "SUSPENDED"


def advance(state: EmulatorState, group: Resource, primary: Resource, secondary: Resource) -> None:
    """Move the link on and set the lag, at the emulator's now (called from the SQL backend's tick)."""
    internal, now = group.internal, state.clock.now()
    link = internal.get("link", "healthy")
    secondary_down = state.region_down(secondary.location, SERVICE)
    if link == "suspended" and not secondary_down:
        internal.update(link="reconnecting", reconnect_at=now + state.operation_duration(RECONNECT))
        link = "reconnecting"
    if link == "reconnecting":
        if secondary_down:
            internal.update(link="suspended")
            link = "suspended"
        elif now >= internal["reconnect_at"]:
            lag = NORMAL_LAG_SECONDS + now - internal["link_since"]
            internal.update(
                link="catching_up",
                lag_at_reconnect=lag,
                catch_up_from=now,
                catch_up_until=now + state.operation_duration(CATCH_UP),
            )
            link = "catching_up"
    if link in ("suspended", "reconnecting"):
        internal["replication_lag_seconds"] = NORMAL_LAG_SECONDS + now - internal["link_since"]
    elif link == "catching_up":
        span = internal["catch_up_until"] - internal["catch_up_from"]
        left = 0.0 if span <= 0 else max(0.0, internal["catch_up_until"] - now) / span
        behind = internal["lag_at_reconnect"] - NORMAL_LAG_SECONDS
        internal["replication_lag_seconds"] = NORMAL_LAG_SECONDS + behind * left
        if now >= internal["catch_up_until"]:
            internal["link"] = "healthy"
    elif not state.region_down(primary.location, SERVICE):
        age = state.outage_age(secondary.location, SERVICE)
        internal["replication_lag_seconds"] = NORMAL_LAG_SECONDS + (age or 0.0)
