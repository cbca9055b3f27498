"""Manifests: what make_bundle writes parses back the same; hostile ones are refused."""
import pytest

from nova import exception
from nova.image.bundle import manifest

SAMPLE = manifest.Manifest(
    name='disk.img', image_type='machine', user='u-p1', architecture='x86_64',
    kernel_id='aki-00000001', ramdisk_id='ari-00000002', digest='a' * 40, size=123,
    bundled_size=160, ec2_encrypted_key=b'\x01\x02', ec2_encrypted_iv=b'\x03',
    user_encrypted_key=b'\x04', user_encrypted_iv=b'\x05', signature=b'\xff\x00',
    parts=[manifest.Part('disk.img.part.00', 'b' * 40), manifest.Part('disk.img.part.01',
                                                                      'c' * 40)])


def test_round_trip():
    parsed = manifest.parse(SAMPLE.to_xml())
    assert parsed == SAMPLE
    assert parsed.signed_text() == SAMPLE.signed_text()
    assert b'<ec2_encrypted_key algorithm="AES-128-CBC">0102</ec2_encrypted_key>' \
        in SAMPLE.to_xml()


def _xml(image_inner, machine=''):
    return ('<manifest><machine_configuration>%s</machine_configuration><image>'
            '<name>disk.img</name><ec2_encrypted_key>00ff</ec2_encrypted_key>'
            '<ec2_encrypted_iv>11</ec2_encrypted_iv>%s</image></manifest>'
            % (machine, image_inner)).encode()


PARTS = '<parts count="1"><part index="0"><filename>disk.img.part.0</filename></part></parts>'


def test_euca_style_kernel_and_ramdisk_flags():
    assert manifest.parse(_xml(PARTS, '<kernel_id>true</kernel_id>')).image_type == 'kernel'
    parsed = manifest.parse(_xml(PARTS, '<ramdisk_id>true</ramdisk_id>'))
    assert parsed.image_type == 'ramdisk' and parsed.ramdisk_id is None
    assert manifest.parse(_xml(PARTS + '<type>kernel</type>')).image_type == 'kernel'
    assert manifest.parse(_xml(PARTS)).image_type == 'machine'


@pytest.mark.parametrize('document, complaint', [
    (b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x "y">]><manifest/>', 'DOCTYPE'),
    # the same in UTF-16: no byte string '<!DOCTYPE' in it, defusedxml still sees it
    ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE m [<!ENTITY x "y">]><manifest/>'
     .encode('utf-16'), 'DOCTYPE'),
    (b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
     b'<manifest>&x;</manifest>', 'DOCTYPE'),
    (b'<manifest><image>', 'well-formed'),
    (b'<bundle/>', 'not a <manifest>'),
    (_xml(PARTS.replace('disk.img.part.0', '../other/part')), 'plain name'),
    (_xml(PARTS.replace('disk.img.part.0', 'dir/part')), 'plain name'),
    (_xml(PARTS.replace('index="0"', 'index="1"')), 'indexes'),
    (_xml(PARTS.replace('count="1"', 'count="2"')), 'count=2'),
    (_xml('<parts/>'), '0 parts'),
    (_xml(PARTS + '<type>floppy</type>'), 'image/type'),
    (_xml(PARTS).replace(b'00ff', b'zz'), 'not hexadecimal'),
    (_xml(PARTS).replace(b'<ec2_encrypted_iv>11</ec2_encrypted_iv>', b''),
     'no image/ec2_encrypted_iv'),
    (_xml(PARTS + '<size>-3</size>'), 'image/size'),
])
def test_bad_manifests_are_refused_with_the_reason(document, complaint):
    with pytest.raises(exception.InvalidBundle) as raised:
        manifest.parse(document)
    assert complaint in raised.value.format_message()
