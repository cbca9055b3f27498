"""RPCAPI: declared methods, the version each message carries, version caps."""
import pytest

from nova import context
from nova import exception
from nova import rpc
from nova.conf import CONF
from tests.unit.rpc import fakes


@pytest.fixture
def sent(monkeypatch):
    """What the client hands to nova.rpc, without a transport."""
    messages = []

    def record(kind):
        def send(ctxt, topic, msg, timeout=None):
            messages.append((kind, topic, msg, timeout))
            return 'result'
        return send

    for kind in ('call', 'cast', 'fanout_cast'):
        monkeypatch.setattr(rpc, kind, record(kind))
    return messages


CTXT = context.RequestContext('u', 'p', overwrite=False)


def test_subclass_methods_include_ping():
    class SchedulerAPI(rpc.RPCAPI):
        TOPIC = 'scheduler'
        METHODS = {'select_destinations': '1.0'}

    assert SchedulerAPI.METHODS == {'ping': '1.0', 'select_destinations': '1.0'}
    assert rpc.RPCAPI.METHODS == {'ping': '1.0'}


def test_methods_accumulate_down_the_hierarchy():
    class V1(rpc.RPCAPI):
        TOPIC = 't'
        METHODS = {'a': '1.0'}

    class V2(V1):
        VERSION = '1.1'
        METHODS = {'b': '1.1'}

    assert V2.METHODS == {'ping': '1.0', 'a': '1.0', 'b': '1.1'}
    assert V1.METHODS == {'ping': '1.0', 'a': '1.0'}


@pytest.mark.parametrize('version,methods', [
    ('1.0', {'a': '1.1'}),          # newer than the interface
    ('1.0', {'_private': '1.0'}),
    ('1.0', {'a': 'one'}),
    ('2.0', {'a': '2.0'}),          # ping is still 1.0: a 2.0 server would refuse it
])
def test_bad_declarations_fail_at_class_creation(version, methods):
    with pytest.raises((TypeError, ValueError)):
        type('BadAPI', (rpc.RPCAPI,), {'TOPIC': 't', 'VERSION': version, 'METHODS': methods})


def test_major_bump_redeclares_methods():
    class V2(rpc.RPCAPI):
        TOPIC = 't'
        VERSION = '2.1'
        METHODS = {'ping': '2.0', 'a': '2.1'}

    assert V2.METHODS == {'ping': '2.0', 'a': '2.1'}


def test_message_carries_the_version_of_its_method(sent):
    api = fakes.EchoAPI()
    assert api.call(CTXT, 'relay', topic='x', value=1) == 'result'
    api.cast(CTXT, 'record', value=2)
    api.fanout_cast(CTXT, 'echo', value=3)
    assert sent == [
        ('call', 'echo', {'method': 'relay', 'args': {'topic': 'x', 'value': 1},
                          'version': '1.2'}, None),
        ('cast', 'echo', {'method': 'record', 'args': {'value': 2}, 'version': '1.0'}, None),
        ('fanout_cast', 'echo', {'method': 'echo', 'args': {'value': 3},
                                 'version': '1.0'}, None),
    ]


def test_server_and_topic_routing(sent):
    api = fakes.EchoAPI(topic='echo2')
    api.ping(CTXT, server='hostA', arg=1)
    api.call(CTXT, 'echo', timeout=3, value=1)
    assert [(topic, timeout) for _, topic, _, timeout in sent] == [
        ('echo2.hostA', None), ('echo2', 3)]
    assert sent[0][2] == {'method': 'ping', 'args': {'arg': 1}, 'version': '1.0'}


def test_version_cap_refuses_newer_methods_locally(sent):
    api = fakes.EchoAPI(version_cap='1.1')
    assert api.call(CTXT, 'sleep', seconds=0) == 'result'  # added in 1.1
    with pytest.raises(exception.UnsupportedRPCVersion) as info:
        api.call(CTXT, 'relay', topic='x', value=1)  # added in 1.2
    assert 'relay' in str(info.value) and '1.1' in str(info.value)
    assert len(sent) == 1


def test_undeclared_method_is_refused_locally(sent):
    with pytest.raises(exception.UnknownRPCMethod):
        fakes.EchoAPI().cast(CTXT, 'undeclared')
    assert sent == []


def test_a_topic_is_required():
    class NoTopicAPI(rpc.RPCAPI):
        METHODS = {}

    with pytest.raises(ValueError):
        NoTopicAPI()
    assert NoTopicAPI(topic='t').topic == 't'


def test_upgrade_levels_flag_pins_clients_of_its_topic(sent):
    class ComputeLikeAPI(rpc.RPCAPI):
        TOPIC = 'compute'
        VERSION = '1.2'
        METHODS = {'old': '1.0', 'new': '1.2'}

    CONF.set_override('upgrade_levels_compute', '1.1')
    api = ComputeLikeAPI()
    assert api.version_cap == '1.1'
    assert api.can_send_version('1.1') and not api.can_send_version('1.2')
    api.cast(CTXT, 'old')
    with pytest.raises(exception.UnsupportedRPCVersion):
        api.cast(CTXT, 'new')
    assert [msg['method'] for _, _, msg, _ in sent] == ['old']
    assert ComputeLikeAPI(version_cap='1.2').can_send_version('1.2')  # an explicit cap wins
    CONF.clear_override('upgrade_levels_compute')
    assert ComputeLikeAPI().version_cap is None


def test_a_pin_in_another_major_version_is_a_config_error():
    with pytest.raises(exception.ConfigError):
        fakes.EchoAPI(version_cap='2.0')


def test_upgrade_levels_flags_must_be_versions():
    with pytest.raises(ValueError):
        CONF.set_override('upgrade_levels_compute', 'liberty')
