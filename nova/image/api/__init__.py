"""Glance v2 compatible front end: version documents now, images with the image issue."""
import json

import webob
import webob.dec


class VersionsApp:
    """GET / and /versions: Glance answers 300 Multiple Choices with its versions."""

    @classmethod
    def factory(cls, global_conf, **local_conf):
        return cls()

    @webob.dec.wsgify
    def __call__(self, req):
        if req.path_info.rstrip('/') in ('', '/versions'):
            versions = [{'id': 'v2.9', 'status': 'CURRENT',
                         'links': [{'rel': 'self', 'href': req.host_url + '/v2/'}]}]
            status = 200 if req.path_info.rstrip('/') == '/versions' else 300
            return webob.Response(status=status, content_type='application/json',
                                  charset='utf-8',
                                  body=json.dumps({'versions': versions}).encode())
        return webob.Response(status=404, content_type='application/json', charset='utf-8',
                              body=json.dumps({'code': 404, 'title': 'Not Found'}).encode())
