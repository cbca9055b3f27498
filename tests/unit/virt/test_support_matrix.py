"""doc/support-matrix.md is what the drivers declare today (tools/support_matrix.py)."""
import os
import subprocess
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, os.pardir))
TOOL = os.path.join(REPO, 'tools', 'support_matrix.py')


def test_the_support_matrix_is_up_to_date():
    result = subprocess.run([sys.executable, TOOL, '--check'], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_matrix_shows_each_drivers_capabilities():
    sys.path.insert(0, os.path.dirname(TOOL))
    try:
        import support_matrix
    finally:
        sys.path.remove(os.path.dirname(TOOL))
    rows = {line.split(' | ')[0].lstrip('| '): line.rstrip(' |').split(' | ')[2:]
            for line in support_matrix.render().splitlines() if line.startswith('| ')}
    assert rows['feature'] == ['fake', 'libvirt-qemu', 'libvirt-kvm', 'xenapi']
    assert rows['pause / unpause'] == ['yes', 'yes', 'yes', 'yes']
    assert rows['live migration'] == ['yes', 'yes', 'yes', 'no']
    assert rows['live migration abort / force complete'] == ['yes', 'yes', 'yes', 'no']
    # the XenAPI column is the driver's own table: what XAPI gives it, nothing more
    assert rows['volume attach / detach'][3] == 'yes'
    assert rows['resize and cold migration'][3] == 'no'
