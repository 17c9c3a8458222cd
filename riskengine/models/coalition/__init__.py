"""Coalitions: institutions, their members and decision rules, who joins a coalition, and
the monthly process by which an institution authorises an action (who blocks it, who
takes part)."""
