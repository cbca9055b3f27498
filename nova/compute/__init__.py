"""Compute service."""
