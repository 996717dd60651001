"""A DNS switch is verified where clients ask: the zone's authoritative name servers, here the
emulator's real DNS server (its env file names it in REGIONSHIFT_DNS_SERVERS)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import dns.resolver
import pytest
from dnslib import CNAME, QTYPE, RR, A, DNSRecord
from dnslib.server import BaseResolver, DNSHandler, DNSLogger, DNSServer

from regionshift.azure.dns import parse_servers
from regionshift.contracts import RunReport, RunRequest
from regionshift.host import DurableHost, ScaledClock
from regionshift.names import Orchestrators
from regionshift_emulator.harness import app_on_emulator, example_plan, writes
from regionshift_emulator.server import Emulator

PLAN = example_plan(data_loss="allow")


def run(tmp_path: Path, speed: float = 60.0) -> RunReport:
    import function_app

    with DurableHost(function_app.app, tmp_path / "durable.sqlite", clock=ScaledClock(speed)) as host:
        request = RunRequest.new(PLAN, started_by="test", approved=True)
        host.start_new(Orchestrators.FAILOVER, request.model_dump(mode="json"), instance_id="failover-dns")
        status = host.wait_for_completion("failover-dns", timeout=180)
    assert status.output is not None, status.failure
    return RunReport.model_validate(status.output)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def resolve(emu: Emulator, name: str, kind: str) -> list[str]:
    host, port = emu.env["REGIONSHIFT_EMULATOR_DNS"].rsplit(":", 1)
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers, resolver.port = [host], int(port)
    return sorted(str(r).rstrip(".") for r in resolver.resolve(name, kind))


def test_each_record_is_verified_on_its_name_servers_and_the_rto_counts_the_old_ttl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app_on_emulator(PLAN, {"outage": ["eastus2"]}, tmp_path, monkeypatch) as emu:
        server = emu.env["REGIONSHIFT_DNS_SERVERS"]
        assert server == emu.env["REGIONSHIFT_EMULATOR_DNS"]
        report = run(tmp_path)
        # What a client's resolver is told now, asked independently of regionshift.
        assert resolve(emu, "www.contoso.com", "CNAME") == ["web-cus.contoso.net"]
        assert resolve(emu, "api.contoso.com", "A") == ["52.4.5.6", "52.4.5.7"]
    assert report.status == "succeeded", report.reason
    steps = [s for s in report.steps if s.kind == "dns"]
    assert len(steps) == 2
    for step in steps:
        data = step.data
        assert at(data["written_at"]) <= at(data["authoritative_at"]) == step.ended_at
        assert data["old_ttl_seconds"] == 60  # the seeded records' TTL: clients may keep them this long
        assert at(data["clients_expire_at"]) == at(data["authoritative_at"]) + timedelta(seconds=60)
        (answer,) = data["name_servers"]
        assert answer["server"] == server and answer["answered"] is True
        assert sorted(answer["targets"]) == sorted(data["targets"])
        assert "name server(s) answer it" in step.detail
    # The RTO is until clients can reach the secondary: the last record's old TTL after its change.
    reached = max(at(s.data["clients_expire_at"]) for s in steps)
    assert report.rto_seconds == (reached - report.started_at).total_seconds()
    assert report.ended_at is not None and reached > report.ended_at


class _Stale(BaseResolver):
    """A name server that kept the zone as it was before the failover."""

    def resolve(self, request: DNSRecord, handler: DNSHandler) -> DNSRecord:
        reply = request.reply()
        reply.header.aa = 1
        name = str(request.q.qname)
        if request.q.qtype == QTYPE.CNAME and name == "www.contoso.com.":
            reply.add_answer(RR(name, QTYPE.CNAME, rdata=CNAME("web-eus2.contoso.net."), ttl=60))
        if request.q.qtype == QTYPE.A and name == "api.contoso.com.":
            reply.add_answer(RR(name, QTYPE.A, rdata=A("20.1.2.3"), ttl=60))
        return reply


@pytest.fixture
def stale_server() -> Any:
    server = DNSServer(_Stale(), address="127.0.0.1", port=0, logger=DNSLogger(log="-request,-reply", prefix=False))
    thread = threading.Thread(target=server.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server.server_address[1]}"
    server.server.shutdown()
    server.server.server_close()


def test_a_record_whose_name_servers_never_change_fails_the_step_with_what_they_answered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stale_server: str
) -> None:
    with app_on_emulator(PLAN, {"outage": ["eastus2"]}, tmp_path, monkeypatch) as emu:
        emulated = emu.env["REGIONSHIFT_DNS_SERVERS"]
        servers = f"{emulated},{stale_server}"
        monkeypatch.setenv("REGIONSHIFT_DNS_SERVERS", servers)
        report = run(tmp_path, speed=600.0)  # the ten-minute deadline passes in about a second
        dns_writes = writes(emu, "/dnszones/")
    assert report.status == "failed" and report.rto_seconds is None
    assert len(dns_writes) == 2, "the records were written; the servers did not follow"
    www = next(s for s in report.steps if s.kind == "dns" and s.resource.startswith("www."))
    assert www.status == "failed"
    assert "did not answer web-cus.contoso.net within 0:10:00" in www.detail
    assert f"{stale_server}: web-eus2.contoso.net (TTL 60s)" in www.detail
    assert f"{emulated}: web-cus.contoso.net (TTL 60s)" in www.detail
    assert "www.contoso.com" in report.reason


def test_servers_are_named_host_and_port() -> None:
    assert parse_servers("127.0.0.1:5353, ns1-01.azure-dns.com,[::1]:53") == [
        ("127.0.0.1", 5353),
        ("ns1-01.azure-dns.com", 53),
        ("::1", 53),
    ]
