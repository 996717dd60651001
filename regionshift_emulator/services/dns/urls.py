"""Routes of Azure DNS (Microsoft.Network/dnsZones)."""

from regionshift_emulator.core.routing import Rule
from regionshift_emulator.services.dns import responses

_GROUP = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}"
_ZONE = _GROUP + "/providers/Microsoft.Network/dnsZones/{zoneName}"

# `recordsets` and `all` are fixed names: they are listed before `{recordType}` so they win.
RULES = [
    Rule("/subscriptions/{subscriptionId}/providers/Microsoft.Network/dnszones", ["GET"], responses.list_zones),
    Rule(_GROUP + "/providers/Microsoft.Network/dnsZones", ["GET"], responses.list_zones),
    Rule(_ZONE, ["GET"], responses.get_zone),
    Rule(_ZONE + "/recordsets", ["GET"], responses.list_all),
    Rule(_ZONE + "/all", ["GET"], responses.list_all),
    Rule(_ZONE + "/{recordType}", ["GET"], responses.list_by_type),
    Rule(_ZONE + "/{recordType}/{relativeRecordSetName}", ["GET"], responses.get_record_set),
    Rule(_ZONE + "/{recordType}/{relativeRecordSetName}", ["PUT"], responses.put_record_set),
    Rule(_ZONE + "/{recordType}/{relativeRecordSetName}", ["PATCH"], responses.patch_record_set),
    Rule(_ZONE + "/{recordType}/{relativeRecordSetName}", ["DELETE"], responses.delete_record_set),
]
