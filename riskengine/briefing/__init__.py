"""Uncertainty briefs: estimative judgments with credible intervals and yardstick terms."""

from riskengine.briefing.judgments import Judgment, key_judgments
from riskengine.briefing.markdown import Brief, render_brief
from riskengine.briefing.yardsticks import icd203_term, phia_term

__all__ = ["Brief", "Judgment", "icd203_term", "key_judgments", "phia_term", "render_brief"]
