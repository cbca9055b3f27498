"""Glance v2 compatible front end of nova-image (port 9292): paste factories.

Like Glance's version negotiation, everything outside ``/v2/`` is the version
list (no authentication); ``/v2/...`` goes through the pipeline that
--auth_strategy picks (nova.api.auth:pipeline_factory) and ends in the
router (nova.image.api.router).
"""
import logging

from nova.i18n import _LE

LOG = logging.getLogger(__name__)


def versions_or_api_factory(loader, global_conf, versions, api):
    # imported here, as the router below: a compute host reaching nova-image through
    # nova.image.glance (which reads nova.image.api.views) loads no webob
    from nova.image.api.versions import VersionsOrAPI
    return VersionsOrAPI(loader.get_app(versions), loader.get_app(api))


def app_factory(global_conf, **local_conf):
    from nova import context
    from nova.image import metadefs
    from nova.image.api import router
    try:  # the shipped definitions, into an empty catalog (the first start)
        metadefs.ensure_loaded(context.get_admin_context())
    except Exception:  # noqa: BLE001 -- the API serves without them; the log says why
        LOG.exception(_LE('Could not load the metadata definitions'))
    return router.ImageAPI()
