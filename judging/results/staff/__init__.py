"""The organizer's pages of the results app: one round's results, a contest's objections and
its awards."""
