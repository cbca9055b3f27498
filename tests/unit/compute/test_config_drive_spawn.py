"""Which spawns get a config drive (nova.compute.host.config_drive), and that a
driver without config drives refuses one instead of booting the guest without it."""
import types

import pytest

from nova import exception
from nova.compute.host import config_drive
from nova.conf import CONF
from nova.virt import fake

xenapi_driver = pytest.importorskip('nova.virt.xenapi.driver')


def test_no_drive_asked_or_forced_builds_nothing():
    instance = types.SimpleNamespace(uuid='u-1', config_drive='')
    assert config_drive.for_spawn(None, xenapi_driver.XenAPIDriver, None, instance, []) is None


def test_a_driver_without_config_drives_refuses_one_asked_or_forced():
    asked = types.SimpleNamespace(uuid='u-1', config_drive='True')
    with pytest.raises(exception.NotSupportedByDriver):
        config_drive.for_spawn(None, xenapi_driver.XenAPIDriver, None, asked, [])
    CONF.set_override('force_config_drive', True)
    try:
        with pytest.raises(exception.NotSupportedByDriver):
            config_drive.for_spawn(None, xenapi_driver.XenAPIDriver, None,
                                   types.SimpleNamespace(uuid='u-2', config_drive=''), [])
    finally:
        CONF.clear_override('force_config_drive')
    assert fake.FakeDriver.capabilities['supports_config_drive']
