"""Running service calls at the same moment, each on its own database connection (for tests
with ``django_db(transaction=True)``, so every call commits or fails for real)."""

import threading

from django.core.exceptions import ValidationError
from django.db import connection


def run_in_threads(*jobs):
    """Start every job at once (a barrier); return each job's result, or the ValidationError
    it raised, in the order given."""
    barrier = threading.Barrier(len(jobs))
    outcomes = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait()
            outcomes[index] = job()
        except ValidationError as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
