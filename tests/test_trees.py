"""The boosted trees are kept as arrays and walked with numpy: they must predict what
scikit-learn's own model predicts, before and after a trip through the calibration's JSON."""

import numpy as np

from interviewer.grading import calibration, trees


def _data(rows: int = 400) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((rows, 5))
    x[:, 4] = rng.integers(0, 2, rows)  # a 0/1 signal, like the question's language
    y = np.clip(0.5 + 0.3 * np.tanh(x[:, 0]) + 0.2 * (x[:, 1] > 0.5) * x[:, 4], 0, 1)
    return x, y


def test_the_arrays_predict_what_sklearn_predicts() -> None:
    x, y = _data()
    forest = trees.fit(x, y)
    model = trees.regressor().fit(x, y)
    fresh = _data(50)[0] * 1.5  # rows it never saw, some beyond the fitted range
    np.testing.assert_allclose(forest.predict(fresh), model.predict(fresh), atol=1e-12)
    np.testing.assert_allclose(forest.predict(x[0]), model.predict(x[:1]), atol=1e-12)


def test_a_calibration_with_trees_survives_its_json_and_averages_both_halves() -> None:
    x, y = _data()
    cal = calibration.fit(x, y, [f"f{k}" for k in range(5)], "fake", (0.8, 0.7, 0.3))
    again = calibration.Calibration.model_validate_json(cal.model_dump_json())
    np.testing.assert_array_equal(again.predict(x), cal.predict(x))
    assert cal.forest is not None
    smooth = cal.model_copy(update={"forest": None}).predict(x)
    np.testing.assert_allclose(cal.predict(x), (smooth + np.clip(cal.forest.predict(x), 0, 1)) / 2)
    # the trees earn their half: in-sample, the average is closer to y than the ridge alone
    assert np.mean((cal.predict(x) - y) ** 2) < np.mean((smooth - y) ** 2)


def test_the_baseline_can_be_fitted_without_trees() -> None:
    x, y = _data()
    cal = calibration.fit(x[:, :1], y, ["whole_cosine"], "fake", (0.8, 0.7, 0.3), boosted=False)
    assert cal.forest is None
