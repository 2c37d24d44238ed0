"""`perfsmith pr`: turn a finished, verified run into a pull request or a review, and stay
quiet when the result is not worth a reviewer's time.

finished   load a run directory (report, candidates, profiles, patch)
state      the bot's memory: a hidden marker in the bodies of the PRs and reviews it wrote
quiet      the rules that decide whether to open anything at all
body       the PR body; review: the review with suggestions for --comment mode
diffs      unified diff hunks; changed: functions a PR changed, and their source hashes
gitops     branch names, commits and pushes; github_api: the PyGithub wrapper
safety     CI context checks (pull_request_target, forks, the bot's own commits)
flow       what the command does, top to bottom; command: its flags
"""


class PrError(Exception):
    """A usage or set-up problem of `perfsmith pr`; the message is one line for the user."""
