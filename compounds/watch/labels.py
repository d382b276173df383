"""One check of a compound's official label on DailyMed: a new version goes to its inbox.

One request a compound: /spls/{setid}/history.json lists every version of the label
with the day it was published. The first check puts in the inbox the versions
published since the compound's last review (or none, for a compound never approved:
it has no reviewed text to update); later checks, each version above the highest seen.
"""

from django.utils import timezone

from compounds.models import WatchCheck, WatchSource
from compounds.watch import answers
from compounds.watch import sources as watch_sources
from compounds.watch.new_evidence import Checked, save


def ask_label(client, label, last, reviewed_on):
    body = client.json(watch_sources.DAILYMED, f"spls/{label.dailymed_setid}/history.json")
    if isinstance(body, watch_sources.Failure):
        return Checked(failure=body)
    try:
        title, found = answers.label_history(body)
    except answers.Unreadable:
        return Checked(
            failure=watch_sources.Failure(
                watch_sources.DAILYMED,
                watch_sources.UNREADABLE,
                "DailyMed's label history was not readable.",
            )
        )
    newest = found.records[0].version if found.records else None
    seen = last.seen_version if last is not None and last.seen_version else None
    checked = Checked(
        skipped=found.skipped, seen_version=max(filter(None, [newest, seen]), default=None)
    )
    for version in found.records:
        if seen is not None:
            news = version.version > seen
        else:
            news = (
                reviewed_on is not None
                and version.published is not None
                and version.published >= reviewed_on
            )
        if news:
            checked.items.append(
                {
                    "source": WatchSource.DAILYMED,
                    "identifier": str(label.dailymed_setid),
                    "event": f"version:{version.version}",
                    "change": f"New label version {version.version}",
                    "title": (title or f"Label of {label.compound}")[:500],
                    "design": "Official label",
                    "date": version.published,
                    "link": label.link,
                }
            )
    return checked


def check(client, label, now):
    compound = label.compound
    last = WatchCheck.objects.filter(compound=compound, source=WatchSource.DAILYMED).first()
    reviewed = (
        timezone.localdate(compound.live_version.approved_at) if compound.live_version else None
    )
    checked = ask_label(client, label, last, reviewed)
    if checked.failure is None:
        save(checked, now, WatchSource.DAILYMED, compound=compound)
    return checked
