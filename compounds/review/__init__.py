"""The review workflow: how an edit reaches patients only once a medical advisor approves it.

workflow.py       every state change, once: submit, approve, request changes,
                  withdraw, restore, and their forms for many objects
working_copy.py   writing a snapshot's content into a working copy (restore, import)
publishing.py     what approval and withdrawal write to the public tables
snapshots.py      what a version holds, an object rebuilt from one, and two compared
word_diff.py      word-level marks of a changed text
notifications.py  who is emailed after each step
history.py        an object's versions: list, compare, restore pages
queue.py          what waits for review, longest waiting first
messages.py       what the admin tells whoever took a step
dashboard.py      the admin home page: what waits on whom, what is due
admin.py          ReviewAdmin: states, actions, the review screen, the decision page
"""
