"""/os-instance_usage_audit_log (admins): which compute hosts audited instance usage
for the last completed audit period (or the last one before a time), and the totals."""
import datetime

import webob.exc

from nova import policy
from nova.api.openstack import wsgi
from nova.compute import usage_audit
from nova.i18n import _

RULE = 'os_compute_api:os-instance-usage-audit-log:%s'
_FORMATS = ('%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d %H:%M:%S')


def _before(text):
    for layout in _FORMATS:
        try:
            return datetime.datetime.strptime(text, layout)
        except ValueError:
            continue
    raise webob.exc.HTTPBadRequest(explanation=(
        _('Invalid timestamp for date %s: expected YYYY-MM-DD HH:MM:SS[.ffffff]') % text))


class InstanceUsageAuditLogController(wsgi.Controller):
    def index(self, req):
        policy.authorize(req.context, RULE % 'list', {})
        return {'instance_usage_audit_logs': usage_audit.summary(req.context)}

    def show(self, req, id):
        policy.authorize(req.context, RULE % 'show', {})
        return {'instance_usage_audit_log': usage_audit.summary(req.context,
                                                                before=_before(id))}
