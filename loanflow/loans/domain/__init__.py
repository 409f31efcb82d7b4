"""Pure rules of the loan: eligibility, rating, schedule, ledger."""
