"""``newsbot eval``"""

from __future__ import annotations

import json
from pathlib import Path

import click

from bot.options import config_option, make_app


@click.command("eval")
@click.option("--eval-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of the public dev sets (default: [eval] dir of the configuration).")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="Use only the first N records of each dev set (a quick run).")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@config_option
@click.pass_context
def eval_command(ctx, eval_dir, limit, as_json, config_path: Path | None) -> None:
    """Score the answer engine: the sample suite and the public dev sets.

    Each suite is ingested into a fresh temporary store, chunked and embedded
    as configured.  The folders come from [eval] of the configuration.  The dev
    sets are skipped, with the reason, when their folder is absent.
    """
    from bot.evaluate import run_all

    app = make_app(ctx, config_path)
    say = (lambda msg: None) if as_json else (lambda msg: click.echo(f"... {msg}", err=True))
    ev = app.config.eval
    report = run_all(app, sample_dir=ev.sample_dir, eval_path=eval_dir or ev.dir, train_path=ev.train_dir,
                     limit=limit, progress=say)
    if as_json:
        click.echo(json.dumps({"metrics": report.metrics, "skipped": report.skipped,
                               "seconds": round(report.seconds, 1)}, default=str))
    else:
        click.echo(report.table())
        click.echo(f"\n{report.seconds:.0f} s")
