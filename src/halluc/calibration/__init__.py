"""Calibration: recalibrating raw confidence, calibration metrics, and the behavioral audit."""
