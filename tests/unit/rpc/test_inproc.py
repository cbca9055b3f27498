"""RPC behaviour end to end on the in-process transport."""
import eventlet
import pytest

from nova import context
from nova import exception
from nova import rpc
from tests.unit.rpc import fakes


@pytest.fixture
def ctxt():
    return context.RequestContext(user_id='alice', project_id='p1', roles=['member'],
                                  overwrite=False)


def test_call_returns_result_and_carries_context(start_server, ctxt):
    start_server('echo', 'host1')
    api = fakes.EchoAPI()
    assert api.echo(ctxt, {'a': [1, 2]}) == {'a': [1, 2]}
    who = api.call(ctxt, 'whoami')
    assert who == {'host': 'host1', 'request_id': ctxt.request_id, 'user_id': 'alice',
                   'roles': ['member']}


def test_ping_is_declared_by_the_base_class(start_server, ctxt):
    start_server('echo', 'host1')
    assert fakes.EchoAPI().ping(ctxt, arg='x') == {'host': 'host1', 'arg': 'x'}


def test_module_level_call_and_cast(start_server, ctxt):
    _, endpoint = start_server('echo', 'host1')
    msg = {'method': 'echo', 'args': {'value': 7}, 'version': '1.0'}
    assert rpc.call(ctxt, 'echo', msg, timeout=5) == 7
    rpc.cast(ctxt, 'echo', {'method': 'record', 'args': {'value': 'x'}, 'version': '1.0'})
    assert fakes.wait_for(lambda: endpoint.received == ['x'])


def test_messages_are_copies_not_references(start_server, ctxt):
    _, endpoint = start_server('echo', 'host1')
    value = {'list': [1]}
    fakes.EchoAPI().record(ctxt, value)
    value['list'].append(2)
    assert fakes.wait_for(lambda: endpoint.received)
    assert endpoint.received == [{'list': [1]}]
    assert endpoint.received[0] is not value


def test_cast_is_delivered(start_server, ctxt):
    _, endpoint = start_server('echo', 'host1')
    api = fakes.EchoAPI()
    for i in range(5):
        api.record(ctxt, i)
    assert fakes.wait_for(lambda: len(endpoint.received) == 5)
    assert sorted(endpoint.received) == [0, 1, 2, 3, 4]


def test_fanout_reaches_every_consumer(start_server, ctxt):
    _, first = start_server('echo', 'host1')
    _, second = start_server('echo', 'host2')
    _, other_topic = start_server('other', 'host3')
    fakes.EchoAPI().fanout_cast(ctxt, 'record', value='all')
    assert fakes.wait_for(lambda: first.received and second.received)
    eventlet.sleep(0.05)
    assert first.received == ['all'] and second.received == ['all']
    assert other_topic.received == []


def test_round_robin_between_servers_of_a_topic(start_server, ctxt):
    _, first = start_server('echo', 'host1')
    _, second = start_server('echo', 'host2')
    api = fakes.EchoAPI()
    hosts = [api.ping(ctxt)['host'] for _ in range(10)]
    assert hosts.count('host1') == 5 and hosts.count('host2') == 5


def test_server_argument_routes_to_one_host(start_server, ctxt):
    _, first = start_server('echo', 'host1')
    _, second = start_server('echo', 'host2')
    api = fakes.EchoAPI()
    assert {api.ping(ctxt, server='host2')['host'] for _ in range(6)} == {'host2'}
    for i in range(4):
        api.record(ctxt, i, server='host1')
    assert fakes.wait_for(lambda: len(first.received) == 4)
    assert second.received == []


def test_cast_before_any_consumer_is_delivered_when_one_starts(transport, start_server, ctxt):
    api = fakes.EchoAPI()
    api.record(ctxt, 'early')
    api.record(ctxt, 'early-host', server='host1')
    eventlet.sleep(0.05)
    _, endpoint = start_server('echo', 'host1')
    assert fakes.wait_for(lambda: len(endpoint.received) == 2)
    assert sorted(endpoint.received) == ['early', 'early-host']


def test_call_times_out_naming_topic_and_method(transport, ctxt):
    with pytest.raises(exception.MessagingTimeout) as info:
        fakes.EchoAPI(topic='nobody').call(ctxt, 'echo', timeout=0.2, value=1)
    message = str(info.value)
    assert 'nobody' in message and 'echo' in message and '0.2' in message
    assert info.value.kwargs['topic'] == 'nobody'


def test_call_timeout_defaults_to_rpc_response_timeout(transport, ctxt):
    rpc.CONF.set_override('rpc_response_timeout', 1)
    with pytest.raises(exception.MessagingTimeout) as info:
        fakes.EchoAPI(topic='nobody').echo(ctxt, 1)
    assert info.value.kwargs['timeout'] == 1


def test_late_reply_after_timeout_is_dropped(start_server, ctxt):
    _, endpoint = start_server('echo', 'host1')
    api = fakes.EchoAPI()
    with pytest.raises(exception.MessagingTimeout):
        api.call(ctxt, 'sleep', timeout=0.05, seconds=0.2)
    assert fakes.wait_for(lambda: endpoint.received == [0.2])
    assert api.echo(ctxt, 'next') == 'next'  # the late reply did not answer this call


def test_known_remote_exception_is_reraised_as_its_class(start_server, ctxt):
    start_server('echo', 'host7')
    with pytest.raises(exception.ServiceNotFound) as info:
        fakes.EchoAPI().call(ctxt, 'fail', kind='nova', message='s-1')
    assert str(info.value) == 'Service s-1 could not be found.'
    assert info.value.kwargs['service_id'] == 's-1'
    assert info.value.remote_host == 'host7'
    assert 'raise exception.ServiceNotFound' in info.value.remote_traceback


@pytest.mark.parametrize('kind,exc_type', [('value', 'ValueError'),
                                           ('local', 'tests.unit.rpc.fakes.LocalError')])
def test_unknown_remote_exception_is_remote_error(start_server, ctxt, kind, exc_type):
    start_server('echo', 'host7')
    with pytest.raises(exception.RemoteError) as info:
        fakes.EchoAPI().call(ctxt, 'fail', kind=kind, message='bad thing')
    assert info.value.exc_type == exc_type
    assert info.value.value == 'bad thing'
    assert info.value.host == 'host7'
    assert 'bad thing' in str(info.value) and 'host7' in str(info.value)


def test_server_rejects_unsupported_versions(start_server, ctxt):
    start_server('echo', 'host1')  # speaks 1.2
    for version in ('2.0', '1.3', '0.9'):
        with pytest.raises(exception.UnsupportedRPCVersion) as info:
            rpc.call(ctxt, 'echo', {'method': 'echo', 'args': {'value': 1},
                                    'version': version}, timeout=5)
        assert version in str(info.value) and '1.2' in str(info.value)
    assert rpc.call(ctxt, 'echo', {'method': 'echo', 'args': {'value': 1},
                                   'version': '1.1'}, timeout=5) == 1


def test_server_rejects_undeclared_methods(start_server, ctxt):
    start_server('echo', 'host1')
    for method in ('undeclared', '__init__', 'nonexistent'):
        with pytest.raises(exception.UnknownRPCMethod) as info:
            rpc.call(ctxt, 'echo', {'method': method, 'args': {}, 'version': '1.0'},
                     timeout=5)
        assert method in str(info.value)


def test_call_from_inside_a_dispatch_gets_its_reply(start_server, ctxt):
    start_server('echo', 'host1')
    start_server('backend', 'host2')
    assert fakes.EchoAPI().call(ctxt, 'relay', topic='backend', value=3) == {
        'via': 'host1', 'result': 3}


def test_full_pool_queues_messages_instead_of_blocking_the_sender(start_server, ctxt):
    rpc.CONF.set_override('rpc_thread_pool_size', 1)
    _, endpoint = start_server('echo', 'host1')
    api = fakes.EchoAPI()
    for _ in range(3):
        api.cast(ctxt, 'sleep', seconds=0.2)
    assert endpoint.received == []  # no cast waited for a free dispatch thread
    assert fakes.wait_for(lambda: len(endpoint.received) == 3)
    assert api.echo(ctxt, 'still answering') == 'still answering'


def test_unserializable_result_is_reported_to_the_caller(start_server, ctxt):
    class Odd(fakes.Endpoint):
        def echo(self, context, value):
            return object()

    start_server('echo', 'host1', endpoint=Odd('host1'))
    with pytest.raises(exception.RemoteError) as info:
        fakes.EchoAPI().echo(ctxt, 1)
    assert info.value.exc_type == 'TypeError'


def test_stop_finishes_in_flight_dispatches(start_server, ctxt):
    server, endpoint = start_server('echo', 'host1')
    api = fakes.EchoAPI()
    api.cast(ctxt, 'sleep', seconds=0.3)
    assert fakes.wait_for(lambda: endpoint.running == 1)
    server.stop()
    api.record(ctxt, 'after stop')
    assert server.wait(5) is True
    assert endpoint.received == [0.3]  # finished; the later cast waits for another consumer


def test_wait_is_bounded(start_server, ctxt):
    server, endpoint = start_server('echo', 'host1')
    fakes.EchoAPI().cast(ctxt, 'sleep', seconds=0.5)
    assert fakes.wait_for(lambda: endpoint.running == 1)
    server.stop()
    assert server.wait(0.1) is False
    assert server.wait(5) is True


def test_restarted_server_gets_casts_queued_while_stopped(start_server, ctxt):
    server, endpoint = start_server('echo', 'host1')
    server.stop()
    fakes.EchoAPI().record(ctxt, 'queued')
    eventlet.sleep(0.05)
    assert endpoint.received == []
    server.start()
    assert fakes.wait_for(lambda: endpoint.received == ['queued'])
