"""Azure region names: ARM short names (`eastus2`) and display names ("East US 2"), both ways.

ARM takes either spelling in most places and answers with the display name inside Cosmos DB
`locations` and the short name in a resource's `location`. Unknown regions are an error, not a
guess, so a typo in a scenario or a plan is caught.
"""

from __future__ import annotations

_DISPLAY = {
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
    "switzerlandnorth": "Switzerland North",
    "norwayeast": "Norway East",
    "swedencentral": "Sweden Central",
    "polandcentral": "Poland Central",
    "italynorth": "Italy North",
    "spaincentral": "Spain Central",
    "eastasia": "East Asia",
    "southeastasia": "Southeast Asia",
    "japaneast": "Japan East",
    "japanwest": "Japan West",
    "koreacentral": "Korea Central",
    "koreasouth": "Korea South",
    "australiaeast": "Australia East",
    "australiasoutheast": "Australia Southeast",
    "centralindia": "Central India",
    "southindia": "South India",
    "uaenorth": "UAE North",
    "southafricanorth": "South Africa North",
    "qatarcentral": "Qatar Central",
    "israelcentral": "Israel Central",
    "mexicocentral": "Mexico Central",
}
_SHORT = {display.lower(): short for short, display in _DISPLAY.items()}


class UnknownRegion(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(f"{name!r} is not an Azure region this emulator knows (e.g. eastus2, 'Central US')")


def short_name(name: str) -> str:
    """`eastus2` for "East US 2", "eastus2" or "EastUS2"; UnknownRegion otherwise."""
    key = name.strip().lower()
    if key in _DISPLAY:
        return key
    if key in _SHORT:
        return _SHORT[key]
    raise UnknownRegion(name)


def display_name(name: str) -> str:
    """ "East US 2" for any spelling of the region."""
    return _DISPLAY[short_name(name)]


def is_region(name: str) -> bool:
    try:
        short_name(name)
    except UnknownRegion:
        return False
    return True
