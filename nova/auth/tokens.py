"""Bearer tokens: issue, validate (with a short in-process cache), revoke.

A token is 32 random bytes, URL-safe base64; the database keeps only its
SHA-256, so a leaked table grants nothing. Validation runs on every API
request: what a validated token says (user, project, roles and their names)
is kept in memory for --token_cache_ttl seconds (never past its expiry), and
a remembered token costs one primary-key read of its revoked flag, so a
revocation (or a role removal, a user or project deleted or disabled, which
revoke tokens) reaches every API process, on every host, at once.
"""
import base64
import dataclasses
import datetime
import hashlib
import logging
import secrets
import threading
import time

from nova import context as nova_context
from nova import exception
from nova import utils
from nova.auth import roles as auth_roles
from nova.conf import CONF
from nova.db import api as db

LOG = logging.getLogger(__name__)

CACHE_SIZE = 10000


@dataclasses.dataclass(frozen=True)
class TokenInfo:
    """What a valid token says: who, in which project, with which roles, until when."""

    id: str  # SHA-256 of the token string
    user_id: str
    user_name: str
    project_id: str | None
    project_name: str | None
    roles: tuple  # ({'id': ..., 'name': ...}, ...), implied roles included
    methods: tuple
    audit_id: str
    issued_at: datetime.datetime
    expires_at: datetime.datetime
    auth_token: str | None = None  # the token string, when validated from it

    @property
    def role_names(self):
        return [role['name'] for role in self.roles]

    @property
    def scoped(self):
        return self.project_id is not None

    def expired(self, now=None):
        return self.expires_at <= (now or utils.utcnow())


def token_id(token):
    """The key a token string is stored under."""
    return hashlib.sha256(token.encode('utf-8')).hexdigest()


def _audit_id():
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b'=').decode('ascii')


class _Cache:
    """token string -> (TokenInfo, monotonic deadline), bounded in size."""

    def __init__(self):
        self._entries = {}
        self._lock = threading.Lock()

    def get(self, token):
        entry = self._entries.get(token)
        if entry is None:
            return None
        info, deadline = entry
        if deadline < time.monotonic() or info.expired():
            self._entries.pop(token, None)
            return None
        return info

    def put(self, token, info):
        ttl = CONF.token_cache_ttl
        if not ttl:
            return
        with self._lock:
            if len(self._entries) >= CACHE_SIZE:
                now = time.monotonic()
                self._entries = {k: v for k, v in self._entries.items() if v[1] >= now}
                if len(self._entries) >= CACHE_SIZE:
                    self._entries = {}
            self._entries[token] = (info, time.monotonic() + ttl)

    def pop(self, token):
        self._entries.pop(token, None)

    def clear(self):
        self._entries = {}


_cache = _Cache()


def invalidate_cache():
    """Forget every validated token (a user, project or role assignment changed)."""
    _cache.clear()


def issue(user, project=None, methods=('password',)):
    """(token string, TokenInfo) for an authenticated User row, scoped to a Project row.

    Unscoped when project is None (no roles). UserDisabled, ProjectDisabled,
    or ProjectAccessDenied when the user has no role on the project.
    """
    if not user.enabled:
        raise exception.UserDisabled(user_id=user.id)
    roles = ()
    if project is not None:
        if not project.enabled:
            raise exception.ProjectDisabled(project_id=project.id)
        roles = _token_roles(user.id, project.id)
        if not roles:
            raise exception.ProjectAccessDenied(user_id=user.id, project_id=project.id)
    token = secrets.token_urlsafe(32)
    issued_at = utils.utcnow()
    info = TokenInfo(
        id=token_id(token), user_id=user.id, user_name=user.name,
        project_id=project.id if project else None,
        project_name=project.name if project else None,
        roles=roles, methods=tuple(methods), audit_id=_audit_id(), issued_at=issued_at,
        expires_at=issued_at + datetime.timedelta(seconds=CONF.token_expiration),
        auth_token=token)
    db.token_create(nova_context.get_admin_context(), {
        'id': info.id, 'user_id': info.user_id, 'project_id': info.project_id,
        'roles': list(roles), 'methods': ','.join(methods), 'audit_id': info.audit_id,
        'issued_at': issued_at, 'expires_at': info.expires_at})
    LOG.info('Issued token %s for user %s on project %s', info.audit_id, user.id,
             info.project_id)
    return token, info


def _token_roles(user_id, project_id):
    """({'id', 'name'}, ...) of the user's roles on the project, implied ones added."""
    ctxt = nova_context.get_admin_context()
    assigned = db.user_roles_get(ctxt, user_id, project_id)
    names = auth_roles.effective_roles(role.name for role in assigned)
    by_name = {role.name: role.id for role in assigned}
    missing = set(names) - set(by_name)
    if missing:
        by_name.update({role.name: role.id for role in db.role_get_all(ctxt)
                        if role.name in missing})
    return tuple({'id': by_name[name], 'name': name} for name in names if name in by_name)


def validate(token):
    """The TokenInfo of a valid token; None when unknown, expired or revoked."""
    if not token:
        return None
    info = _cache.get(token)
    if info is not None:
        if db.token_is_live(nova_context.get_admin_context(), info.id):
            return info
        _cache.pop(token)
        return None
    try:
        row, user_name, project_name = db.token_get_with_names(
            nova_context.get_admin_context(), token_id(token))
    except exception.TokenNotFound:
        return None
    if row.revoked or row.expires_at <= utils.utcnow():
        return None
    info = TokenInfo(
        id=row.id, user_id=row.user_id, user_name=user_name, project_id=row.project_id,
        project_name=project_name, roles=tuple(row.roles), methods=tuple(
            row.methods.split(',')), audit_id=row.audit_id, issued_at=row.issued_at,
        expires_at=row.expires_at, auth_token=token)
    _cache.put(token, info)
    return info


def revoke(token):
    """Revoke a token string; TokenNotFound when it was never issued."""
    _cache.pop(token)
    db.token_revoke(nova_context.get_admin_context(), token_id(token))


def context_from_token(info, **kwargs):
    """The RequestContext a validated token stands for (kwargs: request_id, ...).

    is_admin is the admin role in the token's project.
    """
    roles = info.role_names
    return nova_context.RequestContext(
        user_id=info.user_id, project_id=info.project_id, roles=roles,
        is_admin=auth_roles.ADMIN in roles, user_name=info.user_name,
        project_name=info.project_name, auth_token=info.auth_token, **kwargs)
