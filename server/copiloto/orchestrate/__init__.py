"""How the local model and Claude work together: handoff, sequential, concurrent (issue 7)."""
