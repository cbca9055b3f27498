"""Role names and what each implies, as Keystone's default roles do."""

ADMIN, MEMBER, READER = 'admin', 'member', 'reader'
IMPLIES = {ADMIN: (MEMBER,), MEMBER: (READER,)}


def effective_roles(names):
    """The role names with every role they imply, sorted."""
    found, pending = set(), list(names)
    while pending:
        name = pending.pop()
        if name not in found:
            found.add(name)
            pending.extend(IMPLIES.get(name, ()))
    return sorted(found)
