"""The unauthenticated version documents at /, /v2 and /v2.1."""
import json

import webob
import webob.dec

from nova.api.openstack.microversion import MAX_VERSION, MIN_VERSION

UPDATED = '2013-07-23T11:33:21Z'


def _version(req, vid, status, version, min_version):
    path = '/v2/' if vid == 'v2.0' else '/v2.1/'
    return {
        'id': vid, 'status': status, 'version': version, 'min_version': min_version,
        'updated': UPDATED if vid == 'v2.1' else '2011-01-21T11:33:21Z',
        'links': [{'rel': 'self', 'href': req.host_url + path}],
    }


class Versions:
    """GET / lists v2.0 and v2.1; GET /v2.1 shows the current one."""

    @classmethod
    def factory(cls, global_conf, **local_conf):
        return cls()

    @webob.dec.wsgify
    def __call__(self, req):
        path = (req.script_name + req.path_info).rstrip('/')  # mounted at / or /v2.1
        if req.method not in ('GET', 'HEAD'):
            return _json(405, {'computeFault': {'code': 405, 'message': 'Method not allowed'}})
        if path == '':
            return _json(200, {'versions': [
                _version(req, 'v2.0', 'SUPPORTED', '', ''),
                _version(req, 'v2.1', 'CURRENT', MAX_VERSION, MIN_VERSION)]})
        if path == '/v2.1':
            return _json(200, {'version': _version(req, 'v2.1', 'CURRENT', MAX_VERSION,
                                                   MIN_VERSION)})
        if path == '/v2':  # the legacy v2.0 entry, no microversions
            return _json(200, {'version': _version(req, 'v2.0', 'SUPPORTED', '', '')})
        return _json(404, {'itemNotFound': {'code': 404,
                                            'message': 'The resource could not be found.'}})


def _json(status, body):
    return webob.Response(status=status, content_type='application/json',
                          charset='utf-8', body=json.dumps(body).encode())
