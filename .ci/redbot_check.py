#!/usr/bin/env python3
"""Run REDbot 2.7.1 (the library behind its `redbot URL` command, with its active checks:
content negotiation, ETag and Last-Modified revalidation, ranges) against each URL and
print every note with its level. Exit 1 if any note, or subnote, is `bad` or `warning`.

The CLI's text output shows levels only as terminal colours, so the notes are read from the
library instead: HttpResource(...).response.notes, where the active checks also put theirs.
"""

import sys
from configparser import ConfigParser

import thor
from httplint.note import levels
from redbot.resource import HttpResource

FAILING = {levels.BAD, levels.WARN}


def check(url: str) -> list:
    parser = ConfigParser()
    # As `redbot URL` does: allow checking a server on loopback.
    parser.read_dict({"redbot": {"enable_local_access": "True"}})
    resource = HttpResource(parser["redbot"])
    resource.set_request(url)

    @thor.events.on(resource)
    def check_done() -> None:
        thor.stop()

    resource.check()
    thor.run()

    if not resource.response.complete:
        error = resource.fetch_error
        return [("bad", f"fetch failed: {getattr(error, 'desc', error)} {getattr(error, 'detail', '') or ''}")]

    found = []

    def walk(notes, depth):
        for note in notes:
            found.append((note.level, "  " * depth + str(note.summary)))
            walk(note.subnotes, depth + 1)

    walk(resource.response.notes, 0)
    print(f"== {url} -> {resource.response.status_code}")
    return found


def main() -> int:
    failed = 0
    for url in sys.argv[1:]:  # one URL per process is safest; see redbot-check.sh
        for level, summary in check(url):
            name = level.value if isinstance(level, levels) else level
            print(f"  [{name}] {summary}")
            if level in FAILING or level == "bad":
                failed += 1
    print(f"REDbot: {failed} bad or warning note(s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
