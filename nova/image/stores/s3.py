"""Image data as objects of one S3 bucket: nova-objectstore, or any S3.

Locations are ``s3://<bucket>/<key>``; the endpoint and credentials come from
the --s3_store_* flags, never from the location, so none is kept in the
registry. Uploads are streamed: data shorter than one part is one PUT, longer
data a multipart upload holding one part in memory at a time, aborted if the
stream fails so that no partial object is left.
"""
import contextlib
import logging
import math
from urllib import parse

import boto3
from botocore import config as botocore_config
from botocore import exceptions as botocore_exceptions

from nova import exception
from nova.conf import CONF
from nova.i18n import _, _LW
from nova.image.stores import base

LOG = logging.getLogger(__name__)

MiB = 1024 * 1024
MAX_PARTS = 10000  # S3's limit on parts of one upload
_MISSING = ('404', 'NoSuchKey', 'NotFound', 'NoSuchBucket')


def _endpoint(host):
    if not host:
        return None
    return host if '://' in host else 'http://' + host


def _error_code(error):
    return str(error.response.get('Error', {}).get('Code', ''))


class S3Store(base.Store):
    name = 's3'
    schemes = ('s3',)

    @classmethod
    def settings(cls):
        return tuple(getattr(CONF, name) for name in (
            's3_store_host', 's3_store_access_key', 's3_store_secret_key', 's3_store_bucket',
            's3_store_prefix', 's3_store_region_name', 's3_store_bucket_url_format',
            's3_store_large_object_chunk_size'))

    def __init__(self):
        self.bucket = CONF.s3_store_bucket
        self.prefix = CONF.s3_store_prefix
        self.part_size = CONF.s3_store_large_object_chunk_size * MiB
        self.client = boto3.session.Session().client(
            's3', endpoint_url=_endpoint(CONF.s3_store_host),
            aws_access_key_id=CONF.s3_store_access_key,
            aws_secret_access_key=CONF.s3_store_secret_key,
            region_name=CONF.s3_store_region_name,
            config=botocore_config.Config(
                signature_version='s3v4',
                s3={'addressing_style': CONF.s3_store_bucket_url_format}))

    @contextlib.contextmanager
    def _errors(self, location):
        try:
            yield
        except botocore_exceptions.ClientError as e:
            if _error_code(e) in _MISSING:
                raise exception.ImageDataNotFound(location=location) from e
            raise exception.ImageStoreError(store=self.name, reason=str(e)) from e
        except botocore_exceptions.BotoCoreError as e:
            raise exception.ImageStoreError(store=self.name, reason=str(e)) from e

    @staticmethod
    def _split(location):
        url = parse.urlsplit(location)
        key = url.path.lstrip('/')
        if url.scheme != 's3' or not url.netloc or not key:
            raise exception.InvalidInput(reason=_('%s is not an s3://bucket/key location')
                                         % location)
        return url.netloc, key

    def _ensure_bucket(self):
        try:
            self.client.head_bucket(Bucket=self.bucket)
            return
        except botocore_exceptions.ClientError as e:
            if _error_code(e) not in _MISSING:
                raise exception.ImageStoreError(store=self.name, reason=str(e)) from e
        if not CONF.s3_store_create_bucket_on_put:
            raise exception.ImageStoreError(
                store=self.name, reason=_('bucket %s does not exist (see '
                '--s3_store_create_bucket_on_put)') % self.bucket)
        kwargs = {}
        if CONF.s3_store_region_name != 'us-east-1':
            kwargs['CreateBucketConfiguration'] = {
                'LocationConstraint': CONF.s3_store_region_name}
        with self._errors('s3://%s' % self.bucket):
            self.client.create_bucket(Bucket=self.bucket, **kwargs)

    def add(self, image_id, chunks, size_hint=None):
        key = self.prefix + base.check_image_id(image_id)
        location = 's3://%s/%s' % (self.bucket, key)
        with self._errors(location):
            self._ensure_bucket()
        part_size = max(self.part_size, math.ceil((size_hint or 0) / MAX_PARTS))
        hasher = base.Hasher()
        buffer = bytearray()
        upload = _MultipartUpload(self, key, location)
        try:
            for chunk in chunks:
                hasher.update(chunk)
                buffer += chunk
                while len(buffer) >= part_size:
                    upload.send(bytes(buffer[:part_size]))
                    del buffer[:part_size]
            with self._errors(location):
                if upload.upload_id is None:
                    self.client.put_object(Bucket=self.bucket, Key=key, Body=bytes(buffer))
                else:
                    if buffer:
                        upload.send(bytes(buffer))
                    upload.complete()
        except BaseException:
            upload.abort()
            raise
        return (location,) + hasher.result()

    def get(self, location, offset=0, length=None):
        base.check_range(offset, length)
        bucket, key = self._split(location)
        if length == 0:
            self.get_size(location)
            return iter(())
        kwargs = {}
        if offset or length is not None:
            end = '' if length is None else str(offset + length - 1)
            kwargs['Range'] = 'bytes=%d-%s' % (offset, end)
        with self._errors(location):
            try:
                body = self.client.get_object(Bucket=bucket, Key=key, **kwargs)['Body']
            except botocore_exceptions.ClientError as e:
                if _error_code(e) != 'InvalidRange':
                    raise
                return iter(())  # offset at or past the end: nothing to send
        return self._stream(body, location)

    def _stream(self, body, location):
        with contextlib.closing(body), self._errors(location):
            yield from body.iter_chunks(base.CHUNK_SIZE)

    def get_size(self, location):
        bucket, key = self._split(location)
        with self._errors(location):
            return self.client.head_object(Bucket=bucket, Key=key)['ContentLength']

    def delete(self, location):
        bucket, key = self._split(location)
        self.get_size(location)  # S3 deletes a missing key without complaint
        with self._errors(location):
            self.client.delete_object(Bucket=bucket, Key=key)

    def remove_abandoned_parts(self, max_age, live_keys=None):
        """Abort the multipart uploads under the prefix that no live upload may still be
        writing; 'key upload-id' of each. A multipart upload carries no heartbeat
        and a slow upload may sit long between parts, so its age proves nothing:
        without live_keys nothing is aborted. The uploads are listed before
        live_keys reads the registry, so an upload that starts meanwhile is not in
        the list (an image is saving before its store upload begins)."""
        if live_keys is None:
            return []
        pending = self._unfinished_uploads()
        if not pending:
            return []
        alive = live_keys({key for key, _upload_id in pending})
        aborted = []
        for key, upload_id in pending:
            if key in alive:
                continue
            try:
                self.client.abort_multipart_upload(
                    Bucket=self.bucket, Key=self.prefix + key, UploadId=upload_id)
            except botocore_exceptions.ClientError as e:
                if _error_code(e) != 'NoSuchUpload':  # finished or aborted meanwhile
                    LOG.warning(_LW('Could not abort the multipart upload %s of %s: %s'),
                                upload_id, key, e)
                continue
            aborted.append('%s %s' % (key, upload_id))
        if aborted:
            LOG.info('Aborted abandoned multipart uploads in bucket %s: %s', self.bucket,
                     ', '.join(aborted))
        return aborted

    def _unfinished_uploads(self):
        """[(key without the prefix, upload id)] of the bucket's multipart uploads whose
        key is an image store key (a uuid); none when the bucket does not exist."""
        found, markers = [], {}
        while True:
            try:
                page = self.client.list_multipart_uploads(
                    Bucket=self.bucket, Prefix=self.prefix, **markers)
            except botocore_exceptions.ClientError as e:
                if _error_code(e) in _MISSING:
                    return found
                raise exception.ImageStoreError(store=self.name, reason=str(e)) from e
            for upload in page.get('Uploads', ()):
                key = upload['Key'][len(self.prefix):]
                if base.is_image_id(key):
                    found.append((key, upload['UploadId']))
            if not page.get('IsTruncated'):
                return found
            markers = {'KeyMarker': page['NextKeyMarker'],
                       'UploadIdMarker': page['NextUploadIdMarker']}


class _MultipartUpload:
    """One multipart upload, started by its first part."""

    def __init__(self, store, key, location):
        self.store, self.key, self.location = store, key, location
        self.upload_id = None
        self.parts = []

    def send(self, body):
        client, bucket = self.store.client, self.store.bucket
        with self.store._errors(self.location):
            if self.upload_id is None:
                self.upload_id = client.create_multipart_upload(
                    Bucket=bucket, Key=self.key)['UploadId']
            number = len(self.parts) + 1
            etag = client.upload_part(Bucket=bucket, Key=self.key, UploadId=self.upload_id,
                                      PartNumber=number, Body=body)['ETag']
        self.parts.append({'ETag': etag, 'PartNumber': number})

    def complete(self):
        self.store.client.complete_multipart_upload(
            Bucket=self.store.bucket, Key=self.key, UploadId=self.upload_id,
            MultipartUpload={'Parts': self.parts})

    def abort(self):
        if self.upload_id is None:
            return
        try:
            self.store.client.abort_multipart_upload(
                Bucket=self.store.bucket, Key=self.key, UploadId=self.upload_id)
        except (botocore_exceptions.ClientError, botocore_exceptions.BotoCoreError) as e:
            LOG.warning(_LW('Could not abort the multipart upload of %s: %s'), self.location, e)
