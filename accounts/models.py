"""Staff users and their roles; the seals that make the audit tables tamper-evident. Patients are not users."""

import pghistory
import pgtrigger
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class Role(models.TextChoices):
    PRESCRIBER = "prescriber", "Prescriber"
    CLINICAL_STAFF = "clinical_staff", "Clinical staff"
    FRONT_DESK = "front_desk", "Front desk"
    ADMIN = "admin", "Admin"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)  # None gives an unusable password
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.update(role=Role.ADMIN, is_superuser=True)
        return self.create_user(email, password, **fields)


# Role, activation and the prescriber ID are audited; password hashes and login times are not
# copied into the history (the latter would add a row at every login).
@pghistory.track(exclude=["password", "last_login"])
class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=20, choices=Role.choices)
    ipledge_prescriber_id = models.CharField(
        "iPLEDGE prescriber ID",
        max_length=20,
        blank=True,
        help_text="Required for prescribers. The ID only; never store iPLEDGE passwords.",
    )
    is_active = models.BooleanField(
        default=True, help_text="Clear instead of deleting: ends the user's sessions, keeps the history."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(
                condition=~models.Q(role=Role.PRESCRIBER) | ~models.Q(ipledge_prescriber_id=""),
                name="prescriber_has_ipledge_id",
                violation_error_message="A prescriber needs an iPLEDGE prescriber ID.",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def is_staff(self) -> bool:
        """Only the Admin role may enter the Django admin."""
        return self.is_active and self.role == Role.ADMIN

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else ""

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class AuditSealLayout(models.Model):
    """The columns of an audit table at the time some of its rows were sealed. A digest covers
    exactly these columns, so a column added later (a new field on a tracked model) does not
    change the digest of rows sealed before it existed."""

    table_name = models.CharField(max_length=100)
    columns = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["table_name", "columns"], name="audit_seal_layout_unique")]
        triggers = [
            pgtrigger.Protect(name="audit_seal_layout_append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.table_name} layout {self.pk}"


class AuditSeal(models.Model):
    """The digest of one audit row, chained to the previous seal of the same table.

    ``chain`` is sha256(previous seal's chain + this row's digest): removing or altering a seal
    breaks every later link, so seals cannot be quietly rewritten either. See accounts/seal.py.
    """

    table_name = models.CharField(max_length=100)
    row_pk = models.CharField(max_length=64)
    layout = models.ForeignKey(AuditSealLayout, on_delete=models.PROTECT, related_name="+")
    row_digest = models.CharField(max_length=64)
    chain = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["table_name", "row_pk"], name="audit_seal_one_per_row")]
        indexes = [models.Index(fields=["table_name", "id"], name="audit_seal_table_order")]
        triggers = [pgtrigger.Protect(name="audit_seal_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"seal of {self.table_name} row {self.row_pk}"
