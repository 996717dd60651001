"""Who is deciding: principals from App Service authentication's headers, and where sign-in comes from."""

import pytest

from regionshift.approvals.identity import (
    Principal,
    identity_source,
    principal_from_headers,
    trusted_proxy_key,
)
from regionshift.errors import InputError


def test_the_principal_comes_from_the_platforms_headers_in_any_case() -> None:
    headers = {
        "X-MS-CLIENT-PRINCIPAL-NAME": "ana@contoso.com",
        "x-ms-client-principal-id": "00000000-aaaa-bbbb-cccc-000000000001",
        "X-Ms-Client-Principal-Idp": "aad",
    }
    assert principal_from_headers(headers) == Principal(
        name="ana@contoso.com", id="00000000-aaaa-bbbb-cccc-000000000001", provider="aad"
    )


def test_without_the_headers_there_is_no_principal() -> None:
    assert principal_from_headers({}) is None
    assert principal_from_headers({"x-ms-client-principal-name": "  "}) is None


def test_a_name_alone_is_told_apart_by_the_name() -> None:
    assert principal_from_headers({"x-ms-client-principal-name": "Ana@Contoso.com"}) == Principal(
        name="Ana@Contoso.com", id="ana@contoso.com"
    )


def test_sign_in_comes_from_app_service_or_a_trusted_proxy_or_nowhere() -> None:
    assert identity_source({"WEBSITE_AUTH_ENABLED": "True"}) == "App Service authentication"
    assert identity_source({"REGIONSHIFT_TRUSTED_PROXY_KEY": "k" * 32}) == "the reverse proxy regionshift serve trusts"
    assert identity_source({"WEBSITE_AUTH_ENABLED": "False"}) is None
    assert identity_source({}) is None


def test_the_proxy_key_is_off_by_default_and_must_be_a_real_secret() -> None:
    assert trusted_proxy_key({}) is None
    assert trusted_proxy_key({"REGIONSHIFT_TRUSTED_PROXY_KEY": "k" * 32}) == b"k" * 32
    with pytest.raises(InputError, match="at least 32 bytes"):
        trusted_proxy_key({"REGIONSHIFT_TRUSTED_PROXY_KEY": "short"})
