"""A red team against the grader: every attack of issue 13, run against the real grader.

Each attack is a chapter-02 notebook built by this file from the solution (so
its honest parts would score), with cells that attack the grader. They are
graded in one local batch (``python -m gdlearn.grade --jobs 2``) beside
honest copies of the solution, and in an emulated Gradescope run (the zip's
own ``run_autograder``, with a temporary folder standing in for
``/autograder``). Each test asserts that the attacker gains nothing, that the
honest students keep their exact scores, that nothing of the attacker's
outlives the batch, and that the batch ends within its bound.

The strong guarantees need root (the grader then runs student code in
namespaces, as another user): without root these tests are skipped, and
``test_weak_mode_says_so`` checks that the grader says what it guarantees.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CH02 = ROOT / "solutions" / "02_gradient_descent.ipynb"
CH06 = ROOT / "solutions" / "06_adaptive.ipynb"
TIMEOUT = 3.0
TOTAL = 25.0          # wall-clock budget of one submission in these tests
ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="the strong isolation needs root (CI and Gradescope have it)")
MARK = "gdlearn-attacker-7f3a"   # in every file and process name the attacker makes


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _code(source: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}


def notebook(base: Path = CH02, first: list[str] = (), replace: dict | None = None) -> dict:
    """``base`` with cells ``first`` after its imports and the functions in ``replace`` redefined."""
    cells = []
    for cell in _cells(base):
        src = _source(cell)
        name = re.search(r"^def (\w+)\(", src, re.M)
        name = name.group(1) if name and cell["cell_type"] == "code" else None
        cells.append(_code(replace[name]) if name and name in (replace or {}) else dict(cell))
        if "from gdlearn.grading import check" in src:
            cells += [_code(s) for s in first]
    return {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "language": "python",
                                                        "display_name": "Python 3"}},
            "nbformat": 4, "nbformat_minor": 5}


WRONG = {  # the attacker's own answers: wrong everywhere
    "gradient_descent": "def gradient_descent(grad, x0, lr, max_steps=1000, tol=1e-6):\n    return None",
    "largest_stable_lr": "def largest_stable_lr(A):\n    return None",
    "best_learning_rate": "def best_learning_rate(f, grad, x0, lrs, steps=100):\n    return None",
}


def _steal(paths: list[str]) -> str:
    """Functions that use the solution if they can read it, else return None."""
    return f'''
import glob, os, json
STOLEN = {{}}
for pattern in {paths!r} + ["/**/solutions/02_gradient_descent.py", "/work/**/02_gradient_descent.py"]:
    for path in glob.glob(pattern, recursive=True)[:5]:
        try:
            text = open(path).read()
        except OSError:
            continue
        if "BEGIN SOLUTION" in text:
            STOLEN["text"] = text
try:
    from gdlearn.grading.course import find_solutions_dir, load_chapter
    where = find_solutions_dir()
    if where is not None:
        ch = load_chapter(where / "02_gradient_descent.py")
        STOLEN["ns"] = ch.namespace
except Exception:
    pass
try:
    import solutions  # noqa
    STOLEN["module"] = True
except Exception:
    pass
'''


STEAL_FUNCS = {
    "gradient_descent": "def gradient_descent(grad, x0, lr, max_steps=1000, tol=1e-6):\n"
                        "    if 'ns' in STOLEN: return STOLEN['ns']['gradient_descent'](grad, x0, lr, max_steps, tol)\n"
                        "    if 'text' in STOLEN: raise ValueError(STOLEN['text'][:3000])\n"
                        "    return None",
    "largest_stable_lr": "def largest_stable_lr(A):\n"
                         "    if 'ns' in STOLEN: return STOLEN['ns']['largest_stable_lr'](A)\n"
                         "    if 'text' in STOLEN: raise ValueError(STOLEN['text'][-3000:])\n"
                         "    return None",
    "best_learning_rate": "def best_learning_rate(f, grad, x0, lrs, steps=100):\n"
                          "    if 'ns' in STOLEN: return STOLEN['ns']['best_learning_rate'](f, grad, x0, lrs, steps)\n"
                          "    return None",
}

ESCAPE = f'''
import os, time
def _escape(code):
    if os.fork() == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                try:
                    import ctypes
                    ctypes.CDLL(None).prctl(15, b"{MARK}", 0, 0, 0)
                except Exception:
                    pass
                try:
                    exec(code)
                finally:
                    os._exit(0)
        finally:
            os._exit(0)
'''


def _forge(targets: list[str], delay: float = 2.0) -> str:
    """An escaped process that, after the batch, rewrites the grade files with full marks."""
    fake_csv = "submission,exercise,title,function,score,max_score,status,message\\nattacker,ex02_1,x,x,999,9,passed,forged\\n"
    fake_json = json.dumps({"score": 999, "tests": [], "output": "forged"})
    body = (f"time.sleep({delay})\nfor t in {targets!r}:\n"
            f"    try:\n        open(t, 'w').write({fake_csv!r} if t.endswith('.csv') else {fake_json!r})\n"
            "    except Exception:\n        pass\n")
    return ESCAPE + f"_escape({body!r})\n"


def _killer() -> str:
    """Kill every process it can see: the grader, the sibling submissions, everything."""
    return '''
import os, signal
for name in os.listdir("/proc"):
    if name.isdigit() and int(name) != os.getpid():
        for sig in (signal.SIGKILL,):
            try:
                os.kill(int(name), sig)
            except OSError:
                pass
try:
    os.kill(-1, signal.SIGKILL)
except OSError:
    pass
try:
    os.kill(os.getppid(), signal.SIGKILL)
except OSError:
    pass
'''


def _tamper(repo_files: list[str]) -> str:
    """Overwrite the course's own files (the library, the check data, the solutions)."""
    return f'''
for path in {repo_files!r}:
    try:
        with open(path, "a") as f:
            f.write("\\nraise SystemExit('tampered')\\n")
    except OSError:
        pass
'''


def _limits_and_litter(marker_dirs: list[str]) -> str:
    return f'''
import resource, os
for which in (resource.RLIMIT_AS, resource.RLIMIT_FSIZE, resource.RLIMIT_NPROC):
    try:
        resource.setrlimit(which, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        RAISED = True
    except (ValueError, OSError):
        pass
for d in {marker_dirs!r} + ["/tmp", "/dev/shm", "/var/tmp", os.path.expanduser("~")]:
    try:
        open(os.path.join(d, "{MARK}"), "w").write("litter")
    except OSError:
        pass
# memory in several processes: each under the per-process limit, together far above it
for _ in range(6):
    if os.fork() == 0:
        try:
            hoard = bytearray(300 * 2**20)
            for i in range(0, len(hoard), 4096):
                hoard[i] = 1
            import time
            time.sleep(60)
        finally:
            os._exit(0)
'''


CPU_BURNER = ESCAPE + "_escape('while True:\\n    pass\\n')\n_escape('while True:\\n    pass\\n')\n"

# Forged answers on the result channel, for every index, many times a second. (A forged
# answer can only claim a value the notebook's own function could have returned: the
# grader compares it with the reference. So the forgery claims a wrong value here.)
CHANNEL_FLOOD = '''
import os, threading, time, json
def _spam():
    while True:
        for fd in range(3, 40):
            for index in range(40):
                for event in ("cell_done", "probe_done", "ready", "done"):
                    msg = {"event": event, "index": index, "status": "ok", "output": 12345.0}
                    try:
                        os.write(fd, (json.dumps(msg) + "\\n").encode())
                    except OSError:
                        pass
        time.sleep(0.3)
threading.Thread(target=_spam, daemon=True).start()
'''

IGNORE_TIMER = "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass"


def _hash_tree(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for base in paths:
        for p in sorted(base.rglob("*")) if base.is_dir() else [base]:
            if p.is_file() and "__pycache__" not in p.parts:
                h.update(str(p).encode() + p.read_bytes())
    return h.hexdigest()


def _uids_of(grader_pid: int) -> range:
    """The uids the grader with this pid gives its sandboxes (see gdlearn.grading.isolation)."""
    from gdlearn.grading.isolation import UID_BASE

    base = UID_BASE + (grader_pid % 50_000) * 16
    return range(base, base + 16)


def _marked_processes(uids: range = range(0)) -> list[str]:
    """Processes named by the attacker, or running as one of ``uids`` (the batch's sandbox users)."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            comm = Path(f"/proc/{name}/comm").read_text().strip()
            uid = int(re.search(r"^Uid:\s+(\d+)", Path(f"/proc/{name}/status").read_text(), re.M).group(1))
        except (OSError, AttributeError):
            continue
        if MARK[:15] in comm or uid in uids:
            found.append(f"{name} {comm} uid={uid}")
    return found


def _litter(dirs: list[Path]) -> list[str]:
    return [str(d / MARK) for d in dirs if (d / MARK).exists()]


# --- the local batch -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip("the attacks run only where the grader can confine them (root)")
    folder = tmp_path_factory.mktemp("hostile")
    out = folder / "grades.csv"
    report = folder / "report.json"
    litter = [folder, Path("/tmp"), Path("/dev/shm"), Path("/var/tmp")]
    private = [ROOT / "gdlearn" / "grading" / "values.py", ROOT / "gdlearn" / "grading" / "checks"
               / "02_gradient_descent.json", ROOT / "solutions" / "02_gradient_descent.py"]
    attacks = {
        "steal": notebook(first=[_steal([str(ROOT / "solutions" / "*.py"), str(folder / "*.ipynb")])],
                          replace=STEAL_FUNCS),
        "forge_files": notebook(first=[_forge([str(out), str(report)])], replace=WRONG),
        "forge_channel": notebook(first=[CHANNEL_FLOOD], replace=WRONG),
        "killer": notebook(first=[_killer()], replace=WRONG),
        "cpu_burner": notebook(first=[CPU_BURNER], replace=WRONG),
        "tamper": notebook(first=[_tamper([str(p) for p in private])], replace=WRONG),
        "limits_litter": notebook(first=[_limits_and_litter([str(folder)])], replace=WRONG),
        "message_clock": notebook(first=[CHANNEL_FLOOD, IGNORE_TIMER], replace=WRONG),
        "retry_storm": notebook(first=[IGNORE_TIMER] * 12, replace=WRONG),
    }
    paths = []
    honest = []
    for i in range(3):
        path = folder / f"honest{i}_02_gradient_descent.ipynb"
        path.write_bytes(CH02.read_bytes())
        honest.append(path)
    for name, nb in attacks.items():
        path = folder / f"{name}_02_gradient_descent.ipynb"
        path.write_text(json.dumps(nb), encoding="utf-8")
        paths.append(path)
    # files the grader must refuse to read, quickly
    fifo = folder / "fifo_02_gradient_descent.ipynb"
    os.mkfifo(fifo)
    zero = folder / "zero_02_gradient_descent.ipynb"
    zero.symlink_to("/dev/zero")
    huge = folder / "huge_02_gradient_descent.ipynb"
    huge.write_text(json.dumps({"cells": [_code("x = 1\n" * 700_000)], "nbformat": 4, "nbformat_minor": 5}))
    paths += [fifo, zero, huge]
    order = [honest[0], *paths[:5], honest[1], *paths[5:], honest[2]]
    before = _hash_tree([ROOT / "gdlearn", ROOT / "solutions"])
    start = time.monotonic()
    popen = subprocess.Popen(
        [sys.executable, "-m", "gdlearn.grade", *map(str, order), "--timeout", str(TIMEOUT), "--total", str(TOTAL),
         "--memory", "768", "--jobs", "2", "--isolation", "namespaces", "--format", "csv", "--out", str(out), "--solutions",
         str(ROOT / "solutions")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    stdout, stderr = popen.communicate(timeout=600)
    proc = subprocess.CompletedProcess(popen.args, popen.returncode, stdout, stderr)
    seconds = time.monotonic() - start
    grades_at_end = out.read_text(encoding="utf-8") if out.exists() else ""
    time.sleep(3.5)   # longer than the forger waits: it would have struck by now
    return {"proc": proc, "seconds": seconds, "out": out, "grades_at_end": grades_at_end, "folder": folder,
            "attacks": attacks, "n": len(order), "before": before, "after": _hash_tree([ROOT / "gdlearn", ROOT / "solutions"]),
            "litter": litter, "uids": _uids_of(popen.pid)}


def _scores(text: str) -> dict[str, float]:
    scores: dict[str, float] = {}
    for row in csv.DictReader(io.StringIO(text)):
        name = Path(row["submission"]).name.replace("_02_gradient_descent.ipynb", "")
        scores[name] = scores.get(name, 0.0) + float(row["score"])
    return scores


def _rows(text: str, who: str) -> list[dict]:
    return [r for r in csv.DictReader(io.StringIO(text)) if Path(r["submission"]).name.startswith(who + "_")]


@ROOT_ONLY
def test_batch_runs_in_namespaces_and_ends_within_its_bound(batch):
    proc = batch["proc"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "isolation: namespaces" in proc.stderr
    # each submission is bounded by TOTAL; two at a time
    assert batch["seconds"] < batch["n"] * TOTAL / 2 + 60


@ROOT_ONLY
def test_honest_students_keep_their_exact_scores(batch):
    scores = _scores(batch["grades_at_end"])
    assert [scores.get(f"honest{i}") for i in range(3)] == [9.0, 9.0, 9.0], scores


@ROOT_ONLY
@pytest.mark.parametrize("attack", ["steal", "forge_files", "forge_channel", "killer", "cpu_burner", "tamper",
                                    "limits_litter", "message_clock", "retry_storm"])
def test_attacker_gains_nothing(batch, attack):
    scores = _scores(batch["grades_at_end"])
    assert scores.get(attack) == 0.0, (attack, scores)


@ROOT_ONLY
def test_attack_1_solutions_unreadable_and_not_leaked(batch):
    text = batch["grades_at_end"]
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text and "np.linalg.eigvalsh" not in text


@ROOT_ONLY
def test_attack_2_grade_file_not_forged_after_the_batch(batch):
    assert batch["out"].read_text(encoding="utf-8") == batch["grades_at_end"]
    assert "forged" not in batch["grades_at_end"] and "999" not in batch["grades_at_end"]
    assert stat.S_IMODE(batch["out"].stat().st_mode) == 0o600


@ROOT_ONLY
def test_attack_3_course_files_unchanged(batch):
    assert batch["after"] == batch["before"]


@ROOT_ONLY
def test_attack_4_pipes_devices_and_huge_notebooks_are_refused(batch):
    rows = {name: _rows(batch["grades_at_end"], name) for name in ("fifo", "zero", "huge")}
    assert "not a regular file" in rows["fifo"][0]["message"]
    assert "symbolic link" in rows["zero"][0]["message"]
    assert "MB of code" in rows["huge"][0]["message"]
    assert all(float(r["score"]) == 0 for rs in rows.values() for r in rs)


@ROOT_ONLY
def test_attack_4_reasons_in_the_csv(batch):
    storm = _rows(batch["grades_at_end"], "retry_storm")
    assert storm and all(r["message"] for r in storm)
    text = " ".join(r["message"] for r in _rows(batch["grades_at_end"], "message_clock"))
    assert "tests passed" in text or "not run" in text or "timed out" in text


@ROOT_ONLY
def test_attack_5_nothing_outlives_the_batch(batch):
    assert _marked_processes(batch["uids"]) == []
    assert _litter(batch["litter"]) == []


def test_grader_killed_mid_batch_leaves_a_valid_report_with_the_grades_so_far(tmp_path):
    paths = []
    for i in range(4):
        path = tmp_path / f"s{i}_02_gradient_descent.ipynb"
        path.write_text(json.dumps(notebook(first=["import time\ntime.sleep(1.5)"] if i else [])))
        paths.append(path)
    out = tmp_path / "grades.json"
    proc = subprocess.Popen([sys.executable, "-m", "gdlearn.grade", *map(str, paths), "--format", "json", "--out",
                             str(out), "--solutions", str(ROOT / "solutions"), "--quiet"], cwd=ROOT,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    graded = []
    while time.monotonic() < deadline and proc.poll() is None:
        if out.exists():
            report = json.loads(out.read_text(encoding="utf-8"))   # always complete JSON
            graded = [r for r in report if not (r["error"] or "").startswith("not graded")]
            if graded:
                break
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    report = json.loads(out.read_text(encoding="utf-8"))
    assert len(report) == 4
    done = [r for r in report if not (r["error"] or "").startswith("not graded")]
    assert done and all(r["score"] == 9 for r in done)


# --- Gradescope, emulated ------------------------------------------------------------------------

def _autograder(tmp_path: Path, chapter: str = "02_gradient_descent", **kwargs) -> Path:
    from gdlearn.grading.gradescope import build_zip

    zpath = tmp_path / "autograder.zip"
    build_zip(ROOT, zpath, chapter, **kwargs)
    source = tmp_path / "autograder" / "source"
    with zipfile.ZipFile(zpath) as zf:
        zf.extractall(source)
    for name in ("run_autograder", "setup.sh"):
        os.chmod(source / name, 0o755)
    (tmp_path / "autograder" / "submission").mkdir()
    return tmp_path / "autograder"


def _run_autograder(home: Path, python: str = sys.executable, pids: list | None = None
                    ) -> tuple[subprocess.CompletedProcess, dict]:
    env = {**os.environ, "AUTOGRADER": str(home), "GDLEARN_PYTHON": python}
    if os.geteuid() == 0:  # never run an attack unconfined: fail rather than fall back
        env["GDLEARN_ISOLATION"] = "namespaces"
    env.pop("PYTHONPATH", None)  # the library comes from the zip
    popen = subprocess.Popen(["bash", str(home / "source" / "run_autograder")], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    if pids is not None:
        pids.append(popen.pid)   # run_autograder execs the grader: the same pid
    stdout, stderr = popen.communicate(timeout=300)
    proc = subprocess.CompletedProcess(popen.args, popen.returncode, stdout, stderr)
    return proc, json.loads((home / "results" / "results.json").read_text(encoding="utf-8"))


def test_zip_holds_one_chapter_pinned_and_fits_gradescope(tmp_path):
    home = _autograder(tmp_path)
    source = home / "source"
    assert [p.name for p in (source / "solutions").iterdir()] == ["02_gradient_descent.py"]
    pins = (source / "constraints.txt").read_text()
    assert re.search(r"^numpy==\d", pins, re.M) and "-c /autograder/source/constraints.txt" in (
        source / "setup.sh").read_text()
    run = (source / "run_autograder").read_text()
    assert "--memory 768" in run and "--chapter 02_gradient_descent" in run
    total = float(re.search(r"--total (\S+)", run).group(1))
    assert total + 60 <= 600   # Gradescope's default limit is 10 minutes
    with zipfile.ZipFile(tmp_path / "autograder.zip") as zf:
        assert (zf.getinfo("solutions/02_gradient_descent.py").external_attr >> 16) & 0o077 == 0


@ROOT_ONLY
def test_gradescope_attacker_reads_nothing_forges_nothing(tmp_path):
    home = _autograder(tmp_path)
    results_file = home / "results" / "results.json"
    attack = notebook(first=[_steal([str(home / "source" / "solutions" / "*.py")]),
                             _forge([str(results_file)], delay=1.0), _killer()],
                      replace=STEAL_FUNCS)
    (home / "submission" / "02_gradient_descent.ipynb").write_text(json.dumps(attack))
    pids: list = []
    proc, results = _run_autograder(home, pids=pids)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "isolation: namespaces" in proc.stderr
    time.sleep(2.0)
    results = json.loads(results_file.read_text(encoding="utf-8"))
    assert results["score"] == 0
    text = json.dumps(results)
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text and "forged" not in text
    assert _marked_processes(_uids_of(pids[0])) == []


def test_gradescope_grades_one_notebook_capped_at_the_chapter(tmp_path):
    home = _autograder(tmp_path)
    for i in range(4):
        (home / "submission" / f"copy{i}.ipynb").write_bytes(CH02.read_bytes())
    (home / "submission" / "06_adaptive.ipynb").write_bytes(CH06.read_bytes())
    proc, results = _run_autograder(home)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert results["score"] == 9, results["output"]
    # chapter 06's solution handed in to chapter 02 earns nothing
    home2 = _autograder(tmp_path / "second")
    (home2 / "submission" / "06_adaptive.ipynb").write_bytes(CH06.read_bytes())
    _, results = _run_autograder(home2)
    assert results["score"] == 0


def test_gradescope_visible_output_shows_no_hidden_counts(tmp_path):
    home = _autograder(tmp_path)
    broken = notebook(replace={"largest_stable_lr": "def largest_stable_lr(A):\n    return 0.5"})
    (home / "submission" / "02_gradient_descent.ipynb").write_text(json.dumps(broken))
    _, results = _run_autograder(home)
    assert results["score"] < 9
    assert "hidden tests passed" not in results["output"] and "/ 9 points" not in results["output"]
    visible = [t for t in results["tests"] if t["visibility"] == "visible"]
    assert visible and not any("hidden" in t["name"] for t in visible)
    assert {t["visibility"] for t in results["tests"] if "hidden" in t["name"]} == {"after_due_date"}


def test_gradescope_results_valid_when_the_grader_fails(tmp_path):
    home = _autograder(tmp_path)
    (home / "submission" / "02_gradient_descent.ipynb").write_bytes(CH02.read_bytes())
    _, results = _run_autograder(home, python="/bin/false")
    assert results["score"] == 0 and "did not finish" in results["output"]


def test_weak_mode_says_so(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "gdlearn.grade", str(CH02), "--isolation", "process",
                           "--solutions", str(ROOT / "solutions"), "--format", "csv", "--chapter",
                           "02_gradient_descent"], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "isolation: process only" in proc.stderr and "not an attacker" in proc.stderr


def test_weak_mode_lets_a_process_escape_and_the_check_sees_it(tmp_path):
    """The test of attack 5 can fail: in the weak mode an escaped (harmless, sleeping) process survives."""
    import signal

    nb = notebook(first=[ESCAPE + "_escape('time.sleep(30)')\n"], replace=WRONG)
    path = tmp_path / "escape_02_gradient_descent.ipynb"
    path.write_text(json.dumps(nb))
    proc = subprocess.run([sys.executable, "-m", "gdlearn.grade", str(path), "--isolation", "process", "--timeout",
                           str(TIMEOUT), "--solutions", str(ROOT / "solutions"), "--quiet"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0
    survivors = _marked_processes()
    try:
        assert survivors, "the escaped process should have survived the weak mode"
    finally:
        for line in survivors:
            try:
                os.kill(int(line.split()[0]), signal.SIGKILL)
            except OSError:
                pass


def _memory_probe(mb: int) -> dict:
    """ex02_2 returns the hard address-space limit after trying to raise it; ex02_3 holds ``mb`` MiB in
    three processes at once and returns 12345 if all lived, -1 if a child was killed."""
    return notebook(replace={
        "largest_stable_lr": "import resource\ndef largest_stable_lr(A):\n"
                             "    for which in (resource.RLIMIT_AS, resource.RLIMIT_NPROC, resource.RLIMIT_FSIZE):\n"
                             "        try:\n"
                             "            resource.setrlimit(which, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))\n"
                             "        except (ValueError, OSError):\n            pass\n"
                             "    return float(resource.getrlimit(resource.RLIMIT_AS)[1])",
        "best_learning_rate": "import os, time\nDONE = []\ndef best_learning_rate(f, grad, x0, lrs, steps=100):\n"
                              "    if DONE:\n        return DONE[0]   # once per run is enough\n"
                              "    kids = []\n"
                              "    for _ in range(2):\n"
                              "        r, w = os.pipe()\n        pid = os.fork()\n        if pid == 0:\n"
                              f"            hoard = bytearray({mb} * 2**20)\n"
                              "            for i in range(0, len(hoard), 4096): hoard[i] = 1\n"
                              "            os.write(w, b'x'); time.sleep(5); os._exit(0)\n"
                              "        kids.append(pid)\n"
                              "        try:\n            os.read(r, 1)\n        except OSError:\n            pass\n"
                              f"    hoard = bytearray({mb} * 2**20)\n"
                              "    for i in range(0, len(hoard), 4096): hoard[i] = 1\n"
                              "    time.sleep(0.5)\n"
                              "    alive = all(os.waitpid(pid, os.WNOHANG) == (0, 0) for pid in kids)\n"
                              "    DONE.append(12345.0 if alive else -1.0)\n"
                              "    return DONE[0]",
    })


@ROOT_ONLY
def test_attack_5_limits_are_hard_and_per_submission(tmp_path):
    """The notebook cannot raise its limits; two processes cannot hold more than the submission's memory
    (each of them alone stays under the per-process limit: the cgroup, not RLIMIT_AS, stops them)."""
    texts = {}
    for mb in (60, 400):   # 3 × 60 MiB fits in 1024 MiB; 3 × 400 MiB does not (each alone does)
        path = tmp_path / f"limits{mb}_02_gradient_descent.ipynb"
        path.write_text(json.dumps(_memory_probe(mb)))
        out = tmp_path / f"report{mb}.json"
        proc = subprocess.run([sys.executable, "-m", "gdlearn.grade", str(path), "--isolation", "namespaces",
                               "--timeout", "8", "--memory", "1024", "--format", "json", "--out", str(out),
                               "--solutions", str(ROOT / "solutions"), "--quiet"],
                              capture_output=True, text=True, timeout=300, cwd=ROOT)
        assert proc.returncode == 0, proc.stderr[-2000:]
        texts[mb] = "\n".join(t["output"] for t in json.loads(out.read_text())[0]["tests"])
    limits = [float(x) for x in re.findall(r"got ([0-9.e+]+):", texts[400]) if float(x) > 1e6]
    assert limits and all(abs(x - 1024 * 2**20) < 1e3 for x in limits), texts[400]   # the hard limit, unraised
    assert "got 12345" in texts[60]                  # the probe works: small hoards live side by side
    assert "got -1:" in texts[400] and "got 12345" not in texts[400]   # the child was killed, the parent was not


def test_attack_4_a_submission_cannot_outlast_its_wall_clock_budget(tmp_path):
    """Twelve cells that ignore the timer: each would cost a fresh process; the budget stops them all."""
    from gdlearn.grading.grader import Grader, Limits

    path = tmp_path / "storm_02_gradient_descent.ipynb"
    path.write_text(json.dumps(notebook(first=[IGNORE_TIMER] * 12)))
    grader = Grader(ROOT / "solutions", Limits(timeout=1.0, total=8.0), chapters=["02_gradient_descent"])
    start = time.monotonic()
    sub = grader.grade(path)
    assert time.monotonic() - start < 8.0 + 3 * 5   # the budget, plus at most one run's start and kill
    assert sub.score < 9
    assert any("used up its time (8 s in all)" in c.output for e in sub.exercises for c in e.cases)
