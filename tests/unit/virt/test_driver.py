"""The ComputeDriver base class and the --compute_driver loader."""
import pytest

import nova.conf
from nova import exception
from nova.virt import driver as virt_driver
from nova.virt import fake
from tests.unit.virt.fixtures import make_instance

CONF = nova.conf.CONF


class MinimalDriver(virt_driver.ComputeDriver):
    """Only the abstract methods: every optional action must refuse, not succeed."""

    def init_host(self, host):
        pass

    def get_available_nodes(self):
        return [self.host]

    def get_available_resource(self, nodename):
        return {}

    def spawn(self, context, instance, image_meta, injected_files=None, admin_password=None,
              network_info=None, block_device_info=None):
        pass

    def destroy(self, context, instance, network_info=None, block_device_info=None,
                destroy_disks=True):
        pass

    def reboot(self, context, instance, network_info, reboot_type):
        pass

    def power_off(self, instance, timeout=0, retry_interval=0):
        pass

    def power_on(self, context, instance, network_info=None):
        pass

    def get_info(self, instance):
        return virt_driver.InstanceInfo(state=1)

    def list_instances(self):
        return []

    def list_instance_uuids(self):
        return ['known']


def test_the_interface_is_abstract():
    with pytest.raises(TypeError):
        virt_driver.ComputeDriver('host1')


def test_base_capabilities_are_all_off():
    assert set(virt_driver.ComputeDriver.capabilities) == set(virt_driver.CAPABILITIES)
    assert not any(virt_driver.ComputeDriver.capabilities.values())


@pytest.mark.parametrize('method', sorted(
    {m for methods in virt_driver.CAPABILITIES.values() for m in methods} | {'get_host_uptime'}))
def test_base_optional_methods_refuse(method):
    drv = MinimalDriver('host1')
    func = getattr(drv, method)
    nargs = func.__code__.co_argcount - 1 - len(func.__defaults__ or ())
    with pytest.raises(exception.NotSupportedByDriver) as info:
        func(*[None] * nargs)
    assert info.value.code == 409
    assert 'Action %s is not supported by the MinimalDriver virt driver.' % method == str(
        info.value)


def test_instance_exists_defaults_to_the_uuid_list():
    drv = MinimalDriver('host1')
    assert drv.instance_exists(make_instance(uuid='known'))
    assert not drv.instance_exists(make_instance(uuid='other'))


def test_require_checks_the_class_flags():
    fake.FakeDriver.require('supports_pause', 'pause')
    with pytest.raises(exception.NotSupportedByDriver):
        MinimalDriver.require('supports_pause', 'pause')
    with pytest.raises(ValueError, match='supports_teleport'):
        fake.FakeDriver.require('supports_teleport', 'teleport')


def test_unknown_capability_in_a_driver_is_a_type_error():
    with pytest.raises(TypeError, match='supports_teleport'):
        type('Bad', (MinimalDriver,), {'capabilities': {'supports_teleport': True}})


def _declared(**claims):
    return dict(dict.fromkeys(virt_driver.CAPABILITIES, False), **claims)


def test_a_driver_declaring_capabilities_decides_every_one():
    partial = {'supports_pause': False}
    with pytest.raises(TypeError, match='does not say whether.*supports_resize'):
        type('Partial', (MinimalDriver,), {'capabilities': partial})
    type('Complete', (MinimalDriver,), {'capabilities': _declared()})


def test_a_driver_cannot_claim_what_it_does_not_implement():
    with pytest.raises(TypeError, match='claims supports_pause but does not implement '
                                        'pause, unpause'):
        type('Boastful', (MinimalDriver,), {'capabilities': _declared(supports_pause=True)})

    def pause(self, instance):
        pass
    with pytest.raises(TypeError, match='does not implement unpause'):
        type('Half', (MinimalDriver,), {'capabilities': _declared(supports_pause=True),
                                        'pause': pause})
    honest = type('Honest', (MinimalDriver,), {
        'capabilities': _declared(supports_pause=True, supports_shelve=True),
        'pause': pause, 'unpause': pause})
    honest.require('supports_pause', 'pause')


@pytest.mark.parametrize('name', ['fake.FakeDriver', 'libvirt.LibvirtDriver',
                                  'xenapi.XenAPIDriver'])
def test_every_shipped_driver_declares_honestly(name):
    """Importing is the check (__init_subclass__); the table is whole."""
    cls = virt_driver.compute_driver_class(name)
    assert set(cls.capabilities) == set(virt_driver.CAPABILITIES)


def test_instance_info_defaults():
    info = virt_driver.InstanceInfo(state=4)
    assert (info.state, info.mem_kb, info.num_cpu, info.id) == (4, 0, 0, None)


# --- loader ---

def test_default_is_the_fake_driver():
    drv = virt_driver.load_compute_driver('host1')
    assert type(drv) is fake.FakeDriver and drv.host == 'host1'


@pytest.mark.parametrize('name', ['fake.FakeDriver', 'nova.virt.fake.FakeDriver'])
def test_relative_and_full_names(name):
    assert virt_driver.compute_driver_class(name) is fake.FakeDriver
    assert type(virt_driver.load_compute_driver('h', name)) is fake.FakeDriver


def test_the_flag_chooses_the_driver():
    CONF.set_override('compute_driver', 'tests.unit.virt.test_driver.MinimalDriver')
    assert type(virt_driver.load_compute_driver('host1')) is MinimalDriver


@pytest.mark.parametrize('name,reason', [
    ('nosuch.Driver', 'No module named'),
    ('fake.NoSuchDriver', 'NoSuchDriver'),
    ('FakeDriver', 'expected module.Class'),
    ('fake.', 'expected module.Class'),
    ('json.JSONDecoder', 'is not a ComputeDriver'),
    ('nova.utils.utcnow', 'is not a ComputeDriver'),
])
def test_bad_names_are_a_clear_error(name, reason):
    with pytest.raises(exception.ComputeDriverNotFound) as info:
        virt_driver.load_compute_driver('host1', name)
    message = str(info.value)
    assert message.startswith('Cannot load compute driver %s: ' % name)
    assert reason in message
