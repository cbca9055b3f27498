"""Publishing each monitored instance's graphs to the objectstore, as classic Nova did.

Every --monitor_graph_interval the monitor renders the CPU, disk and network
graphs of its host's monitored instances and PUTs them into the instance's
project bucket (--monitor_graph_bucket) as ``<uuid>/<group>-<period>.png``
(group cpu, disk or network; period hour, day, week, month or year). A graph
is rendered again only once its period's resolution has passed since its last
publication (an hour graph every interval, a year graph once a day), so a
step costs what changed.

The objectstore is reached over S3, as any host would (hosts share only
RabbitMQ and the database), with the EC2 credentials of --monitor_s3_user (an
administrator). The bucket and its objects grant READ to the project's
canonical id, so the project's own users read them with their keys; an
objectstore that refuses grants gets private objects (administrators only),
which is logged once.
"""
import logging
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
from nova.monitor import graphs, metrics, statistics

LOG = logging.getLogger(__name__)


class GraphPublisher:
    def __init__(self, host, store):
        self.host, self.store = host, store
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
        LOG.warning('The objectstore refuses ACL grants: graphs are published private '
                    '(administrators only)')
        self._grants_refused = True

    def publish(self, context, now=None):
        """Render and upload the graphs that are due; how many were uploaded."""
        now = now or time.time()
        uploaded = 0
        for row in db.instance_monitoring_rows(context, host=self.host):
            path = self.store.find(row.uuid)
            if path is None or not metrics.monitoring_enabled(row.monitoring):
                continue
            bucket = CONF.monitor_graph_bucket % {'project_id': row.project_id}
            for period in metrics.PERIODS:
                last = self._published.get((row.uuid, period))
                step = self.store.step_of(path)
                if last is not None and now - last < graphs.resolution(period, step):
                    continue
                try:
                    for group in metrics.GRAPHS:
                        queries = graphs.group_queries(row.uuid, group, period, now, step)
                        png = graphs.render_group(
                            group, period, queries,
                            statistics.answer_rates(self.store, queries))
                        self._put(bucket, '%s/%s-%s.png' % (row.uuid, group, period), png,
                                  row.project_id)
                        uploaded += 1
                        eventlet.sleep(0)  # the sampler's turn, between two graphs
                except (botocore_exceptions.BotoCoreError,
                        botocore_exceptions.ClientError, exception.NovaException) as e:
                    LOG.warning('Graphs of %s not published: %s', row.uuid, e)
                    return uploaded
                self._published[(row.uuid, period)] = now
        return uploaded
