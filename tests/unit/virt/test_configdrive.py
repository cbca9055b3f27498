"""Config drive images (nova.virt.configdrive): what a guest's agent finds by the
label config-2, read back with pycdlib as the guest's kernel would mount it."""
import io
import types

import pycdlib
import pytest

from nova.conf import CONF
from nova.virt import configdrive


def read_iso(data):
    """(volume label, {Rock Ridge path: bytes}) of an ISO image."""
    iso = pycdlib.PyCdlib()
    iso.open_fp(io.BytesIO(data))
    try:
        label = iso.pvd.volume_identifier.decode().strip()
        files = {}
        for directory, _, names in iso.walk(rr_path='/'):
            for name in names:
                path = (directory.rstrip('/') + '/' + name).lstrip('/')
                out = io.BytesIO()
                iso.get_file_from_iso_fp(out, rr_path='/' + path)
                files[path] = out.getvalue()
        assert iso.has_joliet()
        return label, files
    finally:
        iso.close()


def test_the_image_is_labelled_config_2_and_keeps_names_and_bytes():
    files = {'openstack/latest/meta_data.json': b'{"uuid": "u-1"}',
             'openstack/2012-08-10/user_data': bytes(range(256)),
             'ec2/latest/meta-data.json': b'{}'}
    label, found = read_iso(configdrive.make_iso(files))
    assert label == 'config-2'
    assert found == files


@pytest.mark.parametrize('path', ['/etc/passwd', '../x', 'a/../../x', 'a//b', ''])
def test_paths_that_would_leave_the_tree_are_refused(path):
    with pytest.raises(ValueError, match='bad config drive path'):
        configdrive.make_iso({path: b'x'})


def test_an_instance_gets_a_drive_when_it_asks_or_the_host_forces_one():
    asked, plain = types.SimpleNamespace(config_drive='True'), types.SimpleNamespace(
        config_drive='')
    assert configdrive.required(asked) and not configdrive.required(plain)
    CONF.set_override('force_config_drive', True)
    try:
        assert configdrive.required(plain)
    finally:
        CONF.clear_override('force_config_drive')
