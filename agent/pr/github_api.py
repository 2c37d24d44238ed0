"""The few GitHub REST calls `perfsmith pr` makes, through PyGithub. The API base URL is
configurable for GitHub Enterprise (`https://HOST/api/v3`); errors become one-line PrErrors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

import github
from github import Auth, Github, GithubException
from github.PullRequest import ReviewComment

from agent.pr import PrError
from agent.pr.state import PastProposal, read

DEFAULT_API_URL = "https://api.github.com"
T = TypeVar("T")


@dataclass(frozen=True)
class PullInfo:
    number: int
    head_sha: str
    base_sha: str
    fork: bool


class GitHubClient:
    def __init__(
        self, slug: str, token: str, api_url: str = DEFAULT_API_URL, timeout: int = 30
    ) -> None:
        self.slug = slug
        self._gh = Github(auth=Auth.Token(token), base_url=api_url.rstrip("/"), timeout=timeout)
        self._repo = _call(lambda: self._gh.get_repo(slug), f"repository {slug}")

    @property
    def default_branch(self) -> str:
        return str(self._repo.default_branch)

    def past_proposals(self, label: str) -> list[PastProposal]:
        """The bot's PRs, open and closed, found by label and read back from their markers."""

        def fetch() -> list[PastProposal]:
            found = []
            for issue in self._repo.get_issues(state="all", labels=[label]):
                state = read(issue.body)
                if issue.pull_request is not None and state is not None:
                    found.append(PastProposal(issue.number, issue.state == "open", state))
            return found

        return _call(fetch, f"PRs labelled {label!r}")

    def open_pull(self, *, title: str, body: str, head: str, base: str, labels: list[str]) -> str:
        """Open the PR and label it; returns its web address."""
        pull = _call(lambda: self._repo.create_pull(base=base, head=head, title=title, body=body,
                                                    maintainer_can_modify=True), "creating the PR")  # fmt: skip
        _call(lambda: pull.add_to_labels(*labels), f"labelling PR #{pull.number}")
        return str(pull.html_url)

    def pull_info(self, number: int) -> PullInfo:
        pull = _call(lambda: self._repo.get_pull(number), f"PR #{number}")
        head_repo = pull.head.repo.full_name if pull.head.repo else None
        return PullInfo(number, pull.head.sha, pull.base.sha, fork=head_repo != self.slug)

    def past_reviews(self, number: int) -> list[PastProposal]:
        def fetch() -> list[PastProposal]:
            reviews = self._repo.get_pull(number).get_reviews()
            return [PastProposal(number, True, s) for r in reviews if (s := read(r.body))]

        return _call(fetch, f"reviews of PR #{number}")

    def post_review(
        self, number: int, commit_sha: str, body: str, comments: list[ReviewComment]
    ) -> None:
        def post() -> None:
            pull = self._repo.get_pull(number)
            pull.create_review(commit=self._repo.get_commit(commit_sha), body=body, event="COMMENT",
                               comments=comments)  # fmt: skip

        _call(post, f"reviewing PR #{number}")


def _call(action: Callable[[], T], what: str) -> T:
    with _api_errors(what):
        return action()


@contextmanager
def _api_errors(what: str) -> Iterator[None]:
    try:
        yield
    except GithubException as exc:
        message = exc.data.get("message") if isinstance(exc.data, dict) else exc.data
        raise PrError(f"GitHub API, {what}: HTTP {exc.status} {message}") from None
    except (OSError, github.BadAttributeException) as exc:  # connection refused, bad answers
        raise PrError(f"GitHub API, {what}: {exc}") from None
