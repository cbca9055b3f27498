"""ImagePropertiesFilter and the canonical hardware names it relies on."""
import pytest

from nova.scheduler import hardware
from nova.scheduler.filters import image_props_filter
from tests.unit.scheduler import fakes
from tests.unit.scheduler.fakes import passes

FILTER = image_props_filter.ImagePropertiesFilter()


def image(**properties):
    return fakes.spec(image={'id': 'img', 'properties': properties})


@pytest.mark.parametrize('properties, ok', [
    ({}, True),
    ({'architecture': 'x86_64'}, True),
    ({'architecture': 'amd64', 'hypervisor_type': 'qemu', 'vm_mode': 'hvm'}, True),
    ({'hw_architecture': 'x86_64', 'img_hv_type': 'QEMU', 'hw_vm_mode': 'hv'}, True),
    ({'architecture': 'aarch64'}, False),
    ({'hypervisor_type': 'xen'}, False),
    ({'vm_mode': 'exe'}, False),
    ({'hypervisor_version_requires': '>=6.0,<7'}, True),
    ({'hypervisor_version_requires': '>=6.3'}, False),
    ({'architecture': 'x86_64', 'hypervisor_version_requires': '==6.2'}, True),
])
def test_image_against_a_qemu_x86_64_host(properties, ok):
    state = fakes.host_state(hypervisor_type='QEMU', hypervisor_version=6002000,
                             cpu_info='{"arch": "x86_64"}')
    assert passes(FILTER, state, image(**properties)) is ok


def test_a_host_advertising_nothing_only_takes_images_asking_nothing():
    state = fakes.host_state(hypervisor_type=None, cpu_info=None)
    assert passes(FILTER, state, image())
    assert not passes(FILTER, state, image(architecture='x86_64'))


def test_any_supported_triple_will_do():
    state = fakes.host_state(supported_instances=[['x86_64', 'xen', 'xen'],
                                                  ['x86_64', 'xen', 'hvm']])
    assert passes(FILTER, state, image(vm_mode='pv', hypervisor_type='xapi'))
    assert passes(FILTER, state, image(vm_mode='hvm'))
    assert not passes(FILTER, state, image(vm_mode='exe'))


def test_a_malformed_version_requirement_is_ignored():
    state = fakes.host_state()
    assert passes(FILTER, state, image(hypervisor_version_requires='about six'))


def test_hardware_helpers():
    assert hardware.version_tuple(6002001) == (6, 2, 1)
    assert hardware.version_tuple('4.10') == (4, 10)
    checks = hardware.parse_version_predicate('>=4.2, !=4.5')
    assert hardware.version_satisfies('4.10', checks)
    assert not hardware.version_satisfies('4.5.0', checks)
    assert not hardware.version_satisfies((4, 1), checks)
    with pytest.raises(ValueError):
        hardware.parse_version_predicate('~4')
    assert hardware.supported_instances(None, 'x86_64', 'lxc') == (('x86_64', 'lxc', 'exe'),)


def test_many_hosts_of_a_few_kinds():
    kinds = [fakes.host_state('a'), fakes.host_state('b', hypervisor_type='xen'),
             fakes.host_state('c', hypervisor_version=5000000), fakes.host_state('d')]
    spec = image(hypervisor_type='qemu', hypervisor_version_requires='>=6')
    assert [h.host for h in FILTER.filter_all(kinds, spec)] == ['a', 'd']
