"""Routes of Microsoft.Resources resource groups."""

from regionshift_emulator.core.routing import Rule
from regionshift_emulator.services.resources import responses

_GROUP = "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}"

RULES = [
    Rule("/subscriptions/{subscriptionId}/resourcegroups", ["GET"], responses.list_groups),
    Rule(_GROUP, ["PUT"], responses.create_or_update),
    Rule(_GROUP, ["GET"], responses.get),
    Rule(_GROUP, ["HEAD"], responses.check_existence),
    Rule(_GROUP, ["DELETE"], responses.delete),
    Rule(_GROUP + "/resources", ["GET"], responses.list_resources),
]
