"""The config drive a spawn gives its guest: one rule for every spawn (build,
rebuild, evacuate, unshelve), so a guest never loses the drive it was promised
when it is spawned again elsewhere or from another image."""
from nova.metadata import drive
from nova.virt import configdrive


def for_spawn(context, driver, records, instance, network_info, admin_password=None):
    """The files of the instance's config drive, None when it has none. A drive the
    host forces (--force_config_drive) is recorded on the instance, so the server
    shows config_drive "True" as it does for one asked for; a driver without config
    drives raises NotSupportedByDriver, failing the spawn rather than booting a guest
    without its drive."""
    if not configdrive.required(instance):
        return None
    driver.require('supports_config_drive', 'config drive')
    # the row as it is now (the caller's copy may predate its host, hence its zone)
    if instance.config_drive:
        current = records.get(context, instance.uuid)
    else:
        current = records.update(context, instance.uuid, config_drive='True')
    return drive.files(current, network_info, admin_password)
