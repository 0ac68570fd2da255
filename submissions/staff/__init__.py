"""The organizer's pages of the submissions app: the qualification queue."""
