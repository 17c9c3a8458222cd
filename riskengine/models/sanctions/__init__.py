"""The sanctions-effectiveness model: vocabulary (``coding``), simulator and likelihood
(``core``), TIES loader (``data``), fit, checks, backtest, calibration and validation."""
