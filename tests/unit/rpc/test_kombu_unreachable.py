"""The RabbitMQ transport with no broker listening: bounded retries, then a loud error."""
import socket

import pytest

from nova import context
from nova import exception
from nova import rpc
from nova.conf import CONF
from nova.rpc import dispatcher
from nova.rpc import impl_kombu
from nova.rpc import kombu_consumer
from tests.unit.rpc import fakes


@pytest.fixture
def no_broker():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    CONF.set_override('transport_url', 'rabbit://guest:guest@127.0.0.1:%d/' % port)
    CONF.set_override('rabbit_max_retries', 2)
    CONF.set_override('rabbit_retry_interval', 0.01)
    yield rpc.init()
    rpc.cleanup()


def test_rabbit_url_selects_kombu_and_maps_the_scheme(no_broker):
    assert isinstance(no_broker, impl_kombu.KombuTransport)
    assert kombu_consumer.kombu_url('rabbit://u:p@h:1/v') == 'amqp://u:p@h:1/v'


@pytest.mark.parametrize('send', ['cast', 'fanout_cast', 'call'])
def test_sending_without_a_broker_raises_delivery_failure(no_broker, send):
    api = fakes.EchoAPI(topic='lonely')
    with pytest.raises(exception.MessageDeliveryFailure) as info:
        if send == 'call':
            api.echo(context.get_admin_context(), 1)
        else:
            getattr(api, send)(context.get_admin_context(), 'record', value=1)
    text = str(info.value)
    assert 'lonely' in text and 'after 3 attempts' in text
    assert ('echo' if send == 'call' else 'record') in text


def test_server_start_without_a_broker_raises(no_broker):
    server = rpc.get_server('lonely', 'h1', dispatcher.RPCDispatcher(
        fakes.EchoAPI, fakes.Endpoint(), 'lonely'))
    with pytest.raises(exception.RPCError) as info:
        server.start()
    assert 'lonely' in str(info.value)
