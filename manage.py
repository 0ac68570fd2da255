#!/usr/bin/env python
import sys


def main():
    from config.env import load_env

    load_env()  # before Django reads DJANGO_SETTINGS_MODULE, so the .env file can set it
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
