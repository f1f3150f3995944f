"""Organisations (机构) and the roles users hold in them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongkai.orgs.codes import validate_org_code


class OrgKind(models.TextChoices):
    GOVERNMENT = "government", _("Government")  # 人民政府 (county or above)
    DEPARTMENT = "department", _("Department")  # 政府部门
    TOWNSHIP = "township", _("Township / street")  # 乡镇（街道）
    CENTRE = "centre", _("Service centre")  # 政务服务中心
    OTHER = "other", _("Other public body")  # 其他公共企事业单位


class Organisation(models.Model):
    """A node of the organisation tree (机构): government, department, township, centre.

    ``path`` is the materialised chain of ids (``/1/5/12/``) so that "this unit
    and everything below it" is one indexed prefix query.
    """

    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=OrgKind.choices)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    code = models.CharField(
        _("organisation code"),
        max_length=18,
        unique=True,
        validators=[validate_org_code],
        help_text=_("9-character 组织机构代码 or 18-character 统一社会信用代码; used in 索引号."),
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    sort_order = models.IntegerField(_("sort order"), default=0)
    self_publish = models.BooleanField(
        _("publishes without review"),
        default=False,
        help_text=_(
            "Clerks of this unit publish disclosure items directly, without the disclosure office's review."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    # 政府信息公开工作机构 contact details, printed in the guide (指南).
    office_name = models.CharField(_("disclosure office"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)
    office_hours = models.CharField(_("office hours"), max_length=200, blank=True)
    phone = models.CharField(_("telephone"), max_length=60, blank=True)
    fax = models.CharField(_("fax"), max_length=60, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["path", "sort_order", "id"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["kind", "is_active"])]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def ancestor_ids(self) -> list[int]:
        return [int(x) for x in self.path.strip("/").split("/") if x][:-1]

    def descendants(self, include_self: bool = True) -> models.QuerySet[Organisation]:
        qs = Organisation.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)


class Role(models.TextChoices):
    CLERK = "clerk", _("Clerk")  # 部门信息员
    REVIEWER = "reviewer", _("Disclosure office reviewer")  # 公开办
    SUPERVISOR = "supervisor", _("Supervisor")  # 监察员
    WINDOW = "window", _("Window staff")  # 窗口人员
    ADMIN = "admin", _("Administrator")  # 管理员


# Roles that by default reach the units below the organisation they are held on.
ROLES_COVERING_SUBUNITS = {Role.REVIEWER, Role.SUPERVISOR, Role.ADMIN}


class RoleAssignment(models.Model):
    """A user holds a role on an organisation; ``covers_subunits`` extends it downwards."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="role_assignments",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    covers_subunits = models.BooleanField(
        _("covers sub-units"),
        default=False,
        help_text=_("The role also applies to every unit below this one."),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="unique_role_per_org"),
        ]
        indexes = [models.Index(fields=["organisation", "role"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"
