"""The plan's `triggers` section and the approval fields of `policy` validate with clear reasons."""

from pathlib import Path

import pytest
import yaml

from regionshift.errors import PlanError
from regionshift.plan import parse_plan

EXAMPLE = yaml.safe_load((Path(__file__).parent.parent.parent / "plans" / "example.yaml").read_text())
WS = "a0a0a0a0-bbbb-cccc-dddd-e1e1e1e1e1e1"


def _problems(**sections) -> list[str]:
    data = {**EXAMPLE, **sections}
    with pytest.raises(PlanError) as info:
        parse_plan(yaml.safe_dump(data))
    return info.value.problems


def test_defaults_require_approval_with_one_approver() -> None:
    plan = parse_plan(yaml.safe_dump(EXAMPLE))
    assert (plan.policy.approval, plan.policy.forced_approvers, plan.triggers.alerts) == ("required", 1, None)


def test_full_policy_and_triggers_parse() -> None:
    policy = {
        **EXAMPLE["policy"],
        "approval": "automatic",
        "approval_webhooks": [{"url": "https://contoso.webhook.office.com/x", "format": "teams"}],
        "on_approval_timeout": "escalate",
        "escalation_webhooks": [{"url": "https://hooks.slack.com/services/x", "format": "slack"}],
        "forced_approvers": 2,
        "confirmation": {"logs": {"workspace_id": WS, "query": "AppAvailabilityResults"}},
    }
    plan = parse_plan(yaml.safe_dump({**EXAMPLE, "policy": policy, "triggers": {"alerts": {"rules": ["r"]}}}))
    assert plan.policy.confirmation is not None and plan.policy.confirmation.logs is not None
    assert plan.triggers.alerts is not None and plan.triggers.alerts.rules == ["r"]


def test_automatic_approval_without_a_confirmation_signal_is_refused() -> None:
    problems = _problems(policy={"approval": "automatic"})
    assert problems == ["policy: approval 'automatic' needs a confirmation signal (policy.confirmation)"]


def test_escalation_needs_somewhere_to_escalate_to() -> None:
    assert "escalation_webhooks" in _problems(policy={"on_approval_timeout": "escalate"})[0]


def test_plain_http_webhook_is_refused_except_on_loopback() -> None:
    problems = _problems(policy={"approval_webhooks": [{"url": "http://example.com/hook"}]})
    assert problems == ["policy.approval_webhooks[0].url: must be an https:// URL (http:// only for localhost)"]
    parse_plan(yaml.safe_dump({**EXAMPLE, "policy": {"approval_webhooks": [{"url": "http://127.0.0.1:9/h"}]}}))


def test_three_forced_approvers_is_not_an_option() -> None:
    assert _problems(policy={"forced_approvers": 3}) == ["policy.forced_approvers: must be one of 1 or 2"]


def test_trigger_target_must_be_a_resource_id() -> None:
    problems = _problems(triggers={"alerts": {"targets": ["not-an-id"]}})
    assert problems[0].startswith("triggers.alerts.targets: [0] must be a resource id")


def test_confirmation_must_name_a_signal_and_a_guid_workspace() -> None:
    assert "names no signal" in _problems(policy={"confirmation": {}})[0]
    problems = _problems(policy={"confirmation": {"logs": {"workspace_id": "nope", "query": "q"}}})
    assert problems == ["policy.confirmation.logs.workspace_id: must be a Log Analytics workspace id (a GUID)"]
