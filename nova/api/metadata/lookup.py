"""Which instance a metadata request comes from: the one place that decides it.

An instance is known only by an address the cloud gave it: the request's
source address must be a fixed IP nova-network allocated to a live instance
(a guest reaching 169.254.169.254 is DNATed to this service with its source
address kept). Fields users set themselves (accessIPv4/v6) are never used, so
no one can make another instance's metadata theirs. With --use_forwarded_for
the source is the last address of X-Forwarded-For, which the cloud's own
proxy in front of the service sets. Behind a Neutron-style metadata proxy
(only with --service_metadata_proxy) the proxy names the instance with
X-Instance-ID, signed with X-Instance-ID-Signature (hex HMAC-SHA256 of the id
with --metadata_proxy_shared_secret); a wrong signature is 403, so no one
reads another instance's data by naming it.
"""
import hashlib
import hmac

import webob.exc

from nova import context as nova_context
from nova import exception
from nova.compute import api as compute_api
from nova.conf import CONF
from nova.network import api as network_api


def sign_instance_id(instance_id, secret=None):
    """What a metadata proxy sends as X-Instance-ID-Signature."""
    key = (CONF.metadata_proxy_shared_secret if secret is None else secret).encode('utf-8')
    return hmac.new(key, instance_id.encode('utf-8'), hashlib.sha256).hexdigest()


def source_address(req):
    """The guest's address: the peer, or what the cloud's proxy forwarded."""
    if CONF.use_forwarded_for and req.headers.get('X-Forwarded-For'):
        return req.headers['X-Forwarded-For'].split(',')[-1].strip()
    return req.remote_addr


def instance_for_address(context, address):
    """The live instance that holds the fixed IP address (InstanceNotFound otherwise)."""
    try:
        uuid = network_api.API().get_instance_uuid_by_address(context, address,
                                                               floating=False)
    except exception.Invalid:
        raise exception.InstanceNotFound(instance_id='at %s' % address) from None
    return compute_api.API().get(context, uuid)


def _from_proxy(context, req):
    instance_id = req.headers['X-Instance-ID']
    given = req.headers.get('X-Instance-ID-Signature', '')
    if not CONF.metadata_proxy_shared_secret or not hmac.compare_digest(
            sign_instance_id(instance_id).encode(), given.encode()):
        raise webob.exc.HTTPForbidden(explanation='Invalid proxy request signature.')
    instance = compute_api.API().get(context, instance_id)
    tenant = req.headers.get('X-Tenant-ID')
    if tenant is not None and tenant != instance.project_id:
        raise webob.exc.HTTPForbidden(explanation='X-Tenant-ID does not own the instance.')
    return instance


def find_instance(req):
    """The live instance row the request is about; 404 when there is none, 403 for a
    badly signed proxy request."""
    context = nova_context.get_admin_context()
    try:
        if CONF.service_metadata_proxy and 'X-Instance-ID' in req.headers:
            return _from_proxy(context, req)
        return instance_for_address(context, source_address(req))
    except exception.InstanceNotFound:
        raise webob.exc.HTTPNotFound(explanation='No instance at this address.') from None
