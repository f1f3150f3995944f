"""Who may read, prepare, sign off and publish an annual report.

The office of an organisation prepares its report: its clerks, reviewers and administrators
generate the figures and edit the narrative, and the disclosure office above reaches down to
the units in its scope. Only reviewers and administrators sign a report off and publish it.
Supervisors read every report in their scope and change nothing. A published version is
public: anyone reads it on the portal.
"""

from __future__ import annotations

from gongkai.core.policies import Policy, anyone, platform_admin, register
from gongkai.orgs.models import Role
from gongkai.orgs.scope import in_scope
from gongkai.reports.models import AnnualReport, PublishedVersion

EDITORS = (Role.CLERK, Role.REVIEWER, Role.ADMIN)
SIGNERS = (Role.REVIEWER, Role.ADMIN)
READERS = (*EDITORS, Role.SUPERVISOR)


@register
class AnnualReportPolicy(Policy):
    model = AnnualReport
    rules = {
        "view": in_scope(*READERS, field="organisation") | platform_admin,
        "view_office": in_scope(*READERS, field="organisation") | platform_admin,
        "view_history": in_scope(*READERS, field="organisation") | platform_admin,
        "change": in_scope(*EDITORS, field="organisation") | platform_admin,
        "review": in_scope(*SIGNERS, field="organisation") | platform_admin,
        "publish": in_scope(*SIGNERS, field="organisation") | platform_admin,
    }


@register
class PublishedVersionPolicy(Policy):
    model = PublishedVersion
    rules = {"view": anyone}
