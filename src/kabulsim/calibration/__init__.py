"""Calibration: fitting the free parameters to the facts of the record with ABC-SMC.

* :mod:`~kabulsim.calibration.priors`: the free parameters (declared ``fit=True`` in the
  schema) and their priors over the provenance table's plausible ranges;
* :mod:`~kabulsim.calibration.statistics`: the summary statistics read off the validation
  facts, and the distance that uses the facts' tolerances as its scale;
* :mod:`~kabulsim.calibration.settings`: what a calibration runs (sizes, limits, seed; the
  defaults the CLI shows);
* :mod:`~kabulsim.calibration.abc`: the pyABC driver (``kabulsim calibrate``);
* :mod:`~kabulsim.calibration.ensemble`: the ensemble file (accepted parameter sets with
  weights, Parquet, and a JSON sidecar) and drawing a member for a replication;
* :mod:`~kabulsim.calibration.identifiability`: what the record pins down (prior against
  posterior).

pyABC is an optional dependency (``pip install kabulsim[calibrate]``), imported only by the
driver.
"""
