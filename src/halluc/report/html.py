"""One self-contained HTML file: inline CSS, inline SVG figures, one inline script.

Nothing is fetched from the network. Text from runs (model names, questions, responses) is
escaped where the page is written and set with ``textContent`` where the script draws it; the
item data sits in a ``<script type="application/json">`` block with ``<``, ``>`` and ``&``
escaped so that no response can close it. As a second wall, a Content-Security-Policy allows
only the page's own script (by hash): an injected script or ``onerror=`` handler would not run
even if it reached the markup.
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections import Counter
from importlib import resources

import orjson

from halluc import __version__
from halluc.render.numbers import format_number
from halluc.report.build import Report, Section
from halluc.report.items import ItemPayload


def asset(name: str) -> str:
    return (resources.files("halluc.report") / "assets" / name).read_text(encoding="utf-8")


def json_for_script(value: object) -> str:
    """JSON safe inside ``<script type="application/json">`` (no ``</script>`` can form)."""
    raw = orjson.dumps(value).decode("utf-8")
    return (
        raw.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def script_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def _section_html(sec: Section) -> str:
    out = [f'<section id="{html.escape(sec.id)}"><h2>{html.escape(sec.title)}</h2>']
    for b in sec.blocks:
        if b.kind == "text":
            out.append(f'<p class="text">{html.escape(b.text)}</p>')
        elif b.kind == "heading":
            out.append(f"<h3>{html.escape(b.text)}</h3>")
        elif b.kind == "table" and b.table is not None:
            out.append(f'<div class="scroll">{b.table.to_html()}</div>')
        elif b.kind == "figure":
            out.append(f"<figure>{b.svg}<figcaption>{html.escape(b.text)}</figcaption></figure>")
    out.append("</section>")
    return "".join(out)


def _items_html(items: ItemPayload) -> str:
    d = items.data
    counts = Counter(d["outcomes"][r[3]] for r in d["rows"])
    boxes = "".join(
        f'<label><input type="checkbox" value="{html.escape(o)}" checked> '
        f'<span class="badge {html.escape(o)}">{html.escape(o)}</span> '
        f"({counts.get(o, 0)})</label> "
        for o in d["outcomes"]
    )
    entries = sorted(enumerate(d["entries"]), key=lambda p: p[1])
    entry_opts = "".join(f'<option value="{i}">{html.escape(name)}</option>' for i, name in entries)
    target_opts = "".join(
        f'<option value="{i}">t = {html.escape(format_number(t))}</option>'
        for i, t in enumerate(d["targets"])
    )
    if any(r[2] is None for r in d["rows"]):
        target_opts += '<option value="none">any t (fixed outcome)</option>'
    if items.sampled:
        scope = (
            f"Showing every record of {items.shown_items:,} of {items.total_items:,} items "
            f"({items.shown_records:,} of {items.total_records:,} records), chosen by a stable "
            "hash of the item id so the same items appear for every model. The full log is in "
            "each run's records.jsonl."
        )
    else:
        scope = f"All {items.total_records:,} records of {items.total_items:,} items."
    scope += f" Texts longer than {d['max_chars']} characters are cut (…)."
    return (
        '<section id="items"><h2>Items</h2>'
        f'<p class="text">{html.escape(scope)}</p>'
        '<noscript><p class="note">The item browser needs JavaScript; every other part of '
        "this page works without it.</p></noscript>"
        '<div class="controls">'
        f'<fieldset id="items-outcomes"><legend>outcome</legend>{boxes}</fieldset>'
        '<label>model <select id="items-entry"><option value="">all</option>'
        f"{entry_opts}</select></label>"
        '<label>target <select id="items-target"><option value="">all</option>'
        f"{target_opts}</select></label>"
        '<label>search <input type="search" id="items-search" '
        'placeholder="question, answer, response, id"></label></div>'
        '<div class="pager"><button type="button" id="items-prev">← previous</button>'
        '<span id="items-status"></span>'
        '<button type="button" id="items-next">next →</button></div>'
        '<div class="scroll"><table class="data items"><thead><tr>'
        "<th>item</th><th>question</th><th>gold answers</th><th>model</th>"
        '<th class="num">t</th><th>outcome</th><th class="num">confidence</th>'
        '<th>response</th></tr></thead><tbody id="items-body"></tbody></table></div>'
        f'<script type="application/json" id="items-data">{json_for_script(d)}</script>'
        "</section>"
    )


def render_html(report: Report) -> str:
    script = asset("items.js") if report.items is not None else ""
    csp = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        "base-uri 'none'; form-action 'none'"
        + (f"; script-src '{script_hash(script)}'" if script else "; script-src 'none'")
    )
    toc = [(s.id, s.title) for s in report.sections]
    if report.items is not None:
        toc.append(("items", "Items"))
    nav = "".join(f'<a href="#{html.escape(i)}">{html.escape(t)}</a>' for i, t in toc)
    body = "".join(_section_html(s) for s in report.sections)
    if report.items is not None:
        body += _items_html(report.items)
    title = html.escape(report.title)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(csp)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="halluc {html.escape(__version__)}">'
        f"<title>{title}</title><style>{asset('report.css')}</style></head><body>"
        f'<header class="top"><h1>{title}</h1>'
        "<p>Confidence-target evaluation after Kalai, Nachum, Vempala and Zhang, "
        '<i>Why Language Models Hallucinate</i> (2025): correct +1, "I don\'t know" 0, '
        "wrong −t/(1−t).</p>"
        f"<p>Generated {html.escape(report.generated)} by halluc {html.escape(__version__)}."
        "</p></header>"
        f'<nav class="toc">{nav}</nav><main>{body}</main>'
        + (f"<script>{script}</script>" if script else "")
        + "</body></html>\n"
    )


__all__ = ["json_for_script", "render_html", "script_hash"]
