"""The emulator's DNS server, queried with a real resolver (dnspython) over UDP and TCP."""

from __future__ import annotations

import dns.resolver
import pytest
from azure.mgmt.dns import DnsManagementClient
from azure.mgmt.dns.models import CnameRecord, RecordSet

from regionshift_emulator.server import Emulator
from regionshift_emulator.testing import sdk_client

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"


def resolver(emulator: Emulator) -> dns.resolver.Resolver:
    host, port = emulator.env["REGIONSHIFT_EMULATOR_DNS"].rsplit(":", 1)
    r = dns.resolver.Resolver(configure=False)
    r.nameservers, r.port, r.lifetime = [host], int(port), 5.0
    return r


def test_cname_answers_with_its_target_and_ttl(emulator: Emulator) -> None:
    answer = resolver(emulator).resolve("www.contoso.com", "CNAME")
    assert ([str(r.target) for r in answer], answer.rrset.ttl) == (["web-eus2.contoso.net."], 60)


def test_a_record_over_tcp(emulator: Emulator) -> None:
    answer = resolver(emulator).resolve("api.contoso.com", "A", tcp=True)
    assert [r.address for r in answer] == ["20.1.2.3"]


def test_answer_switches_after_a_record_set_update(fresh_emulator: Emulator) -> None:
    before = [str(r.target) for r in resolver(fresh_emulator).resolve("www.contoso.com", "CNAME")]
    client = sdk_client(fresh_emulator, DnsManagementClient, SUBSCRIPTION)
    current = client.record_sets.get("rg-dr-cus", "contoso.com", "www", "CNAME")
    client.record_sets.create_or_update(
        "rg-dr-cus",
        "contoso.com",
        "www",
        "CNAME",
        RecordSet(ttl=60, cname_record=CnameRecord(cname="web-cus.contoso.net")),
        if_match=current.etag,
    )
    after = [str(r.target) for r in resolver(fresh_emulator).resolve("www.contoso.com", "CNAME")]
    assert (before, after) == (["web-eus2.contoso.net."], ["web-cus.contoso.net."])


def test_unknown_name_in_the_zone_is_nxdomain(emulator: Emulator) -> None:
    with pytest.raises(dns.resolver.NXDOMAIN):
        resolver(emulator).resolve("nope.contoso.com", "A")


def test_names_outside_the_zones_are_refused(emulator: Emulator) -> None:
    with pytest.raises(dns.resolver.NoNameservers):
        resolver(emulator).resolve("example.org", "A")
