"""Azure region names: ARM short names (`eastus2`) and display names ("East US 2"), both ways.

ARM takes either spelling in most places and answers with the display name inside Cosmos DB
`locations` and the short name in a resource's `location`. Unknown regions are an error, not a
guess, so a typo in a scenario or a plan is caught.
"""

from __future__ import annotations

from regionshift.azure.regions import DISPLAY_NAMES

_DISPLAY = DISPLAY_NAMES  # one table, shared with the app
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
