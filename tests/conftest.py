from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REFERENCE = SHARED / "reference" / "upstream-2026-06-27"
REFERENCE_2026_08 = SHARED / "reference" / "upstream-2026-08-21"


@pytest.fixture
def shared_reference() -> Path:
    if not (REFERENCE / "recipes").is_dir():
        pytest.skip(f"reference data not found at {REFERENCE} (../shared is absent); conformance is checked in CI")
    return REFERENCE


@pytest.fixture
def shared_reference_2026_08() -> Path:
    if not (REFERENCE_2026_08 / "recipes").is_dir():
        pytest.skip(f"reference data not found at {REFERENCE_2026_08} (../shared is absent); conformance is checked in CI")
    return REFERENCE_2026_08
