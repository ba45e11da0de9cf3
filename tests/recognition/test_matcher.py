"""FaceIndex must answer exactly what brute force answers, whatever was added or removed.

The reference is a plain model: {sample_id: (person_id, vector)}. The index stores each
encoding as x~ (an 8-bit code and a 16-bit remainder, within `index.resolution` of the
encoding given): brute force over the index's own x~ (`index.stored()`) must give the same
people and distances to 1e-12, x~ must hold exactly the model's samples, each within the
resolution of its original, and distances must agree with the float64 originals to 1e-5.
Ties (equal distances) may be broken either way; everything else must match.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from device.recognition.matcher import Candidate, FaceIndex

TIE = 1e-9


class Model:
    """What was added and not removed, as brute force sees it."""

    def __init__(self) -> None:
        self.samples: dict[str, tuple[str, np.ndarray]] = {}

    def add(self, sample_id: str, person_id: str, vector: np.ndarray) -> None:
        if sample_id not in self.samples:
            self.samples[sample_id] = (person_id, np.asarray(vector, dtype=np.float64))

    def remove_person(self, person_id: str) -> int:
        gone = [s for s, (p, _) in self.samples.items() if p == person_id]
        for sample_id in gone:
            del self.samples[sample_id]
        return len(gone)

    @property
    def persons(self) -> set[str]:
        return {p for p, _ in self.samples.values()}


def per_person_best(owners: list[str], vectors: np.ndarray, query: np.ndarray) -> dict:
    distances = np.linalg.norm(vectors - np.asarray(query, np.float64), axis=1)
    best: dict[str, float] = {}
    for person, d in zip(owners, distances.tolist(), strict=True):
        best[person] = min(d, best.get(person, np.inf))
    return best


def check(index: FaceIndex, model: Model, query: np.ndarray, persons: int = 2) -> None:
    got = index.search(query, persons=persons)
    ids, owners, stored = index.stored()
    # the index holds exactly the model's samples, each within its resolution
    assert sorted(ids) == sorted(model.samples)
    assert all(model.samples[s][0] == p for s, p in zip(ids, owners, strict=True))
    if ids:
        originals = np.array([model.samples[s][1] for s in ids]).reshape(len(ids), -1)
        drift = np.linalg.norm(stored - originals, axis=1).max()
        assert drift <= index.resolution * (1 + 1e-9) + 1e-300
    best = per_person_best(owners, stored, query) if ids else {}
    ranked = sorted(best.values())[:persons]
    assert len(got) == len(ranked)
    assert len({c.person_id for c in got}) == len(got), "a person twice"
    assert all(isinstance(c, Candidate) for c in got)
    q = np.asarray(query, dtype=np.float64)
    row_of = {s: i for i, s in enumerate(ids)}
    for candidate, want in zip(got, ranked, strict=True):
        # the k-th answer is at the k-th smallest person distance (ties: either person)
        assert candidate.distance == pytest.approx(want, rel=1e-12, abs=TIE)
        # ... it really is that person's best sample, and the distance is that sample's
        assert candidate.distance == pytest.approx(best[candidate.person_id], rel=1e-12,
                                                   abs=TIE)
        assert owners[row_of[candidate.sample_id]] == candidate.person_id
        assert candidate.distance == pytest.approx(
            float(np.linalg.norm(stored[row_of[candidate.sample_id]] - q)), rel=1e-12, abs=TIE)
    # and, against the float64 originals, the distances agree within the resolution
    if ids:
        original = per_person_best(owners, originals, query)
        for candidate in got:
            assert abs(candidate.distance - original[candidate.person_id]) <= (
                index.resolution * (1 + 1e-9) + 1e-12 * candidate.distance)
    # nobody left out is strictly nearer than the last answer
    if got:
        chosen = {c.person_id for c in got}
        cut = got[-1].distance
        assert all(d >= cut - TIE for p, d in best.items() if p not in chosen)


def unit(rng: np.random.Generator, n: int, dim: int = 128) -> np.ndarray:
    x = rng.standard_normal((n, dim))
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def library(rng: np.random.Generator, people: int, per_person: int, dim: int = 128,
            spread: float = 0.03) -> tuple[list[str], list[str], np.ndarray]:
    centres = unit(rng, people, dim)
    owners = np.repeat(np.arange(people), per_person)
    vectors = centres[owners] + rng.standard_normal((len(owners), dim)) * spread
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return ([f"s{i}" for i in range(len(owners))], [f"p{o}" for o in owners], vectors)


def filled(sample_ids, person_ids, vectors, **kwargs) -> tuple[FaceIndex, Model]:
    index, model = FaceIndex(dim=vectors.shape[1], **kwargs), Model()
    index.add_matrix(sample_ids, person_ids, vectors)
    for row in zip(sample_ids, person_ids, vectors, strict=True):
        model.add(*row)
    return index, model


# -- seeded random -----------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1])
def test_clustered_library_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    ids, people, vectors = library(rng, people=400, per_person=4)
    index, model = filled(ids, people, vectors)
    assert len(index) == 1600 and index.person_count == 400
    probes = np.concatenate([
        vectors[rng.integers(0, len(vectors), 20)] + rng.standard_normal((20, 128)) * 0.03,
        vectors[rng.integers(0, len(vectors), 5)],  # exactly a stored sample: distance 0
        unit(rng, 10),  # strangers
        unit(rng, 5) * 3.0,  # far outside the range of the codes
    ])
    for i, probe in enumerate(probes):
        check(index, model, probe, persons=(1, 2, 3, 7)[i % 4])


def test_unit_norm_encodings_are_held_to_1e_5() -> None:
    """dlib's encodings are unit-length-ish with components under 0.5: the 1e-5 promise."""
    rng = np.random.default_rng(13)
    for scale in (0.6, 1.0):  # the door's synthetic people are at 0.6
        ids, people, vectors = library(rng, people=2000, per_person=3)
        index, model = filled(ids, people, vectors * scale)
        assert index.resolution < 1e-5
        for probe in vectors[:20] * scale + 0.01:
            check(index, model, probe, persons=2)


def test_add_many_add_matrix_and_add_agree() -> None:
    rng = np.random.default_rng(3)
    ids, people, vectors = library(rng, people=50, per_person=3)
    one = FaceIndex()
    for row in zip(ids, people, vectors, strict=True):
        one.add(*row)
    many = FaceIndex()
    many.add_many(list(zip(ids, people, vectors, strict=True)))
    matrix = FaceIndex()
    matrix.add_matrix(ids, people, vectors)
    assert many.stored()[2].tobytes() == matrix.stored()[2].tobytes()
    # one at a time, the code step grew along the way: x~ may differ within the resolution
    slack = 2 * max(i.resolution for i in (one, many, matrix)) + 1e-12
    assert 0 < slack < 2e-5
    for probe in unit(rng, 10):
        answers = [i.search(probe, persons=3) for i in (one, many, matrix)]
        assert answers[1] == answers[2]
        for a, b in zip(answers[0], answers[1], strict=True):
            assert (a.person_id, a.sample_id) == (b.person_id, b.sample_id)
            assert a.distance == pytest.approx(b.distance, abs=slack)


def test_many_samples_of_one_person_near_the_query_widen_the_short_list() -> None:
    rng = np.random.default_rng(4)
    probe = unit(rng, 1)[0]
    crowd = probe + rng.standard_normal((3000, 128)) * 1e-3  # one person, all near
    others = unit(rng, 500)
    vectors = np.concatenate([crowd, others])
    ids = [f"s{i}" for i in range(len(vectors))]
    people = ["crowd"] * len(crowd) + [f"p{i}" for i in range(len(others))]
    index, model = filled(ids, people, vectors)
    for persons in (1, 2, 4):
        check(index, model, probe, persons)


def test_exact_ties_between_people_and_within_a_person() -> None:
    rng = np.random.default_rng(5)
    base = unit(rng, 6)
    # a, b and c hold identical vectors; a also twice within itself
    rows = [("a1", "a", base[0]), ("a2", "a", base[0]), ("b1", "b", base[0]),
            ("c1", "c", base[0]), ("d1", "d", base[1]), ("e1", "e", base[2])]
    index, model = FaceIndex(), Model()
    index.add_many(rows)
    for row in rows:
        model.add(*row)
    for probe in [base[0], base[1], base[0] + 0.01, base[3]]:
        for persons in (1, 2, 3, 5, 10):
            check(index, model, probe, persons)
    top = index.search(base[0].astype(np.float32), persons=3)
    assert {c.person_id for c in top} == {"a", "b", "c"}
    assert len({c.distance for c in top}) == 1  # identical encodings, identical x~
    assert top[0].distance <= index.resolution + 1e-7  # float32 rounding of the query


def test_a_sample_whose_code_is_far_but_whose_encoding_is_near_is_not_missed() -> None:
    """Built so that ignoring the stored samples' quantisation error gives a wrong answer."""
    dim = 8
    index, model = FaceIndex(dim=dim), Model()

    def put(sample_id: str, person_id: str, vector: np.ndarray) -> None:
        index.add(sample_id, person_id, vector)
        model.add(sample_id, person_id, vector)

    put("scale", "S", np.eye(dim)[0])  # fixes the code step
    step = index._step
    assert len(index) == 1 and step > 0

    def grid(*units: float) -> np.ndarray:
        return step * np.array([*units, *[0.0] * (dim - len(units))])

    put("a", "A", grid())  # the query itself: distance 0, code distance 0
    put("b", "B", grid(0, 4))  # distance 4 steps, code distance 16
    for i in range(62):  # fill the first pass's short list: code distance 17
        put(f"f{i}", "F", grid(0, 4, 1))
    # code (2, 2, 2, 2, 2): code distance 20, yet the true distance is only ~3.4 steps
    put("x", "C", grid(1.51, 1.51, 1.51, 1.51, 1.51))
    got = index.search(grid(), persons=2)
    assert [c.person_id for c in got] == ["A", "C"]
    check(index, model, grid(), persons=2)


def test_a_query_whose_code_is_off_is_still_answered_exactly() -> None:
    """The mirror image: on-grid samples, a query with a large quantisation error."""
    dim = 16
    index, model = FaceIndex(dim=dim), Model()

    def put(sample_id: str, person_id: str, vector: np.ndarray) -> None:
        index.add(sample_id, person_id, vector)
        model.add(sample_id, person_id, vector)

    index.add("scale", "S", np.eye(dim)[0])  # fixes the code step, then leaves
    step = index._step
    index.remove_person("S")

    def grid(*units: float) -> np.ndarray:
        return step * np.array([*units, *[0.0] * (dim - len(units))])

    query = grid(1.51, 1.51, 1.51, 1.51, 1.51)  # codes (2, 2, 2, 2, 2)
    put("a", "A", grid(2, 2, 2, 2, 2))  # code distance 0, true distance ~1.1 steps
    put("b", "B", grid(2, 2, 2, 2, 2, 0, 0, 0, 4))  # code 16, true ~4.15
    for i in range(62):
        put(f"f{i}", "F", grid(2, 2, 2, 2, 2, 0, 0, 0, 4, 1, 1))  # code 18, true ~4.4
    put("x", "C", grid())  # code distance 20, true distance ~3.4
    got = index.search(query, persons=2)
    assert [c.person_id for c in got] == ["A", "C"]
    check(index, model, query, persons=2)


def test_duplicate_sample_ids_are_ignored_first_one_wins() -> None:
    rng = np.random.default_rng(6)
    v = unit(rng, 3)
    index, model = FaceIndex(), Model()
    batch = [("x", "p", v[0]), ("x", "q", v[1]), ("y", "q", v[2])]
    index.add_many(batch)
    index.add("y", "p", v[0])
    index.add_matrix(["x", "z", "z"], ["r", "r", "s"], v)
    for row in [*batch, ("y", "p", v[0]), ("x", "r", v[0]), ("z", "r", v[1]), ("z", "s", v[2])]:
        model.add(*row)
    assert len(index) == 3 and index.person_count == 3
    for probe in v:
        check(index, model, probe, persons=3)
    index.add_matrix(["x", "y"], ["p", "p"], v[:2])  # nothing new at all
    assert len(index) == 3


def test_removals_compact_and_keep_answers_exact() -> None:
    rng = np.random.default_rng(7)
    ids, people, vectors = library(rng, people=60, per_person=5)
    order = rng.permutation(len(ids))  # a person's rows scattered through the matrix
    ids = [ids[i] for i in order]
    people = [people[i] for i in order]
    vectors = vectors[order]
    index, model = filled(ids, people, vectors)
    for step, person in enumerate(rng.permutation(60)[:45]):
        person_id = f"p{person}"
        assert index.remove_person(person_id) == model.remove_person(person_id) == 5
        assert index.remove_person(person_id) == 0
        assert len(index) == len(model.samples)
        assert index.person_count == len(model.persons)
        if step % 5 == 0:
            for probe in vectors[rng.integers(0, len(vectors), 4)]:
                check(index, model, probe, persons=3)
                assert all(c.person_id != person_id for c in index.search(probe, 10))
    # the freed rows are zeroed (no copy of a removed encoding stays behind)
    n = len(index)
    assert not index._fine[n:].any() and not index._codes[n:].any()
    assert not index._ids[n:].any() and not index._norms[n:].any()
    # a removed person, or a removed sample id, can come back
    gone = next(i for i, p in enumerate(people) if p not in model.persons)
    index.add(ids[gone], people[gone], vectors[gone] + 0.01)
    index.add(ids[gone + 1], "newcomer", vectors[gone + 1])
    model.add(ids[gone], people[gone], vectors[gone] + 0.01)
    model.add(ids[gone + 1], "newcomer", vectors[gone + 1])
    assert len(index) == len(model.samples) and index.person_count == len(model.persons)
    check(index, model, vectors[gone], persons=3)
    assert index.remove_person("nobody") == 0


def test_removing_everyone_leaves_an_empty_index() -> None:
    rng = np.random.default_rng(8)
    ids, people, vectors = library(rng, people=3, per_person=2)
    index, _ = filled(ids, people, vectors)
    for p in ("p0", "p1", "p2"):
        index.remove_person(p)
    assert len(index) == 0 and index.person_count == 0
    assert index.search(vectors[0]) == []


def test_growth_past_capacity_one_at_a_time() -> None:
    rng = np.random.default_rng(9)
    ids, people, vectors = library(rng, people=100, per_person=3)
    index, model = FaceIndex(capacity=1), Model()
    for row in zip(ids, people, vectors, strict=True):
        index.add(*row)
        model.add(*row)
    assert len(index) == 300 and index.person_count == 100
    for probe in vectors[::37]:
        check(index, model, probe, persons=2)


def test_the_code_range_grows_when_a_larger_encoding_arrives() -> None:
    rng = np.random.default_rng(10)
    small = unit(rng, 200) * 0.01
    index, model = filled([f"s{i}" for i in range(200)], [f"p{i % 50}" for i in range(200)],
                          small)
    large = unit(rng, 20) * 5.0
    for i, v in enumerate(large):
        index.add(f"L{i}", f"q{i}", v)
        model.add(f"L{i}", f"q{i}", v)
    for probe in [*small[:5], *large[:5], small[0] * 0.0]:
        check(index, model, probe, persons=3)


def test_one_person_and_the_empty_index() -> None:
    index = FaceIndex()
    assert len(index) == 0 and index.person_count == 0
    assert index.search(np.zeros(128)) == []
    v = np.full(128, 0.05)
    index.add("only", "solo", v)
    got = index.search(v + 0.001, persons=2)
    assert [c.person_id for c in got] == ["solo"] and len(index) == 1
    assert got[0].distance == pytest.approx(0.001 * np.sqrt(128),
                                           abs=index.resolution * 1.001)
    assert 0 < index.resolution < 1e-5
    assert index.search(v, persons=0) == []


def test_all_zero_encodings() -> None:
    index, model = FaceIndex(), Model()
    for i in range(3):
        index.add(f"z{i}", f"p{i}", np.zeros(128))
        model.add(f"z{i}", f"p{i}", np.zeros(128))
    check(index, model, np.zeros(128), persons=2)
    check(index, model, np.ones(128), persons=3)


def test_bad_input_is_refused_and_changes_nothing() -> None:
    index = FaceIndex()
    index.add("a", "p", np.ones(128) * 0.1)
    with pytest.raises(ValueError):
        index.add("b", "p", np.ones(127))
    with pytest.raises(ValueError):
        index.add("b", "p", np.full(128, np.nan))
    with pytest.raises(ValueError):
        index.add_matrix(["b"], ["p"], np.full((1, 128), 1e39))  # inf in float32
    with pytest.raises(ValueError):
        index.add_matrix(["b", "c"], ["p"], np.zeros((2, 128)))
    for sample_id, person_id in [("", "p"), ("b\0", "p"), ("\ud800", "p"), ("b", ""),
                                 ("b", "\ud800"), ("b", "p\0")]:
        with pytest.raises(ValueError, match="id"):
            index.add(sample_id, person_id, np.ones(128) * 0.2)
    with pytest.raises(ValueError):
        index.search(np.ones(3))
    with pytest.raises(ValueError):
        index.search(np.full(128, np.inf))
    assert len(index) == 1 and index.person_count == 1
    index.add("b", "p", np.ones(128) * 0.2)  # "b" was never taken
    assert len(index) == 2


def test_low_dimension_and_real_world_shapes() -> None:
    rng = np.random.default_rng(11)
    ids, people, vectors = library(rng, people=30, per_person=2, dim=4, spread=0.2)
    index, model = filled(ids, people, vectors)
    for probe in rng.standard_normal((30, 4)):
        check(index, model, probe, persons=3)


# -- property based ------------------------------------------------------------------------

# Few distinct component values: ties and near-ties are the rule, not the exception.
component = st.sampled_from([-0.5, -0.25, -0.125, 0.0, 0.125, 0.25, 0.5, 0.3333333, 1e-7])
DIM = 6
vector = st.lists(component, min_size=DIM, max_size=DIM).map(np.array)


class IndexMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.index = FaceIndex(dim=DIM, capacity=2)
        self.model = Model()
        self.counter = 0

    @rule(person=st.integers(0, 6), v=vector, reuse=st.booleans())
    def add(self, person: int, v: np.ndarray, reuse: bool) -> None:
        sample_id = f"s{self.counter - 1 if reuse and self.counter else self.counter}"
        self.counter += 1
        self.index.add(sample_id, f"p{person}", v)
        self.model.add(sample_id, f"p{person}", v)

    @rule(rows=st.lists(st.tuples(st.integers(0, 6), vector), min_size=1, max_size=12),
          scale=st.sampled_from([1.0, 1e-3, 40.0]))
    def add_matrix(self, rows: list, scale: float) -> None:
        ids = [f"s{self.counter + i}" for i in range(len(rows))]
        self.counter += len(rows)
        people = [f"p{p}" for p, _ in rows]
        matrix = np.array([v for _, v in rows]) * scale
        self.index.add_matrix(ids, people, matrix)
        for row in zip(ids, people, matrix, strict=True):
            self.model.add(*row)

    @rule(person=st.integers(0, 6))
    def remove(self, person: int) -> None:
        assert self.index.remove_person(f"p{person}") == self.model.remove_person(f"p{person}")

    @precondition(lambda self: True)
    @rule(v=vector, persons=st.integers(1, 4), jitter=st.sampled_from([0.0, 1e-9, 0.01]))
    def search(self, v: np.ndarray, persons: int, jitter: float) -> None:
        check(self.index, self.model, v + jitter, persons)

    @invariant()
    def sizes(self) -> None:
        assert len(self.index) == len(self.model.samples)
        assert self.index.person_count == len(self.model.persons)


TestIndexMachine = IndexMachine.TestCase
TestIndexMachine.settings = settings(max_examples=40, stateful_step_count=25, deadline=None,
                                     suppress_health_check=[HealthCheck.too_slow])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), vector), min_size=1, max_size=60), vector,
       st.integers(1, 5))
def test_any_library_any_query(rows: list, query: np.ndarray, persons: int) -> None:
    ids = [f"s{i}" for i in range(len(rows))]
    people = [f"p{p}" for p, _ in rows]
    index, model = filled(ids, people, np.array([v for _, v in rows]))
    check(index, model, query, persons)


# -- threads -----------------------------------------------------------------------------

def test_concurrent_search_add_and_remove() -> None:
    rng = np.random.default_rng(12)
    ids, people, vectors = library(rng, people=200, per_person=3)
    index, _ = filled(ids[:300], people[:300], vectors[:300])
    errors: list[BaseException] = []
    stop = threading.Event()

    def searcher(seed: int) -> None:
        local = np.random.default_rng(seed)
        try:
            while not stop.is_set():
                got = index.search(vectors[local.integers(0, len(vectors))], persons=3)
                assert len({c.person_id for c in got}) == len(got)
                assert [c.distance for c in got] == sorted(c.distance for c in got)
        except BaseException as e:
            errors.append(e)

    def writer() -> None:
        try:
            for start in range(300, 600, 30):
                index.add_matrix(ids[start:start + 30], people[start:start + 30],
                                 vectors[start:start + 30])
                index.remove_person(people[start - 300])
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=searcher, args=(s,)) for s in range(3)]
    for t in threads:
        t.start()
    write = threading.Thread(target=writer)
    write.start()
    write.join(timeout=30)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    model = Model()
    removed = {people[start - 300] for start in range(300, 600, 30)}
    for row in zip(ids, people, vectors, strict=True):
        if row[1] not in removed:
            model.add(*row)
    assert len(index) == len(model.samples)
    for probe in vectors[::50]:
        check(index, model, probe, persons=2)


@pytest.mark.parametrize("dim", [1, 2, 7, 128])
def test_twelve_bit_remainders_pack_and_unpack_exactly(dim: int) -> None:
    from device.recognition.matcher import _pack12, _unpack12

    every = np.arange(-2047, 2048)
    values = np.resize(every, (len(every) // dim + 2) * dim).reshape(-1, dim)
    packed = _pack12(values.astype(np.float64))
    assert packed.dtype == np.uint8 and packed.shape[1] == (dim + 1) // 2 * 3
    np.testing.assert_array_equal(_unpack12(packed, dim), values)
