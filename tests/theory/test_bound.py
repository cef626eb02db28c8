"""A bound survives a trip through JSON, so saved measurements can be read back."""

from __future__ import annotations

import orjson

from halluc.theory.bound import Bound
from halluc.theory.facts import theorem2_lower_bound, theorem2_upper_bound


def test_bounds_read_back_from_json_equal_the_original() -> None:
    for b in (theorem2_lower_bound(0.3, 1000, 364, 0.01), theorem2_upper_bound(0.3, 10**6, 364)):
        back = Bound.from_dict(orjson.loads(orjson.dumps(b.to_dict())))
        assert back == b
        assert back.to_dict() == b.to_dict()


def test_vacuous_is_recomputed_from_the_value() -> None:
    b = Bound(-0.2, {"x": 1.0}, "err >= -0.2", "lower", 1.0, "toy", ("a note",))
    doc = b.to_dict() | {"vacuous": False}
    back = Bound.from_dict(doc)
    assert back.vacuous and back.notes == ("a note",)
