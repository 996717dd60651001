"""TLS for the emulator: a CA made at start (trustme), a loopback server certificate, the CA PEM on disk.

The real SDK clients refuse bearer tokens over plain HTTP, so ARM is served over HTTPS and the
clients are pointed at the CA file (`connection_verify=` or `REQUESTS_CA_BUNDLE`).
"""

from __future__ import annotations

import ssl
from pathlib import Path

import trustme


def make_tls(ca_path: Path) -> ssl.SSLContext:
    """Write a fresh CA to `ca_path` and return a server context with a cert for 127.0.0.1/localhost."""
    ca = trustme.CA(organization_name="regionshift emulator")
    cert = ca.issue_cert("127.0.0.1", "localhost", "::1")
    ca_path.parent.mkdir(parents=True, exist_ok=True)
    ca.cert_pem.write_to_path(str(ca_path))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    return context
