"""`mock-okta <command>` (also `python -m mock_okta`): one entry point for every tool."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

# command -> (module with `main(argv) -> int`, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("mock_okta.server", "serve the local Okta over HTTP, or HTTPS (gunicorn)"),
    "dataset": ("mock_okta.tools.dataset", "generate a legacy-user dataset with known plaintexts"),
    "hash": ("mock_okta.tools.encoder", "print Okta's hash object for a password or legacy hash"),
    "doctor": ("mock_okta.tools.doctor", "explain why an imported hash will not verify"),
    "harness": ("mock_okta.harness.cli", "run the migration contract harness against a tool"),
    "plan": ("mock_okta.tools.plan", "project a migration's duration for each strategy"),
    "migrate": ("mock_okta.tools.migrate", "the reference migration tool"),
    "rehearse": ("mock_okta.load.rehearse", "rehearse a migration with Locust, time-compressed"),
    "hook-server": ("mock_okta.tools.hook_server", "serve a legacy-verifying password import hook"),
}


def usage() -> str:
    lines = ["usage: mock-okta <command> [options]   (mock-okta <command> --help for more)", ""]
    lines += [f"  {name:<12} {help_}" for name, (_, help_) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(usage())
        return 0 if args else 2
    if args[0] == "--version":
        from mock_okta import __version__

        print(__version__)
        return 0
    command = COMMANDS.get(args[0])
    if command is None:
        print(f"mock-okta: unknown command {args[0]!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(command[0])
    result: int = module.main(args[1:])
    return result


if __name__ == "__main__":
    raise SystemExit(main())
