"""Working days: the State Council holiday calendar by year."""
