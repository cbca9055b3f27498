"""The XenAPI driver on the XAPI test server, for the conformance tests.

``make(host)`` starts a fresh XapiServer in this process (the previous one
stops), points --xenapi_connection_url at it, and primes the driver's image
cache through its own import path with the images the conformance tests boot
(they pass no image data), so that every spawn clones a cached base VDI.
"""
import hashlib

import nova.conf
from nova.virt.xenapi import driver as xenapi_driver
from tests.harness.xapi.server import XapiServer

CONF = nova.conf.CONF
IMAGES = ('cirros-0.6', 'rescue-image')
VOLUME_TARGET = ('127.0.0.1:3260', 'iqn.2010-10.org.openstack:volume-vol-1')
_current = []


def image_data(image_id):
    """A small raw disk whose first line names the image."""
    banner = ('XAPI test image %s\n' % image_id).encode()
    return banner + b'\x00' * (4096 - len(banner))


def open_image(image_id):
    data = image_data(image_id)
    return {'id': image_id, 'disk_format': 'raw', 'size': len(data),
            'checksum': hashlib.md5(data, usedforsecurity=False).hexdigest()}, iter([data])


def server():
    """The running test server (started by make)."""
    return _current[-1]


def make(host):
    while _current:
        _current.pop().stop()
    xapi = XapiServer(bridges=('br100',)).start()
    _current.append(xapi)
    xapi.xapi.storage.add_iscsi_target(*VOLUME_TARGET, luns={1: (1024 ** 3, None)},
                                       chap=('user', 'pass'))
    CONF.set_override('xenapi_connection_url', xapi.url())
    CONF.set_override('xenapi_connection_password', 'secret')
    CONF.set_override('xenapi_task_poll_interval', 0.5)
    driver = xenapi_driver.XenAPIDriver(host)
    driver.init_host(host)
    for image_id in IMAGES:
        driver.ops[1].base_vdi(image_id, open_image)
    return driver


def stop():
    while _current:
        _current.pop().stop()
