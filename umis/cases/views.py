"""View helpers every case page shares (the officers' case page and the e-visa's): the
assignment form (templates/cases/_assignment.html) and its POST."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from umis.audit.services import audit_record
from umis.cases.forms import posted_version
from umis.cases.selectors import case_assignee_get, case_assignees
from umis.cases.services import assignee_not_eligible, assignment_action_unknown, case_assign
from umis.core.errors import DomainError, PermissionDenied

AssignmentPage = Callable[..., HttpResponse]


def case_assignment_form(
    request: HttpRequest, case: Any, *, error: str = "", conflict: bool = False, chosen: str = ""
) -> dict[str, Any]:
    """The assignment form of a case page (templates/cases/_assignment.html): the
    officers the case may be given to, and, when an assignment was not made, why."""
    return {
        "officers": [o for o in case_assignees(case=case) if o.pk != case.assignee_id],
        "mine": case.assignee_id == request.user.pk,
        "error": error,
        "conflict": conflict,
        "chosen": chosen,
    }


def case_assignment_post(
    request: HttpRequest, case: Any, *, page: AssignmentPage, done: str
) -> HttpResponse:
    """Take the case, release it or give it to a colleague, from a case page's assignment
    form (`action`: take, release, assign with `assignee`). `page(request, case,
    assignment=..., status=...)` shows the case page again when nothing was changed: 409
    when the case changed since the page was read (shown as it is now), 422 for an
    assignee the case may not go to, 400 for an action none of these, 403 when the officer
    may not assign it; each refusal
    is audited. Done, back to `done`."""
    action = request.POST.get("action", "")
    chosen = request.POST.get("assignee", "")[:20]
    assignee: Any  # the signed-in officer, a colleague, or None
    try:
        if action == "take":
            assignee = request.user
        elif action == "release":
            assignee = None
        elif action == "assign":
            assignee = case_assignee_get(user_id=chosen)
            if assignee is None:
                raise assignee_not_eligible()
        else:
            raise assignment_action_unknown()
        case_assign(
            actor=request.user,
            case=case,
            assignee=assignee,
            expected_version=posted_version(request.POST),
        )
    except DomainError as exc:
        if exc.code == "assignee_unchanged":  # nothing to do: said so, nothing recorded
            messages.info(request, str(exc.message))
            return redirect(done)
        audit_record(
            actor=request.user,
            action="CASE_ASSIGNMENT_REFUSED",
            entity=case,
            person_id=case.applicant_id,
            data={"action": action[:20], "assignee": chosen, "code": exc.code},
        )
        if exc.code == "version_conflict":
            case.refresh_from_db()
            form = case_assignment_form(request, case, conflict=True, chosen=chosen)
            return page(request, case, assignment=form, status=409)
        form = case_assignment_form(request, case, error=str(exc.message), chosen=chosen)
        status = (
            403
            if isinstance(exc, PermissionDenied)
            else 400
            if exc.code == "unknown_action"
            else 422
        )
        return page(request, case, assignment=form, status=status)
    if assignee is None:
        messages.success(request, _("The case is released: nobody is assigned to it now."))
    elif assignee == request.user:
        messages.success(request, _("You have taken this case."))
    else:
        messages.success(
            request,
            _("The case is assigned to %(officer)s.") % {"officer": assignee.display_name},
        )
    return redirect(done)
