from __future__ import annotations

from typing import Any

import pytest

from bot.events._features import KeyExtractor
from bot.events.evaluate import load_labelled


@pytest.fixture(scope="session")
def labelled() -> list[dict[str, Any]]:
    """The hand-labelled real items, in order of publication."""
    return load_labelled()


@pytest.fixture(scope="session")
def extractor() -> KeyExtractor:
    """One extractor for the session: building its alias table and caches takes a while."""
    return KeyExtractor()
