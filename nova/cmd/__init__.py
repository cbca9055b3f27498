"""Daemon entry points. Importing this package makes the standard library green
before anything else is imported, as every eventlet program must, and fixes
malloc's thresholds (nova.utils.fix_malloc_thresholds) before anything is
allocated."""
from nova import utils

utils.fix_malloc_thresholds()
utils.monkey_patch()
