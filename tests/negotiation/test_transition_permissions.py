"""Every transition of the negotiation stage names who may run it: the handling officer
(cases.handle_case) for the work, the heads for the extra-meeting approval, the division head
for going on past the 90 days; nobody else."""

import pytest
from django_fsm import FSMFieldMixin

from accounts.roles import Role
from negotiation.models import (
    Agreement,
    Enforcement,
    JudicialConfirmation,
    Litigation,
    Negotiation,
)
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

MODELS = [Negotiation, Agreement, JudicialConfirmation, Litigation, Enforcement]
HEADS_ONLY = {("Negotiation", "approve_more_meetings"): {Role.DEPARTMENT_HEAD},
              ("Negotiation", "return_more_meetings"): {Role.DIVISION_HEAD,
                                                         Role.DEPARTMENT_HEAD},
              ("Negotiation", "approve_overrun"): {Role.DIVISION_HEAD},
              ("Negotiation", "return_overrun"): {Role.DIVISION_HEAD}}


def transitions():
    for model in MODELS:
        field = next(f for f in model._meta.concrete_fields if isinstance(f, FSMFieldMixin))
        seen = set()
        for t in field.get_all_transitions(model):
            if t.name not in seen:
                seen.add(t.name)
                yield pytest.param(model, t, id=f"{model.__name__}.{t.name}")


@pytest.fixture
def users():
    department = DepartmentFactory()
    return {role: UserFactory(department=department, role=role) for role in Role}


@pytest.mark.parametrize(("model", "transition"), transitions())
def test_only_the_named_roles_may_run_each_transition(model, transition, users):
    allowed = HEADS_ONLY.get((model.__name__, transition.name), {Role.OFFICER})
    record = model()
    for role, user in users.items():
        assert transition.has_perm(record, user) == (role in allowed), (role, transition.name)
