"""OS-DCF:diskConfig: whether the hypervisor grows the root partition to the flavor.

AUTO (True) has the host grow the root partition and filesystem to fill the
flavor's root disk; MANUAL (False) leaves the image's partitions as they are
for the guest to manage. An image may refuse AUTO with the property
``auto_disk_config=disabled``. One rule for create, rebuild, resize and update.
"""
from nova import exception
from nova.i18n import _

DISABLED = 'disabled'


class AutoDiskConfigDisabledByImage(exception.Invalid):
    msg_fmt = _('Requested image %(image)s has automatic disk resize disabled.')


def _truthy(value):
    return str(value).strip().lower() in ('1', 't', 'true', 'on', 'y', 'yes')


def from_image(image, requested):
    """The auto_disk_config an instance booted (or rebuilt) from image gets.

    requested None takes the image's property (absent: MANUAL); AUTO on an
    image that disables it is refused.
    """
    prop = (image.get('properties') or {}).get('auto_disk_config')
    if requested is None:
        return prop is not None and _truthy(prop)
    check(prop, requested, image.get('id'))
    return bool(requested)


def for_instance(instance, requested):
    """The value for a resize or an update of an instance (its image's property
    was kept in system_metadata at boot)."""
    prop = (instance.system_metadata or {}).get('image_auto_disk_config')
    check(prop, requested, instance.image_ref)
    return bool(requested)


def check(image_property, requested, image_id):
    if requested and str(image_property).strip().lower() == DISABLED:
        raise AutoDiskConfigDisabledByImage(image=image_id)


def api_value(text):
    """'AUTO' -> True, 'MANUAL' -> False, absent -> None (the schema checked the text)."""
    return None if text is None else text == 'AUTO'
