"""Reading a probability table (CSV, JSON Lines, or any table :func:`halluc.io.rows.read_rows`
reads) into an IIV :class:`Instance`.

One row per prompt–response pair with columns ``prompt``, ``response``, ``valid``
(true/false/1/0), ``p`` (training probability p(r|c), 0 on errors) and ``p_hat`` (the model's
p̂(r|c)); optionally ``mu`` (the prompt's weight, repeated on each of its rows; uniform if
absent) and ``nonsense`` (true for responses outside V and E). Errors name file, line, field.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from halluc.errors import InputError
from halluc.io.rows import RowFormat, read_rows
from halluc.theory._checks import SUM_TOL
from halluc.theory.iiv import Instance, make_instance

REQUIRED = ("prompt", "response", "valid", "p", "p_hat")
_TRUE = {"true", "1", "yes", "t", "y"}
_FALSE = {"false", "0", "no", "f", "n", ""}


def _bool(v: Any, path: Path, line: int, field: str) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float) and v in (0, 1):
        return bool(v)
    if isinstance(v, str) and v.strip().lower() in _TRUE | _FALSE:
        return v.strip().lower() in _TRUE
    raise InputError(f"must be true/false, got {v!r}", path=path, line=line, field=field)


def _num(v: Any, path: Path, line: int, field: str) -> float:
    if isinstance(v, bool):
        raise InputError(f"must be a number, got {v!r}", path=path, line=line, field=field)
    try:
        x = float(v)
    except (TypeError, ValueError):
        raise InputError(
            f"must be a number, got {v!r}", path=path, line=line, field=field
        ) from None
    if not math.isfinite(x):
        raise InputError(f"must be finite, got {v!r}", path=path, line=line, field=field)
    if x < 0:
        raise InputError(f"negative probability {x:g}", path=path, line=line, field=field)
    if x > 1:
        raise InputError(f"probability above 1: {x:g}", path=path, line=line, field=field)
    return x


def _rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    table = read_rows(path, what="probability table")
    missing = [c for c in REQUIRED if c not in table.names]
    if missing and table.format not in (RowFormat.JSONL, RowFormat.JSON):
        raise InputError(f"missing column(s): {', '.join(missing)}", path=path, line=1)
    return list(table.records())


def read_instance_table(path: str | Path, *, tol: float = SUM_TOL) -> Instance:
    """Read and validate a probability table; see the module docstring for the columns."""
    p = Path(path)
    rows = _rows(p)
    if not rows:
        raise InputError("no rows", path=p)
    prompts: list[str] = []
    valid: list[bool] = []
    pp: list[float] = []
    ph: list[float] = []
    ns: list[bool] = []
    mu: dict[str, float] = {}
    mu_line: dict[str, int] = {}
    has_mu = any("mu" in r and r["mu"] not in (None, "") for _, r in rows)
    seen_pairs: dict[tuple[str, str], int] = {}
    for line, r in rows:
        for col in REQUIRED:
            if col not in r or r[col] is None:
                raise InputError("missing", path=p, line=line, field=col)
        c, resp = str(r["prompt"]), str(r["response"])
        if (c, resp) in seen_pairs:
            raise InputError(
                f"duplicate pair (also on line {seen_pairs[(c, resp)]})",
                path=p,
                line=line,
                field="response",
            )
        seen_pairs[(c, resp)] = line
        prompts.append(c)
        valid.append(_bool(r["valid"], p, line, "valid"))
        pp.append(_num(r["p"], p, line, "p"))
        ph.append(_num(r["p_hat"], p, line, "p_hat"))
        ns.append(_bool(r.get("nonsense", False), p, line, "nonsense"))
        if has_mu:
            if r.get("mu") in (None, ""):
                raise InputError(
                    "missing (give mu on every row or on none)", path=p, line=line, field="mu"
                )
            m = _num(r["mu"], p, line, "mu")
            if c in mu and abs(mu[c] - m) > tol:
                raise InputError(
                    f"prompt {c!r} has mu {mu[c]:g} on line {mu_line[c]} but {m:g} here",
                    path=p,
                    line=line,
                    field="mu",
                )
            mu.setdefault(c, m)
            mu_line.setdefault(c, line)
    try:
        return make_instance(prompts, valid, pp, ph, mu if has_mu else None, ns, tol=tol)
    except InputError as exc:
        raise InputError(exc.message, path=p, field=exc.field) from None
