"""nova-manage bootstrap image: a cloud of separate daemons gets the image nova-all's
first start registers (uploaded to the store, checksummed), once."""
import hashlib
import os

from nova.image import service as image_service
from tests.harness import daemons


def test_bootstrap_image_registers_the_builtin_image_once(tmp_path):
    flagfile = daemons.write_flagfile(
        str(tmp_path / 'nova.flags'), state_path=str(tmp_path), transport_url='inproc://',
        sql_connection='sqlite:///$state_path/nova.sqlite')
    daemons.manage(flagfile, 'db', 'sync')
    first = daemons.manage(flagfile, 'bootstrap', 'image')
    assert 'Registered the built-in image %s (cirros, %d bytes)' % (
        image_service.DEFAULT_IMAGE_ID, image_service.DEFAULT_IMAGE_SIZE) in first.stdout
    stored = tmp_path / 'images' / image_service.DEFAULT_IMAGE_ID
    assert hashlib.sha256(stored.read_bytes()).digest() == hashlib.sha256(
        image_service.default_image_data()).digest()
    again = daemons.manage(flagfile, 'bootstrap', 'image')
    assert 'has an image already' in again.stdout
    assert os.listdir(tmp_path / 'images') == [image_service.DEFAULT_IMAGE_ID]
