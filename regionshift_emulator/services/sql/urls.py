"""Routes of Microsoft.Sql servers, databases and failover groups."""

from regionshift_emulator.core.routing import Rule
from regionshift_emulator.services.sql import responses

_SERVER = (
    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Sql/servers/{serverName}"
)
_GROUP = _SERVER + "/failoverGroups/{failoverGroupName}"

RULES = [
    Rule("/subscriptions/{subscriptionId}/providers/Microsoft.Sql/servers", ["GET"], responses.list_servers),
    Rule(_SERVER, ["GET"], responses.get_server),
    Rule(_SERVER + "/databases/{databaseName}", ["GET"], responses.get_database),
    Rule(_SERVER + "/failoverGroups", ["GET"], responses.list_failover_groups),
    Rule(_GROUP, ["GET"], responses.get_failover_group),
    Rule(_GROUP + "/failover", ["POST"], responses.failover),
    Rule(_GROUP + "/forceFailoverAllowDataLoss", ["POST"], responses.force_failover),
]
