"""Institutions and coalitions: who authorises an action, who blocks it, who takes part."""
