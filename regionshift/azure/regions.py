"""Azure region names: ARM's short names (`eastus2`) and display names (`East US 2`).

The one table of regions in the project: the plan validator and the emulator both read it. It holds
the physical regions of Azure's public cloud as Microsoft Learn lists them ("Azure regions list",
https://learn.microsoft.com/azure/reliability/regions-list: the "Programmatic name" column, which
is what `az account list-locations` calls `name`, beside the region's display name). A region that
opens later is refused by the plan validator until it is added here: a typo in a DR plan must
never pass as a region nobody checked.

Cosmos DB speaks display names (`locationName`), most other providers short names; both are
compared case- and space-insensitively.
"""

from __future__ import annotations

import difflib

DISPLAY_NAMES = {
    "australiacentral": "Australia Central",
    "australiacentral2": "Australia Central 2",
    "australiaeast": "Australia East",
    "australiasoutheast": "Australia Southeast",
    "austriaeast": "Austria East",
    "belgiumcentral": "Belgium Central",
    "brazilsouth": "Brazil South",
    "brazilsoutheast": "Brazil Southeast",
    "canadacentral": "Canada Central",
    "canadaeast": "Canada East",
    "centralindia": "Central India",
    "centralus": "Central US",
    "chilecentral": "Chile Central",
    "eastasia": "East Asia",
    "eastus": "East US",
    "eastus2": "East US 2",
    "francecentral": "France Central",
    "francesouth": "France South",
    "germanynorth": "Germany North",
    "germanywestcentral": "Germany West Central",
    "indonesiacentral": "Indonesia Central",
    "israelcentral": "Israel Central",
    "italynorth": "Italy North",
    "japaneast": "Japan East",
    "japanwest": "Japan West",
    "jioindiacentral": "Jio India Central",
    "jioindiawest": "Jio India West",
    "koreacentral": "Korea Central",
    "koreasouth": "Korea South",
    "malaysiawest": "Malaysia West",
    "mexicocentral": "Mexico Central",
    "newzealandnorth": "New Zealand North",
    "northcentralus": "North Central US",
    "northeurope": "North Europe",
    "norwayeast": "Norway East",
    "norwaywest": "Norway West",
    "polandcentral": "Poland Central",
    "qatarcentral": "Qatar Central",
    "southafricanorth": "South Africa North",
    "southafricawest": "South Africa West",
    "southcentralus": "South Central US",
    "southeastasia": "Southeast Asia",
    "southindia": "South India",
    "spaincentral": "Spain Central",
    "swedencentral": "Sweden Central",
    "switzerlandnorth": "Switzerland North",
    "switzerlandwest": "Switzerland West",
    "uaecentral": "UAE Central",
    "uaenorth": "UAE North",
    "uksouth": "UK South",
    "ukwest": "UK West",
    "westcentralus": "West Central US",
    "westeurope": "West Europe",
    "westindia": "West India",
    "westus": "West US",
    "westus2": "West US 2",
    "westus3": "West US 3",
}


def short_name(region: str) -> str:
    """`East US 2` → `eastus2`; a short name is returned lower-cased."""
    return region.replace(" ", "").lower()


def display_name(region: str) -> str:
    """`eastus2` → `East US 2`; an unknown region is returned as given."""
    return DISPLAY_NAMES.get(short_name(region), region)


def same_region(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and short_name(a) == short_name(b)


def is_known_region(region: str) -> bool:
    return short_name(region) in DISPLAY_NAMES


def closest_region(region: str) -> str | None:
    """The known short name a misspelling most likely meant (`centralsu` → `centralus`), if any."""
    found = difflib.get_close_matches(short_name(region), DISPLAY_NAMES, n=1, cutoff=0.75)
    return found[0] if found else None


def check_region(region: str) -> str:
    """The short name of a known region, or ValueError saying what was meant."""
    if is_known_region(region):
        return short_name(region)
    guess = closest_region(region)
    hint = f"; did you mean {guess}?" if guess else " (use ARM's short name, like eastus2)"
    raise ValueError(f"{region!r} is not an Azure region{hint}")
