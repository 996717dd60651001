"""The emulator core: HTTPS server plumbing, ARM conventions, clock, scenario, and the service contract.

Modules: `app` (WSGI pipeline: auth → api-version → route → known api-version → faults →
throttling → tick → write checks → handler), `auth` (tokens, managed-identity endpoint), `errors`
(ArmError classes with code + status), `routing` (case-insensitive `Rule`s, `ArmRequest`,
`json_response`), `arm_paths` (a path's namespace, type and action), `api_versions`, `writes`
(notActions, resource-group home regions), `outages` (outage modes, held and dropped connections),
`faults`, `lro` (long-running operations and each provider's polling URLs), `store` (the shared
`ResourceStore` of `Resource`s), `state` (`EmulatorState`: everything above plus backends),
`scenario`, `clock`, `regions`, `throttle`, `metadata`, `admin`, `tls`.

How a service plugs in (see `regionshift_emulator/services/resources/` for a complete one):

1. Make `regionshift_emulator/services/<svc>/` with, moto-style:
   - `models.py`: `class XBackend(core.service.Backend)` — state and rules, no HTTP. Keep ARM
     resources in `self.state.store` as `core.store.Resource(id=..., type="Microsoft.X/things",
     location="eastus2", properties={...})` so resource-group deletes cascade; look them up with
     `store.require(id)` (raises ResourceGroupNotFound / ResourceNotFound as ARM words them).
     Raise `core.errors.*` (or `ArmError(msg, code=..., status=...)`) for ARM errors. Regional
     health, per service: `self.state.require_region_up(resource.location, "x")` (the outage's
     answer: 504 GatewayTimeout, 503, a held or a dropped connection, `core.outages`) or
     `self.state.region_down(region, "x")`. Time-based behaviour goes in `tick()` (runs under the
     state lock before every request); extra state for the admin view in `snapshot()`.
   - Long-running operations: `op = self.state.operations.start(kind="x.create", resource_id=id,
     location=region, duration=self.state.operation_duration("x.create"), complete=fn,
     style=core.lro.GENERIC, on_fail=...)`; `fn()` applies the change when the emulated duration
     has elapsed, returns the final body for the `Location` poll (or None → 204), or raises ArmError
     to make the operation Failed; `style` names the provider's polling URLs (`core.lro`).
   - `responses.py`: thin handlers `def get_thing(req: ArmRequest) -> Response`, using
     `req.params[...]`, `req.json()`, `req.backend(XBackend)`, `req.check_if_match(etag)`,
     `json_response(body, status)`, and `req.state.operations.accepted(op, req, status=201|202,
     body=...)` for long-running answers (Azure-AsyncOperation + Location + Retry-After).
   - `urls.py`: `RULES = [Rule("/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/
     providers/Microsoft.X/things/{name}", ["GET"], responses.get_thing), ...]` — static parts
     match case-insensitively; auth and api-version are checked before handlers run.
   - `__init__.py`: `SERVICE = ServiceSpec(name="x", namespace="Microsoft.X", backend=XBackend,
     rules=RULES, operations={"x.create": 30.0})` (LRO kinds → default emulated seconds; scenarios
     override them by key under `latencies`; outages name the service by `name`). Add the type's
     api-versions to `core.api_versions.VERSIONS`.
2. Add `x.SERVICE` to `SERVICES` in `regionshift_emulator/services/__init__.py`.
3. Seed the pre-disaster state from the plan: add `seed_x(state, plan)` to
   `regionshift_emulator/seed.py` and call it from `seed()`; `ensure_group(...)` creates groups.
4. Test through the real SDK client with `tests/emulator/conftest.py`'s `emulator` /
   `fresh_emulator` fixtures and `sdk_client(emulator, ClientClass)`.
"""
