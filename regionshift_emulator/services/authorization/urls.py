"""Routes of the caller's permissions (a resource group's scope)."""

from regionshift_emulator.core.routing import Rule
from regionshift_emulator.services.authorization import responses

RULES = [
    Rule(
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Authorization/permissions",
        ["GET"],
        responses.list_for_resource_group,
    ),
]
