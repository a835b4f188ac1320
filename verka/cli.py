"""The `verka` command: run the demo, the web server, the worker, and the project's tools."""

from __future__ import annotations

import argparse
import gc
import getpass
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence

log = logging.getLogger("verka.cli")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verka.conf.settings")
    from verka.i18n import compile_catalogs

    try:
        compile_catalogs()
    except OSError as exc:  # a read-only install keeps the catalogues it was built with
        print(f"verka: could not compile translations: {exc}", file=sys.stderr)
    import django

    django.setup()


def migrate(verbosity: int = 1) -> None:
    from django.conf import settings
    from django.core.management import call_command

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        os.makedirs(os.path.dirname(db["NAME"]), exist_ok=True)
    call_command("migrate", interactive=False, verbosity=verbosity)


# --- commands -----------------------------------------------------------------------------


def cmd_migrate(args: argparse.Namespace) -> int:
    setup_django()
    migrate(verbosity=1)
    return 0


def cmd_createuser(args: argparse.Namespace) -> int:
    setup_django()
    from verka.accounts.services import AccountError, create_user

    password = args.password
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif password is None and sys.stdin.isatty():
        password = getpass.getpass("Password (empty for none): ")
    if password:
        from django.contrib.auth.password_validation import validate_password
        from django.core.exceptions import ValidationError
        from django.utils import translation

        from verka.accounts.models import User

        try:
            # The command speaks English, like its other messages.
            with translation.override("en"):
                validate_password(password, User(username=args.username, email=args.email or ""))
        except ValidationError as exc:
            for message in exc.messages:
                print(f"verka createuser: {message}", file=sys.stderr)
            return 2
    try:
        user = create_user(
            args.username,
            password or None,
            kind=args.kind,
            display_name=args.name or "",
            email=args.email or "",
            groups=args.group or [],
            superuser=args.superuser,
        )
    except AccountError as exc:
        print(f"verka createuser: {exc}", file=sys.stderr)
        return 2
    print(f"created {user.kind} user {user.username!r}")
    return 0


def _web_server(host: str, port: int, threads: int) -> object:
    from waitress.server import create_server

    from verka.conf.wsgi import application

    return create_server(application, host=host, port=port, threads=threads, ident="verka")


def settle_memory() -> None:
    """Set up and about to serve: what was loaded so far (Django, the models, the modules)
    lives as long as the process, so the garbage collector stops looking at it. Otherwise
    every full collection walks those hundred thousand objects again, a few per cent of a
    busy worker's time."""
    gc.collect()
    gc.freeze()


def _run_until_signal(parts: Sequence[tuple[str, Callable[[], None], Callable[[], None]]]) -> int:
    """Run each (name, run, stop) in a thread; on SIGINT/SIGTERM stop all and wait for them."""
    stop = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    threads = []
    failed = threading.Event()

    def guarded(name: str, run: Callable[[], None]) -> None:
        try:
            run()
        except Exception:
            log.exception("%s stopped with an error", name)
            failed.set()
        finally:
            stop.set()

    settle_memory()
    for name, run, _stop in parts:
        thread = threading.Thread(target=guarded, args=(name, run), name=name, daemon=True)
        thread.start()
        threads.append(thread)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        print("\nStopping …", file=sys.stderr)
        for _name, _run, stop_part in parts:
            stop_part()
        for thread in threads:
            thread.join(timeout=30)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 1 if failed.is_set() else 0


def _serve_parts(host: str, port: int, threads: int, with_worker: bool) -> list:  # type: ignore[type-arg]
    parts = []
    server = _web_server(host, port, threads)
    parts.append(("web", server.run, server.close))  # type: ignore[attr-defined]
    if with_worker:
        from verka.worker.runner import Worker, load_worker_modules

        load_worker_modules()
        worker = Worker()
        parts.append(("worker", worker.run, worker.stop))
    return parts


def cmd_serve(args: argparse.Namespace) -> int:
    setup_django()
    if args.migrate:
        migrate(verbosity=0)
    print(f"Verka is serving on http://{args.host}:{args.port}/ (Ctrl-C stops)", flush=True)
    return _run_until_signal(_serve_parts(args.host, args.port, args.threads, args.with_worker))


def cmd_worker(args: argparse.Namespace) -> int:
    setup_django()
    from verka.worker.runner import Worker, load_worker_modules

    load_worker_modules()
    worker = Worker(name=args.name) if args.name else Worker()
    print(f"Verka worker {worker.name} is running (Ctrl-C stops)", flush=True)
    return _run_until_signal([("worker", worker.run, worker.stop)])


def cmd_cleanup(args: argparse.Namespace) -> int:
    setup_django()
    from verka.eservices.services import remove_abandoned_drafts

    removed = remove_abandoned_drafts(retention_days=args.days)
    print(f"{removed} abandoned draft(s) removed, with their files", flush=True)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    os.environ.setdefault("VERKA_DEBUG", "false")
    # The demo runs offline: its stand-in maintenance system lives in Verka itself.
    os.environ.setdefault("VERKA_DEMO_SERVICES", "true")
    os.environ.setdefault("VERKA_DEMO_IDP", "true")
    os.environ.setdefault(
        "VERKA_SECRET_MAINTENANCE_API_URL", f"http://127.0.0.1:{args.port}/demo-drift/api/v1"
    )
    os.environ.setdefault("VERKA_HTTP_ALLOWED_HOSTS", "127.0.0.1")
    os.environ.setdefault("VERKA_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    setup_django()
    from verka.demo import load_demo

    migrate(verbosity=0)
    logins = load_demo()
    from verka.goals.demo import load_demo_goals

    # Kept out of load_demo(), which tests call often: this runs a year of cases (once).
    print("Exempelkommun's goals: simulating a year of cases (first start only) …", flush=True)
    load_demo_goals()
    url = f"http://{args.host}:{args.port}/"
    print(f"\nVerka demo – {url}\n")
    print("Demo logins (username / password):")
    for login in logins:
        print(f"  {login.role:<44} {login.username} / {login.password}")
    from verka.accounts.mfa import DEMO_TOTP_SECRET

    print(
        "\nThe digitalisation team (admin) also needs a second factor: add the key"
        f" {DEMO_TOTP_SECRET} to an authenticator app, or read the current code on the demo's"
        " verification page (shown there only in the demo, never for a real device)."
    )
    print("\nCtrl-C stops the web server and the worker.\n", flush=True)
    return _run_until_signal(_serve_parts(args.host, args.port, args.threads, with_worker=True))


def cmd_tck(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from verka.engine.dmn.tck import main as tck_main

    # The engine reads no clock; the TCK's now() and today() cases get the real time from here.
    return tck_main(args.tool_args, now=datetime.now(UTC))


def cmd_test(args: argparse.Namespace) -> int:
    from verka.processes.cpt import main as cpt_main

    return cpt_main(args.tool_args)


def cmd_bench(args: argparse.Namespace) -> int:
    from verka.benchmarks import main as bench_main

    return bench_main(args.tool_args)


def cmd_token(args: argparse.Namespace) -> int:
    setup_django()
    from verka.api.services import main as token_main

    return token_main(args.tool_args)


# Commands that parse their own arguments (so `verka tck --json PATH` and `--help` reach them).
PASS_THROUGH = {"tck": cmd_tck, "test": cmd_test, "bench": cmd_bench, "token": cmd_token}


# --- argument parsing ----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="verka",
        description="Verka: e-services, executable BPMN processes and DMN decisions, measured "
        "against the organisation's goals.",
    )
    parser.add_argument("--version", action="version", version=f"verka {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add_server_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--host", default=DEFAULT_HOST, help="address to listen on (%(default)s)")
        sub.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (%(default)s)")
        sub.add_argument("--threads", type=int, default=8, help="web threads (%(default)s)")

    demo = commands.add_parser(
        "demo",
        help="migrate, load the demo municipality and run web server and worker together",
        description="Set up the database, load the demo municipality (Exempelkommun) with its "
        "users, and serve it with a worker on http://127.0.0.1:8000. Ctrl-C stops both.",
    )
    add_server_options(demo)
    demo.set_defaults(func=cmd_demo)

    serve = commands.add_parser(
        "serve",
        help="run the web server",
        description="Run the web server (waitress). Use --with-worker to run a worker too.",
    )
    add_server_options(serve)
    serve.add_argument("--with-worker", action="store_true", help="also run a worker in-process")
    serve.add_argument("--migrate", action="store_true", help="apply migrations first")
    serve.set_defaults(func=cmd_serve)

    worker = commands.add_parser(
        "worker",
        help="run a background worker",
        description="Run a worker that executes due jobs, timers and other background work. Run "
        "as many as you like; on PostgreSQL they share work without doing anything twice.",
    )
    worker.add_argument("--name", help="worker name shown in operations (default host-pid)")
    worker.set_defaults(func=cmd_worker)

    mig = commands.add_parser(
        "migrate", help="create or upgrade the database", description="Apply all migrations."
    )
    mig.set_defaults(func=cmd_migrate)

    cu = commands.add_parser(
        "createuser", help="create a user", description="Create a citizen or staff user."
    )
    cu.add_argument("username")
    cu.add_argument("--kind", choices=["citizen", "staff"], default="staff")
    cu.add_argument("--name", help="display name")
    cu.add_argument("--email")
    cu.add_argument("--group", action="append", help="add to this group (repeatable)")
    cu.add_argument("--superuser", action="store_true", help="may administer everything")
    pw = cu.add_mutually_exclusive_group()
    pw.add_argument("--password", help="password (prefer --password-stdin: this shows in ps)")
    pw.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    cu.set_defaults(func=cmd_createuser)

    tck = commands.add_parser(
        "tck",
        help="run DMN TCK test cases",
        description="Run directories of DMN TCK test cases and print passed/failed per directory.",
        add_help=False,
    )
    tck.set_defaults(func=cmd_tck)
    cleanup = commands.add_parser(
        "cleanup",
        help="remove abandoned drafts and their uploaded files now",
        description="Remove drafts untouched for VERKA_DRAFT_RETENTION_DAYS (or --days) with "
        "their files; the workers also do this once an hour.",
    )
    cleanup.add_argument("--days", type=int, default=None, help="retention in days")
    cleanup.set_defaults(func=cmd_cleanup)
    commands.add_parser(
        "test",
        help="run Camunda Process Test (CPT) JSON test cases",
        description="Run CPT JSON test files against the BPMN/DMN/form files of a folder.",
        add_help=False,
    ).set_defaults(func=cmd_test)
    commands.add_parser(
        "token",
        help="API tokens, service accounts and their grants",
        description="verka token create NAME --scope S [--scope ...] --user USER [--days N]; "
        "verka token list; verka token revoke ID; verka token service-account NAME; "
        "verka token grant --user NAME KIND [VALUE]; verka token ungrant …; verka token grants",
        add_help=False,
    ).set_defaults(func=cmd_token)
    commands.add_parser(
        "bench",
        help="run the benchmark suite",
        description="Measure Verka next to SpiffWorkflow and the database's own limit.",
        add_help=False,
    ).set_defaults(func=cmd_bench)
    return parser


def _version() -> str:
    import verka

    return verka.__version__


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in PASS_THROUGH:
        return PASS_THROUGH[argv[0]](argparse.Namespace(tool_args=argv[1:]))
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
