#!/usr/bin/python3
"""Checks bench/summarize.py on a small made-up run: ratios, verdicts, the raw-step and peak arithmetic.

usage: /usr/bin/python3 -m unittest discover -s bench -p 'test_*.py'
"""
import contextlib
import io
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import summarize  # noqa: E402


def b4j(path, row, batch, threads, value, jdk=17, net="784-128-10", optimizer="sgd", **extra):
    r = {"side": "backprop4j", "path": path, "jdk": jdk, "java_version": f"{jdk}.0.1", "vector": True,
         "kernels": "k", "precision": path.split("-")[0], "row": row, "threads": threads, "net": net,
         "optimizer": optimizer, "batch": batch, "value": value, "unit": "u", "runs": [value] * 3, "loss": 0.5}
    r.update(extra)
    return r


def torch(precision, row, batch, config, value, net="784-128-10", optimizer="sgd"):
    return {"side": "pytorch", "torch": "1.13", "torch_threads": 1, "blas": "libopenblas.so", "openblas": True,
            "corename": "Zen", "coretype_env": "Zen", "blas_threads": 1 if config == "1 thread" else 2,
            "config": config, "precision": precision, "row": row, "net": net, "optimizer": optimizer,
            "batch": batch, "value": value, "unit": "u", "runs": [value] * 3, "loss": 0.6}


def jmh(batch, threads, ops, alloc):
    return {"benchmark": "io.github.backprop4j.train.MnistBench.trainStep",
            "params": {"batchSize": str(batch), "threads": str(threads), "precision": "FLOAT32"},
            "primaryMetric": {"score": ops, "scoreUnit": "ops/s", "rawData": [[ops - 100, ops, ops + 100]]},
            "secondaryMetrics": {"gc.alloc.rate.norm": {"score": alloc, "scoreUnit": "B/op"}}}


class SummarizeTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        out = self.dir.name
        lines = [
            b4j("float32-vector", "train", 32, 1, 100_000), b4j("float32-vector", "train", 32, 2, 120_000),
            b4j("float32-vector", "train", 128, 1, 120_000, alloc_bytes_per_step=40.0),
            b4j("float32-vector", "predict1", 1, 1, 9.0), b4j("float32-vector", "predict1", 1, 2, 12.0),
            b4j("float32-vector", "train", 32, 1, 150_000, jdk=25),
            b4j("float32-vector", "train", 64, 1, 10_000, net="784-256-10", optimizer="sgd"),
            b4j("float32-vector", "train", 64, 1, 5_000, net="784-256-10", optimizer="adam"),
            {"side": "backprop4j", "row": "peak", "jdk": 17, "java_version": "17.0.1", "precision": "float32",
             "vector_bits": 512, "lanes": 16, "chains": 12, "threads": 1, "value": 100.0, "median": 90.0,
             "unit": "GFLOP/s", "runs": [100.0]},
        ]
        with open(os.path.join(out, "backprop4j.jsonl"), "w") as f:
            f.write("\n".join(json.dumps(x) for x in lines) + "\n")
        lines = [
            torch("float32", "train", 32, "1 thread", 50_000), torch("float32", "train", 32, "2 BLAS", 40_000),
            torch("float32", "predict1", 1, "1 thread", 36.0), torch("float32", "predict1", 1, "2 BLAS", 30.0),
            torch("float32", "train", 64, "1 thread", 2_000, net="784-256-10", optimizer="adam"),
        ]
        with open(os.path.join(out, "pytorch.jsonl"), "w") as f:
            f.write("\n".join(json.dumps(x) for x in lines) + "\n")
        with open(os.path.join(out, "jmh-float32-vector.json"), "w") as f:
            json.dump([jmh(32, 1, 3100, 33.0), jmh(128, 1, 1000, 5.0)], f)
        self.run_ = summarize.Run(out)

    def tearDown(self):
        self.dir.cleanup()

    def test_flop_per_sample_is_the_issues_count(self):
        self.assertEqual(summarize.FLOP_PER_SAMPLE, 409_088)

    def test_throughput_verdicts(self):
        self.assertEqual(summarize.verdict(1.9, (2.0, 3.0), "train"), "**not met**")
        self.assertEqual(summarize.verdict(2.5, (2.0, 3.0), "train"), "met")
        self.assertEqual(summarize.verdict(3.1, (2.0, 3.0), "train"), "met, aim met")
        self.assertEqual(summarize.verdict(0.6, (0.5, None), "train"), "met")

    def test_latency_verdicts_are_upper_bounds(self):
        self.assertEqual(summarize.verdict(0.4, (1 / 3, 1 / 5), "predict1"), "**not met**")
        self.assertEqual(summarize.verdict(0.3, (1 / 3, 1 / 5), "predict1"), "met")
        self.assertEqual(summarize.verdict(0.19, (1 / 3, 1 / 5), "predict1"), "met, aim met")

    def test_ratio_takes_the_better_configuration_of_each_side(self):
        self.assertAlmostEqual(self.run_.main_ratio("float32-vector", ("train", 32)), 120_000 / 50_000)
        self.assertAlmostEqual(self.run_.main_ratio("float32-vector", ("predict1", 1)), 9.0 / 30.0)

    def test_newest_jdk_is_found(self):
        self.assertEqual(self.run_.jdk17, 17)
        self.assertEqual(self.run_.newest, 25)

    def test_raw_step_is_the_median_iteration_times_the_batch(self):
        samples, alloc = self.run_.raw_step("float32-vector", 32, 1)
        self.assertAlmostEqual(samples, 3100 * 32)
        self.assertEqual(alloc, 33.0)
        self.assertEqual(sorted(self.run_.fit_over_raw("float32-vector")),
                         [(120_000 / 128_000, 128, 1), (100_000 / (3100 * 32), 32, 1)])

    def test_a_raw_step_slower_than_trainer_fit_is_flagged(self):
        self.assertEqual(summarize.fit_over_raw_verdict(0.95), "met")
        self.assertEqual(summarize.fit_over_raw_verdict(0.85), "**not met**")
        self.assertIn("implausible", summarize.fit_over_raw_verdict(3.0))

    def test_share_of_peak(self):
        self.assertAlmostEqual(self.run_.peak_share("float32-vector", "raw"), 128_000 * 409_088 * 1e-9 / 100.0)
        self.assertAlmostEqual(self.run_.peak_share("float32-vector", "fit"), 120_000 * 409_088 * 1e-9 / 100.0)

    def test_update_share_is_the_time_beyond_sgd(self):
        self.assertAlmostEqual(self.run_.update_share("float32-vector", "adam", 64), 0.5)
        self.assertEqual(self.run_.optimizer_ratios("float32-vector"), [(2.5, "adam", 64)])

    def test_the_whole_table_prints(self):
        text = io.StringIO()
        with contextlib.redirect_stdout(text):
            sys.argv = ["summarize.py", self.dir.name]
            summarize.main()
        out = text.getvalue()
        self.assertIn("| train, batch 32 (samples/s) | 2.40× (2× / 3×): met |", out)
        self.assertIn("0.30× (≤ ⅓× / ≤ ⅕×): met", out)
        self.assertIn("150,000 (3.00×)", out)  # the newest-JDK column
        self.assertIn("| 50,000 (1 thread, Zen) |", out)  # PyTorch's best, with its kernel set


if __name__ == "__main__":
    unittest.main()
