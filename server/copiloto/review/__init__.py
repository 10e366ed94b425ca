"""Code review on save: deterministic checks (bandit) first; the local model's review comes next."""
