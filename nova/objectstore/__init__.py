"""nova-objectstore: the S3-compatible object store."""
