"""Each figure is a function returning a matplotlib Figure, from records or a run folder."""

from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from halluc.log.records import records_to_frame
from halluc.report import (
    confidence_sets,
    plot_calibration_audit,
    plot_fact_frequency,
    plot_outcome_bars,
    plot_reliability,
    plot_risk_coverage,
    plot_score_vs_target,
)
from halluc.report.svg import figure_svg
from tests.report.synth import Behaviour, make_run


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plots") / "run"
    make_run(
        path,
        {
            "guesser": Behaviour("guesser", 0.3),
            "careful": Behaviour("calibrated", 0.0),
            "pol": Behaviour("policy", 0.2, "token-prob"),
            "imp": Behaviour("imported", 0.0),
        },
        n_items=60,
        error_every=11,
    )
    return path


def test_score_plot_from_a_run_folder(run: Path) -> None:
    fig = plot_score_vs_target(run)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.get_lines()]
    for entry in ("guesser (measured)", "careful (measured)", "imp", "pol (policy, all t)"):
        assert entry in labels
    assert ax.get_xlim() == (0.0, 0.95)


def test_outcome_bars_stack_to_one(run: Path) -> None:
    fig = plot_outcome_bars(records_to_frame(make(run)))
    ax = fig.axes[0]
    ends: dict[float, float] = {}
    for patch in ax.patches:
        y = round(patch.get_y(), 6)
        ends[y] = max(ends.get(y, 0.0), patch.get_x() + patch.get_width())
    assert len(ends) == 4 * 3  # 4 models x 3 targets
    assert np.allclose(list(ends.values()), 1.0)


def make(run: Path) -> list:  # type: ignore[type-arg]
    from halluc.log.runs import RunFolder

    return RunFolder(run).records()


def test_audit_plot_has_the_diagonal_and_both_panels(run: Path) -> None:
    fig = plot_calibration_audit(make(run))
    assert len(fig.axes) == 2
    diag = [ln for ln in fig.axes[0].get_lines() if ln.get_label().startswith("accuracy = t")]
    assert diag and np.allclose(diag[0].get_xdata(), diag[0].get_ydata())


def test_reliability_and_risk_coverage_panels(run: Path) -> None:
    sets = confidence_sets(make(run))
    assert [(s.entry, s.method) for s in sets] == [("pol", "token-prob")]
    fig = plot_reliability(sets)
    assert "ECE" in " ".join(t.get_text() for t in fig.axes[0].texts)
    fig2 = plot_risk_coverage(run)
    assert fig2.axes[0].get_title() == "Risk–coverage · token-prob"
    (line,) = fig2.axes[0].get_lines()
    assert line.get_xdata()[-1] == pytest.approx(1.0)


def test_fact_frequency_plot_from_a_census() -> None:
    census = {
        "buckets": [
            {
                "bucket": str(b),
                "lo": b,
                "hi": b,
                "n": 10,
                "rows": [
                    {
                        "model": "m",
                        "mode": "instructed",
                        "target": t,
                        "accuracy": 0.5,
                        "error_rate": 0.5 - 0.1 * b,
                        "abstention_rate": 0.1 * b,
                        "score": 0.1 * b,
                        "score_lo": 0.0,
                        "score_hi": 0.2 + 0.1 * b,
                    }
                    for t in (0.0, 0.5)
                ],
            }
            for b in range(3)
        ]
    }
    fig = plot_fact_frequency(census)
    assert len(fig.axes) == 4  # 2 rows x 2 targets
    assert [t.get_text() for t in fig.axes[2].get_xticklabels()] == ["0", "1", "2"]


def test_svg_escapes_model_names_and_is_deterministic(tmp_path: Path) -> None:
    run = make_run(tmp_path / "r", {"<script>x</script>": Behaviour("guesser")}, n_items=10)
    a = figure_svg(plot_outcome_bars(run.path), label="bars")
    b = figure_svg(plot_outcome_bars(run.path), label="bars")
    assert a == b
    assert a.startswith("<svg") and "<script>" not in a and "&lt;script&gt;" in a
    assert "* {" not in a.split(">", 2)[1]  # the page-wide style rule was removed
