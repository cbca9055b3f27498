"""The libvirt driver on libvirt's own test driver (test:///<node file>): no daemon.

Each connection to a ``test:///<file>`` URI starts from that file's node
description with no domains, so every driver made here has a private
hypervisor. Disks are real (qemu-img makes them under --instances_path, a
temporary directory); domains are libvirt's bookkeeping only: no QEMU runs,
so nothing writes a console log and devices cannot be hot-plugged (the test
driver does not implement it). Those checks are proven on real QEMU by
tests/integration/test_libvirt_*.
"""
import atexit
import os
import shutil
import tempfile

import pytest

import nova.conf

try:
    import libvirt
except ImportError:
    libvirt = None

CONF = nova.conf.CONF

NODE_XML = """<node>
  <cpu><mhz>2000</mhz><model>x86_64</model><nodes>1</nodes><sockets>1</sockets>
       <cores>8</cores><threads>1</threads><active>8</active></cpu>
  <memory>16777216</memory>
</node>
"""
# what the test driver cannot show, and why: the conformance checks skip these
BACKEND_LIMITS = {
    'supports_attach_volume': "libvirt's test driver cannot hot-plug devices",
    'supports_swap_volume': "libvirt's test driver cannot hot-plug devices or copy blocks",
    'supports_attach_interface': "libvirt's test driver cannot hot-plug devices",
    'supports_console_output': 'no QEMU runs under the test driver to write a console',
}

_scratch = None


def _scratch_dir():
    """A directory for this process: the node file and a 1 MiB raw base image."""
    global _scratch
    if _scratch is None:
        _scratch = tempfile.mkdtemp(prefix='nova-libvirt-test-')
        with open(os.path.join(_scratch, 'node.xml'), 'w') as f:
            f.write(NODE_XML)
        with open(os.path.join(_scratch, 'base.raw'), 'wb') as f:
            f.write(b'NOVA-GUEST-DISK v1\n')
            f.truncate(1024 * 1024)
        atexit.register(shutil.rmtree, _scratch, True)
    return _scratch


def base_image():
    return os.path.join(_scratch_dir(), 'base.raw')


def configure():
    """Flags that point the libvirt driver at a fresh test:/// hypervisor and a fresh
    instances_path (removed when the process ends)."""
    if libvirt is None:
        pytest.skip('libvirt-python is not installed (pip install -e ".[libvirt]")')
    if shutil.which('qemu-img') is None:
        pytest.skip('qemu-img is not installed (tools/install_deps.sh)')
    CONF.set_override('libvirt_uri', 'test://' + os.path.join(_scratch_dir(), 'node.xml'))
    CONF.set_override('libvirt_type', 'qemu')
    CONF.set_override('instances_path', tempfile.mkdtemp(prefix='instances-',
                                                         dir=_scratch_dir()))


def driver_class():
    from nova.virt.libvirt import driver

    class TestBackendLibvirtDriver(driver.LibvirtDriver):
        """Boots every instance from the small raw base when no cached image is given
        (what the compute manager's base image cache would pass)."""

        backend_limits = BACKEND_LIMITS

        @staticmethod
        def _with_image(image_meta):
            image_meta = dict(image_meta or {})
            if not image_meta.get('local_path'):
                image_meta.update(local_path=base_image(), disk_format='raw')
            return image_meta

        def spawn(self, context, instance, image_meta, *args, **kwargs):
            super().spawn(context, instance, self._with_image(image_meta), *args, **kwargs)

        def rescue(self, context, instance, network_info, image_meta, rescue_password):
            super().rescue(context, instance, network_info, self._with_image(image_meta),
                           rescue_password)

    return TestBackendLibvirtDriver
