import random

from halluc.log.outcomes import Outcome
from halluc.log.records import Record
from halluc.report.items import item_payload


def records(n_items: int, models: int = 3, targets: tuple[float, ...] = (0.0, 0.5)) -> list[Record]:
    out = []
    for m in range(models):
        for i in range(n_items):
            for t in targets:
                out.append(
                    Record(
                        f"item{i}",
                        f"model{m}",
                        Outcome.CORRECT if (i + m) % 3 else Outcome.INCORRECT,
                        t,
                        response=f"response {i} " + "x" * (i % 7) * 100,
                        metadata={"question": f"question {i}?", "answers": f"gold {i}"},
                    )
                )
    return out


def test_everything_fits_when_small() -> None:
    recs = records(10)
    p = item_payload(recs, max_records=1000)
    assert not p.sampled
    assert p.shown_records == len(recs) == 60
    assert p.data["targets"] == [0.0, 0.5]
    assert sorted(p.data["entries"]) == ["model0", "model1", "model2"]
    # Gold answers given as one string become a one-element list.
    assert all(len(item[2]) == 1 for item in p.data["items"])


def test_sample_keeps_whole_items_for_every_model_and_is_stable() -> None:
    recs = records(200)
    p = item_payload(recs, max_records=300, max_chars=50)
    assert p.sampled
    assert p.shown_records <= 300
    per_item: dict[int, int] = {}
    for row in p.data["rows"]:
        per_item[row[0]] = per_item.get(row[0], 0) + 1
    assert set(per_item.values()) == {6}  # 3 models x 2 targets, never a partial item
    assert p.shown_items == len(per_item) == p.shown_records // 6
    shuffled = recs[:]
    random.Random(1).shuffle(shuffled)
    q = item_payload(shuffled, max_records=300, max_chars=50)
    assert [i[0] for i in q.data["items"]] == [i[0] for i in p.data["items"]]
    # Long responses are cut, with a visible mark.
    texts = [row[6] for row in p.data["rows"]]
    assert max(len(t) for t in texts) == 50
    assert any(t.endswith("…") for t in texts)


def test_missing_question_and_answers_are_empty_not_invented() -> None:
    recs = [Record("a", "m", Outcome.ABSTAINED, 0.5, response=None)]
    p = item_payload(recs)
    assert p.data["items"] == [["a", None, []]]
    row = p.data["rows"][0]
    assert row[3] == p.data["outcomes"].index("abstained")
    assert row[6] is None


def test_one_huge_item_is_still_shown() -> None:
    recs = records(1, models=5, targets=(0.0, 0.25, 0.5, 0.75))
    p = item_payload(recs, max_records=3)
    assert p.shown_items == 1 and p.shown_records == 20
