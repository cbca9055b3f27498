"""The JSON schemas Glance serves at /v2/schemas/: clients validate against them.

glanceclient builds its image model from /v2/schemas/image (warlock) and
validates every image it receives and every change it makes, so the shape is
Glance's own: typed properties with enums, additionalProperties of type
string, and the links templates. Requests are validated against the same
schema here, so a value clients accept is a value the API accepts.
"""
import copy

import jsonschema

from nova.db.image_models import (CONTAINER_FORMATS, DISK_FORMATS, IMAGE_STATUSES,
                                  MEMBER_STATUSES, VISIBILITIES)
from nova.i18n import _
from nova.image.api import wsgi

UUID_PATTERN = ('^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}'
                '-([0-9a-fA-F]){12}$')


def _string(description, nullable=False, read_only=False, **extra):
    prop = {'type': ['null', 'string'] if nullable else 'string', 'description': description}
    if read_only:
        prop['readOnly'] = True
    prop.update(extra)
    return prop


def _not_base(description, **extra):
    """A property Glance describes but keeps among the extra properties."""
    return dict(_string(description, **extra), is_base=False)


IMAGE_PROPERTIES = {
    'id': _string('An identifier for the image', pattern=UUID_PATTERN),
    'name': _string('Descriptive name for the image', nullable=True, maxLength=255),
    'status': _string('Status of the image', read_only=True, enum=list(IMAGE_STATUSES)),
    'visibility': _string('Scope of image accessibility', enum=list(VISIBILITIES)),
    'protected': {'type': 'boolean', 'description': 'If true, image will not be deletable.'},
    'os_hidden': {'type': 'boolean', 'description': 'If true, image will not appear in '
                                                    'default image list response.'},
    'checksum': _string('md5 hash of image contents.', nullable=True, read_only=True,
                        maxLength=32),
    'os_hash_algo': _string('Algorithm to calculate the os_hash_value', nullable=True,
                            read_only=True, maxLength=64),
    'os_hash_value': _string('Hexdigest of the image contents using the algorithm specified '
                             'by the os_hash_algo', nullable=True, read_only=True,
                             maxLength=128),
    'owner': _string('Owner of the image', nullable=True, maxLength=255),
    'size': {'type': ['null', 'integer'], 'readOnly': True,
             'description': 'Size of image file in bytes'},
    'virtual_size': {'type': ['null', 'integer'], 'readOnly': True,
                     'description': 'Virtual size of image in bytes'},
    'container_format': _string('Format of the container', nullable=True,
                                enum=[None] + list(CONTAINER_FORMATS)),
    'disk_format': _string('Format of the disk', nullable=True,
                           enum=[None] + list(DISK_FORMATS)),
    'created_at': _string('Date and time of image registration', read_only=True),
    'updated_at': _string('Date and time of the last image modification', read_only=True),
    'tags': {'type': 'array', 'description': 'List of strings related to the image',
             'items': {'type': 'string', 'maxLength': 255}},
    'direct_url': _string('URL to access the image file kept in external store',
                          read_only=True),
    'min_ram': {'type': 'integer', 'description': 'Amount of ram (in MB) required to boot '
                                                  'image.'},
    'min_disk': {'type': 'integer', 'description': 'Amount of disk space (in GB) required '
                                                   'to boot image.'},
    'self': _string('An image self url', read_only=True),
    'file': _string('An image file url', read_only=True),
    'stores': _string('Store in which image data resides.  Only present when the operator '
                      'has enabled multiple stores.  May be a comma-separated list of store '
                      'identifiers.', read_only=True),
    'schema': _string('An image schema url', read_only=True),
    'locations': {
        'type': 'array',
        'items': {'type': 'object',
                  'properties': {'url': {'type': 'string', 'maxLength': 255},
                                 'metadata': {'type': 'object'},
                                 'validation_data': {
                                     'description': 'Values to be used to populate the '
                                                    'corresponding image properties. If the '
                                                    'image status is not \'queued\', values '
                                                    'must exactly match those already '
                                                    'contained in the image properties.',
                                     'type': 'object', 'writeOnly': True,
                                     'additionalProperties': False,
                                     'properties': {
                                         'checksum': {'type': 'string', 'minLength': 32,
                                                      'maxLength': 32},
                                         'os_hash_algo': {'type': 'string', 'maxLength': 64},
                                         'os_hash_value': {'type': 'string',
                                                           'maxLength': 128}},
                                     'required': ['os_hash_algo', 'os_hash_value']}},
                  'required': ['url', 'metadata']},
        'description': 'A set of URLs to access the image file kept in external store'},
    # Glance's schema-image.json: described, but extra properties all the same
    'kernel_id': _not_base('ID of image stored in Glance that should be used as the kernel '
                           'when booting an AMI-style image.', nullable=True,
                           pattern=UUID_PATTERN),
    'ramdisk_id': _not_base('ID of image stored in Glance that should be used as the ramdisk '
                            'when booting an AMI-style image.', nullable=True,
                            pattern=UUID_PATTERN),
    'instance_uuid': _not_base('Metadata which can be used to record which instance this '
                               'image is associated with. (Informational only, does not '
                               'create an instance snapshot.)'),
    'architecture': _not_base('Operating system architecture as specified in '
                              'https://docs.openstack.org/python-glanceclient/latest/cli/'
                              'property-keys.html'),
    'os_distro': _not_base('Common name of operating system distribution as specified in '
                           'https://docs.openstack.org/python-glanceclient/latest/cli/'
                           'property-keys.html'),
    'os_version': _not_base('Operating system version as specified by the distributor.'),
    'description': _not_base('A human-readable string describing this image.'),
    'cinder_encryption_key_id': _not_base('Identifier in the OpenStack Key Management '
                                          'Service for the encryption key for the Block '
                                          'Storage Service to use when mounting a volume '
                                          'created from this image'),
    'cinder_encryption_key_deletion_policy': _not_base(
        'States the condition under which the Image Service will delete the object '
        'associated with the \'cinder_encryption_key_id\' image property.  If this property '
        'is missing, the Image Service will take no action',
        enum=['on_image_deletion', 'do_not_delete']),
}

MEMBER_PROPERTIES = {
    'member_id': _string('An identifier for the image member (tenantId)'),
    'image_id': _string('An identifier for the image', pattern=UUID_PATTERN),
    'created_at': _string('Date and time of image member creation'),
    'updated_at': _string('Date and time of last modification of image member'),
    'status': _string('The status of this image member', enum=list(MEMBER_STATUSES)),
    'schema': {'readOnly': True, 'type': 'string'},
}


def image_schema():
    return {'name': 'image', 'properties': copy.deepcopy(IMAGE_PROPERTIES),
            'additionalProperties': {'type': 'string'},
            'links': [{'rel': 'self', 'href': '{self}'},
                      {'rel': 'enclosure', 'href': '{file}'},
                      {'rel': 'describedby', 'href': '{schema}'}]}


def member_schema():
    return {'name': 'member', 'properties': copy.deepcopy(MEMBER_PROPERTIES),
            'additionalProperties': False}


def _collection(name, item):
    return {'name': name,
            'properties': {name: {'type': 'array', 'items': item},
                           'first': {'type': 'string'}, 'next': {'type': 'string'},
                           'schema': {'type': 'string'}},
            'links': [{'rel': 'first', 'href': '{first}'},
                      {'rel': 'next', 'href': '{next}'},
                      {'rel': 'describedby', 'href': '{schema}'}]}


TASK_PROPERTIES = {
    'id': _string('An identifier for the task', pattern=UUID_PATTERN),
    'type': _string('The type of task represented by this content',
                    enum=['import', 'api_image_import', 'location_import']),
    'status': _string('The current status of this task',
                      enum=['pending', 'processing', 'success', 'failure']),
    'input': {'type': ['null', 'object'],
              'description': 'The parameters required by task, JSON blob'},
    'result': {'type': ['null', 'object'],
               'description': 'The result of current task, JSON blob'},
    'owner': _string('An identifier for the owner of this task', nullable=True),
    'message': _string('Human-readable informative message only included when '
                       'appropriate (usually on failure)'),
    'image_id': _string('Image associated with the task', nullable=True, read_only=True),
    'request_id': _string('Human-readable informative request-id', nullable=True, read_only=True),
    'user_id': _string('User associated with the task', nullable=True, read_only=True),
    'expires_at': {'type': ['null', 'string'],
                   'description': 'Datetime when this resource would be subject to removal'},
    'created_at': _string('Datetime when this resource was created'),
    'updated_at': _string('Datetime when this resource was updated'),
    'self': {'type': 'string'},
    'schema': {'type': 'string'},
}


def task_schema():
    return {'name': 'task', 'properties': copy.deepcopy(TASK_PROPERTIES),
            'links': [{'rel': 'self', 'href': '{self}'},
                      {'rel': 'describedby', 'href': '{schema}'}]}


_VALIDATOR = jsonschema.Draft4Validator(image_schema())


def validate_image(values):
    """400 naming the first value the image schema refuses, as Glance answers."""
    error = jsonschema.exceptions.best_match(_VALIDATOR.iter_errors(values))
    if error is not None:
        where = ''.join('[%r]' % part for part in error.absolute_path)
        raise wsgi.http_error(400, _("Provided object does not match schema 'image': %s "
                              "(on instance%s)") % (error.message, where))


# ------------------------------------------------------------------- handlers

def show_image(req, ctx):
    return wsgi.json_response(image_schema())


def show_images(req, ctx):
    return wsgi.json_response(_collection('images', image_schema()))


def show_member(req, ctx):
    return wsgi.json_response(member_schema())


def show_members(req, ctx):
    return wsgi.json_response(_collection('members', member_schema()))


def show_task(req, ctx):
    return wsgi.json_response(task_schema())


def show_tasks(req, ctx):
    schema = _collection('tasks', task_schema())
    return wsgi.json_response(schema)
