"""Figures of the brief (placeholder until the plots land)."""

from __future__ import annotations

__all__ = ["brief_figures"]


def brief_figures(cube, context) -> list[dict]:
    return []
