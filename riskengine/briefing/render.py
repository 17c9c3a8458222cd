"""Render a brief as HTML (self-contained: plots embedded, no network) and Markdown, from
one context (:mod:`riskengine.briefing.context`), so both carry the same numbers.

Escaping: the HTML environment autoescapes everything; the Markdown environment's ``e``
filter turns ``& < >`` into entities and backslash-escapes Markdown's specials, so a
scenario title or actor name such as ``<script>...`` stays inert text in both.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2
import markupsafe
import xarray as xr

from riskengine.briefing.context import brief_context
from riskengine.briefing.yardsticks import YARDSTICKS
from riskengine.errors import UsageError

__all__ = ["FORMATS", "Brief", "escape_markdown", "render_brief"]

FORMATS = ("html", "md")
_TEMPLATE_DIR = Path(__file__).parent / "templates"
_MARKDOWN_SPECIALS = re.compile(r"([\\`*\[\]#!|~])")
# an underscore between two letters or digits cannot open or close emphasis (CommonMark)
_LOOSE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def escape_markdown(text) -> str:
    """User text as inert Markdown: HTML specials as entities, Markdown specials
    backslash-escaped, line breaks as spaces (a table cell stays one line)."""
    escaped = html.escape(str(text), quote=False)
    escaped = _MARKDOWN_SPECIALS.sub(r"\\\1", escaped)
    escaped = _LOOSE_UNDERSCORE.sub(r"\\_", escaped)
    return " ".join(escaped.splitlines())


def _environment(autoescape: bool) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATE_DIR),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=autoescape,
    )
    if not autoescape:
        environment.filters["e"] = escape_markdown
    return environment


_HTML = _environment(autoescape=True)
_MARKDOWN = _environment(autoescape=False)


@dataclass(frozen=True)
class Brief:
    """A rendered brief: HTML in Jupyter (Markdown too), writable in either format."""

    markdown: str
    html: str
    fragment: str = ""

    def _repr_html_(self) -> str:
        return self.fragment or self.html

    def _repr_markdown_(self) -> str:
        return self.markdown

    def __str__(self) -> str:
        return self.markdown

    def text(self, brief_format: str) -> str:
        return {"html": self.html, "md": self.markdown}[brief_format]

    def write(self, path: str | Path, brief_format: str | None = None) -> Path:
        """Write the brief to ``path`` (format from ``brief_format`` or the suffix:
        ``.html`` HTML, else Markdown), through a hidden sibling renamed at the end."""
        path = Path(path)
        brief_format = brief_format or ("html" if path.suffix in (".html", ".htm") else "md")
        partial = path.with_name(f".{path.name}.partial")
        try:
            partial.write_text(self.text(brief_format), encoding="utf-8")
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
        return path


def check_yardstick(yardstick: str) -> str:
    if yardstick not in YARDSTICKS:
        allowed = ", ".join(YARDSTICKS)
        raise UsageError(f"--yardstick: unknown yardstick {yardstick!r}; allowed: {allowed}")
    return yardstick


def render_brief(
    cube: xr.DataTree,
    credible_mass: float = 0.9,
    *,
    yardstick: str = "icd203",
    allow_failing_diagnostics: bool = False,
    figures: bool = True,
) -> Brief:
    """Render the brief of a cube in both formats (``figures=False``: HTML without plots)."""
    context = brief_context(
        cube,
        credible_mass=credible_mass,
        yardstick=check_yardstick(yardstick),
        allow_failing_diagnostics=allow_failing_diagnostics,
    )
    context["figures"] = []
    if figures:
        from riskengine.briefing.plots import brief_figures

        context["figures"] = brief_figures(cube, context)
    markdown = _MARKDOWN.get_template("brief.md.j2").render(**context)
    fragment = _HTML.get_template("brief.html.j2").render(**context)
    document = _HTML.get_template("document.html.j2").render(
        title=context["title"], fragment=markupsafe.Markup(fragment)
    )
    return Brief(markdown, document, fragment)
