"""Domain events of the contest app that apps above it act on.

contest sits below submissions and judging and never imports them: where a change here must
change their rows in the same transaction, it sends one of these signals and the app that owns
those rows connects a receiver in its AppConfig.ready. Receivers run synchronously, inside the
sender's transaction; an exception in one rolls the whole change back.
"""

from django.dispatch import Signal

# An organizer approved a scenario's withdrawal (撤榜); kwargs: scenario, actor.
scenario_withdrawn = Signal()

# A user saved a new organization on their profile; kwargs: user.
profile_organization_changed = Signal()
