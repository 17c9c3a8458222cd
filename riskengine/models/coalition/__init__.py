"""Coalition model: institutions, their decision rules and members' support for action."""
