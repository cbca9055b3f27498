"""Daemon entry points. Importing this package makes the standard library green
before anything else is imported, as every eventlet program must."""
from nova import utils

utils.monkey_patch()
