"""The unauthenticated version documents of the block-storage API: / and /v3."""
import json

import webob
import webob.dec

from nova.api.openstack import microversion

UPDATED = '2024-01-01T00:00:00Z'


def _v3(req):
    return {
        'id': 'v3.0', 'status': 'CURRENT', 'version': microversion.VOLUME.max_version,
        'min_version': microversion.VOLUME.min_version, 'updated': UPDATED,
        'links': [{'rel': 'describedby', 'type': 'text/html',
                   'href': 'https://docs.openstack.org/'},
                  {'rel': 'self', 'href': req.host_url + '/v3/'}],
        'media-types': [{'base': 'application/json',
                         'type': 'application/vnd.openstack.volume+json;version=3'}],
    }


class Versions:
    """GET / lists the versions (300 Multiple Choices, as Cinder); GET /v3 shows v3."""

    @classmethod
    def factory(cls, global_conf, **local_conf):
        return cls()

    @webob.dec.wsgify
    def __call__(self, req):
        path = (req.script_name + req.path_info).rstrip('/')
        if req.method not in ('GET', 'HEAD'):
            return _json(405, {'computeFault': {'code': 405, 'message': 'Method not allowed'}})
        if path == '':
            return _json(300, {'versions': [_v3(req)]})
        if path == '/v3':
            return _json(200, {'versions': [_v3(req)]})
        return _json(404, {'itemNotFound': {'code': 404,
                                            'message': 'The resource could not be found.'}})


def _json(status, body):
    return webob.Response(status=status, content_type='application/json', charset='utf-8',
                          body=json.dumps(body).encode())
