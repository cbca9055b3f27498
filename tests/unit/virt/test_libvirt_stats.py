"""The instance monitor's counters from libvirt's bulk domain stats (the typed
parameters virConnectGetAllDomainStats answers for a QEMU guest)."""
from nova.monitor import metrics
from nova.virt.libvirt import stats

# what libvirt 9 answers for a guest with two disks and two interfaces (trimmed)
QEMU_GUEST = {
    'cpu.time': 7_250_000_000, 'cpu.user': 5_000_000_000, 'cpu.system': 2_000_000_000,
    'vcpu.current': 2, 'vcpu.maximum': 2, 'vcpu.0.state': 1, 'vcpu.0.time': 3_000_000_000,
    'net.count': 2,
    'net.0.name': 'tap1f2e3d4c-5b', 'net.0.rx.bytes': 1000, 'net.0.rx.pkts': 10,
    'net.0.rx.errs': 0, 'net.0.rx.drop': 0, 'net.0.tx.bytes': 400, 'net.0.tx.pkts': 4,
    'net.1.name': 'tap99887766-55', 'net.1.rx.bytes': 24, 'net.1.rx.pkts': 1,
    'net.1.tx.bytes': 0, 'net.1.tx.pkts': 0,
    'block.count': 2,
    'block.0.name': 'vda', 'block.0.rd.reqs': 300, 'block.0.rd.bytes': 4_194_304,
    'block.0.wr.reqs': 2, 'block.0.wr.bytes': 1024, 'block.0.fl.reqs': 1,
    'block.1.name': 'vdb', 'block.1.rd.reqs': 5, 'block.1.rd.bytes': 20_480,
    'block.1.wr.reqs': 0, 'block.1.wr.bytes': 0,
}


def test_a_guest_counters_summed_over_disks_and_kept_per_interface():
    got = stats.instance_stats(QEMU_GUEST, vcpus=4, read_at=1_800_000_000.5)
    assert got.read_at == 1_800_000_000.5
    assert (got.cpu_time_ns, got.vcpus) == (7_250_000_000, 2)  # the domain's own vCPUs
    assert (got.disk_read_bytes, got.disk_read_requests) == (4_214_784, 305)
    assert (got.disk_write_bytes, got.disk_write_requests) == (1024, 2)
    assert [(v.id, v.rx_bytes, v.rx_packets, v.tx_bytes, v.tx_packets) for v in got.vifs] == [
        ('tap1f2e3d4c-5b', 1000, 10, 400, 4), ('tap99887766-55', 24, 1, 0, 0)]
    # what the monitor records: CPU per vCPU, traffic of all interfaces
    recorded = metrics.counters(got.to_dict())
    assert recorded['cpu'] == 3_625_000_000
    assert (recorded['net_inbytes'], recorded['net_outpkts']) == (1024, 4)


def test_missing_groups_count_zero_and_vcpus_fall_back_to_the_flavor():
    got = stats.instance_stats({'cpu.time': 5}, vcpus=4, read_at=1.0)
    assert (got.cpu_time_ns, got.vcpus, got.disk_read_bytes, got.vifs) == (5, 4, 0, ())
