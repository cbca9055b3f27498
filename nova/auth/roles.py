"""Role names and what each implies, as Keystone's default roles do: admin
implies manager, manager implies member, member implies reader. service
stands alone (service users). These five are built in: they cannot be deleted."""

ADMIN, MANAGER, MEMBER, READER, SERVICE = 'admin', 'manager', 'member', 'reader', 'service'
BUILT_IN = (ADMIN, MANAGER, MEMBER, READER, SERVICE)
IMPLIES = {ADMIN: (MANAGER,), MANAGER: (MEMBER,), MEMBER: (READER,)}


def effective_roles(names):
    """The role names with every role they imply, sorted."""
    found, pending = set(), list(names)
    while pending:
        name = pending.pop()
        if name not in found:
            found.add(name)
            pending.extend(IMPLIES.get(name, ()))
    return sorted(found)
