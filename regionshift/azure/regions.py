"""Azure region names: ARM's short names (`eastus2`) and display names (`East US 2`).

Cosmos DB speaks display names (`locationName`), most other providers short names; both are
compared case- and space-insensitively.
"""

from __future__ import annotations

DISPLAY_NAMES = {
    "eastus": "East US",
    "eastus2": "East US 2",
    "centralus": "Central US",
    "northcentralus": "North Central US",
    "southcentralus": "South Central US",
    "westcentralus": "West Central US",
    "westus": "West US",
    "westus2": "West US 2",
    "westus3": "West US 3",
    "canadacentral": "Canada Central",
    "canadaeast": "Canada East",
    "brazilsouth": "Brazil South",
    "northeurope": "North Europe",
    "westeurope": "West Europe",
    "uksouth": "UK South",
    "ukwest": "UK West",
    "francecentral": "France Central",
    "germanywestcentral": "Germany West Central",
    "swedencentral": "Sweden Central",
    "switzerlandnorth": "Switzerland North",
    "norwayeast": "Norway East",
    "italynorth": "Italy North",
    "polandcentral": "Poland Central",
    "japaneast": "Japan East",
    "japanwest": "Japan West",
    "koreacentral": "Korea Central",
    "southeastasia": "Southeast Asia",
    "eastasia": "East Asia",
    "australiaeast": "Australia East",
    "australiasoutheast": "Australia Southeast",
    "centralindia": "Central India",
    "southindia": "South India",
    "uaenorth": "UAE North",
    "southafricanorth": "South Africa North",
    "spaincentral": "Spain Central",
    "koreasouth": "Korea South",
    "qatarcentral": "Qatar Central",
    "israelcentral": "Israel Central",
    "mexicocentral": "Mexico Central",
}


def short_name(region: str) -> str:
    """`East US 2` → `eastus2`; a short name is returned lower-cased."""
    return region.replace(" ", "").lower()


def display_name(region: str) -> str:
    """`eastus2` → `East US 2`; an unknown region is returned as given."""
    return DISPLAY_NAMES.get(short_name(region), region)


def same_region(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and short_name(a) == short_name(b)
