"""Nova: an IaaS control plane (EC2, OpenStack Compute, S3 and Glance APIs)."""
