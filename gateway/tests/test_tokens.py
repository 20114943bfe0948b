"""Access tokens: a token checked once is answered from memory until its own expiry, never after,
and only under the secret that verified it."""
import time

import pytest

from contracts.errors import Unauthenticated
from gateway import accounts

ACCOUNT = {"id": 7, "username": "staff.1", "role": "community_staff", "scope": "410106001001"}


def test_a_checked_token_is_remembered_until_it_expires(monkeypatch):
    settings = accounts.Settings(secret="s" * 32, access_ttl=2)
    token = accounts.access_token(settings, ACCOUNT, "sid-1")
    caller, sid = accounts.caller_from_token(settings, token)
    assert (caller.account_id, caller.role, caller.scope, sid) == (7, "community_staff", "410106001001", "sid-1")

    def not_again(*_):
        raise AssertionError("checked again: not remembered")
    with monkeypatch.context() as m:
        m.setattr(accounts, "_verify", not_again)
        assert accounts.caller_from_token(settings, token) == (caller, sid)  # from memory
    time.sleep(3.1)  # past its expiry (whole seconds): refused, remembered or not
    with pytest.raises(Unauthenticated) as refused:
        accounts.caller_from_token(settings, token)
    assert refused.value.code == "token_expired" and (settings.secret, token) not in accounts._VERIFIED


def test_a_remembered_token_is_not_taken_under_another_secret():
    settings = accounts.Settings(secret="a" * 32)
    token = accounts.access_token(settings, ACCOUNT, "sid-2")
    accounts.caller_from_token(settings, token)
    with pytest.raises(Unauthenticated):
        accounts.caller_from_token(accounts.Settings(secret="b" * 32), token)
