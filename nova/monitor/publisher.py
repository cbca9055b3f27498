"""Publishing each monitored instance's graphs to the objectstore, as classic Nova did.

Every --monitor_graph_interval the monitor renders the CPU, disk and network
graphs of its host's monitored instances and PUTs them into the instance's
project bucket (--monitor_graph_bucket) as ``<uuid>/<group>-<period>.png``
(group cpu, disk or network; period hour, day, week, month or year). A graph
is rendered again only once its period's resolution has passed since its last
publication (an hour graph every interval, a year graph once a day), so a
step costs what changed. The graphs of an instance that moved here draw the
series of the hosts it left too (asked over RPC, merged as MonitorAPI does).

The objectstore is reached over S3, as any host would (hosts share only
RabbitMQ and the database), with the EC2 credentials of --monitor_s3_user (an
administrator). The bucket and its objects grant READ to the project's
canonical id, so the project's own users read them with their keys; an
objectstore that refuses grants gets private objects (administrators only),
which is logged once.
"""
import logging
import math
import time

import boto3
import eventlet
from botocore import config as botocore_config
from botocore import exceptions as botocore_exceptions

from nova import context as nova_context
from nova import exception
from nova.auth import endpoints
from nova.auth import manager as auth_manager
from nova.conf import CONF
from nova.db import api as db
from nova.i18n import _LW
from nova.monitor import api as monitor_api
from nova.monitor import graphs, metrics, rpcapi, statistics

LOG = logging.getLogger(__name__)


class _HostFirst:
    """The monitors' reads as MonitorAPI asks them: this host's from its own store,
    the other hosts' (those a moved instance left) from ``others``."""

    def __init__(self, host, store, others):
        self.host, self.store, self.others = host, store, others

    def get_rates(self, ctxt, host, queries):
        if host == self.host:
            return statistics.answer_rates(self.store, queries)
        return self.others.get_rates(ctxt, host, queries)


class GraphPublisher:
    def __init__(self, host, store, others=None):
        """others: what answers other hosts' monitors' reads (default their RPC API; a
        test passes nova.monitor.local.LocalArchives)."""
        self.host, self.store = host, store
        self._monitor = monitor_api.MonitorAPI(
            _HostFirst(host, store, others or rpcapi.InstanceMonitorAPI()))
        self._client = None
        self._published = {}  # (uuid, period) -> when
        self._buckets = set()
        self._grants_refused = False

    def _s3(self):
        if self._client is None:
            ctxt = nova_context.get_admin_context()
            user = auth_manager.get_user_by_name(ctxt, CONF.monitor_s3_user)
            credentials = auth_manager.list_ec2_credentials(ctxt, user.id)
            if not credentials:
                raise exception.NotFound('user %s has no EC2 credentials to publish graphs '
                                         'with' % CONF.monitor_s3_user)
            self._client = boto3.session.Session().client(
                's3', endpoint_url=CONF.monitor_s3_url or endpoints.url('objectstore'),
                aws_access_key_id=credentials[0].access,
                aws_secret_access_key=credentials[0].secret, region_name=CONF.region_name,
                config=botocore_config.Config(signature_version='s3v4',
                                              s3={'addressing_style': 'path'},
                                              retries={'max_attempts': 2}))
        return self._client

    def _put(self, bucket, key, body, project_id):
        client = self._s3()
        grant = {} if self._grants_refused else {'GrantRead': 'id=%s' % project_id}
        if bucket not in self._buckets:
            try:
                client.create_bucket(Bucket=bucket, **grant)
            except botocore_exceptions.ClientError as e:
                code = e.response.get('Error', {}).get('Code')
                if code == 'NotImplemented' and grant:
                    self._refused()
                    return self._put(bucket, key, body, project_id)
                if code not in ('BucketAlreadyOwnedByYou', 'BucketAlreadyExists'):
                    raise
            self._buckets.add(bucket)
        try:
            client.put_object(Bucket=bucket, Key=key, Body=body, ContentType='image/png',
                              **grant)
        except botocore_exceptions.ClientError as e:
            if e.response.get('Error', {}).get('Code') == 'NotImplemented' and grant:
                self._refused()
                return self._put(bucket, key, body, project_id)
            raise

    def _refused(self):
        LOG.warning(_LW('The objectstore refuses ACL grants: graphs are published private '
                    '(administrators only)'))
        self._grants_refused = True

    def publish(self, context, now=None):
        """Render and upload the graphs that are due; how many were uploaded."""
        now = now or time.time()
        uploaded = 0
        rows = {row.uuid: row for row in db.instance_monitoring_rows(context, host=self.host)}
        moved = self._monitor.earlier_hosts(context, rows)  # one query a round
        for row in rows.values():
            path = self.store.find(row.uuid)
            if path is None or not metrics.monitoring_enabled(row.monitoring):
                continue
            step = self.store.step_of(path)
            due = [(period, group, graphs.group_queries(row.uuid, group, period, now, step))
                   for period in metrics.PERIODS
                   if now - self._published.get((row.uuid, period), -math.inf)
                   >= graphs.resolution(period, step)
                   for group in metrics.GRAPHS]
            if not due:
                continue
            bucket = CONF.monitor_graph_bucket % {'project_id': row.project_id}
            try:
                answers = iter(self._rates(context, row, moved,
                                           [q for _p, _g, queries in due for q in queries]))
                for period, group, queries in due:
                    png = graphs.render_group(group, period, queries,
                                              [next(answers) for _query in queries])
                    self._put(bucket, '%s/%s-%s.png' % (row.uuid, group, period), png,
                              row.project_id)
                    uploaded += 1
                    if group == list(metrics.GRAPHS)[-1]:
                        self._published[(row.uuid, period)] = now
                    eventlet.sleep(0)  # the sampler's turn, between two graphs
            except (botocore_exceptions.BotoCoreError,
                    botocore_exceptions.ClientError, exception.NovaException) as e:
                LOG.warning(_LW('Graphs of %s not published: %s'), row.uuid, e)
                return uploaded
        return uploaded

    def _rates(self, context, row, moved, queries):
        """The get_rates answers of all of an instance's due graphs: from this host's
        archives, and for an instance that moved here, merged with those of the hosts
        it left (one RPC call to each a round)."""
        if row.uuid not in moved:
            return statistics.answer_rates(self.store, queries)
        return self._monitor.rates_of(context, queries, {row.uuid: row}, moved)
