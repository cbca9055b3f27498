"""What a guest learns about itself, built below the front ends: the metadata
service (nova.api.metadata) serves it over HTTP and nova-compute writes it onto
config drives (nova.metadata.drive), from the same code."""
