"""IMDSv2 session tokens: ``PUT /latest/api/token`` gives one to an instance; a
request that carries one must carry a valid one of the same instance (expired,
forged or another instance's token is 401). Requests without a token are
IMDSv1 and still answered: cloud-init and the AWS SDKs ask for a token first
and give up on a metadata service that refuses the PUT.

A token is stateless (expiry, instance uuid, HMAC-SHA256 of both), so every
nova-api process with the same --metadata_token_secret accepts the others'
tokens; without the flag each process makes up its own key.
"""
import base64
import binascii
import hashlib
import hmac
import secrets
import time

import webob
import webob.exc

from nova.conf import CONF

TTL_HEADER = 'X-aws-ec2-metadata-token-ttl-seconds'
TOKEN_HEADER = 'X-aws-ec2-metadata-token'
MAX_TTL = 21600  # six hours, as on AWS
_process_key = secrets.token_bytes(32)


def _key():
    secret = CONF.metadata_token_secret
    return secret.encode('utf-8') if secret else _process_key


def _mac(expiry, instance_uuid):
    message = ('%d:%s' % (expiry, instance_uuid)).encode('ascii')
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def make_token(instance_uuid, ttl, now=None):
    expiry = int((now or time.time()) + ttl)
    raw = '%d:%s:%s' % (expiry, instance_uuid, _mac(expiry, instance_uuid))
    return base64.urlsafe_b64encode(raw.encode('ascii')).decode('ascii')


def issue(req, instance):
    """The answer to PUT /latest/api/token."""
    if 'X-Forwarded-For' in req.headers and not (CONF.service_metadata_proxy or
                                                 CONF.use_forwarded_for):
        raise webob.exc.HTTPForbidden(explanation='A token is not given through a proxy.')
    ttl = req.headers.get(TTL_HEADER)
    try:
        seconds = int(ttl)
    except (TypeError, ValueError):
        raise webob.exc.HTTPBadRequest(
            explanation='%s must be a number of seconds' % TTL_HEADER) from None
    if not 1 <= seconds <= MAX_TTL:
        raise webob.exc.HTTPBadRequest(explanation='%s must be between 1 and %d' % (
            TTL_HEADER, MAX_TTL))
    response = webob.Response(content_type='text/plain', charset='utf-8',
                              body=make_token(instance.uuid, seconds).encode('ascii'))
    response.headers[TTL_HEADER] = str(seconds)
    return response


def check(req, instance, now=None):
    """Refuse (401) a request whose token is not a live token of this instance."""
    token = req.headers.get(TOKEN_HEADER)
    if token is None:
        return
    try:
        expiry, instance_uuid, mac = base64.urlsafe_b64decode(
            token.encode('ascii')).decode('ascii').split(':')
        expiry = int(expiry)
    except (ValueError, UnicodeError, binascii.Error):
        raise webob.exc.HTTPUnauthorized(explanation='Malformed metadata token.') from None
    if not hmac.compare_digest(mac, _mac(expiry, instance_uuid)) or \
            instance_uuid != instance.uuid:
        raise webob.exc.HTTPUnauthorized(explanation='Invalid metadata token.')
    if expiry < (now or time.time()):
        raise webob.exc.HTTPUnauthorized(explanation='The metadata token has expired.')
