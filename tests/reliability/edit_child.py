"""A client that makes edits as fast as it can and reports each one *after* it committed.

    python -m tests.reliability.edit_child URL DOC_ID USER FIRST_WORD STEP COUNT

Adds a one-word entity on words FIRST_WORD, FIRST_WORD+STEP, ... (of a text "w0 w1 w2 ..."), every
fifth edit toggles the document status, every seventh undoes the previous span (store.revert). Prints
"added ID START", "reverted ID", "status S", "conflict START" (a refused, rolled back edit) a line,
flushed. Any other error exits non-zero with the message.
"""

from __future__ import annotations

import sys

from annotator.core.document import DocumentStatus
from annotator.core.errors import ConflictError, SpanRefused
from annotator.store import Store


def main() -> int:
    url, doc_id, user, first, step, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], *map(int, sys.argv[4:7])
    store = Store.open(url)
    text = store.view(doc_id, user).text
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == " "]
    last = None
    for n, word in enumerate(range(first, first + step * count, step)):
        start = starts[word % len(starts)]
        end = text.find(" ", start)
        end = len(text) if end < 0 else end
        try:
            version = store.document(doc_id).version
            changes = store.add_span(doc_id, start, end, "PERSON", user, expected_version=version)
            last = changes
            print(f"added {changes.added[0].id} {start}", flush=True)
            if n % 5 == 4:
                status = DocumentStatus.FLAGGED if n % 10 == 4 else DocumentStatus.IN_PROGRESS
                store.set_status(doc_id, status, user)
                print(f"status {status.value}", flush=True)
            if n % 7 == 6 and last is not None:
                store.revert(last)
                print(f"reverted {last.added[0].id}", flush=True)
                last = None
        except (ConflictError, SpanRefused):
            print(f"conflict {start}", flush=True)
    store.close()
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
