"""Images as VDIs: streamed from the image service into the SR once, cloned per instance.

A base VDI per image lives in the instances' SR, marked in its other_config
(nova_image_id, nova_disk_type=cached-image); the first boot of an image
streams its data from the image service (the compute manager's verified
stream, ``image_meta['open_image']``) into a new VDI through XAPI's
/import_raw_vdi handler (format=raw, or vhd for VHD images), later boots find
it and ``VDI.clone`` it. A failed or refused import destroys its VDI. A base
VDI no instance here uses is destroyed once unused for
--remove_unused_base_images_age (the compute manager's image cache task);
its clones live on (XAPI keeps a destroyed parent's data for its children).
Snapshots go the other way: ``VDI.snapshot`` of the root disk, exported
through /export_raw_vdi (a dynamic VHD of the blocks the disk holds, or raw),
handed to the image service's upload, then the snapshot VDI is destroyed.
"""
import contextlib
import itertools
import logging
import time

import nova.conf
from nova import exception, utils

CONF = nova.conf.CONF
LOG = logging.getLogger(__name__)

# image disk formats XAPI's import handler takes, and how
IMPORT_FORMATS = {'raw': 'raw', 'ami': 'raw', 'aki': 'raw', 'ari': 'raw', 'iso': 'raw',
                  'vhd': 'vhd'}
SECTOR = 512
GiB = 1024 ** 3


def _vhd_virtual_size(head):
    """The virtual size a dynamic VHD's leading footer copy states."""
    if head[:8] != b'conectix' or len(head) < 56:
        return None
    return int.from_bytes(head[48:56], 'big')


def _head(chunks, size):
    """(the first ``size`` bytes, chunks with them put back)."""
    chunks = iter(chunks)
    head = b''
    taken = []
    for chunk in chunks:
        taken.append(chunk)
        head += chunk
        if len(head) >= size:
            break
    return head[:size], itertools.chain(taken, chunks)


class Images:
    def __init__(self, session, sr_ref):
        self.session = session
        self.sr_ref = sr_ref
        self._locks = utils.KeyedLocks()
        self._known = {}  # image id -> base VDI ref found or made by this process
        # image id -> when this process last saw it used (first sight counts as use:
        # after a restart nothing goes sooner than the age allows)
        self._last_used = {}

    def _cached_vdis(self):
        """{image id: base VDI ref} of the cached images in the SR."""
        records = self.session.call('VDI.get_all_records_where',
                                    'field "SR" = "%s"' % self.sr_ref)
        return {record['other_config']['nova_image_id']: ref
                for ref, record in records.items()
                if record['other_config'].get('nova_disk_type') == 'cached-image' and
                record['other_config'].get('nova_image_id')}

    def remove_unused(self, in_use_image_ids, now=None):
        """Destroy the base VDIs of images unused here for --remove_unused_base_images_age;
        their image ids."""
        now = time.time() if now is None else now
        removed = []
        for image_id, vdi in sorted(self._cached_vdis().items()):
            if image_id in in_use_image_ids:
                self._last_used[image_id] = now
                continue
            with self._locks(image_id):
                last = self._last_used.setdefault(image_id, now)
                if now - last < CONF.remove_unused_base_images_age:
                    continue
                self.destroy_vdi(vdi)
                self._known.pop(image_id, None)
                self._last_used.pop(image_id, None)
                removed.append(image_id)
        if removed:
            LOG.info('Removed the unused cached image VDIs of %s', ', '.join(removed))
        return removed

    def _cached(self, image_id):
        vdi = self._known.get(image_id)
        if vdi is not None:
            try:
                self.session.call('VDI.get_uuid', vdi)
                return vdi
            except exception.XenAPIFailure:
                self._known.pop(image_id, None)
        ref = self._cached_vdis().get(image_id)
        if ref is not None:
            self._known[image_id] = ref
        return ref

    @contextlib.contextmanager
    def base(self, image_id, open_image):
        """The base VDI of ``image_id`` (streamed from the image service if not cached),
        safe from remove_unused while the caller's block clones or copies it: both take
        the image's lock."""
        with self._locks(image_id):
            self._last_used[image_id] = time.time()
            vdi = self._cached(image_id)
            if vdi is None:
                if open_image is None:
                    raise exception.ImageNotFound(image_id=image_id)
                vdi = self._import(image_id, open_image)
                self._known[image_id] = vdi
            yield vdi

    def base_vdi(self, image_id, open_image):
        """The base VDI of ``image_id``, cached in the SR (for a caller that does not
        clone it at once)."""
        with self.base(image_id, open_image) as vdi:
            return vdi

    def _import(self, image_id, open_image):
        image, chunks = open_image(image_id)
        try:
            disk_format = image.get('disk_format') or 'raw'
            fmt = IMPORT_FORMATS.get(disk_format)
            if fmt is None:
                raise exception.ImageUnacceptable(
                    image_id=image_id, reason='XenAPI imports raw and vhd disks, not %s' %
                    disk_format)
            size = image.get('size')
            if not size:
                raise exception.ImageUnacceptable(image_id=image_id, reason='it has no data')
            virtual_size = (size + SECTOR - 1) // SECTOR * SECTOR
            if fmt == 'vhd':
                head, chunks = _head(chunks, SECTOR)
                virtual_size = _vhd_virtual_size(head)
                if virtual_size is None:
                    raise exception.ImageUnacceptable(
                        image_id=image_id, reason='its data is not a dynamic VHD')
        except BaseException:
            getattr(chunks, 'close', lambda: None)()
            raise
        vdi = self.create_vdi('Image %s' % image_id, virtual_size,
                              {'nova_image_id': image_id, 'nova_disk_type': 'cached-image'})
        try:
            self.session.put('/import_raw_vdi', {'vdi': vdi, 'format': fmt}, chunks, size)
        except BaseException:
            getattr(chunks, 'close', lambda: None)()
            self.destroy_vdi(vdi)
            raise
        LOG.info('Image %s (%s, %d bytes) imported into VDI %s', image_id, disk_format, size,
                 vdi)
        return vdi

    def create_vdi(self, label, virtual_size, other_config, vdi_type='user'):
        return self.session.call('VDI.create', {
            'name_label': label, 'name_description': '', 'SR': self.sr_ref,
            'virtual_size': str(virtual_size), 'type': vdi_type, 'sharable': False,
            'read_only': False, 'other_config': dict(other_config), 'xenstore_data': {},
            'sm_config': {}, 'tags': []})

    def destroy_vdi(self, vdi):
        try:
            self.session.call('VDI.destroy', vdi)
        except exception.XenAPIFailure as error:
            if error.kwargs['details'][0] != 'HANDLE_INVALID':
                raise

    def instance_disk(self, base, instance, disk_type, size_gb):
        """A clone of ``base`` for the instance, grown to ``size_gb`` (0: as the image)."""
        vdi = self.session.call_async('VDI.clone', base, {})
        try:
            self.session.call('VDI.set_name_label', vdi, '%s %s' % (instance.name, disk_type))
            self.session.call('VDI.set_other_config', vdi, {
                'nova_instance_uuid': instance.uuid, 'nova_disk_type': disk_type})
            size = int(self.session.call('VDI.get_virtual_size', vdi))
            wanted = size_gb * GiB
            if size_gb and wanted < size:
                raise exception.FlavorDiskTooSmall()
            if wanted > size:
                self.session.call_async('VDI.resize', vdi, str(wanted))
        except BaseException:
            self.destroy_vdi(vdi)
            raise
        return vdi

    def export_snapshot(self, vdi, upload, disk_format):
        """Snapshot ``vdi`` and hand its data to ``upload(chunks, disk_format)``."""
        snapshot = self.session.call_async('VDI.snapshot', vdi, {})
        try:
            upload(self.session.get('/export_raw_vdi', {'vdi': snapshot, 'format': disk_format}),
                   disk_format)
        finally:
            self.destroy_vdi(snapshot)
