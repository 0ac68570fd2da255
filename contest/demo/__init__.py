"""The demo contest (2021上海国资国企数字化转型创新大赛, recreated with fictional texts and people).

`data.py` holds the texts, `loader.py` the idempotent steps; `manage.py load_demo` runs them.
"""
