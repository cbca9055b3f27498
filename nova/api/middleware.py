"""WSGI middleware shared by every front end."""
import logging

import webob.dec

from nova import context as nova_context

LOG = logging.getLogger(__name__)

REQUEST_ID_HEADER = 'x-openstack-request-id'
ENV_REQUEST_ID = 'openstack.request_id'


class Middleware:
    """Paste filter base: ``factory`` builds it from the pipeline."""

    def __init__(self, application, **local_conf):
        self.application = application
        self.conf = local_conf

    @classmethod
    def factory(cls, global_conf, **local_conf):
        def _filter(app):
            return cls(app, **local_conf)
        return _filter


class RequestId(Middleware):
    """Gives each request an id, puts it in the logs and the response header.

    ``compat_headers`` (paste config, space separated) names more headers that
    carry the same id: the compute API also answers x-compute-request-id.
    """

    def __init__(self, application, **local_conf):
        super().__init__(application, **local_conf)
        self.headers = [REQUEST_ID_HEADER] + local_conf.get('compat_headers', '').split()

    @webob.dec.wsgify
    def __call__(self, req):
        request_id = nova_context.generate_request_id()
        req.environ[ENV_REQUEST_ID] = request_id
        # anonymous context until auth replaces it, so log lines carry the id; it
        # stays current after the response so that the access log line has it too
        # (the green thread serves only this connection; the next request replaces it)
        nova_context.RequestContext(request_id=request_id,
                                    remote_address=req.remote_addr)
        response = req.get_response(self.application)
        for header in self.headers:
            response.headers.setdefault(header, request_id)
        return response
