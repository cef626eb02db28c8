"""The SQL of the DuckDB fact census: where mentions come from, and the two queries over them.

Keys are quoted as identifiers and paths as strings; a ``partition = (i, P)`` keeps the facts
whose key hash is i modulo P (see :mod:`halluc.census.duckdb_facts`).
"""

from __future__ import annotations

from collections.abc import Sequence

from halluc.census.fact_input import FactColumns
from halluc.census.sources import InputFile

IDK = "__idk"
"""The column that flags an IDK mention in every source."""


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def parquet_source(files: Sequence[InputFile], cols: FactColumns, *, locate: bool = False) -> str:
    paths = ", ".join(quote_str(str(f.path)) for f in files)
    keys = ", ".join(f"CAST({quote_ident(k)} AS VARCHAR) AS {quote_ident(k)}" for k in cols.key)
    idk = f"coalesce(CAST({quote_ident(cols.idk)} AS BOOLEAN), false)" if cols.idk else "false"
    extra = ", filename, file_row_number" if locate else ""
    opts = ", union_by_name = true" + (
        ", filename = true, file_row_number = true" if locate else ""
    )
    return f"(SELECT {keys}, {idk} AS {IDK}{extra} FROM read_parquet([{paths}]{opts}))"


def census_query(source: str, cols: FactColumns, partition: tuple[int, int] | None) -> str:
    """F_r rows ``(r, has_null, f, total)`` over ``source``; ``partition = (i, P)`` keeps the
    facts whose key hash is i modulo P."""
    keys = ", ".join(quote_ident(k) for k in cols.key)
    has_null = " OR ".join(f"{quote_ident(k)} IS NULL" for k in cols.key)
    answered = f"count(*) FILTER (WHERE NOT {IDK})" if cols.idk else "count(*)"
    where = partition_filter(cols, partition)
    return (
        "SELECT r, has_null, count(*) AS f, sum(total) AS total FROM ("
        f"SELECT {answered} AS r, count(*) AS total, ({has_null}) AS has_null "
        f"FROM {source} {where} GROUP BY {keys}"
        ") GROUP BY r, has_null"
    )


def partition_filter(cols: FactColumns, partition: tuple[int, int] | None) -> str:
    if partition is None:
        return ""
    i, p = partition
    keys = ", ".join(quote_ident(k) for k in cols.key)
    return f"WHERE hash({keys}) % {int(p)} = {int(i)}"


def per_fact_query(source: str, cols: FactColumns, partition: tuple[int, int] | None = None) -> str:
    keys = ", ".join(quote_ident(k) for k in cols.key)
    answered = f"count(*) FILTER (WHERE NOT {IDK})" if cols.idk else "count(*)"
    idk = f"count(*) FILTER (WHERE {IDK})" if cols.idk else "0"
    return (
        f"SELECT {keys}, {answered} AS count, {idk} AS n_idk FROM {source} "
        f"{partition_filter(cols, partition)} GROUP BY {keys}"
    )


def census_from_per_fact(cols: FactColumns, table: str) -> str:
    has_null = " OR ".join(f"{quote_ident(k)} IS NULL" for k in cols.key)
    return (
        "SELECT count AS r, has_null, count(*) AS f, sum(count + n_idk) AS total FROM ("
        f"SELECT count, n_idk, ({has_null}) AS has_null FROM read_parquet({table})"
        ") GROUP BY r, has_null"
    )


__all__ = [
    "IDK",
    "census_from_per_fact",
    "census_query",
    "parquet_source",
    "partition_filter",
    "per_fact_query",
    "quote_ident",
    "quote_str",
]
