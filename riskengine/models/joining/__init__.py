"""Joining: committed third states that join the defender during a crisis (see ``core``)."""
