"""What the monitor records of each instance, and how CloudWatch names it.

Each sample is a data source (DS) of the instance's round-robin archive, fed
with a cumulative counter so that rrdtool derives the rate; a CloudWatch
metric is one DS read back and scaled to what AWS reports per sample:
CPUUtilization in percent of the instance's vCPUs, the others as the amount
in one sampling step (bytes or operations per step, as AWS's EC2 metrics are
amounts per sampling minute).
"""
import dataclasses

from nova.conf import CONF

NAMESPACE = 'AWS/EC2'
DIMENSION = 'InstanceId'
STATISTICS = ('SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum')


@dataclasses.dataclass(frozen=True)
class Metric:
    name: str  # CloudWatch's
    ds: str  # the archive's data source
    unit: str
    group: str  # the graph it is drawn in: cpu, disk or network
    label: str  # a legend for graphs and nova-manage


METRICS = {m.name: m for m in (
    Metric('CPUUtilization', 'cpu', 'Percent', 'cpu', 'CPU %'),
    Metric('DiskReadBytes', 'disk_rbytes', 'Bytes', 'disk', 'disk read'),
    Metric('DiskWriteBytes', 'disk_wbytes', 'Bytes', 'disk', 'disk write'),
    Metric('DiskReadOps', 'disk_rops', 'Count', 'disk', 'disk read ops'),
    Metric('DiskWriteOps', 'disk_wops', 'Count', 'disk', 'disk write ops'),
    Metric('NetworkIn', 'net_inbytes', 'Bytes', 'network', 'network in'),
    Metric('NetworkOut', 'net_outbytes', 'Bytes', 'network', 'network out'),
    Metric('NetworkPacketsIn', 'net_inpkts', 'Count', 'network', 'packets in'),
    Metric('NetworkPacketsOut', 'net_outpkts', 'Count', 'network', 'packets out'),
)}
DATA_SOURCES = tuple(m.ds for m in METRICS.values())

# graph group -> (title, vertical label, metrics drawn as rates per second)
GRAPHS = {
    'cpu': ('CPU utilization', 'percent', ('CPUUtilization',)),
    'disk': ('Disk', 'bytes/s', ('DiskReadBytes', 'DiskWriteBytes')),
    'network': ('Network', 'bytes/s', ('NetworkIn', 'NetworkOut')),
}
# graph period -> seconds shown
PERIODS = {'hour': 3600, 'day': 86400, 'week': 7 * 86400, 'month': 31 * 86400,
           'year': 366 * 86400}



def monitoring_enabled(flag):
    """Whether an instance is sampled, from its monitoring column (True, False, or
    None: never switched, --monitor_new_instances decides)."""
    return CONF.monitor_new_instances if flag is None else bool(flag)


# ns of CPU time per second per vCPU -> percent
CPU_PERCENT_PER_RATE = 100.0 / 1e9


def counters(stats):
    """{ds: cumulative integer counter} from an InstanceStats dict (vifs summed).

    CPU time is fed per vCPU, so that its rate is a share of the instance however
    many vCPUs it has."""
    vifs = stats.get('vifs') or ()
    return {
        'cpu': int(stats.get('cpu_time_ns', 0)) // max(int(stats.get('vcpus') or 1), 1),
        'disk_rbytes': int(stats.get('disk_read_bytes', 0)),
        'disk_wbytes': int(stats.get('disk_write_bytes', 0)),
        'disk_rops': int(stats.get('disk_read_requests', 0)),
        'disk_wops': int(stats.get('disk_write_requests', 0)),
        'net_inbytes': sum(int(v.get('rx_bytes', 0)) for v in vifs),
        'net_outbytes': sum(int(v.get('tx_bytes', 0)) for v in vifs),
        'net_inpkts': sum(int(v.get('rx_packets', 0)) for v in vifs),
        'net_outpkts': sum(int(v.get('tx_packets', 0)) for v in vifs),
    }


def sample_scale(metric, step):
    """Factor from the archive's rate (per second) to one CloudWatch sample."""
    return CPU_PERCENT_PER_RATE if metric.ds == 'cpu' else float(step)


def rate_scale(metric):
    """Factor from the archive's rate to what graphs draw (percent, or per second)."""
    return CPU_PERCENT_PER_RATE if metric.ds == 'cpu' else 1.0
