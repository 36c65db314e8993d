"""`imdesk demo seed`: synthetic incidents in bulk, for the benchmarks."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from imdesk.cli.common import UsageError, command_group, count, emit, in_context

if TYPE_CHECKING:
    from imdesk.cli.common import Subparsers
    from imdesk.context import AppContext


def register(sub: Subparsers) -> None:
    """Add ``demo`` and its actions to the top-level sub-parsers."""
    demo = command_group(sub, "demo", "demo data")
    seed = demo.add_parser("seed", help="bulk-insert synthetic incidents (for benchmarks)")
    seed.add_argument("--incidents", type=count, required=True)
    seed.add_argument("--entries", type=count, required=True, help="timeline entries in all")
    seed.add_argument("--json", action="store_true")
    seed.set_defaults(handler=in_context(demo_seed))


def demo_seed(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.services.demo.bulk_seed import bulk_seed

    if args.incidents < 1 or args.entries < args.incidents:
        raise UsageError("--incidents must be ≥ 1 and --entries ≥ --incidents (one 'opened' each)")
    result = bulk_seed(ctx.db, incidents=args.incidents, entries=args.entries)
    emit({"incidents": result.incidents, "entries": result.entries, "seconds": result.seconds,
          "entries_per_second": result.rate}, args.json,
         f"seeded {result.incidents} incidents and {result.entries} entries in "
         f"{result.seconds:.1f} s ({result.rate:,.0f} entries/s)")
    return 0
