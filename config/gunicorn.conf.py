"""gunicorn settings for production: `gunicorn -c config/gunicorn.conf.py config.wsgi:application`.

Options given on the command line (workers, threads, bind) override these.
"""

import gc

# Collect the youngest generation after 50,000 net allocations instead of 700: a request
# allocates tens of thousands of short-lived objects (querysets, SQL compilers, model rows),
# so the default collects many times per request for nothing. 6 % less CPU per upload + submit
# in process (bench/bench_deadline_rush.py's requests); memory is still bounded by the threshold.
GC_THRESHOLD = (50_000, 50, 100)


def post_worker_init(worker):
    """Once the worker has loaded the application: move what is loaded so far (modules, URL
    patterns, settings) out of the collector's sight, and collect less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)
