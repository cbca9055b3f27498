"""Volume placement: capacity (thick and thin), backend names, zones, service state,
claims between reports, and NoValidHost saying which filter removed what."""
import datetime

import pytest

from nova import exception
from nova import utils
from nova.conf import CONF
from nova.scheduler.volume_hosts import VolumeHostManager, VolumeRequest
from nova.scheduler.volume_scheduler import VolumeScheduler


def report(total=100, free=100, provisioned=0, thin=False, **values):
    stats = {'total_capacity_gb': total, 'free_capacity_gb': free,
             'provisioned_capacity_gb': provisioned, 'thin_provisioning_support': thin,
             'max_over_subscription_ratio': 20.0 if thin else 1.0, 'reserved_percentage': 0,
             'availability_zone': 'nova', 'volume_backend_name': '',
             'updated_at': utils.utcnow().isoformat()}
    stats.update(values)
    return stats


def hosts(**reports):
    manager = VolumeHostManager()
    manager.sync_services([{'host': host, 'is_up': True, 'disabled': False,
                            'forced_down': False} for host in reports])
    for host, stats in reports.items():
        manager.update_from_report(host, stats)
    return manager


def place(manager, size, **spec):
    return VolumeScheduler(manager).select_host(VolumeRequest(size=size, **spec))


def test_the_host_with_most_room_wins_and_claims_it():
    manager = hosts(a=report(free=50), b=report(free=80))
    assert place(manager, 20) == 'b'   # 80 -> 60 free
    assert place(manager, 20) == 'b'   # 60 -> 40: now a has more
    assert place(manager, 20) == 'a'
    CONF.set_override('capacity_weight_multiplier', -1.0)
    assert place(manager, 1) == 'a'    # stacking: the fullest first (30 free, b 40)


def test_thick_hosts_need_free_space_thin_ones_an_over_subscription_margin():
    manager = hosts(thick=report(total=10, free=5))
    with pytest.raises(exception.NoValidHost, match='CapacityFilter removed 1'):
        place(manager, 6)
    manager = hosts(thin=report(total=10, free=5, provisioned=190, thin=True))
    assert place(manager, 10) == 'thin'  # 200 GiB at ratio 20
    with pytest.raises(exception.NoValidHost, match='CapacityFilter removed 1'):
        place(manager, 1)
    manager = hosts(full=report(total=10, free=0, thin=True))
    with pytest.raises(exception.NoValidHost):
        place(manager, 1)


def test_reserved_percentage_is_kept_free():
    manager = hosts(a=report(total=100, free=20, reserved_percentage=15))
    assert place(manager, 5) == 'a'
    with pytest.raises(exception.NoValidHost):
        place(manager, 1)


def test_zone_and_backend_name_and_service_state():
    manager = hosts(a=report(availability_zone='az1', volume_backend_name='fast'),
                    b=report(availability_zone='az2', volume_backend_name='slow'))
    assert place(manager, 1, availability_zone='az2') == 'b'
    assert place(manager, 1, extra_specs={'volume_backend_name': 'fast'}) == 'a'
    with pytest.raises(exception.NoValidHost) as raised:
        place(manager, 1, availability_zone='az2', extra_specs={'volume_backend_name': 'fast'})
    assert 'AvailabilityZoneFilter removed 1' in str(raised.value)
    assert 'CapabilitiesFilter removed 1' in str(raised.value)
    manager.update_service({'host': 'b', 'is_up': False, 'disabled': False})
    with pytest.raises(exception.NoValidHost, match='service down, disabled or excluded'):
        place(manager, 1, availability_zone='az2')
    assert place(manager, 1, ignore_hosts=[]) == 'a'


def test_a_report_keeps_the_claims_made_after_it():
    manager = hosts(a=report(total=10, free=10))
    place(manager, 6)
    stale = report(total=10, free=10, updated_at='2000-01-01T00:00:00Z')
    assert manager.update_from_report('a', stale) is False  # older than what we have
    before = utils.utcnow() - datetime.timedelta(seconds=5)
    state = manager.get_all_host_states()[0]
    state.updated = before - datetime.timedelta(seconds=5)
    manager.update_from_report('a', report(total=10, free=10,
                                           updated_at=before.strftime('%Y-%m-%dT%H:%M:%SZ')))
    assert state.free_capacity_gb == 4  # the claim is newer than the report
    manager.update_from_report('a', report(total=10, free=4))
    assert state.free_capacity_gb == 4  # now the report counts it


def test_a_host_seen_down_is_placed_on_again_once_its_service_is_read_up():
    """The scheduler re-reads the service row of a host it saw down when that host
    reports (a restarted nova-volume): until then service_seen_up says to."""
    manager = hosts(a=report())
    assert manager.service_seen_up('a') and not manager.service_seen_up('new')
    manager.sync_services([{'host': 'a', 'is_up': False, 'disabled': False}])
    assert not manager.service_seen_up('a')
    with pytest.raises(exception.NoValidHost, match='service down'):
        place(manager, 1)
    manager.update_service({'host': 'a', 'is_up': True, 'disabled': False})
    assert manager.service_seen_up('a') and place(manager, 1) == 'a'
