"""Figures as inline SVG: text stays text (searchable, small), output is deterministic."""

from __future__ import annotations

import io
import re

import matplotlib as mpl
from matplotlib.figure import Figure

_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_GLOBAL_STYLE = re.compile(r"<style[^>]*>\s*\*\s*\{[^}]*\}\s*</style>")
_SIZE = re.compile(r'<svg([^>]*?)\swidth="([\d.]+)pt"\sheight="([\d.]+)pt"')


def figure_svg(fig: Figure, *, label: str = "") -> str:
    """The figure as an ``<svg>`` element ready to inline in HTML.

    The XML prolog and matplotlib's page-wide ``* {...}`` style rule are removed (the page's
    own CSS scopes that rule to plots), the fixed size becomes a responsive one, and the figure
    gets an accessible label. Matplotlib escapes every text it writes (model names included).
    """
    buf = io.StringIO()
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "halluc-report"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    svg = _PROLOG.sub("", buf.getvalue(), count=1)
    svg = _GLOBAL_STYLE.sub("", svg, count=1)
    aria = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")

    def sized(m: re.Match[str]) -> str:
        return (
            f'<svg{m.group(1)} class="plot" role="img" aria-label="{aria}" '
            f'style="max-width:{float(m.group(2)):.0f}pt"'
        )

    return _SIZE.sub(sized, svg, count=1).strip()


__all__ = ["figure_svg"]
