"""Controllers and the Resource that calls them: JSON in, JSON out, per version.

A controller method takes ``(self, req, <url args>)`` and, for POST and PUT,
``body`` (the parsed JSON). It returns a dict (the JSON body, status 200 or
what ``@response`` says), None (with ``@response(202)`` or 204), or a
``ResponseObject`` when it sets headers. ``@api_version(min, max)`` limits a
method to a version range; define the method again with another range for
another behaviour (the Controller metaclass keeps every definition). Server
actions (``POST /servers/{id}/action``) are methods marked ``@action('name')``.
"""
import functools
import inspect

import webob
import webob.dec
import webob.exc

from nova import exception
from nova.api import json_body
from nova.api import request_input
from nova.api.openstack import faults
from nova.api.openstack import microversion
from nova.api.openstack import validation
from nova.i18n import _

class Request(webob.Request):
    """A request with its context and negotiated version."""

    @property
    def context(self):
        return self.environ['nova.context']

    @property
    def api_version(self):
        return self.environ.get(microversion.ENV_KEY) or microversion.parse(
            microversion.MIN_VERSION)

    def is_version(self, min_version, max_version=None):
        return self.api_version.matches(min_version, max_version)

    def query_lists(self):
        """{name: [values]}: every query parameter as the list of its values."""
        params = {}
        for key, value in self.GET.items():
            params.setdefault(key, []).append(value)
        return params


class ResponseObject:
    """A body with a status and headers, for methods that need more than a dict."""

    def __init__(self, obj=None, code=None, headers=None):
        self.obj, self.code, self.headers = obj, code, dict(headers or {})


def response(code):
    """The success status of a method (default 200)."""
    def decorator(func):
        func.wsgi_code = code
        return func
    return decorator


def action(name):
    """Mark a method as the server action ``name`` (the body's only key)."""
    def decorator(func):
        func.wsgi_action = name
        return func
    return decorator


class VersionNotFound(exception.NotFound):
    msg_fmt = _('API version %(version)s is not supported on this method.')


def api_version(min_version, max_version=None):
    """Serve the method only to requests in [min_version, max_version]."""
    def decorator(func):
        func.api_versions = (min_version, max_version)
        return func
    return decorator


class _Versioned:
    """Same-named methods with version ranges; calls the one matching req."""

    def __init__(self, func):
        self.funcs = [func]
        functools.update_wrapper(self, func)

    def add(self, func):
        self.funcs.append(func)

    def select(self, version):
        for func in self.funcs:
            if version.matches(*func.api_versions):
                return func
        raise VersionNotFound(version=version)

    def __get__(self, controller, owner=None):
        if controller is None:
            return self

        def dispatch(req, *args, **kwargs):
            return self.select(req.api_version)(controller, req, *args, **kwargs)
        dispatch.versioned = self
        dispatch.controller = controller
        return dispatch


class _Namespace(dict):
    def __setitem__(self, key, value):
        versioned = hasattr(value, 'api_versions')
        if versioned and isinstance(self.get(key), _Versioned):
            self[key].add(value)
            return
        super().__setitem__(key, _Versioned(value) if versioned else value)


class ControllerMeta(type):
    @classmethod
    def __prepare__(mcs, name, bases, **kwargs):
        return _Namespace()

    def __new__(mcs, name, bases, namespace, **kwargs):
        return super().__new__(mcs, name, bases, dict(namespace), **kwargs)


class Controller(metaclass=ControllerMeta):
    """Base of every controller (gives @api_version its per-version dispatch)."""

    def actions(self):
        """{action name: bound method} of the @action methods."""
        found = {}
        for attr in dir(type(self)):
            member = inspect.getattr_static(type(self), attr)
            funcs = member.funcs if isinstance(member, _Versioned) else [member]
            for func in funcs:
                if hasattr(func, 'wsgi_action'):
                    found[func.wsgi_action] = getattr(self, attr)
        return found


def _target(method, req):
    """The plain function req's version will run (for its schemas and status)."""
    versioned = getattr(method, 'versioned', None)
    return versioned.select(req.api_version) if versioned else method


def _parse_body(req):
    if not req.body:
        return None
    content_type = req.content_type or 'application/json'
    if content_type != 'application/json':
        raise webob.exc.HTTPUnsupportedMediaType(
            explanation=_('Unsupported Content-Type %s') % content_type)
    try:
        return request_input.json_loads(req.body)
    except request_input.MalformedJSON:
        raise webob.exc.HTTPBadRequest(explanation=_('Malformed request body')) from None
    except request_input.MalformedInput as error:
        raise webob.exc.HTTPBadRequest(explanation=error.format_message()) from None


def _render(result, code):
    """The response; no body means 204 unless a ResponseObject names its status."""
    headers, explicit = {}, False
    if isinstance(result, ResponseObject):
        explicit = result.code is not None
        code, headers, result = result.code or code, result.headers, result.obj
    if result is None:
        response = webob.Response(status=code if code != 200 or explicit else 204)
        del response.content_type
    else:
        response = webob.Response(status=code, content_type='application/json',
                                  charset='utf-8', body=json_body.dumps(result))
    for name, value in headers.items():
        response.headers[name] = value
    return response


def call(method, req, kwargs, body):
    """Validate and call a controller method; returns the webob response."""
    func = _target(method, req)
    if req.method in ('POST', 'PUT'):
        validation.check(func, req, body)
        kwargs = dict(kwargs, body=body)
    else:
        validation.check(func, req, None)
    result = method(req, **kwargs)
    return _render(result, getattr(func, 'wsgi_code', 200))


def _refuse_nul(req, kwargs, body):
    """No NUL character or lone surrogate reaches the database (PostgreSQL refuses
    them with an error): in an id of the URL the resource does not exist, elsewhere
    it is 400. (The body was checked when it was parsed.)"""
    if request_input.value_problem(kwargs):
        raise webob.exc.HTTPNotFound(explanation=faults.NOT_FOUND)
    for name, value in req.GET.items():
        problem = request_input.text_problem(name) or request_input.text_problem(value)
        if problem:
            raise webob.exc.HTTPBadRequest(
                explanation=_('Query parameter %r %s') % (name, problem))


def serve(req, method, kwargs):
    """Parse, check the URL's project, call; every error becomes a fault response."""
    try:
        project_id = kwargs.pop('project_id', None)
        context = req.context
        if project_id and project_id != context.project_id:
            raise webob.exc.HTTPBadRequest(explanation=(
                _("Malformed request URL: URL's project_id '%s' doesn't match Context's "
                  "project_id '%s'") % (project_id, context.project_id)))
        body = _parse_body(req) if req.method in ('POST', 'PUT') else None
        _refuse_nul(req, kwargs, body)
        return method(req, kwargs, body)
    except Exception as error:  # noqa: BLE001 -- rendered as a Nova fault
        return faults.exception_response(error, req)


class Actions:
    """POST /servers/{id}/action: the body's only key picks the @action method."""

    def __init__(self, *controllers):
        self.methods = {}
        for controller in controllers:
            self.methods.update(controller.actions())

    def add(self, actions):
        """Serve more actions ({name: method}, an API plugin's); ValueError names one
        that is taken."""
        taken = sorted(set(actions) & set(self.methods))
        if taken:
            raise ValueError('server action %s is already defined' % ', '.join(taken))
        self.methods.update(actions)

    def __call__(self, req, kwargs, body):
        if not isinstance(body, dict) or len(body) != 1:
            raise webob.exc.HTTPBadRequest(
                explanation=_('The action body must be an object with one key'))
        name, = body
        method = self.methods.get(name)
        if method is None:
            raise webob.exc.HTTPBadRequest(explanation=_('There is no such action: %s') % name)
        func = _target(method, req)
        validation.check(func, req, body)
        result = method(req, body=body, **kwargs)
        return _render(result, getattr(func, 'wsgi_code', 202))
