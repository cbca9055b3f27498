"""Which instance a metadata request comes from: the one place that decides it.

Directly, an instance is known by its source address (its fixed IP; until the
network work gives instances addresses, the access_ip_v4/v6 of the row; that
work extends ``instance_for_address``). Behind a proxy (only with
--service_metadata_proxy) the proxy names the instance with X-Instance-ID,
signs it with X-Instance-ID-Signature (hex HMAC-SHA256 of the id with
--metadata_proxy_shared_secret); a wrong signature is 403, so no one reads
another instance's data by naming it. The guest address the proxy puts in
X-Forwarded-For is not needed, and an unsigned one is never believed.
"""
import hashlib
import hmac

import webob.exc

from nova import context as nova_context
from nova import exception
from nova.conf import CONF
from nova.db import api as db


def sign_instance_id(instance_id, secret=None):
    """What a metadata proxy sends as X-Instance-ID-Signature."""
    key = (CONF.metadata_proxy_shared_secret if secret is None else secret).encode('utf-8')
    return hmac.new(key, instance_id.encode('utf-8'), hashlib.sha256).hexdigest()


def instance_for_address(context, address):
    return db.instance_get_by_uuid(context, db.instance_uuid_by_address(context, address))


def _from_proxy(context, req):
    instance_id = req.headers['X-Instance-ID']
    given = req.headers.get('X-Instance-ID-Signature', '')
    if not CONF.metadata_proxy_shared_secret or not hmac.compare_digest(
            sign_instance_id(instance_id).encode(), given.encode()):
        raise webob.exc.HTTPForbidden(explanation='Invalid proxy request signature.')
    instance = db.instance_get_by_uuid(context, instance_id)
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
        return instance_for_address(context, req.remote_addr)
    except exception.InstanceNotFound:
        raise webob.exc.HTTPNotFound(explanation='No instance at this address.') from None
