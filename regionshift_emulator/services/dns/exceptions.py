"""Azure DNS errors, each with the ARM code and HTTP status Azure DNS answers with."""

from __future__ import annotations

from regionshift_emulator.core.errors import ArmError


class DnsBadRequest(ArmError):
    status, code = 400, "BadRequest"


class ZoneNotFound(ArmError):
    status, code = 404, "ResourceNotFound"

    def __init__(self, resource_group: str, zone: str) -> None:
        super().__init__(
            f"The Resource 'Microsoft.Network/dnszones/{zone}' under resource group '{resource_group}' was not found."
        )


class RecordSetNotFound(ArmError):
    status, code = 404, "NotFound"

    def __init__(self, resource_group: str, zone: str, name: str, record_type: str) -> None:
        super().__init__(
            f"The resource record '{name}' of type '{record_type}' does not exist in zone '{zone}' "
            f"of resource group '{resource_group}'."
        )


class PreconditionFailed(ArmError):
    """Azure DNS answers a failed If-Match / If-None-Match with 412 PreconditionFailed."""

    status, code = 412, "PreconditionFailed"


class RecordSetConflict(ArmError):
    status, code = 409, "Conflict"

    def __init__(self, name: str, record_type: str, other: str) -> None:
        super().__init__(
            f"The record set '{name}' of type '{record_type}' cannot be created: a {other} record set "
            f"already exists with the same name, and a CNAME record set cannot share its name."
        )
