"""The s3 image store against the cloud's real nova-objectstore, with novarc's keys.

Any S3 would do; nova-objectstore is the one a Nova cloud has.
"""
import hashlib
import os
import threading
import time
import uuid

import pytest

from nova import context as nova_context
from nova import exception
from nova.conf import CONF
from nova.db import api as db
from nova.db import migration
from nova.db import session as db_session
from nova.image import janitor
from nova.image import service as image_service
from nova.image.stores import s3

MiB = 1024 * 1024


@pytest.fixture
def store(cloud):
    rc = cloud.novarc()
    bucket = 'images-%s' % uuid.uuid4().hex[:12]
    for name, value in (('s3_store_host', rc['S3_URL']),
                        ('s3_store_access_key', rc['AWS_ACCESS_KEY_ID']),
                        ('s3_store_secret_key', rc['AWS_SECRET_ACCESS_KEY']),
                        ('s3_store_region_name', rc['AWS_DEFAULT_REGION']),
                        ('s3_store_bucket', bucket), ('s3_store_prefix', 'glance/'),
                        ('s3_store_bucket_url_format', 'path'),
                        ('s3_store_create_bucket_on_put', True)):
        CONF.set_override(name, value)
    yield s3.S3Store()
    client = s3.S3Store().client
    try:
        for item in client.list_objects_v2(Bucket=bucket).get('Contents', []):
            client.delete_object(Bucket=bucket, Key=item['Key'])
        client.delete_bucket(Bucket=bucket)
    except client.exceptions.NoSuchBucket:
        pass


@pytest.fixture
def registry(tmp_path):
    """A migrated SQLite registry of this test's own (the cloud's is another process's)."""
    CONF.set_override('state_path', str(tmp_path))
    CONF.set_override('sql_connection', 'sqlite:///%s' % (tmp_path / 'nova.sqlite'))
    migration.db_sync()
    yield image_service.ImageService()
    db_session.dispose()


def _chunks(data, size=256 * 1024):
    return (data[i:i + size] for i in range(0, len(data), size))


def _objects(store):
    listing = store.client.list_objects_v2(Bucket=store.bucket)
    return [item['Key'] for item in listing.get('Contents', [])]


def test_small_image_is_one_put(store):
    data = os.urandom(100 * 1024)
    image_id = str(uuid.uuid4())
    location, written, md5, sha512 = store.add(image_id, _chunks(data))
    assert location == 's3://%s/glance/%s' % (store.bucket, image_id)
    assert (written, md5, sha512) == (len(data), hashlib.md5(data).hexdigest(),
                                      hashlib.sha512(data).hexdigest())
    assert _objects(store) == ['glance/' + image_id]
    assert store.get_size(location) == len(data)
    assert b''.join(store.get(location)) == data
    assert b''.join(store.get(location, 1000, 10)) == data[1000:1010]
    assert b''.join(store.get(location, len(data) - 1)) == data[-1:]
    assert b''.join(store.get(location, 0, 0)) == b''
    store.delete(location)
    assert _objects(store) == []
    for call in (store.get, store.get_size, store.delete):
        with pytest.raises(exception.ImageDataNotFound):
            call(location)


def test_large_image_is_a_streamed_multipart_upload(store):
    data = os.urandom(10 * MiB + 123)  # 5 MiB parts: 3 parts
    CONF.set_override('s3_store_large_object_chunk_size', 5)
    store = s3.S3Store()
    image_id = str(uuid.uuid4())
    location, written, md5, _ = store.add(image_id, _chunks(data), size_hint=len(data))
    assert (written, md5) == (len(data), hashlib.md5(data).hexdigest())
    head = store.client.head_object(Bucket=store.bucket, Key='glance/' + image_id)
    assert head['ETag'].strip('"').endswith('-3')  # S3's multipart ETag
    assert b''.join(store.get(location)) == data
    assert b''.join(store.get(location, 6 * MiB, 100)) == data[6 * MiB:6 * MiB + 100]


def test_interrupted_multipart_upload_is_aborted(store):
    CONF.set_override('s3_store_large_object_chunk_size', 5)
    store = s3.S3Store()

    def broken():
        yield os.urandom(6 * MiB)  # one part sent
        raise ConnectionResetError('client went away')

    with pytest.raises(ConnectionResetError):
        store.add(str(uuid.uuid4()), broken())
    assert _objects(store) == []
    assert store.client.list_multipart_uploads(Bucket=store.bucket).get('Uploads', []) == []


def test_missing_bucket_without_create_on_put(store):
    CONF.set_override('s3_store_create_bucket_on_put', False)
    with pytest.raises(exception.ImageStoreError, match='does not exist'):
        s3.S3Store().add(str(uuid.uuid4()), [b'data'])


def test_bad_locations_and_ids(store):
    with pytest.raises(exception.InvalidInput):
        store.get('s3://bucket-only')
    with pytest.raises(exception.InvalidInput):
        store.add('../escape', [b'x'])


def test_service_uploads_and_downloads_through_s3(store, registry):
    CONF.set_override('image_store', 's3')
    svc = registry
    p1 = nova_context.RequestContext(user_id='u1', project_id='p1', roles=['member'])
    data = os.urandom(300 * 1024)
    image = svc.create(p1, {'disk_format': 'raw', 'container_format': 'bare'})
    image = svc.upload(p1, image['id'], _chunks(data), size=len(data))
    assert image['locations'][0]['url'].startswith('s3://%s/' % store.bucket)
    assert image['checksum'] == hashlib.md5(data).hexdigest()
    assert b''.join(svc.download(p1, image['id'])[1]) == data
    svc.delete(p1, image['id'])
    assert _objects(store) == []


def _leave_upload(store, key):
    """A multipart upload with one part sent, as a process killed mid-upload leaves it."""
    client, full_key = store.client, store.prefix + key
    upload_id = client.create_multipart_upload(Bucket=store.bucket, Key=full_key)['UploadId']
    client.upload_part(Bucket=store.bucket, Key=full_key, UploadId=upload_id, PartNumber=1,
                       Body=b'x' * 1024)
    return upload_id


def _pending(store):
    uploads = store.client.list_multipart_uploads(Bucket=store.bucket).get('Uploads', [])
    return sorted(upload['Key'] for upload in uploads)


def test_janitor_aborts_uploads_whose_image_is_no_longer_uploading(store, registry):
    """Killed, deleted, or a staging key when nothing stages: aborted. A slow live upload
    (silent far longer than any age limit would allow: max_age is 0 here) survives and
    then completes; keys that are not the store's are never touched."""
    CONF.set_override('image_store', 's3')
    CONF.set_override('s3_store_large_object_chunk_size', 5)
    store, svc = s3.S3Store(), registry
    store.client.create_bucket(Bucket=store.bucket)
    admin = nova_context.get_admin_context()
    p1 = nova_context.RequestContext(user_id='u1', project_id='p1', roles=['member'])

    def image(status):
        created = svc.create(p1, {'disk_format': 'raw', 'container_format': 'bare'})
        if status != 'queued':
            db.image_update(admin, created['id'], {'status': status}, from_state='queued')
        return created['id']

    slow, release, done = image('queued'), threading.Event(), []

    def slow_data():
        yield os.urandom(5 * MiB)  # one part sent, then silence
        release.wait(60)
        yield b'the end'
    uploader = threading.Thread(target=lambda: done.append(svc.upload(p1, slow, slow_data())))
    uploader.start()
    deadline = time.monotonic() + 30
    while 'glance/' + slow not in _pending(store) and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        killed = image('saving')
        killed_upload = _leave_upload(store, killed)
        db.image_update(admin, killed, {'status': 'killed'}, from_state='saving')
        deleted = image('saving')
        _leave_upload(store, deleted)
        svc.delete(p1, deleted)
        stage_key = str(uuid.uuid4())  # a staging copy's key: no image has it
        _leave_upload(store, stage_key)
        foreign = _leave_upload(store, 'notes.txt')
        staging = image('uploading')

        aborted = store.remove_abandoned_parts(0, svc.live_upload_keys)
        assert sorted(entry.split()[0] for entry in aborted) == sorted([killed, deleted])
        assert '%s %s' % (killed, killed_upload) in aborted
        assert _pending(store) == sorted(['glance/' + slow, 'glance/' + stage_key,
                                          'glance/notes.txt'])
        assert store.remove_abandoned_parts(0) == []  # age alone never aborts

        db.image_update(admin, staging, {'status': 'queued'}, from_state='uploading')
        assert [entry.split()[0] for entry in janitor.sweep()['parts']] == [stage_key]
        assert _pending(store) == sorted(['glance/' + slow, 'glance/notes.txt'])
    finally:
        release.set()
        uploader.join(60)
    assert done and done[0]['status'] == 'active' and done[0]['size'] == 5 * MiB + 7
    store.client.abort_multipart_upload(Bucket=store.bucket, Key='glance/notes.txt',
                                        UploadId=foreign)
    assert _pending(store) == []
