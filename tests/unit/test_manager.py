"""Periodic tasks: spacing honoured, one failing task never stops the others."""
from nova import manager


class Probe(manager.Manager):
    def __init__(self, **kw):
        self.calls = []
        super().__init__(**kw)

    @manager.periodic_task(run_immediately=True)
    def every_loop(self, context):
        self.calls.append('every')

    @manager.periodic_task(spacing=3600, run_immediately=True)
    def hourly(self, context):
        self.calls.append('hourly')

    @manager.periodic_task(spacing=3600)
    def not_yet(self, context):
        self.calls.append('not_yet')

    @manager.periodic_task
    def broken(self, context):
        raise RuntimeError('boom')


def test_periodic_tasks_run_by_spacing_and_survive_failures():
    probe = Probe(host='h')
    idle = probe.periodic_tasks(None)
    assert sorted(probe.calls) == ['every', 'hourly']
    probe.periodic_tasks(None)
    assert probe.calls.count('every') == 2 and probe.calls.count('hourly') == 1
    assert 'not_yet' not in probe.calls
    assert idle is not None and idle <= 3600


def test_ping_reports_host_and_echoes():
    assert Probe(host='h1', service_name='nova-x').ping(None, arg=5) == {
        'host': 'h1', 'service': 'nova-x', 'arg': 5}
