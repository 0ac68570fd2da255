"""The organizer's pages of the judging app: opening and closing judging, a round's judge pool,
assignment, conflict flags and progress. Results, objections and awards are in
`judging.results.staff`."""
