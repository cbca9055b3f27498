"""ImageService: Glance's rules over the registry and the filesystem store."""
import hashlib
import os
import struct
import time

import pytest

from nova import exception
from nova.conf import CONF
from nova.db import api as db_api
from nova.image import service as image_service
from tests.harness.image_uploads import cut_staleness_between
from tests.unit.image.conftest import project

DATA = bytes(range(256)) * 1000  # 256000 bytes


def _create(svc, ctx, **values):
    values.setdefault('name', 'img')
    values.setdefault('disk_format', 'raw')
    values.setdefault('container_format', 'bare')
    return svc.create(ctx, values)


def _active(svc, ctx, data=DATA, **values):
    image = _create(svc, ctx, **values)
    return svc.upload(ctx, image['id'], [data[i:i + 4096] for i in range(0, len(data), 4096)])


def _files(datadir):
    return sorted(os.listdir(datadir)) if datadir.exists() else []


def _read(svc, ctx, image_id, **kwargs):
    image, chunks = svc.download(ctx, image_id, **kwargs)
    return b''.join(chunks)


# ---------------------------------------------------------------- create

def test_create_answers_a_queued_image_dict(svc, p1):
    image = svc.create(p1, {'name': 'cirros', 'disk_format': 'qcow2',
                            'container_format': 'bare', 'min_disk': 1, 'min_ram': 64,
                            'tags': ['t2', 't1'], 'properties': {'os_distro': 'cirros'},
                            'hw_disk_bus': 'virtio'})
    assert image['status'] == 'queued' and image['owner'] == 'p1'
    assert image['visibility'] == 'shared'  # Glance v2's default
    assert (image['protected'], image['os_hidden'], image['size'], image['checksum']) == (
        False, False, None, None)
    assert image['properties'] == {'os_distro': 'cirros', 'hw_disk_bus': 'virtio'}
    assert image['tags'] == ['t1', 't2'] and image['locations'] == []
    assert set(image) >= {'id', 'name', 'status', 'visibility', 'protected', 'os_hidden',
                          'owner', 'size', 'virtual_size', 'checksum', 'os_hash_algo',
                          'os_hash_value', 'disk_format', 'container_format', 'min_disk',
                          'min_ram', 'created_at', 'updated_at', 'tags', 'properties'}
    assert svc.show(p1, image['id']) == image


@pytest.mark.parametrize('values, field', [
    ({'disk_format': 'exe'}, 'disk_format'),
    ({'container_format': 'zip'}, 'container_format'),
    ({'min_disk': -1}, 'min_disk'),
    ({'min_ram': '64'}, 'min_ram'),
    ({'name': 'x' * 256}, 'name'),
    ({'visibility': 'everyone'}, 'visibility'),
    ({'protected': 'yes'}, 'protected'),
    ({'id': 'not-a-uuid'}, 'id'),
    ({'tags': 'a-string'}, 'tags'),
    ({'properties': {'k': 5}}, 'property k'),
    ({'x' * 256: 'v'}, 'property name'),
])
def test_create_refuses_bad_values_naming_the_field(svc, p1, values, field):
    with pytest.raises(exception.InvalidInput, match=field):
        svc.create(p1, values)


@pytest.mark.parametrize('field', ['status', 'size', 'checksum', 'created_at', 'locations',
                                   'os_hash_value', 'virtual_size'])
def test_create_refuses_read_only_fields(svc, p1, field):
    with pytest.raises(exception.ImageAttributeReadOnly, match=field):
        svc.create(p1, {field: 'x'})


def test_reserved_property_names_are_refused(svc, p1):
    for name in ('self', 'file', 'os_glance_import_task'):
        with pytest.raises(exception.ImageAttributeReadOnly):
            svc.create(p1, {'properties': {name: 'x'}})


def test_only_admins_publicize_or_create_for_others(svc, p1, admin):
    with pytest.raises(exception.Forbidden, match='public'):
        svc.create(p1, {'visibility': 'public'})
    with pytest.raises(exception.Forbidden, match='another project'):
        svc.create(p1, {'owner': 'p2'})
    assert svc.create(p1, {'owner': 'p1', 'visibility': 'community'})['owner'] == 'p1'
    image = svc.create(admin, {'owner': 'p2', 'visibility': 'public'})
    assert (image['owner'], image['visibility']) == ('p2', 'public')


def test_client_chosen_id(svc, p1):
    image_id = '2c5f2f2e-8c8e-4a5e-9a55-0b1b2c3d4e5f'
    assert svc.create(p1, {'id': image_id})['id'] == image_id
    with pytest.raises(exception.ImageExists):
        svc.create(p1, {'id': image_id})


# ------------------------------------------------------------ visibility

def test_a_project_never_sees_another_projects_private_image(svc, p1, p2):
    image = _active(svc, p1, visibility='private')
    for call in (lambda: svc.show(p2, image['id']),
                 lambda: svc.download(p2, image['id']),
                 lambda: svc.update(p2, image['id'], {'name': 'mine'}),
                 lambda: svc.delete(p2, image['id']),
                 lambda: svc.add_tag(p2, image['id'], 't')):
        with pytest.raises(exception.ImageNotFound):
            call()
    assert svc.detail(p2) == []
    assert [i['id'] for i in svc.detail(p1)] == [image['id']]


def test_public_image_is_read_only_to_other_projects(svc, admin, p2):
    image = _active(svc, admin, visibility='public', owner='p1')
    assert svc.show(p2, image['id'])['name'] == 'img'
    assert _read(svc, p2, image['id']) == DATA
    with pytest.raises(exception.Forbidden):
        svc.update(p2, image['id'], {'name': 'mine'})
    with pytest.raises(exception.Forbidden):
        svc.delete(p2, image['id'])


def test_shared_image_members(svc, p1, p2):
    p3 = project('p3')
    image = _active(svc, p1)
    with pytest.raises(exception.ImageNotFound):
        svc.show(p2, image['id'])
    member = svc.add_member(p1, image['id'], 'p2')
    assert (member['member_id'], member['status'], member['image_id']) == (
        'p2', 'pending', image['id'])
    with pytest.raises(exception.ImageMemberExists):
        svc.add_member(p1, image['id'], 'p2')
    # pending: visible by id, not listed until accepted
    assert svc.show(p2, image['id'])['id'] == image['id']
    assert svc.detail(p2) == []
    assert [i['id'] for i in svc.detail(p2, {'member_status': 'pending'})] == [image['id']]
    with pytest.raises(exception.Forbidden, match='only project p2'):
        svc.update_member(p1, image['id'], 'p2', 'accepted')
    with pytest.raises(exception.InvalidInput, match='member status'):
        svc.update_member(p2, image['id'], 'p2', 'maybe')
    assert svc.update_member(p2, image['id'], 'p2', 'accepted')['status'] == 'accepted'
    assert [i['id'] for i in svc.detail(p2)] == [image['id']]
    assert _read(svc, p2, image['id']) == DATA
    # a member may not share further, change the image or see other members
    svc.add_member(p1, image['id'], 'p4')
    with pytest.raises(exception.Forbidden):
        svc.add_member(p2, image['id'], 'p3')
    with pytest.raises(exception.Forbidden):
        svc.update(p2, image['id'], {'name': 'x'})
    assert [m['member_id'] for m in svc.list_members(p1, image['id'])] == ['p2', 'p4']
    assert [m['member_id'] for m in svc.list_members(p2, image['id'])] == ['p2']
    assert svc.get_member(p2, image['id'], 'p2')['status'] == 'accepted'
    with pytest.raises(exception.ImageMemberNotFound):
        svc.get_member(p2, image['id'], 'p4')
    with pytest.raises(exception.ImageNotFound):
        svc.list_members(p3, image['id'])
    with pytest.raises(exception.Forbidden):
        svc.remove_member(p2, image['id'], 'p2')
    svc.remove_member(p1, image['id'], 'p2')
    with pytest.raises(exception.ImageNotFound):
        svc.show(p2, image['id'])


def test_members_only_for_shared_images(svc, p1):
    image = _create(svc, p1, visibility='private')
    with pytest.raises(exception.Forbidden, match='only shared images'):
        svc.add_member(p1, image['id'], 'p2')
    with pytest.raises(exception.Forbidden, match='only shared images'):
        svc.list_members(p1, image['id'])


# --------------------------------------------------------------- listing

def test_detail_filters_sorting_and_paging(svc, p1):
    a = _active(svc, p1, name='a', tags=['gold'], properties={'os_distro': 'ubuntu'})
    b = _create(svc, p1, name='b', disk_format='qcow2', os_hidden=True)
    c = _create(svc, p1, name='c', tags=['gold'], properties={'os_distro': 'fedora'})

    def names(filters=None, **kwargs):
        return [i['name'] for i in svc.detail(p1, filters, **kwargs)]

    assert names() == ['c', 'a']  # newest first; os_hidden left out
    assert names({'os_hidden': 'true'}) == ['b']
    assert names({'tag': 'gold'}, sort_keys='name', sort_dirs='asc') == ['a', 'c']
    assert names({'os_distro': 'fedora'}) == ['c']
    assert names({'properties': {'os_distro': 'ubuntu'}}) == ['a']
    assert names({'id': [a['id'], b['id']], 'os_hidden': False}) == ['a']
    assert names({'status': 'active'}) == ['a']
    assert names({'size_min': str(len(DATA))}) == ['a']
    assert names({'size_max': 10}) == []
    assert names(sort_keys=['name'], sort_dirs=['asc'], limit=1) == ['a']
    assert names(sort_keys=['name'], sort_dirs=['asc'], marker=a['id']) == ['c']
    assert c['id'] != b['id']
    for bad in ({'size_min': 'big'}, {'os_hidden': 'maybe'}, {'visibility': 'x'},
                {'member_status': 'x'}):
        with pytest.raises(exception.InvalidInput):
            svc.detail(p1, bad)
    with pytest.raises(exception.InvalidInput, match='limit'):
        svc.detail(p1, limit=-1)


# ---------------------------------------------------------------- update

def test_update(svc, p1):
    image = _create(svc, p1, properties={'a': '1', 'b': '2'}, tags=['x'])
    updated = svc.update(p1, image['id'], {'name': 'renamed', 'min_ram': 128, 'c': '3',
                                           'properties': {'a': '9'}, 'tags': ['y']},
                         remove_props=['b'])
    assert (updated['name'], updated['min_ram'], updated['tags']) == ('renamed', 128, ['y'])
    assert updated['properties'] == {'a': '9', 'c': '3'}
    assert updated['updated_at'] >= image['updated_at']
    with pytest.raises(exception.ImagePropertyNotFound):
        svc.update(p1, image['id'], {}, remove_props=['b'])


@pytest.mark.parametrize('field', ['id', 'status', 'size', 'checksum', 'created_at',
                                   'owner'])
def test_update_refuses_read_only_fields(svc, p1, field):
    image = _create(svc, p1)
    with pytest.raises(exception.ImageAttributeReadOnly, match=field):
        svc.update(p1, image['id'], {field: 'x'})


def test_admin_may_change_the_owner(svc, admin, p1, p2):
    image = _create(svc, p1, visibility='private')
    assert svc.update(admin, image['id'], {'owner': 'p2'})['owner'] == 'p2'
    assert svc.show(p2, image['id'])['id'] == image['id']


def test_formats_are_fixed_once_data_is_uploaded(svc, p1):
    image = _create(svc, p1)
    assert svc.update(p1, image['id'], {'disk_format': 'qcow2'})['disk_format'] == 'qcow2'
    image = _active(svc, p1)
    with pytest.raises(exception.Forbidden, match='queued'):
        svc.update(p1, image['id'], {'disk_format': 'qcow2'})
    with pytest.raises(exception.Forbidden, match='public'):
        svc.update(p1, image['id'], {'visibility': 'public'})


# --------------------------------------------------------- upload / download

def test_upload_computes_size_and_hashes_while_streaming(svc, p1, datadir):
    image = _create(svc, p1)
    chunks = (DATA[i:i + 1000] for i in range(0, len(DATA), 1000))
    active = svc.upload(p1, image['id'], chunks, size=len(DATA))
    assert active['status'] == 'active' and active['size'] == len(DATA)
    assert active['checksum'] == hashlib.md5(DATA).hexdigest()
    assert active['os_hash_algo'] == 'sha512'
    assert active['os_hash_value'] == hashlib.sha512(DATA).hexdigest()
    assert active['virtual_size'] == len(DATA)  # raw
    assert [loc['url'] for loc in active['locations']] == [
        'file://%s/%s' % (os.path.realpath(datadir), image['id'])]
    assert _files(datadir) == [image['id']]
    assert (datadir / image['id']).read_bytes() == DATA


def test_upload_from_a_file_object(svc, p1, tmp_path):
    path = tmp_path / 'disk.img'
    path.write_bytes(DATA)
    image = _create(svc, p1)
    with open(path, 'rb') as f:
        assert svc.upload(p1, image['id'], f)['size'] == len(DATA)
    assert _read(svc, p1, image['id']) == DATA


def test_qcow2_virtual_size_comes_from_its_header(svc, p1):
    header = b'QFI\xfb' + struct.pack('>I', 3) + bytes(16) + struct.pack('>Q', 10 << 30)
    image = _active(svc, p1, data=header + bytes(1000), disk_format='qcow2')
    assert (image['size'], image['virtual_size']) == (1032, 10 << 30)


def _interrupted(after):
    yield DATA[:after]
    raise ConnectionResetError('client went away')


def test_interrupted_upload_kills_the_image_and_keeps_no_data(svc, p1, datadir):
    image = _create(svc, p1)
    with pytest.raises(ConnectionResetError):
        svc.upload(p1, image['id'], _interrupted(5000))
    killed = svc.show(p1, image['id'])
    assert killed['status'] == 'killed'
    assert (killed['size'], killed['checksum'], killed['locations']) == (None, None, [])
    assert _files(datadir) == []
    with pytest.raises(exception.ImageStatusConflict, match='killed'):
        svc.upload(p1, image['id'], [DATA])
    with pytest.raises(exception.ImageStatusConflict):
        svc.download(p1, image['id'])
    svc.delete(p1, image['id'])


@pytest.mark.parametrize('declared', [len(DATA) - 1, len(DATA) + 1])
def test_size_mismatch_kills_the_image(svc, p1, datadir, declared):
    image = _create(svc, p1)
    with pytest.raises(exception.ImageSizeMismatch) as raised:
        svc.upload(p1, image['id'], [DATA], size=declared)
    assert raised.value.code == 400
    assert svc.show(p1, image['id'])['status'] == 'killed'
    assert _files(datadir) == []


def test_size_cap(svc, p1, datadir):
    CONF.set_override('image_size_cap', 1000)
    image = _create(svc, p1)
    with pytest.raises(exception.ImageTooLarge):
        svc.upload(p1, image['id'], [DATA[:600], DATA[600:1200]])
    assert svc.show(p1, image['id'])['status'] == 'killed' and _files(datadir) == []
    with pytest.raises(exception.ImageTooLarge):
        svc.upload(p1, _create(svc, p1)['id'], [b''], size=1001)


def test_upload_only_once_and_only_with_formats(svc, p1):
    image = _active(svc, p1)
    with pytest.raises(exception.ImageStatusConflict, match='active'):
        svc.upload(p1, image['id'], [DATA])
    bare = svc.create(p1, {'name': 'no formats'})
    with pytest.raises(exception.InvalidInput, match='disk_format'):
        svc.upload(p1, bare['id'], [DATA])
    assert svc.show(p1, bare['id'])['status'] == 'queued'


def test_upload_of_an_image_deleted_while_saving_keeps_no_data(svc, p1, datadir):
    image = _create(svc, p1)

    def chunks():
        yield DATA[:100]
        svc.delete(p1, image['id'])
        yield DATA[100:]

    with pytest.raises(exception.ImageNotFound):
        svc.upload(p1, image['id'], chunks())
    assert _files(datadir) == []


def test_upload_beats_while_data_flows(svc, p1, monkeypatch):
    CONF.set_override('image_upload_heartbeat', 0)  # a beat before every chunk
    image = _create(svc, p1)
    seen = []

    def chunks():
        for i in range(3):
            seen.append(svc.show(p1, image['id'])['updated_at'])
            yield DATA[i * 100:(i + 1) * 100]

    svc.upload(p1, image['id'], chunks())
    assert seen[0] < seen[1] < seen[2]  # each beat moved updated_at


def test_beat_ends_an_upload_whose_image_was_killed_meanwhile(svc, p1, admin, datadir,
                                                              monkeypatch):
    CONF.set_override('image_upload_heartbeat', 0)
    monkeypatch.setattr(image_service, 'stale_after', lambda: 0)
    image = _create(svc, p1)

    def chunks():
        yield DATA[:100]
        assert svc.kill_abandoned_uploads() == [image['id']]  # as if it stopped beating
        yield DATA[100:]

    with pytest.raises(exception.ImageStatusConflict, match='killed'):
        svc.upload(p1, image['id'], chunks())
    assert svc.show(p1, image['id'])['status'] == 'killed' and _files(datadir) == []


def test_uploads_that_stopped_beating_are_killed_by_the_next_upload(svc, p1, monkeypatch):
    dead = _create(svc, p1)
    db_api.image_update(p1, dead['id'], {'status': 'saving'}, from_state='queued')
    time.sleep(0.01)
    live = _create(svc, p1)
    db_api.image_update(p1, live['id'], {'status': 'saving'}, from_state='queued')
    cut_staleness_between(monkeypatch, svc, p1, dead['id'], live['id'])
    _active(svc, p1)  # the first upload of the process sweeps
    assert svc.show(p1, dead['id'])['status'] == 'killed'
    assert svc.show(p1, live['id'])['status'] == 'saving'  # beat after the cutoff
    monkeypatch.setattr(image_service, 'stale_after', lambda: 0)  # now everything is stale
    _active(svc, p1)  # within SWEEP_INTERVAL of the last sweep: no new sweep
    assert svc.show(p1, live['id'])['status'] == 'saving'
    assert svc.kill_abandoned_uploads() == [live['id']]


def test_empty_image(svc, p1):
    image = _active(svc, p1, data=b'')
    assert (image['size'], image['checksum']) == (0, hashlib.md5(b'').hexdigest())
    assert _read(svc, p1, image['id']) == b''


def test_download_ranges(svc, p1):
    image = _active(svc, p1)
    assert _read(svc, p1, image['id']) == DATA
    assert _read(svc, p1, image['id'], offset=1000) == DATA[1000:]
    assert _read(svc, p1, image['id'], offset=70000, length=100000) == DATA[70000:170000]
    assert _read(svc, p1, image['id'], offset=len(DATA) - 5, length=100) == DATA[-5:]
    assert _read(svc, p1, image['id'], length=0) == b''
    with pytest.raises(exception.InvalidImageRange) as raised:
        svc.download(p1, image['id'], offset=len(DATA))
    assert raised.value.code == 416
    with pytest.raises(exception.InvalidInput):
        svc.download(p1, image['id'], offset=-1)
    shown, chunks = svc.download(p1, image['id'])
    assert shown['checksum'] == image['checksum']
    assert max(len(chunk) for chunk in chunks) <= 64 * 1024  # streamed


def test_download_of_a_queued_image_is_a_conflict(svc, p1):
    image = _create(svc, p1)
    with pytest.raises(exception.ImageStatusConflict, match='queued'):
        svc.download(p1, image['id'])


def test_download_with_the_data_gone(svc, p1, datadir):
    image = _active(svc, p1)
    os.unlink(datadir / image['id'])
    with pytest.raises(exception.ImageDataNotFound):
        svc.download(p1, image['id'])


# ----------------------------------------------------------------- delete

def test_delete_removes_the_data(svc, p1, datadir):
    image = _active(svc, p1)
    assert _files(datadir) == [image['id']]
    svc.delete(p1, image['id'])
    assert _files(datadir) == []
    with pytest.raises(exception.ImageNotFound):
        svc.show(p1, image['id'])
    with pytest.raises(exception.ImageNotFound):
        svc.delete(p1, image['id'])


def test_protected_image_cannot_be_deleted(svc, p1, datadir):
    image = _active(svc, p1, protected=True)
    with pytest.raises(exception.ImageProtected) as raised:
        svc.delete(p1, image['id'])
    assert raised.value.code == 403
    assert svc.show(p1, image['id'])['status'] == 'active' and _files(datadir)
    svc.update(p1, image['id'], {'protected': False})
    svc.delete(p1, image['id'])
    assert _files(datadir) == []


# ------------------------------------------------ deactivate, tags, admin

def test_deactivate_and_reactivate(svc, admin, p1, p2):
    image = _active(svc, p1, visibility='community')
    with pytest.raises(exception.Forbidden):
        svc.deactivate(p2, image['id'])
    assert svc.deactivate(p1, image['id'])['status'] == 'deactivated'
    assert svc.deactivate(p1, image['id'])['status'] == 'deactivated'  # idempotent
    for ctx in (p1, p2):
        with pytest.raises(exception.Forbidden, match='deactivated'):
            svc.download(ctx, image['id'])
    assert _read(svc, admin, image['id']) == DATA
    assert svc.reactivate(p1, image['id'])['status'] == 'active'
    assert _read(svc, p2, image['id']) == DATA
    queued = _create(svc, p1)
    with pytest.raises(exception.ImageStatusConflict):
        svc.deactivate(p1, queued['id'])


def test_tags(svc, p1, p2):
    image = _create(svc, p1, visibility='community')
    svc.add_tag(p1, image['id'], 'b')
    svc.add_tag(p1, image['id'], 'a')
    svc.add_tag(p1, image['id'], 'a')
    assert svc.show(p1, image['id'])['tags'] == ['a', 'b']
    svc.delete_tag(p1, image['id'], 'a')
    assert svc.show(p1, image['id'])['tags'] == ['b']
    with pytest.raises(exception.ImageTagNotFound):
        svc.delete_tag(p1, image['id'], 'a')
    with pytest.raises(exception.Forbidden):
        svc.add_tag(p2, image['id'], 'c')
    with pytest.raises(exception.InvalidInput, match='tag'):
        svc.add_tag(p1, image['id'], 'x' * 256)


def test_add_location_is_for_admins_and_queued_images(svc, admin, p1, datadir):
    source = _active(svc, p1)
    url = source['locations'][0]['url']
    image = _create(svc, p1)
    with pytest.raises(exception.AdminRequired):
        svc.add_location(p1, image['id'], url)
    with pytest.raises(exception.InvalidInput, match='gopher'):
        svc.add_location(admin, image['id'], 'gopher://x/y')
    located = svc.add_location(admin, image['id'], url)
    assert (located['status'], located['size'], located['checksum']) == (
        'active', len(DATA), None)
    assert _read(svc, p1, image['id']) == DATA
    with pytest.raises(exception.ImageStatusConflict):
        svc.add_location(admin, image['id'], url)


# --------------------------------------------------------- default image

def test_ensure_default_image_registers_once(svc, p1, admin):
    _ = svc  # the database
    image = image_service.ensure_default_image(p1)
    assert image['id'] == image_service.DEFAULT_IMAGE_ID
    assert (image['status'], image['visibility'], image['disk_format']) == (
        'active', 'public', 'raw')
    data = image_service.default_image_data()
    assert data == image_service.default_image_data() and len(data) == image['size']
    assert image['checksum'] == hashlib.md5(data).hexdigest()
    assert _read(svc, p1, image['id']) == data
    assert image_service.ensure_default_image(admin) is None
    svc.delete(admin, image['id'])
    _active(svc, p1)
    assert image_service.ensure_default_image(admin) is None


def test_default_service_is_shared():
    assert (image_service.get_default_image_service()
            is image_service.get_default_image_service())


def test_properties_tags_and_members_are_limited(svc, p1):
    CONF.set_override('image_property_quota', 2)
    CONF.set_override('image_tag_quota', 1)
    CONF.set_override('image_member_quota', 1)
    with pytest.raises(exception.ImageLimitExceeded, match='properties. Attempted: 3, '
                                                          'Maximum: 2') as raised:
        _create(svc, p1, properties={'a': '1', 'b': '2', 'c': '3'})
    assert raised.value.code == 413
    with pytest.raises(exception.ImageLimitExceeded, match='tags'):
        _create(svc, p1, tags=['x', 'y'])
    image = _create(svc, p1, properties={'a': '1', 'b': '2'}, tags=['x'],
                    visibility='shared')
    with pytest.raises(exception.ImageLimitExceeded, match='Attempted: 3'):
        svc.update(p1, image['id'], {'c': '3'})
    svc.update(p1, image['id'], {'a': 'changed', 'c': '3'}, remove_props=['b'])  # still 2
    with pytest.raises(exception.ImageLimitExceeded, match='tags'):
        svc.add_tag(p1, image['id'], 'y')
    svc.add_tag(p1, image['id'], 'x')  # has it already
    with pytest.raises(exception.ImageLimitExceeded, match='tags'):
        svc.update(p1, image['id'], {'tags': ['x', 'y']})
    svc.add_member(p1, image['id'], 'p2')
    with pytest.raises(exception.ImageLimitExceeded, match='members'):
        svc.add_member(p1, image['id'], 'p3')
    CONF.set_override('image_property_quota', 1)  # lowered: changes that do not grow pass
    svc.update(p1, image['id'], {'a': 'again'})
    CONF.set_override('image_property_quota', -1)
    svc.update(p1, image['id'], {str(i): 'v' for i in range(10)})


# ---------------------------------------------------------------- import

def test_stage_then_import(svc, p1, p2, datadir):
    image = _create(svc, p1)
    staged = svc.stage(p1, image['id'], [DATA[:1000], DATA[1000:]], size=len(DATA))
    assert staged['status'] == 'uploading' and staged['size'] == len(DATA)
    assert [loc['status'] for loc in staged['locations']] == ['staged']
    with pytest.raises(exception.ImageStatusConflict):
        svc.download(p1, image['id'])  # not the image's data until imported
    with pytest.raises(exception.ImageStatusConflict):
        svc.upload(p1, image['id'], [DATA])
    with pytest.raises(exception.ImageNotFound):
        svc.import_staged(p2, image['id'])
    active = svc.import_staged(p1, image['id'])
    assert active['status'] == 'active'
    assert active['checksum'] == hashlib.md5(DATA).hexdigest()
    assert active['os_hash_value'] == hashlib.sha512(DATA).hexdigest()
    assert _read(svc, p1, image['id']) == DATA
    svc.delete(p1, image['id'])
    assert _files(datadir) == []


def test_import_needs_staged_data(svc, p1):
    image = _create(svc, p1)
    with pytest.raises(exception.ImageStatusConflict, match='stage its data first'):
        svc.import_staged(p1, image['id'])


def test_failed_stage_queues_the_image_again_and_keeps_nothing(svc, p1, datadir):
    image = _create(svc, p1)
    with pytest.raises(ConnectionResetError):
        svc.stage(p1, image['id'], _interrupted(5000))
    assert svc.show(p1, image['id'])['status'] == 'queued' and _files(datadir) == []
    svc.stage(p1, image['id'], [DATA])  # may be staged again
    svc.delete(p1, image['id'])  # deleting a staged image removes the staged data
    assert _files(datadir) == []


def test_sweep_requeues_dead_stagings_but_not_staged_images(svc, p1, monkeypatch):
    monkeypatch.setattr(image_service, 'stale_after', lambda: 0)
    staged = _create(svc, p1)
    svc.stage(p1, staged['id'], [DATA])
    dead = _create(svc, p1)
    db_api.image_update(p1, dead['id'], {'status': 'uploading'}, from_state='queued')
    time.sleep(0.01)
    assert svc.kill_abandoned_uploads() == [dead['id']]
    assert svc.show(p1, dead['id'])['status'] == 'queued'
    assert svc.show(p1, staged['id'])['status'] == 'uploading'
