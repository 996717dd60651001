"""Azure DNS record sets through the real DnsManagementClient (azure-mgmt-dns 9.0.0, 2018-05-01)."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.dns import DnsManagementClient
from azure.mgmt.dns.models import ARecord, CnameRecord, RecordSet

from regionshift_emulator.server import Emulator
from regionshift_emulator.services.dns.responses import PAGE_SIZE
from regionshift_emulator.testing import sdk_client

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"


def dns(emulator: Emulator) -> DnsManagementClient:
    return sdk_client(emulator, DnsManagementClient, SUBSCRIPTION)


def test_seeded_cname_points_at_the_primary(emulator: Emulator) -> None:
    rs = dns(emulator).record_sets.get("rg-dr-cus", "contoso.com", "www", "CNAME")
    assert (rs.cname_record.cname, rs.ttl, rs.fqdn, bool(rs.etag)) == (
        "web-eus2.contoso.net",
        60,
        "www.contoso.com.",
        True,
    )


def test_zone_get_counts_record_sets(emulator: Emulator) -> None:
    zone = dns(emulator).zones.get("rg-dr-cus", "contoso.com")
    # www CNAME, api A, and the apex NS and SOA that Azure creates with every zone.
    assert (zone.location, zone.number_of_record_sets, len(zone.name_servers)) == ("global", 4, 4)


def test_cname_update_with_matching_etag_works_and_changes_the_etag(fresh_emulator: Emulator) -> None:
    client = dns(fresh_emulator)
    before = client.record_sets.get("rg-dr-cus", "contoso.com", "www", "CNAME")
    after = client.record_sets.create_or_update(
        "rg-dr-cus",
        "contoso.com",
        "www",
        "CNAME",
        RecordSet(ttl=60, cname_record=CnameRecord(cname="web-cus.contoso.net")),
        if_match=before.etag,
    )
    assert (after.cname_record.cname, after.etag != before.etag) == ("web-cus.contoso.net", True)


def test_update_with_a_stale_etag_is_412(fresh_emulator: Emulator) -> None:
    client = dns(fresh_emulator)
    stale = client.record_sets.get("rg-dr-cus", "contoso.com", "api", "A").etag
    client.record_sets.update("rg-dr-cus", "contoso.com", "api", "A", RecordSet(ttl=30))  # someone else's change
    with pytest.raises(HttpResponseError) as caught:
        client.record_sets.create_or_update(
            "rg-dr-cus",
            "contoso.com",
            "api",
            "A",
            RecordSet(ttl=60, a_records=[ARecord(ipv4_address="52.4.5.6")]),
            if_match=stale,
        )
    assert (caught.value.status_code, caught.value.error.code) == (412, "PreconditionFailed")  # type: ignore[union-attr]


def test_if_none_match_star_refuses_to_overwrite(emulator: Emulator) -> None:
    with pytest.raises(HttpResponseError) as caught:
        dns(emulator).record_sets.create_or_update(
            "rg-dr-cus",
            "contoso.com",
            "www",
            "CNAME",
            RecordSet(ttl=5, cname_record=CnameRecord(cname="x.example")),
            if_none_match="*",
        )
    assert caught.value.status_code == 412


def test_patch_keeps_the_records_it_does_not_name(fresh_emulator: Emulator) -> None:
    updated = dns(fresh_emulator).record_sets.update("rg-dr-cus", "contoso.com", "api", "A", RecordSet(ttl=5))
    assert (updated.ttl, [r.ipv4_address for r in updated.a_records]) == (5, ["20.1.2.3"])


def test_list_by_type_and_delete(fresh_emulator: Emulator) -> None:
    client = dns(fresh_emulator)
    names = [rs.name for rs in client.record_sets.list_by_type("rg-dr-cus", "contoso.com", "A")]
    client.record_sets.delete("rg-dr-cus", "contoso.com", "api", "A")
    with pytest.raises(ResourceNotFoundError):
        client.record_sets.get("rg-dr-cus", "contoso.com", "api", "A")
    assert names == ["api"]


def test_create_aaaa_then_list_all(fresh_emulator: Emulator) -> None:
    client = dns(fresh_emulator)
    created = client.record_sets.create_or_update(
        "rg-dr-cus",
        "contoso.com",
        "v6",
        "AAAA",
        {"properties": {"TTL": 30, "AAAARecords": [{"ipv6Address": "2001:db8::1"}]}},
    )
    listed = {
        (rs.name, rs.type.rsplit("/", 1)[-1])
        for rs in client.record_sets.list_all_by_dns_zone("rg-dr-cus", "contoso.com")
    }
    assert (created.aaaa_records[0].ipv6_address, ("v6", "AAAA") in listed, ("@", "SOA") in listed) == (
        "2001:db8::1",
        True,
        True,
    )


def test_bad_ip_is_a_clear_400(emulator: Emulator) -> None:
    with pytest.raises(HttpResponseError) as caught:
        dns(emulator).record_sets.create_or_update(
            "rg-dr-cus",
            "contoso.com",
            "bad",
            "A",
            {"properties": {"TTL": 30, "ARecords": [{"ipv4Address": "300.1.1.1"}]}},
        )
    assert caught.value.status_code == 400 and "properties.ARecords[0].ipv4Address" in str(caught.value)


def test_dns_is_not_affected_by_a_region_outage(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"outage": ["eastus2", "centralus"]})
    assert dns(fresh_emulator).record_sets.get("rg-dr-cus", "contoso.com", "www", "CNAME").ttl == 60


def test_missing_zone_is_not_found(emulator: Emulator) -> None:
    with pytest.raises(ResourceNotFoundError):
        dns(emulator).zones.get("rg-dr-cus", "fabrikam.com")


def test_record_sets_are_listed_in_pages_of_100_the_sdk_follows(fresh_emulator: Emulator) -> None:
    """ARM's default page is 100 record sets (`$top`, DNS REST spec): the SDK follows `nextLink`,
    each page a request of its own in the log (one read of the subscription's budget)."""
    client = dns(fresh_emulator)
    for i in range(PAGE_SIZE + 20):
        client.record_sets.create_or_update(
            "rg-dr-cus", "contoso.com", f"host{i}", "CNAME", RecordSet(ttl=60, cname_record=CnameRecord(cname="x.net"))
        )
    start = len(fresh_emulator.state.request_log)
    listed = [rs.name for rs in client.record_sets.list_by_type("rg-dr-cus", "contoso.com", "CNAME")]
    pages = list(fresh_emulator.state.request_log)[start:]
    assert {f"host{i}" for i in range(PAGE_SIZE + 20)} | {"www"} == set(listed)
    assert len(pages) == 2 and all(p["method"] == "GET" for p in pages)
    small = list(client.record_sets.list_by_type("rg-dr-cus", "contoso.com", "CNAME", top=50))
    assert len(small) == len(listed) and len(fresh_emulator.state.request_log) - start == 2 + 3
