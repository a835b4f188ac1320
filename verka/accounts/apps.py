from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "verka.accounts"
    label = "accounts"
    verbose_name = _("Konton")

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from verka.worker.runner import WorkSource, register

        from . import housekeeping, lockout

        # Every failed, refused and successful login in the structured log (never a password).
        user_login_failed.connect(lockout.log_failure, dispatch_uid="verka-login-failed")
        user_locked_out.connect(lockout.log_lockout, dispatch_uid="verka-login-locked")
        user_logged_in.connect(lockout.log_success, dispatch_uid="verka-login-succeeded")
        user_logged_in.connect(housekeeping.start_session, dispatch_uid="verka-session-start")
        # Expired sessions and old failed-login counts go; each worker does it now and then.
        register(WorkSource("expired-sessions", housekeeping.clear_expired_now_and_then))
