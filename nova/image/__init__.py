"""nova-image: the Glance-style image service."""
