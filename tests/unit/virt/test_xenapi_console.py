"""XenAPI console output while the VM reboots (the domain it read may be gone) and on a
host without the console plugin."""
import pytest

from nova import exception
from tests.unit.virt import xenapi_backend
from tests.unit.virt.fixtures import make_instance

GONE = ['XENAPI_PLUGIN_FAILURE', 'get_console_log', 'IOError', 'No console log for domain 1']


@pytest.fixture
def running():
    driver = xenapi_backend.make('host1')
    instance = make_instance(host='host1')
    driver.spawn(None, instance, {'id': instance.image_ref}, network_info=[])
    return driver, instance


def test_a_domain_gone_between_reads_is_asked_for_again(running):
    driver, instance = running
    xenapi_backend.server().xapi.injections.add('host.call_plugin', GONE, 1)
    assert instance.hostname in driver.get_console_output(None, instance)


def test_a_plugin_that_keeps_failing_is_an_error(running):
    driver, instance = running
    xenapi_backend.server().xapi.injections.add('host.call_plugin', GONE, 2)
    with pytest.raises(exception.XenAPIFailure):
        driver.get_console_output(None, instance)


def test_a_host_without_the_console_plugin_is_a_clear_not_found(running):
    driver, instance = running
    xenapi_backend.server().xapi.injections.add('host.call_plugin',
                                                ['XENAPI_MISSING_PLUGIN', 'console'], 1)
    with pytest.raises(exception.ConsoleNotAvailable) as missing:
        driver.get_console_output(None, instance)
    assert missing.value.code == 404 and '/etc/xapi.d/plugins/console' in str(missing.value)
