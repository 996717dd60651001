"""Routes of Microsoft.DocumentDB database accounts."""

from regionshift_emulator.core.routing import Rule
from regionshift_emulator.services.cosmos import responses

_ACCOUNT = (
    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}"
    "/providers/Microsoft.DocumentDB/databaseAccounts/{accountName}"
)

RULES = [
    Rule(
        "/subscriptions/{subscriptionId}/providers/Microsoft.DocumentDB/databaseAccounts",
        ["GET"],
        responses.list_accounts,
    ),
    Rule(
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.DocumentDB/databaseAccounts",
        ["GET"],
        responses.list_accounts,
    ),
    Rule(_ACCOUNT, ["GET"], responses.get_account),
    Rule(_ACCOUNT + "/failoverPriorityChange", ["POST"], responses.failover_priority_change),
    Rule(_ACCOUNT + "/offlineRegion", ["POST"], responses.offline_region),
    Rule(_ACCOUNT + "/onlineRegion", ["POST"], responses.online_region),
]
