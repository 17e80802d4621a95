"""tools/new_chapter.py writes a chapter's skeleton that imports, lints, checks and tests clean.

Each test runs the tool into a temporary copy of what it reads and writes
(_toc.yml, tools/, the package, empty stand-ins for the existing chapters),
never into the repository itself.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("new_chapter", ROOT / "tools" / "new_chapter.py")
new_chapter = importlib.util.module_from_spec(_spec)
sys.modules["new_chapter"] = new_chapter  # dataclasses look their module up there
_spec.loader.exec_module(new_chapter)

SOLUTIONS_PART = new_chapter.SOLUTIONS_PART


#: The chapters these tests were written against; chapters added since are left out of
#: the copy (and parts they leave empty), so that the expected positions still hold.
BASE_CHAPTERS = {"01", "02", "06", "07", "08", "09"}


def _toc_as_written(text: str) -> str:
    """``_toc.yml`` without the entries of chapters outside BASE_CHAPTERS."""
    keep = []
    for line in text.splitlines():
        m = re.search(r"- file: (chapters|exercises|solutions)/(\d\d)_", line)
        if m and m.group(2) not in BASE_CHAPTERS:
            continue
        keep.append(line)
    out, i = [], 0
    while i < len(keep):  # drop a part whose chapters: list is now empty
        block = keep[i:i + 3]
        if (len(block) == 3 and block[0].lstrip().startswith("- caption:")
                and block[2].strip() == "chapters:"
                and (i + 3 == len(keep) or "- file:" not in keep[i + 3])):
            i += 3
            continue
        out.append(keep[i])
        i += 1
    return "\n".join(out) + "\n"


_EXAMPLE_CHECKERS = ("softmax_temperature", "teacher_forced_inputs", "halt_log_likelihood")


def _of_the_example(line: str) -> bool:
    """Whether a line of checks/__init__.py registers the example chapter's checkers."""
    return ".sequence_modelling import" in line or (
        line.startswith("__all__ +=") and any(name in line for name in _EXAMPLE_CHECKERS))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the files the tool reads, and stand-ins for the existing chapters."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    (root / "_toc.yml").write_text(_toc_as_written((ROOT / "_toc.yml").read_text()))
    (root / "tools").mkdir()
    shutil.copy(ROOT / "tools" / "make_exercises.py", root / "tools")
    shutil.copytree(ROOT / "tools" / "templates", root / "tools" / "templates")
    # the example chapter (03, sequence_modelling) is a real one now: the copy is the
    # house as it was before it, without its modules, notebooks, toc entries and checkers
    shutil.copytree(ROOT / "src", root / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info",
                                                  "sequence_modelling.py"))
    checks_init = root / "src" / "textbook_rnn" / "checks" / "__init__.py"
    checks_init.write_text("".join(line for line in checks_init.read_text().splitlines(True)
                                   if not _of_the_example(line)))
    toc_lines = (root / "_toc.yml").read_text().splitlines(True)
    (root / "_toc.yml").write_text("".join(line for line in toc_lines
                                           if "03_sequence_modelling" not in line))
    for folder in ("chapters", "solutions", "exercises"):
        (root / folder).mkdir()
        for path in (ROOT / folder).glob("[0-9][0-9]_*"):
            if path.name[:2] in BASE_CHAPTERS:
                (root / folder / path.name).write_text("")
    (root / "tests").mkdir()
    return root


def toc(root: Path) -> dict[str, list[str]]:
    """Part caption -> its files, in order, as Jupyter Book reads _toc.yml."""
    data = yaml.safe_load((root / "_toc.yml").read_text())
    return {p["caption"]: [c["file"] for c in p.get("chapters", [])] for p in data["parts"]}


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


def run_python(root: Path, code: str, timeout: int = 120) -> subprocess.CompletedProcess:
    """Run ``code`` with the copy's package first on the path."""
    env = {**os.environ, "PYTHONPATH": str(root / "src"), "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=root, env=env,
                          capture_output=True, text=True, timeout=timeout)


def create(root: Path, number="03", slug="sequence_modelling", title="Sequence modelling",
           part=None) -> list[str]:
    chapter = new_chapter.make_chapter(number, slug, title)
    return new_chapter.create(root, chapter, part)


# --- the files --------------------------------------------------------------------------


def test_every_file_of_the_skeleton_is_written(repo):
    written = create(repo)
    expected = [
        "chapters/03_sequence_modelling.md",
        "src/textbook_rnn/sequence_modelling.py",
        "src/textbook_rnn/figures/sequence_modelling.py",
        "src/textbook_rnn/checks/sequence_modelling.py",
        "solutions/03_sequence_modelling.ipynb",
        "exercises/03_sequence_modelling.ipynb",
        "tests/test_sequence_modelling.py",
        "tests/test_checks_sequence_modelling.py",
        "tests/test_figures_sequence_modelling.py",
        "src/textbook_rnn/checks/__init__.py",
        "_toc.yml",
    ]
    assert sorted(written) == sorted(expected)
    for rel in expected:
        text = (repo / rel).read_text()
        assert text.strip(), f"{rel} is empty"
        assert "{{" not in text, f"{rel} keeps a template placeholder"
    chapter = (repo / "chapters/03_sequence_modelling.md").read_text()
    assert chapter.count("SKELETON") >= 5, "skeleton text must be marked as such"
    assert "# Sequence modelling" in chapter


def test_the_chapter_is_a_myst_notebook_with_the_house_parts(repo):
    jupytext = pytest.importorskip("jupytext")
    create(repo)
    path = repo / "chapters/03_sequence_modelling.md"
    nb = jupytext.read(path)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert any("from textbook_rnn import sequence_modelling" in c for c in code)
    text = path.read_text()
    assert "(ch-sequence-modelling)=" in text
    assert re.search(r"^\$\$ \(sequence-modelling-example\)$", text, re.MULTILINE)
    assert "{eq}`sequence-modelling-example`" in text
    for marker in ("Learning goals", "## Summary", "````{exercise}",
                   "````{solution} ex-sequence-modelling-example", ":class: dropdown",
                   "{doc}`../exercises/03_sequence_modelling`", "{glue:text}",
                   "name: fig-sequence-modelling-example"):
        assert marker in text, f"the chapter lacks {marker!r}"


def test_the_solutions_notebook_has_markers_metadata_and_its_exercise(repo):
    create(repo)
    solution = nbformat.read(repo / "solutions/03_sequence_modelling.ipynb", as_version=4)
    nbformat.validate(solution)
    assert solution.metadata["textbook"]["exercise_title"] == (
        "Coding exercises: sequence modelling")
    sources = "\n".join(c.source for c in solution.cells)
    assert sources.count("### BEGIN SOLUTION") == sources.count("### END SOLUTION") == 1
    assert "checks.sequence_modelling_example(sequence_modelling_example)" in sources
    exercise = nbformat.read(repo / "exercises/03_sequence_modelling.ipynb", as_version=4)
    ex_sources = "\n".join(c.source for c in exercise.cells)
    assert "raise NotImplementedError" in ex_sources
    assert "np.tanh(x @ W.T)" not in ex_sources
    assert exercise.cells[0].source.startswith("# Coding exercises: sequence modelling\n")
    assert not any("solution-only" in c.metadata.get("tags", []) for c in exercise.cells)


def test_the_checker_is_registered_in_checks(repo):
    create(repo)
    text = (repo / "src/textbook_rnn/checks/__init__.py").read_text()
    assert "from .sequence_modelling import sequence_modelling_example\n" in text
    assert '__all__ += ["sequence_modelling_example"]' in text


# --- the table of contents --------------------------------------------------------------


def _interleave(repo):
    """Rewrite the toc in the older layout: each solution right after its exercise."""
    lines = (repo / "_toc.yml").read_text().splitlines()
    start = lines.index(f"  - caption: {SOLUTIONS_PART}")
    end = lines.index("  - caption: Back matter")
    solutions = [line for line in lines[start:end] if "- file: solutions/" in line]
    del lines[start:end]
    for sol in solutions:
        at = lines.index(sol.replace("solutions/", "exercises/"))
        lines.insert(at + 1, sol)
    (repo / "_toc.yml").write_text("\n".join(lines) + "\n")


def test_toc_entries_go_to_their_parts_in_chapter_order(repo):
    before = toc(repo)
    create(repo)
    after = toc(repo)
    assert after["Foundations"] == before["Foundations"] + ["chapters/03_sequence_modelling"]
    assert after["Coding exercises"][1:4] == ["exercises/02_bptt",
                                              "exercises/03_sequence_modelling",
                                              "exercises/06_long_term"]
    assert after[SOLUTIONS_PART][1:4] == ["solutions/02_bptt", "solutions/03_sequence_modelling",
                                          "solutions/06_long_term"]
    assert [p for p in after if p not in before] == []
    assert (repo / "_toc.yml").read_text().startswith("# The reading order."), \
        "the comments of _toc.yml must survive"


def test_a_missing_part_is_created_in_reading_order(repo):
    create(repo, "04", "encoder_decoder", "Encoder-decoder networks")
    parts = list(toc(repo))
    assert parts.index("Foundations") < parts.index("Architectures") \
        < parts.index("Long-term dependencies")
    assert toc(repo)["Architectures"] == ["chapters/04_encoder_decoder"]
    data = yaml.safe_load((repo / "_toc.yml").read_text())
    part = next(p for p in data["parts"] if p["caption"] == "Architectures")
    assert part["numbered"] is True


def test_without_a_solutions_part_each_solution_follows_its_exercise(repo):
    _interleave(repo)
    assert SOLUTIONS_PART not in toc(repo)
    create(repo)
    exercises = toc(repo)["Coding exercises"]
    i = exercises.index("exercises/03_sequence_modelling")
    assert exercises[i - 2:i + 3] == ["exercises/02_bptt", "solutions/02_bptt",
                                      "exercises/03_sequence_modelling",
                                      "solutions/03_sequence_modelling",
                                      "exercises/06_long_term"]


def test_an_explicit_part_is_used(repo):
    create(repo, "11", "memory_networks", "Explicit memory", part="Long-term dependencies")
    assert toc(repo)["Long-term dependencies"][-1] == "chapters/11_memory_networks"


# --- the generated code -----------------------------------------------------------------


def test_the_generated_python_passes_ruff(repo):
    ruff = shutil.which("ruff") or shutil.which("ruff", path=str(Path(sys.executable).parent))
    if ruff is None:
        pytest.skip("ruff is not installed")
    # the longest slug and title the tool accepts
    slug = "a" * new_chapter.MAX_SLUG
    title = ("Bidirectional and encoder-decoder networks, with attention" + "x" * 60)
    written = create(repo, "04", slug, title[:new_chapter.MAX_TITLE])
    written += create(repo, "05", "deep_networks", "Deep and recursive networks")
    python = sorted({rel for rel in written if rel.endswith(".py")})
    result = subprocess.run([ruff, "check", "--no-cache", *python], cwd=repo,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_generated_code_imports_and_the_checker_accepts_its_own_reference(repo):
    create(repo)
    solution = nbformat.read(repo / "solutions/03_sequence_modelling.ipynb", as_version=4)
    exercise = nbformat.read(repo / "exercises/03_sequence_modelling.ipynb", as_version=4)
    script = f"""
        import re
        from textbook_rnn import checks, sequence_modelling
        from textbook_rnn.figures import sequence_modelling as fig

        result = checks.sequence_modelling_example(sequence_modelling.sequence_modelling_example)
        assert result, str(result)
        print("REFERENCE", result.status)

        def run(cells):
            namespace = {{}}
            reports = []
            for source in cells:
                if re.fullmatch(r"checks\\.\\w+\\(\\w+\\)", source.strip()):
                    reports.append(eval(source, namespace))
                else:
                    exec(source, namespace)
            return reports

        for report in run({[c.source for c in solution.cells if c.cell_type == "code"]!r}):
            assert report, str(report)
            print("SOLUTION", report.status)
        for report in run({[c.source for c in exercise.cells if c.cell_type == "code"]!r}):
            print("EXERCISE", report.status)
    """
    result = run_python(repo, script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:3] == ["REFERENCE passed", "SOLUTION passed",
                                            "EXERCISE not implemented"]


@pytest.mark.slow
def test_the_chapter_code_runs(repo):
    jupytext = pytest.importorskip("jupytext")
    pytest.importorskip("matplotlib")
    pytest.importorskip("myst_nb")
    create(repo)
    nb = jupytext.read(repo / "chapters/03_sequence_modelling.md")
    cells = ["\n".join(line for line in c.source.splitlines() if not line.startswith("%"))
             for c in nb.cells if c.cell_type == "code"]
    result = run_python(repo, f"""
        namespace = {{}}
        for source in {cells!r}:
            exec(source, namespace)
        print(namespace["z"].shape)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("(1, 5, 3)")


@pytest.mark.slow
def test_the_generated_tests_pass(repo):
    create(repo)
    tests = ["tests/test_sequence_modelling.py", "tests/test_checks_sequence_modelling.py",
             "tests/test_figures_sequence_modelling.py"]
    env = {**os.environ, "PYTHONPATH": str(repo / "src"), "MPLBACKEND": "Agg"}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "-p", "no:randomly", *tests], cwd=repo, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert re.search(r"\b(\d+) passed\b", result.stdout)


# --- what the tool refuses ----------------------------------------------------------------


def test_nothing_is_overwritten(repo):
    create(repo)
    before = snapshot(repo)
    with pytest.raises(new_chapter.ChapterError, match="exists already"):
        create(repo)
    with pytest.raises(new_chapter.ChapterError, match="chapter 03 exists already"):
        create(repo, "03", "other_slug")
    with pytest.raises(new_chapter.ChapterError, match="slug 'sequence_modelling' is taken"):
        create(repo, "04", "sequence_modelling")
    assert snapshot(repo) == before


def test_one_existing_file_stops_everything(repo):
    (repo / "tests" / "test_checks_sequence_modelling.py").write_text("# mine\n")
    before = snapshot(repo)
    with pytest.raises(new_chapter.ChapterError,
                       match="tests/test_checks_sequence_modelling.py exists already"):
        create(repo)
    assert snapshot(repo) == before


def test_an_existing_module_name_is_refused(repo):
    with pytest.raises(new_chapter.ChapterError, match="src/textbook_rnn/rnn.py exists"):
        create(repo, "05", "rnn")


@pytest.mark.parametrize("number", ["0", "00", "100", "a", "3.5", "", "-1", " 3x"])
def test_bad_numbers_are_refused(number):
    with pytest.raises(new_chapter.ChapterError, match="N must be"):
        new_chapter.make_chapter(number, "sequence_modelling")


@pytest.mark.parametrize("slug", ["Sequence", "1st", "a__b", "with-dash", "trailing_",
                                  "_private", "has space", "", "a" * 31, "class", "checks",
                                  "figures"])
def test_bad_slugs_are_refused(slug):
    with pytest.raises(new_chapter.ChapterError, match="SLUG"):
        new_chapter.make_chapter("03", slug)


@pytest.mark.parametrize("title", ["", "   ", 'a "quoted" title', "back\\slash", "x" * 61])
def test_bad_titles_are_refused(title):
    with pytest.raises(new_chapter.ChapterError, match="TITLE"):
        new_chapter.make_chapter("03", "sequence_modelling", title)


def test_number_and_title_are_normalised():
    chapter = new_chapter.make_chapter("3", "sequence_modelling")
    assert (chapter.nn, chapter.stem, chapter.title) == (
        "03", "03_sequence_modelling", "Sequence modelling")
    assert chapter.label == "sequence-modelling"


def test_the_command_line_reports_a_refusal_without_a_traceback(repo, capsys):
    assert new_chapter.main(["02", "another_bptt", "--root", str(repo)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("new_chapter: chapter 02 exists already")
    assert new_chapter.main(["03", "sequence_modelling", "--root", str(repo)]) == 0
    assert "chapters/03_sequence_modelling.md" in capsys.readouterr().out


def test_make_chapter_calls_the_tool():
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    result = subprocess.run(["make", "-n", "chapter", "N=03", "SLUG=sequence_modelling",
                             "TITLE=Sequence modelling"], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    assert ('tools/new_chapter.py "03" "sequence_modelling" --title "Sequence modelling"'
            in result.stdout)
