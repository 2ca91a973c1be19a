"""docs/benchmarks.md is written by the commands: each section replaced in place, its numbers the
command's own, the machine named beside them."""

from pathlib import Path

from devtools import figures_page

WHERE = {"cpu": "Test CPU", "cores": 2, "bf16": False, "avx2": True, "embedder_path": None}


def test_a_section_is_the_result_s_own_numbers_and_its_machine(tmp_path: Path) -> None:
    page = tmp_path / "benchmarks.md"
    result = {"grade_p50_s": 0.231, "grade_p95_s": 0.46, "llm": "fake", "machine": {"cpu": "x"}}
    figures_page.write(page, "bench", "Speed", figures_page.rows(result), WHERE)
    text = page.read_text()
    assert text.startswith("# Measured figures")
    assert "| grade_p50_s | 0.231 |" in text and "| grade_p95_s | 0.46 |" in text and "| llm | fake |" in text
    assert "machine" not in text.split("Machine:")[0].split("## Speed")[1]  # nested objects not as rows
    assert "Machine: cpu Test CPU, cores 2, bf16 False, avx2 True." in text  # None left out


def test_each_command_replaces_only_its_own_section(tmp_path: Path) -> None:
    page = tmp_path / "benchmarks.md"
    figures_page.write(page, "bench", "Speed", figures_page.rows({"grade_p50_s": 0.3}), WHERE)
    eval_result = {
        "files": {
            "a.jsonl": {
                "n": 10,
                "graders": {
                    "interview": {"pearson": 0.61, "rmse": 1.2, "rmse_mean_predictor": 1.3},
                    "rubric": {"pearson": 0.62},
                    "cosine": {"pearson": 0.5},
                },
                "labels": {
                    "per_label": {"correct": {"mean": 8.8, "n": 3}},
                    "macro_f1_5way": 0.3,
                    "macro_f1_3way": 0.4,
                },
            }
        }
    }
    figures_page.write(page, "eval", "Agreement", figures_page.eval_rows(eval_result), WHERE)
    figures_page.write(page, "bench", "Speed", figures_page.rows({"grade_p50_s": 0.25}), WHERE)
    text = page.read_text()
    assert (
        text.count("<!-- bench:start -->") == 1 and "0.3 |" not in text and "| grade_p50_s | 0.25 |" in text
    )
    assert "| a.jsonl | 10 | 0.61 | 0.62 | 0.5 | 1.2 | 1.3 |" in text
    assert "score shown per label: correct 8.8; bands' macro-F1 5-way 0.3, 3-way 0.4." in text
    assert text.index("<!-- bench:start -->") < text.index("<!-- eval:start -->")  # the order kept


def test_the_machine_names_the_cpu_s_flags_and_the_commit() -> None:
    where = figures_page.machine("int8", 2)
    assert {
        "cpu",
        "cores",
        "bf16",
        "avx512",
        "avx2",
        "embedder_path",
        "llm_threads",
        "date",
        "commit",
    } <= set(where)
    assert where["embedder_path"] == "int8" and where["llm_threads"] == 2
