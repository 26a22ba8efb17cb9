#!/usr/bin/env python3
"""Entry point: the same commands as `outreach`, e.g. `python bot.py run --once`."""

from outreach.cli import main

if __name__ == "__main__":
    main()
