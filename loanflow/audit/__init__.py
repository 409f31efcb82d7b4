"""The hash-chained audit trail (审计留痕)."""
