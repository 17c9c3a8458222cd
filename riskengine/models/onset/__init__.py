"""The dispute-onset model (issue 10): directed dyad-years, their data in ``data``."""
