"""Benchmark: permission-filtered lists at county scale.

Creates a province-like tree (governments × units) and staff through the
actions, then times ``visible_to`` lists and object checks for a county
reviewer (covering sub-units) and a clerk. Prints one JSON line.

    .venv/bin/python bench/policies.py [--governments 20 --units 60]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--governments", type=int, default=20)
    parser.add_argument("--units", type=int, default=60)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # set-up speed only
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        from gongkai.orgs.models import Organisation, Role
        from gongkai.orgs.policies import OrganisationPolicy
        from gongkai.orgs.scope import clear_scope_cache
        from tests import factories

        root = factories.make_platform_admin()
        t0 = time.perf_counter()
        govs = []
        for _ in range(args.governments):
            gov = factories.make_org(actor=root, parent=None)
            govs.append(gov)
            for _ in range(args.units):
                factories.make_org(actor=root, parent=gov)
        build_s = time.perf_counter() - t0
        reviewer = factories.make_staff(actor=root, organisation=govs[0], role=Role.REVIEWER)
        unit = Organisation.objects.filter(parent=govs[0]).first()
        clerk = factories.make_staff(actor=root, organisation=unit, role=Role.CLERK)
        policy = OrganisationPolicy()
        rounds = 200
        results = {}
        for name, user in (("reviewer", reviewer), ("clerk", clerk)):
            settings.DEBUG = True
            reset_queries()
            t0 = time.perf_counter()
            for _ in range(rounds):
                clear_scope_cache(user)  # a new request each round
                ids = list(policy.filter(user, "view_office").values_list("id", flat=True))
            per_list_ms = (time.perf_counter() - t0) / rounds * 1000
            queries = len(connection.queries) / rounds
            settings.DEBUG = False
            t0 = time.perf_counter()
            objs = list(Organisation.objects.all()[:500])
            for obj in objs:
                policy.can(user, "view_office", obj)
            per_check_us = (time.perf_counter() - t0) / len(objs) * 1e6
            results[name] = {"visible": len(ids), "list_ms": round(per_list_ms, 2), "queries_per_list": queries,
                             "check_us": round(per_check_us, 1)}  # fmt: skip
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(json.dumps({
        "bench": "policies",
        "database": connection.vendor,
        "organisations": args.governments * (args.units + 1),
        "build_s": round(build_s, 2),
        **{f"{k}_{m}": v for k, r in results.items() for m, v in r.items()},
    }))  # fmt: skip


if __name__ == "__main__":
    main()
