"""The admin API through Chalice's test client, with operators of every role signed up (tests/unit/operators.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from chalice.test import Client

from app import app
from chalicelib.auth.operators import OperatorUser, hash_password
from chalicelib.services.deps import Dependencies
from tests.unit.operators import PASSWORD, USERS


@pytest.fixture
def admin_client(fake_deps: Dependencies) -> Iterator[Any]:
    fake_deps.settings = replace(fake_deps.settings, session_secret="test-secret")
    password_hash = hash_password(PASSWORD)
    for principal in USERS.values():
        fake_deps.operators.save(OperatorUser(principal, password_hash))
    with Client(app) as test_client:
        yield test_client
