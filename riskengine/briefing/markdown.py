"""The first brief: key judgments per variant as Markdown (the HTML brief comes later)."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import jinja2
import xarray as xr

from riskengine.briefing.judgments import key_judgments, run_facts

__all__ = ["Brief", "render_brief"]

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Brief:
    """A rendered brief; shows as Markdown in Jupyter."""

    markdown: str

    def _repr_markdown_(self) -> str:
        return self.markdown

    def __str__(self) -> str:
        return self.markdown

    def write(self, path: str | Path) -> Path:
        """Write the Markdown to ``path`` (a hidden sibling first, renamed at the end)."""
        path = Path(path)
        partial = path.with_name(f".{path.name}.partial")
        try:
            partial.write_text(self.markdown, encoding="utf-8")
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
        return path


def _data_note(cube: xr.DataTree) -> str:
    """What each model was fitted to (the models' declared data notes)."""
    notes = json.loads(cube.attrs.get("data_notes", "{}"))
    return "; ".join(notes.values()) or "see the cube's parameter provenance"


_UNDEFINED = "undefined"  # every draw NaN, e.g. a conditional whose condition never held


def _percent(value: float, digits: int = 1) -> str:
    return f"{100 * value:.{digits}f}%" if math.isfinite(value) else _UNDEFINED


def _signed(value: float) -> str:
    return f"{100 * value:+.1f} pp" if math.isfinite(value) else _UNDEFINED


def _number(value: float, signed: bool = False) -> str:
    if not math.isfinite(value):
        return _UNDEFINED
    return f"{value:+,.3g}" if signed else f"{value:,.3g}"


def render_brief(cube: xr.DataTree, credible_mass: float = 0.9) -> Brief:
    """Render the Markdown brief of a cube."""
    judgments = key_judgments(cube, credible_mass)
    by_event = defaultdict(list)
    for judgment in judgments:
        by_event[judgment.event].append(judgment)
    warnings = json.loads(cube.attrs.get("warnings", "[]"))
    text = _TEMPLATES.get_template("brief.md.j2").render(
        title=cube.attrs.get("scenario_title", "riskengine brief"),
        description=cube.attrs.get("scenario_description", ""),
        name=cube.attrs.get("scenario_name", ""),
        facts=run_facts(cube),
        models=" and ".join(str(cube.attrs.get("model", "")).split("+")),
        models_plural="+" in str(cube.attrs.get("model", "")),
        data_note=_data_note(cube),
        by_event=dict(by_event),
        baseline=str(cube["predictions"]["variant"].values[0]),
        mass_percent=round(100 * credible_mass),
        warnings=warnings,
        pct=_percent,
        signed=_signed,
        num=_number,
    )
    return Brief(text)
