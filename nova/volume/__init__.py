"""Volume service."""
