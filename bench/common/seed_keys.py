"""Create one user API key per user id named on the command line; print the secrets in order.

Run as `python -m bench.common.seed_keys USER_ID...` from the project root with the benchmark
server's environment (its SQLITE_PATH), as `manage.py createapikey` would, in one process.
"""

from __future__ import annotations

import os
import sys


def main(user_ids: list[str]) -> None:
    """Set Django up, create the keys and print one secret per line."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orchestration_site.settings")
    django.setup()
    from accounts.keys import create_key

    for user_id in user_ids:
        print(create_key(user_id, "bench").secret)


if __name__ == "__main__":
    main(sys.argv[1:])
