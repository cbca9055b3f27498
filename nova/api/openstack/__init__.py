"""OpenStack Compute API v2.1 front end."""
