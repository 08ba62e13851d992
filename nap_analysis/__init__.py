"""nap-analysis: progress of the Dutch NAP against sexual misconduct and sexual violence.

The library holds all logic; notebooks call it. Heavy modules (pandas, matplotlib, scipy)
are imported by the submodules that need them, so ``import nap_analysis`` stays cheap.
"""

__version__ = "0.1.0"
