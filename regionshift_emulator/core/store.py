"""The generic resource store every service keeps its ARM resources in.

Keys are lower-cased resource ids (ARM ids are case-insensitive); each `Resource` keeps the id as
created, its type, region, properties and etag. Keeping all services in one store is what makes a
resource-group delete cascade to everything inside it, whichever service owns it. `internal`
holds emulator-only bookkeeping that is never rendered to clients but shows in the admin state.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from regionshift_emulator.core.errors import ResourceGroupNotFound, ResourceNotFound


def new_etag() -> str:
    return f'"{uuid.uuid4()}"'


@dataclass
class Resource:
    id: str
    type: str  # full type, e.g. Microsoft.Sql/servers/failoverGroups
    location: str  # ARM short name
    properties: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # other top-level keys: kind, sku, identity...
    internal: dict[str, Any] = field(default_factory=dict)
    etag: str = field(default_factory=new_etag)

    @property
    def name(self) -> str:
        return self.id.rstrip("/").rsplit("/", 1)[-1]

    @property
    def key(self) -> str:
        return self.id.lower()

    def touch(self) -> None:
        """A change: new etag, as ARM gives after every update."""
        self.etag = new_etag()

    def render(self, *, with_etag: bool = False) -> dict[str, Any]:
        """The ARM JSON shape: id, name, type, location, tags, properties (+ extra keys)."""
        body: dict[str, Any] = {"id": self.id, "name": self.name, "type": self.type, "location": self.location}
        if self.tags:
            body["tags"] = dict(self.tags)
        body.update(self.extra)
        body["properties"] = self.properties
        if with_etag:
            body["etag"] = self.etag
        return body

    def snapshot(self) -> dict[str, Any]:
        return {**self.render(with_etag=True), "internal": self.internal}


def group_id(subscription_id: str, resource_group: str) -> str:
    return f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}"


class ResourceStore:
    """Thread-safe map of lower-cased id → Resource. Callers hold `lock` for read-modify-write."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._items: dict[str, Resource] = {}

    def put(self, resource: Resource) -> Resource:
        with self.lock:
            self._items[resource.key] = resource
            return resource

    def get(self, resource_id: str) -> Resource | None:
        with self.lock:
            return self._items.get(resource_id.rstrip("/").lower())

    def require(self, resource_id: str) -> Resource:
        """The resource, or ResourceGroupNotFound / ResourceNotFound worded as ARM words them."""
        with self.lock:
            found = self.get(resource_id)
            if found is not None:
                return found
            parts = resource_id.strip("/").split("/")
            if len(parts) >= 4:
                self.require_group(parts[1], parts[3])
            label = "/".join(parts[5:]) if len(parts) > 6 else resource_id
            group = parts[3] if len(parts) >= 4 else ""
            raise ResourceNotFound(
                f"The Resource '{label}' under resource group '{group}' was not found. "
                "For more details please go to https://aka.ms/ARMResourceNotFoundFix"
            )

    def require_group(self, subscription_id: str, resource_group: str) -> Resource:
        found = self.get(group_id(subscription_id, resource_group))
        if found is None:
            raise ResourceGroupNotFound(resource_group)
        return found

    def delete(self, resource_id: str) -> Resource | None:
        with self.lock:
            return self._items.pop(resource_id.rstrip("/").lower(), None)

    def delete_tree(self, resource_id: str) -> list[Resource]:
        """Delete a resource and everything under it (a group's contents, a server's children)."""
        prefix = resource_id.rstrip("/").lower()
        with self.lock:
            doomed = [k for k in self._items if k == prefix or k.startswith(prefix + "/")]
            return [self._items.pop(k) for k in doomed]

    def under(self, resource_id: str, type_: str | None = None) -> list[Resource]:
        """Resources strictly under an id, optionally of one full type (case-insensitive)."""
        prefix = resource_id.rstrip("/").lower() + "/"
        with self.lock:
            return [
                r
                for k, r in self._items.items()
                if k.startswith(prefix) and (type_ is None or r.type.lower() == type_.lower())
            ]

    def of_type(self, type_: str) -> list[Resource]:
        with self.lock:
            return [r for r in self._items.values() if r.type.lower() == type_.lower()]

    def __iter__(self) -> Iterator[Resource]:
        with self.lock:
            return iter(list(self._items.values()))

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {r.id: r.snapshot() for r in self._items.values()}
