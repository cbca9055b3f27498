"""What tempest's image API tree (tempest.api.image.v2) needs beyond the compute subset.

- The cloud lets nova-image fetch from 127.0.0.1 (web-download and import
  tasks are pointed at a server started here), keeping link-local addresses
  (the metadata service) out of reach.
- That server serves a small qcow2 (http_qcow2_image, imported by
  test_image_web_download_import) and a raw disk (http_image, the source of
  the import tasks).
- tempest.conf says what this nova-image does: interoperable import on, the
  os_glance_* namespace reserved, image formats enforced (uploads are
  inspected), no locations API (v2.17), no image conversion, no cache.
"""
import functools
import http.server
import os
import threading

SUBSET = r'image\.v2\.'  # under tempest.api.
CLOUD_FLAGS = {'image_import_allowed_ports': '',
               'image_import_disallowed_networks': '169.254.0.0/16'}
# a qcow2 v3 header (1 GiB disk, no backing file, no extensions) and empty clusters
QCOW2 = (b'QFI\xfb' + (3).to_bytes(4, 'big') + bytes(16) + (1 << 30).to_bytes(8, 'big')
         + bytes(68) + (104).to_bytes(4, 'big') + bytes(64 * 1024 - 104))


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve_images(work):
    """Write the files into work/http and serve them; (base URL, stop())."""
    root = os.path.join(work, 'http')
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, 'disk.qcow2'), 'wb') as f:
        f.write(QCOW2)
    with open(os.path.join(root, 'disk.raw'), 'wb') as f:
        f.write(os.urandom(1024 * 1024))
    server = http.server.ThreadingHTTPServer(
        ('127.0.0.1', 0), functools.partial(_Quiet, directory=root))
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop():
        server.shutdown()
        server.server_close()
    return 'http://127.0.0.1:%d' % server.server_address[1], stop


def sections(base_url):
    """tempest.conf options of [image] and [image-feature-enabled]."""
    return {
        'image': {'http_image': base_url + '/disk.raw',
                  'http_qcow2_image': base_url + '/disk.qcow2', 'build_timeout': '60'},
        'image-feature-enabled': {'import_image': 'True', 'os_glance_reserved': 'True',
                                  'image_format_enforcement': 'True',
                                  'manage_locations': 'False', 'image_conversion': 'False'},
    }
