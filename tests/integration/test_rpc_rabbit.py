"""RPC over a real RabbitMQ broker, including broker restarts in the middle of a test."""
import uuid

import eventlet
import pytest

from nova import context
from nova import exception
from nova import rpc
from nova.conf import CONF
from nova.rpc import dispatcher
from tests.unit.rpc import fakes


@pytest.fixture
def rabbit_rpc(rabbitmq):
    CONF.set_override('transport_url', rabbitmq.url)
    CONF.set_override('rabbit_retry_interval', 0.2)
    CONF.set_override('rpc_response_timeout', 20)  # a broken reconnect fails fast
    yield rpc.init()
    rpc.cleanup()


@pytest.fixture
def topic():
    return 'itest_%s' % uuid.uuid4().hex[:8]


@pytest.fixture
def start_server(rabbit_rpc, topic):
    """start_server(host) -> (server, endpoint) consuming this test's topic."""
    servers = []

    def start(host, server_topic=None):
        endpoint = fakes.Endpoint(host)
        server_topic = server_topic or topic
        server = rpc.get_server(server_topic, host, dispatcher.RPCDispatcher(
            fakes.EchoAPI, endpoint, server_topic))
        server.start()
        servers.append(server)
        return server, endpoint

    yield start
    for server in servers:
        server.stop()
        server.wait(5)


@pytest.fixture
def ctxt():
    return context.RequestContext(user_id='bob', project_id='p', overwrite=False)


def test_call_cast_and_host_routing(start_server, topic, ctxt):
    _, first = start_server('host1')
    _, second = start_server('host2')
    api = fakes.EchoAPI(topic=topic)
    assert api.echo(ctxt, {'x': [1, 'two']}) == {'x': [1, 'two']}
    assert api.call(ctxt, 'whoami', server='host2')['request_id'] == ctxt.request_id
    assert {api.ping(ctxt)['host'] for _ in range(6)} == {'host1', 'host2'}
    for i in range(3):
        api.record(ctxt, i, server='host2')
    assert fakes.wait_for(lambda: sorted(second.received) == [0, 1, 2])
    assert first.received == []


def test_server_names_its_queues_for_reports(rabbitmq, start_server, topic):
    server, _ = start_server('host1')
    assert server._listener.wait_consuming(20)
    described = server.describe()  # a Guru Meditation Report's RPC line
    assert described.startswith('queues %s, %s.host1, %s_fanout_' % (topic, topic, topic))
    assert '%s:%d/ (consuming)' % (rabbitmq.ip, rabbitmq.port) in described
    assert 'guest' not in described  # the broker's credentials stay out of reports
    assert 'dispatching 0 of %d green threads, 0 waiting' % CONF.rpc_thread_pool_size \
        in described


def test_fanout_reaches_both_consumers(start_server, topic, ctxt):
    _, first = start_server('host1')
    _, second = start_server('host2')
    fakes.EchoAPI(topic=topic).fanout_cast(ctxt, 'record', value='everyone')
    assert fakes.wait_for(lambda: first.received == ['everyone'] == second.received)


def test_timeout_names_topic_and_method(rabbit_rpc, topic, ctxt):
    with pytest.raises(exception.MessagingTimeout) as info:
        fakes.EchoAPI(topic=topic).call(ctxt, 'echo', timeout=0.5, value=1)
    assert topic in str(info.value) and 'echo' in str(info.value)


def test_remote_exceptions(start_server, topic, ctxt):
    start_server('host9')
    api = fakes.EchoAPI(topic=topic)
    with pytest.raises(exception.ServiceNotFound) as info:
        api.call(ctxt, 'fail', kind='nova', message='svc-3')
    assert info.value.kwargs['service_id'] == 'svc-3' and info.value.remote_host == 'host9'
    with pytest.raises(exception.RemoteError) as info:
        api.call(ctxt, 'fail', kind='local', message='nope')
    assert info.value.exc_type.endswith('LocalError') and info.value.host == 'host9'
    with pytest.raises(exception.UnsupportedRPCVersion):
        rpc.call(ctxt, topic, {'method': 'echo', 'args': {'value': 1}, 'version': '2.0'})


def test_cast_before_consumer_starts_is_delivered(start_server, topic, ctxt):
    fakes.EchoAPI(topic=topic).record(ctxt, 'early')
    eventlet.sleep(0.2)
    _, endpoint = start_server('host1')
    assert fakes.wait_for(lambda: endpoint.received == ['early'])


def test_slow_callee_still_replies(start_server, topic, ctxt):
    start_server('host1')
    assert fakes.EchoAPI(topic=topic).call(ctxt, 'sleep', timeout=10, seconds=3) == 3


def test_call_from_inside_a_dispatch(start_server, topic, ctxt):
    start_server('host1')
    start_server('host2', server_topic=topic + '_backend')
    result = fakes.EchoAPI(topic=topic).call(ctxt, 'relay', topic=topic + '_backend',
                                             value='deep')
    assert result == {'via': 'host1', 'result': 'deep'}


def test_servers_and_clients_survive_a_broker_restart(rabbitmq, start_server, topic, ctxt):
    _, first = start_server('host1')
    _, second = start_server('host2')
    api = fakes.EchoAPI(topic=topic)
    assert api.echo(ctxt, 'before') == 'before'
    rabbitmq.restart()
    assert api.echo(ctxt, 'after', server='host1') == 'after'
    assert api.call(ctxt, 'ping', server='host2', timeout=20)['host'] == 'host2'
    api.record(ctxt, 'cast after', server='host1')
    assert fakes.wait_for(lambda: first.received == ['cast after'], timeout=20)
    api.fanout_cast(ctxt, 'record', value='fanout after')
    assert fakes.wait_for(lambda: second.received == ['fanout after'], timeout=20)


def test_cast_while_broker_is_down_fails_loudly_or_is_delivered(rabbitmq, start_server,
                                                                topic, ctxt):
    _, endpoint = start_server('host1')
    api = fakes.EchoAPI(topic=topic)
    assert api.echo(ctxt, 'up') == 'up'
    rabbitmq.stop()
    try:
        CONF.set_override('rabbit_max_retries', 2)
        with pytest.raises(exception.MessageDeliveryFailure) as info:
            api.record(ctxt, 'gave up')
        assert topic in str(info.value) and 'record' in str(info.value)

        CONF.set_override('rabbit_max_retries', 200)
        outcome = []

        def publish():
            try:
                api.record(ctxt, 'while down')
                outcome.append('published')
            except exception.MessageDeliveryFailure as e:
                outcome.append(e)

        publisher = eventlet.spawn(publish)
        eventlet.sleep(1)
        assert outcome == []  # still retrying: neither dropped nor failed
    finally:
        rabbitmq.start()
    publisher.wait()
    assert outcome == ['published']
    assert fakes.wait_for(lambda: endpoint.received == ['while down'], timeout=20)
    assert api.echo(ctxt, 'up again', server='host1') == 'up again'


def test_durable_queue_keeps_a_cast_across_a_restart(rabbitmq, start_server, topic, ctxt):
    CONF.set_override('rabbit_durable_queues', True)
    CONF.set_override('control_exchange', 'durable_%s' % topic)
    fakes.EchoAPI(topic=topic).record(ctxt, 'persisted', server='host1')
    rabbitmq.restart()
    _, endpoint = start_server('host1')
    assert fakes.wait_for(lambda: endpoint.received == ['persisted'], timeout=20)
