"""``python -m riskengine.models.coalition.validate`` (``make validate MODEL=coalition``):
the coalition model's fitted part is its member support model, validated by
:mod:`.support_validate` (same options). The permanent members' vetoes are the veto
model's (``make validate MODEL=veto``); the rest of the decision process has no fit to
validate (its priors are in :mod:`.process`)."""

from __future__ import annotations

from riskengine.models.coalition.support_validate import main

__all__ = ["main"]

if __name__ == "__main__":
    raise SystemExit(main())
