"""The written report, read as a file (the browser tests look at it as a person would)."""

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest

from halluc.errors import InputError
from halluc.log.jsonl import write_json_atomic
from halluc.log.records import records_to_frame
from halluc.render.tables import fmt_num
from halluc.report import write_report
from halluc.report.html import json_for_script
from halluc.scoring.metrics import summarize
from halluc.scoring.rules import binary, general
from tests.report.synth import Behaviour, make_run

PAYLOAD = "</script><script>window.__xss=1</script><img src=x onerror=alert(1)>"


def census_doc() -> dict[str, object]:
    rows = [
        {
            "model": "guesser",
            "mode": "instructed",
            "target": 0.5,
            "accuracy": a,
            "error_rate": e,
            "abstention_rate": 1 - a - e,
            "score": a - e,
            "score_lo": a - e - 0.1,
            "score_hi": a - e + 0.1,
            "n": 20,
        }
        for a, e in ((0.1, 0.8), (0.4, 0.5), (0.8, 0.15))
    ]
    return {
        "parameters": {"corpus": "synthetic", "N": 12345},
        "buckets": [
            {"bucket": "0", "lo": 0, "hi": 0, "n": 20, "rows": [rows[0]]},
            {"bucket": "1", "lo": 1, "hi": 1, "n": 20, "rows": [rows[1]]},
            {"bucket": "2+", "lo": 2, "hi": None, "n": 20, "rows": [rows[2]]},
        ],
        "singleton_bound": {"singleton_rate": 0.333, "lower_bound": 0.21},
    }


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("runs") / "synthetic"
    make_run(
        path,
        {
            "guesser": Behaviour("guesser", 0.3),
            "careful": Behaviour("calibrated", 0.0),
            "pol": Behaviour("policy", 0.2, "token-prob"),
        },
        n_items=40,
        error_every=9,
        responses={2: PAYLOAD},
    )
    write_json_atomic(path / "census.json", census_doc())
    return path


def test_html_is_self_contained_and_carries_the_numbers(run: Path, tmp_path: Path) -> None:
    out = write_report([run], tmp_path / "r.html", title="Synthetic <b>run</b>")
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    # Nothing is fetched: no external src/href, no stylesheet links, no CSS url(...) loads.
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:|//)""", page)
    assert "<link" not in page and "@import" not in page and "url(http" not in page
    assert "<title>Synthetic &lt;b&gt;run&lt;/b&gt;</title>" in page
    table = summarize(records_to_frame(make_records(run)), [0.0, 0.5, 0.75])
    for _, r in table.iterrows():
        for col in ("accuracy", "error_rate", "score", "score_lo", "score_hi"):
            assert fmt_num(float(r[col])) in page
    assert page.count("<svg") >= 5  # score, outcomes, audit, reliability, risk-coverage, census
    assert "Results by fact frequency" in page and "12345" in page


def make_records(run: Path) -> list:  # type: ignore[type-arg]
    from halluc.log.runs import RunFolder

    return RunFolder(run).records()


def test_only_the_pages_own_script_may_run(run: Path, tmp_path: Path) -> None:
    page = write_report([run], tmp_path / "r.html").read_text(encoding="utf-8")
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.DOTALL)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp is not None
    assert f"script-src 'sha256-{digest}'" in csp.group(1).replace("&#x27;", "'")
    assert "default-src 'none'" in csp.group(1).replace("&#x27;", "'")
    # The response with markup never closes the data block or opens a tag.
    assert page.count("</script>") == 2
    assert "<img src=x" not in page and "window.__xss=1</script>" not in page
    data = re.search(r'<script type="application/json" id="items-data">(.*?)</script>', page)
    assert data is not None
    decoded = json.loads(data.group(1))
    assert PAYLOAD in [row[6] for row in decoded["rows"]]


def test_json_for_script_escapes_what_could_end_the_block() -> None:
    text = json_for_script({"a": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028"}


def test_markdown_has_the_same_tables(run: Path, tmp_path: Path) -> None:
    out = write_report([run], tmp_path / "r.md", fmt="md")
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# halluc report: synthetic")
    for heading in (
        "## Scores at each confidence target",
        "## Behavioral calibration",
        "## Confidence: reliability and risk–coverage",
        "## Results by fact frequency",
        "### Leaderboard by penalized score",
    ):
        assert heading in text
    table = summarize(records_to_frame(make_records(run)), [0.0, 0.5, 0.75])
    row = table[(table["model"] == "guesser") & (table["target"] == 0.75)].iloc[0]
    assert f"{row['score']:.3f} [{row['score_lo']:.3f}, {row['score_hi']:.3f}]" in text
    assert "<svg" not in text and "<script" not in text
    assert "| 0 | 20 | guesser | 0.5 | 0.100 | 0.800 |" in text


def test_a_model_in_two_runs_is_kept_apart(tmp_path: Path) -> None:
    a = make_run(tmp_path / "a", {"same": Behaviour("guesser", 1.5)}, n_items=30, seed=1)
    b = make_run(tmp_path / "b", {"same": Behaviour("guesser", -1.5)}, n_items=30, seed=2)
    text = write_report([a.path, b.path], tmp_path / "r.md", fmt="md").read_text()
    assert "same @ a" in text and "same @ b" in text
    assert "same @ a is same" in text


def test_bad_inputs_name_what_is_wrong(run: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a run folder"):
        write_report([tmp_path], tmp_path / "r.html")
    with pytest.raises(InputError, match="no such run folder"):
        write_report([tmp_path / "missing"], tmp_path / "r.html")
    with pytest.raises(InputError, match="unknown format"):
        write_report([run], tmp_path / "r.pdf", fmt="pdf")
    bad = tmp_path / "badcensus"
    make_run(bad, {"m": Behaviour("guesser")}, n_items=5)
    write_json_atomic(bad / "census.json", {"buckets": [{"bucket": "0", "rows": [{"x": 1}]}]})
    with pytest.raises(InputError) as err:
        write_report([bad], tmp_path / "r.html")
    assert "census.json" in str(err.value) and "buckets[0].rows[0]" in str(err.value)


def test_runs_without_confidence_or_metadata_still_report(tmp_path: Path) -> None:
    run = make_run(tmp_path / "plain", {"m": Behaviour("imported")}, n_items=20, metadata=False)
    page = write_report([run.path], tmp_path / "r.html").read_text(encoding="utf-8")
    assert "No record carries a confidence" in page
    assert "Results by fact frequency" not in page
    assert "outcomes do not depend on t" in page


def test_the_papers_simpleqa_example_from_a_plain_table(tmp_path: Path) -> None:
    blog = Path(__file__).resolve().parents[2] / "examples" / "simpleqa_blog.csv"
    text = write_report([blog], tmp_path / "blog.md", fmt="md").read_text()
    assert "| o4-mini | 0.240 #1 | -0.510 #2 ⇅ | -2.010 #2 | -6.510 #2 | t = 0.5 |" in text
    assert "-0.040 [" in text
    assert "| 1 | 0.039 | 0.209 | o4-mini | gpt-5-thinking-mini | exact |" in text


def test_a_general_rule_reaches_the_report(tmp_path: Path) -> None:
    blog = Path(__file__).resolve().parents[2] / "examples" / "simpleqa_blog.csv"
    rules = [binary(), general(idk_credit=0.25, wrong_penalty=1.0)]
    text = write_report([blog], tmp_path / "blog.md", fmt="md", rules=rules).read_text()
    # (22 - 26 + 0.25 * 52) / 100 and (24 - 75 + 0.25 * 1) / 100, with IDK credit and penalty.
    assert "| gpt-5-thinking-mini | – | 0.25 | 1 | 100 | 0 |" in text
    assert "| 0.090 [" in text and "| -0.507 [" in text
    name = "general(idk=0.25, penalty=1)"
    assert f"| entry | t = 0 | {name} | rank changes at |" in text
    assert f"| o4-mini | 0.240 #1 | -0.507 #2 ⇅ | {name} |" in text
    assert name in text.split("How the numbers are made")[1]
