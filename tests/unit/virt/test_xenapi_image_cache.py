"""The XenAPI driver's image cache in the SR: base VDIs no instance uses are removed
after --remove_unused_base_images_age; clones of them live on."""
import time

import nova.conf
from tests.unit.virt import xenapi_backend
from tests.unit.virt.fixtures import make_instance

CONF = nova.conf.CONF


def _cached(driver):
    return driver.ops[1]._cached_vdis()


def test_unused_bases_go_after_the_age_and_used_ones_stay():
    CONF.set_override('remove_unused_base_images_age', 3600)
    driver = xenapi_backend.make('host1')
    instance = make_instance(host='host1', image_ref=xenapi_backend.IMAGES[0])
    driver.spawn(None, instance, {'id': instance.image_ref}, network_info=[])
    assert set(_cached(driver)) == set(xenapi_backend.IMAGES)
    unused = xenapi_backend.IMAGES[1]

    later = time.time() + 3601
    assert driver.remove_unused_images([instance.image_ref]) == []  # not old enough
    assert driver.ops[1].remove_unused({instance.image_ref}, now=later) == [unused]
    assert set(_cached(driver)) == {instance.image_ref}
    # the instance in use keeps its base, however old
    assert driver.ops[1].remove_unused({instance.image_ref}, now=later + 7200) == []

    # a base no longer used goes; the instance's own disk (a clone) stays and runs
    assert driver.ops[1].remove_unused(set(), now=later + 7200 + 3600) == [instance.image_ref]
    assert _cached(driver) == {}
    assert driver.get_info(instance).state == 1
    driver.reboot(None, instance, [], 'HARD')
    assert driver.get_info(instance).state == 1


def test_a_base_first_seen_unused_is_kept_for_the_age():
    """After a restart the driver cannot know when a base was last used: it counts
    from when it first sees it, never removing sooner than the age allows."""
    CONF.set_override('remove_unused_base_images_age', 3600)
    driver = xenapi_backend.make('host1')
    fresh = type(driver.ops[1])(driver.session, driver.ops[1].sr_ref)  # a restarted driver
    assert fresh.remove_unused(set()) == []
    assert sorted(fresh.remove_unused(set(), now=time.time() + 3601)) == \
        sorted(xenapi_backend.IMAGES)
