"""Who may correct a party's master data (name, code, address …).

The registry is read by every stage, but a party's data is corrected only by a department whose
own records name the party — a record it may handle (`workable_by`: its own department's or a
joint one) among the registered party links (parties/history.py) — or by an administrator
(superuser or 系统管理员). A party no record names yet is corrected by the department that
registered it. Everyone else gets 403 on the edit page and its POST, and no edit button: the
party itself is not secret (every role with parties.view_party sees the registry), so a 404
would hide nothing; what is refused is the change. Every change is audited (Party is an
AuditedModel). An officer of another city could otherwise rewrite the address this city's
磋商告知书 prints."""

from __future__ import annotations

from accounts.roles import Role, has_role

from .history import registered_links


def _names(link, qs, party) -> bool:
    return qs.filter(**{link.party_field: party.pk}).exists()


def named_by_records_of(party, user) -> bool:
    """A record the user may handle (the model's `workable_by`) names the party."""
    for link in registered_links():
        manager = link.model._default_manager
        if hasattr(manager, "workable_by") and _names(link, manager.workable_by(user), party):
            return True
    return False


def named_by_any_record(party) -> bool:
    return any(_names(link, link.model._default_manager.all(), party)
               for link in registered_links())


def is_administrator(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or has_role(user, Role.ADMIN)))


def may_edit_party(user, party) -> bool:
    if not (user.is_authenticated and user.has_perm("parties.change_party")):
        return False
    if is_administrator(user):
        return True
    department_id = getattr(user, "department_id", None)
    if department_id is None:
        return False
    if named_by_records_of(party, user):
        return True
    creator = party.created_by
    return creator.department_id == department_id and not named_by_any_record(party)
