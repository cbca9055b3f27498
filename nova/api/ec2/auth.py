"""Who sent an EC2 request: its SigV4 or SigV2 signature, checked with the EC2
credentials of the auth manager, gives the context of the key's user and project.
The CloudWatch front end authenticates the same way, for its own SigV4 service."""
from nova import context as nova_context
from nova import exception
from nova.auth import manager
from nova.auth import signature


def authenticate(req, flat_params, request_id, service='ec2'):
    """The RequestContext of the request's signer; a SignatureError or NotAuthenticated."""
    found = {}

    def lookup(access_key):
        try:
            credential = manager.get_ec2_credentials(nova_context.get_admin_context(),
                                                     access_key)
        except exception.Ec2CredentialNotFound:
            return None
        found[access_key] = credential
        return credential.secret

    verified = signature.verify(signature.HTTPRequest.from_webob(req), lookup,
                                params=flat_params, service=service)
    credential = found[verified.access_key]
    return manager.user_context(credential.user_id, credential.project_id,
                                request_id=request_id, remote_address=req.remote_addr)
