"""Domain XML, built with ElementTree from plain values and read back the same way.

Every value that comes from a user (display name, image properties, the
kernel command line) is an element's text or an attribute, so that it is
escaped by the XML library; nothing here pastes strings into XML. Nova's own
facts about a guest (flavor sizes, owner, image) travel in the domain's
``<metadata>`` under Nova's namespace, so the host can count what its guests
were given without asking the database.
"""
import dataclasses
import xml.etree.ElementTree as ET

import defusedxml.ElementTree as SafeET

NOVA_NS = 'http://openstack.org/xmlns/libvirt/nova/1.0'
ET.register_namespace('nova', NOVA_NS)


def _nova(tag):
    return '{%s}%s' % (NOVA_NS, tag)


def _sub(parent, tag, text=None, **attrs):
    element = ET.SubElement(parent, tag, {k: str(v) for k, v in attrs.items()
                                          if v is not None})
    if text is not None:
        element.text = str(text)
    return element


def to_string(element):
    return ET.tostring(element, encoding='unicode')


@dataclasses.dataclass(frozen=True)
class Disk:
    """A disk of the guest: a local file, or a network (iSCSI) volume."""

    target: str  # vda, vdb, ...
    path: str = None  # file disks, or block devices when block is true
    block: bool = False
    format: str = 'qcow2'  # qcow2 or raw
    bus: str = 'virtio'
    device: str = 'disk'  # disk or cdrom
    readonly: bool = False
    serial: str = None
    # network disks (protocol 'iscsi'): source name, hosts [(name, port)], CHAP
    protocol: str = None
    name: str = None
    hosts: tuple = ()
    auth_username: str = None
    secret_usage: str = None
    shareable: bool = False  # a multiattach volume: other guests write it too


@dataclasses.dataclass(frozen=True)
class Interface:
    """A NIC on a Linux bridge: libvirt makes the tap and adds it to the bridge."""

    mac: str
    bridge: str
    tap: str = None
    model: str = 'virtio'


@dataclasses.dataclass(frozen=True)
class Guest:
    uuid: str
    name: str
    virt_type: str  # kvm or qemu
    memory_kb: int
    vcpus: int
    disks: tuple
    interfaces: tuple = ()
    kernel: str = None
    ramdisk: str = None
    cmdline: str = None
    console_log: str = None
    tcg_tb_cache_mb: int = 0
    # Nova's facts, kept in <metadata>
    display_name: str = ''
    flavor: dict = dataclasses.field(default_factory=dict)
    owner: dict = dataclasses.field(default_factory=dict)
    image_id: str = None
    # devices carried over from an earlier definition (volumes, NICs), as XML
    extra_devices: tuple = ()


def disk_element(disk):
    if disk.protocol:
        element = ET.Element('disk', type='network', device=disk.device)
        _sub(element, 'driver', name='qemu', type='raw', cache='none')
        source = _sub(element, 'source', protocol=disk.protocol, name=disk.name)
        for host, port in disk.hosts:
            _sub(source, 'host', name=host, port=port)
        if disk.auth_username:
            auth = _sub(element, 'auth', username=disk.auth_username)
            _sub(auth, 'secret', type=disk.protocol, usage=disk.secret_usage)
    elif disk.block:
        element = ET.Element('disk', type='block', device=disk.device)
        _sub(element, 'driver', name='qemu', type='raw')
        _sub(element, 'source', dev=disk.path)
    else:
        element = ET.Element('disk', type='file', device=disk.device)
        _sub(element, 'driver', name='qemu', type=disk.format)
        _sub(element, 'source', file=disk.path)
    _sub(element, 'target', dev=disk.target, bus=disk.bus)
    if disk.readonly:
        _sub(element, 'readonly')
    if disk.shareable:
        _sub(element, 'shareable')
    if disk.serial:
        _sub(element, 'serial', disk.serial)
    return element


def interface_element(interface):
    element = ET.Element('interface', type='bridge')
    _sub(element, 'mac', address=interface.mac)
    _sub(element, 'source', bridge=interface.bridge)
    if interface.tap:
        _sub(element, 'target', dev=interface.tap)
    _sub(element, 'model', type=interface.model)
    return element


def _metadata(parent, guest):
    instance = _sub(_sub(parent, 'metadata'), _nova('instance'))
    _sub(instance, _nova('name'), guest.display_name or '')
    flavor = _sub(instance, _nova('flavor'), name=guest.flavor.get('name'))
    for key in ('memory', 'disk', 'swap', 'ephemeral', 'vcpus'):
        _sub(flavor, _nova(key), int(guest.flavor.get(key) or 0))
    owner = _sub(instance, _nova('owner'))
    _sub(owner, _nova('user'), uuid=guest.owner.get('user'))
    _sub(owner, _nova('project'), uuid=guest.owner.get('project'))
    if guest.image_id:
        _sub(instance, _nova('root'), type='image', uuid=guest.image_id)


def domain_xml(guest):
    """The <domain> document for ``guest``."""
    domain = ET.Element('domain', type=guest.virt_type)
    _sub(domain, 'name', guest.name)
    _sub(domain, 'uuid', guest.uuid)
    _metadata(domain, guest)
    _sub(domain, 'memory', guest.memory_kb, unit='KiB')
    _sub(domain, 'vcpu', guest.vcpus)
    sysinfo = _sub(_sub(domain, 'sysinfo', type='smbios'), 'system')
    for name, value in (('manufacturer', 'OpenStack Foundation'), ('product', 'OpenStack Nova'),
                        ('serial', guest.uuid), ('uuid', guest.uuid)):
        _sub(sysinfo, 'entry', value, name=name)
    os_ = _sub(domain, 'os')
    _sub(os_, 'type', 'hvm', arch='x86_64', machine='pc')
    if guest.kernel:
        _sub(os_, 'kernel', guest.kernel)
        if guest.ramdisk:
            _sub(os_, 'initrd', guest.ramdisk)
        if guest.cmdline:
            _sub(os_, 'cmdline', guest.cmdline)
    else:
        _sub(os_, 'boot', dev='hd')
    _sub(os_, 'smbios', mode='sysinfo')
    features = _sub(domain, 'features')
    _sub(features, 'acpi')  # without it the guest cannot be asked to power off
    _sub(features, 'apic')
    if guest.virt_type == 'qemu' and guest.tcg_tb_cache_mb:
        _sub(_sub(features, 'tcg'), 'tb-cache', guest.tcg_tb_cache_mb, unit='MiB')
    _sub(domain, 'clock', offset='utc')
    _sub(domain, 'on_poweroff', 'destroy')
    _sub(domain, 'on_reboot', 'restart')
    _sub(domain, 'on_crash', 'destroy')
    devices = _sub(domain, 'devices')
    for disk in guest.disks:
        devices.append(disk_element(disk))
    for interface in guest.interfaces:
        devices.append(interface_element(interface))
    for device in guest.extra_devices:
        devices.append(SafeET.fromstring(device))
    if guest.console_log:
        serial = _sub(devices, 'serial', type='file')
        _sub(serial, 'source', path=guest.console_log, append='on')
        _sub(serial, 'target', port=0)
    _sub(devices, 'memballoon', model='none')
    return to_string(domain)


def secret_xml(usage):
    """A private, persistent iSCSI (CHAP) secret found by its usage name."""
    secret = ET.Element('secret', ephemeral='no', private='yes')
    _sub(secret, 'description', 'Nova volume CHAP secret')
    _sub(_sub(secret, 'usage', type='iscsi'), 'target', usage)
    return to_string(secret)


# --- reading domain XML back ---

@dataclasses.dataclass(frozen=True)
class Allotment:
    """What a guest was given: the host counts these as used."""

    vcpus: int
    memory_mb: int
    disk_gb: int


def parse(xml):
    return SafeET.fromstring(xml)


def allotment(xml):
    root = parse(xml)
    memory = root.find('memory')
    kb = int(memory.text) * {'KiB': 1, 'MiB': 1024, 'GiB': 1024 * 1024}.get(
        memory.get('unit', 'KiB'), 1)
    flavor = root.find('metadata/%s/%s' % (_nova('instance'), _nova('flavor')))
    disk_gb = 0
    if flavor is not None:
        for key in ('disk', 'ephemeral'):
            found = flavor.find(_nova(key))
            disk_gb += int(found.text) if found is not None and found.text else 0
        swap = flavor.find(_nova('swap'))
        swap_mb = int(swap.text) if swap is not None and swap.text else 0
        disk_gb += (swap_mb + 1023) // 1024
    return Allotment(vcpus=int(root.find('vcpu').text), memory_mb=kb // 1024,
                     disk_gb=disk_gb)


def disk_targets(xml):
    """{target dev: <disk> element} of a domain's disks."""
    return {disk.find('target').get('dev'): disk
            for disk in parse(xml).findall('devices/disk')}


def interfaces_by_mac(xml):
    """{mac: <interface> element} of a domain's NICs."""
    return {nic.find('mac').get('address').lower(): nic
            for nic in parse(xml).findall('devices/interface')
            if nic.find('mac') is not None}


def nic_devices(xml):
    """XML of each NIC of a domain."""
    return tuple(to_string(nic) for nic in parse(xml).findall('devices/interface'))


def volume_devices(xml, local_targets):
    """XML of each disk of a domain other than ``local_targets``: its volumes."""
    return tuple(to_string(disk) for disk in parse(xml).findall('devices/disk')
                 if disk.find('target').get('dev') not in local_targets)


def file_disks(xml):
    """[(target, path, format)] of a domain's file-backed disks."""
    found = []
    for disk in parse(xml).findall('devices/disk'):
        source = disk.find('source')
        if disk.get('type') == 'file' and source is not None and source.get('file'):
            driver = disk.find('driver')
            found.append((disk.find('target').get('dev'), source.get('file'),
                          driver.get('type') if driver is not None else 'raw'))
    return found


def replace_disk(xml, target, new_element):
    """The domain XML with its disk at ``target`` replaced by ``new_element``, which
    keeps the old disk's <address> (the guest finds it in the same PCI slot)."""
    root = parse(xml)
    devices = root.find('devices')
    for index, disk in enumerate(devices):
        if disk.tag == 'disk' and disk.find('target').get('dev') == target:
            address = disk.find('address')
            if address is not None:
                new_element.append(address)
            devices[index] = new_element
            return to_string(root)
    raise ValueError('no disk %s in the domain' % target)
