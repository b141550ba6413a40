from __future__ import annotations

from typing import Any

import pytest

from concurso_coach.accounts.client_address import client_address, parse_trusted_proxies


def _scope(peer: str, forwarded: str | None = None) -> Any:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return {"type": "http", "client": (peer, 1234), "headers": headers}


def test_peer_is_used_when_no_proxy_is_trusted() -> None:
    assert client_address(_scope("203.0.113.9", "1.2.3.4"), ()) == "203.0.113.9"


def test_forwarded_header_from_an_untrusted_peer_is_ignored() -> None:
    scope = _scope("203.0.113.9", "1.2.3.4")

    assert client_address(scope, ("10.0.0.0/8",)) == "203.0.113.9"


def test_trusted_proxy_yields_the_right_most_untrusted_hop() -> None:
    # The client forged 1.2.3.4; our proxy appended the address it really saw.
    scope = _scope("10.0.0.5", "1.2.3.4, 198.51.100.7")

    assert client_address(scope, ("10.0.0.0/8",)) == "198.51.100.7"


def test_chained_trusted_proxies_are_skipped() -> None:
    scope = _scope("10.0.0.5", "198.51.100.7, 10.0.0.9")

    assert client_address(scope, ("10.0.0.0/8",)) == "198.51.100.7"


def test_ipv6_addresses_are_normalised() -> None:
    scope = _scope("::1", "2001:DB8:0:0::1")

    assert client_address(scope, ("::1/128",)) == "2001:db8::1"


def test_bad_trusted_proxy_entry_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        parse_trusted_proxies(("10.0.0.0/33",))
