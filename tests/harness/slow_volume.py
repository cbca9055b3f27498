"""A file volume driver that pauses where a test asks, to kill nova-volume mid-step.

Run nova-volume with ``--volume_driver=tests.harness.slow_volume.SlowFileDriver``;
write ``{"create_volume": 30}`` (method: seconds) to ``$state_path/slow-volume.json``:
the next calls of that method first touch ``$state_path/slow-volume.<method>`` (so
that the test knows the step started) and sleep. Without the file it is the file
driver.
"""
import json
import os
import time

from nova.conf import CONF
from nova.volume.drivers import file as file_driver


def _control():
    return os.path.join(CONF.state_path, 'slow-volume.json')


def arm(state_path, **delays):
    """Make the driver of the nova-volume using state_path pause: method=seconds."""
    with open(os.path.join(state_path, 'slow-volume.json'), 'w') as f:
        json.dump(delays, f)


def disarm(state_path):
    try:
        os.unlink(os.path.join(state_path, 'slow-volume.json'))
    except FileNotFoundError:
        pass


def started(state_path, method):
    return os.path.exists(os.path.join(state_path, 'slow-volume.%s' % method))


class SlowFileDriver(file_driver.FileDriver):
    def _pause(self, method):
        try:
            with open(_control()) as f:
                seconds = json.load(f).get(method)
        except FileNotFoundError:
            return
        if seconds:
            open(os.path.join(CONF.state_path, 'slow-volume.%s' % method), 'w').close()
            time.sleep(seconds)

    def create_volume(self, name, size_gb):
        super().create_volume(name, size_gb)
        self._pause('create_volume')  # the file exists: a crash now leaves it behind

    def local_path(self, name):
        self._pause('local_path')  # exports (create, initialize_connection) read it
        return super().local_path(name)
