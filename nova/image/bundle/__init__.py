"""Image bundles: euca-style manifests, making bundles, registering them from S3."""
