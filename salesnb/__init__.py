"""salesnb: the data side of a sales director's work plan.

Parameterized Jupyter notebooks over this small, tested helper package, run in
batch with papermill into HTML report packs.
"""

from salesnb.errors import SalesnbError

__version__ = "0.1.0"

__all__ = ["SalesnbError", "__version__"]
