"""The shared auth manager: users, projects, roles, EC2 credentials and tokens.

Every front end authenticates through this package: the identity API issues
tokens, the token-auth filter validates them for the OpenStack APIs, and EC2
and S3 check signatures with the credentials it keeps.
"""
