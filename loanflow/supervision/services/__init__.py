"""Supervision's use cases: the stalled queue, presses, spot checks, flags, the audit trail, the home."""
