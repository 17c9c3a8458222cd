"""Supply-chain disruption of critical minerals and oil (see ``core`` and ``component``)."""
