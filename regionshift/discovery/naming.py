"""How discovery tells which resources of two regions belong together: by their names.

Teams name the two sides of a pair alike and mark the region in the name: `sql-eus2` and `sql-cus`,
`vnet-eastus2` and `vnet-centralus`, `worker-eus2-3` and `worker-cus-3`. A name's *base* is the name
without its region tokens, split at `-`, `_` and `.`; two resources pair when their bases are equal
(case-insensitively). A region's tokens are its short name (`eastus2`) and its geo-code (`eus2`),
from Microsoft's geo-code list ("Geo-code mapping", Learn, https://learn.microsoft.com/azure/backup/
scripts/geo-code-list; the table below holds the codes of that page this module was checked
against, and a region missing from it is known by its short name only). A token glued to another
word (`webeus2`) is not recognised: such a pair is left as a question in the written plan, never
guessed.

`swap_region` is the inverse: the name a resource would have in the other region, used by the
emulator's seed to lay out a primary estate the way people name one.
"""

from __future__ import annotations

import re

from regionshift.azure.regions import short_name

GEO_CODES = {
    "eastasia": "ea",
    "westus": "wus",
    "eastus": "eus",
    "centralus": "cus",
    "eastus2": "eus2",
    "northcentralus": "ncus",
    "southcentralus": "scus",
    "northeurope": "ne",
    "westeurope": "we",
    "southeastasia": "sea",
    "japaneast": "jpe",
    "japanwest": "jpw",
    "brazilsouth": "brs",
    "australiaeast": "ae",
    "australiasoutheast": "ase",
    "centralindia": "inc",
    "southindia": "ins",
    "canadacentral": "cnc",
    "canadaeast": "cne",
}
_SEPARATORS = re.compile(r"([-_.])")


def region_tokens(region: str) -> tuple[str, ...]:
    """The words a name uses for `region`: its short name and, when known, its geo-code."""
    short = short_name(region)
    code = GEO_CODES.get(short)
    return (short, code) if code else (short,)


def geo_code(region: str) -> str:
    """The shortest token for `region` (its geo-code, else its short name)."""
    return region_tokens(region)[-1]


def base_name(name: str, regions: tuple[str, ...]) -> str:
    """`name` without the tokens of `regions`, lower-cased, its words joined by `-`."""
    tokens = {t for region in regions for t in region_tokens(region)}
    words = [w for w in _SEPARATORS.split(name.lower()) if w and not _SEPARATORS.fullmatch(w)]
    kept = [w for w in words if w not in tokens]
    return "-".join(kept or words)


def without_index(base: str) -> str:
    """A base without a trailing number (`pip-api-2` → `pip-api`): the members of a numbered set."""
    head, _, tail = base.rpartition("-")
    return head if head and tail.isdigit() else base


def swap_region(name: str, source: str, target: str) -> str | None:
    """`name` with every token of `source` replaced by the same kind of token of `target` (short name
    for short name, geo-code for geo-code); None when `name` holds no token of `source`."""
    source_tokens = region_tokens(source)
    target_tokens = region_tokens(target)
    parts = _SEPARATORS.split(name)
    swapped = False
    for index, part in enumerate(parts):
        lowered = part.lower()
        if lowered in source_tokens:
            kind = source_tokens.index(lowered)
            replacement = target_tokens[min(kind, len(target_tokens) - 1)]
            parts[index] = replacement.upper() if part.isupper() else replacement
            swapped = True
    return "".join(parts) if swapped else None
