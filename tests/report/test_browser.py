"""The report in a real headless Chromium: what a person sees, and that nothing runs that
should not. Screenshots go to test-output/report/ (gitignored) for people to look at."""

import time
from pathlib import Path

import pytest

from halluc.log.jsonl import write_json_atomic
from halluc.log.outcomes import Outcome
from halluc.log.records import Record, records_to_frame
from halluc.log.runs import RunFolder
from halluc.render.tables import fmt_num
from halluc.report import write_report
from halluc.report.browser import Browser
from halluc.scoring.metrics import summarize
from tests.report.synth import Behaviour, make_run, write_large_runs

ATTACKS = {
    "response": "<script>window.__xss_r=1</script>",
    "image": '<img src=x onerror="window.__xss_img=1">',
    "table": "</table></td><b id=injected>bold</b>",
    "question": "</table><script>window.__xss_q=1</script>?",
    "item": "<svg onload=window.__xss_id=1>",
    "model": '<img src=y onerror="window.__xss_model=1">',
    "error": "<iframe src=javascript:window.__xss_e=1></iframe>",
    "method": "<b id=method>tok</b>",
}


def page_text(browser: Browser) -> str:
    text = browser.eval("document.body.innerText")
    assert isinstance(text, str)
    return text


def test_report_of_a_real_run(
    real_run: Path, browser: Browser, output_dir: Path, tmp_path: Path
) -> None:
    out = write_report([real_run], tmp_path / "report.html")
    browser.goto(out.as_uri())
    assert browser.problems() == []
    shot = browser.screenshot(output_dir / "real_run.png")
    assert shot.stat().st_size > 20_000
    text = page_text(browser)
    records = RunFolder(real_run).records()
    targets = sorted({r.target for r in records if r.target is not None})
    table = summarize(records_to_frame(records), targets)
    assert len(table) > 0
    for _, r in table.iterrows():
        for col in ("accuracy", "error_rate", "abstention_rate", "score", "score_lo", "score_hi"):
            assert fmt_num(float(r[col])) in text, (col, r["model"], r["mode"], r["target"])
    assert browser.eval("document.querySelectorAll('#items-body tr').length") > 0
    assert browser.eval("document.querySelectorAll('svg.plot').length") >= 4


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "<b>run</b>"
    run = RunFolder.create(path, {"dataset": "hostile"})
    meta = {"question": ATTACKS["question"], "answers": [ATTACKS["image"]]}
    recs = []
    for t in (0.0, 0.5):
        recs += [
            Record(
                "q1", "plain", Outcome.INCORRECT, t, response=ATTACKS["response"], metadata=meta
            ),
            Record("q2", "plain", Outcome.CORRECT, t, response=ATTACKS["table"], metadata=meta),
            Record(ATTACKS["item"], "plain", Outcome.ERROR, t, error=ATTACKS["error"]),
            Record(
                "q1",
                ATTACKS["model"],
                Outcome.ABSTAINED if t else Outcome.INCORRECT,
                t,
                "policy",
                response=ATTACKS["image"],
                confidence=0.4,
                confidence_method=ATTACKS["method"],
                answer_outcome=Outcome.INCORRECT,
            ),
            Record(
                "q2",
                ATTACKS["model"],
                Outcome.CORRECT,
                t,
                "policy",
                response="fine",
                confidence=0.9,
                confidence_method=ATTACKS["method"],
                answer_outcome=Outcome.CORRECT,
            ),
        ]
    run.append(recs)
    write_json_atomic(
        path / "census.json",
        {
            "parameters": {"corpus": ATTACKS["response"]},
            "buckets": [
                {
                    "bucket": ATTACKS["table"],
                    "n": 2,
                    "rows": [
                        {
                            "model": ATTACKS["model"],
                            "mode": "policy",
                            "target": 0.5,
                            "accuracy": 0.5,
                            "error_rate": 0.0,
                            "abstention_rate": 0.5,
                            "score": 0.5,
                        }
                    ],
                }
            ],
        },
    )
    return path


def test_model_output_is_text_and_runs_nothing(
    hostile_run: Path, browser: Browser, output_dir: Path, tmp_path: Path
) -> None:
    out = write_report([hostile_run], tmp_path / "hostile.html", title=ATTACKS["response"])
    browser.goto(out.as_uri())
    browser.screenshot(output_dir / "hostile.png")
    # No refusal by the Content-Security-Policy either: escaping stopped every payload before
    # it could even try to run, and the page's own script ran without error.
    assert browser.problems() == []
    assert browser.eval("Object.keys(window).filter(k => k.startsWith('__xss'))") == []
    assert browser.eval("document.title") == ATTACKS["response"]
    counts = browser.eval(
        "[document.querySelectorAll('img, iframe, #injected, #method').length,"
        " document.querySelectorAll('script').length,"
        " document.querySelectorAll('svg:not(.plot)').length]"
    )
    assert counts == [0, 2, 0]
    text = page_text(browser)
    for name, payload in ATTACKS.items():
        if name != "question":  # innerText folds the question's line break; checked below
            assert payload in text, name
    assert "</table><script>window.__xss_q=1</script>?" in text
    rows = browser.eval("document.querySelectorAll('#items-body tr').length")
    assert rows == 10


def test_item_browser_filters_by_outcome_and_text(
    browser: Browser, tmp_path: Path, output_dir: Path
) -> None:
    run = make_run(
        tmp_path / "run",
        {"g": Behaviour("guesser", 0.0), "c": Behaviour("calibrated", 0.0)},
        n_items=60,
        targets=(0.0, 0.5),
        error_every=10,
    )
    records = run.records()
    out = write_report([run.path], tmp_path / "r.html")
    browser.goto(out.as_uri())
    n_wrong = sum(r.outcome is Outcome.INCORRECT for r in records)
    browser.eval(
        "for (const o of ['correct', 'abstained', 'error'])"
        " document.querySelector(`#items-outcomes input[value=${o}]`).click();"
    )
    shown = browser.eval(
        "[...document.querySelectorAll('#items-body tr')].map(r => r.dataset.outcome)"
    )
    assert shown and set(shown) == {"incorrect"}
    assert len(shown) == min(50, n_wrong)
    status = browser.eval("document.getElementById('items-status').textContent")
    assert f"of {n_wrong} matching" in status
    browser.eval(
        "const s = document.getElementById('items-search'); s.value = 'q0007';"
        " s.dispatchEvent(new Event('input'));"
    )
    wanted = [r for r in records if r.item_id == "q0007" and r.outcome is Outcome.INCORRECT]
    rows = browser.eval(
        "[...document.querySelectorAll('#items-body tr')].map(r => r.cells[0].textContent)"
    )
    assert rows == ["q0007"] * len(wanted)
    browser.screenshot(output_dir / "filtered.png", max_height=2500)
    assert browser.problems() == []


@pytest.mark.slow
def test_twenty_models_by_five_thousand_items(
    browser: Browser, tmp_path: Path, output_dir: Path
) -> None:
    runs = write_large_runs(tmp_path / "runs", 20, 5000, (0.0, 0.5))
    start = time.perf_counter()
    out = write_report(runs, tmp_path / "large.html")
    built = time.perf_counter() - start
    size = out.stat().st_size
    assert size < 5_000_000, size
    seconds = browser.goto(out.as_uri(), timeout=120)
    assert browser.problems() == []
    assert browser.eval("document.querySelectorAll('#items-body tr').length") == 50
    status = browser.eval("document.getElementById('items-status').textContent")
    assert "of 12000 matching" in status  # the item browser's sample, as documented
    browser.screenshot(output_dir / "large.png", max_height=4000)
    print(
        f"20 models x 5000 items x 2 targets: {size / 1e6:.2f} MB, built in {built:.1f} s, "
        f"loaded in {seconds:.2f} s"
    )
