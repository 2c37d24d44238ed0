"""A loopback GitHub REST API for tests: the few endpoints `perfsmith pr` calls through
PyGithub, served under `/api/v3` the way GitHub Enterprise serves them, so the configurable
API base URL is exercised too.

Endpoints (all under /api/v3/repos/{owner}/{name}):
  GET  ''                          the repository (default branch "main")
  GET  /commits/{sha}              a commit (only its sha matters to PyGithub)
  GET  /issues?state=&labels=      issues and pull requests, filtered like GitHub does
  POST /pulls                      open a pull request (422 for a head with an open PR)
  GET  /pulls/{n}                  one pull request
  POST /issues/{n}/labels          add labels
  POST /issues/{n}/comments        an issue comment
  GET  /pulls/{n}/reviews          the reviews of a pull request
  POST /pulls/{n}/reviews          a review, with line comments
Every request is recorded; a request without `Authorization` gets 401. `add_pull` seeds
pull requests (a fork's, a closed one, one with a body the bot wrote earlier).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

PREFIX = "/api/v3"
Json = dict[str, Any]


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # without the prefix and the query
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: Any


class GitHubServer:
    """Use as a context manager; `api_url` is what PyGithub takes as base_url."""

    def __init__(self, slug: str = "acme/shop") -> None:
        self.slug = slug
        self.requests: list[Request] = []
        self.pulls: dict[int, Json] = {}
        self.comments: list[Json] = []
        self.reviews: dict[int, list[Json]] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )

    @property
    def api_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{PREFIX}"

    @property
    def repo_url(self) -> str:
        return f"{self.api_url}/repos/{self.slug}"

    def __enter__(self) -> GitHubServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # --- seeding and reading back -------------------------------------------
    def add_pull(self, *, head: str = "feature", body: str = "", state: str = "open",
                 labels: tuple[str, ...] = (), head_sha: str = "0" * 40, base_sha: str = "1" * 40,
                 head_repo: str | None = None) -> Json:  # fmt: skip
        number = len(self.pulls) + 1
        pull = self._pull(
            number, {"head": head, "base": "main", "title": f"PR {number}", "body": body}
        )
        pull["state"] = state
        pull["labels"] = [_label(name) for name in labels]
        pull["head"]["sha"], pull["base"]["sha"] = head_sha, base_sha
        pull["head"]["repo"] = self._repo(head_repo or self.slug)
        self.pulls[number] = pull
        return pull

    def calls(self, method: str, path_pattern: str) -> list[Request]:
        return [
            r for r in self.requests if r.method == method and re.fullmatch(path_pattern, r.path)
        ]

    # --- routing ---------------------------------------------------------------
    def _answer(
        self, method: str, raw_path: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, Any]:
        url = urlparse(raw_path)
        path = url.path.removeprefix(PREFIX)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        body = json.loads(raw) if raw else None
        with self._lock:  # the server is threaded; numbering must stay exact
            self.requests.append(Request(method, path, query, headers, body))
            if "authorization" not in headers:
                return 401, {"message": "Requires authentication"}
            repo = f"/repos/{self.slug}"
            if not path.startswith(repo):
                return 404, {"message": "Not Found"}
            return self._route(method, path.removeprefix(repo), query, body)

    def _route(self, method: str, rest: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        if method == "GET" and rest == "":
            return 200, self._repo(self.slug)
        if method == "GET" and (m := re.fullmatch(r"/commits/(\w+)", rest)):
            return 200, {"sha": m[1], "url": f"{self.repo_url}/commits/{m[1]}"}
        if method == "GET" and rest == "/issues":
            return 200, self._list_issues(query)
        if method == "POST" and rest == "/pulls":
            return self._create_pull(body)
        m = re.fullmatch(r"/(pulls|issues)/(\d+)(/\w+)?", rest)
        if not m or int(m[2]) not in self.pulls:
            return 404, {"message": "Not Found"}
        pull, tail = self.pulls[int(m[2])], m[3] or ""
        if method == "GET" and tail == "":
            return 200, pull
        if method == "POST" and tail == "/labels":
            names = body if isinstance(body, list) else body.get("labels", [])
            known = {label["name"] for label in pull["labels"]}
            pull["labels"] += [_label(n) for n in names if n not in known]
            return 200, pull["labels"]
        if method == "POST" and tail == "/comments":
            comment = {"id": len(self.comments) + 1, "body": body["body"], "issue": pull["number"]}
            self.comments.append(comment)
            return 201, comment
        if tail == "/reviews":
            reviews = self.reviews.setdefault(pull["number"], [])
            if method == "GET":
                return 200, reviews
            review = {"id": len(reviews) + 1, "body": body.get("body", ""), "state": "COMMENTED",
                      "commit_id": body.get("commit_id"), "comments": body.get("comments", [])}  # fmt: skip
            reviews.append(review)
            return 200, review
        return 404, {"message": "Not Found"}

    def _create_pull(self, body: Json) -> tuple[int, Any]:
        missing = [k for k in ("title", "head", "base") if not body.get(k)]
        if missing:
            return 422, {"message": "Validation Failed", "errors": [{"field": k} for k in missing]}
        if any(
            p["head"]["ref"] == body["head"] and p["state"] == "open" for p in self.pulls.values()
        ):
            return 422, {"message": f"A pull request already exists for {body['head']}."}
        pull = self._pull(len(self.pulls) + 1, body)
        self.pulls[pull["number"]] = pull
        return 201, pull

    def _list_issues(self, query: dict[str, str]) -> list[Json]:
        state = query.get("state", "open")
        wanted = set(filter(None, query.get("labels", "").split(",")))
        found = []
        for pull in self.pulls.values():
            names = {label["name"] for label in pull["labels"]}
            if (state == "all" or pull["state"] == state) and wanted <= names:
                issue = {
                    k: pull[k] for k in ("number", "title", "body", "state", "labels", "html_url")
                }
                found.append({**issue, "url": f"{self.repo_url}/issues/{pull['number']}",
                              "pull_request": {"url": pull["url"]}})  # fmt: skip
        return found

    def _repo(self, slug: str) -> Json:
        owner, name = slug.split("/")
        return {"id": 1, "name": name, "full_name": slug, "owner": {"login": owner},
                "default_branch": "main", "url": f"{self.api_url}/repos/{slug}",
                "html_url": f"https://github.example/{slug}", "fork": slug != self.slug}  # fmt: skip

    def _pull(self, number: int, body: Json) -> Json:
        url = f"{self.repo_url}/pulls/{number}"
        return {
            "number": number, "id": 1000 + number, "state": "open", "title": body["title"],
            "body": body.get("body") or "", "draft": bool(body.get("draft")), "labels": [],
            "url": url, "html_url": f"https://github.example/{self.slug}/pull/{number}",
            "issue_url": f"{self.repo_url}/issues/{number}",
            "head": {"ref": body["head"], "sha": "0" * 40, "repo": self._repo(self.slug)},
            "base": {"ref": body["base"], "sha": "1" * 40, "repo": self._repo(self.slug)},
        }  # fmt: skip

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, payload = server._answer(self.command, self.path, headers, raw)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

        return Handler


def _label(name: str) -> Json:
    return {"name": name, "color": "ededed", "url": f"labels/{name}"}
