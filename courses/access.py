"""Which permission shows what.

``courses.view_course`` shows that a course exists, its state and its dates (every role).
``courses.view_doseperiod`` shows doses and everything computed from them: mg/kg, projections,
the course page (prescribers, clinical staff, admins; never front desk).
"""

DOSES = "courses.view_doseperiod"
