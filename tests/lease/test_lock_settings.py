"""The plan's optional `lock` key: where the run lease lives, validated as `reports` is, nothing secret."""

from __future__ import annotations

import pytest
import yaml

from regionshift.errors import PlanError
from regionshift.plan import parse_plan
from regionshift_emulator.harness import example_plan

BASE = yaml.safe_dump({k: v for k, v in example_plan().model_dump(mode="json").items() if k != "lock"})


def test_lock_is_optional() -> None:
    assert parse_plan(BASE).lock is None


def test_lock_names_account_and_container_and_reaches_activities() -> None:
    plan = parse_plan(BASE + "lock: {storage_account_url: 'https://stdrcentral.blob.core.windows.net/'}\n")
    assert plan.lock is not None
    assert (plan.lock.storage_account_url, plan.lock.container) == (
        "https://stdrcentral.blob.core.windows.net",
        "regionshift-leases",
    )
    assert plan.context().lock == plan.lock


@pytest.mark.parametrize(
    ("section", "problem"),
    [
        ("{storage_account_url: 'http://stdr.blob.core.windows.net'}", "lock.storage_account_url: "),
        ("{storage_account_url: 'https://stdr.blob.core.windows.net?sv=1&sig=x'}", "SAS token is a secret"),
        ("{storage_account_url: 'https://stdr.blob.core.windows.net', container: Leases}", "lock.container: "),
        ("{storage_account_url: 'https://stdr.blob.core.windows.net', connection_string: x}", "lock.connection_string"),
        ("{container: leases}", "lock.storage_account_url: "),
    ],
)
def test_bad_lock_is_one_line_naming_the_key(section: str, problem: str) -> None:
    with pytest.raises(PlanError) as raised:
        parse_plan(BASE + f"lock: {section}\n")
    assert len(raised.value.problems) == 1
    assert problem in raised.value.problems[0]
