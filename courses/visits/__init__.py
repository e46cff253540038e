"""Visits: the monthly (and baseline, telehealth, post-treatment) appointments of a course.

A subpackage of ``courses`` (visits belong to a course's monthly cycle): its models are
imported at the end of ``courses/models.py`` and its migrations live in ``courses/migrations``.
"""
