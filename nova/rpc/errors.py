"""Exceptions across the wire: a failure dict on the callee, an exception on the caller.

The caller re-raises the callee's class when it knows it, so that
``except exception.InstanceNotFound`` works across RPC. Only classes of Nova's
own modules are looked up, and only modules whose names are plain Nova module
paths are imported: a message can never make the caller import arbitrary code.
Anything else becomes ``RemoteError`` carrying the class name and message.
"""
import importlib
import json
import logging
import re
import sys
import traceback

from nova import exception

LOG = logging.getLogger(__name__)
_NOVA_MODULE = re.compile(r'^nova(\.[A-Za-z_][A-Za-z0-9_]*)*$')


def _jsonable(value):
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return str(value)


def serialize_failure(exc, host):
    """The failure dict sent back for an exception raised by a dispatched method."""
    cls = type(exc)
    if isinstance(exc, exception.NovaException):
        message = exc.message
        kwargs = {k: _jsonable(v) for k, v in exc.kwargs.items()}
    else:
        message = str(exc)
        kwargs = {}
    return {
        'class': cls.__name__,
        'module': cls.__module__,
        'message': message,
        'kwargs': kwargs,
        'host': host,
        'traceback': ''.join(traceback.format_exception(exc)),
    }


def _known_class(module_name, class_name):
    if not isinstance(module_name, str) or not _NOVA_MODULE.match(module_name):
        return None
    module = sys.modules.get(module_name)
    if module is None:
        try:
            module = importlib.import_module(module_name)
        except Exception:  # a module of a newer release, or one that fails to import
            return None
    cls = getattr(module, str(class_name), None)
    if isinstance(cls, type) and issubclass(cls, Exception):
        return cls
    return None


def _rebuild(cls, failure):
    message = failure.get('message')
    kwargs = failure.get('kwargs') or {}
    try:
        if issubclass(cls, exception.NovaException):
            # from its template when that says the same: a lazy message the API
            # can show in the caller's language (nova.i18n); else the text as sent
            rebuilt = cls(**kwargs)
            return rebuilt if rebuilt.message == message else cls(message=message, **kwargs)
        return cls(message)
    except Exception:  # a constructor that does not take (message, **kwargs)
        return None


def deserialize_failure(failure):
    """The exception to raise in the caller for a failure dict."""
    host = failure.get('host')
    remote_tb = failure.get('traceback') or ''
    cls = _known_class(failure.get('module'), failure.get('class'))
    exc = _rebuild(cls, failure) if cls is not None else None
    if exc is None:
        module, name = failure.get('module'), failure.get('class')
        exc_type = name if module in (None, 'builtins') else '%s.%s' % (module, name)
        exc = exception.RemoteError(exc_type=exc_type, value=failure.get('message'),
                                    host=host, traceback=remote_tb)
    exc.remote_host = host
    exc.remote_traceback = remote_tb
    if remote_tb:
        exc.add_note('Remote traceback (host %s):\n%s' % (host, remote_tb.rstrip()))
    return exc
