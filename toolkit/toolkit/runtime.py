"""Process settings every service and the gateway take when their container starts."""
import gc

# A request allocates thousands of short-lived objects (werkzeug, kombu, SQLAlchemy, marshmallow),
# and at the interpreter's default threshold (700) the young generation was collected several
# times a request, each time walking the survivors. 50,000 makes that a few times a second. The
# older generations keep the interpreter's own ratios (10 and 10), so garbage in reference cycles
# is freed as before, counted in young collections. Measured on member registration through the
# gateway: about +8% requests/s (bench/gateway_bench.py, alternating runs).
YOUNG_THRESHOLD = 50_000

_tuned = False


def tune_gc():
    """Raise the young generation's threshold, and move what start-up allocated (modules, schemas,
    route tables: never garbage) out of the collector's sight. Once per process."""
    global _tuned
    if _tuned:
        return
    _tuned = True
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, 10, 10)
