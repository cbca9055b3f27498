"""URL + method -> handler, with and without the project id in front (2.18).

A route table is a list of ``(path template, {METHOD: handler})``; a handler
is called as ``handler(req, url_args, body)`` (wsgi.call bound to a
controller method, or wsgi.Actions). A known path with an unknown method is
405 with Allow; an unknown path is 404.
"""
import functools

import routes
import webob.dec
import webob.exc

from nova.api.openstack import faults
from nova.api.openstack import wsgi
from nova.i18n import _


def method(controller_method):
    """The handler that validates and calls one controller method."""
    return functools.partial(wsgi.call, controller_method)


class APIRouter:
    """The WSGI app at the end of the pipeline: matches the route and serves it."""

    def __init__(self, route_table):
        self.mapper = routes.Mapper()
        self.handlers = {}
        for prefix in ('', '/{project_id}'):  # plain routes match first
            for path, handlers in route_table:
                self.handlers[path] = handlers
                self.mapper.connect(prefix + path, route_key=path)

    @webob.dec.wsgify(RequestClass=wsgi.Request)
    def __call__(self, req):
        path = req.path_info.rstrip('/') or '/'
        match = self.mapper.match(path)
        if match is None:
            return faults.fault_response(404, faults.NOT_FOUND, request=req)
        route_key = match.pop('route_key')
        handlers = self.handlers[route_key]
        handler = handlers.get(req.method)
        if req.path_info.endswith('/') and path != '/' and (
                handler is None or req.method in self.handlers.get(route_key + '/{id}', ())):
            # '/images/' or '/os-simple-tenant-usage/' read as an item with a blank id,
            # as Nova does: not found
            return faults.fault_response(404, faults.NOT_FOUND, request=req)
        if handler is None:
            allowed = ', '.join(sorted(handlers))
            return faults.exception_response(webob.exc.HTTPMethodNotAllowed(
                explanation=_('The method %s is not allowed here') % req.method,
                headers={'Allow': allowed}), req)
        return wsgi.serve(req, handler, match)
