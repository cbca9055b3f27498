"""Response builders: rows in, documented JSON bodies out, per microversion."""
