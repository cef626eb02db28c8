"""The report's tables as Markdown, for papers and pull requests (figures stay in the HTML)."""

from __future__ import annotations

from halluc import __version__
from halluc.report.build import Report


def render_markdown(report: Report) -> str:
    out = [f"# {report.title}", ""]
    out.append(
        "Confidence-target evaluation after Kalai, Nachum, Vempala and Zhang, *Why Language "
        'Models Hallucinate* (2025): correct +1, "I don\'t know" 0, wrong −t/(1−t). '
        f"Generated {report.generated} by halluc {__version__}."
    )
    out.append("")
    for sec in report.sections:
        out += [f"## {sec.title}", ""]
        for b in sec.blocks:
            if b.kind == "text":
                out += [b.text, ""]
            elif b.kind == "heading":
                out += [f"### {b.text}", ""]
            elif b.kind == "table" and b.table is not None:
                out += [b.table.to_markdown()]
    if report.items is not None:
        it = report.items
        out += [
            "## Items",
            "",
            f"{it.total_records:,} records of {it.total_items:,} items; browse them in the HTML "
            "report (`halluc report RUN -o report.html`) or read records.jsonl.",
            "",
        ]
    return "\n".join(out).rstrip() + "\n"


__all__ = ["render_markdown"]
