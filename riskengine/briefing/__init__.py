"""Uncertainty briefs: estimative judgments with credible intervals, yardstick terms,
confidence apart from likelihood, drivers and provenance, as HTML and Markdown."""

from riskengine.briefing.judgments import Judgment, key_judgments
from riskengine.briefing.render import FORMATS, Brief, escape_markdown, render_brief
from riskengine.briefing.yardsticks import ICD203, PHIA, YARDSTICKS, icd203_term, phia_term

__all__ = [
    "FORMATS",
    "ICD203",
    "PHIA",
    "YARDSTICKS",
    "Brief",
    "Judgment",
    "escape_markdown",
    "icd203_term",
    "key_judgments",
    "phia_term",
    "render_brief",
]
