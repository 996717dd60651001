"""Signed, expiring approval tokens bound to one run's execution and one decision.

A token is `v1.<payload>.<mac>`: the payload (base64url JSON: approval instance id, decision,
expiry, nonce, approver slot, the run id and the approval's execution) signed with HMAC-SHA256
under `REGIONSHIFT_APPROVAL_KEY`. In Azure that app setting is a Key Vault reference
(`@Microsoft.KeyVault(SecretUri=...)`), which the platform resolves into the same environment
variable, so the code reads one place either way.

Why the run and the execution, not only the instance id: approval instance ids are derived from
the plan (`failover-<plan>:approval`), so a later run, or the same run after its history was reset,
has the same instance id. A link from the earlier one must not decide the later one. The token
names the run id (made by whoever started the run) and the execution (when that approval
orchestration started, the same on every replay); the approval orchestration refuses a vote whose
token names another (`regionshift.approvals.ledger`), and the endpoint refuses it at once.

Single use is not decided here: the nonce is spent in the approval orchestration's own history
(see `regionshift.approvals.ledger`), the one store that survives restarts and scale-out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from typing import Literal

from regionshift.errors import RegionshiftError

Decision = Literal["approve", "reject"]
KEY_SETTING = "REGIONSHIFT_APPROVAL_KEY"
_MIN_KEY_BYTES = 32
_MAX_TOKEN_CHARS = 2048


class TokenRefused(RegionshiftError):
    """A token that must not be honoured; the message says why without revealing the key."""


class ApprovalKeyMissing(RegionshiftError):
    """The signing key is not configured (or too short to be a key)."""


@dataclass(frozen=True)
class ApprovalToken:
    instance_id: str
    decision: Decision
    expires_at: int  # unix seconds
    nonce: str
    slot: int = 0  # which approver link (a forced failover may need two approvers)
    run_id: str = ""  # the run the approval guards
    execution: str = ""  # the approval orchestration's execution (its start time, ISO 8601)


def approval_key(environ: dict[str, str] | None = None) -> bytes:
    """The signing key from settings; refuses a missing or short key rather than signing weakly."""
    value = (environ if environ is not None else os.environ).get(KEY_SETTING, "")
    if len(value.encode("utf-8")) < _MIN_KEY_BYTES:
        raise ApprovalKeyMissing(
            f"{KEY_SETTING} must be set to a secret of at least {_MIN_KEY_BYTES} bytes "
            "(in Azure, a Key Vault reference)"
        )
    return value.encode("utf-8")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, signed: str) -> bytes:
    return hmac.new(key, signed.encode("ascii"), hashlib.sha256).digest()


def issue_token(
    key: bytes,
    instance_id: str,
    decision: Decision,
    expires_at: int,
    slot: int = 0,
    nonce: str | None = None,
    *,
    run_id: str = "",
    execution: str = "",
) -> str:
    """Sign a token for one decision on one execution of an approval, valid until `expires_at`."""
    payload: dict[str, object] = {
        "i": instance_id,
        "d": decision,
        "e": int(expires_at),
        "n": nonce or secrets.token_urlsafe(16),
        "r": run_id,
        "x": execution,
    }
    if slot:
        payload["s"] = slot
    signed = "v1." + _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8"))
    return f"{signed}.{_b64(_mac(key, signed))}"


def verify_token(
    key: bytes, token: str, instance_id: str, decision: Decision, now: float | None = None
) -> ApprovalToken:
    """Check signature (constant time), binding and expiry; raise TokenRefused with the reason."""
    if not token or len(token) > _MAX_TOKEN_CHARS:
        raise TokenRefused("the approval token is missing or too long")
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != "v1":
        raise TokenRefused("the approval token is malformed")
    signed = f"{parts[0]}.{parts[1]}"
    try:
        mac = _unb64(parts[2])
        payload = json.loads(_unb64(parts[1]))
    except (ValueError, UnicodeDecodeError):
        raise TokenRefused("the approval token is malformed") from None
    # Compare the MAC before trusting any field of the payload.
    if not hmac.compare_digest(mac, _mac(key, signed)):
        raise TokenRefused("the approval token's signature is not valid")
    try:
        token_obj = ApprovalToken(
            instance_id=str(payload["i"]),
            decision=payload["d"],
            expires_at=int(payload["e"]),
            nonce=str(payload["n"]),
            slot=int(payload.get("s", 0)),
            run_id=str(payload.get("r", "")),
            execution=str(payload.get("x", "")),
        )
    except (KeyError, TypeError, ValueError):
        raise TokenRefused("the approval token is malformed") from None
    if not hmac.compare_digest(token_obj.instance_id.encode(), instance_id.encode()):
        raise TokenRefused("the approval token belongs to a different run")
    if token_obj.decision != decision:
        raise TokenRefused(f"the approval token is for {token_obj.decision!r}, not {decision!r}")
    if (time.time() if now is None else now) >= token_obj.expires_at:
        raise TokenRefused("the approval token has expired")
    return token_obj
