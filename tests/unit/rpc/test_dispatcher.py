"""RPCDispatcher: only declared methods, only versions the server speaks."""
import pytest

from nova import context
from nova import exception
from nova.rpc import dispatcher
from tests.unit.rpc import fakes


def _msg(method, version='1.0', **args):
    return {'method': method, 'args': args, 'version': version,
            'context': {'user_id': 'u1', 'request_id': 'req-1', 'roles': ['admin']}}


@pytest.fixture
def disp():
    return dispatcher.RPCDispatcher(fakes.EchoAPI, fakes.Endpoint('h'), 'echo')


def test_endpoint_missing_a_declared_method_fails_at_construction():
    class Incomplete:
        def ping(self, context, arg=None):
            pass

    with pytest.raises(dispatcher.MissingRPCMethods) as info:
        dispatcher.RPCDispatcher(fakes.EchoAPI, Incomplete(), 'echo')
    assert isinstance(info.value, exception.NovaException)
    for name in ('echo', 'relay', 'Incomplete', 'EchoAPI'):
        assert name in str(info.value)


def test_non_callable_attribute_does_not_count():
    endpoint = fakes.Endpoint()
    endpoint.echo = 'not a method'
    with pytest.raises(dispatcher.MissingRPCMethods):
        dispatcher.RPCDispatcher(fakes.EchoAPI, endpoint, 'echo')


def test_dispatch_calls_the_method_with_a_context(disp):
    assert disp.dispatch(_msg('echo', value=[1])) == [1]
    who = disp.dispatch(_msg('whoami'))
    assert who['user_id'] == 'u1' and who['request_id'] == 'req-1'
    assert context.get_current().request_id == 'req-1'  # for the log lines of the dispatch


@pytest.mark.parametrize('method', ['undeclared', '__class__', 'dispatch', None])
def test_undeclared_methods_are_unreachable(disp, method):
    with pytest.raises(exception.UnknownRPCMethod):
        disp.dispatch(_msg(method))


@pytest.mark.parametrize('version', ['1.0', '1.1', '1.2', None])
def test_supported_versions(disp, version):
    assert disp.dispatch(_msg('echo', version=version, value=1)) == 1


@pytest.mark.parametrize('version', ['2.0', '0.5', '1.3', 'junk', '1'])
def test_unsupported_versions(disp, version):
    with pytest.raises(exception.UnsupportedRPCVersion) as info:
        disp.dispatch(_msg('echo', version=version, value=1))
    text = str(info.value)
    assert 'echo' in text and '1.2' in text and version in text
