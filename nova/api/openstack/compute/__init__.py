"""Controllers of the compute API resources; routes.py lists their URLs."""
