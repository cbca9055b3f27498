"""Rolling upgrade: an API pinned to an older compute RPC version (--upgrade_levels_compute)
still drives computes that speak the newer one, and sends nothing newer than its pin."""
import pytest

from nova import exception
from nova import rpc
from nova.compute import api as compute_api
from nova.compute import hosts, vm_states
from nova.conf import CONF
from nova.db import api as db


@pytest.fixture
def versions(monkeypatch):
    """(method, version) of every compute message this process sends."""
    seen = []
    for kind in ('call', 'cast'):
        real = getattr(rpc, kind)

        def send(ctx, topic, msg, *args, _real=real, **kwargs):
            if topic.split('.')[0] == CONF.compute_topic:
                seen.append((msg['method'], msg['version']))
            return _real(ctx, topic, msg, *args, **kwargs)
        monkeypatch.setattr(rpc, kind, send)
    return seen


def test_an_api_pinned_to_1_1_drives_1_2_computes(cloud, versions):
    CONF.set_override('upgrade_levels_compute', '1.1')
    api = compute_api.API()
    [instance] = cloud.boot(1)
    cloud.wait([instance.uuid], vm_states.ACTIVE)
    api.stop(cloud.ctx, api.get(cloud.ctx, instance.uuid))
    cloud.wait([instance.uuid], vm_states.STOPPED)
    api.start(cloud.ctx, api.get(cloud.ctx, instance.uuid))
    cloud.wait([instance.uuid], vm_states.ACTIVE)
    api.rebuild(cloud.ctx, api.get(cloud.ctx, instance.uuid), cloud.image['id'])  # 1.1
    cloud.wait([instance.uuid], vm_states.ACTIVE)
    api.delete(cloud.ctx, api.get(cloud.ctx, instance.uuid))
    cloud.wait_gone([instance.uuid])
    sent = {method for method, _ in versions}
    assert {'build_and_run_instances', 'stop_instance', 'start_instance',
            'rebuild_instance', 'terminate_instance'} <= sent
    assert all(version in ('1.0', '1.1') for _, version in versions), versions


def test_a_method_newer_than_the_pin_is_refused_before_it_is_sent(cloud, versions):
    service = db.service_get_by_host_and_binary(cloud.admin, 'h1', 'nova-compute')
    CONF.set_override('upgrade_levels_compute', '1.1')
    with pytest.raises(exception.UnsupportedRPCVersion) as refused:
        hosts.HostAPI().host_uptime(cloud.admin, service)   # added in 1.2
    assert refused.value.code == 409
    assert versions == []
    CONF.clear_override('upgrade_levels_compute')
    assert hosts.HostAPI().host_uptime(cloud.admin, service)  # unpinned: served
    assert versions == [('get_host_uptime', '1.2')]
