"""The fake driver's counters: a load profile, integrated while the guest runs."""
import types

import pytest

from nova.conf import CONF
from nova.compute import power_state
from nova.virt import fake, fake_guest


class Clock:
    now = 1_800_000_000.0

    def time(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(fake.time, 'time', clock.time)
    monkeypatch.setattr(fake_guest.time, 'time', clock.time)
    fake.reset()
    yield clock
    fake.reset()


def _instance(uuid='u1', vcpus=2, load=None):
    return types.SimpleNamespace(uuid=uuid, name='instance-1', vcpus=vcpus, memory_mb=512,
                                 root_gb=1, metadata_dict={'fake_load': load} if load else {})


def test_counters_follow_the_profile_while_running(clock):
    CONF.set_override('fake_load_profile', 'cpu=50,disk_read=100,net_in=1000,net_out_packets=3')
    drv = fake.FakeDriver('h1')
    inst = _instance(load='cpu=10')
    drv.spawn(None, inst, {}, network_info=[{'id': 'vif-a'}, {'id': 'vif-b'}])
    drv.get_instance_stats([inst])
    clock.now += 100
    stats = drv.get_instance_stats([inst, _instance('not-here')])
    assert list(stats) == ['u1']
    s = stats['u1']
    assert s.read_at == clock.now and s.vcpus == 2
    assert s.cpu_time_ns == int(0.10 * 2 * 100 * 1e9)  # the metadata's cpu wins
    assert s.disk_read_bytes == 100 * 100 and s.disk_write_bytes == 0
    assert [(v.id, v.rx_bytes, v.tx_packets) for v in s.vifs] == [
        ('vif-a', 100_000, 300), ('vif-b', 100_000, 300)]  # per interface
    fake.set_power_state('h1', 'u1', power_state.SHUTDOWN)
    drv.get_instance_stats([inst])
    clock.now += 100
    assert drv.get_instance_stats([inst])['u1'] == fake_guest.stats(
        fake._host('h1').guests['u1'])  # a stopped guest's counters stand still
    assert drv.get_instance_stats([inst])['u1'].disk_read_bytes == 10_000


@pytest.mark.parametrize('text', ['cpu', 'cpu=x', 'cpu=-1', 'gpu=3', 'cpu=nan'])
def test_a_bad_profile_is_named(text):
    with pytest.raises(ValueError, match='load profile'):
        fake_guest.parse_load(text)


def test_a_bad_metadata_profile_falls_back_to_the_flag(clock):
    CONF.set_override('fake_load_profile', 'cpu=50')
    drv = fake.FakeDriver('h1')
    inst = _instance(vcpus=1, load='cpu=lots')
    drv.spawn(None, inst, {})
    drv.get_instance_stats([inst])
    clock.now += 10
    assert drv.get_instance_stats([inst])['u1'].cpu_time_ns == int(0.5 * 10 * 1e9)
