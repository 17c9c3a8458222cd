"""Coalitions: institutions, their members and decision rules, and who joins a coalition."""
