"""OpenStack Compute API v2.1 front end: paste factories of the osapi_compute app.

``/`` and ``/v2.1`` (no auth) are version documents; everything under
``/v2.1/`` goes through the pipeline that ``--auth_strategy`` picks
(nova.api.auth:pipeline_factory: ``keystone`` or ``noauth2``) and ends in the APIRouter.
"""
import webob.dec


class _VersionOrAPI:
    """GET /v2.1 is the version document; /v2.1/<anything> is the API."""

    def __init__(self, version_app, api_app):
        self.version_app, self.api_app = version_app, api_app

    @webob.dec.wsgify
    def __call__(self, req):
        if req.path_info in ('', '/'):
            return req.get_response(self.version_app)
        return req.get_response(self.api_app)


def version_or_api_factory(loader, global_conf, version, api):
    return _VersionOrAPI(loader.get_app(version), loader.get_app(api))


def app_factory(global_conf, **local_conf):
    """The router over every compute resource (nova/api/openstack/compute/routes.py)."""
    from nova.api.openstack import router
    from nova.api.openstack.compute import routes
    return router.APIRouter(routes.route_table())
