"""The DNS activity: switch a record with its ETag, and do nothing when it already points right."""

from __future__ import annotations

from pathlib import Path

import pytest
from azure.identity import DefaultAzureCredential
from azure.mgmt.dns import DnsManagementClient
from azure.mgmt.dns.models import CnameRecord, RecordSet

from activities.dns import switch_dns_record
from orchestrators.steps import activity_input
from regionshift_emulator.harness import app_on_emulator, clear_log, example_plan, writes
from regionshift_emulator.server import Emulator


def dns_client(emu: Emulator) -> DnsManagementClient:
    return DnsManagementClient(
        DefaultAzureCredential(),
        "00000000-0000-0000-0000-000000000000",
        base_url=emu.url,
        credential_scopes=["https://management.azure.com/.default"],
        connection_verify=str(emu.ca_path),
    )


def test_switch_points_the_cname_at_the_secondary_then_is_a_noop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = example_plan()
    record = plan.dns_records[0]
    with app_on_emulator(plan, None, tmp_path, monkeypatch) as emu:
        outcome = switch_dns_record(activity_input(plan, record))
        assert outcome["status"] == "succeeded", outcome
        assert outcome["data"]["previous"] == ["web-eus2.contoso.net"]
        current = dns_client(emu).record_sets.get("rg-dr-cus", "contoso.com", "www", "CNAME")
        assert current.cname_record.cname.rstrip(".") == "web-cus.contoso.net"
        assert current.ttl == 60

        clear_log(emu)
        again = switch_dns_record(activity_input(plan, record))
        assert again["status"] == "already_done"
        assert writes(emu) == []


def test_a_record_switches_to_the_list_of_secondary_ips(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = example_plan()
    record = plan.dns_records[1]
    with app_on_emulator(plan, None, tmp_path, monkeypatch) as emu:
        outcome = switch_dns_record(activity_input(plan, record))
        assert outcome["status"] == "succeeded", outcome
        current = dns_client(emu).record_sets.get("rg-dr-cus", "contoso.com", "api", "A")
        assert sorted(r.ipv4_address for r in current.a_records) == ["52.4.5.6", "52.4.5.7"]


def test_failing_back_points_at_the_primary_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = example_plan()
    record = plan.dns_records[0]
    with app_on_emulator(plan, None, tmp_path, monkeypatch) as emu:
        switch_dns_record(activity_input(plan, record))
        back = switch_dns_record(activity_input(plan, record, direction="to_primary"))
        assert back["status"] == "succeeded"
        current = dns_client(emu).record_sets.get("rg-dr-cus", "contoso.com", "www", "CNAME")
        assert current.cname_record.cname.rstrip(".") == "web-eus2.contoso.net"


def test_write_is_guarded_by_the_etag_it_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = example_plan()
    with app_on_emulator(plan, None, tmp_path, monkeypatch) as emu:
        # Someone else changes the record: our next write must carry the new ETag, not overwrite blindly.
        client = dns_client(emu)
        client.record_sets.create_or_update(
            "rg-dr-cus",
            "contoso.com",
            "www",
            "CNAME",
            RecordSet(ttl=60, cname_record=CnameRecord(cname="elsewhere.net")),
        )
        etag = client.record_sets.get("rg-dr-cus", "contoso.com", "www", "CNAME").etag
        clear_log(emu)
        outcome = switch_dns_record(activity_input(plan, plan.dns_records[0]))
        assert outcome["status"] == "succeeded"
        assert outcome["data"]["previous"] == ["elsewhere.net"]
        (write,) = writes(emu, "/CNAME/www")
        assert write["status"] in (200, 201)
        assert client.record_sets.get("rg-dr-cus", "contoso.com", "www", "CNAME").etag != etag
