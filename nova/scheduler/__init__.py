"""Scheduler service."""
