"""IdTable: ids to dense numbers and back, whatever the hashes do."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from device.recognition import idtable
from device.recognition.idtable import IdTable

ids = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\0"),
              min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(ids, max_size=20), max_size=6))
def test_numbers_are_dense_stable_and_reversible(batches: list[list[str]]) -> None:
    table = IdTable()
    model: dict[str, int] = {}
    for batch in batches:
        numbers = table.intern(batch).tolist()
        for text, number in zip(batch, numbers, strict=True):
            assert model.setdefault(text, len(model)) == number
    assert len(table) == len(model)
    assert all(table[number] == text for text, number in model.items())
    probe = [*model, "never-seen"]
    assert table.lookup(probe).tolist() == [*model.values(), -1]


def test_colliding_hashes_still_tell_ids_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(idtable, "_hash", lambda ids: np.zeros(len(ids), dtype=np.int64))
    table = IdTable()
    assert table.intern(["a", "b", "a"]).tolist() == [0, 1, 0]
    assert table.intern(["c", "b"]).tolist() == [2, 1]
    assert table.lookup(["c", "a", "zz"]).tolist() == [2, 0, -1]
    assert [table[i] for i in range(3)] == ["a", "b", "c"]


def test_long_and_non_ascii_ids_widen_the_store() -> None:
    table = IdTable()
    table.intern(["x"])
    long = "员工-" + "9" * 200
    assert table.intern([long, "x"]).tolist() == [1, 0]
    assert table[1] == long and table[0] == "x"


@pytest.mark.parametrize("bad", ["", "a\0b", "\ud800"])
def test_empty_or_nul_ids_are_refused_and_change_nothing(bad: str) -> None:
    table = IdTable()
    table.intern(["ok"])
    with pytest.raises(ValueError, match="id"):
        table.intern(["new", bad])
    assert len(table) == 1 and table.lookup(["new"]).tolist() == [-1]
    with pytest.raises(IndexError):
        table[1]
