"""`flask --app app rebuild`: every derived value made again from the base
tables (the stored counts of boards, users and tags, the total number of
boards, feeds), in batches of short transactions, so it is safe to repeat
and to run on a live database. DBAs who load rows with plain SQL run it
afterwards. On a terminal it shows what it rebuilds, rows done of total and
the time left; `--quiet` prints nothing."""
import time
from functools import partial

import click
from flask import current_app
from flask.cli import with_appcontext

from db import in_transaction
from queries import load_queries

ROWS_PER_BATCH = 2000
READERS_PER_BATCH = 100


def init_app(app):
    app.cli.add_command(rebuild_command)


@click.command("rebuild")
@click.option("--quiet", is_flag=True, help="Print nothing (for scripts).")
@with_appcontext
def rebuild_command(quiet):
    """Recompute stored counts and feeds from the base tables."""
    mysql, feeds = current_app.extensions["boards_db"], current_app.extensions["boards_feeds"]
    rebuild = load_queries("rebuild")
    started = time.monotonic()
    boards = rebuild_in_batches(mysql, rebuild.board_id_range, [rebuild.recount_comments],
                                Progress("comment counts, favorite counts", "boards", quiet))
    users = rebuild_in_batches(mysql, rebuild.user_id_range, [rebuild.recount_users],
                               Progress("board and favorite counts of users", "users", quiet))
    tags = rebuild_in_batches(mysql, rebuild.tag_id_range, [rebuild.recount_tags, rebuild.drop_unused_tags],
                              Progress("board counts of tags", "tags", quiet))
    in_transaction(mysql, rebuild.recount_boards_total)
    readers = rebuild_feeds(mysql, rebuild, feeds, Progress("feeds", "users", quiet))
    if not quiet:
        click.echo(f"Rebuilt the comment counts of {boards:,} boards, the counts of {users:,} users "
                   f"and {tags:,} tags, the total of boards and the feeds of "
                   f"{readers:,} users in {time.monotonic() - started:.1f} s.")


def rebuild_in_batches(mysql, id_range, recounts, progress):
    """Each of `recounts(conn, after, last)` over the rows of a table in id
    order, ROWS_PER_BATCH ids a transaction; returns how many rows there
    were (`id_range` says the last id and the total)."""
    span, done = id_range(mysql.connection), 0
    with progress.bar(span["total"]) as bar:
        for after in range(0, span["last_id"], ROWS_PER_BATCH):
            counted = in_transaction(mysql, partial(_recount, recounts, after))
            done += counted
            bar.update(counted)
    return done


def rebuild_feeds(mysql, rebuild, feeds, progress):
    """Every reader's feed, one transaction each; returns how many readers."""
    readers, after = 0, 0
    with progress.bar(rebuild.count_readers(mysql.connection)) as bar:
        while batch := feeds.readers_after(mysql.connection, after, READERS_PER_BATCH):
            for user_id in batch:
                in_transaction(mysql, partial(feeds.rebuild, user_id=user_id))
            readers += len(batch)
            bar.update(len(batch))
            after = batch[-1]
    return readers


def _recount(recounts, after, conn):
    """The batch's rows, as the first recount matched them."""
    matched = [recount(conn, after=after, last=after + ROWS_PER_BATCH) for recount in recounts]
    return matched[0]


class Progress:
    """click's progress bar on a terminal: what it rebuilds, rows done of
    total, the time left; nothing when not on a terminal or with --quiet."""

    def __init__(self, label, unit, quiet):
        self.label, self.unit, self.quiet = label, unit, quiet

    def bar(self, total):
        hidden = self.quiet or not click.get_text_stream("stdout").isatty()
        return click.progressbar(length=max(total, 1), label=self.label, show_eta=True,
                                 show_pos=True, show_percent=True, hidden=hidden,
                                 item_show_func=lambda _item: self.unit)
