"""Image format inspection: real images made by qemu-img, the dangerous ones refused.

Each image is read as an upload reads it (the head of the stream); the
format found must be what ``qemu-img info`` says. Without qemu-img (installed
by tools/install_deps.sh) the tests on its images are skipped with the reason.
"""
import json
import shutil
import struct
import subprocess

import pytest

from nova import exception
from nova.image import formats

QEMU_IMG = shutil.which('qemu-img')
needs_qemu_img = pytest.mark.skipif(QEMU_IMG is None, reason='qemu-img is not installed '
                                    '(tools/install_deps.sh installs qemu-utils)')
MIB = 1024 * 1024


def _sniff(data, chunk=7919):
    sniffer = formats.Sniffer()
    for start in range(0, len(data), chunk):
        sniffer.feed(data[start:start + chunk])
    return formats.inspect(sniffer.head, len(data))


def _qemu_img(tmp_path, fmt, *options, size='3M', name='disk'):
    path = tmp_path / name
    subprocess.run([QEMU_IMG, 'create', '-q', '-f', fmt, *options, str(path), size],
                   check=True)
    return path


def _qemu_format(path):
    out = subprocess.run([QEMU_IMG, 'info', '--output=json', str(path)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)['format']


@needs_qemu_img
@pytest.mark.parametrize('fmt, options, ours', [
    ('qcow2', (), 'qcow2'),
    ('qcow2', ('-o', 'compat=0.10'), 'qcow2'),
    ('vmdk', ('-o', 'subformat=monolithicSparse'), 'vmdk'),
    ('vmdk', ('-o', 'subformat=streamOptimized'), 'vmdk'),
    ('vpc', (), 'vhd'),
    ('vpc', ('-o', 'subformat=fixed'), 'raw'),  # qemu probes the start only
    ('vhdx', (), 'vhdx'),
    ('vdi', (), 'vdi'),
    ('raw', (), 'raw'),
])
def test_safe_images_are_what_qemu_img_says(tmp_path, fmt, options, ours):
    path = _qemu_img(tmp_path, fmt, *options)
    assert _qemu_format(path) == (fmt if ours != 'raw' else 'raw')
    inspection = _sniff(path.read_bytes())
    assert (inspection.format, inspection.unsafe) == (ours, None)
    # qemu's own idea of the disk size, where the header holds it exactly
    out = subprocess.run([QEMU_IMG, 'info', '--output=json', str(path)], check=True,
                         capture_output=True, text=True).stdout
    if ours in ('qcow2', 'vmdk', 'vdi', 'raw'):
        assert inspection.virtual_size == json.loads(out)['virtual-size']
    assert formats.check(ours, 'bare', inspection) == inspection.virtual_size


@needs_qemu_img
def test_qcow2_with_a_backing_file_is_refused(tmp_path):
    base = _qemu_img(tmp_path, 'raw', name='base')
    path = _qemu_img(tmp_path, 'qcow2', '-F', 'raw', '-b', str(base), name='overlay')
    inspection = _sniff(path.read_bytes())
    assert inspection.format == 'qcow2' and 'backing file' in inspection.unsafe
    for declared in ('qcow2', 'raw'):
        with pytest.raises(exception.InvalidImageData, match='backing file'):
            formats.check(declared, 'bare', inspection)


@needs_qemu_img
def test_qcow2_with_an_external_data_file_is_refused(tmp_path):
    data_file = tmp_path / 'host-file'
    path = _qemu_img(tmp_path, 'qcow2', '-o', 'data_file=%s' % data_file, name='x')
    inspection = _sniff(path.read_bytes())
    assert inspection.format == 'qcow2' and 'data file' in inspection.unsafe
    with pytest.raises(exception.InvalidImageData, match='data file'):
        formats.check('qcow2', 'bare', inspection)


def test_qcow2_data_file_extension_alone_is_refused():
    """The extension without the incompatible bit (a hand-made header) is refused too."""
    header = bytearray(4096)
    header[:8] = b'QFI\xfb' + struct.pack('>I', 3)
    header[24:32] = struct.pack('>Q', MIB)
    header[100:104] = struct.pack('>I', 112)
    header[112:120] = struct.pack('>II', 0x6803f857, 8)  # feature name table
    header[128:136] = struct.pack('>II', 0x44415441, 9)  # data file: '/etc/pas..'
    header[136:145] = b'/etc/pass'
    assert 'data file' in _sniff(bytes(header)).unsafe


@needs_qemu_img
def test_vmdk_pointing_at_other_files_is_refused(tmp_path):
    path = _qemu_img(tmp_path, 'vmdk', '-o', 'subformat=monolithicFlat', name='flat.vmdk')
    inspection = _sniff(path.read_bytes())  # the descriptor: its extent is another file
    assert inspection.format == 'vmdk' and 'monolithicFlat' in inspection.unsafe
    with pytest.raises(exception.InvalidImageData):
        formats.check('vmdk', 'bare', inspection)


@needs_qemu_img
def test_qed_is_refused(tmp_path):
    inspection = _sniff(_qemu_img(tmp_path, 'qed').read_bytes())
    assert inspection.format == 'qed' and inspection.unsafe


def test_iso_is_found_by_its_volume_descriptor():
    data = bytearray(64 * 1024)
    data[0x8001:0x8006] = b'CD001'
    inspection = _sniff(bytes(data))
    assert (inspection.format, inspection.virtual_size) == ('iso', len(data))
    assert formats.check('iso', 'bare', inspection) == len(data)
    assert formats.check('raw', 'bare', inspection) == len(data)  # raw reads it as is


@pytest.mark.parametrize('declared', ['qcow2', 'vmdk', 'vhd', 'vhdx', 'vdi', 'iso'])
def test_random_bytes_are_no_image_of_a_structured_format(declared):
    inspection = _sniff(bytes(range(256)) * 64)
    assert inspection.format == 'raw'
    with pytest.raises(exception.InvalidImageData, match='disk_format is %s' % declared):
        formats.check(declared, 'bare', inspection)


def test_a_qcow2_declared_raw_is_refused():
    header = b'QFI\xfb' + struct.pack('>I', 2) + bytes(16) + struct.pack('>Q', MIB)
    inspection = _sniff(header + bytes(4096))
    for declared in formats.RAW_LIKE:
        with pytest.raises(exception.InvalidImageData, match='a qcow2 image, not'):
            formats.check(declared, 'bare', inspection)


def test_wrapped_and_uninspected_formats_are_taken_as_declared():
    inspection = _sniff(b'anything' * 100)
    assert formats.check('qcow2', 'ova', inspection) is None
    assert formats.check('ploop', 'bare', inspection) is None
