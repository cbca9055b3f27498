"""Image and member dicts of the service as Glance v2 shows them.

An image is flat: its attributes, then its extra properties as top-level
keys, its tags, and the relative 'self', 'file' and 'schema' links. Locations
and direct_url are not shown, as in Glance's default configuration; 'stores'
names the store holding the data, as a multi-store Glance says.
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
    stored = sorted({location['metadata'].get('store') for location in image['locations']
                     if location['status'] == 'active' and location['metadata'].get('store')})
    if stored:
        view['stores'] = ','.join(stored)
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


def task(task, detail=True):
    """A task as Glance shows it; lists leave out its input and result."""
    view = {name: task[name] for name in ('id', 'type', 'status', 'owner', 'message',
                                          'image_id', 'request_id', 'user_id')}
    view.update(expires_at=timestamp(task['expires_at']),
                created_at=timestamp(task['created_at']),
                updated_at=timestamp(task['updated_at']),
                self='/v2/tasks/%s' % task['id'], schema='/v2/schemas/task')
    if detail:
        view.update(input=task['input'], result=task['result'])
    return view
