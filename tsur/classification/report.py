"""The tables `tsur eval classifier` and `tsur bench classifier` print."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from tsur.classification.evaluation import Report

Echo = Callable[[str], None]


def print_report(report: Report, echo: Echo) -> None:
    echo("")
    echo(f"{'Feb 2021, ' + str(report.rows.get('test', 0)) + ' appeals':<34}"
         f"{'category (15)':^22}{'reason (124)':^22}")
    echo(f"{'':<34}{'accuracy':>10} {'macro-F1':>10} {'accuracy':>10} {'macro-F1':>10}")
    for name, figures in (("baseline: TF-IDF + LinearSVC", report.baseline),
                          ("ours: hashed stems + n-grams, int8", report.ours)):
        cells = " ".join(f"{figures[level].accuracy:>10.4f} {figures[level].macro_f1:>10.4f}"
                         for level in ("category", "reason"))
        echo(f"{name:<34}{cells}")
    r = report.rubricator
    echo(f"\nOurs on the rubricator: category accuracy {r['category_accuracy']:.4f}, "
         f"sector {r['sector_accuracy']:.4f}; "
         f"confidence ≥ threshold for {r['auto_share']:.1%} of appeals, of which correct {r['auto_accuracy']:.1%}; "
         f"no topic {r['no_topic']:.1%}; "
         f"expected calibration error {r['expected_calibration_error']:.3f}")
    c = report.cold_start
    echo(f"Cold start, categories without history ({int(c['phrasings'])} held-out rubricator phrasings, not "
         f"residents' words): category {c['category_accuracy']:.1%}, sector {c['sector_accuracy']:.1%}, "
         f"no topic (to an operator) {c['no_topic']:.1%}")
    echo("Seconds: " + ", ".join(f"{k} {v}" for k, v in report.seconds.items()))
    print_inference(report.inference, echo)


def print_inference(figures: Mapping[str, float], echo: Echo) -> None:
    echo(f"\nInference on one core, CPU time ({int(figures['texts'])} Feb 2021 texts): "
         f"{figures['per_second']:.0f} appeals/s "
         f"(first pass, cold stem cache: {figures['per_second_cold_cache']:.0f}/s)")
    echo(f"Load + first prediction (CPU time): {figures['load_and_first_ms_numpy_imported']:.0f} ms; "
         f"{figures['first_ms']:.0f} ms with importing numpy (a new container's first classification, the app "
         f"imported); {figures['first_ms_fresh_process']:.0f} ms from a bare Python process")
    echo(f"Artifact {figures['artifact_mb']:.2f} MB; peak memory (RSS) {figures['peak_rss_first_mb']:.0f} MB after "
         f"the first classification, {figures['peak_rss_mb']:.0f} MB after all of them with the caches filled "
         f"(before loading: {figures['rss_before_model_mb']:.0f} MB)")
