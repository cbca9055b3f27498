"""The instance monitor's counters of libvirt guests, from one bulk stats call.

``virConnectGetAllDomainStats`` answers every running (or paused) domain of
the host at once, as flat typed parameters (``cpu.time``, ``block.<n>.rd.bytes``,
``net.<n>.rx.pkts``, ...): one hypervisor call per sampling step however many
guests the host runs. Disks are summed (root, ephemeral, swap, config drive
and attached volumes: every block device the guest reads or writes), each
interface is one VifStats named by its tap device. libvirt counts an
interface's rx and tx from the guest's side, which is what NetworkIn and
NetworkOut mean. A shut-off guest is not in the answer: it has no sample, so
its series has a gap while it is off, as on AWS.
"""
from nova.virt import driver

def _sum(stats, group, field):
    return sum(int(stats.get('%s.%d.%s' % (group, n, field), 0))
               for n in range(int(stats.get('%s.count' % group, 0))))


def instance_stats(stats, vcpus, read_at):
    """InstanceStats of one domain's typed parameters (missing counters count 0)."""
    vifs = tuple(
        driver.VifStats(id=str(stats.get('net.%d.name' % n, 'net%d' % n)),
                        rx_bytes=int(stats.get('net.%d.rx.bytes' % n, 0)),
                        rx_packets=int(stats.get('net.%d.rx.pkts' % n, 0)),
                        tx_bytes=int(stats.get('net.%d.tx.bytes' % n, 0)),
                        tx_packets=int(stats.get('net.%d.tx.pkts' % n, 0)))
        for n in range(int(stats.get('net.count', 0))))
    return driver.InstanceStats(
        read_at=read_at, cpu_time_ns=int(stats.get('cpu.time', 0)),
        vcpus=int(stats.get('vcpu.current') or vcpus or 1),
        disk_read_bytes=_sum(stats, 'block', 'rd.bytes'),
        disk_read_requests=_sum(stats, 'block', 'rd.reqs'),
        disk_write_bytes=_sum(stats, 'block', 'wr.bytes'),
        disk_write_requests=_sum(stats, 'block', 'wr.reqs'),
        vifs=vifs)
