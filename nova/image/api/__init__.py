"""Glance v2 compatible front end of nova-image (port 9292): paste factories.

Like Glance's version negotiation, everything outside ``/v2/`` is the version
list (no authentication); ``/v2/...`` goes through the pipeline that
--auth_strategy picks (nova.api.auth:pipeline_factory) and ends in the
router (nova.image.api.router).
"""
import logging

import webob.dec

from nova.i18n import _LE

LOG = logging.getLogger(__name__)


class _VersionsOrAPI:
    """/v2/<anything> is the API; any other path is the version list."""

    def __init__(self, versions_app, api_app):
        self.versions_app, self.api_app = versions_app, api_app

    @webob.dec.wsgify
    def __call__(self, req):
        if req.path_info.startswith('/v2/') and req.path_info != '/v2/':
            return req.get_response(self.api_app)
        return req.get_response(self.versions_app)


def versions_or_api_factory(loader, global_conf, versions, api):
    return _VersionsOrAPI(loader.get_app(versions), loader.get_app(api))


def app_factory(global_conf, **local_conf):
    from nova import context
    from nova.image import metadefs
    from nova.image.api import router
    try:  # the shipped definitions, into an empty catalog (the first start)
        metadefs.ensure_loaded(context.get_admin_context())
    except Exception:  # noqa: BLE001 -- the API serves without them; the log says why
        LOG.exception(_LE('Could not load the metadata definitions'))
    return router.ImageAPI()
