"""The image service: the one interface compute, the Glance v2 API and EC2 use.

It decides (who may see and change an image, which status changes are
allowed, what an upload must prove) and keeps the registry (nova.db.api) and
the stores in step; front ends only translate. Every method takes the
RequestContext first and answers image dicts (see nova.image.fields).

Glance's rules: an image is created 'queued'; upload moves it through
'saving' to 'active' with its size and hashes computed while streaming, or
to 'killed' (no data kept) when anything goes wrong (glance-direct import:
stage moves it to 'uploading', import to 'active'); only the owner's
project (or an admin) changes an image; an image the context may not see is
ImageNotFound, never Forbidden, so that ids of private images do not leak.
"""
import datetime
import hashlib
import logging
import time
import uuid

from nova import context as nova_context
from nova import exception
from nova import notifications
from nova import utils
from nova.conf import CONF
from nova.db import api as db
from nova.i18n import _, _LE, _LW
from nova.image import fields
from nova.image import formats
from nova.image import stores
from nova.image.stores import base as stores_base
from nova.notifications import payloads

LOG = logging.getLogger(__name__)

# fields the caller may set when creating an image, and when updating one
CREATE_FIELDS = ('id', 'name', 'visibility', 'protected', 'os_hidden', 'owner',
                 'disk_format', 'container_format', 'min_disk', 'min_ram')
UPDATE_FIELDS = ('name', 'visibility', 'protected', 'os_hidden', 'owner', 'disk_format',
                 'container_format', 'min_disk', 'min_ram')
# how often (seconds) a process looks for dead uploads, at its next upload (the
# image janitor also looks every --image_upload_sweep_interval)
SWEEP_INTERVAL = 300
# what taking data does: (status while it streams, status once stored, status of
# its location, status when it fails)
_UPLOAD = ('saving', 'active', 'active', 'killed')
_STAGE = ('uploading', 'uploading', 'staged', 'queued')
_WEB_IMPORT = ('importing', 'active', 'active', 'queued')
# Glance's import bookkeeping properties (reserved: users never set them)
IMPORTING = 'os_glance_importing_to_stores'
FAILED_IMPORT = 'os_glance_failed_import'


def stale_after():
    """Seconds without a heartbeat after which an upload is dead: a live one
    has beaten (every --image_upload_heartbeat s) or been cut off by the server's
    client socket timeout by then.
    """
    return (CONF.client_socket_timeout or 3600) + 2 * CONF.image_upload_heartbeat


class _Intake:
    """An upload stream, counted against the declared size and the cap; keeps its head."""

    def __init__(self, image_id, data, size, cap, heartbeat):
        self.image_id, self.data, self.size, self.cap = image_id, data, size, cap
        self.heartbeat = heartbeat
        self.received = 0
        self.sniffer = formats.Sniffer()

    def __iter__(self):
        beaten = time.monotonic()
        for chunk in stores_base.iter_chunks(self.data):
            if time.monotonic() - beaten >= CONF.image_upload_heartbeat:
                self.heartbeat()
                beaten = time.monotonic()
            self.received += len(chunk)
            self.sniffer.feed(chunk)
            if self.size is not None and self.received > self.size:
                raise exception.ImageSizeMismatch(image_id=self.image_id,
                                                  received=self.received, expected=self.size)
            if self.cap and self.received > self.cap:
                raise exception.ImageTooLarge(limit=self.cap)
            yield chunk
        if self.size is not None and self.received != self.size:
            raise exception.ImageSizeMismatch(image_id=self.image_id, received=self.received,
                                              expected=self.size)


def _listed(value):
    return [value] if isinstance(value, str) else value


def _authorize(context, action, owner):
    """PolicyNotAuthorized (403) unless the rule lets context act on owner's image."""
    _policy_check(context, action, {'project_id': owner, 'member_id': None})


def _policy_check(context, action, target, do_raise=True):
    # imported at the first check: a compute host that boots from its image cache
    # never loads oslo.policy (doc/performance.md)
    from nova import policy
    return policy.authorize(context, action, target, do_raise=do_raise)


def _check_limit(what, attempted, flag):
    """413 when an image would have more properties, tags or members than allowed."""
    maximum = getattr(CONF, flag)
    if maximum >= 0 and attempted > maximum:
        raise exception.ImageLimitExceeded(what=what, attempted=attempted, maximum=maximum)


class ImageService:
    """Images: registry rows and their data in the stores, under Glance's rules."""

    def __init__(self):
        self._swept_at = None  # time.monotonic() of this process's last sweep
        self._notifier = notifications.Notifier('image.%s' % CONF.host)

    def _tell(self, context, event_type, image, fault=None):
        """image.create/update/delete/upload, as Glance names them (ERROR on a failed
        upload); nothing is built with --notification_driver=noop."""
        if notifications.enabled():
            self._notifier.notify(context, event_type, payloads.image(image, fault),
                                  notifications.INFO if fault is None else notifications.ERROR)

    # ------------------------------------------------------------ reading

    def show(self, context, image_id):
        """The image; ImageNotFound if it does not exist or context may not see it."""
        if not stores_base.is_image_id(image_id):  # no image has such an id: no query
            raise exception.ImageNotFound(image_id=image_id)
        return fields.image_to_dict(db.image_get(context, image_id))

    def detail(self, context, filters=None, marker=None, limit=None, sort_keys=None,
               sort_dirs=None):
        """The images context may list (Glance's rules), newest first by default.

        filters: see nova.image.fields.filters (id and others take a list for
        Glance's 'in:'). sort_keys/sort_dirs: a key or a list of them.
        marker: the id of the last image of the previous page.
        """
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool)
                                  or limit < 0):
            raise exception.InvalidInput(reason=_('limit must be an integer >= 0'))
        if marker is not None and not stores_base.is_image_id(marker):
            raise exception.InvalidInput(reason=_('marker image %s could not be found')
                                         % (marker,))
        registry_filters, member_status = fields.filters(filters)
        images = db.image_get_all(context, registry_filters, marker=marker, limit=limit,
                                  sort_keys=_listed(sort_keys), sort_dirs=_listed(sort_dirs),
                                  member_status=member_status)
        return [fields.image_to_dict(image) for image in images]

    # ------------------------------------------------------------ changing

    def _owned(self, context, image_id, action):
        """The image, if context's project owns it (or context is admin) and the
        policy rule named action lets context change it (readers only read).
        """
        image = self.show(context, image_id)
        if not context.is_admin and (context.project_id is None
                                     or image['owner'] != context.project_id):
            raise exception.Forbidden(reason=_('image %s belongs to another project') % image_id)
        _authorize(context, action, image['owner'])
        return image

    @staticmethod
    def _check_visibility(context, core, owner):
        """Only admins make an image public; community needs its own rule."""
        if core.get('visibility') == 'public':
            if not _policy_check(context, 'publicize_image', {'project_id': owner},
                                 do_raise=False):
                raise exception.Forbidden(reason=_('only an admin may make an image public'))
        elif core.get('visibility') == 'community':
            _authorize(context, 'communitize_image', owner)

    def create(self, context, values):
        """Register a queued image without data; values as nova.image.fields describes.

        The owner is the context's project; only an admin may name another
        owner or make the image public. Visibility defaults to 'shared'.
        """
        core, properties, tags = fields.split(values, CREATE_FIELDS)
        if not context.is_admin and core.get('owner', context.project_id) != context.project_id:
            raise exception.Forbidden(reason=_('only an admin may create an image for '
                                             'another project'))
        core.setdefault('owner', context.project_id)
        _authorize(context, 'add_image', core['owner'])
        self._check_visibility(context, core, core['owner'])
        _check_limit('properties', len(properties), 'image_property_quota')
        _check_limit('tags', len(tags or ()), 'image_tag_quota')
        core.update(status='queued', properties=properties, tags=tags or ())
        image = fields.image_to_dict(db.image_create(context, core))
        self._tell(context, 'image.create', image)
        return image

    def update(self, context, image_id, values, remove_props=None):
        """Change attributes, merge properties, replace tags, remove properties.

        Read-only attributes (id, status, size, checksums, dates, and owner
        for non-admins) are ImageAttributeReadOnly; formats change only while
        the image is queued; a property to remove that the image lacks is
        ImagePropertyNotFound.
        """
        image = self._owned(context, image_id, 'modify_image')
        writable = UPDATE_FIELDS if context.is_admin else tuple(
            name for name in UPDATE_FIELDS if name != 'owner')
        core, properties, tags = fields.split(values, writable)
        if core.get('visibility', image['visibility']) != image['visibility']:
            self._check_visibility(context, core, image['owner'])
        for name in ('disk_format', 'container_format'):
            if name in core and core[name] != image[name] and image['status'] != 'queued':
                raise exception.Forbidden(reason=_('%s can only be changed while the image is '
                                                 'queued') % name)
        # only growth is refused: an image over a lowered limit may still change
        count = len(set(image['properties']).union(properties) - set(remove_props or ()))
        if count > len(image['properties']):
            _check_limit('properties', count, 'image_property_quota')
        changes = dict(core, properties=properties)
        if tags is not None:
            if len(tags) > len(image['tags']):
                _check_limit('tags', len(tags), 'image_tag_quota')
            changes['tags'] = tags
        image = fields.image_to_dict(db.image_update(
            context, image_id, changes, remove_props=list(remove_props or ())))
        self._tell(context, 'image.update', image)
        return image

    def delete(self, context, image_id):
        """Mark the image deleted and remove its data; ImageProtected if protected."""
        image = self._owned(context, image_id, 'delete_image')
        if image['protected']:
            raise exception.ImageProtected(image_id=image_id)
        deleted = db.image_destroy(context, image_id)
        for location in deleted.locations:
            self._discard(location.value)
        self._tell(context, 'image.delete', dict(image, status='deleted'))

    def _discard(self, location):
        """Remove data the registry no longer points at; what cannot be is logged."""
        try:
            stores.store_for_location(location).delete(location)
        except (exception.ImageDataNotFound, exception.ImageStoreReadOnly):
            pass  # gone already, or not ours to delete (an http location)
        except exception.NovaException as e:
            LOG.warning(_LW('Image data left at %s: %s'), location, e)

    def _set_status(self, context, image_id, status, from_state, action, rule):
        image = self._owned(context, image_id, rule)
        if image['status'] == status:
            return image
        if image['status'] != from_state:
            raise exception.ImageStatusConflict(image_id=image_id, status=image['status'],
                                                action=action)
        return fields.image_to_dict(db.image_update(
            context, image_id, {'status': status}, from_state=from_state))

    def deactivate(self, context, image_id):
        """Stop non-admins downloading an active image (booting from it)."""
        return self._set_status(context, image_id, 'deactivated', 'active', 'deactivate it',
                                'deactivate')

    def reactivate(self, context, image_id):
        return self._set_status(context, image_id, 'active', 'deactivated', 'reactivate it',
                                'reactivate')

    # ---------------------------------------------------------------- data

    def upload(self, context, image_id, data, size=None):
        """Store a queued image's data: an iterable of bytes chunks or a file object.

        queued -> saving -> active, with size, checksum (md5), os_hash_algo
        'sha512' and os_hash_value computed on the way; on any failure or
        interruption the image is 'killed', nothing of it is stored, and the
        error is raised. size: the declared size, which the data must match.
        """
        try:
            image = self._take_data(context, image_id, data, size, _UPLOAD, 'upload data')
        except Exception as error:
            if notifications.enabled():
                try:
                    self._tell(context, 'image.upload', self.show(context, image_id), error)
                except exception.ImageNotFound:
                    pass
            raise
        self._tell(context, 'image.upload', image)
        return image

    def stage(self, context, image_id, data, size=None):
        """Glance's glance-direct import, step 1: keep a queued image's data until
        import_image. queued -> uploading, hashed as upload does; on failure the
        image is queued again and nothing is kept.
        """
        return self._take_data(context, image_id, data, size, _STAGE, 'stage data')

    def import_staged(self, context, image_id):
        """glance-direct, step 2: the staged data becomes the image's (uploading ->
        active); an image without staged data is ImageStatusConflict. (The
        import methods and their tasks are nova.image.importer's.)
        """
        image = self._owned(context, image_id, 'upload_image')
        staged = [loc for loc in image['locations'] if loc['status'] == 'staged']
        if image['status'] != 'uploading' or not staged:
            raise exception.ImageStatusConflict(
                image_id=image_id, status=image['status'],
                action='import it: stage its data first (PUT /v2/images/%s/stage)' % image_id)
        locations = [dict(loc, status='active') for loc in staged]
        return fields.image_to_dict(db.image_update(
            context, image_id, {'status': 'active', 'locations': locations},
            from_state='uploading'))

    def begin_web_import(self, context, image_id, store_id):
        """web-download, step 1: queued -> importing, the store named in
        os_glance_importing_to_stores (and a past failure forgotten)."""
        image = self._ready_for_data(context, image_id, 'import it from the web')
        db.image_update(context, image_id, {'status': _WEB_IMPORT[0],
                                            'properties': {IMPORTING: store_id}},
                        remove_props=[name for name in (FAILED_IMPORT,)
                                      if name in image['properties']],
                        from_state='queued')

    def import_data(self, context, image_id, data, size=None):
        """web-download, step 2: the fetched data (chunks) becomes the image's,
        importing -> active, checked as an upload; queued again on failure."""
        return self._take_data(context, image_id, data, size, _WEB_IMPORT, 'import data',
                               entered=True)

    def end_web_import(self, context, image_id, failed_store=None):
        """web-download, step 3: the bookkeeping properties say how it went."""
        image = self.show(context, image_id)
        properties = {FAILED_IMPORT: failed_store} if failed_store else {}
        remove = [name for name in (IMPORTING,) if name in image['properties']]
        db.image_update(context, image_id, {'properties': properties}, remove_props=remove)

    def abort_web_import(self, context, image_id):
        """A web import that could not start fetching: importing -> queued."""
        self._fail(context, image_id, _WEB_IMPORT[0], _WEB_IMPORT[3])

    def _ready_for_data(self, context, image_id, action):
        """The queued image context may give data to, with its formats set."""
        image = self._owned(context, image_id, 'upload_image')
        if image['status'] != 'queued':
            raise exception.ImageStatusConflict(image_id=image_id, status=image['status'],
                                                action=action)
        for name in ('disk_format', 'container_format'):
            if not image[name]:
                raise exception.InvalidInput(reason=_('%s must be set before the image data '
                                                    'is uploaded') % name)
        return image

    def _take_data(self, context, image_id, data, size, plan, action, entered=False):
        """Stream data into the store under plan; entered: the image is already in
        the plan's streaming status (a web import began), else it must be queued."""
        streaming, stored, location_status, failed = plan
        if entered:
            image = self._owned(context, image_id, 'upload_image')
            if image['status'] != streaming:
                raise exception.ImageStatusConflict(image_id=image_id, status=image['status'],
                                                    action=action)
        else:
            image = self._ready_for_data(context, image_id, action)
        try:
            if size is not None and (not isinstance(size, int) or isinstance(size, bool)
                                     or size < 0):
                raise exception.InvalidInput(reason=_('size must be an integer >= 0'))
            cap = CONF.image_size_cap
            if cap and size is not None and size > cap:
                raise exception.ImageTooLarge(limit=cap)
        except exception.NovaException:
            if entered:  # the import began: it ends here
                self._fail(context, image_id, streaming, failed)
            raise
        self._sweep_now_and_then()
        if not entered:
            db.image_update(context, image_id, {'status': streaming}, from_state='queued')

        def heartbeat():  # raises, ending the upload, once the image is deleted or killed
            db.image_update(context, image_id, {}, from_state=streaming)

        intake = _Intake(image_id, data, size, cap, heartbeat)
        try:
            store = stores.get_store()
            # a staged copy gets a key of its own, so a retried stage never meets it
            key = image_id if location_status == 'active' else str(uuid.uuid4())
            location, written, md5, sha512 = store.add(key, intake, size_hint=size)
        except BaseException:
            self._fail(context, image_id, streaming, failed)
            raise
        try:
            inspection = formats.inspect(intake.sniffer.head, written)
            virtual_size = formats.check(image['disk_format'], image['container_format'],
                                         inspection)
            values = {'status': stored, 'size': written, 'checksum': md5,
                      'os_hash_algo': 'sha512', 'os_hash_value': sha512,
                      'virtual_size': virtual_size,
                      'locations': [{'url': location, 'metadata': {'store': store.name},
                                     'status': location_status}]}
            return fields.image_to_dict(db.image_update(context, image_id, values,
                                                        from_state=streaming))
        except BaseException:
            # data refused, deleted while saving, or the registry failed: keep no data
            # the registry does not point at
            self._discard(location)
            self._fail(context, image_id, streaming, failed)
            raise

    def _sweep_now_and_then(self):
        now = time.monotonic()
        if self._swept_at is not None and now - self._swept_at < SWEEP_INTERVAL:
            return
        self._swept_at = now
        try:
            self.kill_abandoned_uploads()
        except Exception:  # noqa: BLE001 -- a failed sweep must not fail this upload
            LOG.exception(_LE('Could not look for abandoned uploads'))

    def kill_abandoned_uploads(self):
        """Fail the uploads and stagings that stopped beating (their process died
        mid-stream): saving -> killed, uploading without staged data -> queued.
        Their ids. Uploads run from any process or host, so their heartbeat, not
        a process id, tells whether they are alive.
        """
        admin = nova_context.get_admin_context()
        cutoff = utils.utcnow() - datetime.timedelta(seconds=stale_after())
        failed_ids = []
        for streaming, failed in ((_UPLOAD[0], _UPLOAD[3]), (_STAGE[0], _STAGE[3]),
                                  (_WEB_IMPORT[0], _WEB_IMPORT[3])):
            for image in db.image_get_all(admin, {'status': streaming}):
                if image.updated_at >= cutoff or any(
                        location.status == 'staged' for location in image.locations):
                    continue  # beating, or staged completely and waiting for its import
                try:
                    db.image_update(admin, image.id, {'status': failed},
                                    from_state=streaming, updated_before=cutoff)
                except (exception.ImageNotFound, exception.ImageStatusConflict,
                        exception.Conflict):
                    continue  # deleted, finished or beaten meanwhile
                LOG.warning(_LW('Image %s: its data stopped flowing %s ago; %s'), image.id,
                            utils.utcnow() - image.updated_at, failed)
                failed_ids.append(image.id)
        return failed_ids

    def live_upload_keys(self, keys):
        """Of the store keys of unfinished multipart uploads, those a live upload may
        still be writing (the store aborts the others).

        An upload or web import stores under the image's id: alive while the image
        is saving or importing (a killed, queued, active or deleted image has no
        upload left to finish, however recent). A staging copy stores under a key
        of its own that the registry learns only once staged: a key no image has
        is kept while any image is staging, and abandoned when none is. Nothing
        is decided by age: a slow upload that still beats is never cut.
        """
        keys = set(keys)
        if not keys:
            return set()
        admin = nova_context.get_admin_context(read_deleted='yes')  # ids never reused
        found = {image.id: image.status
                 for image in db.image_get_all(admin, {'id': sorted(keys)})}
        alive = {key for key, status in found.items()
                 if status in (_UPLOAD[0], _WEB_IMPORT[0])}
        unknown = keys - set(found)
        if unknown and db.image_get_all(nova_context.get_admin_context(),
                                        {'status': _STAGE[0]}, limit=1):
            alive |= unknown
        return alive

    def _fail(self, context, image_id, streaming, failed):
        """streaming -> failed, unless the image was deleted meanwhile (best effort)."""
        try:
            db.image_update(context, image_id, {'status': failed}, from_state=streaming)
        except (exception.ImageNotFound, exception.ImageStatusConflict):
            pass
        except Exception:
            LOG.exception(_LE('Could not mark image %s %s'), image_id, failed)

    def add_location(self, context, image_id, url, metadata=None):
        """Point a queued image at data a store already holds (admin only): it
        becomes active with the store's size (and no checksum, as in Glance).
        """
        if not context.is_admin:
            raise exception.AdminRequired()
        image = self.show(context, image_id)
        if image['status'] != 'queued':
            raise exception.ImageStatusConflict(image_id=image_id, status=image['status'],
                                                action='add a location')
        try:
            store = stores.store_for_location(url)
        except exception.UnknownImageStore as e:
            raise exception.InvalidInput(reason=e.format_message()) from e
        values = {'status': 'active', 'size': store.get_size(url),
                  'locations': [{'url': url, 'metadata': dict(metadata or {})}]}
        return fields.image_to_dict(db.image_update(context, image_id, values,
                                                    from_state='queued'))

    def download(self, context, image_id, offset=0, length=None):
        """(image, iterator of chunks) of an active image's data, from offset.

        length: bytes at most (None: to the end). A deactivated image is
        Forbidden except to admins; other non-active images are
        ImageStatusConflict; an offset past the end is InvalidImageRange.
        """
        image = self.show(context, image_id)
        if image['status'] == 'deactivated' and not context.is_admin:
            raise exception.Forbidden(reason=_('image %s is deactivated') % image_id)
        if image['status'] not in ('active', 'deactivated'):
            raise exception.ImageStatusConflict(image_id=image_id, status=image['status'],
                                                action='download its data')
        stores_base.check_range(offset, length)
        size = image['size'] or 0
        if offset and offset >= size:
            raise exception.InvalidImageRange(image_id=image_id, offset=offset, size=size)
        if length is not None:
            length = min(length, size - offset)
        error = exception.ImageDataNotFound(location='any location of image %s' % image_id)
        for location in image['locations']:
            if location['status'] != 'active':
                continue
            try:
                store = stores.store_for_location(location['url'])
                return image, store.get(location['url'], offset, length)
            except (exception.ImageDataNotFound, exception.ImageStoreError,
                    exception.UnknownImageStore) as e:
                LOG.warning(_LW('Cannot read image %s at %s: %s'), image_id, location['url'], e)
                error = e
        raise error

    # ---------------------------------------------------------------- tags

    def add_tag(self, context, image_id, tag):
        image = self._owned(context, image_id, 'modify_image')
        if tag not in image['tags']:
            _check_limit('tags', len(image['tags']) + 1, 'image_tag_quota')
        db.image_tag_add(context, image_id, fields.check_tag(tag))

    def delete_tag(self, context, image_id, tag):
        self._owned(context, image_id, 'modify_image')
        db.image_tag_delete(context, image_id, fields.check_tag(tag))

    # ------------------------------------------------------------- members

    def _shared(self, context, image_id):
        image = self.show(context, image_id)
        if image['visibility'] != 'shared':
            raise exception.Forbidden(reason=_('only shared images have members; image %s '
                                             'is %s') % (image_id, image['visibility']))
        return image

    def _is_owner(self, context, image):
        return context.is_admin or (context.project_id is not None
                                    and image['owner'] == context.project_id)

    def add_member(self, context, image_id, member):
        """Share with a project (owner or admin); the membership starts pending."""
        image = self._shared(context, image_id)
        if not self._is_owner(context, image):
            raise exception.Forbidden(reason=_('only the owner may share image %s') % image_id)
        _authorize(context, 'add_member', image['owner'])
        _check_limit('members for this image',
                     len(db.image_member_find(context, image_id)) + 1, 'image_member_quota')
        return fields.member_to_dict(db.image_member_create(
            context, image_id, fields.check_member(member)))

    def get_member(self, context, image_id, member):
        """One membership, as the owner or that member sees it."""
        image = self._shared(context, image_id)
        fields.check_member(member)
        if not (self._is_owner(context, image) or context.project_id == member):
            raise exception.ImageMemberNotFound(image_id=image_id, member=member)
        return fields.member_to_dict(db.image_member_get(context, image_id, member))

    def list_members(self, context, image_id):
        """Every membership for the owner; a member sees only its own."""
        image = self._shared(context, image_id)
        member = None if self._is_owner(context, image) else context.project_id
        return [fields.member_to_dict(row)
                for row in db.image_member_find(context, image_id, member=member)]

    def update_member(self, context, image_id, member, status):
        """Accept or reject (or return to pending) a share: the member's own choice."""
        image = self._shared(context, image_id)
        fields.check_member(member)
        fields.check_member_status(status)
        if not context.is_admin and context.project_id != member:
            raise exception.Forbidden(reason=_('only project %s may accept or reject its '
                                             'membership') % member)
        _policy_check(context, 'modify_member', {'project_id': image['owner'],
                                                 'member_id': member})
        return fields.member_to_dict(db.image_member_update(context, image_id, member,
                                                            {'status': status}))

    def remove_member(self, context, image_id, member):
        image = self._shared(context, image_id)
        if not self._is_owner(context, image):
            raise exception.Forbidden(reason=_('only the owner may unshare image %s') % image_id)
        _authorize(context, 'delete_member', image['owner'])
        db.image_member_delete(context, image_id, fields.check_member(member))


_default_service = ImageService()


def get_default_image_service():
    return _default_service


# ------------------------------------------------------------ default image

DEFAULT_IMAGE_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, 'nova:image:default'))
DEFAULT_IMAGE_NAME = 'cirros'
DEFAULT_IMAGE_SIZE = 16 * 1024


def default_image_data():
    """A small raw disk, the same bytes every time: a boot sector, then a hash stream."""
    sector = bytearray(512)
    banner = b'Nova built-in default image: a cirros-like placeholder disk\n'
    sector[:len(banner)] = banner
    sector[510:] = b'\x55\xaa'
    data = bytearray(sector)
    counter = 0
    while len(data) < DEFAULT_IMAGE_SIZE:
        data += hashlib.sha256(b'nova-default-image:%d' % counter).digest()
        counter += 1
    return bytes(data[:DEFAULT_IMAGE_SIZE])


def ensure_default_image(context):
    """Register and upload the built-in public image if the cloud has no image yet.

    Returns the new image, or None when there was an image already. The id
    is fixed, so that concurrent callers register it once; once deleted, it
    is not registered again.
    """
    admin = context.elevated() if not context.is_admin else context
    if db.image_get_all(admin, limit=1):
        return None
    service = get_default_image_service()
    try:
        service.create(admin, {
            'id': DEFAULT_IMAGE_ID, 'name': DEFAULT_IMAGE_NAME, 'visibility': 'public',
            'disk_format': 'raw', 'container_format': 'bare',
            'properties': {'description': 'Built-in placeholder disk; upload real images '
                                          'with openstack image create --file'}})
    except exception.ImageExists:
        return None
    data = default_image_data()
    LOG.info('Registered the built-in default image %s', DEFAULT_IMAGE_ID)
    return service.upload(admin, DEFAULT_IMAGE_ID, [data], size=len(data))

