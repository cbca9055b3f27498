"""Glance's version list: what keystoneauth reads to find the v2 endpoint."""
import webob.dec

from nova.image.api import wsgi

# newest first, as Glance lists them; every one is served by the same /v2/ API
MINOR_VERSIONS = range(16, -1, -1)


def version_list(host_url):
    href = host_url + '/v2/'
    return [{'id': 'v2.%d' % minor, 'status': 'CURRENT' if minor == 16 else 'SUPPORTED',
             'links': [{'rel': 'self', 'href': href}]} for minor in MINOR_VERSIONS]


class VersionsApp:
    """GET /versions is 200; any other path is 300 Multiple Choices, as in Glance."""

    @classmethod
    def factory(cls, global_conf, **local_conf):
        return cls()

    @webob.dec.wsgify
    def __call__(self, req):
        status = 200 if req.path_info.rstrip('/') == '/versions' else 300
        return wsgi.json_response({'versions': version_list(req.host_url)}, status)


class VersionsOrAPI:
    """/v2/<anything> is the API; any other path is the version list."""

    def __init__(self, versions_app, api_app):
        self.versions_app, self.api_app = versions_app, api_app

    @webob.dec.wsgify
    def __call__(self, req):
        if req.path_info.startswith('/v2/') and req.path_info != '/v2/':
            return req.get_response(self.api_app)
        return req.get_response(self.versions_app)
