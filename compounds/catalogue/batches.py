"""Importing a catalogue file of any size, in batches: what `manage.py import_catalogue`
runs. The file is streamed three times at most, and only what the checks of the whole
file need is kept in memory:

1. Indexing (`check_file`): the file is read through once; the reading's issues, the
   values no field takes and the keys given twice are found, and what the later checks
   need of the whole file is kept: each object's key (slug, or pair of slugs) and each
   unique value, with where it first appears, and the compound and condition slugs.
2. Checking: the file is read again, a batch of CHUNK objects of one kind at a time;
   each batch is looked up in the database and checked as check.check() checks a file
   (check._check_item), and what it would create or update is spooled to a temporary
   file on disk, values already checked. Nothing is written to the database.
3. Writing (`import_file`), only when the whole file passed: the spool is read back a
   batch at a time and written set-based (apply.Writer) in one transaction. If an object
   changed since it was checked, or the database refuses a row, the transaction rolls
   back and nothing is changed.

Memory: a million pairs keep about 200 MB of keys; a batch, a few megabytes.
"""

import pickle
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field

from django.db import connections

from compounds.catalogue import apply as applying
from compounds.catalogue import check as checking
from compounds.catalogue import file_format
from compounds.catalogue.file_format import CHUNK, COMPOUNDS, CONDITIONS, KINDS
from compounds.catalogue.issues import MAX_ISSUES, Failed, Issue
from compounds.catalogue.read import Item, Parsed


class Issues(Parsed):
    """The issues of a file: the first MAX_ISSUES kept, the rest counted."""

    def __init__(self):
        super().__init__(max_rows=0)
        self.total = 0

    def add(self, issue):
        self.total += 1
        if len(self.issues) <= MAX_ISSUES:
            self.issues.append(issue)

    def extend(self, other):
        for issue in other.issues:
            self.add(issue)
        self.total += other.total - len(other.issues)

    @property
    def too_many(self):
        return self.total > MAX_ISSUES


@dataclass
class Checked:
    """What importing the file would do: counts, every issue (the first MAX_ISSUES), and
    the checked changes spooled by kind, ready to write."""

    counts: Counter = field(default_factory=Counter)
    issues: Issues = field(default_factory=Issues)
    spools: dict = field(default_factory=dict)
    kinds: set = field(default_factory=set)

    def close(self):
        for spool in self.spools.values():
            spool.close()
        self.spools = {}


def _forget_queries():
    """With DEBUG on, Django keeps the SQL of the last 9,000 queries, and a batch's insert
    is hundreds of kilobytes of it: forgotten after each batch, unless a caller is
    counting them (CaptureQueriesContext)."""
    for connection in connections.all(initialized_only=True):
        if not connection.force_debug_cursor:
            connection.queries_log.clear()


def _let_go(existing):
    """Break the cycles a prefetch makes (an object holds its rows, each row its object),
    so that a batch's objects are freed as soon as it is done rather than at the next
    full garbage collection, which a long import reaches only every few hundred
    megabytes."""
    for objects in existing.values():
        for obj in objects.values():
            obj.__dict__.pop("_prefetched_objects_cache", None)


def _intern(value):
    if isinstance(value, tuple):
        return tuple(_intern(part) for part in value)
    return sys.intern(value) if isinstance(value, str) else value


class Index:
    """What the checks need of the whole file, built as it is read through once: where
    each key and unique value first appears, and the compound and condition slugs."""

    def __init__(self, issues):
        self.issues = issues
        self.count = 0
        self.first = {}  # (kind key, field or None) -> {value: row}
        # Given after the reading's issues, as check.check() gives them: the values no
        # field takes, then the duplicates kind by kind.
        self.unreadable = Issues()
        self.duplicates = {}  # (kind key, field or None) -> Issues
        self.slugs_in_file = {kind.key: set() for kind in (COMPOUNDS, CONDITIONS)}
        self.unique = {
            kind: [
                f.name
                for f in kind.model._meta.fields
                if f.unique and f.name in kind.fields and f.name not in kind.key_fields
            ]
            for kind in KINDS
        }

    def add(self, item):
        kind = item.kind
        self.count += 1
        if kind in (COMPOUNDS, CONDITIONS):
            self.slugs_in_file[kind.key].add(_intern(item.values.get("slug")))
        unreadable = checking._unreadable(item)
        for issue in unreadable:
            self.unreadable.add(issue)
        if unreadable:
            return
        # Twice in the file: the second is refused, with where the first is.
        for name in [None, *self.unique[kind]]:
            value = item.key if name is None else item.values.get(name)
            if value in (None, "", (None,)):
                continue
            try:
                seen = self.first.setdefault((kind.key, name), {})
                first = seen.get(value)
            except TypeError:  # a value no dict holds is no duplicate
                continue
            if first is None:
                seen[_intern(value)] = item.row
                continue
            what = "slug" if name is None else name
            self.duplicates.setdefault((kind.key, name), Issues()).add(
                Issue(
                    item.file,
                    item.row,
                    name or kind.key_fields[-1],
                    f"The {what} “{kind.label(value) if name is None else value}” is "
                    f"given twice in this file (first at {first}).",
                    item.label,
                )
            )

    def finish(self):
        self.issues.extend(self.unreadable)
        for kind in KINDS:
            for name in [None, *self.unique[kind]]:
                self.issues.extend(self.duplicates.get((kind.key, name), Issues()))
        self.unreadable, self.duplicates = Issues(), {}
        # The keys of the objects are no longer needed: the slugs are.
        self.first = {}


def check_file(catalogue, progress=None, spool=True, listing=None):
    """Check the whole catalogue (read.Catalogue) as check.check() checks a file, in
    batches; with spool, keep the checked changes on disk for import_file.

    listing(change), if given, is called with each change as it is checked."""
    checked = Checked()
    index = Index(checked.issues)
    for item in catalogue.items(checked.issues):
        index.add(item)
    index.finish()
    if checked.issues.too_many:
        return checked
    try:
        _check_batches(catalogue, index, checked, progress, spool, listing)
    except BaseException:
        checked.close()
        raise
    if checked.issues.total:
        checked.close()
    return checked


def _batches(items):
    """Readable items in batches of at most CHUNK, each of one kind."""
    batch = []
    for item in items:
        if checking._unreadable(item):
            continue  # said by the index
        if batch and (len(batch) == CHUNK or item.kind is not batch[0].kind):
            yield batch
            batch = []
        batch.append(item)
    if batch:
        yield batch


def _check_batches(catalogue, index, checked, progress, spool, listing):
    total, done = index.count, 0
    for batch in _batches(catalogue.items()):
        kind = batch[0].kind
        by_kind = {k: [] for k in KINDS}
        by_kind[kind] = batch
        existing = checking._existing(by_kind)
        known = checking._known_slugs(by_kind)
        plan = checking.Plan()
        for item in batch:
            checking._check_item(plan, kind, item, existing, known, index.slugs_in_file)
        for issue in plan.issues:
            checked.issues.add(issue)
        for change in plan.changes:
            checked.counts[change.action] += 1
            if listing:
                listing(change)
        writes = [change for change in plan.changes if change.action != "unchanged"]
        if spool and writes and not checked.issues.total:
            checked.kinds.add(kind)
            if kind not in checked.spools:
                # Closed by checked.close(), once written or refused.
                checked.spools[kind] = tempfile.TemporaryFile(prefix="catalogue-import-")  # noqa: SIM115
            pickle.dump(
                [_record(change) for change in writes],
                checked.spools[kind],
                protocol=pickle.HIGHEST_PROTOCOL,
            )
        _let_go(existing)
        done += len(batch)
        _forget_queries()
        if progress:
            progress(done, total)
        if checked.issues.too_many:
            return


def _record(change):
    """A checked change as the spool keeps it: plain values, no model instances."""
    kind, item = change.item.kind, change.item
    content = [f for f in file_format.snapshots.content_fields(kind.model) if not f.is_relation]
    children = {}
    for child in kind.children:
        if child.key in change.children and child.key not in change.same_rows:
            names = [child.model._meta.get_field(n).attname for n in child.fields]
            children[child.key] = [
                {name: getattr(row, name) for name in names} for row in change.children[child.key]
            ]
    return (
        change.action,
        change.obj.pk if change.action == "updated" else None,
        change.base_revision,
        {f.attname: getattr(change.obj, f.attname) for f in content},
        {name: item.values.get(name) for name in kind.key_fields},
        item.links,
        children,
        item.file,
        item.row,
    )


def _changes(kind, spool):
    """The spooled changes of one kind, a batch at a time, as check.Change again."""
    spool.seek(0)
    while True:
        try:
            records = pickle.load(spool)
        except EOFError:
            return
        changes = []
        for action, pk, base, values, keys, links, children, file, row in records:
            obj = kind.model(**values)
            obj.pk = pk
            item = Item(kind, keys, base, file, row, links=links)
            rows = {
                child.key: [child.model(**values) for values in children[child.key]]
                for child in kind.children
                if child.key in children
            }
            changes.append(checking.Change(item, action, obj, rows, base))
        yield changes


def import_file(checked, user, file_name, submit=False, progress=None):
    """Write what check_file checked and spooled, in one transaction, as an ImportBatch.
    Raises Failed, having changed nothing, if the file had issues or an object changed
    since it was checked."""
    if checked.issues.total:
        raise Failed(checked.issues.issues)
    applying.check_permission(user, file_name, checked.kinds)
    total = checked.counts["created"] + checked.counts["updated"]

    def write(writer):
        done = 0
        for kind in KINDS:
            if kind in checked.spools:
                for changes in _changes(kind, checked.spools[kind]):
                    writer.write(kind, changes)
                    _forget_queries()
                    done += len(changes)
                    if progress:
                        progress(done, total)

    try:
        return applying.in_transaction(user, file_name, checked.counts, write, submit=submit)
    finally:
        checked.close()
