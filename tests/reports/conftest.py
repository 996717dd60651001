"""Fixtures for the report tests: a realistic failover report, and Azurite for the upload tests.

Azurite is installed by the session itself (npm, into `.cache/azurite`) and stopped at the end;
only a missing npm or node skips the upload tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from report_azurite import Azurite, run_azurite
from report_samples import failover_report

from regionshift.contracts import RunReport


@pytest.fixture
def report() -> RunReport:
    return failover_report()


@pytest.fixture(scope="session")
def azurite_oauth(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Azurite, Path]]:
    """Azurite over HTTPS with OAuth on (bearer tokens need TLS); yields it and its CA bundle."""
    certs = tmp_path_factory.mktemp("azurite-tls")
    ca = trustme.CA()
    ca.cert_pem.write_to_path(str(certs / "ca.pem"))
    issued = ca.issue_cert("127.0.0.1", "localhost")
    issued.cert_chain_pems[0].write_to_path(str(certs / "cert.pem"))
    issued.private_key_pem.write_to_path(str(certs / "key.pem"))
    tls = ["--cert", str(certs / "cert.pem"), "--key", str(certs / "key.pem"), "--oauth", "basic"]
    for server in run_azurite(tmp_path_factory.mktemp("azurite-oauth"), tls):
        yield server, certs / "ca.pem"


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    yield from run_azurite(tmp_path_factory.mktemp("azurite"))
