"""Parsing pauses the cyclic collector and always leaves it as it found it."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from budget_tui.core import load_document
from budget_tui.core.gcpause import collector_paused

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "001_e3473a75da3345f7.txt"


@pytest.mark.parametrize("enabled", [True, False])
def test_parse_leaves_the_collector_as_it_was(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        doc = load_document(SAMPLE)
        assert doc.forms
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_collector_back_on_after_an_error() -> None:
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_paused():
        assert not gc.isenabled()
        raise ValueError("boom")
    assert gc.isenabled()


def test_what_the_block_made_ends_in_the_oldest_generation() -> None:
    with collector_paused():
        doc = load_document(SAMPLE)
    assert gc.get_freeze_count() == 0
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert id(doc) in oldest
    assert all(id(row) in oldest for f in doc.forms.values() if f.table for row in f.table.rows)


def test_objects_a_caller_froze_stay_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        load_document(SAMPLE)
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
