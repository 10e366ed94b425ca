"""Claude, the deep half: client, redaction, budget (issue 7)."""
