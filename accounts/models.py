"""Staff users and their roles. Patients are not users."""

import pghistory
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
