"""Metadata service (port 8775, and 169.254.169.254 where the network forwards it).

EC2 style: ``/`` lists versions, ``/<version>/meta-data/...`` the instance's
tree, ``/<version>/user-data`` its user data (404 when none),
``/<version>/dynamic/instance-identity/document`` its identity (JSON). OpenStack style:
``/openstack/<version>/meta_data.json``, ``user_data``, ``vendor_data.json``,
``password`` (GET reads, POST stores once what the guest sets: its password
encrypted with its key pair's public key; os-server-password shows it) and (from
2015-10-15) ``network_data.json``.
``PUT /latest/api/token`` gives an IMDSv2 token (nova.api.metadata.tokens).
Every answer is about the instance the request comes from
(nova.api.metadata.lookup); there is no way to name another one.
"""
import json

import webob
import webob.dec
import webob.exc

from nova import context as nova_context
from nova.api.metadata import lookup, tokens
from nova.compute import api as compute_api
from nova.metadata import content
from nova.metadata.content import EC2_VERSIONS, OPENSTACK_VERSIONS
DYNAMIC_LISTING = {'instance-identity': {'document': ''}}  # the document itself is JSON
TOKEN_PATH = ['latest', 'api', 'token']  # IMDSv2 (nova.api.metadata.tokens)
OPENSTACK_FILES = ['meta_data.json', 'password', 'user_data', 'vendor_data.json']
MAX_PASSWORD_BYTES = 256  # what Nova lets a guest post


def _text(lines):
    return webob.Response(content_type='text/plain', charset='utf-8',
                          body='\n'.join(lines).encode('utf-8'))


def _json(value):
    return webob.Response(content_type='application/json', charset='utf-8',
                          body=json.dumps(value, sort_keys=True).encode('utf-8'))


def _not_found():
    return webob.exc.HTTPNotFound()


def _instance(req):
    """The requesting instance, once its IMDSv2 token (if it sent one) checks out."""
    instance = lookup.find_instance(req)
    tokens.check(req, instance)
    return instance


class MetadataApp:
    @classmethod
    def factory(cls, global_conf, **local_conf):
        return cls()

    @webob.dec.wsgify
    def __call__(self, req):
        parts = [p for p in req.path_info.split('/') if p]
        if req.method == 'PUT' and parts == TOKEN_PATH:
            return tokens.issue(req, lookup.find_instance(req))
        if (req.method == 'POST' and len(parts) == 3 and parts[0] == 'openstack'
                and parts[1] in OPENSTACK_VERSIONS and parts[2] == 'password'):
            return _post_password(req)
        if req.method not in ('GET', 'HEAD'):
            return webob.exc.HTTPMethodNotAllowed()
        if not parts:
            return _text(EC2_VERSIONS)
        if parts[0] == 'openstack':
            return self._openstack(req, parts[1:])
        if parts[0] not in EC2_VERSIONS:
            return _not_found()
        return self._ec2(req, parts[1:])

    @staticmethod
    def _ec2(req, parts):
        instance = _instance(req)
        data = content.user_data(instance)
        if not parts:
            return _text(['dynamic/', 'meta-data/'] + (['user-data'] if data is not None
                                                          else []))
        if parts == ['user-data']:
            if data is None:
                return _not_found()
            return webob.Response(content_type='application/octet-stream', body=data)
        if parts == ['dynamic', 'instance-identity', 'document']:
            return _json(content.identity_document(instance))
        trees = {'meta-data': content.ec2_metadata, 'dynamic': lambda i: DYNAMIC_LISTING}
        if parts[0] not in trees:
            return _not_found()
        node = trees[parts[0]](instance)
        for part in parts[1:]:
            if not isinstance(node, dict) or part not in node:
                return _not_found()
            node = node[part]
        if isinstance(node, str):
            return _text([node])
        if parts[1:] == ['public-keys']:
            return _text([content.public_keys_listing(instance)])
        return _text(sorted(k + '/' if isinstance(v, dict) else k for k, v in node.items()))

    @staticmethod
    def _openstack(req, parts):
        if not parts:
            return _text(OPENSTACK_VERSIONS)
        if parts[0] not in OPENSTACK_VERSIONS or len(parts) > 2:
            return _not_found()
        instance = _instance(req)
        data = content.user_data(instance)
        files = [f for f in OPENSTACK_FILES if f != 'user_data' or data is not None]
        with_network = content.has_network_data(parts[0])
        if with_network:
            files.append('network_data.json')
        if len(parts) == 1:
            return _text(files)
        if parts[1] == 'meta_data.json':
            return _json(content.openstack_metadata(instance))
        if parts[1] == 'vendor_data.json':
            return _json(content.vendor_data(instance))
        if parts[1] == 'password':
            return _text([compute_api.API.get_password(instance)])
        if parts[1] == 'network_data.json' and with_network:
            return _json(content.network_data(instance))
        if parts[1] == 'user_data' and data is not None:
            return webob.Response(content_type='application/octet-stream', body=data)
        return _not_found()


def _post_password(req):
    """The guest sets its password once (409 after that, until an admin clears it)."""
    instance = _instance(req)
    if req.content_length is None or req.content_length > MAX_PASSWORD_BYTES:
        raise webob.exc.HTTPBadRequest(explanation='The password must be at most %d bytes'
                                       % MAX_PASSWORD_BYTES)
    api = compute_api.API()
    if api.get_password(instance):
        raise webob.exc.HTTPConflict(explanation='The password is already set')
    try:
        password = req.body.decode('utf-8')
    except UnicodeDecodeError:
        raise webob.exc.HTTPBadRequest(explanation='The password is not UTF-8') from None
    api.set_password(nova_context.get_admin_context(), instance, password)
    return webob.Response(status=200, content_type=None)
