"""Image and member dicts of the service as Glance v2 shows them.

An image is flat: its attributes, then its extra properties as top-level
keys, its tags, and the relative 'self', 'file' and 'schema' links. Locations
and direct_url are not shown, as in Glance's default configuration.
"""

ATTRIBUTES = ('id', 'name', 'status', 'visibility', 'protected', 'os_hidden', 'owner',
              'size', 'virtual_size', 'checksum', 'os_hash_algo', 'os_hash_value',
              'disk_format', 'container_format', 'min_disk', 'min_ram')


def timestamp(value):
    """Glance's ISO 8601 form: '2026-11-22T08:00:00Z' (UTC, whole seconds)."""
    return value.strftime('%Y-%m-%dT%H:%M:%SZ') if value is not None else None


def image_href(image_id):
    return '/v2/images/%s' % image_id


def image(image):
    view = dict(image['properties'])
    view.update((name, image[name]) for name in ATTRIBUTES)
    view.update(created_at=timestamp(image['created_at']),
                updated_at=timestamp(image['updated_at']),
                tags=list(image['tags']),
                self=image_href(image['id']),
                file=image_href(image['id']) + '/file',
                schema='/v2/schemas/image')
    return view


def member(member):
    return {'member_id': member['member_id'], 'image_id': member['image_id'],
            'status': member['status'], 'created_at': timestamp(member['created_at']),
            'updated_at': timestamp(member['updated_at']), 'schema': '/v2/schemas/member'}
