"""Pure rules of supervision (督察督办): which moves take a case on, seeded samples, masked names."""
