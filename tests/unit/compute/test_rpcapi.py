"""Every compute RPC method is declared: a client method of its own name that sends
exactly what the manager's method of that name accepts, at the version that
added it; no method name travels as an argument."""
import inspect
import types

import pytest

from nova import context
from nova import exception
from nova import rpc
from nova.compute import rpcapi
from nova.compute.host.manager import ComputeManager
from nova.conf import CONF

CTXT = context.RequestContext('u', 'p', overwrite=False)
INSTANCE = types.SimpleNamespace(uuid='uuid-1', host='host-a')
DECLARED = sorted(set(rpcapi.ComputeAPI.METHODS) - {'ping'})


@pytest.fixture
def sent(monkeypatch):
    messages = []

    def record(kind):
        def send(ctxt, topic, msg, timeout=None):
            messages.append((kind, topic, msg))
        return send

    for kind in ('call', 'cast', 'fanout_cast'):
        monkeypatch.setattr(rpc, kind, record(kind))
    return messages


def _arguments(method):
    """Sample arguments for every parameter of a client method."""
    args = {}
    for name in list(inspect.signature(method).parameters)[1:]:  # after ctxt
        args[name] = INSTANCE if name == 'instance' else True if name == 'cast' else name
    return args


def test_no_generic_sender_is_left():
    for name in ('instance_action', 'to_host', 'call_host'):
        assert not hasattr(rpcapi.ComputeAPI, name)


@pytest.mark.parametrize('name', DECLARED)
def test_each_method_sends_what_the_manager_accepts(sent, name):
    client = rpcapi.ComputeAPI()
    getattr(client, name)(CTXT, **_arguments(getattr(client, name)))
    [(kind, topic, message)] = sent
    assert message['method'] == name
    assert message['version'] == rpcapi.ComputeAPI.METHODS[name]
    # always to one host, or to every host (a fanout)
    assert topic.startswith(CONF.compute_topic + '.') or (
        kind == 'fanout_cast' and topic == CONF.compute_topic)
    served = inspect.signature(getattr(ComputeManager, name))
    served.bind(None, CTXT, **message['args'])  # TypeError if they disagree


def test_instance_methods_go_to_the_instance_host(sent):
    rpcapi.ComputeAPI().stop_instance(CTXT, INSTANCE)
    assert sent == [('cast', 'compute.host-a', {'method': 'stop_instance', 'version': '1.0',
                                                'args': {'instance_uuid': 'uuid-1'}})]


def test_confirm_resize_waits_when_asked(sent):
    client = rpcapi.ComputeAPI()
    client.confirm_resize(CTXT, 'src', 'uuid-1', migration_id=3)
    client.confirm_resize(CTXT, 'src', 'uuid-1', migration_id=3, cast=False)
    assert [kind for kind, _, _ in sent] == ['cast', 'call']


def test_the_pin_keeps_newer_methods_from_older_computes(sent):
    CONF.set_override('upgrade_levels_compute', '1.1')
    client = rpcapi.ComputeAPI()
    client.rebuild_instance(CTXT, INSTANCE)                        # 1.1
    with pytest.raises(exception.UnsupportedRPCVersion) as refused:
        client.get_host_uptime(CTXT, 'host-a')                     # 1.2
    assert refused.value.code == 409
    assert [m['method'] for _, _, m in sent] == ['rebuild_instance']
