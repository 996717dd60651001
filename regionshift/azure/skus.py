"""VM sizes: how many vCPUs a size has and which quota family it counts against.

A small table, not the Resource SKUs API (`Microsoft.Compute/skus`): the table answers offline,
in the emulator and without another read per check, and covers the sizes DR plans commonly use.
The family names are the `name.value` the Compute usage API reports (`standardDSv5Family`). A size
not in the table is reported as unknown by the quota check (never guessed); add it here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class VmSize:
    name: str
    family: str
    vcpus: int


# Series whose size number is its vCPU count: v3 and later D/E/F sizes and the B series.
_NUMBERED = re.compile(r"^standard_(?P<series>[def])(?P<n>\d+)(?P<add>[adlps]*)_v(?P<v>[2-6])$", re.IGNORECASE)
_B_SERIES = re.compile(r"^standard_b(?P<n>\d+)(?P<add>m?s)$", re.IGNORECASE)
# Dv2/DSv2 sizes are not numbered by vCPU: D1=1, D2=2, D3=4, D4=8, D5=16 (D11-D15 memory optimised).
_V2 = {"1": 1, "2": 2, "3": 4, "4": 8, "5": 16, "11": 2, "12": 4, "13": 8, "14": 16, "15": 20}
_V2_SIZE = re.compile(r"^standard_(?P<series>ds?)(?P<n>\d+)_v2$", re.IGNORECASE)

TOTAL_REGIONAL = "cores"  # the usage API's "Total Regional vCPUs"


def vm_size(name: str) -> VmSize | None:
    """The size's family and vCPUs, or None when the table does not know it."""
    if match := _V2_SIZE.match(name):
        vcpus = _V2.get(match["n"])
        series = match["series"].upper()
        return VmSize(name, f"standard{series}v2Family", vcpus) if vcpus else None
    if match := _NUMBERED.match(name):
        if match["series"].lower() == "f" and match["v"] != "2":
            return None
        additives = match["add"].upper()
        # Premium-storage sizes ("s") name their family with an S (DSv5); others do not (Dv5).
        family = f"standard{match['series'].upper()}{additives}v{match['v']}Family"
        return VmSize(name, family, int(match["n"]))
    if match := _B_SERIES.match(name):
        return VmSize(name, "standardBSFamily", int(match["n"]))
    return None
