"""The sweep's rows: one per measured model, the table ordered main first, JSON the rows."""

from __future__ import annotations

import json
from pathlib import Path

from halluc.experiments.sweep_result import SWEEP_HEADERS, SweepResult, SweepRow
from halluc.experiments.world import WorldConfig, build_world
from halluc.render.tables import OutputFormat
from tests.experiments.conftest import measured_model


def rows() -> list[SweepRow]:
    out = []
    for sr, role, seed in ((0.4, "main", 0), (0.1, "main", 0), (0.4, "poor", 0)):
        world = build_world(WorldConfig(n_examples=60, target_sr=sr, seed=seed))
        m = measured_model(world, role)
        out.append(SweepRow.of(f"sr{sr:.2f}-s{seed}", "16x1x2", role, seed, sr, m))
    return out


def test_a_row_carries_the_measurement_and_training() -> None:
    world = build_world(WorldConfig(n_examples=60, target_sr=0.3, seed=1))
    m = measured_model(world)
    row = SweepRow.of("w", "16x1x2", "main", 1, 0.3, m)
    assert (row.sr, row.err, row.N) == (m.measurement.sr, m.measurement.err, 60)
    assert row.lower == m.measurement.theorem2_lower.value
    assert row.err_seen_once == m.measurement.bucket("1").err
    assert (row.final_loss, row.parameters) == (1.5, 1234)
    assert list(row.to_dict())[:7] == ["world", "model", "role", "seed", "sr_target", "sr", "N"]


def test_table_puts_main_models_by_rate_then_poor_ones() -> None:
    result = SweepResult(Path(), rows(), 1.0)
    md = result.render(OutputFormat.MARKDOWN)
    assert md.index("| sr0.10-s0 | 16x1x2 |") < md.index("| sr0.40-s0 | 16x1x2 |")
    assert md.index("| sr0.40-s0 | 16x1x2 |") < md.index("| sr0.40-s0 | 16x1x2 (poor) |")
    assert all(h in md for h in SWEEP_HEADERS)
    doc = json.loads(result.render(OutputFormat.JSON))  # rows in the order they ran
    assert [(r["sr_target"], r["role"]) for r in doc] == [
        (0.4, "main"),
        (0.1, "main"),
        (0.4, "poor"),
    ]
    assert doc[1]["err"] == result.rows[1].err
