"""init/cleanup of the process-wide transport, and transport URLs."""
import pytest

from nova import context
from nova import exception
from nova import rpc
from nova.conf import CONF
from nova.rpc import impl_inproc
from nova.rpc import transport


@pytest.fixture(autouse=True)
def _no_transport_left():
    rpc.cleanup()
    yield
    rpc.cleanup()


def test_url_from_rabbit_flags():
    assert rpc.transport_url() == 'rabbit://guest:guest@localhost:5672/'
    CONF.set_override('rabbit_host', 'mq1')
    CONF.set_override('rabbit_port', 5673)
    CONF.set_override('rabbit_userid', 'nova')
    CONF.set_override('rabbit_password', 'p@ss/word')
    CONF.set_override('rabbit_virtual_host', 'cloud')
    assert rpc.transport_url() == 'rabbit://nova:p%40ss%2Fword@mq1:5673/cloud'


def test_transport_url_wins():
    CONF.set_override('transport_url', 'fake://')
    assert rpc.transport_url() == 'fake://'
    assert isinstance(rpc.init(), impl_inproc.InprocTransport)


def test_unknown_scheme_is_a_config_error():
    CONF.set_override('transport_url', 'carrier-pigeon://coop')
    with pytest.raises(exception.ConfigError) as info:
        rpc.init()
    assert 'carrier-pigeon' in str(info.value)


def test_get_transport_before_init_is_an_error():
    with pytest.raises(exception.RPCError):
        rpc.get_transport()
    with pytest.raises(exception.RPCError):
        rpc.cast(context.get_admin_context(), 't', {'method': 'ping'})


def test_init_is_idempotent_and_reinit_after_cleanup_works():
    CONF.set_override('transport_url', 'inproc://')
    first = rpc.init()
    assert rpc.init() is first and rpc.get_transport() is first
    rpc.cleanup()
    second = rpc.init()
    assert second is not first and rpc.get_transport() is second


def test_register_a_scheme():
    transport.register('memtest', 'nova.rpc.impl_inproc.InprocTransport')
    try:
        assert transport.get_transport_class('memtest://') is impl_inproc.InprocTransport
    finally:
        transport._REGISTRY.pop('memtest')
