"""coopdocs: structured data about international cooperation in, documents out (see README.md)."""


def freeze_heap_at_exit() -> None:
    """Let the interpreter end without a last full garbage collection of everything it imported.

    At exit CPython collects the whole heap before tearing modules down: for Snakemake's process
    (sqlalchemy, pydantic, the DAG) that took 0.2-0.3 s after the last job, a tenth of a one-record
    edit; for a ``coopdocs`` job ~10 ms. Moving every object to the permanent generation
    (``gc.freeze``) in an exit handler skips it. Nothing is lost: objects are still released and
    files still closed when modules are torn down; only unreachable reference cycles are left to
    the operating system, which frees the whole process anyway. Called by the Snakefile at parse time
    and by ``coopdocs`` on start, so it runs before the exit handlers of modules imported earlier
    (logging's, which flushes logs). Here, in the package itself, so that calling it imports nothing.
    """
    import atexit
    import gc

    atexit.unregister(gc.freeze)  # once per process, however often it is asked for
    atexit.register(gc.freeze)
