"""Azure Cosmos DB accounts (Microsoft.DocumentDB): regions, failover priorities, state and rules.

The account keeps its regions in failover-priority order (index 0 is the write region) and the set
of regions taken offline. Rules, as Azure documents them:

- `failoverPriorityChange` (manual failover) needs every region involved to answer: during an
  outage of the write region, or towards a region that is down or offline, it is refused.
- `offlineRegion` is the outage path: offlining the write region moves writes to the next
  region by priority. An offline region stays offline until Microsoft brings it back (a support
  request), so `onlineRegion` is refused; `bring_online` is the emulator's stand-in for support.
- Service-managed failover: with `enableAutomaticFailover`, once the write region's outage has lasted
  `cosmos_automatic_failover_after` emulated seconds, writes move to the next region that answers;
  the old write region comes back as a read region (Azure does not fail back by itself).
- Every region of the account has a data-plane endpoint (`documentEndpoint`), served by the
  emulator itself (`dataplane.py`); `locations[]` shows each region's `failoverPriority` and
  `isZoneRedundant`, and a region taken offline with `provisioningState: Offline` (Azure's exact
  rendering of an offline region is not documented; it is also left out of `readLocations`).
Long-running operations are polled on Cosmos DB's own URLs (`core.lro.COSMOS`).
"""

from __future__ import annotations

from typing import Any

from regionshift_emulator.core.errors import ArmError, BadRequest, Conflict
from regionshift_emulator.core.lro import COSMOS
from regionshift_emulator.core.regions import UnknownRegion, display_name, short_name
from regionshift_emulator.core.service import Backend
from regionshift_emulator.core.store import Resource

SERVICE = "cosmos"
DATAPLANE_PREFIX = "/_dataplane/cosmos/"
ACCOUNT_TYPE = "Microsoft.DocumentDB/databaseAccounts"
PRIORITY_CHANGE = "cosmos.failoverPriorityChange"
OFFLINE = "cosmos.offlineRegion"


class CosmosBackend(Backend):
    def add_account(self, account_id: str, regions: list[str], *, automatic_failover: bool = True) -> Resource:
        account = Resource(
            id=account_id,
            type=ACCOUNT_TYPE,
            location=short_name(regions[0]),
            extra={"kind": "GlobalDocumentDB"},
            properties={
                "enableAutomaticFailover": automatic_failover,
                "enableMultipleWriteLocations": False,
                "consistencyPolicy": {
                    "defaultConsistencyLevel": "Session",
                    "maxIntervalInSeconds": 5,
                    "maxStalenessPrefix": 100,
                },
            },
            internal={"priority": [short_name(r) for r in regions], "offline": [], "last_failover": None},
        )
        return self.state.store.put(account)

    def account(self, account_id: str) -> Resource:
        return self.state.store.require(account_id)

    # --- rules -------------------------------------------------------------------------------------

    def begin_priority_change(self, account: Resource, policies: Any) -> Any:
        order = self._validated_order(account, policies)
        self._require_answering(account, [account.internal["priority"][0], order[0]])
        account.properties["provisioningState"] = "Updating"

        def complete() -> None:
            account.properties["provisioningState"] = "Succeeded"
            self._require_answering(account, [account.internal["priority"][0], order[0]])
            self._set_order(account, order, reason="failoverPriorityChange")

        return self._start(account, PRIORITY_CHANGE, complete)

    def begin_offline(self, account: Resource, region: Any) -> Any:
        key = self._account_region(account, region)
        if key in account.internal["offline"]:
            raise BadRequest(f"Region '{display_name(key)}' is already offline for account '{account.name}'.")
        online = [r for r in account.internal["priority"] if r not in account.internal["offline"]]
        if online == [key]:
            raise BadRequest(f"Cannot offline '{display_name(key)}': it is the only online region of the account.")
        account.properties["provisioningState"] = "Updating"

        def complete() -> None:
            account.properties["provisioningState"] = "Succeeded"
            account.internal["offline"].append(key)
            if account.internal["priority"][0] == key:
                rest = [r for r in account.internal["priority"] if r != key]
                self._set_order(account, [*rest, key], reason="offlineRegion")

        return self._start(account, OFFLINE, complete)

    def online(self, account: Resource, region: Any) -> None:
        key = self._account_region(account, region)
        if key not in account.internal["offline"]:
            raise BadRequest(f"Region '{display_name(key)}' is not offline for account '{account.name}'.")
        raise Conflict(
            f"Region '{display_name(key)}' was taken offline and can only be brought back online by Microsoft support.",
            code="OperationNotAllowed",
        )

    def bring_online(self, account: Resource, region: str) -> None:
        """Microsoft support's side of onlining a region (not reachable through ARM)."""
        key = self._account_region(account, region)
        if key in account.internal["offline"]:
            account.internal["offline"].remove(key)
            account.touch()

    def tick(self) -> None:
        after = self.state.scenario.cosmos_automatic_failover_after
        for account in self.state.store.of_type(ACCOUNT_TYPE):
            if not account.properties.get("enableAutomaticFailover"):
                continue
            write = account.internal["priority"][0]
            age = self.state.outage_age(write, SERVICE)
            if age is None or age < after:
                continue
            healthy = [r for r in account.internal["priority"][1:] if self._answering(account, r)]
            if healthy:
                rest = [r for r in account.internal["priority"] if r != healthy[0]]
                self._set_order(account, [healthy[0], *rest], reason="serviceManagedFailover")

    # --- helpers --------------------------------------------------------------------------------------

    def _start(self, account: Resource, kind: str, complete: Any) -> Any:
        def run() -> None:
            try:
                complete()
            finally:
                account.properties["provisioningState"] = "Succeeded"

        def failed() -> None:
            account.properties["provisioningState"] = "Succeeded"

        return self.state.operations.start(
            kind=kind,
            resource_id=account.id,
            location=account.location,
            duration=self.state.operation_duration(kind),
            complete=run,
            style=COSMOS,
            on_fail=failed,
        )

    def _account_region(self, account: Resource, region: Any) -> str:
        if not isinstance(region, str) or not region:
            raise BadRequest("The request content was invalid: 'region' is required.")
        try:
            key = short_name(region)
        except UnknownRegion as exc:
            raise BadRequest(str(exc)) from None
        if key not in account.internal["priority"]:
            raise BadRequest(f"Region '{region}' is not a region of database account '{account.name}'.")
        return key

    def _validated_order(self, account: Resource, policies: Any) -> list[str]:
        if not isinstance(policies, list) or not policies:
            raise BadRequest("The request content was invalid: 'failoverPolicies' must be a non-empty list.")
        by_priority: dict[int, str] = {}
        for index, policy in enumerate(policies):
            if not isinstance(policy, dict) or not isinstance(policy.get("failoverPriority"), int):
                raise BadRequest(f"failoverPolicies[{index}]: needs locationName and an integer failoverPriority.")
            key = self._account_region(account, policy.get("locationName"))
            priority = policy["failoverPriority"]
            if priority in by_priority or key in by_priority.values():
                raise BadRequest(f"failoverPolicies[{index}]: failover priorities and regions must be unique.")
            by_priority[priority] = key
        if sorted(by_priority) != list(range(len(account.internal["priority"]))):
            raise BadRequest(
                "Failover priorities must cover every region of the account once, numbered from 0 "
                f"(the write region) to {len(account.internal['priority']) - 1}."
            )
        return [by_priority[p] for p in sorted(by_priority)]

    def _answering(self, account: Resource, region: str) -> bool:
        return region not in account.internal["offline"] and not self.state.region_down(region, SERVICE)

    def _require_answering(self, account: Resource, regions: list[str]) -> None:
        for region in dict.fromkeys(regions):
            if not self._answering(account, region):
                raise ArmError(
                    f"Failover priority change cannot be performed while region '{display_name(region)}' is "
                    "unavailable. During a regional outage rely on service-managed failover or take the region "
                    "offline (offlineRegion).",
                    code="ServiceUnavailable",
                    status=503,
                )

    def _set_order(self, account: Resource, order: list[str], *, reason: str) -> None:
        if order[0] != account.internal["priority"][0]:
            account.internal["last_failover"] = {"reason": reason, "to": order[0], "at": self.state.clock.iso()}
        account.internal["priority"] = order
        account.touch()

    # --- rendering --------------------------------------------------------------------------------

    def render(self, account: Resource, base_url: str) -> dict[str, Any]:
        """The account as ARM answers it; endpoints point at the emulator's data plane at `base_url`."""
        name = account.name
        priority = account.internal["priority"]
        offline = account.internal["offline"]

        def location(region: str) -> dict[str, Any]:
            return {
                "id": f"{name}-{region}",
                "locationName": display_name(region),
                "documentEndpoint": self.endpoint(base_url, f"{name}-{region}"),
                "provisioningState": "Offline" if region in offline else "Succeeded",
                "failoverPriority": priority.index(region),
                "isZoneRedundant": False,
            }

        online = [r for r in priority if r not in offline]
        return {
            "id": account.id,
            "name": name,
            "type": ACCOUNT_TYPE,
            "location": display_name(account.location),
            "tags": dict(account.tags),
            **account.extra,
            "properties": {
                "provisioningState": "Succeeded",
                **account.properties,
                "documentEndpoint": self.endpoint(base_url, name),
                "databaseAccountOfferType": "Standard",
                "writeLocations": [location(priority[0])],
                "readLocations": [location(r) for r in online],
                "locations": [location(r) for r in priority],
                "failoverPolicies": [
                    {"id": f"{name}-{r}", "locationName": display_name(r), "failoverPriority": i}
                    for i, r in enumerate(priority)
                ],
            },
        }

    @staticmethod
    def endpoint(base_url: str, host: str) -> str:
        """`https://127.0.0.1:<port>/_dataplane/cosmos/<account>[-<region>]/`, in place of
        `https://<account>[-<region>].documents.azure.com:443/`."""
        return f"{base_url.rstrip('/')}{DATAPLANE_PREFIX}{host}/"

    def endpoint_region(self, host: str) -> tuple[Resource, str] | None:
        """(account, region) a data-plane host name stands for; the global one stands for the write region."""
        for account in self.state.store.of_type(ACCOUNT_TYPE):
            name = account.name.lower()
            if host.lower() == name:
                return account, account.internal["priority"][0]
            suffix = host.lower().removeprefix(name + "-")
            if suffix != host.lower() and suffix in account.internal["priority"]:
                return account, suffix
        return None

    def snapshot(self) -> dict[str, Any]:
        return {
            a.id: {
                "write_region": a.internal["priority"][0],
                "priority": a.internal["priority"],
                "offline": a.internal["offline"],
                "last_failover": a.internal["last_failover"],
            }
            for a in self.state.store.of_type(ACCOUNT_TYPE)
        }
