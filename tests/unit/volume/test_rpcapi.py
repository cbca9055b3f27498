"""The volume RPC client: delete_volume tells the host whether to look for snapshots
(1.2), and a client pinned to 1.1 sends the older message, which a host of either
version reads as 'look for them'."""
import inspect
import types

import pytest

from nova import context
from nova import rpc
from nova.volume import rpcapi
from nova.volume.manager import VolumeManager

CTXT = context.RequestContext('u', 'p', overwrite=False)
VOLUME = types.SimpleNamespace(uuid='vol-1', host='vhost')


@pytest.fixture
def sent(monkeypatch):
    messages = []
    monkeypatch.setattr(rpc, 'cast', lambda ctxt, topic, msg: messages.append((topic, msg)))
    return messages


def test_delete_volume_says_whether_to_cascade(sent):
    rpcapi.VolumeAPI().delete_volume(CTXT, VOLUME, cascade=False)
    assert sent == [('volume.vhost', {'method': 'delete_volume', 'version': '1.2',
                                      'args': {'volume_id': 'vol-1', 'cascade': False}})]


def test_a_client_pinned_to_1_1_sends_the_old_delete(sent):
    rpcapi.VolumeAPI(version_cap='1.1').delete_volume(CTXT, VOLUME, cascade=False)
    assert sent == [('volume.vhost', {'method': 'delete_volume', 'version': '1.1',
                                      'args': {'volume_id': 'vol-1'}})]


def test_the_manager_cascades_when_not_told():
    parameter = inspect.signature(VolumeManager.delete_volume).parameters['cascade']
    assert parameter.default is True


def test_remove_export_is_a_cast_a_1_2_host_is_not_sent(sent):
    rpcapi.VolumeAPI().remove_export(CTXT, VOLUME)
    rpcapi.VolumeAPI(version_cap='1.2').remove_export(CTXT, VOLUME)
    assert sent == [('volume.vhost', {'method': 'remove_export', 'version': '1.3',
                                      'args': {'volume_id': 'vol-1'}})]
