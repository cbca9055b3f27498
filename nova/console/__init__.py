"""Console proxies: nova-serialproxy (serialproxy.py)."""
