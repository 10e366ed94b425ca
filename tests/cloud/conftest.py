"""Fixtures for the cloud (Claude) client tests: a local fake of the Anthropic Messages API.

`fake_api.py` sits next to this file; tests/cloud has no `__init__.py`, so pytest's default (prepend) import
mode puts this directory on `sys.path`, the same way tests/e2e/conftest.py imports `lsp_helpers`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_api import FakeAnthropic


@pytest.fixture
def fake_api() -> Iterator[FakeAnthropic]:
    """A started FakeAnthropic (see fake_api.py); closed after the test."""
    with FakeAnthropic() as api:
        yield api
