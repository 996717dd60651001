"""What discovery found: plan entries (or questions where it could not decide) and what it left out.

An `Entry` is one plan entry as JSON, with the comments that explain it. An entry discovery could
not complete is a question: `data` is None and `draft` holds what it knows, written as a commented
entry for a person to finish. Every entry is validated by the plan's own model before it is kept
(`checked`): a discovered name that the plan would refuse becomes a question naming the rule, so
the written plan always validates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from regionshift.plan import CosmosAccount, DnsRecord, ScaleSet, SqlFailoverGroup
from regionshift.plan.loader import format_validation_errors

Section = Literal["sql_failover_groups", "cosmos_accounts", "scale_sets", "dns_records"]
SECTIONS: tuple[Section, ...] = ("sql_failover_groups", "cosmos_accounts", "scale_sets", "dns_records")
_MODELS: dict[Section, type[BaseModel]] = {
    "sql_failover_groups": SqlFailoverGroup,
    "cosmos_accounts": CosmosAccount,
    "scale_sets": ScaleSet,
    "dns_records": DnsRecord,
}


@dataclass
class Entry:
    section: Section
    label: str  # what a person calls it: "fg-orders on sql-eus2", "www.contoso.com CNAME"
    data: dict[str, Any] | None  # the plan entry; None when it is a question
    comments: list[str] = field(default_factory=list)
    draft: dict[str, Any] | None = None  # a question's partial entry, written commented out
    # What drift compares it by (the resources it stands for), lower-cased.
    keys: tuple[str, ...] = ()

    @property
    def question(self) -> bool:
        return self.data is None


@dataclass(frozen=True)
class LeftOut:
    kind: str  # "sql server", "scale set", ...
    resource: str
    reason: str


@dataclass
class Discovery:
    entries: list[Entry] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what could not be read

    def of(self, section: Section) -> list[Entry]:
        return [e for e in self.entries if e.section == section]

    @property
    def found(self) -> list[Entry]:
        return [e for e in self.entries if not e.question]

    @property
    def questions(self) -> list[Entry]:
        return [e for e in self.entries if e.question]


def checked(entry: Entry) -> Entry:
    """The entry if the plan's model accepts it; else the same entry as a question saying why."""
    if entry.data is None:
        return entry
    try:
        _MODELS[entry.section].model_validate(entry.data)
    except ValidationError as exc:
        reasons = "; ".join(format_validation_errors(exc))
        return Entry(
            entry.section,
            entry.label,
            None,
            [*entry.comments, f"QUESTION: the plan would refuse this entry ({reasons}); fix it, then uncomment it"],
            entry.data,
            entry.keys,
        )
    return entry
