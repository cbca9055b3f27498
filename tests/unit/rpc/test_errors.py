"""Failures across the wire: which classes are rebuilt, and what is never imported."""
import sys

import pytest

from nova import exception
from nova.rpc import errors


def _failure_of(exc, host='h1'):
    try:
        raise exc
    except Exception as e:
        return errors.serialize_failure(e, host)


def test_nova_exception_round_trip():
    failure = _failure_of(exception.ComputeHostNotFound(host='c1'))
    assert failure['class'] == 'ComputeHostNotFound'
    assert failure['module'] == 'nova.exception'
    assert failure['kwargs'] == {'host': 'c1', 'code': 404}
    exc = errors.deserialize_failure(failure)
    assert type(exc) is exception.ComputeHostNotFound
    assert exc.kwargs['host'] == 'c1' and exc.code == 404
    assert str(exc) == 'Compute host c1 could not be found.'
    assert exc.remote_host == 'h1'
    assert 'ComputeHostNotFound' in exc.remote_traceback
    assert any('Remote traceback (host h1)' in note for note in exc.__notes__)


def test_unserializable_kwargs_travel_as_text():
    failure = _failure_of(exception.Invalid(reason=object()))
    assert isinstance(failure['kwargs']['reason'], str)
    exc = errors.deserialize_failure(failure)
    assert isinstance(exc, exception.Invalid)


@pytest.mark.parametrize('module,name', [
    ('builtins', 'ValueError'),
    ('os', 'error'),
    ('this', 'Exception'),               # importing it would print the Zen of Python
    ('nova.exception', 'NoSuchClass'),
    ('nova.exception', 'CONF'),           # not a class
    ('nova.rpc', 'cast'),                 # not an exception class
    ('nova.no_such_module', 'Error'),
    ('nova..evil', 'Error'),
    ('nova.exception; import os', 'X'),
    (None, None),
])
def test_classes_outside_nova_or_unknown_become_remote_error(module, name):
    failure = {'class': name, 'module': module, 'message': 'm', 'kwargs': {},
               'host': 'h2', 'traceback': 'tb'}
    before = set(sys.modules)
    exc = errors.deserialize_failure(failure)
    assert type(exc) is exception.RemoteError
    assert exc.host == 'h2' and exc.value == 'm' and exc.traceback == 'tb'
    assert name is None or name in exc.exc_type
    assert 'this' not in set(sys.modules) - before


def test_nova_class_with_an_incompatible_constructor_becomes_remote_error(monkeypatch):
    class Picky(exception.NovaException):
        def __init__(self, required, positional):
            super().__init__()

    monkeypatch.setattr(exception, 'Picky', Picky, raising=False)
    failure = {'class': 'Picky', 'module': 'nova.exception', 'message': 'm',
               'kwargs': {'code': 500}, 'host': 'h', 'traceback': ''}
    exc = errors.deserialize_failure(failure)
    assert type(exc) is exception.RemoteError
    assert exc.exc_type == 'nova.exception.Picky'
