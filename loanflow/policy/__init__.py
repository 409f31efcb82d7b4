"""The versioned policy table (政策参数)."""
