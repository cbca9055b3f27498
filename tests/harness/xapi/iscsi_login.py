"""A real iSCSI login for the test server's iscsi SRs: QEMU's userspace initiator.

XAPI logs its host into the target named in a PBD's device_config when the
PBD is plugged, and SR.scan lists the LUNs it found. The test server does the
same against a real target (tgtd started by the test) with ``qemu-img info``
over libiscsi, with the CHAP account when one is given: a wrong portal, IQN
or password fails the plug as XAPI's ISCSILogin does. The kernel initiator
does not work on these machines; libiscsi does. A guest reads the first
bytes of a hot-plugged volume the same way (``read_head``).
"""
import json
import re
import subprocess

MAX_LUNS = 8
_DUMP_LINE = re.compile(r'^[0-9a-f]{8}:  ((?:[0-9a-f]{2} ?){1,16})')  # qemu-io read -v


def _opts(config, lun):
    opts = ['driver=iscsi', 'transport=tcp',
            'portal=%s:%s' % (config['target'], config.get('port') or '3260'),
            'target=%s' % config['targetIQN'], 'lun=%d' % lun]
    if config.get('chapuser'):
        opts += ['user=%s' % config['chapuser'], 'password=%s' % config.get('chappassword', '')]
    return ','.join(opts)


def read_head(config, lun, size=512):
    """The first ``size`` bytes of a LUN, read through the target (b'' if unreadable)."""
    result = subprocess.run(['qemu-io', '--image-opts', _opts(config, lun),
                             '-c', 'read -v 0 %d' % size],
                            capture_output=True, text=True, timeout=30)
    data = bytearray()
    for line in result.stdout.splitlines():
        match = _DUMP_LINE.match(line)
        if match:
            data += bytes.fromhex(match.group(1))
    return bytes(data)


def _probe(config, lun):
    result = subprocess.run(['qemu-img', 'info', '--output=json', '--image-opts',
                             _opts(config, lun)], capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        return None, result.stderr.strip()
    return int(json.loads(result.stdout)['virtual-size']), ''


def discover(config):
    """{lun: size} of the disks the target serves (LUN 0 of tgtd is its controller), or
    raise LookupError with the initiator's words when the login fails."""
    luns, reason = {}, ''
    for lun in range(MAX_LUNS):
        size, why = _probe(config, lun)
        if size is not None:
            luns[lun] = size
        elif lun > 0 and luns:
            break  # past the last LUN
        else:
            reason = reason or why
    if not luns:
        raise LookupError(reason or 'no LUN answered')
    return luns
