"""Unknown `api-version` values are answered 400, per resource type, as ARM answers them.

ARM checks the version against what the type's provider registered before it routes a request:
- Microsoft.Resources' own types (subscriptions, resource groups, tenants) answer
  `InvalidApiVersionParameter`: "The api-version '{v}' is invalid. The supported versions are
  '{v1},{v2},...'." (ARM's answer as quoted in Azure/azure-cli#28038 and ansible-collections/azure#1739).
- A resource provider's types answer `NoRegisteredProviderFound`: "No registered resource provider
  found for location '{location}' and API version '{v}' for type '{type}'. The supported api-versions
  are '{v1}, {v2}'. The supported locations are '{l1}, {l2}'." (quoted in Azure/azure-cli#28496 and
  #26639).

The versions: for each provider, the stable and preview versions of its folders in
Azure/azure-rest-api-specs (`specification/<service>/resource-manager/<namespace>/`), which include
every version the pinned SDKs (requirements.txt) and Azure CLI 2.91 send (recorded from the test
suites and `tests/interop/`: SQL 2025-01-01 / 2024-11-01-preview, Cosmos DB 2026-03-15, Compute
2026-04-01, galleries 2026-03-03 / 2024-03-03, DNS 2018-05-01 / 2023-07-01-preview, groups
2025-04-01 / 2024-11-01, subscriptions 2022-12-01, permissions 2022-04-01, metrics 2024-02-01).
A version missing from a list here is refused although Azure may accept it: harsher, never kinder.
Microsoft.Resources' list is the one ARM itself printed (the issues above), plus the newer ones
the SDK and CLI use.
"""

from __future__ import annotations

from collections.abc import Callable

from regionshift.azure.regions import DISPLAY_NAMES
from regionshift_emulator.core.arm_paths import RESOURCES, ArmPath
from regionshift_emulator.core.errors import ArmError

_RESOURCES = (
    "2025-04-01,2024-11-01,2024-08-01,2024-06-01-preview,2024-03-01,2023-07-01,2023-07-01-preview,"
    "2023-03-01-preview,2022-12-01,2022-11-01-preview,2022-09-01,2022-06-01,2022-05-01,2022-03-01-preview,"
    "2022-01-01,2021-04-01,2021-01-01,2020-10-01,2020-09-01,2020-08-01,2020-07-01,2020-06-01,2020-05-01,"
    "2020-01-01,2019-11-01,2019-10-01,2019-09-01,2019-08-01,2019-07-01,2019-06-01,2019-05-10,2019-05-01,"
    "2019-03-01,2018-11-01,2018-09-01,2018-08-01,2018-07-01,2018-06-01,2018-05-01,2018-02-01,2018-01-01,"
    "2017-12-01,2017-08-01,2017-06-01,2017-05-10,2017-05-01,2017-03-01,2016-09-01,2016-07-01,2016-06-01,"
    "2016-02-01,2015-11-01,2015-01-01,2014-04-01-preview,2014-04-01,2014-01-01,2013-03-01,2014-02-26"
)
_SQL = (
    "2025-08-01-preview,2025-02-01-preview,2025-01-01,2024-11-01-preview,2024-05-01-preview,2023-08-01,"
    "2023-08-01-preview,2023-05-01-preview,2023-02-01-preview,2022-11-01-preview,2022-08-01-preview,"
    "2022-05-01-preview,2022-02-01-preview,2021-11-01,2021-11-01-preview,2021-08-01-preview,2021-05-01-preview,"
    "2021-02-01-preview,2020-11-01-preview,2020-08-01-preview,2020-02-02-preview,2019-06-01-preview,"
    "2018-06-01-preview,2017-10-01-preview,2017-03-01-preview,2015-05-01-preview,2014-04-01"
)
_COSMOS = (
    "2026-07-15,2026-04-01-preview,2026-03-15,2025-11-01-preview,2025-10-15,2025-05-01-preview,2025-04-15,"
    "2024-12-01-preview,2024-11-15,2024-09-01-preview,2024-08-15,2024-05-15,2024-05-15-preview,"
    "2024-02-15-preview,2023-11-15,2023-11-15-preview,2023-09-15,2023-09-15-preview,2023-04-15,2023-03-15,"
    "2023-03-15-preview,2023-03-01-preview,2022-11-15,2022-11-15-preview,2022-08-15,2022-08-15-preview,"
    "2022-05-15,2022-02-15-preview,2021-10-15,2021-06-15,2021-05-15,2021-04-15,2021-03-15,2021-01-15,"
    "2020-09-01,2020-06-01-preview,2020-04-01,2020-03-01,2019-12-12,2019-08-01,2016-03-31,2016-03-19,"
    "2015-11-06,2015-04-08"
)
_COMPUTE = (
    "2026-04-01,2025-04-01,2024-11-01,2024-07-01,2024-03-01,2023-09-01,2023-07-01,2023-03-01,2022-11-01,"
    "2022-08-01,2022-03-01,2021-11-01,2021-07-01,2021-04-01,2021-03-01,2020-12-01,2020-06-01,2019-12-01,"
    "2019-07-01,2019-03-01,2018-10-01,2018-06-01,2018-04-01,2017-12-01,2017-03-30,2016-04-30-preview,"
    "2016-03-30,2015-06-15"
)
_GALLERY = (
    "2026-03-03,2025-03-03,2024-03-03,2023-07-03,2022-08-03,2022-03-03,2022-01-03,2021-10-01,2021-07-01,"
    "2020-09-30,2019-12-01,2019-07-01,2019-03-01,2018-06-01"
)
_NETWORK = (
    "2025-05-01,2025-03-01,2025-01-01,2024-10-01,2024-07-01,2024-05-01,2024-03-01,2024-01-01,2023-11-01,"
    "2023-09-01,2023-06-01,2023-05-01,2023-04-01,2023-02-01,2022-11-01,2022-09-01,2022-07-01,2022-05-01,"
    "2022-01-01,2021-08-01,2021-05-01,2021-03-01,2021-02-01,2020-11-01,2020-08-01,2020-07-01,2020-06-01,"
    "2020-05-01,2020-04-01,2020-03-01,2019-12-01,2019-11-01,2019-09-01,2019-08-01,2019-07-01,2019-06-01,"
    "2019-04-01,2019-02-01,2018-12-01,2018-11-01,2018-10-01,2018-08-01,2018-07-01,2018-06-01,2018-04-01,"
    "2018-02-01,2018-01-01,2017-11-01,2017-10-01,2017-09-01,2017-08-01,2017-06-01,2017-03-01,2016-12-01,"
    "2016-09-01,2016-06-01,2016-03-30,2015-06-15"
)
_DNS = "2023-07-01-preview,2018-05-01,2018-03-01-preview,2017-10-01,2017-09-01,2016-04-01,2015-05-04-preview"
_PERMISSIONS = "2022-05-01-preview,2022-04-01,2018-07-01,2018-01-01-preview,2015-07-01,2015-06-01"
_METRICS = "2024-02-01,2023-10-01,2021-05-01,2019-07-01,2018-01-01"

# (namespace, first type segment), lower-cased -> the versions the type accepts.
VERSIONS: dict[tuple[str, str], tuple[str, ...]] = {
    key: tuple(versions.split(","))
    for keys, versions in (
        ((("microsoft.resources", "subscriptions"), ("microsoft.resources", "tenants")), _RESOURCES),
        ((("microsoft.sql", "servers"), ("microsoft.sql", "locations")), _SQL),
        ((("microsoft.documentdb", "databaseaccounts"), ("microsoft.documentdb", "locations")), _COSMOS),
        ((("microsoft.compute", "virtualmachinescalesets"), ("microsoft.compute", "locations")), _COMPUTE),
        ((("microsoft.compute", "galleries"),), _GALLERY),
        (
            (
                ("microsoft.network", "virtualnetworks"),
                ("microsoft.network", "loadbalancers"),
                ("microsoft.network", "publicipaddresses"),
            ),
            _NETWORK,
        ),
        ((("microsoft.network", "dnszones"),), _DNS),
        ((("microsoft.authorization", "permissions"),), _PERMISSIONS),
        ((("microsoft.insights", "metrics"),), _METRICS),
    )
    for key in keys
}
SUPPORTED_LOCATIONS = ", ".join(DISPLAY_NAMES)  # short names, as ARM lists them


def check_api_version(path: ArmPath, method: str, api_version: str, location: Callable[[], str | None]) -> None:
    """400 as ARM answers when `api_version` is not one the path's resource type registered
    (`location()` names the region the request is about, for the message)."""
    type_path = path.type_for(method)
    first = type_path.split("/", 1)[0]
    versions = VERSIONS.get((path.namespace.lower(), first.lower()))
    if versions is None or api_version in versions:
        return
    if path.namespace == RESOURCES:
        raise ArmError(
            f"The api-version '{api_version}' is invalid. The supported versions are '{','.join(versions)}'.",
            code="InvalidApiVersionParameter",
            status=400,
        )
    raise ArmError(
        f"No registered resource provider found for location '{location() or 'global'}' and API version "
        f"'{api_version}' for type '{type_path}'. The supported api-versions are '{', '.join(versions)}'. "
        f"The supported locations are '{SUPPORTED_LOCATIONS}'.",
        code="NoRegisteredProviderFound",
        status=400,
    )
