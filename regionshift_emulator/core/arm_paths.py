"""ARM request paths read as ARM reads them: the namespace, the resource type, the resource and the
action a request performs (`Microsoft.Sql/servers/failoverGroups/failover/action`).

ARM ids alternate type and name segments after `providers/{namespace}` (the last `providers` wins, so
`.../databases/db/providers/Microsoft.Insights/metrics` is a metrics request). A segment left over
after the last name is a POST action or, for a GET, a collection. Paths without a provider are
Microsoft.Resources' own: subscriptions, their resource groups, tenants. Actions are named as the
built-in role definitions name them (Learn, "Azure resource provider operations"): `<type>/read`,
`<type>/write`, `<type>/delete`, `<type>/<action>/action`.
"""

from __future__ import annotations

from dataclasses import dataclass

RESOURCES = "Microsoft.Resources"


@dataclass(frozen=True)
class ArmPath:
    subscription: str | None
    resource_group: str | None
    namespace: str
    types: tuple[str, ...]
    names: tuple[str, ...]
    tail: str | None  # a segment after the last name: an action (POST) or a collection (GET)
    scope: str  # the path without its trailing action or collection

    def type_for(self, method: str) -> str:
        """`servers/failoverGroups` (a POST's action is not part of the type; a GET's collection is)."""
        parts = self.types + ((self.tail,) if self.tail and method.upper() != "POST" else ())
        return "/".join(parts)

    def action(self, method: str) -> str:
        full = f"{self.namespace}/{self.type_for(method)}"
        method = method.upper()
        if method == "POST":
            return f"{full}/{self.tail}/action" if self.tail else f"{full}/action"
        return f"{full}/" + {"PUT": "write", "PATCH": "write", "DELETE": "delete"}.get(method, "read")


def parse_arm_path(path: str) -> ArmPath:
    parts = [p for p in path.strip("/").split("/") if p]
    lowered = [p.lower() for p in parts]
    subscription = parts[1] if len(parts) > 1 and lowered[0] == "subscriptions" else None
    group = parts[3] if len(parts) > 3 and lowered[0] == "subscriptions" and lowered[2] == "resourcegroups" else None
    if "providers" in lowered and lowered.index("providers") + 1 < len(parts):
        at = len(lowered) - 1 - lowered[::-1].index("providers")
        namespace, rest = parts[at + 1], parts[at + 2 :]
        prefix = parts[: at + 2]
    else:
        # Microsoft.Resources' own paths: /subscriptions/{s}/resourceGroups/{g}, /tenants, ...
        namespace, rest, prefix = RESOURCES, parts, []
    types, names = tuple(rest[0::2]), tuple(rest[1::2])
    tail = None
    if len(types) > len(names):
        tail, types = types[-1], types[:-1]
    if namespace == RESOURCES and not prefix and not types and tail:
        types, tail = (tail,), None  # "/subscriptions", "/tenants": the collection is the type
    scope_parts = parts if tail is None else parts[:-1]
    return ArmPath(subscription, group, namespace, types, names, tail, "/" + "/".join(scope_parts))
