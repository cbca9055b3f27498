"""Network service."""
