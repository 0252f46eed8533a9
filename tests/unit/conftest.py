"""The admin API through Chalice's test client, with operators of every role signed up (tests/unit/operators.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from functools import lru_cache
from typing import Any

import pytest
from chalice.test import Client

from app import app
from chalicelib.auth.operators import OperatorUser, hash_password
from chalicelib.services.deps import Dependencies
from tests.unit.operators import PASSWORD, USERS


@lru_cache(maxsize=1)
def _password_hash() -> str:
    return hash_password(PASSWORD)  # PBKDF2 is slow on purpose: once per run


@pytest.fixture
def admin_client(fake_deps: Dependencies) -> Iterator[Any]:
    fake_deps.settings = replace(fake_deps.settings, session_secret="test-secret")
    for principal in USERS.values():
        fake_deps.operators.save(OperatorUser(principal, _password_hash()))
    with Client(app) as test_client:
        yield test_client
